//! Unit tests of the reductions: validation, determinism, sample weights, regression, and the
//! deterministic stand-in. (Agreement with Fairlearn is in `tests/reductions_reference.rs`.)

use rand::{Rng, SeedableRng};
use rand_chacha::{ChaCha20Rng, ChaCha8Rng};

use assay_model::learners::{GradientBoosting, LogisticRegression, Loss, Matrix};

use super::*;
use crate::base::{BaseLearner, Predictor};
use crate::error::MitigationError;
use crate::groups::Groups;

/// A seeded synthetic problem: 3 features, groups a/b/c, a label biased by group.
struct Problem {
    x: Vec<f64>,
    y: Vec<f64>,
    groups: Groups,
}

fn problem(n: usize, seed: u64) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Vec::with_capacity(3 * n);
    let mut y = Vec::with_capacity(n);
    let mut codes = Vec::with_capacity(n);
    for _ in 0..n {
        let g: u32 = match rng.random::<f64>() {
            u if u < 0.5 => 0,
            u if u < 0.8 => 1,
            _ => 2,
        };
        let shift = [0.6, 0.0, -0.5][g as usize];
        let f: Vec<f64> = (0..3)
            .map(|_| rng.random::<f64>() * 2.0 - 1.0 + shift)
            .collect();
        let logit = 1.5 * f[0] - f[1] + 0.5 * f[2] + shift;
        let label = rng.random::<f64>() < 1.0 / (1.0 + (-logit).exp());
        x.extend(f);
        y.push(f64::from(u8::from(label)));
        codes.push(g);
    }
    let groups = Groups::new(codes, vec!["a".into(), "b".into(), "c".into()]).unwrap();
    Problem { x, y, groups }
}

fn logistic() -> BaseLearner {
    BaseLearner::Logistic(LogisticRegression::default())
}

fn fit_dp(p: &Problem) -> ExponentiatedGradientResult {
    let x = Matrix::new(&p.x, 3).unwrap();
    ExponentiatedGradient::new(Constraint::demographic_parity())
        .fit(&logistic(), &x, &p.y, &p.groups, None)
        .unwrap()
}

#[test]
fn eps_must_be_positive() {
    let p = problem(200, 1);
    let x = Matrix::new(&p.x, 3).unwrap();
    for eps in [0.0, -0.1, f64::NAN] {
        let mut eg = ExponentiatedGradient::new(Constraint::demographic_parity());
        eg.eps = eps;
        match eg.fit(&logistic(), &x, &p.y, &p.groups, None) {
            Err(MitigationError::Parameter(m)) => assert!(m.contains("eps"), "{m}"),
            other => panic!("eps {eps}: {other:?}"),
        }
    }
}

#[test]
fn labels_must_be_zero_or_one() {
    let mut p = problem(100, 2);
    p.y[17] = 2.0;
    let x = Matrix::new(&p.x, 3).unwrap();
    let err = ExponentiatedGradient::new(Constraint::equalized_odds())
        .fit(&logistic(), &x, &p.y, &p.groups, None)
        .unwrap_err();
    assert!(
        matches!(&err, MitigationError::Data(m) if m.contains("row 17") && m.contains("0 or 1")),
        "{err}"
    );
}

#[test]
fn true_positive_rate_parity_names_a_group_without_positives() {
    let mut p = problem(300, 3);
    for (y, &g) in p.y.iter_mut().zip(&p.groups.codes) {
        if g == 2 {
            *y = 0.0;
        }
    }
    let x = Matrix::new(&p.x, 3).unwrap();
    let c = Constraint::TruePositiveRateParity {
        bound: ParityBound::default(),
    };
    let err = ExponentiatedGradient::new(c)
        .fit(&logistic(), &x, &p.y, &p.groups, None)
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("group 'c'") && msg.contains("label=1"),
        "{msg}"
    );
    // demographic parity has no such requirement
    assert!(ExponentiatedGradient::new(Constraint::demographic_parity())
        .fit(&logistic(), &x, &p.y, &p.groups, None)
        .is_ok());
}

#[test]
fn classification_constraints_need_a_classifier() {
    let p = problem(100, 4);
    let x = Matrix::new(&p.x, 3).unwrap();
    let regressor = BaseLearner::Gbdt(GradientBoosting {
        loss: Loss::SquaredError,
        ..GradientBoosting::default()
    });
    let err = ExponentiatedGradient::new(Constraint::demographic_parity())
        .fit(&regressor, &x, &p.y, &p.groups, None)
        .unwrap_err();
    assert!(matches!(err, MitigationError::Parameter(_)), "{err}");
}

