//! LIME against lime 0.2.0.1's LimeTabularExplainer (tests/reference/lime_golden.py).

use assay_explain::lime::{LimeConfig, LimeTabularExplainer};
use assay_explain::predict::FnPredict;
use assay_explain::ExplainError;
use serde_json::Value;

fn vec1(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn mat(v: &Value) -> (Vec<f64>, usize) {
    let rows = v.as_array().unwrap();
    (rows.iter().flat_map(vec1).collect(), rows.len())
}

fn golden() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/reference/golden/lime.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn names() -> Vec<String> {
    (0..8).map(|j| format!("f{j}")).collect()
}

#[test]
fn discretizer_equals_lime() {
    let g = golden();
    let (xt, nt) = mat(&g["training"]);
    let ex = LimeTabularExplainer::new(&xt, nt, names(), &[]).unwrap();
    for j in 0..8 {
        let want = &g["bins"][j.to_string()];
        let b = ex.bins[j].as_ref().unwrap();
        assert_eq!(b.edges, vec1(&want["edges"]), "edges of column {j}");
        assert_eq!(b.mins, vec1(&want["mins"]), "mins of column {j}");
        assert_eq!(b.maxs, vec1(&want["maxs"]), "maxs of column {j}");
        for (a, w) in b.means.iter().zip(vec1(&want["means"])) {
            assert!((a - w).abs() <= 1e-12 * w.abs().max(1.0), "means {j}");
        }
        for (a, w) in b.stds.iter().zip(vec1(&want["stds"])) {
            assert!((a - w).abs() <= 1e-12 * w.abs().max(1.0), "stds {j}");
        }
    }
    // Column 2 (Poisson counts) has tied quartiles, column 3 (mostly zero) one distinct edge.
    assert_eq!(ex.bins[3].as_ref().unwrap().edges, vec![0.0]);
}

/// Agreement of assay's explanations (one seed) with lime's: (same top-5 set, same top
/// feature, mean |Δweight| over shared features, max |Δscore|).
fn agreement(g: &Value, seed: u64) -> (f64, f64, f64, f64) {
    let (xt, nt) = mat(&g["training"]);
    let (x, n) = mat(&g["x"]);
    let coef = vec1(&g["coef"]);
    let b = g["intercept"].as_f64().unwrap();
    let model = FnPredict::new(8, |x: &[f64], _| {
        Ok::<_, ExplainError>(
            x.chunks(8)
                .map(|r| {
                    let z: f64 = r.iter().zip(&coef).map(|(v, c)| v * c).sum::<f64>() + b;
                    1.0 / (1.0 + (-z).exp())
                })
                .collect(),
        )
    });
    let ex = LimeTabularExplainer::new(&xt, nt, names(), &[]).unwrap();
    let cfg = LimeConfig {
        num_features: 5,
        seed,
        ..LimeConfig::default()
    };
    let out = ex.explain_rows(&model, &x, n, &cfg).unwrap();
    assert_eq!(out, ex.explain_rows(&model, &x, n, &cfg).unwrap());
    let want = g["explanations"].as_array().unwrap();
    let mut same_set = 0;
    let mut same_top1 = 0;
    let mut weight_err = 0.0;
    let mut n_weights = 0;
    let mut score_err: f64 = 0.0;
    for (i, (e, w)) in out.iter().zip(want).enumerate() {
        assert_eq!(e.features.len(), 5);
        let lime: Vec<(usize, f64)> = w["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_u64().unwrap() as usize, p[1].as_f64().unwrap()))
            .collect();
        let mut a: Vec<usize> = e.features.iter().map(|f| f.index).collect();
        let mut l: Vec<usize> = lime.iter().map(|p| p.0).collect();
        if a[0] == l[0] {
            same_top1 += 1;
        }
        a.sort_unstable();
        l.sort_unstable();
        if a == l {
            same_set += 1;
        }
        for f in &e.features {
            if let Some(&(_, lw)) = lime.iter().find(|p| p.0 == f.index) {
                weight_err += (f.weight - lw).abs();
                n_weights += 1;
            }
        }
        score_err = score_err.max((e.score - w["score"].as_f64().unwrap()).abs());
        // Descriptions of the row's bins are lime's.
        let descs: Vec<String> = w["descriptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect();
        for f in &e.features {
            if let Some(k) = lime.iter().position(|p| p.0 == f.index) {
                assert_eq!(f.description, descs[k], "row {i}");
            }
        }
        assert!((e.prediction - w["prediction"].as_f64().unwrap()).abs() < 1e-6);
        let local: f64 = e.intercept + e.features.iter().map(|f| f.weight).sum::<f64>();
        assert!((e.local_prediction - local).abs() < 1e-12);
        // Ridge shrinks: the explanation's fidelity is a weighted R² in [0, 1].
        assert!((0.0..=1.0).contains(&e.score));
    }
    (
        same_set as f64 / n as f64,
        same_top1 as f64 / n as f64,
        weight_err / n_weights as f64,
        score_err,
    )
}

#[test]
fn top_features_agree_with_lime_as_lime_agrees_with_itself() {
    let g = golden();
    let seeds = 5;
    let mut tot = (0.0, 0.0, 0.0, 0.0f64);
    for seed in 0..seeds {
        let a = agreement(&g, seed);
        eprintln!(
            "seed {seed}: same top-5 set {:.2}, same top feature {:.2}, mean |Δweight| {:.4}, max |Δscore| {:.4}",
            a.0, a.1, a.2, a.3
        );
        tot = (tot.0 + a.0, tot.1 + a.1, tot.2 + a.2, tot.3.max(a.3));
    }
    let k = seeds as f64;
    let (set, top, werr, serr) = (tot.0 / k, tot.1 / k, tot.2 / k, tot.3);
    let selfs = g["lime_self_agreement"].as_array().unwrap();
    let mean = |key: &str| {
        selfs.iter().map(|s| s[key].as_f64().unwrap()).sum::<f64>() / selfs.len() as f64
    };
    let (lset, ltop, lw) = (
        mean("same_top5_set"),
        mean("same_top_feature"),
        mean("mean_abs_weight_diff"),
    );
    eprintln!(
        "assay vs lime (mean of {seeds} seeds): same top-5 set {set:.3}, same top feature {top:.3}, mean |Δweight| {werr:.4}, max |Δscore| {serr:.4}; lime vs lime (3 seeds): {lset:.3}, {ltop:.3}, {lw:.4}"
    );
    // Sampling noise alone: allow 0.06 less agreement and 15% more weight difference than
    // lime shows against itself.
    assert!(
        set >= lset - 0.06,
        "same top-5 set {set} (lime vs lime {lset})"
    );
    assert!(
        top >= ltop - 0.06,
        "same top feature {top} (lime vs lime {ltop})"
    );
    assert!(
        werr <= 1.15 * lw,
        "mean |Δweight| {werr} (lime vs lime {lw})"
    );
    assert!(serr < 0.06, "max |Δscore| {serr}");
}

#[test]
fn categorical_columns_are_compared_by_value() {
    // Column 0 categorical in {0, 1, 2}, column 1 continuous; the model depends on column 0.
    let n = 300;
    let mut xt = Vec::with_capacity(2 * n);
    for i in 0..n {
        xt.push((i % 3) as f64);
        xt.push((i as f64 * 0.37).sin());
    }
    let ex = LimeTabularExplainer::new(&xt, n, vec!["c".into(), "v".into()], &[0]).unwrap();
    assert!(ex.bins[0].is_none() && ex.bins[1].is_some());
    let model = FnPredict::new(2, |x: &[f64], _| {
        Ok::<_, ExplainError>(
            x.chunks(2)
                .map(|r| if r[0] == 2.0 { 0.9 } else { 0.1 })
                .collect(),
        )
    });
    let cfg = LimeConfig {
        num_features: 2,
        ..LimeConfig::default()
    };
    let e = ex.explain(&model, &[2.0, 0.5], &cfg).unwrap();
    assert_eq!(e.features[0].index, 0);
    assert_eq!(e.features[0].description, "c=2");
    // Being in category 2 raises the output by 0.8: the ridge (alpha = 1 on thousands of
    // weighted samples) recovers nearly all of it, and the fit is nearly perfect.
    assert!(
        (e.features[0].weight - 0.8).abs() < 0.01,
        "{:?}",
        e.features
    );
    assert!(e.features[1].weight.abs() < 0.01);
    assert!(e.score > 0.99);
    assert!((e.prediction - 0.9).abs() < 1e-12);
    assert!(ex.explain(&model, &[2.0], &cfg).is_err());
}
