//! Explaining a model on a table: permutation importance (for accuracy-type scores or a
//! fairness disparity, overall and within each sensitive group), partial dependence, ICE and
//! ALE (`assay_explain::inspection`), SHAP (exact TreeSHAP, KernelSHAP, linear SHAP), LIME,
//! counterfactuals and group recourse.
//!
//! The model's raw input columns are read into a dense matrix ([`table`]; categories as
//! codes into the model's category list) and explained through [`table::ModelPredict`],
//! which hands rows back to the model as a record batch, categories as their text, so that
//! any model assay opens is explained the same way; TreeSHAP and linear SHAP read the tree
//! ensemble or the logistic regression itself.

pub mod recourse;
pub mod shap;
pub mod table;

use std::path::{Path, PathBuf};

use assay_explain::inspection::{
    accumulated_local_effects, partial_dependence, permutation_importance,
    permutation_importance_by_group, FeatureImportance as RawImportance, GridSpec, PdFeature,
    PdKind, PermutationImportance, PermutationOptions, Scorer, Target,
};
use assay_explain::FeatureGroups;
use assay_model::learners::TrainedLogistic;
use assay_model::model::TreeModel;
use assay_model::Model;

use crate::input::TableInput;
use crate::reports::explain::{
    AleCurve, AleResult, ExplainResult, FeatureImportance, GroupImportance, Importance,
    PartialDependenceResult, PdCurve, PermutationResult,
};
use table::{ModelPredict, RawTable};

/// The explanation method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Method {
    /// Permutation importance (Breiman 2001; scikit-learn's `permutation_importance`).
    Permutation,
    /// Partial dependence (Friedman 2001).
    Pdp,
    /// Partial dependence with individual conditional expectation curves (Goldstein et al.
    /// 2015).
    Ice,
    /// Accumulated local effects (Apley & Zhu 2020).
    Ale,
    /// Counterfactuals of one row (Wachter et al. 2017; DiCE's diversity, Mothilal et al.
    /// 2020).
    Counterfactual,
    /// The cost of recourse by group (Ustun et al. 2019).
    Recourse,
    /// Exact TreeSHAP (Lundberg et al. 2020).
    TreeShap,
    /// KernelSHAP (Lundberg & Lee 2017).
    KernelShap,
    /// Exact SHAP of a logistic regression's margin.
    LinearShap,
    /// LIME (Ribeiro et al. 2016).
    Lime,
}

impl Method {
    /// Its name (`permutation`, `tree-shap`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Method::Permutation => "permutation",
            Method::Pdp => "pdp",
            Method::Ice => "ice",
            Method::Ale => "ale",
            Method::Counterfactual => "counterfactual",
            Method::Recourse => "recourse",
            Method::TreeShap => "tree-shap",
            Method::KernelShap => "kernel-shap",
            Method::LinearShap => "linear-shap",
            Method::Lime => "lime",
        }
    }
}

/// What to explain and how.
#[derive(Clone, Debug)]
pub struct ExplainOptions {
    /// The method.
    pub method: Method,
    /// The model file (named in messages and checks).
    pub model_path: PathBuf,
    /// Permutation importance: the score.
    pub scorer: Scorer,
    /// The explained input columns (empty: all).
    pub features: Vec<String>,
    /// The label column.
    pub label: Option<String>,
    /// The positive label value.
    pub positive: Option<String>,
    /// Sensitive columns (groups of the importance, SHAP summaries and recourse).
    pub sensitive: Vec<String>,
    /// Permutation importance: repeats.
    pub repeats: usize,
    /// Partial dependence: grid points.
    pub grid_resolution: usize,
    /// ALE: bins.
    pub ale_bins: usize,
    /// Counterfactuals, KernelSHAP, LIME: the 1-based row explained.
    pub row: Option<usize>,
    /// Counterfactuals and recourse: columns that may not change.
    pub immutable: Vec<String>,
    /// Counterfactuals and recourse: the range of numeric columns (column, low, high).
    pub ranges: Vec<(String, f64, f64)>,
    /// Counterfactuals: how many.
    pub count: usize,
    /// Counterfactuals and recourse: most features changed.
    pub max_changes: usize,
    /// Recourse: rows per group.
    pub per_group: usize,
    /// TreeSHAP: interventional instead of path-dependent.
    pub interventional: bool,
    /// TreeSHAP: XGBoost's float32 arithmetic.
    pub xgboost_float32: bool,
    /// Background rows (interventional TreeSHAP, KernelSHAP, linear SHAP).
    pub background: usize,
    /// Rows explained by KernelSHAP and LIME.
    pub explain_rows: usize,
    /// KernelSHAP: coalition samples (default: KernelSHAP's `2p + 2048`).
    pub samples: Option<usize>,
    /// LIME: features in each explanation.
    pub lime_features: usize,
    /// Per-row attributions written.
    pub rows_out: usize,
    /// Seed of every random choice.
    pub seed: u64,
}

