//! SHAP and LIME: exact TreeSHAP for tree ensembles (XGBoost, LightGBM, assay's
//! gbdt and tree, ONNX tree ensembles), KernelSHAP for any model, on the model's raw input
//! columns; mean |SHAP| by feature, by sensitive group, and the features whose attributions
//! differ most between groups.

use crate::reports::explain::{
    GroupDifference, LimeFeature, LimeResult, LimeRow, MeanAbs, ShapByGroup, ShapResult, ShapRow,
    Shown,
};
use rand::seq::index::sample;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use assay_explain::inspection::mean_abs_by_group;
use assay_explain::shap::{
    tree_shap, tree_shap_interventional, Background, KernelExplainer, KernelShapConfig,
};
use assay_explain::{FeatureGroups, Predict};
use assay_model::learners::TrainedLogistic;
use assay_model::model::TreeModel;

use super::table::{ModelPredict, RawTable};
use super::{ExplainOptions, ExplanationError};

/// The shared summary of an attribution matrix: mean |value| by feature, and by group with
/// the features whose attributions differ most between groups.
/// What attributions are measured from and in: the base value, the output space and the
/// algorithm, in words.
struct Basis<'a> {
    base_value: f64,
    space: &'a str,
    algorithm: &'a str,
}

fn summary(
    t: &RawTable,
    values: &[f64],
    n_rows: usize,
    groups: Option<&[String]>,
    rows_out: usize,
    row_index: &[usize],
    basis: Basis<'_>,
) -> Result<ShapResult, ExplanationError> {
    let names: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
    let names = names.as_slice();
    let d = names.len();
    let g0 = vec![0usize; n_rows];
    let overall = mean_abs_by_group(values, n_rows, d, &g0).map_err(|e| e.to_string())?;
    let mut mean_abs: Vec<(String, f64)> = names
        .iter()
        .cloned()
        .zip(overall.overall.iter().copied())
        .collect();
    mean_abs.sort_by(|a, b| b.1.total_cmp(&a.1));
    let by_group = match groups {
        Some(g) => {
            let (c, gnames) = super::table::group_codes(g);
            let m = mean_abs_by_group(values, n_rows, d, &c).map_err(|e| e.to_string())?;
            Some(ShapByGroup {
                groups: gnames,
                mean_abs: m.by_group,
                rows: m.counts,
                largest_differences: m
                    .ranking
                    .iter()
                    .map(|&j| GroupDifference {
                        feature: names[j].clone(),
                        difference: m.max_gap[j],
                    })
                    .collect(),
            })
        }
        None => None,
    };
    // Feature values of the written rows: as read (category text), and scaled to [0, 1] by
    // the column's range over the data (category codes by their count) for plotting.
    let p = t.columns.len();
    let ranges: Vec<(f64, f64)> = (0..p)
        .map(|j| match &t.columns[j].categories {
            Some(c) => (0.0, c.len().saturating_sub(1) as f64),
            None => (0..t.n)
                .map(|i| t.x[i * p + j])
                .filter(|v| v.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                    (l.min(v), h.max(v))
                }),
        })
        .collect();
    let rows = (0..n_rows.min(rows_out))
        .map(|i| {
            let r = row_index[i];
            let x = (0..p).map(|j| t.shown(j, t.x[r * p + j])).collect();
            let x_scaled = (0..p)
                .map(|j| {
                    let v = t.x[r * p + j];
                    let (lo, hi) = ranges[j];
                    if !v.is_finite() {
                        None
                    } else if hi > lo {
                        Some((v - lo) / (hi - lo))
                    } else {
                        Some(0.5)
                    }
                })
                .collect();
            ShapRow {
                row: r + 1,
                values: values[i * d..(i + 1) * d].to_vec(),
                x,
                x_scaled,
            }
        })
        .collect();
    Ok(ShapResult {
        features: names.to_vec(),
        mean_abs: mean_abs
            .into_iter()
            .map(|(feature, mean_abs)| MeanAbs { feature, mean_abs })
            .collect(),
        by_group,
        rows,
        base_value: basis.base_value,
        space: basis.space.into(),
        algorithm: basis.algorithm.into(),
        rows_exact: None,
        background_rows: None,
        model_evaluations: None,
        unique_evaluations: None,
    })
}

/// A seeded sample (without replacement, in row order) of up to `n` rows of the table, as a
/// row-major matrix, and its row count.
fn background_sample(t: &RawTable, n: usize, seed: u64) -> (Vec<f64>, usize) {
    let p = t.columns.len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let nb = n.min(t.n);
    let mut pick: Vec<usize> = sample(&mut rng, t.n, nb).into_vec();
    pick.sort_unstable();
    let mut bg = Vec::with_capacity(nb * p);
    for &i in &pick {
        bg.extend_from_slice(&t.x[i * p..(i + 1) * p]);
    }
    (bg, nb)
}