#[test]
fn lengths_are_checked() {
    let p = problem(100, 5);
    let x = Matrix::new(&p.x[..297], 3).unwrap();
    let err = ExponentiatedGradient::new(Constraint::demographic_parity())
        .fit(&logistic(), &x, &p.y, &p.groups, None)
        .unwrap_err();
    assert!(matches!(err, MitigationError::Length { .. }), "{err}");
    let x = Matrix::new(&p.x, 3).unwrap();
    let err = ExponentiatedGradient::new(Constraint::demographic_parity())
        .fit(&logistic(), &x, &p.y, &p.groups, Some(&[1.0; 10]))
        .unwrap_err();
    assert!(matches!(err, MitigationError::Length { .. }), "{err}");
}

#[test]
fn predict_is_deterministic_for_a_seed_and_follows_the_pmf() {
    let p = problem(1500, 6);
    let x = Matrix::new(&p.x, 3).unwrap();
    let r = fit_dp(&p);
    let pmf = r.pmf_predict(&x).unwrap();
    assert!(
        pmf.iter().any(|&v| v > 0.0 && v < 1.0),
        "the mixture should randomize some rows"
    );
    let a = r.predict(&x, 42).unwrap();
    assert_eq!(a, r.predict(&x, 42).unwrap());
    assert_ne!(a, r.predict(&x, 43).unwrap());
    // the documented generator: ChaCha20 seeded with the seed, one uniform per row, 1 if p >= u
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    for (i, (&pi, &ai)) in pmf.iter().zip(&a).enumerate() {
        let u: f64 = rng.random();
        assert_eq!(ai, f64::from(u8::from(pi >= u)), "row {i}");
    }
    // the sampled predictions' mean is near the expected one
    let n = pmf.len() as f64;
    let mean_p = pmf.iter().sum::<f64>() / n;
    let mean_a = a.iter().sum::<f64>() / n;
    assert!((mean_p - mean_a).abs() < 4.0 * (0.25 / n).sqrt());
}

#[test]
fn unit_weights_are_no_weights_and_integer_weights_are_repeated_rows() {
    let p = problem(400, 7);
    let x = Matrix::new(&p.x, 3).unwrap();
    let mut eg = ExponentiatedGradient::new(Constraint::equalized_odds());
    eg.eps = 0.02;
    let plain = eg.fit(&logistic(), &x, &p.y, &p.groups, None).unwrap();
    let ones = eg
        .fit(&logistic(), &x, &p.y, &p.groups, Some(&vec![1.0; 400]))
        .unwrap();
    assert_eq!(plain, ones);

    // weight 2 on every third row against those rows repeated (nu fixed: the automatic nu
    // divides by the square root of the number of rows)
    eg.nu = Some(1e-3);
    let w: Vec<f64> = (0..400)
        .map(|i| if i % 3 == 0 { 2.0 } else { 1.0 })
        .collect();
    let weighted = eg.fit(&logistic(), &x, &p.y, &p.groups, Some(&w)).unwrap();
    let (mut xd, mut yd, mut gd) = (p.x.clone(), p.y.clone(), p.groups.codes.clone());
    for i in (0..400).step_by(3) {
        xd.extend_from_slice(&p.x[3 * i..3 * i + 3]);
        yd.push(p.y[i]);
        gd.push(p.groups.codes[i]);
    }
    let groups_d = Groups::new(gd, p.groups.names.clone()).unwrap();
    let xdm = Matrix::new(&xd, 3).unwrap();
    let repeated = eg.fit(&logistic(), &xdm, &yd, &groups_d, None).unwrap();
    assert_eq!(weighted.n_oracle_calls, repeated.n_oracle_calls);
    assert_eq!(weighted.last_iter, repeated.last_iter);
    assert_eq!(weighted.predictors.len(), repeated.predictors.len());
    let diff = weighted
        .weights
        .iter()
        .zip(&repeated.weights)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(diff < 1e-9, "weights differ by {diff}");
    let pw = weighted.pmf_predict(&x).unwrap();
    let pr = repeated.pmf_predict(&x).unwrap();
    let diff = pw
        .iter()
        .zip(&pr)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(diff < 1e-9, "pmf differs by {diff}");
    for (a, b) in weighted
        .training_gamma()
        .iter()
        .zip(repeated.training_gamma())
    {
        assert!((a - b).abs() < 1e-9);
    }
}

