//! assay's post-processing against Fairlearn 0.15.0 / scikit-learn 1.9.1 / AIF360 0.6.1
//! reference values from `tests/reference/mitigation_postprocessing_golden.py`.

use std::path::PathBuf;

use serde_json::Value;

use assay_mitigation::postprocessing::{
    calibration_curve, group_calibration_curves, BinStrategy, CalibrationMethod, Constraint,
    FairnessMetric, GroupCalibrator, IsotonicCalibrator, Objective, Operator, PlattCalibrator,
    RejectOptionClassifier, ThresholdOptimizer,
};
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

fn group_rows(d: &Data, g: usize) -> Vec<usize> {
    (0..d.score.len())
        .filter(|&i| d.groups.codes[i] as usize == g)
        .collect()
}

#[test]
fn platt_matches_sklearn_sigmoid_calibration() {
    let g = golden();
    let d = data(&g);
    let mut worst: f64 = 0.0;
    for (gi, name) in d.groups.names.iter().enumerate() {
        let rows = group_rows(&d, gi);
        let s: Vec<f64> = rows.iter().map(|&i| d.score[i]).collect();
        let y: Vec<f64> = rows.iter().map(|&i| d.y[i]).collect();
        let w: Vec<f64> = rows.iter().map(|&i| d.weight[i]).collect();
        let big: Vec<f64> = s.iter().map(|v| (v - 0.5) * 80.0).collect();
        let want = &g["platt"][name];
        let fits = [
            ("", PlattCalibrator::fit(&s, &y, None).unwrap()),
            ("_weighted", PlattCalibrator::fit(&s, &y, Some(&w)).unwrap()),
            (
                "_scaled_input",
                PlattCalibrator::fit(&big, &y, None).unwrap(),
            ),
        ];
        for (suffix, p) in fits {
            let (wa, wb) = (
                num(&want[format!("a{suffix}")]),
                num(&want[format!("b{suffix}")]),
            );
            assert!(
                close(p.a, wa, 1e-6),
                "{name}{suffix} a: assay {} sklearn {wa}",
                p.a
            );
            assert!(
                close(p.b, wb, 1e-6),
                "{name}{suffix} b: assay {} sklearn {wb}",
                p.b
            );
            worst = worst.max((p.a - wa).abs()).max((p.b - wb).abs());
        }
        // The per-group calibrator uses the same fit.
        let gc = GroupCalibrator::fit(CalibrationMethod::Sigmoid, &d.score, &d.y, &d.groups, None)
            .unwrap();
        let p0 = PlattCalibrator::fit(&s, &y, None).unwrap();
        assert_eq!(gc.transform(0.3, gi as u32).unwrap(), p0.transform(0.3));
    }
    eprintln!("platt: max |Δ| a, b = {worst:e}");
}

#[test]
fn isotonic_matches_sklearn() {
    let g = golden();
    let d = data(&g);
    let mut worst: f64 = 0.0;
    let gc =
        GroupCalibrator::fit(CalibrationMethod::Isotonic, &d.score, &d.y, &d.groups, None).unwrap();
    let gcw = GroupCalibrator::fit(
        CalibrationMethod::Isotonic,
        &d.score,
        &d.y,
        &d.groups,
        Some(&d.weight),
    )
    .unwrap();
    for (gi, name) in d.groups.names.iter().enumerate() {
        let want = &g["isotonic"][name];
        let rows = group_rows(&d, gi);
        let s: Vec<f64> = rows.iter().map(|&i| d.score[i]).collect();
        let y: Vec<f64> = rows.iter().map(|&i| d.y[i]).collect();
        let iso = IsotonicCalibrator::fit(&s, &y, None).unwrap();
        assert_eq!(iso.x_thresholds, nums(&want["x_thresholds"]), "{name}");
        let wy = nums(&want["y_thresholds"]);
        assert_eq!(iso.y_thresholds.len(), wy.len(), "{name}");
        for (a, b) in iso.y_thresholds.iter().zip(&wy) {
            assert!(close(*a, *b, 1e-9), "{name} y_thresholds {a} vs {b}");
            worst = worst.max((a - b).abs());
        }
        let probe = nums(&want["probe"]);
        let checks = [
            (&gc, &s, "transform_rows"),
            (&gc, &probe, "transform_probe"),
            (&gcw, &s, "weighted_transform_rows"),
            (&gcw, &probe, "weighted_transform_probe"),
        ];
        for (cal, xs, key) in checks {
            let expect = nums(&want[key]);
            assert_eq!(xs.len(), expect.len());
            for (x, e) in xs.iter().zip(&expect) {
                let v = cal.transform(*x, gi as u32).unwrap();
                assert!(close(v, *e, 1e-9), "{name} {key} at {x}: {v} vs {e}");
                worst = worst.max((v - e).abs());
            }
        }
    }
    eprintln!("isotonic: max |Δ| = {worst:e}");
}

