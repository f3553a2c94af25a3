//! KernelSHAP against shap 0.51.0's KernelExplainer (tests/reference/kernel_shap_golden.py),
//! and against the Shapley-value definition evaluated by brute force.

use assay_explain::predict::FnPredict;
use assay_explain::shap::{Background, KernelExplainer, KernelShapConfig};
use assay_explain::{ExplainError, FeatureGroups, Predict};
use serde_json::Value;

fn golden() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/reference/golden/kernel_shap.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("golden file")).expect("json")
}

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

/// The golden model: logistic of `b + a·x + Σ_{j<k} Q_jk x_j x_k`.
struct Quadratic {
    b: f64,
    a: Vec<f64>,
    q: Vec<f64>,
}

impl Quadratic {
    fn from(g: &Value) -> Quadratic {
        Quadratic {
            b: g["b"].as_f64().unwrap(),
            a: vec1(&g["a"]),
            q: mat(&g["q"]).0,
        }
    }

    fn eval(&self, x: &[f64]) -> f64 {
        let m = self.a.len();
        let mut z = self.b;
        for j in 0..m {
            z += self.a[j] * x[j];
            for k in j + 1..m {
                z += self.q[j * m + k] * x[j] * x[k];
            }
        }
        1.0 / (1.0 + (-z).exp())
    }

    fn predictor(&self) -> impl Predict + '_ {
        let m = self.a.len();
        FnPredict::new(m, move |x: &[f64], _n| {
            Ok::<_, ExplainError>(x.chunks(m).map(|r| self.eval(r)).collect())
        })
    }
}

/// One golden case: its model, background and rows.
struct Case {
    g: Value,
    model: Quadratic,
    bg: Vec<f64>,
    nbg: usize,
    x: Vec<f64>,
    n: usize,
    m: usize,
}

impl Case {
    fn load(name: &str) -> Case {
        let g = golden()[name].clone();
        let (bg, nbg) = mat(&g["background"]);
        let (x, n) = mat(&g["x"]);
        Case {
            model: Quadratic::from(&g),
            m: bg.len() / nbg,
            g,
            bg,
            nbg,
            x,
            n,
        }
    }

    fn background(&self) -> Background {
        Background::new(self.bg.clone(), self.nbg, self.m).unwrap()
    }
}

/// Largest absolute difference between two equally long slices.
fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .fold(0.0f64, |w, (x, y)| w.max((x - y).abs()))
}

fn exact_config() -> KernelShapConfig {
    KernelShapConfig {
        n_samples: Some(1 << 20),
        ..KernelShapConfig::default()
    }
}

#[test]
fn exact_mode_equals_shap_exact_values() {
    let c = Case::load("exact8");
    let (g, x, n, m) = (&c.g, &c.x, c.n, c.m);
    let f = c.model.predictor();
    let ex = KernelExplainer::new(&f, c.background(), None).unwrap();
    assert!((ex.base_value() - g["expected_value"].as_f64().unwrap()).abs() < 1e-12);
    let out = ex.explain(x, n, &exact_config()).unwrap();
    let (want, _) = mat(&g["shap_values"]);
    let mut worst: f64 = 0.0;
    for i in 0..n {
        assert!(out.exact[i]);
        for j in 0..m {
            worst = worst.max((out.values[i * m + j] - want[i * m + j]).abs());
        }
        let sum: f64 = out.row(i).iter().sum();
        assert!(
            (sum - (out.predictions[i] - out.base_value)).abs() < 1e-9,
            "efficiency, row {i}"
        );
    }
    assert!(worst < 1e-6, "max |assay − shap| = {worst:e}");
    // Feature 5 is constant in the background and varies only in rows 3, 11, 17.
    for i in 0..n {
        if ![3, 11, 17].contains(&i) {
            assert_eq!(out.values[i * m + 5], 0.0);
        } else {
            assert!(out.values[i * m + 5] != 0.0);
        }
    }
    // Row 4 equals background row 7: its discrete features and the matches against other
    // background rows make duplicate synthetic rows, which are scored once.
    assert!(out.unique_evaluations < out.model_evaluations);
    eprintln!(
        "exact8: max |assay − shap| = {worst:e}; evaluations (shap's count) {} , unique {}",
        out.model_evaluations, out.unique_evaluations
    );
}

