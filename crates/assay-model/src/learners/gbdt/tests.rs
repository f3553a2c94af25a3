//! Unit tests of the gradient boosting learner.

use super::*;
use crate::tree::Decision;

/// Seeded pseudo-random numbers in [0, 1).
fn uniform(seed: u64, n: usize) -> Vec<f64> {
    let mut s = assay_numerics::random::SplitMix64::new(seed);
    (0..n)
        .map(|_| (s.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
        .collect()
}

/// A small two-feature binary problem with some missing values.
fn problem(n: usize) -> (Vec<f64>, Vec<f64>) {
    let u = uniform(7, 3 * n);
    let mut x = Vec::with_capacity(2 * n);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let (a, b) = (u[3 * i], u[3 * i + 1]);
        x.push(if i % 17 == 0 { f64::NAN } else { a });
        x.push((b * 50.0).round());
        let logit = 4.0 * (a - 0.5) + (b - 0.5) * 3.0;
        y.push(f64::from(u8::from(
            u[3 * i + 2] < 1.0 / (1.0 + (-logit).exp()),
        )));
    }
    (x, y)
}

fn stump(loss: Loss, lambda: f64, learning_rate: f64) -> GradientBoosting {
    GradientBoosting {
        loss,
        n_trees: 1,
        learning_rate,
        max_leaves: Some(2),
        min_samples_leaf: 1,
        lambda,
        ..GradientBoosting::default()
    }
}

/// Squared error on x = 1..4, y = 0 0 1 1: base 0.5, gradients ±0.5, hessians 1; the split is
/// at 2.5 with leaves −G/(H+λ)·η = ∓1/(2+1)·0.5 and gain 2·1/3.
#[test]
fn stump_has_the_hand_computed_threshold_and_leaves() {
    let x = [1.0, 2.0, 3.0, 4.0];
    let y = [0.0, 0.0, 1.0, 1.0];
    let m = Matrix::new(&x, 1).unwrap();
    let e = stump(Loss::SquaredError, 1.0, 0.5)
        .fit(&m, &y, None)
        .unwrap();
    assert_eq!(e.base_score, 0.5);
    let t = &e.trees[0];
    assert_eq!(t.n_nodes(), 3);
    assert_eq!(t.decision[0], Decision::LessEqual);
    assert_eq!(t.threshold[0], 2.5);
    assert_eq!(t.value[t.left[0] as usize], -1.0 / 6.0);
    assert_eq!(t.value[t.right[0] as usize], 1.0 / 6.0);
    assert_eq!(t.value[0], 0.0);
    assert!((t.gain[0] - 2.0 / 3.0).abs() < 1e-15);
    assert_eq!(t.cover.as_ref().unwrap(), &vec![4.0, 2.0, 2.0]);
    assert_eq!(t.count.as_ref().unwrap(), &vec![4, 2, 2]);
    let p = e.predict(&x, 1).unwrap();
    assert_eq!(
        p,
        vec![
            0.5 - 1.0 / 6.0,
            0.5 - 1.0 / 6.0,
            0.5 + 1.0 / 6.0,
            0.5 + 1.0 / 6.0
        ]
    );

    // Logistic: base log(1) = 0, p = ½, g = ±½, h = ¼: leaves ∓1/(2·¼)·0.1 = ∓0.2.
    let e = stump(Loss::BinaryLogistic, 0.0, 0.1)
        .fit(&m, &y, None)
        .unwrap();
    let t = &e.trees[0];
    assert_eq!(e.base_score, 0.0);
    assert_eq!(t.threshold[0], 2.5);
    assert!((t.value[t.left[0] as usize] + 0.2).abs() < 1e-15);
    assert!((t.value[t.right[0] as usize] - 0.2).abs() < 1e-15);
    assert_eq!(t.cover.as_ref().unwrap(), &vec![1.0, 0.5, 0.5]);
}

#[test]
fn same_data_gives_a_bit_identical_model_for_any_thread_count() {
    let (x, y) = problem(3000);
    let m = Matrix::new(&x, 2).unwrap();
    let p = GradientBoosting {
        n_trees: 20,
        ..GradientBoosting::default()
    };
    let a = serde_json::to_string(&p.fit(&m, &y, None).unwrap()).unwrap();
    let b = serde_json::to_string(&p.fit(&m, &y, None).unwrap()).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let c = serde_json::to_string(&pool.install(|| p.fit(&m, &y, None)).unwrap()).unwrap();
    assert_eq!(a, b);
    assert_eq!(a, c);
    // Subsampling is seeded.
    let s = GradientBoosting {
        subsample: 0.5,
        seed: 3,
        ..p
    };
    let d = serde_json::to_string(&s.fit(&m, &y, None).unwrap()).unwrap();
    let e = serde_json::to_string(&s.fit(&m, &y, None).unwrap()).unwrap();
    assert_eq!(d, e);
    assert_ne!(a, d);
}

#[test]
fn integer_weights_equal_duplicated_rows() {
    let (x, y) = problem(400);
    let w: Vec<f64> = (0..y.len()).map(|i| (i % 3 + 1) as f64).collect();
    let (mut xd, mut yd) = (Vec::new(), Vec::new());
    for i in 0..y.len() {
        for _ in 0..w[i] as usize {
            xd.extend_from_slice(&x[2 * i..2 * i + 2]);
            yd.push(y[i]);
        }
    }
    let p = GradientBoosting {
        n_trees: 10,
        max_leaves: Some(8),
        min_samples_leaf: 1,
        ..GradientBoosting::default()
    };
    let a = p.fit(&Matrix::new(&x, 2).unwrap(), &y, Some(&w)).unwrap();
    let b = p.fit(&Matrix::new(&xd, 2).unwrap(), &yd, None).unwrap();
    assert!((a.base_score - b.base_score).abs() < 1e-12);
    for (ta, tb) in a.trees.iter().zip(&b.trees) {
        assert_eq!(ta.split_feature, tb.split_feature);
        assert_eq!(ta.threshold, tb.threshold);
        assert_eq!(ta.default_left, tb.default_left);
        for (va, vb) in ta.value.iter().zip(&tb.value) {
            assert!((va - vb).abs() < 1e-9, "{va} vs {vb}");
        }
        for (ca, cb) in ta
            .cover
            .as_ref()
            .unwrap()
            .iter()
            .zip(tb.cover.as_ref().unwrap())
        {
            assert!((ca - cb).abs() < 1e-9, "{ca} vs {cb}");
        }
    }
}

/// Missing values whose labels look like high (or low) values go with them.
#[test]
fn missing_value_direction_is_learned() {
    let u = uniform(11, 200);
    for nan_label in [0.0, 1.0] {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for (i, &v) in u.iter().enumerate() {
            if i % 4 == 0 {
                x.push(f64::NAN);
                y.push(nan_label);
            } else {
                x.push(v);
                y.push(f64::from(u8::from(v > 0.5)));
            }
        }
        let m = Matrix::new(&x, 1).unwrap();
        let e = stump(Loss::BinaryLogistic, 0.0, 0.1)
            .fit(&m, &y, None)
            .unwrap();
        let t = &e.trees[0];
        assert!((0.4..0.6).contains(&t.threshold[0]), "{}", t.threshold[0]);
        // Low values go left, so NaN rows labelled 0 go left too.
        assert_eq!(t.default_left[0], nan_label == 0.0);
        let p = e.predict(&[f64::NAN, 0.0, 1.0], 1).unwrap();
        let (nan, low, high) = (p[0], p[1], p[2]);
        assert_eq!(nan, if nan_label == 0.0 { low } else { high });
    }
}

#[test]
fn bad_input_is_rejected() {
    let m = Matrix::new(&[1.0, f64::INFINITY], 1).unwrap();
    assert!(matches!(
        GradientBoosting::default().fit(&m, &[0.0, 1.0], None),
        Err(LearnError::NonFinite { row: 1, .. })
    ));
    let m = Matrix::new(&[1.0, 2.0], 1).unwrap();
    assert!(matches!(
        GradientBoosting::default().fit(&m, &[0.0, 2.0], None),
        Err(LearnError::BadLabel { row: 1, .. })
    ));
    assert!(matches!(
        GradientBoosting::default().fit(&m, &[1.0, 1.0], None),
        Err(LearnError::OneClass { .. })
    ));
    let p = GradientBoosting {
        max_bins: 256,
        ..GradientBoosting::default()
    };
    assert!(matches!(
        p.fit(&m, &[0.0, 1.0], None),
        Err(LearnError::Parameter(_))
    ));
}