fn check_curve(got: &assay_mitigation::postprocessing::CalibrationCurve, want: &Value, what: &str) {
    assert_eq!(got.prob_true, nums(&want["prob_true"]), "{what} prob_true");
    assert_eq!(got.prob_pred, nums(&want["prob_pred"]), "{what} prob_pred");
}

fn strategy(v: &Value) -> BinStrategy {
    serde_json::from_value(v.clone()).unwrap()
}

#[test]
fn calibration_curves_match_sklearn_exactly() {
    let g = golden();
    let d = data(&g);
    let mut n = 0;
    for want in g["calibration_curve"]["all"].as_array().unwrap() {
        let nb = want["n_bins"].as_u64().unwrap() as usize;
        let c = calibration_curve(&d.y, &d.score, nb, strategy(&want["strategy"])).unwrap();
        check_curve(&c, want, &format!("all {nb} {}", want["strategy"]));
        n += 1;
    }
    let per_group: Vec<&Value> = g["calibration_curve"]["groups"]["a"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    for (k, first) in per_group.iter().enumerate() {
        let nb = first["n_bins"].as_u64().unwrap() as usize;
        let curves =
            group_calibration_curves(&d.y, &d.score, &d.groups, nb, strategy(&first["strategy"]))
                .unwrap();
        for (gi, name) in d.groups.names.iter().enumerate() {
            let want = &g["calibration_curve"]["groups"][name][k];
            check_curve(
                &curves[gi],
                want,
                &format!("group {name} {nb} {}", want["strategy"]),
            );
            n += 1;
        }
    }
    eprintln!("calibration curves: {n} curves identical");
}

#[test]
fn reject_option_matches_aif360() {
    let g = golden();
    let d = data(&g);
    for want in g["reject_option"].as_array().unwrap() {
        let names = |k: &str| -> Vec<String> {
            want[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        let metric = match want["metric"].as_str().unwrap() {
            "Statistical parity difference" => FairnessMetric::StatisticalParityDifference,
            "Average odds difference" => FairnessMetric::AverageOddsDifference,
            "Equal opportunity difference" => FairnessMetric::EqualOpportunityDifference,
            other => panic!("{other}"),
        };
        let roc = RejectOptionClassifier {
            privileged: names("privileged"),
            unprivileged: names("unprivileged"),
            low_class_thresh: num(&want["low_class_thresh"]),
            high_class_thresh: num(&want["high_class_thresh"]),
            num_class_thresh: want["num_class_thresh"].as_u64().unwrap() as usize,
            num_roc_margin: want["num_roc_margin"].as_u64().unwrap() as usize,
            metric,
            metric_lb: num(&want["metric_lb"]),
            metric_ub: num(&want["metric_ub"]),
        };
        let fit = roc.fit(&d.score, &d.y, &d.groups, None).unwrap();
        assert_eq!(
            fit.classification_threshold,
            num(&want["classification_threshold"]),
            "{metric:?}"
        );
        assert_eq!(fit.roc_margin, num(&want["roc_margin"]), "{metric:?}");
        let pred = fit.predict(&d.score, &d.groups).unwrap();
        assert_eq!(pred, nums(&want["predictions"]), "{metric:?}");
        assert!(fit.metric_value >= roc.metric_lb && fit.metric_value <= roc.metric_ub);
    }
}