#[test]
fn the_mixture_meets_the_constraint_better_than_the_unconstrained_model() {
    let p = problem(1500, 8);
    let x = Matrix::new(&p.x, 3).unwrap();
    let r = fit_dp(&p);
    let unconstrained = logistic().fit(&x, &p.y, &vec![1.0; p.y.len()]).unwrap();
    let pred = unconstrained.predict(&x).unwrap();
    let rate = |v: &[f64], g: u32| {
        let (s, c) = v
            .iter()
            .zip(&p.groups.codes)
            .filter(|(_, &c)| c == g)
            .fold((0.0, 0.0), |(s, c), (v, _)| (s + v, c + 1.0));
        s / c
    };
    let disparity = |v: &[f64]| {
        let r: Vec<f64> = (0..3).map(|g| rate(v, g)).collect();
        r.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            - r.iter().copied().fold(f64::INFINITY, f64::min)
    };
    let pmf = r.pmf_predict(&x).unwrap();
    assert!(disparity(&pmf) < disparity(&pred) / 2.0);
    // the reported training figures are the mixture's
    let max_gamma = r
        .training_gamma()
        .into_iter()
        .fold(f64::NEG_INFINITY, f64::max);
    let half_spread = (0..3)
        .map(|g| (rate(&pmf, g) - pmf.iter().sum::<f64>() / pmf.len() as f64).abs())
        .fold(0.0, f64::max);
    assert!((max_gamma - half_spread).abs() < 1e-12);
    let err = pmf
        .iter()
        .zip(&p.y)
        .map(|(q, y)| q * (1.0 - y) + (1.0 - q) * y)
        .sum::<f64>()
        / pmf.len() as f64;
    assert!((err - r.training_error()).abs() < 1e-12);
    // saved and loaded, the result predicts the same
    let json = serde_json::to_string(&r).unwrap();
    let back: ExponentiatedGradientResult = serde_json::from_str(&json).unwrap();
    assert_eq!(back.pmf_predict(&x).unwrap(), pmf);
}

#[test]
fn best_deterministic_prefers_feasible_low_error_then_weight() {
    let mut r = ExponentiatedGradientResult {
        predictors: (0..4)
            .map(|v| Predictor::Constant { value: v as f64 })
            .collect(),
        weights: vec![0.1, 0.5, 0.4, 0.0],
        lambda_vecs: vec![vec![0.0; 2]; 4],
        lambda_vecs_eg: Vec::new(),
        lambda_vecs_lp: Vec::new(),
        errors: vec![0.30, 0.20, 0.25, 0.10],
        gammas: vec![
            vec![0.00, 0.01],
            vec![0.05, -0.05],
            vec![0.01, -0.01],
            vec![0.0, 0.0],
        ],
        constraint_labels: Vec::new(),
        bound: vec![0.01, 0.01],
        best_gap: 0.0,
        best_iter: 0,
        last_iter: 0,
        n_oracle_calls: 4,
        n_oracle_calls_dummy_returned: 0,
        nu: 0.0,
        classification: true,
    };
    // 0 and 2 are feasible, 2 has the lower error; 3 (feasible, lowest error) has no weight
    assert_eq!(r.best_deterministic(), 2);
    assert_eq!(
        r.best_deterministic_predictor(),
        &Predictor::Constant { value: 2.0 }
    );
    // nothing feasible: the largest weight
    r.bound = vec![-1.0, -1.0];
    assert_eq!(r.best_deterministic(), 1);
}

