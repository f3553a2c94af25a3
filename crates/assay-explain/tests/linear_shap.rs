//! LinearSHAP against shap 0.51.0's LinearExplainer (interventional), golden from
//! tests/reference/kernel_shap_golden.py.

use assay_explain::shap::LinearExplainer;
use assay_explain::FeatureGroups;
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

#[test]
fn equals_shap_linear_explainer() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/reference/golden/kernel_shap.json"
    );
    let g: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let g = &g["linear"];
    let coef = vec1(&g["coef"]);
    let p = coef.len();
    let (bg, nbg) = mat(&g["background"]);
    let (x, n) = mat(&g["x"]);
    let ex = LinearExplainer::new(
        coef.clone(),
        g["intercept"].as_f64().unwrap(),
        &bg,
        nbg,
        None,
        None,
    )
    .unwrap();
    let out = ex.explain(&x, n).unwrap();
    assert!((out.base_value - g["expected_value"].as_f64().unwrap()).abs() < 1e-9);
    let (want, _) = mat(&g["shap_values"]);
    let worst = out
        .values
        .iter()
        .zip(&want)
        .fold(0.0f64, |w, (a, b)| w.max((a - b).abs()));
    assert!(worst < 1e-9, "max |assay − shap| = {worst:e}");
    for i in 0..n {
        let s: f64 = out.values[i * p..(i + 1) * p].iter().sum();
        assert!((s - (out.predictions[i] - out.base_value)).abs() < 1e-12);
    }
    // Groups: the sum of the members' values.
    let groups = FeatureGroups::new(
        vec!["a".into(), "b".into(), "c".into()],
        vec![vec![0, 4], vec![1, 2], vec![3, 5]],
        p,
    )
    .unwrap();
    let ge = LinearExplainer::new(
        coef,
        g["intercept"].as_f64().unwrap(),
        &bg,
        nbg,
        None,
        Some(groups),
    )
    .unwrap();
    let go = ge.explain(&x, n).unwrap();
    for i in 0..n {
        let v = &out.values[i * p..(i + 1) * p];
        assert!((go.values[i * 3] - (v[0] + v[4])).abs() < 1e-12);
        assert!((go.values[i * 3 + 1] - (v[1] + v[2])).abs() < 1e-12);
        assert!((go.values[i * 3 + 2] - (v[3] + v[5])).abs() < 1e-12);
    }
    // Weighted background: weights 2 on the first row equal duplicating it.
    let mut w = vec![1.0; nbg];
    w[0] = 2.0;
    let we = LinearExplainer::new(vec1(&g["coef"]), 0.0, &bg, nbg, Some(&w), None).unwrap();
    let mut dup = bg[..p].to_vec();
    dup.extend_from_slice(&bg);
    let de = LinearExplainer::new(vec1(&g["coef"]), 0.0, &dup, nbg + 1, None, None).unwrap();
    for (a, b) in we.mean.iter().zip(&de.mean) {
        assert!((a - b).abs() < 1e-12);
    }
}

#[test]
fn explains_an_assay_logistic_regression_margin_and_agrees_with_kernel_shap() {
    use assay_explain::predict::FnPredict;
    use assay_explain::shap::{Background, KernelExplainer, KernelShapConfig};
    use assay_explain::ExplainError;
    use assay_model::learners::{LogisticRegression, Matrix};

    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/reference/golden/kernel_shap.json"
    );
    let g: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let g = &g["linear"];
    let (bg, nbg) = mat(&g["background"]);
    let (x, n) = mat(&g["x"]);
    let p = 6;
    // Labels from the sign of a fixed score, so the fit is deterministic.
    let y: Vec<f64> = bg
        .chunks(p)
        .map(|r| f64::from(r[0] - 0.5 * r[1] + 2.0 * r[2] > 0.0))
        .collect();
    let fitted = LogisticRegression::default()
        .fit(&Matrix::new(&bg, p).unwrap(), &y, None)
        .unwrap();
    let lin = LinearExplainer::from_logistic(&fitted, &bg, nbg, None, None).unwrap();
    let out = lin.explain(&x, n).unwrap();
    let margins = fitted
        .decision_function(&Matrix::new(&x, p).unwrap())
        .unwrap();
    for (i, &margin) in margins.iter().enumerate().take(n) {
        assert!((out.predictions[i] - margin).abs() < 1e-9);
        let s: f64 = out.values[i * p..(i + 1) * p].iter().sum();
        assert!((s - (margin - out.base_value)).abs() < 1e-9);
    }
    // KernelSHAP (exact) of the margin against the same background gives the same values:
    // for a linear model the interventional Shapley values are β_j (x_j − mean_j).
    let coef = fitted.coef[0].clone();
    let b = fitted.intercept[0];
    let f = FnPredict::new(p, move |x: &[f64], _| {
        Ok::<_, ExplainError>(
            x.chunks(p)
                .map(|r| r.iter().zip(&coef).map(|(v, c)| v * c).sum::<f64>() + b)
                .collect(),
        )
    });
    let ks = KernelExplainer::new(&f, Background::new(bg.clone(), nbg, p).unwrap(), None).unwrap();
    let kv = ks
        .explain(
            &x[..5 * p],
            5,
            &KernelShapConfig {
                n_samples: Some(1 << 10),
                ..KernelShapConfig::default()
            },
        )
        .unwrap();
    for (a, b) in kv.values.iter().zip(&out.values[..5 * p]) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }
    assert!((kv.base_value - out.base_value).abs() < 1e-9);
}
