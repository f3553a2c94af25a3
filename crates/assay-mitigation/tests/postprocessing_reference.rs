//! assay's post-processing against Fairlearn 0.15.0 / scikit-learn 1.9.1 / AIF360 0.6.1
//! reference values from `tests/reference/mitigation_postprocessing_golden.py`.

use std::path::PathBuf;

use serde_json::Value;

use assay_mitigation::postprocessing::{Constraint, Objective, Operator, ThresholdOptimizer};
use assay_mitigation::Groups;

fn golden() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/reference/golden/mitigation_postprocessing.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => panic!("not a number: {other}"),
    }
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

struct Data {
    score: Vec<f64>,
    score_c_reversed: Vec<f64>,
    y: Vec<f64>,
    weight: Vec<f64>,
    groups: Groups,
}

fn data(g: &Value) -> Data {
    let d = &g["data"];
    let labels: Vec<String> = d["group"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let groups = Groups::from_labels(&labels);
    assert_eq!(groups.names, vec!["a", "b", "c"]);
    Data {
        score: nums(&d["score"]),
        score_c_reversed: nums(&d["score_c_reversed"]),
        y: nums(&d["y"]),
        weight: nums(&d["weight"]),
        groups,
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    a == b || (a - b).abs() <= tol
}

fn constraint(s: &str) -> Constraint {
    serde_json::from_value(Value::String(s.into())).unwrap()
}

fn objective(s: &str) -> Objective {
    serde_json::from_value(Value::String(s.into())).unwrap()
}

#[test]
fn threshold_optimizer_matches_fairlearn() {
    let g = golden();
    let d = data(&g);
    let cases = g["threshold_optimizer"].as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut worst_p: f64 = 0.0;
    let mut worst_pmf: f64 = 0.0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let params = &case["params"];
        let opt = ThresholdOptimizer {
            constraint: constraint(params["constraints"].as_str().unwrap()),
            objective: objective(params["objective"].as_str().unwrap()),
            grid_size: params
                .get("grid_size")
                .map_or(1000, |v| v.as_u64().unwrap() as usize),
            flip: params.get("flip").is_some_and(|v| v.as_bool().unwrap()),
            tol: params.get("tol").and_then(Value::as_f64),
        };
        let scores = if case.get("score_variant").is_some() {
            &d.score_c_reversed
        } else {
            &d.score
        };
        let fitted = opt.fit(scores, &d.y, &d.groups, None).unwrap();
        for (gi, gname) in d.groups.names.iter().enumerate() {
            let want = &case["interpolation"][gname];
            let got = &fitted.interpolation[gi];
            let pairs = [
                ("p0", got.p0),
                ("p1", got.p1),
                ("threshold0", got.operation0.threshold),
                ("threshold1", got.operation1.threshold),
            ];
            for (key, value) in pairs {
                let w = num(&want[key]);
                assert!(
                    close(value, w, 1e-9),
                    "{name} group {gname} {key}: assay {value} fairlearn {w}"
                );
                if w.is_finite() {
                    worst_p = worst_p.max((value - w).abs());
                }
            }
            let op = |o: Operator| match o {
                Operator::Greater => ">",
                Operator::Less => "<",
            };
            assert_eq!(
                op(got.operation0.operator),
                want["operator0"],
                "{name} {gname}"
            );
            assert_eq!(
                op(got.operation1.operator),
                want["operator1"],
                "{name} {gname}"
            );
            match want.get("p_ignore") {
                Some(pi) => {
                    let gp = got.p_ignore.expect("p_ignore");
                    assert!(
                        close(gp, num(pi), 1e-9),
                        "{name} {gname} p_ignore {gp} vs {pi}"
                    );
                    worst_p = worst_p.max((gp - num(pi)).abs());
                    let c = got.prediction_constant.unwrap();
                    assert!(close(c, num(&want["prediction_constant"]), 1e-12));
                }
                None => assert!(got.p_ignore.is_none(), "{name}"),
            }
        }
        // Chosen trade-off.
        if let Some(xb) = case.get("x_best").filter(|v| !v.is_null()) {
            for v in &fitted.tradeoff.constraint_value {
                assert!(close(*v, num(xb), 1e-12), "{name} x_best {v} vs {xb}");
            }
        }
        if let Some(per) = case.get("x_best_per_group") {
            for (gi, gname) in d.groups.names.iter().enumerate() {
                let w = num(&per[gname]);
                let v = fitted.tradeoff.constraint_value[gi];
                assert!(close(v, w, 1e-12), "{name} {gname} x_best {v} vs {w}");
            }
        }
        let yb = num(&case["y_best"]);
        let got_y = if opt.constraint == Constraint::EqualizedOdds {
            fitted.tradeoff.true_positive_rate.unwrap()
        } else {
            fitted.tradeoff.objective_value
        };
        assert!(close(got_y, yb, 1e-9), "{name} y_best {got_y} vs {yb}");
        // pmf of every row.
        let values = nums(&case["pmf_values"]);
        let index: Vec<usize> = case["pmf_index"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let pmf = fitted
            .positive_probabilities(scores, &d.groups.codes)
            .unwrap();
        assert_eq!(pmf.len(), index.len());
        for (row, (&p, &k)) in pmf.iter().zip(&index).enumerate() {
            let w = values[k];
            assert!(close(p, w, 1e-9), "{name} row {row}: pmf {p} vs {w}");
            worst_pmf = worst_pmf.max((p - w).abs());
        }
    }
    eprintln!(
        "threshold optimizer: {} cases, max |Δ| parameters {worst_p:e}, pmf {worst_pmf:e}",
        cases.len()
    );
}
