//! TreeSHAP against the libraries and against the definition.
//!
//! Golden values come from `tests/reference/tree_shap_golden.py` (XGBoost 3.2.0 `pred_contribs`
//! / `pred_interactions`, LightGBM 4.7.0 `pred_contrib`, shap 0.51.0 `TreeExplainer`, brute-force
//! interventional values with the libraries' own predictors). Tolerances:
//!
//! * LightGBM and shap compute in `f64`: absolute 1e-6 (observed differences are ~1e-13).
//! * XGBoost computes TreeSHAP in `f32` (`PathElement` fractions and weights, node means and
//!   the output are `float`), so its values carry relative errors of a few `f32` ulps per tree;
//!   they are compared to `2e-6 · (1 + |value|)` plus `1e-6` per 10 trees, the precision XGBoost
//!   achieves, and assay's `f64` values are in addition checked at 1e-9 against a brute-force
//!   evaluation of the definition (all 2^9 coalitions of the path-dependent game).
//! * Interventional golden values of the XGBoost models average `f32` margins: 1e-6 absolute
//!   still holds.

use std::path::PathBuf;

use assay_explain::shap::tree::{tree_shap_with, ShapValues};
use assay_explain::shap::{
    group_shap_values, tree_shap, tree_shap_interactions, tree_shap_interventional,
};
use assay_explain::{ExplainError, FeatureGroups};
use assay_model::{lightgbm, xgboost, Source, Tree, TreeEnsemble};
use serde_json::Value;

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference")
}

