//! assay's reductions against Fairlearn 0.15 (golden file written by
//! `tests/reference/mitigation_reductions_golden.py`: 2,000 synthetic rows, 4 features, groups
//! a/b/c, scikit-learn's LogisticRegression(C=1, lbfgs, tol=1e-10) as the base learner).
//!
//! The base learners agree to about 1e-8 in their coefficients (assay's Newton optimum against
//! lbfgs at tol 1e-10), so every hard prediction, hence every predictor's training error and
//! constraint vector, is identical; the exponentiated-gradient path (which predictors are kept,
//! the oracle calls, the iterations) is then the same, and the mixture weights differ only by
//! the linear programs' round-off (HiGHS dual simplex against microlp).

use std::sync::OnceLock;

use assay_mitigation::reductions::{
    Constraint, ExponentiatedGradient, ExponentiatedGradientResult, GridSearch, ParityBound,
    RegressionLoss,
};
use assay_mitigation::{BaseLearner, Groups};
use assay_model::learners::{LogisticRegression, Matrix};
use serde_json::Value;

struct Data {
    golden: Value,
    x: Vec<f64>,
    y: Vec<f64>,
    groups: Groups,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/reference/golden/mitigation_reductions.json"
        );
        let golden: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let x = golden["x"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
            .collect();
        let y = floats(&golden["y"]);
        let labels: Vec<&str> = golden["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let groups = Groups::from_labels(&labels);
        Data {
            golden,
            x,
            y,
            groups,
        }
    })
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn learner() -> BaseLearner {
    BaseLearner::Logistic(LogisticRegression {
        c: 1.0,
        fit_intercept: true,
        max_iter: 100,
        tol: 1e-10,
    })
}