/// Brute-force Shapley values of the interventional game over groups.
fn brute_force(
    f: &dyn Fn(&[f64]) -> f64,
    x: &[f64],
    bg: &[f64],
    nbg: usize,
    groups: &[Vec<usize>],
) -> Vec<f64> {
    let p = x.len();
    let m = groups.len();
    let v = |s: usize| -> f64 {
        let mut tot = 0.0;
        for b in 0..nbg {
            let mut row = bg[b * p..(b + 1) * p].to_vec();
            for (g, cols) in groups.iter().enumerate() {
                if s >> g & 1 == 1 {
                    for &c in cols {
                        row[c] = x[c];
                    }
                }
            }
            tot += f(&row);
        }
        tot / nbg as f64
    };
    let vals: Vec<f64> = (0..1usize << m).map(v).collect();
    let fact = |k: usize| (1..=k).map(|i| i as f64).product::<f64>();
    let mut phi = vec![0.0; m];
    for (j, pj) in phi.iter_mut().enumerate() {
        for s in 0..1usize << m {
            if s >> j & 1 == 1 {
                continue;
            }
            let k = s.count_ones() as usize;
            *pj += fact(k) * fact(m - k - 1) / fact(m) * (vals[s | 1 << j] - vals[s]);
        }
    }
    phi
}

#[test]
fn grouped_exact_mode_equals_the_shapley_definition() {
    let g = golden();
    let g = &g["sampled12"];
    let model = Quadratic::from(g);
    let f = model.predictor();
    let (bg, nbg) = mat(&g["background"]);
    let (x, _) = mat(&g["x"]);
    let members = vec![
        vec![0, 3],
        vec![1],
        vec![2, 4, 5],
        vec![6],
        vec![7, 8],
        vec![9],
        vec![10, 11],
    ];
    let names = (0..members.len()).map(|i| format!("g{i}")).collect();
    let groups = FeatureGroups::new(names, members.clone(), 12).unwrap();
    let ex = KernelExplainer::new(
        &f,
        Background::new(bg.clone(), nbg, 12).unwrap(),
        Some(groups),
    )
    .unwrap();
    let n = 5;
    let out = ex.explain(&x[..n * 12], n, &exact_config()).unwrap();
    for i in 0..n {
        let want = brute_force(
            &|r| model.eval(r),
            &x[i * 12..(i + 1) * 12],
            &bg,
            nbg,
            &members,
        );
        for (a, w) in out.row(i).iter().zip(&want) {
            assert!((a - w).abs() < 1e-9, "row {i}: {a} vs {w}");
        }
    }
}

#[test]
fn sampling_mode_is_as_accurate_as_shap_at_the_same_evaluations() {
    let c = Case::load("sampled12");
    let (g, x, n, m, nbg) = (&c.g, &c.x, c.n, c.m, c.nbg);
    let f = c.model.predictor();
    let ex = KernelExplainer::new(&f, c.background(), None).unwrap();
    let exact = ex.explain(x, n, &exact_config()).unwrap();
    let (shap_exact, _) = mat(&g["exact_shap_values"]);
    let worst = max_diff(&exact.values, &shap_exact);
    assert!(worst < 1e-6, "exact: max |assay − shap| = {worst:e}");
    for (ns, s) in g["sampling"].as_object().unwrap() {
        let ns: usize = ns.parse().unwrap();
        let shap_mae = s["mean_mae"].as_f64().unwrap();
        let seeds = 20;
        let mut tot = 0.0;
        for seed in 0..seeds {
            let cfg = KernelShapConfig {
                n_samples: Some(ns),
                seed,
                ..KernelShapConfig::default()
            };
            let out = ex.explain(x, n, &cfg).unwrap();
            assert_eq!(out.model_evaluations, (n * ns * nbg) as u64);
            for i in 0..n {
                assert!(!out.exact[i]);
                let sum: f64 = out.row(i).iter().sum();
                assert!((sum - (out.predictions[i] - out.base_value)).abs() < 1e-9);
            }
            tot += out
                .values
                .iter()
                .zip(&exact.values)
                .map(|(a, b)| (a - b).abs())
                .sum::<f64>()
                / (n * m) as f64;
        }
        let mae = tot / seeds as f64;
        eprintln!(
            "nsamples {ns} ({} evaluations per row): assay MAE {mae:.3e} (mean of {seeds} seeds), shap MAE {shap_mae:.3e} (mean of 5 seeds)",
            ns * nbg
        );
        assert!(
            mae <= shap_mae,
            "nsamples {ns}: assay {mae:e} > shap {shap_mae:e}"
        );
    }
}