fn golden(name: &str) -> Value {
    let path = reference_dir()
        .join("golden")
        .join(format!("tree_shap_{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The model of a golden case: the committed models of `trees_golden.py`, or the all-numerical
/// models `tree_shap_{xgb,lgb}_numeric` of `tree_shap_golden.py`.
fn model(name: &str) -> TreeEnsemble {
    let dir = reference_dir().join("models");
    let name = if name.ends_with("numeric") {
        format!("tree_shap_{name}")
    } else {
        name.to_string()
    };
    if name.contains("xgb") {
        xgboost::load(dir.join(format!("{name}.json"))).unwrap()
    } else {
        lightgbm::load(dir.join(format!("{name}.txt"))).unwrap()
    }
}

/// A JSON array, nested or not, flattened; `null` is NaN.
fn flat(v: &Value) -> Vec<f64> {
    let mut out = Vec::new();
    fn go(v: &Value, out: &mut Vec<f64>) {
        match v {
            Value::Array(a) => a.iter().for_each(|x| go(x, out)),
            Value::Null => out.push(f64::NAN),
            x => out.push(x.as_f64().unwrap()),
        }
    }
    go(v, &mut out);
    out
}

fn n_rows(v: &Value) -> usize {
    v.as_array().unwrap().len()
}

/// Largest `|a − b|`, and its index; panics if `|a − b| > tol(b)` anywhere.
fn compare(what: &str, got: &[f64], want: &[f64], tol: impl Fn(f64) -> f64) -> f64 {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let mut worst = 0.0f64;
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let d = (g - w).abs();
        assert!(
            d <= tol(w),
            "{what}: entry {i}: assay {g}, reference {w}, difference {d:e}"
        );
        worst = worst.max(d);
    }
    eprintln!("{what}: {} values, max abs difference {worst:e}", got.len());
    worst
}

fn is_xgb(name: &str) -> bool {
    name.starts_with("xgb")
}

/// XGBoost's float32 precision for a model of `n_trees` trees (see the module doc).
fn xgb_tol(n_trees: usize) -> impl Fn(f64) -> f64 {
    move |w: f64| 2e-6 * (1.0 + w.abs()) + 1e-6 * (n_trees as f64 / 10.0).ceil()
}

fn tol_for(name: &str, n_trees: usize) -> Box<dyn Fn(f64) -> f64> {
    if is_xgb(name) {
        Box::new(xgb_tol(n_trees))
    } else {
        Box::new(|_| 1e-6)
    }
}

/// Σ leaf values in f64, plus the base score.
fn margin_f64(m: &TreeEnsemble, row: &[f64]) -> f64 {
    m.base_score + m.trees.iter().map(|t| t.value[t.leaf(row)]).sum::<f64>()
}

fn path_dependent_case(name: &str) {
    let m = model(name);
    let g = golden(name);
    let x = flat(&g["rows"]);
    let n = n_rows(&g["rows"]);
    let d = m.n_features;
    assert_eq!(x.len(), n * d);
    // Rows with missing values are part of the golden set.
    assert!(x.iter().any(|v| v.is_nan()), "{name}: golden rows have NaN");
    let s = tree_shap(&m, &x, n).unwrap();
    assert_eq!((s.n_rows, s.n_features), (n, d));
    let tol = tol_for(name, m.trees.len());
    compare(
        &format!("{name} SHAP values vs library"),
        &s.values,
        &flat(&g["shap_values"]),
        &tol,
    );
    let bases = flat(&g["base_values"]);
    compare(
        &format!("{name} base value vs library"),
        &vec![s.base_value; n],
        &bases,
        &tol,
    );
    // Local accuracy: each row sums to its margin minus the base value.
    let sums: Vec<f64> = (0..n)
        .map(|i| s.row(i).iter().sum::<f64>() + s.base_value)
        .collect();
    let exact: Vec<f64> = x.chunks(d).map(|r| margin_f64(&m, r)).collect();
    compare(
        &format!("{name} row sums vs f64 margin"),
        &sums,
        &exact,
        |_| 1e-9,
    );
    let library_margin = flat(&g["margin"]);
    compare(
        &format!("{name} row sums vs library margin"),
        &sums,
        &library_margin,
        |w| {
            if is_xgb(name) {
                1e-6 * (1.0 + w.abs())
            } else {
                1e-9
            }
        },
    );
    // The tabulated evaluation equals Algorithm 2.
    let classic = tree_shap_with(&m, &x, n, false).unwrap();
    compare(
        &format!("{name} tabulated vs Algorithm 2"),
        &s.values,
        &classic.values,
        |_| 1e-10,
    );
    assert_eq!(classic.base_value, s.base_value);
    // And both equal the definition (brute force over coalitions) on the first rows and the
    // edge rows.
    let picks: Vec<usize> = (0..20).chain(n - 20..n).collect();
    let mut got = Vec::new();
    let mut want = Vec::new();
    for &i in &picks {
        got.extend_from_slice(s.row(i));
        want.extend(brute_force_path_dependent(&m, &x[i * d..(i + 1) * d]));
    }
    compare(
        &format!("{name} SHAP values vs brute force"),
        &got,
        &want,
        |_| 1e-9,
    );
}

fn interactions_case(name: &str) {
    let m = model(name);
    let g = golden(name);
    let x = flat(&g["rows"]);
    let n = n_rows(&g["rows"]);
    let d = m.n_features;
    let s = tree_shap_interactions(&m, &x, n).unwrap();
    assert_eq!(s.values.len(), n * d * d);
    let tol = tol_for(name, m.trees.len());
    let want = flat(&g["interactions"]);
    let library_phi = flat(&g["shap_values"]);
    // shap's own LightGBM parser does not follow LightGBM on the categorical and zero-as-missing
    // splits of the committed LightGBM models: its interaction rows then do not sum to
    // LightGBM's pred_contrib. Only rows where they do are compared (all rows of the numerical
    // models, and of the XGBoost models, whose interactions come from XGBoost itself).
    let consistent: Vec<usize> = (0..n)
        .filter(|&i| {
            (0..d).all(|a| {
                let sum: f64 = want[i * d * d + a * d..i * d * d + (a + 1) * d]
                    .iter()
                    .sum();
                (sum - library_phi[i * d + a]).abs() <= tol(library_phi[i * d + a])
            })
        })
        .collect();
    if is_xgb(name) || name.ends_with("numeric") {
        assert_eq!(
            consistent.len(),
            n,
            "{name}: reference interactions sum to the SHAP values"
        );
    }
    // (For lgb_regression, trained with zero_as_missing, shap agrees with LightGBM on 1 row of
    // 511; there the brute-force comparison below carries the check.)
    assert!(!consistent.is_empty(), "{name}: no consistent rows");
    let pick = |v: &[f64]| -> Vec<f64> {
        consistent
            .iter()
            .flat_map(|&i| v[i * d * d..(i + 1) * d * d].iter().copied())
            .collect()
    };
    compare(
        &format!(
            "{name} interactions vs {} ({} of {n} rows)",
            g["interaction_source"].as_str().unwrap(),
            consistent.len()
        ),
        &pick(&s.values),
        &pick(&want),
        &tol,
    );
    // Rows of each matrix sum to the SHAP values.
    let phi = tree_shap(&m, &x, n).unwrap();
    let sums: Vec<f64> = s.values.chunks(d).map(|r| r.iter().sum::<f64>()).collect();
    compare(
        &format!("{name} interaction row sums"),
        &sums,
        &phi.values,
        |_| 1e-9,
    );
    // The off-diagonal entries are half the Shapley interaction index of the path-dependent
    // game (brute force).
    let mut got = Vec::new();
    let mut want = Vec::new();
    for i in (0..n).step_by(50) {
        let mat = s.matrix(i);
        let bf = brute_force_interactions(&m, &x[i * d..(i + 1) * d]);
        for a in 0..d {
            for b in 0..d {
                if a != b {
                    got.push(mat[a * d + b]);
                    want.push(bf[a * d + b]);
                }
            }
        }
    }
    compare(
        &format!("{name} interactions vs brute force"),
        &got,
        &want,
        |_| 1e-9,
    );
}

fn interventional_case(name: &str) {
    let m = model(name);
    let g = golden(name);
    let x = flat(&g["interventional_rows"]);
    let n = n_rows(&g["interventional_rows"]);
    let bg = flat(&g["background"]);
    let nb = n_rows(&g["background"]);
    let d = m.n_features;
    let s = tree_shap_interventional(&m, &x, n, &bg, nb).unwrap();
    compare(
        &format!(
            "{name} interventional vs {}",
            g["interventional_source"].as_str().unwrap()
        ),
        &s.values,
        &flat(&g["interventional_values"]),
        |_| 1e-6,
    );
    compare(
        &format!("{name} interventional base value"),
        &[s.base_value],
        &[g["interventional_base"].as_f64().unwrap()],
        |_| 1e-6,
    );
    let sums: Vec<f64> = (0..n)
        .map(|i| s.row(i).iter().sum::<f64>() + s.base_value)
        .collect();
    let exact: Vec<f64> = x.chunks(d).map(|r| margin_f64(&m, r)).collect();
    compare(
        &format!("{name} interventional row sums vs f64 margin"),
        &sums,
        &exact,
        |_| 1e-9,
    );
    // Against the definition in f64, a few rows against 10 background rows.
    let bg10 = &bg[..10 * d];
    let s10 = tree_shap_interventional(&m, &x[..5 * d], 5, bg10, 10).unwrap();
    let mut want = Vec::new();
    for i in 0..5 {
        want.extend(brute_force_interventional(&m, &x[i * d..(i + 1) * d], bg10));
    }
    compare(
        &format!("{name} interventional vs f64 brute force"),
        &s10.values,
        &want,
        |_| 1e-9,
    );
}

#[test]
fn xgb_binary_path_dependent() {
    path_dependent_case("xgb_binary");
}

#[test]
fn xgb_regression_path_dependent() {
    path_dependent_case("xgb_regression");
}

#[test]
fn lgb_binary_path_dependent() {
    path_dependent_case("lgb_binary");
}

#[test]
fn lgb_regression_path_dependent() {
    path_dependent_case("lgb_regression");
}

#[test]
fn numeric_models_path_dependent() {
    path_dependent_case("xgb_numeric");
    path_dependent_case("lgb_numeric");
}

#[test]
fn numeric_models_interactions() {
    interactions_case("xgb_numeric");
    interactions_case("lgb_numeric");
}

#[test]
fn xgb_binary_interactions() {
    interactions_case("xgb_binary");
}

#[test]
fn xgb_regression_interactions() {
    interactions_case("xgb_regression");
}

#[test]
fn lgb_binary_interactions() {
    interactions_case("lgb_binary");
}

#[test]
fn lgb_regression_interactions() {
    interactions_case("lgb_regression");
}

#[test]
fn xgb_binary_interventional() {
    interventional_case("xgb_binary");
}

#[test]
fn xgb_regression_interventional() {
    interventional_case("xgb_regression");
}

#[test]
fn lgb_binary_interventional() {
    interventional_case("lgb_binary");
}

#[test]
fn lgb_regression_interventional() {
    interventional_case("lgb_regression");
}

/// shap's own interventional TreeExplainer (which refuses the categorical models) on the
/// all-numerical models.
#[test]
fn shap_interventional_numeric_models() {
    for name in ["xgb_numeric", "lgb_numeric"] {
        let m = model(name);
        let g = golden(name);
        let x = flat(&g["interventional_rows"]);
        let n = n_rows(&g["interventional_rows"]);
        let bg = flat(&g["background"]);
        let nb = n_rows(&g["background"]);
        let s = tree_shap_interventional(&m, &x, n, &bg, nb).unwrap();
        let tol = |_| 1e-6;
        compare(
            &format!("{name} interventional vs shap TreeExplainer"),
            &s.values,
            &flat(&g["interventional_values"]),
            tol,
        );
        compare(
            &format!("{name} interventional base vs shap expected_value"),
            &[s.base_value],
            &[g["interventional_base"].as_f64().unwrap()],
            tol,
        );
    }
}

#[test]
fn output_does_not_depend_on_thread_count() {
    let m = model("lgb_binary");
    let g = golden("lgb_binary");
    let x = flat(&g["rows"]);
    let n = n_rows(&g["rows"]);
    let bg = flat(&g["background"]);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            (
                tree_shap(&m, &x, n).unwrap(),
                tree_shap_interactions(&m, &x[..40 * 9], 40).unwrap(),
                tree_shap_interventional(&m, &x[..40 * 9], 40, &bg[..20 * 9], 20).unwrap(),
            )
        })
    };
    let (a, b, c) = run(1);
    let (a3, b3, c3) = run(3);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.values), bits(&a3.values));
    assert_eq!(bits(&b.values), bits(&b3.values));
    assert_eq!(bits(&c.values), bits(&c3.values));
}

