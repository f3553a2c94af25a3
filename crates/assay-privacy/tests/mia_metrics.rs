//! assay_privacy::mia::metrics against scikit-learn's roc_curve / roc_auc_score on the seeded
//! cases of tests/reference/mia_metrics_golden.py (golden/mia_metrics.json).

use assay_privacy::mia::metrics::{auc, roc_curve};
use serde_json::Value;

fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        v => v.as_f64().expect("a number"),
    }
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().expect("an array").iter().map(num).collect()
}

fn close(a: &[f64], b: &[f64], what: &str) {
    assert_eq!(
        a.len(),
        b.len(),
        "{what}: {} points, sklearn {}",
        a.len(),
        b.len()
    );
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        let ok = x == y || (x - y).abs() <= 1e-12;
        assert!(ok, "{what}[{k}]: {x} vs sklearn {y}");
    }
}

#[test]
fn roc_and_auc_equal_sklearn() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/reference/golden/mia_metrics.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let members: Vec<bool> = c["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_bool().unwrap())
            .collect();
        let scores = nums(&c["scores"]);
        for (key, drop) in [("full", false), ("drop", true)] {
            let roc = roc_curve(&members, &scores, drop).unwrap();
            close(
                &roc.fpr,
                &nums(&c[key]["fpr"]),
                &format!("{name} {key} fpr"),
            );
            close(
                &roc.tpr,
                &nums(&c[key]["tpr"]),
                &format!("{name} {key} tpr"),
            );
            close(
                &roc.thresholds,
                &nums(&c[key]["thresholds"]),
                &format!("{name} {key} thresholds"),
            );
            let a = auc(&roc);
            let want = c["auc"].as_f64().unwrap();
            assert!(
                (a - want).abs() <= 1e-12,
                "{name} {key} auc {a} vs sklearn {want}"
            );
        }
    }
}