fn constraint(name: &str) -> Constraint {
    let bound = ParityBound::Difference(0.01);
    match name {
        "demographic_parity" | "demographic_parity_no_lp" => {
            Constraint::DemographicParity { bound }
        }
        "equalized_odds" | "equalized_odds_long" => Constraint::EqualizedOdds { bound },
        "true_positive_rate_parity" => Constraint::TruePositiveRateParity { bound },
        "error_rate_parity" => Constraint::ErrorRateParity { bound },
        "false_positive_rate_parity" => Constraint::FalsePositiveRateParity { bound },
        "bounded_group_loss" => Constraint::BoundedGroupLoss {
            loss: RegressionLoss::ZeroOne,
            upper_bound: 0.27,
        },
        "demographic_parity_ratio" => Constraint::DemographicParity {
            bound: ParityBound::Ratio {
                ratio: 0.9,
                slack: 0.01,
            },
        },
        _ => panic!("unknown run {name}"),
    }
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn fit_eg(name: &str) -> (ExponentiatedGradientResult, &'static Value) {
    let d = data();
    let run = d.golden["exponentiated_gradient"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap();
    let x = Matrix::new(&d.x, 4).unwrap();
    let mut eg = ExponentiatedGradient::new(constraint(name));
    let settings = &run["settings"];
    eg.eps = settings["eps"].as_f64().unwrap();
    eg.nu = settings["nu"].as_f64();
    if let Some(m) = settings["max_iter"].as_u64() {
        eg.max_iter = m as usize;
    }
    if let Some(lp) = settings["run_linprog_step"].as_bool() {
        eg.run_linprog_step = lp;
    }
    let r = eg.fit(&learner(), &x, &d.y, &d.groups, None).unwrap();
    (r, run)
}

/// Compares one exponentiated-gradient run with Fairlearn's.
fn check_eg(name: &str) {
    let d = data();
    let (r, g) = fit_eg(name);
    let x = Matrix::new(&d.x, 4).unwrap();

    // constraint entries in Fairlearn's index order, and their bounds
    let labels: Vec<Vec<String>> = r
        .constraint_labels
        .iter()
        .map(|l| match (l.sign, &l.event) {
            (Some(s), Some(e)) => vec![s.to_string(), e.clone(), l.group.clone()],
            _ => vec![l.group.clone()],
        })
        .collect();
    let want: Vec<Vec<String>> = serde_json::from_value(g["constraint_index"].clone()).unwrap();
    assert_eq!(labels, want, "{name}: constraint index");
    assert!(max_abs_diff(&r.bound, &floats(&g["bound"])) < 1e-15);

    // the deterministic path: same predictors kept, same oracle calls and iterations
    assert_eq!(
        r.predictors.len(),
        g["weights"].as_array().unwrap().len(),
        "{name}: predictors"
    );
    assert_eq!(
        r.n_oracle_calls,
        g["n_oracle_calls"].as_u64().unwrap() as usize,
        "{name}"
    );
    assert_eq!(
        r.n_oracle_calls_dummy_returned,
        g["n_oracle_calls_dummy_returned"].as_u64().unwrap() as usize,
        "{name}"
    );
    assert_eq!(
        r.last_iter,
        g["last_iter"].as_u64().unwrap() as usize,
        "{name}"
    );
    assert_eq!(
        r.best_iter,
        g["best_iter"].as_u64().unwrap() as usize,
        "{name}"
    );
    // nu is a function of the first best response's hard predictions only
    assert!(
        (r.nu - g["nu"].as_f64().unwrap()).abs() < 1e-15,
        "{name}: nu {}",
        r.nu
    );

    // every predictor: coefficients, training error and constraint vector
    for (j, p) in r.predictors.iter().enumerate() {
        if let (assay_mitigation::Predictor::Logistic(m), Some(c)) = (p, g["coefs"][j].as_array()) {
            let mut ours = m.coef[0].clone();
            ours.push(m.intercept[0]);
            let theirs: Vec<f64> = c.iter().map(|v| v.as_f64().unwrap()).collect();
            let diff = max_abs_diff(&ours, &theirs);
            assert!(
                diff < 1e-6,
                "{name}: predictor {j} coefficients differ by {diff}"
            );
        }
        let err = (r.errors[j] - g["errors"][j].as_f64().unwrap()).abs();
        assert!(err < 1e-12, "{name}: predictor {j} error differs by {err}");
        let gd = max_abs_diff(&r.gammas[j], &floats(&g["gammas"][j]));
        assert!(gd < 1e-12, "{name}: predictor {j} gamma differs by {gd}");
        let ld = max_abs_diff(&r.lambda_vecs[j], &floats(&g["lambda_vecs"][j]));
        assert!(ld < 1e-9, "{name}: predictor {j} lambda differs by {ld}");
    }

    // the mixture: weights, best gap, P(y_hat = 1) of every row, training error and disparity
    let wd = max_abs_diff(&r.weights, &floats(&g["weights"]));
    let gap = (r.best_gap - g["best_gap"].as_f64().unwrap()).abs();
    let pmf = r.pmf_predict(&x).unwrap();
    let pd = max_abs_diff(&pmf, &floats(&g["pmf"]));
    let n = d.y.len() as f64;
    let mixture_error = pmf
        .iter()
        .zip(&d.y)
        .map(|(p, y)| p * (1.0 - y) + (1.0 - p) * y)
        .sum::<f64>()
        / n;
    let ed = (mixture_error - g["mixture_error"].as_f64().unwrap()).abs();
    let ted = (r.training_error() - g["mixture_error"].as_f64().unwrap()).abs();
    let gmd = max_abs_diff(&r.training_gamma(), &floats(&g["mixture_gamma"]));
    eprintln!(
        "{name}: predictors {} calls {} iters {} | weights {wd:.2e} gap {gap:.2e} pmf {pd:.2e} \
         error {ed:.2e}/{ted:.2e} gamma {gmd:.2e}",
        r.predictors.len(),
        r.n_oracle_calls,
        r.last_iter
    );
    // measured: weights, gap and pmf agree to ~2e-15 (the LPs reach the same vertices)
    assert!(wd < 1e-9, "{name}: weights differ by {wd}");
    assert!(gap < 1e-9, "{name}: best gap differs by {gap}");
    assert!(pd < 1e-9, "{name}: pmf differs by {pd}");
    assert!(
        ed < 1e-4 && ted < 1e-4,
        "{name}: training error differs by {ed}, {ted}"
    );
    assert!(gmd < 1e-4, "{name}: training gamma differs by {gmd}");
    let violation = r.max_violation();
    let want_violation = floats(&g["mixture_gamma"])
        .iter()
        .zip(floats(&g["bound"]))
        .map(|(a, b)| a - b)
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        (violation - want_violation).abs() < 1e-9,
        "{name}: violation {violation}"
    );
    let s: f64 = r.weights.iter().sum();
    assert!((s - 1.0).abs() < 1e-9, "{name}: weights sum to {s}");
}

#[test]
fn exponentiated_gradient_demographic_parity_matches_fairlearn() {
    check_eg("demographic_parity");
}

#[test]
fn exponentiated_gradient_equalized_odds_matches_fairlearn() {
    check_eg("equalized_odds");
}

#[test]
fn exponentiated_gradient_true_positive_rate_parity_matches_fairlearn() {
    check_eg("true_positive_rate_parity");
}

#[test]
fn exponentiated_gradient_error_rate_parity_matches_fairlearn() {
    check_eg("error_rate_parity");
}

#[test]
fn exponentiated_gradient_false_positive_rate_parity_matches_fairlearn() {
    check_eg("false_positive_rate_parity");
}

/// A loss moment with a classifier (Fairlearn allows it): labels kept, rows reweighted by
/// `1 + λ_g/P(g)`, hard predictions as the values.
#[test]
fn exponentiated_gradient_bounded_group_loss_matches_fairlearn() {
    check_eg("bounded_group_loss");
}

/// Past the automatic stopping rule (nu 1e-6): the linear program picks the mixture.
#[test]
fn exponentiated_gradient_long_run_matches_fairlearn() {
    check_eg("equalized_odds_long");
}

/// 30 iterations of plain exponentiated gradient: the step-size shrinking and the averaged
/// play, with no linear program.
#[test]
fn exponentiated_gradient_without_linear_program_matches_fairlearn() {
    check_eg("demographic_parity_no_lp");
}

#[test]
fn exponentiated_gradient_ratio_bound_matches_fairlearn() {
    check_eg("demographic_parity_ratio");
}

fn check_grid(name: &str, constraint: Constraint) {
    let d = data();
    let g = d.golden["grid_search"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap();
    let x = Matrix::new(&d.x, 4).unwrap();
    let mut gs = GridSearch::new(constraint);
    gs.grid_size = g["grid_size"].as_u64().unwrap() as usize;
    let r = gs.fit(&learner(), &x, &d.y, &d.groups, None).unwrap();
    let want: Vec<Vec<f64>> = serde_json::from_value(g["lambda_vecs"].clone()).unwrap();
    assert_eq!(r.lambda_vecs.len(), want.len(), "{name}");
    for (ours, theirs) in r.lambda_vecs.iter().zip(&want) {
        assert!(
            max_abs_diff(ours, theirs) < 1e-15,
            "{name}: {ours:?} vs {theirs:?}"
        );
    }
    assert_eq!(
        r.lambda_vecs,
        gs.grid_for(&d.y, &d.groups, None).unwrap(),
        "{name}: grid_for"
    );
    for i in 0..want.len() {
        let od = (r.objectives[i] - g["objectives"][i].as_f64().unwrap()).abs();
        assert!(
            od < 1e-12,
            "{name}: grid point {i}: objective differs by {od}"
        );
        let gd = max_abs_diff(&r.gammas[i], &floats(&g["gammas"][i]));
        assert!(gd < 1e-12, "{name}: grid point {i}: gamma differs by {gd}");
    }
    assert_eq!(
        r.best_idx,
        g["best_idx"].as_u64().unwrap() as usize,
        "{name}"
    );
    let pred = r.predict(&x).unwrap();
    assert_eq!(pred, floats(&g["predictions"]), "{name}");
}

#[test]
fn grid_search_demographic_parity_matches_fairlearn() {
    // three groups first seen in the order b, a, c: the basis leaves out c
    check_grid("demographic_parity", Constraint::demographic_parity());
}

#[test]
fn grid_search_equalized_odds_matches_fairlearn() {
    check_grid("equalized_odds", Constraint::equalized_odds());
}

#[test]
fn grid_search_bounded_group_loss_matches_fairlearn() {
    check_grid("bounded_group_loss", constraint("bounded_group_loss"));
}
