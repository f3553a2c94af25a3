//! assay's pre-processing against AIF360 0.6.1 and Fairlearn 0.15.0 on a synthetic data set.
//!
//! Reference values: `tests/reference/golden/mitigation_preprocessing.json`, written by
//! `tests/reference/mitigation_preprocessing_golden.py` (see it for versions and the command).

use std::path::PathBuf;

use serde_json::Value;

use assay_mitigation::preprocessing::{
    reweigh, uniform_resample, CorrelationRemover, DisparateImpactRemover,
};
use assay_mitigation::Groups;
use assay_model::learners::Matrix;

fn golden() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/reference/golden/mitigation_preprocessing.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn groups(v: &Value, names: &[&str]) -> Groups {
    let codes = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect();
    Groups::new(codes, names.iter().map(|s| s.to_string()).collect()).unwrap()
}

/// Largest `|a − b| / max(1, |b|)`.
fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1.0))
        .fold(0.0, f64::max)
}

struct Data {
    g: Value,
    group: Groups,
    sex: Groups,
    label: Vec<f64>,
    weight: Vec<f64>,
    features: Vec<f64>,
    n_cols: usize,
}

fn data(g: Value) -> Data {
    let n_cols = g["feature_names"].as_array().unwrap().len();
    Data {
        group: groups(&g["group"], &["0", "1", "2"]),
        sex: groups(&g["sex"], &["0", "1"]),
        label: floats(&g["label"]),
        weight: floats(&g["weight"]),
        features: floats(&g["features"]),
        n_cols,
        g,
    }
}

#[test]
fn reweighing_matches_aif360_and_the_formula() {
    let d = data(golden());
    let cases = [
        ("aif360_sex_unweighted", &d.sex, None),
        ("aif360_sex_weighted", &d.sex, Some(&d.weight[..])),
        ("formula_group_unweighted", &d.group, None),
        ("formula_group_weighted", &d.group, Some(&d.weight[..])),
    ];
    for (key, groups, weights) in cases {
        let expect = floats(&d.g["reweighing"][key]);
        let got = reweigh(groups, &d.label, weights).unwrap();
        let rel = got
            .weights
            .iter()
            .zip(&expect)
            .map(|(a, b)| (a - b).abs() / b.abs())
            .fold(0.0, f64::max);
        eprintln!("reweighing {key}: max relative difference {rel:e}");
        assert!(rel <= 1e-12, "{key}: {rel}");
        // the reweighing changed something and kept the total
        assert!(got
            .weights
            .iter()
            .zip(&expect)
            .any(|(a, _)| (a - 1.0).abs() > 1e-3));
        let total: f64 = got.weights.iter().sum();
        assert!((total - got.total_weight).abs() <= 1e-9 * got.total_weight);
        assert!(got.cells.iter().all(|c| c.count > 0 && c.factor.is_some()));
    }
}

#[test]
fn correlation_remover_matches_fairlearn() {
    let d = data(golden());
    let x = Matrix::new(&d.features, d.n_cols).unwrap();
    let cr = &d.g["correlation_remover"];
    for (key, alpha) in [("alpha_1", 1.0), ("alpha_0_5", 0.5)] {
        let expect = floats(&cr[key]);
        let (fitted, got) = CorrelationRemover::new(alpha)
            .unwrap()
            .fit_transform(&x, &d.group)
            .unwrap();
        let rel = max_rel(&got, &expect);
        eprintln!("correlation remover {key}: max |diff| / max(1, |ref|) = {rel:e}");
        assert!(rel <= 1e-9, "{key}: {rel}");
        let rel_beta = max_rel(&fitted.beta(), &floats(&cr["beta"]));
        eprintln!("correlation remover beta_: {rel_beta:e}");
        assert!(rel_beta <= 1e-9, "beta: {rel_beta}");
        assert_eq!(fitted.sensitive_mean, floats(&cr["sensitive_mean"]));
        // the serialized state transforms the same
        let json = serde_json::to_string(&fitted).unwrap();
        let back: assay_mitigation::preprocessing::FittedCorrelationRemover =
            serde_json::from_str(&json).unwrap();
        assert_eq!(back.transform(&x, &d.group).unwrap(), got);
        // the features really changed
        assert!(max_rel(&got, &d.features) > 1e-3);
    }
}

#[test]
fn disparate_impact_remover_matches_aif360_exactly() {
    let d = data(golden());
    let x = Matrix::new(&d.features, d.n_cols).unwrap();
    for (name, groups) in [("group", &d.group), ("sex", &d.sex)] {
        for (key, level) in [("1", 1.0), ("0_5", 0.5)] {
            let expect = floats(&d.g["di_remover"][format!("{name}_level_{key}")]);
            let got = DisparateImpactRemover::new(level)
                .unwrap()
                .repair(&x, groups)
                .unwrap();
            let differing = got
                .iter()
                .zip(&expect)
                .filter(|(a, b)| a.to_bits() != b.to_bits())
                .count();
            let changed = got.iter().zip(&d.features).filter(|(a, b)| a != b).count();
            eprintln!(
                "DI remover {name} level {level}: {differing} of {} values differ from AIF360 \
                 ({changed} repaired)",
                got.len()
            );
            assert_eq!(differing, 0, "{name} level {level}");
            assert!(changed > 100);
        }
    }
}