#[test]
fn bounded_group_loss_regression_with_boosted_trees() {
    let p = problem(600, 9);
    let x = Matrix::new(&p.x, 3).unwrap();
    // a continuous target: noisy linear, worse fitted in group c
    let y: Vec<f64> = (0..600)
        .map(|i| {
            let f = &p.x[3 * i..3 * i + 3];
            let noise = if p.groups.codes[i] == 2 { 0.8 } else { 0.2 };
            f[0] - 0.5 * f[1] + noise * (2.0 * p.y[i] - 1.0)
        })
        .collect();
    let learner = BaseLearner::Gbdt(GradientBoosting {
        loss: Loss::SquaredError,
        n_trees: 20,
        max_leaves: Some(4),
        ..GradientBoosting::default()
    });
    let loss = RegressionLoss::Square {
        min_val: -3.0,
        max_val: 3.0,
    };
    let c = Constraint::BoundedGroupLoss {
        loss,
        upper_bound: 0.5,
    };
    let r = ExponentiatedGradient::new(c)
        .fit(&learner, &x, &y, &p.groups, None)
        .unwrap();
    assert!(!r.classification);
    assert_eq!(r.constraint_labels.len(), 3);
    assert_eq!(r.constraint_labels[2].to_string(), "c");
    assert!((r.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    // every predictor's group losses are what the loss says
    for (j, pred) in r.predictors.iter().enumerate() {
        let out = pred.score(&x).unwrap();
        for g in 0..3u32 {
            let rows: Vec<usize> = (0..600).filter(|&i| p.groups.codes[i] == g).collect();
            let mean =
                rows.iter().map(|&i| loss.eval(y[i], out[i])).sum::<f64>() / rows.len() as f64;
            assert!((mean - r.gammas[j][g as usize]).abs() < 1e-12);
        }
    }
    // the mean prediction is the weighted mean; a sampled prediction is one predictor's
    let mean = r.pmf_predict(&x).unwrap();
    let sampled = r.predict(&x, 3).unwrap();
    let outs: Vec<Vec<f64>> = r.predictors.iter().map(|p| p.score(&x).unwrap()).collect();
    for i in 0..600 {
        let m: f64 = outs.iter().zip(&r.weights).map(|(o, w)| w * o[i]).sum();
        assert!((m - mean[i]).abs() < 1e-12);
        assert!(outs
            .iter()
            .zip(&r.weights)
            .any(|(o, &w)| w > 0.0 && o[i] == sampled[i]));
    }
    // grid search over the same constraint: the L1 norm of every multiplier vector is 2
    let gs = GridSearch::new(c)
        .fit(&learner, &x, &y, &p.groups, None)
        .unwrap();
    assert_eq!(gs.lambda_vecs.len(), 10);
    for l in &gs.lambda_vecs {
        assert!((l.iter().sum::<f64>() - 2.0).abs() < 1e-12, "{l:?}");
    }
}

#[test]
fn grid_search_settings_are_validated() {
    let p = problem(200, 10);
    let x = Matrix::new(&p.x, 3).unwrap();
    let mut gs = GridSearch::new(Constraint::demographic_parity());
    gs.constraint_weight = 1.5;
    assert!(matches!(
        gs.fit(&logistic(), &x, &p.y, &p.groups, None),
        Err(MitigationError::Parameter(_))
    ));
    let mut gs = GridSearch::new(Constraint::demographic_parity());
    gs.grid_size = 1;
    assert!(matches!(
        gs.fit(&logistic(), &x, &p.y, &p.groups, None),
        Err(MitigationError::Parameter(_))
    ));
    let mut gs = GridSearch::new(Constraint::demographic_parity());
    gs.grid_offset = Some(vec![0.0; 3]);
    assert!(matches!(
        gs.fit(&logistic(), &x, &p.y, &p.groups, None),
        Err(MitigationError::Length { .. })
    ));
    // one group: nothing to compare
    let one = Groups::new(vec![0; 200], vec!["all".into()]).unwrap();
    let err = GridSearch::new(Constraint::demographic_parity())
        .fit(&logistic(), &x, &p.y, &one, None)
        .unwrap_err();
    assert!(err.to_string().contains("two groups"), "{err}");
}

#[test]
fn grid_search_with_an_explicit_grid_and_offset() {
    let p = problem(300, 11);
    let x = Matrix::new(&p.x, 3).unwrap();
    let base = GridSearch::new(Constraint::demographic_parity());
    let generated = base.grid_for(&p.y, &p.groups, None).unwrap();
    let mut offset = GridSearch::new(Constraint::demographic_parity());
    offset.grid_offset = Some(vec![0.1, 0.0, 0.0, 0.0, 0.2, 0.0]);
    let shifted = offset.grid_for(&p.y, &p.groups, None).unwrap();
    for (a, b) in generated.iter().zip(&shifted) {
        assert!((b[0] - a[0] - 0.1).abs() < 1e-15 && (b[4] - a[4] - 0.2).abs() < 1e-15);
    }
    let mut explicit = GridSearch::new(Constraint::demographic_parity());
    explicit.grid = Some(generated[..3].to_vec());
    let r = explicit
        .fit(&logistic(), &x, &p.y, &p.groups, None)
        .unwrap();
    assert_eq!(r.lambda_vecs, generated[..3].to_vec());
    assert_eq!(r.predictors.len(), 3);
    // the zero multiplier vector is the plain error-rate fit
    let zero = GridSearch {
        grid: Some(vec![vec![0.0; 6]]),
        ..GridSearch::new(Constraint::demographic_parity())
    }
    .fit(&logistic(), &x, &p.y, &p.groups, None)
    .unwrap();
    let plain = logistic().fit(&x, &p.y, &vec![1.0; 300]).unwrap();
    assert_eq!(zero.best().predict(&x).unwrap(), plain.predict(&x).unwrap());
}
