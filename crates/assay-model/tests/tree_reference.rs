//! assay's CART decision tree against scikit-learn's `DecisionTreeClassifier` on UCI Adult
//! (golden file written by `tests/reference/tree_golden.py`): numeric features only, label
//! income == ">50K", `max_depth=6, min_samples_leaf=20`, unweighted and with
//! `sample_weight = fnlwgt / mean(fnlwgt)`. The root split, node count, depth and leaf count
//! must be identical and `P(class 1)` of at least 99.5% of the stored rows (the first 3000)
//! equal to 1e-9.
//!
//! Measured (scikit-learn 1.9.1): weighted, 3000 of 3000 rows agree; unweighted, 2998 of 3000.
//! The two rows differ because of an exact tie at node 66 (53 rows, one positive): splitting
//! age at 40.5 and hours-per-week at 46.5 both leave 33 negatives on the left and 20 rows with
//! the positive on the right, the same impurity to the last bit. assay takes the first feature
//! (age); scikit-learn visits features in an order drawn from `random_state` and with
//! `random_state=0` takes hours-per-week (with `random_state=4` it takes age).

use std::path::Path;

use assay_model::learners::{Criterion, DecisionTree, Matrix};
use assay_model::TreeEnsemble;

/// age, fnlwgt, education-num, capital-gain, capital-loss, hours-per-week.
const NUMERIC: [usize; 6] = [0, 2, 4, 10, 11, 12];

/// Features and labels of every row.
fn adult(path: &Path) -> (Vec<f64>, Vec<f64>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut x = Vec::new();
    let mut y = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let r: Vec<&str> = line.split(',').map(str::trim).collect();
        x.extend(NUMERIC.iter().map(|&c| r[c].parse::<f64>().unwrap()));
        y.push(f64::from(u8::from(r[14] == ">50K")));
    }
    (x, y)
}

/// Depth of the deepest leaf (the root at depth 0).
fn depth(e: &TreeEnsemble) -> usize {
    let t = &e.trees[0];
    let mut d = vec![0usize; t.n_nodes()];
    for k in 0..t.n_nodes() {
        if !t.is_leaf(k) {
            d[t.left[k] as usize] = d[k] + 1;
            d[t.right[k] as usize] = d[k] + 1;
        }
    }
    d.into_iter().max().unwrap_or(0)
}

fn check(case: &str, golden: &serde_json::Value, model: &TreeEnsemble, x: &[f64]) {
    let g = &golden[case];
    let t = &model.trees[0];
    model.validate().unwrap();
    assert_eq!(
        t.split_feature[0] as u64,
        g["root_feature"].as_u64().unwrap(),
        "{case}: root feature"
    );
    assert_eq!(
        t.threshold[0],
        g["root_threshold"].as_f64().unwrap(),
        "{case}: root threshold"
    );
    let want: Vec<f64> = g["proba"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let got = model.predict(&x[..want.len() * 6], 6).unwrap();
    std::fs::write(
        format!("/tmp/tree_{case}.json"),
        serde_json::to_string(model).unwrap(),
    )
    .unwrap();
    let agree = got
        .iter()
        .zip(&want)
        .filter(|(a, b)| (**a - **b).abs() <= 1e-9)
        .count();
    let leaves = (0..t.n_nodes()).filter(|&k| t.is_leaf(k)).count();
    eprintln!(
        "{case}: {agree}/{} rows agree to 1e-9; nodes {} (sklearn {}), depth {} ({}), leaves {leaves} ({})",
        want.len(),
        t.n_nodes(),
        g["node_count"],
        depth(model),
        g["depth"],
        g["n_leaves"],
    );
    assert!(
        agree * 1000 >= want.len() * 995,
        "{case}: only {agree} of {} rows agree to 1e-9",
        want.len()
    );
    assert_eq!(
        t.n_nodes() as u64,
        g["node_count"].as_u64().unwrap(),
        "{case}"
    );
    assert_eq!(depth(model) as u64, g["depth"].as_u64().unwrap(), "{case}");
    assert_eq!(leaves as u64, g["n_leaves"].as_u64().unwrap(), "{case}");
}

#[test]
fn matches_sklearn_decision_tree_on_adult() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let Some(path) = assay_data::datasets::find(&workspace, "adult.data") else {
        return;
    };
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.join("tests/reference/golden/tree_adult.json")).unwrap(),
    )
    .unwrap();
    let (x, y) = adult(&path);
    assert_eq!(y.len() as u64, golden["n_rows"].as_u64().unwrap());
    let s = &golden["settings"];
    assert_eq!(s["criterion"], "gini");
    let learner = DecisionTree {
        criterion: Criterion::Gini,
        max_depth: Some(s["max_depth"].as_u64().unwrap() as usize),
        min_samples_leaf: s["min_samples_leaf"].as_u64().unwrap() as usize,
        ..DecisionTree::default()
    };
    let m = Matrix::new(&x, 6).unwrap();
    let unweighted = learner.fit(&m, &y, None).unwrap();
    check("unweighted", &golden, &unweighted, &x);

    // fnlwgt is an integer, so its sum (and mean) is exact in any order, as in numpy.
    let fnlwgt: Vec<f64> = (0..y.len()).map(|i| x[i * 6 + 1]).collect();
    let mean = fnlwgt.iter().sum::<f64>() / fnlwgt.len() as f64;
    let w: Vec<f64> = fnlwgt.iter().map(|v| v / mean).collect();
    let weighted = learner.fit(&m, &y, Some(&w)).unwrap();
    check("weighted", &golden, &weighted, &x);
}