#[test]
fn groups_sum_their_columns() {
    let m = model("xgb_binary");
    let g = golden("xgb_binary");
    let x = flat(&g["rows"]);
    let s = tree_shap(&m, &x[..10 * 9], 10).unwrap();
    let names: Vec<String> = ["numeric", "coded"].iter().map(|s| s.to_string()).collect();
    let groups = FeatureGroups::new(names, vec![(0..6).collect(), vec![6, 7, 8]], 9).unwrap();
    let gs = group_shap_values(&s, &groups).unwrap();
    assert_eq!((gs.n_rows, gs.n_features), (10, 2));
    assert_eq!(gs.base_value, s.base_value);
    for i in 0..10 {
        let r = s.row(i);
        assert_eq!(gs.row(i)[0], r[..6].iter().sum::<f64>());
        assert_eq!(gs.row(i)[1], r[6..].iter().sum::<f64>());
    }
    let wrong = FeatureGroups::singletons(&["a".to_string()]);
    assert!(group_shap_values(&s, &wrong).is_err());
}

#[test]
fn errors_are_reported() {
    let m = model("xgb_binary");
    assert!(matches!(
        tree_shap(&m, &[0.0; 8], 1),
        Err(ExplainError::Length { .. })
    ));
    assert!(matches!(
        tree_shap_interventional(&m, &[0.0; 9], 1, &[], 0),
        Err(ExplainError::Empty(_))
    ));
    let mut no_cover = m.clone();
    no_cover.trees[3].cover = None;
    assert!(matches!(
        tree_shap(&no_cover, &[0.0; 9], 1),
        Err(ExplainError::Data(_))
    ));
    // Interventional TreeSHAP needs no covers.
    assert!(tree_shap_interventional(&no_cover, &[0.0; 9], 1, &[1.0; 9], 1).is_ok());
    let empty: ShapValues = tree_shap(&m, &[], 0).unwrap();
    assert!(empty.values.is_empty());
}