/// Why an explanation was refused or failed. [`ExplanationError::Option`] names the option at
/// fault (a front end maps it to its flag).
#[derive(Debug, thiserror::Error)]
pub enum ExplanationError {
    /// An option is invalid for this model, table or method.
    #[error("{option}: {message}")]
    Option {
        /// The option (a field of [`ExplainOptions`]).
        option: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The table, the model or a method failed (file and cause in the message).
    #[error("{0}")]
    Failed(String),
}

impl ExplanationError {
    /// An error about `option`.
    pub fn option(option: &'static str, message: impl Into<String>) -> ExplanationError {
        ExplanationError::Option {
            option,
            message: message.into(),
        }
    }
}

impl From<String> for ExplanationError {
    fn from(message: String) -> Self {
        ExplanationError::Failed(message)
    }
}

impl From<&str> for ExplanationError {
    fn from(message: &str) -> Self {
        ExplanationError::Failed(message.to_string())
    }
}

/// The model as the methods need it: the model itself, and the tree ensemble (TreeSHAP) or
/// the logistic regression (linear SHAP) when the method reads it.
pub struct ExplainedModel<'a> {
    /// The model.
    pub model: &'a dyn Model,
    /// Its tree-ensemble view, for TreeSHAP.
    pub trees: Option<&'a TreeModel>,
    /// Its logistic regression, for linear SHAP.
    pub logistic: Option<&'a TrainedLogistic>,
}

/// A model file opened for an explanation method: the model, and the view the method reads
/// (the tree ensemble for TreeSHAP, [`crate::models::tree_ensemble`]; the logistic
/// regression for linear SHAP, [`crate::models::logistic`]).
pub struct OpenedModel {
    /// The model.
    pub model: Box<dyn Model>,
    /// Its tree-ensemble view (TreeSHAP only).
    pub trees: Option<TreeModel>,
    /// Its logistic regression (linear SHAP only).
    pub logistic: Option<TrainedLogistic>,
}

impl OpenedModel {
    /// The model with its views, as [`explain`] takes it.
    pub fn explained(&self) -> ExplainedModel<'_> {
        ExplainedModel {
            model: self.model.as_ref(),
            trees: self.trees.as_ref(),
            logistic: self.logistic.as_ref(),
        }
    }
}

/// Opens the model at `path` for `method`: TreeSHAP needs a tree ensemble
/// ([`crate::CoreError::NotTreeEnsemble`] otherwise) and linear SHAP assay's logistic regression
/// ([`crate::CoreError::NotLogistic`]); every other method takes any model.
pub fn open_model(path: &Path, method: Method) -> Result<OpenedModel, crate::CoreError> {
    Ok(match method {
        Method::TreeShap => {
            let trees = crate::models::tree_ensemble(path)?;
            OpenedModel {
                model: Box::new(trees.clone()),
                trees: Some(trees),
                logistic: None,
            }
        }
        Method::LinearShap => {
            let logistic = crate::models::logistic(path)?;
            OpenedModel {
                model: Box::new(assay_model::model::LogisticModel::new(logistic.clone())),
                trees: None,
                logistic: Some(logistic),
            }
        }
        _ => OpenedModel {
            model: crate::models::open(path)?,
            trees: None,
            logistic: None,
        },
    })
}

/// An explanation.
pub struct Explanation {
    /// The table explained.
    pub path: PathBuf,
    /// Its rows.
    pub rows: usize,
    /// The model's input columns.
    pub features: usize,
    /// The result.
    pub result: ExplainResult,
    /// What the explained output is, in words.
    pub output: String,
}