#[test]
fn deterministic_for_a_seed_and_independent_of_batching() {
    let c = Case::load("sampled12");
    let (x, n) = (&c.x, c.n);
    let f = c.model.predictor();
    let ex = KernelExplainer::new(&f, c.background(), None).unwrap();
    let cfg = KernelShapConfig {
        n_samples: Some(300),
        seed: 3,
        ..KernelShapConfig::default()
    };
    let a = ex.explain(x, n, &cfg).unwrap();
    let b = ex
        .explain(
            x,
            n,
            &KernelShapConfig {
                batch_rows: 777,
                ..cfg
            },
        )
        .unwrap();
    assert_eq!(a, b);
    let c = ex
        .explain(x, n, &KernelShapConfig { seed: 4, ..cfg })
        .unwrap();
    assert_ne!(a.values, c.values);
}

#[test]
fn kmeans_background_is_weighted_by_cluster_sizes() {
    let g = golden();
    let g = &g["sampled12"];
    let (bg, nbg) = mat(&g["background"]);
    let s = Background::kmeans(&bg, nbg, 12, 5, 0).unwrap();
    assert_eq!(s.n_rows, 5);
    assert_eq!(s.weights.iter().sum::<f64>(), nbg as f64);
    // Every centre coordinate is a value of that column.
    for r in 0..s.n_rows {
        for j in 0..12 {
            let v = s.data[r * 12 + j];
            assert!((0..nbg).any(|i| bg[i * 12 + j] == v));
        }
    }
    assert_eq!(s, Background::kmeans(&bg, nbg, 12, 5, 0).unwrap());
    // One cluster: the weighted base value is the model at the (rounded) column means.
    let one = Background::kmeans(&bg, nbg, 12, 1, 0).unwrap();
    assert_eq!(one.weights, vec![nbg as f64]);
}