// ---------------------------------------------------------------------------------------------
// The definitions, by brute force over all coalitions.

fn weights(m: &TreeEnsemble, t: &Tree) -> Vec<f64> {
    match (&m.source, &t.count, &t.cover) {
        (Source::LightGBM { .. }, Some(c), _) => c.iter().map(|&v| v as f64).collect(),
        (_, _, Some(c)) => c.clone(),
        _ => panic!("no weights"),
    }
}

/// E[tree(x) | x_S] of the path-dependent game (Lundberg et al. 2020, Algorithm 1).
fn exp_value(t: &Tree, w: &[f64], n: usize, x: &[f64], s: usize) -> f64 {
    if t.is_leaf(n) {
        return t.value[n];
    }
    let f = t.split_feature[n] as usize;
    if s >> f & 1 == 1 {
        exp_value(t, w, t.next_node(n, x[f]), x, s)
    } else {
        let (l, r) = (t.left[n] as usize, t.right[n] as usize);
        (w[l] * exp_value(t, w, l, x, s) + w[r] * exp_value(t, w, r, x, s)) / w[n]
    }
}

fn fact(k: usize) -> f64 {
    (1..=k).map(|i| i as f64).product()
}

fn game_values(m: &TreeEnsemble, v: impl Fn(usize) -> f64) -> Vec<f64> {
    (0..1usize << m.n_features).map(v).collect()
}

