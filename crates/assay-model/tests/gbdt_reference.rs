//! assay's gradient-boosted trees against LightGBM on UCI Adult (golden file written by
//! `tests/reference/gbdt_golden.py`): same features, split and settings; assay's test accuracy
//! must be within one point of LightGBM's and its log-loss close.

use std::path::Path;

use assay_model::learners::{GradientBoosting, Loss, Matrix};

const NUMERIC: [usize; 6] = [0, 2, 4, 10, 11, 12];
const CODED: [usize; 6] = [1, 5, 6, 7, 8, 9];

/// Features (numeric columns, then sorted-category codes), labels and test flags.
fn adult(path: &Path) -> (Vec<f64>, Vec<f64>, Vec<bool>) {
    let text = std::fs::read_to_string(path).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(str::trim).collect())
        .collect();
    let levels: Vec<Vec<&str>> = CODED
        .iter()
        .map(|&c| {
            let mut v: Vec<&str> = rows.iter().map(|r| r[c]).collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let mut x = Vec::with_capacity(rows.len() * 12);
    let mut y = Vec::with_capacity(rows.len());
    for r in &rows {
        x.extend(NUMERIC.iter().map(|&c| r[c].parse::<f64>().unwrap()));
        for (k, &c) in CODED.iter().enumerate() {
            x.push(levels[k].binary_search(&r[c]).unwrap() as f64);
        }
        y.push(f64::from(u8::from(r[14] == ">50K")));
    }
    let test = (0..rows.len()).map(|i| i % 5 == 0).collect();
    (x, y, test)
}

#[test]
fn accuracy_within_one_point_of_lightgbm_on_adult() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let Some(path) = assay_data::datasets::find(&workspace, "adult.data") else {
        return;
    };
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/reference/golden/gbdt_adult.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let (x, y, test) = adult(&path);
    let d = 12;
    let (mut xtr, mut ytr, mut xte, mut yte) = (vec![], vec![], vec![], vec![]);
    for (i, &t) in test.iter().enumerate() {
        let row = &x[i * d..(i + 1) * d];
        if t {
            xte.extend_from_slice(row);
            yte.push(y[i]);
        } else {
            xtr.extend_from_slice(row);
            ytr.push(y[i]);
        }
    }
    assert_eq!(ytr.len() as u64, golden["n_train"].as_u64().unwrap());
    let s = &golden["settings"];
    let learner = GradientBoosting {
        loss: Loss::BinaryLogistic,
        n_trees: s["n_trees"].as_u64().unwrap() as usize,
        learning_rate: s["learning_rate"].as_f64().unwrap(),
        max_depth: None,
        max_leaves: Some(s["num_leaves"].as_u64().unwrap() as usize),
        min_child_weight: s["min_sum_hessian_in_leaf"].as_f64().unwrap(),
        min_samples_leaf: s["min_child_samples"].as_u64().unwrap() as usize,
        lambda: s["lambda_l2"].as_f64().unwrap(),
        max_bins: s["max_bin"].as_u64().unwrap() as usize,
        ..GradientBoosting::default()
    };
    let model = learner
        .fit(&Matrix::new(&xtr, d).unwrap(), &ytr, None)
        .unwrap();
    model.validate().unwrap();
    let p = model.predict(&xte, d).unwrap();
    let n = yte.len() as f64;
    let accuracy = p
        .iter()
        .zip(&yte)
        .filter(|(p, y)| (**p > 0.5) == (**y == 1.0))
        .count() as f64
        / n;
    let logloss = -p
        .iter()
        .zip(&yte)
        .map(|(p, y)| {
            let p = p.clamp(1e-15, 1.0 - 1e-15);
            y * p.ln() + (1.0 - y) * (1.0 - p).ln()
        })
        .sum::<f64>()
        / n;
    let want_acc = golden["test_accuracy"].as_f64().unwrap();
    let want_loss = golden["test_logloss"].as_f64().unwrap();
    eprintln!("assay: accuracy {accuracy:.4}, log-loss {logloss:.4}; LightGBM: {want_acc:.4}, {want_loss:.4}");
    assert!(accuracy >= want_acc - 0.01, "{accuracy} vs {want_acc}");
    assert!(logloss <= want_loss + 0.01, "{logloss} vs {want_loss}");
}