/// A permutation importance for the report, features sorted by mean importance (largest
/// first).
pub fn importance(r: &PermutationImportance) -> Importance {
    let mut features: Vec<&RawImportance> = r.features.iter().collect();
    features.sort_by(|a, b| b.mean.total_cmp(&a.mean));
    Importance {
        baseline: r.baseline,
        level: r.level,
        features: features
            .iter()
            .map(|f| FeatureImportance {
                feature: f.name.clone(),
                mean: f.mean,
                std: f.std,
                interval: [f.interval.0, f.interval.1],
                repeats: f.importances.clone(),
            })
            .collect(),
    }
}

/// The indices of the explained columns (all, or those named).
fn selected(o: &ExplainOptions, t: &RawTable) -> Result<Vec<usize>, ExplanationError> {
    if o.features.is_empty() {
        return Ok((0..t.columns.len()).collect());
    }
    o.features
        .iter()
        .map(|f| {
            t.columns.iter().position(|c| &c.name == f).ok_or_else(|| {
                ExplanationError::option(
                    "features",
                    format!(
                        "'{f}' is not an input of the model (inputs: {})",
                        t.columns
                            .iter()
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
        })
        .collect()
}

/// Explains `m` on `data`; `progress` is told the curves done (partial dependence).
pub fn explain(
    input: &TableInput,
    data: &Path,
    m: &ExplainedModel,
    o: &ExplainOptions,
    progress: &dyn Fn(u64),
) -> Result<Explanation, ExplanationError> {
    let model = m.model;
    let needs_label =
        o.method == Method::Permutation && o.scorer != Scorer::DemographicParityDifference;
    if needs_label && o.label.is_none() {
        return Err(ExplanationError::option(
            "label",
            format!(
                "permutation importance with the {} scorer needs the true outcome: name the label column",
                o.scorer.key()
            ),
        ));
    }
    if o.method == Method::Permutation && o.scorer.is_disparity() && o.sensitive.is_empty() {
        return Err(ExplanationError::option(
            "sensitive",
            "a disparity scorer compares the groups of the sensitive columns; name them",
        ));
    }
    let t = table::read(
        input,
        data,
        model,
        if needs_label || (o.method == Method::Permutation && o.label.is_some()) {
            o.label.as_deref()
        } else {
            None
        },
        o.positive.as_deref(),
        if matches!(
            o.method,
            Method::Permutation
                | Method::Recourse
                | Method::TreeShap
                | Method::KernelShap
                | Method::LinearShap
        ) {
            &o.sensitive
        } else {
            &[]
        },
    )?;
    let cols = selected(o, &t)?;
    let predict = ModelPredict::new(model, &t.columns)?;
    let p = t.columns.len();
    let err = |e: assay_explain::ExplainError| format!("{}: {e}", t.path.display());
    let result: ExplainResult = match o.method {
        Method::Permutation => {
            let zeros;
            let y: &[f64] = match &t.y {
                Some(y) => y,
                None => {
                    zeros = vec![0.0; t.n];
                    &zeros
                }
            };
            let (codes, names) = match &t.groups {
                Some(g) => {
                    let (c, n) = table::group_codes(g);
                    (Some(c), n)
                }
                None => (None, Vec::new()),
            };
            let target = Target {
                y,
                sample_weight: None,
                groups: codes.as_deref(),
                threshold: 0.5,
            };
            let groups = FeatureGroups {
                names: cols.iter().map(|&j| t.columns[j].name.clone()).collect(),
                members: cols.iter().map(|&j| vec![j]).collect(),
            };
            let opts = PermutationOptions {
                n_repeats: o.repeats,
                seed: o.seed,
                level: 0.95,
            };
            let s = o.scorer;
            let r = permutation_importance(&predict, &t.x, t.n, &target, &groups, s, &opts)
                .map_err(err)?;
            let by_group = if codes.is_some() && !s.is_disparity() {
                permutation_importance_by_group(&predict, &t.x, t.n, &target, &groups, s, &opts)
                    .map_err(err)?
                    .into_iter()
                    .map(|(g, imp)| GroupImportance {
                        group: names[g].clone(),
                        importance: importance(&imp),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            ExplainResult::Permutation(PermutationResult {
                scorer: s.key().into(),
                importance: importance(&r),
                by_group,
                groups: names,
            })
        }
        Method::Pdp | Method::Ice => {
            let kind = if o.method == Method::Ice {
                PdKind::Both
            } else {
                PdKind::Average
            };
            let spec = GridSpec {
                grid_resolution: o.grid_resolution,
                ..GridSpec::default()
            };
            let mut curves = Vec::new();
            for &j in &cols {
                let f = if t.columns[j].categories.is_some() {
                    PdFeature::categorical(j)
                } else {
                    PdFeature::numeric(j)
                };
                let pd = partial_dependence(&predict, &t.x, t.n, &[f], &spec, kind, None)
                    .map_err(err)?;
                let grid = pd.grid_values[0].iter().map(|&v| t.shown(j, v)).collect();
                let k = pd.grid_values[0].len();
                curves.push(PdCurve {
                    feature: t.columns[j].name.clone(),
                    categorical: t.columns[j].categories.is_some(),
                    grid,
                    individual: pd
                        .individual
                        .map(|ice| ice.chunks(k).map(<[f64]>::to_vec).collect()),
                    grid_values: pd.grid_values[0].clone(),
                    average: pd.average,
                });
                progress(curves.len() as u64);
            }
            ExplainResult::PartialDependence(PartialDependenceResult {
                curves,
                grid_resolution: o.grid_resolution,
                percentiles: [0.05, 0.95],
            })
        }
        Method::Ale => {
            let mut curves = Vec::new();
            let mut skipped = Vec::new();
            for &j in &cols {
                if t.columns[j].categories.is_some() {
                    skipped.push(t.columns[j].name.clone());
                    continue;
                }
                let ale =
                    accumulated_local_effects(&predict, &t.x, t.n, j, o.ale_bins).map_err(err)?;
                curves.push(AleCurve {
                    feature: t.columns[j].name.clone(),
                    edges: ale.edges,
                    effect: ale.effect,
                    counts: ale.counts,
                });
            }
            ExplainResult::Ale(AleResult {
                curves,
                bins: o.ale_bins,
                not_explained_categorical: skipped,
            })
        }
        Method::Counterfactual => {
            ExplainResult::Counterfactual(recourse::counterfactual(o, &t, &predict)?)
        }
        Method::Recourse => ExplainResult::Recourse(recourse::recourse(o, &t, &predict)?),
        Method::TreeShap => {
            let trees = m.trees.ok_or("TreeSHAP needs the model's tree ensemble")?;
            ExplainResult::Shap(shap::tree(o, &t, trees)?)
        }
        Method::KernelShap => ExplainResult::Shap(shap::kernel(o, &t, &predict)?),
        Method::LinearShap => {
            let logistic = m
                .logistic
                .ok_or("linear SHAP needs the model's logistic regression")?;
            ExplainResult::Shap(shap::linear(o, &t, &predict, logistic)?)
        }
        Method::Lime => ExplainResult::Lime(shap::lime(o, &t, &predict)?),
    };
    let output = match (o.method, model.classes()) {
        (Method::TreeShap | Method::LinearShap, Some(c)) if c.len() == 2 => {
            format!("margin (log-odds of '{}')", c[1])
        }
        (Method::TreeShap, _) => "margin (the ensemble's raw output)".to_string(),
        (_, Some(c)) if c.len() == 2 => format!("probability of '{}'", c[1]),
        _ => model.outputs().first().cloned().unwrap_or_default(),
    };
    Ok(Explanation {
        path: t.path.clone(),
        rows: t.n,
        features: p,
        result,
        output,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models;

    const MODEL: &str = "../../tests/reference/models/xgb_binary.json";
    const COLUMNS: [&str; 9] = [
        "age",
        "fnlwgt",
        "education-num",
        "capital-gain",
        "capital-loss",
        "hours-per-week",
        "workclass",
        "occupation",
        "relationship",
    ];

    /// 60 rows of plausible Adult-like inputs (categorical columns as the numeric codes the
    /// model was trained with).
    fn table(dir: &Path) -> PathBuf {
        let mut text = COLUMNS.join(",") + "\n";
        for i in 0..60u64 {
            let u = |k: u64| assay_numerics::random::counter_uniform(i, k);
            text.push_str(&format!(
                "{},{},{},{},{},{},{},{},{}\n",
                18 + (u(0) * 60.0) as u32,
                20_000 + (u(1) * 300_000.0) as u32,
                1 + (u(2) * 15.0) as u32,
                if u(3) < 0.1 { 5_000 } else { 0 },
                0,
                20 + (u(4) * 40.0) as u32,
                (u(5) * 7.0) as u32,
                (u(6) * 13.0) as u32,
                (u(7) * 5.0) as u32,
            ));
        }
        let p = dir.join("adult-like.csv");
        std::fs::write(&p, text).unwrap();
        p
    }

    fn options(method: Method) -> ExplainOptions {
        ExplainOptions {
            method,
            model_path: MODEL.into(),
            scorer: Scorer::Accuracy,
            features: Vec::new(),
            label: None,
            positive: None,
            sensitive: Vec::new(),
            repeats: 3,
            grid_resolution: 5,
            ale_bins: 5,
            row: None,
            immutable: Vec::new(),
            ranges: Vec::new(),
            count: 2,
            max_changes: 2,
            per_group: 10,
            interventional: false,
            xgboost_float32: false,
            background: 20,
            explain_rows: 5,
            samples: None,
            lime_features: 3,
            rows_out: 100,
            seed: 1,
        }
    }

    #[test]
    fn tree_shap_rows_add_up_to_the_margin() {
        let dir = tempfile::tempdir().unwrap();
        let data = table(dir.path());
        let trees = models::tree_ensemble(Path::new(MODEL)).unwrap();
        let m = ExplainedModel {
            model: &trees,
            trees: Some(&trees),
            logistic: None,
        };
        let e = explain(
            &TableInput::default(),
            &data,
            &m,
            &options(Method::TreeShap),
            &|_| {},
        )
        .unwrap();
        assert_eq!((e.rows, e.features), (60, 9));
        assert_eq!(e.output, "margin (log-odds of '1')");
        let ExplainResult::Shap(s) = e.result else {
            panic!("not SHAP")
        };
        assert_eq!(s.rows.len(), 60);
        let ens = trees.ensemble();
        let text = std::fs::read_to_string(&data).unwrap();
        for (row, line) in s.rows.iter().zip(text.lines().skip(1)) {
            let x: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
            let total = s.base_value + row.values.iter().sum::<f64>();
            assert!((total - ens.margin_row(&x)).abs() < 1e-6, "row {}", row.row);
        }
    }

    #[test]
    fn options_at_fault_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let data = table(dir.path());
        let model = models::open(Path::new(MODEL)).unwrap();
        let m = ExplainedModel {
            model: model.as_ref(),
            trees: None,
            logistic: None,
        };
        let run = |o: ExplainOptions| {
            explain(&TableInput::default(), &data, &m, &o, &|_| {})
                .err()
                .unwrap()
        };
        let mut unknown = options(Method::Pdp);
        unknown.features = vec!["height".into()];
        assert!(matches!(
            run(unknown),
            ExplanationError::Option {
                option: "features",
                ..
            }
        ));
        let mut far = options(Method::Counterfactual);
        far.row = Some(61);
        assert!(matches!(
            run(far),
            ExplanationError::Option { option: "row", .. }
        ));
        assert!(matches!(
            run(options(Method::Permutation)),
            ExplanationError::Option {
                option: "label",
                ..
            }
        ));
        let mut pdp = options(Method::Pdp);
        pdp.features = vec!["age".into()];
        let e = explain(&TableInput::default(), &data, &m, &pdp, &|_| {}).unwrap();
        let ExplainResult::PartialDependence(r) = e.result else {
            panic!("not PDP")
        };
        assert_eq!(r.curves.len(), 1);
        let average = r.curves[0].average.as_ref().unwrap();
        assert_eq!(average.len(), r.curves[0].grid_values.len());
    }

    #[test]
    fn a_model_is_opened_with_the_view_its_method_reads() {
        let trees = open_model(Path::new(MODEL), Method::TreeShap).unwrap();
        assert!(trees.trees.is_some() && trees.logistic.is_none());
        let any = open_model(Path::new(MODEL), Method::Permutation).unwrap();
        assert!(any.trees.is_none() && any.logistic.is_none());
        assert_eq!(
            any.model.input_schema().names(),
            trees.model.input_schema().names()
        );
        assert!(matches!(
            open_model(Path::new(MODEL), Method::LinearShap),
            Err(crate::CoreError::NotLogistic { .. })
        ));
    }
}