fn shapley(d: usize, v: &[f64]) -> Vec<f64> {
    let mut phi = vec![0.0; d];
    for (i, p) in phi.iter_mut().enumerate() {
        for s in 0..1usize << d {
            if s >> i & 1 == 0 {
                let k = s.count_ones() as usize;
                *p += fact(k) * fact(d - k - 1) / fact(d) * (v[s | 1 << i] - v[s]);
            }
        }
    }
    phi
}

fn path_game(m: &TreeEnsemble, x: &[f64]) -> Vec<f64> {
    let ws: Vec<Vec<f64>> = m
        .trees
        .iter()
        .map(|t| if t.is_leaf(0) { vec![] } else { weights(m, t) })
        .collect();
    game_values(m, |s| {
        m.trees
            .iter()
            .zip(&ws)
            .map(|(t, w)| exp_value(t, w, 0, x, s))
            .sum()
    })
}

fn brute_force_path_dependent(m: &TreeEnsemble, x: &[f64]) -> Vec<f64> {
    shapley(m.n_features, &path_game(m, x))
}

/// Φ_ij = Σ_{S ⊆ N\{i,j}} |S|!(d−|S|−2)! / (2 (d−1)!) ∇_ij(S) (Lundberg et al. 2020, eq. 7).
fn brute_force_interactions(m: &TreeEnsemble, x: &[f64]) -> Vec<f64> {
    let d = m.n_features;
    let v = path_game(m, x);
    let mut out = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            if i == j {
                continue;
            }
            let mut total = 0.0;
            for s in 0..1usize << d {
                if s >> i & 1 == 1 || s >> j & 1 == 1 {
                    continue;
                }
                let k = s.count_ones() as usize;
                let w = fact(k) * fact(d - k - 2) / (2.0 * fact(d - 1));
                let (si, sj) = (s | 1 << i, s | 1 << j);
                total += w * (v[si | 1 << j] - v[si] - v[sj] + v[s]);
            }
            out[i * d + j] = total;
        }
    }
    out
}

fn brute_force_interventional(m: &TreeEnsemble, x: &[f64], bg: &[f64]) -> Vec<f64> {
    let d = m.n_features;
    let nb = bg.len() / d;
    let v = game_values(m, |s| {
        let mut hybrid = vec![0.0; d];
        let mut total = 0.0;
        for z in bg.chunks(d) {
            for f in 0..d {
                hybrid[f] = if s >> f & 1 == 1 { x[f] } else { z[f] };
            }
            total += margin_f64(m, &hybrid);
        }
        total / nb as f64
    });
    shapley(d, &v)
}
