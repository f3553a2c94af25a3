//! assay's anonymity measures against pycanon 1.3.6 on UCI Adult and ProPublica COMPAS
//! (`tests/reference/anonymity_golden.py` writes `tests/reference/golden/anonymity.json`).
//! Integers must be equal, floats within 1e-12. The data sets are looked up in
//! `$ASSAY_DATA_DIR` or `../shared/data`; the test is skipped with a message when they are absent.

use std::path::{Path, PathBuf};

use assay_anonymity::{measure, risk, Partition, PartitionBuilder};
use assay_data::csv::TextType;
use assay_data::datasets;
use assay_data::source::{self, ColumnRequest, ReadOptions};
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn close(name: &str, got: f64, want: &Value) {
    let want = want
        .as_f64()
        .unwrap_or_else(|| panic!("{name}: golden is not a number"));
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{name}: assay {got:e}, golden {want:e}"
    );
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn anonymity_measures_equal_pycanon() {
    let ws = workspace();
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(ws.join("tests/reference/golden/anonymity.json")).unwrap(),
    )
    .unwrap();
    let (Some(adult), Some(compas)) = (
        datasets::find(&ws, "adult.data"),
        datasets::find(&ws, "compas-scores-two-years.csv"),
    ) else {
        return;
    };
    let cases = golden["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let qi = strings(&case["quasi_identifiers"]);
        let sa = strings(&case["sensitive"]);
        let (path, opts) = match case["dataset"].as_str().unwrap() {
            "adult" => (&adult, datasets::adult_read_options()),
            "compas" => (&compas, ReadOptions::default()),
            d => panic!("unknown data set {d}"),
        };
        let id = format!("{} qi={qi:?} sa={sa:?}", case["dataset"]);
        let p = Partition::from_path(path, &opts, &qi, &sa).unwrap();
        let m = measure(&p).unwrap();
        let int = |name: &str, got: u64| {
            assert_eq!(Some(got), case[name].as_u64(), "{id}: {name}");
        };
        int("k", m.k);
        int("l_distinct", m.l_distinct);
        int("l_entropy", m.l_entropy);
        int("recursive_l", m.recursive_l);
        assert_eq!(
            m.recursive_c,
            case["recursive_c"].as_u64(),
            "{id}: recursive_c"
        );
        assert_eq!(m.recursive_c_definition.len(), 2);
        for r in &m.recursive_c_definition {
            let want = case["recursive_c_definition"][r.l.to_string()].as_u64();
            assert_eq!(
                r.c, want,
                "{id}: recursive c by the definition, l = {}",
                r.l
            );
        }
        let numeric: Vec<bool> = case["numeric_sensitive"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_bool().unwrap())
            .collect();
        assert_eq!(
            m.numeric_sensitive, numeric,
            "{id}: numeric sensitive attributes"
        );
        close(&format!("{id}: t"), m.t, &case["t"]);
        close(
            &format!("{id}: beta_basic"),
            m.beta_basic,
            &case["beta_basic"],
        );
        close(
            &format!("{id}: beta_enhanced"),
            m.beta_enhanced,
            &case["beta_enhanced"],
        );
        close(&format!("{id}: delta"), m.delta, &case["delta"]);
        let r = &case["risk"];
        assert_eq!(Some(m.risk.records), r["records"].as_u64(), "{id}: records");
        assert_eq!(Some(m.risk.classes), r["classes"].as_u64(), "{id}: classes");
        for (name, got) in [
            ("prosecutor_max", m.risk.prosecutor_max),
            ("prosecutor_avg", m.risk.prosecutor_avg),
            ("records_at_max_risk", m.risk.records_at_max_risk),
            ("uniques", m.risk.uniques),
            ("journalist_max", m.risk.journalist_max),
            ("journalist_avg", m.risk.journalist_avg),
            ("marketer", m.risk.marketer),
        ] {
            close(&format!("{id}: {name}"), got, &r[name]);
        }
    }
}

/// The journalist and marketer models with a population table: the sample is the first
/// `sample_rows` records of the file (one batch of that size), the population the whole file.
#[test]
fn population_risk_equals_golden() {
    let ws = workspace();
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(ws.join("tests/reference/golden/anonymity.json")).unwrap(),
    )
    .unwrap();
    let (Some(adult), Some(compas)) = (
        datasets::find(&ws, "adult.data"),
        datasets::find(&ws, "compas-scores-two-years.csv"),
    ) else {
        return;
    };
    let cases = golden["population_cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for case in cases {
        let qi = strings(&case["quasi_identifiers"]);
        let (path, mut opts) = match case["dataset"].as_str().unwrap() {
            "adult" => (&adult, datasets::adult_read_options()),
            _ => (&compas, ReadOptions::default()),
        };
        let id = format!("{} qi={qi:?}", case["dataset"]);
        let population = Partition::from_path(path, &opts, &qi, &[]).unwrap();
        opts.batch_size = case["sample_rows"].as_u64().unwrap() as usize;
        let requests: Vec<ColumnRequest> = qi
            .iter()
            .map(|c| ColumnRequest {
                name: c.clone(),
                text_as: TextType::Utf8,
                role: "quasi-identifier".into(),
            })
            .collect();
        let first = source::open(path, &opts, Some(&requests))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        let mut b = PartitionBuilder::new(path, &qi, &[]).unwrap();
        b.add_batch(&first).unwrap();
        let sample = b.finish().unwrap();
        let r = risk::risk_with_population(&sample, &population).unwrap();
        let w = &case["risk"];
        assert_eq!(Some(r.records), w["records"].as_u64(), "{id}");
        assert_eq!(Some(r.classes), w["classes"].as_u64(), "{id}");
        assert_eq!(r.population, w["population"].as_u64(), "{id}");
        for (name, got) in [
            ("prosecutor_max", r.prosecutor_max),
            ("prosecutor_avg", r.prosecutor_avg),
            ("records_at_max_risk", r.records_at_max_risk),
            ("uniques", r.uniques),
            ("journalist_max", r.journalist_max),
            ("journalist_avg", r.journalist_avg),
            ("marketer", r.marketer),
        ] {
            close(&format!("{id}: {name}"), got, &w[name]);
        }
        // A population is not a sample of a part of itself.
        let e = risk::risk_with_population(&population, &sample).unwrap_err();
        assert!(
            e.to_string()
                .contains("the population must contain the sample"),
            "{e}"
        );
    }
}