/// The rows KernelSHAP and LIME explain (the one named by `row`, else the first
/// `explain_rows`) and their values, row-major.
fn explained_rows(
    a: &ExplainOptions,
    t: &RawTable,
) -> Result<(Vec<usize>, Vec<f64>), ExplanationError> {
    let p = t.columns.len();
    let rows: Vec<usize> = match a.row {
        Some(r) if r >= 1 && r <= t.n => vec![r - 1],
        Some(r) => {
            return Err(ExplanationError::option(
                "row",
                format!("{r} is not a row of the data (rows 1 to {})", t.n),
            ))
        }
        None => (0..t.n.min(a.explain_rows)).collect(),
    };
    let mut x = Vec::with_capacity(rows.len() * p);
    for &i in &rows {
        x.extend_from_slice(&t.x[i * p..(i + 1) * p]);
    }
    Ok((rows, x))
}

/// Exact TreeSHAP (path-dependent, or interventional) of every row (Lundberg et al. 2020), in margin space.
pub fn tree(
    a: &ExplainOptions,
    t: &RawTable,
    model: &TreeModel,
) -> Result<ShapResult, ExplanationError> {
    let e = model.ensemble();
    if a.xgboost_float32 && a.interventional {
        return Err(ExplanationError::option(
            "xgboost_float32",
            "applies to path-dependent TreeSHAP, not to interventional TreeSHAP",
        ));
    }
    if a.xgboost_float32 && !matches!(e.source, assay_model::Source::XGBoost { .. }) {
        return Err(ExplanationError::option(
            "xgboost_float32",
            format!(
                "reproduces XGBoost's own arithmetic; {} is not an XGBoost model",
                a.model_path.display()
            ),
        ));
    }
    let (v, algorithm) = if a.xgboost_float32 {
        let v = assay_explain::shap::tree_f32::tree_shap_xgboost_f32(e, &t.x, t.n)
            .map_err(|e| format!("{}: {e}", t.path.display()))?;
        (
            v,
            "path-dependent TreeSHAP in XGBoost's float32 arithmetic (equal to XGBoost's pred_contribs)".to_string(),
        )
    } else if a.interventional {
        let (bg, nb) = background_sample(t, a.background, a.seed);
        let v = tree_shap_interventional(e, &t.x, t.n, &bg, nb)
            .map_err(|e| format!("{}: {e}", t.path.display()))?;
        (
            v,
            format!("interventional TreeSHAP (Lundberg et al. 2020) against {nb} background rows, exact"),
        )
    } else {
        let v = tree_shap(e, &t.x, t.n).map_err(|e| format!("{}: {e}", t.path.display()))?;
        (
            v,
            "path-dependent TreeSHAP (Lundberg et al. 2020), exact".to_string(),
        )
    };
    every_row(
        a,
        t,
        &v.values,
        v.base_value,
        "margin (log-odds for a logistic link; the model's raw output)",
        &algorithm,
    )
}

/// The summary of attributions of every row of the table in its column order, with the base
/// value, the output space and the algorithm.
fn every_row(
    a: &ExplainOptions,
    t: &RawTable,
    values: &[f64],
    base_value: f64,
    space: &str,
    algorithm: &str,
) -> Result<ShapResult, ExplanationError> {
    let index: Vec<usize> = (0..t.n).collect();
    summary(
        t,
        values,
        t.n,
        t.groups.as_deref(),
        a.rows_out,
        &index,
        Basis {
            base_value,
            space,
            algorithm,
        },
    )
}

/// LinearSHAP (Lundberg & Lee 2017, Corollary 1; shap's interventional `LinearExplainer`) of
/// every row, on the logistic regression's margin: each raw column's value is the sum of
/// `β_k (z_k − E[z_k])` over its encoded columns `z_k`, the mean over a seeded sample of
/// `--background` rows.
pub fn linear(
    a: &ExplainOptions,
    t: &RawTable,
    predict: &ModelPredict<'_>,
    model: &TrainedLogistic,
) -> Result<ShapResult, ExplanationError> {
    use assay_explain::shap::LinearExplainer;
    let p = t.columns.len();
    let encode = |x: &[f64], n: usize| -> Result<Vec<f64>, String> {
        let batch = predict.batch(x, n).map_err(|e| e.to_string())?;
        assay_model::model::encode_batch(&model.features, &batch)
            .map_err(|e| format!("{}: {e}", t.path.display()))
    };
    // The raw columns' encoded columns, in the model's feature order.
    let names: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
    let mut members = vec![Vec::new(); p];
    let mut at = 0;
    for f in &model.features {
        let j = names
            .iter()
            .position(|n| n == f.column())
            .ok_or_else(|| format!("the model's column '{}' is not in the table", f.column()))?;
        members[j].extend(at..at + f.width());
        at += f.width();
    }
    let groups = FeatureGroups::new(names.clone(), members, at).map_err(|e| e.to_string())?;
    let (bg, nb) = background_sample(t, a.background, a.seed);
    let explainer =
        LinearExplainer::from_logistic(&model.model, &encode(&bg, nb)?, nb, None, Some(groups))
            .map_err(|e| format!("{}: {e}", a.model_path.display()))?;
    let v = explainer
        .explain(&encode(&t.x, t.n)?, t.n)
        .map_err(|e| format!("{}: {e}", t.path.display()))?;
    let mut out = every_row(
        a,
        t,
        &v.values,
        v.base_value,
        "margin (log-odds)",
        &format!(
            "LinearSHAP (Lundberg & Lee 2017), interventional, exact, against the mean of {nb} background rows"
        ),
    )?;
    out.background_rows = Some(nb);
    Ok(out)
}