#[test]
fn trivial_rows_and_bad_inputs() {
    let f = FnPredict::new(3, |x: &[f64], _| {
        Ok(x.chunks(3).map(|r| r[0] * 2.0 + r[1] * r[2]).collect())
    });
    let bg = vec![0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
    let ex = KernelExplainer::new(&f, Background::new(bg.clone(), 2, 3).unwrap(), None).unwrap();
    // Only feature 0 varies: it gets f(x) − E[f].
    let out = ex
        .explain(&[3.0, 1.0, 1.0], 1, &KernelShapConfig::default())
        .unwrap();
    assert_eq!(out.values, vec![6.0, 0.0, 0.0]);
    // Nothing varies.
    let out = ex
        .explain(&[0.0, 1.0, 1.0], 1, &KernelShapConfig::default())
        .unwrap();
    assert_eq!(out.values, vec![0.0, 0.0, 0.0]);
    assert!(ex
        .explain(&[0.0, 1.0], 1, &KernelShapConfig::default())
        .is_err());
    assert!(Background::new(bg, 3, 3).is_err());
}

fn mae(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len() as f64
}

#[test]
fn background_decomposition_on_discrete_data_is_exact_or_more_accurate_than_shap() {
    let c = Case::load("discrete12");
    let (g, x, n, m) = (&c.g, &c.x, c.n, c.m);
    let f = c.model.predictor();
    let ex = KernelExplainer::new(&f, c.background(), None).unwrap();
    let (shap_exact, _) = mat(&g["exact_shap_values"]);
    // Every coalition, with and without the decomposition: shap's exact values.
    let plain = KernelShapConfig {
        decompose: false,
        ..exact_config()
    };
    let full = ex.explain(x, n, &plain).unwrap();
    let decomposed = ex.explain(x, n, &exact_config()).unwrap();
    for out in [&full, &decomposed] {
        let worst = max_diff(&out.values, &shap_exact);
        assert!(worst < 1e-6, "exact: max |assay − shap| = {worst:e}");
    }
    let worst = max_diff(&full.values, &decomposed.values);
    assert!(worst < 1e-12, "decomposed vs enumerated: {worst:e}");
    // At shap's budgets: rows whose background rows all fit are exact; the error of the rest
    // is below shap's at the same budget, with fewer model evaluations.
    for (ns, s) in g["sampling"].as_object().unwrap() {
        let ns: usize = ns.parse().unwrap();
        let shap_mae = s["mean_mae"].as_f64().unwrap();
        let mut tot = 0.0;
        let seeds = 10;
        for seed in 0..seeds {
            let cfg = KernelShapConfig {
                n_samples: Some(ns),
                seed,
                ..KernelShapConfig::default()
            };
            let out = ex.explain(x, n, &cfg).unwrap();
            let legacy = ex
                .explain(
                    x,
                    n,
                    &KernelShapConfig {
                        decompose: false,
                        ..cfg
                    },
                )
                .unwrap();
            assert_eq!(out.model_evaluations, legacy.model_evaluations);
            assert!(out.unique_evaluations <= out.model_evaluations + n as u64);
            for i in 0..n {
                let sum: f64 = out.row(i).iter().sum();
                assert!((sum - (out.predictions[i] - out.base_value)).abs() < 1e-9);
                let e = mae(out.row(i), &full.values[i * m..(i + 1) * m]);
                if out.exact[i] {
                    assert!(e < 1e-12, "row {i} flagged exact, error {e:e}");
                }
            }
            tot += mae(&out.values, &full.values);
            if seed == 0 {
                eprintln!(
                    "discrete12 nsamples {ns}: {} of {n} rows exact; unique evaluations {} (shap's scheme without the decomposition: {}; shap counts {})",
                    out.exact.iter().filter(|&&e| e).count(),
                    out.unique_evaluations,
                    legacy.unique_evaluations,
                    out.model_evaluations
                );
            }
        }
        let assay_mae = tot / seeds as f64;
        eprintln!("discrete12 nsamples {ns}: assay MAE {assay_mae:.3e}, shap MAE {shap_mae:.3e}");
        assert!(
            assay_mae <= shap_mae / 2.0,
            "nsamples {ns}: assay {assay_mae:e} vs shap {shap_mae:e}"
        );
    }
}

#[test]
fn background_decomposition_keeps_the_efficiency_target_of_near_equal_features() {
    // Column 3 is within numpy's allclose of the row in every background row, so it is not
    // explained and keeps the background's values in synthetic rows: the game's full
    // coalition is f(x), not the background mean of f(x_V, b_3). The decomposition must give
    // the enumerated values all the same.
    let f = FnPredict::new(4, |x: &[f64], _| {
        Ok(x.chunks(4)
            .map(|r| r[0] * r[1] + (r[2] + 1.0) * r[3] * 10.0 + r[2].sin())
            .collect())
    });
    let mut bg = Vec::new();
    for b in 0..6 {
        let b = b as f64;
        bg.extend_from_slice(&[b % 2.0, (b * 0.7).floor(), b % 3.0, 1.0 + 1e-6 * (b + 1.0)]);
    }
    let ex = KernelExplainer::new(&f, Background::new(bg, 6, 4).unwrap(), None).unwrap();
    let x = [1.0, 2.0, 0.0, 1.0, 0.0, 0.0, 2.0, 1.0];
    let want = ex
        .explain(
            &x,
            2,
            &KernelShapConfig {
                decompose: false,
                ..exact_config()
            },
        )
        .unwrap();
    assert!(want.values.iter().skip(3).step_by(4).all(|&v| v == 0.0));
    // Budgets 2 and 4 leave background rows that differ on all three explained features to
    // the sampled part (an estimate): only efficiency is exact there.
    for budget in [2, 4] {
        let got = ex
            .explain(
                &x,
                2,
                &KernelShapConfig {
                    n_samples: Some(budget),
                    ..KernelShapConfig::default()
                },
            )
            .unwrap();
        assert!(!got.exact[0] || !got.exact[1]);
        for i in 0..2 {
            let sum: f64 = got.row(i).iter().sum();
            assert!((sum - (got.predictions[i] - got.base_value)).abs() < 1e-12);
            assert!((got.predictions[i] - want.predictions[i]).abs() == 0.0);
        }
    }
    for budget in [Some(1 << 20), Some(6)] {
        let got = ex
            .explain(
                &x,
                2,
                &KernelShapConfig {
                    n_samples: budget,
                    ..KernelShapConfig::default()
                },
            )
            .unwrap();
        for (a, w) in got.values.iter().zip(&want.values) {
            assert!((a - w).abs() < 1e-12, "budget {budget:?}: {a} vs {w}");
        }
    }
}