#[test]
fn uniform_resampling_on_the_reference_data() {
    let d = data(golden());
    let r = uniform_resample(&d.group, &d.label, 2024).unwrap();
    let n = d.label.len();
    for cell in &r.cells {
        let n_g = d.group.codes.iter().filter(|&&c| c == cell.group).count();
        let n_y = d.label.iter().filter(|&&v| v == cell.label).count();
        let expected = (n_g * n_y) as f64 / n as f64;
        assert!((cell.target as f64 - expected).abs() <= 0.5);
        let got = r
            .rows
            .iter()
            .filter(|&&i| d.group.codes[i] == cell.group && d.label[i] == cell.label)
            .count();
        assert_eq!(got, cell.target);
    }
    // after resampling, reweighing has nothing left to do: all factors are within rounding of 1
    let codes: Vec<u32> = r.rows.iter().map(|&i| d.group.codes[i]).collect();
    let labels: Vec<f64> = r.rows.iter().map(|&i| d.label[i]).collect();
    let g = Groups {
        codes,
        names: d.group.names.clone(),
    };
    let rw = reweigh(&g, &labels, None).unwrap();
    for c in &rw.cells {
        let f = c.factor.unwrap();
        assert!((f - 1.0).abs() < 0.02, "{c:?}");
    }
    assert_eq!(r, uniform_resample(&d.group, &d.label, 2024).unwrap());
}

#[test]
fn reweighing_with_three_label_values() {
    let g = golden();
    let d = data(golden());
    let labels = floats(&g["label3"]);
    let expect = floats(&g["reweighing"]["formula_group_label3_weighted"]);
    let got = reweigh(&d.group, &labels, Some(&d.weight)).unwrap();
    let rel = got
        .weights
        .iter()
        .zip(&expect)
        .map(|(a, b)| (a - b).abs() / b.abs())
        .fold(0.0, f64::max);
    eprintln!("reweighing three labels: max relative difference {rel:e}");
    assert!(rel <= 1e-12, "{rel}");
    assert_eq!(got.cells.len(), 9);
}

#[test]
fn disparate_impact_remover_matches_blackboxauditing_on_tie_heavy_cases() {
    let g = golden();
    for (c, case) in g["di_remover_stress"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let k = case["n_groups"].as_u64().unwrap() as usize;
        let names: Vec<String> = (0..k).map(|g| format!("g{g}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let groups = groups(&case["group"], &names);
        let features = floats(&case["features"]);
        let x = Matrix::new(&features, 3).unwrap();
        for level in [1.0, 0.75, 0.5, 0.3] {
            let expect = floats(&case[format!("level_{level:?}")]);
            let got = DisparateImpactRemover::new(level)
                .unwrap()
                .repair(&x, &groups)
                .unwrap();
            let differing = got
                .iter()
                .zip(&expect)
                .filter(|(a, b)| a.to_bits() != b.to_bits())
                .count();
            eprintln!(
                "DI remover stress case {c} ({} rows, {k} groups) level {level}: {differing} \
                 values differ",
                groups.len()
            );
            assert_eq!(differing, 0, "case {c} level {level}");
        }
    }
}

#[test]
fn correlation_remover_prediction_time_matches_fairlearn() {
    let d = data(golden());
    let p = d.n_cols;
    let split = 400;
    let fit_x = Matrix::new(&d.features[..split * p], p).unwrap();
    let rest_x = Matrix::new(&d.features[split * p..], p).unwrap();
    let fit_g = Groups {
        codes: d.group.codes[..split].to_vec(),
        names: d.group.names.clone(),
    };
    let rest_g = Groups {
        codes: d.group.codes[split..].to_vec(),
        names: d.group.names.clone(),
    };
    let fitted = CorrelationRemover::new(0.8)
        .unwrap()
        .fit(&fit_x, &fit_g)
        .unwrap();
    // saved and loaded with the model
    let fitted: assay_mitigation::preprocessing::FittedCorrelationRemover =
        serde_json::from_str(&serde_json::to_string(&fitted).unwrap()).unwrap();
    let got = fitted.transform(&rest_x, &rest_g).unwrap();
    let expect = floats(&d.g["correlation_remover"]["alpha_0_8_fit_400_transform_rest"]);
    let rel = max_rel(&got, &expect);
    eprintln!("correlation remover fit 400 / transform 200 at alpha 0.8: {rel:e}");
    assert!(rel <= 1e-9, "{rel}");
}