/// KernelSHAP (Lundberg & Lee 2017) of `--explain-rows` rows against a seeded sample of
/// `--background` rows, on the model's probability.
pub fn kernel(
    a: &ExplainOptions,
    t: &RawTable,
    model: &dyn Predict,
) -> Result<ShapResult, ExplanationError> {
    let p = t.columns.len();
    let (bg, nb) = background_sample(t, a.background, a.seed);
    let background = Background::new(bg, nb, p).map_err(|e| e.to_string())?;
    let names: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
    let groups = FeatureGroups::singletons(&names);
    let explainer =
        KernelExplainer::new(model, background, Some(groups)).map_err(|e| e.to_string())?;
    let (rows, x) = explained_rows(a, t)?;
    let config = KernelShapConfig {
        n_samples: a.samples,
        seed: a.seed,
        ..KernelShapConfig::default()
    };
    let v = explainer
        .explain(&x, rows.len(), &config)
        .map_err(|e| format!("{}: {e}", t.path.display()))?;
    let sub_groups: Option<Vec<String>> = t
        .groups
        .as_ref()
        .map(|g| rows.iter().map(|&i| g[i].clone()).collect());
    let n_exact = v.exact.iter().filter(|&&e| e).count();
    let algorithm = if n_exact == v.exact.len() {
        "KernelSHAP, exact Shapley values: every coalition of each background row's game enumerated (Lundberg & Lee 2017; background decomposition)"
    } else {
        "KernelSHAP, paired sampling of coalitions with the Shapley kernel (Lundberg & Lee 2017), background rows whose games fit the budget solved exactly"
    };
    let mut out = summary(
        t,
        &v.values,
        rows.len(),
        sub_groups.as_deref(),
        a.rows_out,
        &rows,
        Basis {
            base_value: v.base_value,
            space: "the model's probability of the positive class (or its output)",
            algorithm,
        },
    )?;
    out.rows_exact = Some(n_exact);
    out.background_rows = Some(nb);
    out.model_evaluations = Some(v.model_evaluations);
    out.unique_evaluations = Some(v.unique_evaluations);
    Ok(out)
}

/// LIME (Ribeiro et al. 2016) of `--row` (or the first `--explain-rows` rows) with the `lime`
/// package's tabular defaults (quartile discretisation, 5,000 samples, kernel width
/// 0.75·√columns), the local model's fidelity (weighted R²) reported.
pub fn lime(
    a: &ExplainOptions,
    t: &RawTable,
    model: &dyn Predict,
) -> Result<LimeResult, ExplanationError> {
    use assay_explain::lime::{LimeConfig, LimeTabularExplainer};
    let p = t.columns.len();
    if let Some(i) = t.x.iter().position(|v| !v.is_finite()) {
        return Err(ExplanationError::from(format!(
            "{}: row {}, column '{}': LIME needs a value in every cell (the quartiles are learned from the data)",
            t.path.display(),
            i / p + 1,
            t.columns[i % p].name
        )));
    }
    let names: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
    let categorical: Vec<usize> = (0..p)
        .filter(|&j| t.columns[j].categories.is_some())
        .collect();
    let explainer =
        LimeTabularExplainer::new(&t.x, t.n, names, &categorical).map_err(|e| e.to_string())?;
    let (rows, x) = explained_rows(a, t)?;
    let cfg = LimeConfig {
        num_features: a.lime_features,
        seed: a.seed,
        ..LimeConfig::default()
    };
    let out = explainer
        .explain_rows(model, &x, rows.len(), &cfg)
        .map_err(|e| format!("{}: {e}", t.path.display()))?;
    let explained = rows
        .iter()
        .zip(&out)
        .map(|(&i, e)| {
            // Category codes in descriptions are shown as their text.
            let features = e
                .features
                .iter()
                .map(|f| {
                    let condition = match &t.columns[f.index].categories {
                        Some(_) => format!(
                            "{}={}",
                            t.columns[f.index].name,
                            match t.shown(f.index, t.x[i * p + f.index]) {
                                Some(Shown::Text(s)) => s,
                                _ => String::new(),
                            }
                        ),
                        None => f.description.clone(),
                    };
                    LimeFeature {
                        feature: t.columns[f.index].name.clone(),
                        condition,
                        weight: f.weight,
                    }
                })
                .collect();
            LimeRow {
                row: i + 1,
                prediction: e.prediction,
                local_prediction: e.local_prediction,
                intercept: e.intercept,
                fidelity: e.score,
                features,
            }
        })
        .collect();
    Ok(LimeResult {
        rows: explained,
        num_features: a.lime_features,
        num_samples: cfg.num_samples,
        algorithm: "LIME for tabular data (Ribeiro et al. 2016), the lime package's defaults"
            .into(),
    })
}
