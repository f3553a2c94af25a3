//! What `assay model inspect` reports about a model file: its format, the columns it reads, its
//! outputs and classes, and its structure (tree count, depth and leaves of tree ensembles;
//! producer, opsets and operators of ONNX graphs; coefficients of logistic regressions).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::{load_model_as, ColumnKind, ModelFormat};
use crate::onnx::runtime::OnnxModel;
use crate::{ModelError, TreeEnsemble};

/// One input column of the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InputSummary {
    /// Column name.
    pub name: String,
    /// How the model reads it: `numeric`, `category codes`, `categories (n known)` or `text`.
    pub kind: String,
}

/// One structural fact (`trees` → `200`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Detail {
    /// What is described.
    pub key: String,
    /// Its value, as text.
    pub value: String,
}

/// The summary of a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ModelSummary {
    /// The model file.
    pub path: String,
    /// Its format (`xgboost`, `lightgbm`, `onnx`, `assay.logistic/1`, `assay.gbdt/1`).
    pub format: String,
    /// The columns it reads, in order.
    pub inputs: Vec<InputSummary>,
    /// The names of its outputs (one per score column).
    pub outputs: Vec<String>,
    /// Class labels of a classifier, in the order of its probabilities.
    pub classes: Option<Vec<String>>,
    /// Structure: counts, depths, operators, objective.
    pub details: Vec<Detail>,
}

/// A detail line of a summary.
pub fn detail(key: &str, value: impl ToString) -> Detail {
    Detail {
        key: key.to_string(),
        value: value.to_string(),
    }
}

fn format_name(f: ModelFormat) -> &'static str {
    match f {
        ModelFormat::Xgboost => "xgboost",
        ModelFormat::Lightgbm => "lightgbm",
        ModelFormat::AssayLogistic => crate::learners::schema::FORMAT,
        ModelFormat::AssayGbdt => crate::learners::schema::GBDT_FORMAT,
        ModelFormat::AssayTree => crate::learners::schema::TREE_FORMAT,
        ModelFormat::Onnx => "onnx",
    }
}

/// The structure of a tree ensemble.
pub fn tree_details(e: &TreeEnsemble) -> Vec<Detail> {
    let depths: Vec<usize> = e.trees.iter().map(|t| t.depth()).collect();
    let leaves: usize = e.trees.iter().map(|t| t.n_leaves()).sum();
    let nodes: usize = e.trees.iter().map(|t| t.n_nodes()).sum();
    vec![
        detail("trees", e.trees.len()),
        detail("max depth", depths.iter().max().copied().unwrap_or(0)),
        detail(
            "mean depth",
            format!(
                "{:.2}",
                depths.iter().sum::<usize>() as f64 / depths.len().max(1) as f64
            ),
        ),
        detail("nodes", nodes),
        detail("leaves", leaves),
        detail("features", e.n_features),
        detail("categorical features", e.categorical_features.len()),
        detail("objective", &e.objective.name),
        detail("base score (margin)", e.base_score),
        detail(
            "source",
            match &e.source {
                crate::tree::Source::XGBoost { version } => format!(
                    "XGBoost {}",
                    version
                        .iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join(".")
                ),
                crate::tree::Source::LightGBM { version } => format!("LightGBM {version}"),
                crate::tree::Source::Assay { version } => format!("assay {version}"),
                crate::tree::Source::Onnx { producer } => format!("ONNX ({producer})"),
            },
        ),
    ]
}

/// The input columns of `model`, each with the kind of values it reads, in words.
pub fn input_summaries(model: &dyn crate::Model) -> Vec<InputSummary> {
    model
        .input_schema()
        .columns
        .iter()
        .map(|c| InputSummary {
            name: c.name.clone(),
            kind: match &c.kind {
                ColumnKind::Numeric => "numeric".into(),
                ColumnKind::Codes => "category codes".into(),
                ColumnKind::Categories(c) => format!("categories ({} known)", c.len()),
                ColumnKind::OpenCategories(c) => {
                    format!("categories ({} known, others accepted)", c.len())
                }
                ColumnKind::Text => "text".into(),
            },
        })
        .collect()
}

/// Loads the model at `path` (format given or detected) and summarises it.
pub fn inspect(path: &Path, format: Option<ModelFormat>) -> Result<ModelSummary, ModelError> {
    let format = match format {
        Some(f) => f,
        None => ModelFormat::detect(path)?,
    };
    let model = load_model_as(path, format, None)?;
    let inputs = input_summaries(model.as_ref());
    let details = match format {
        ModelFormat::Xgboost => tree_details(&crate::xgboost::load(path)?),
        ModelFormat::Lightgbm => tree_details(&crate::lightgbm::load(path)?),
        ModelFormat::AssayTree => {
            let m = crate::learners::TrainedTree::load(path)?;
            let mut d = vec![detail("label", &m.label)];
            d.extend(tree_details(&m.model));
            d
        }
        ModelFormat::AssayGbdt => {
            let m = crate::learners::TrainedGbdt::load(path)?;
            let mut d = vec![detail("label", &m.label)];
            d.extend(tree_details(&m.model));
            d
        }
        ModelFormat::AssayLogistic => {
            let m = crate::learners::TrainedLogistic::load(path)?;
            vec![
                detail("label", &m.label),
                detail("encoded features", m.n_features()),
                detail(
                    "coefficients",
                    m.model.coef.iter().map(|r| r.len()).sum::<usize>(),
                ),
                detail("C (inverse L2 strength)", m.model.params.c),
                detail("Newton iterations", m.model.n_iter),
                detail("converged", m.model.converged),
            ]
        }
        ModelFormat::Onnx => {
            let m = OnnxModel::load(path)?;
            let info = m.info();
            let mut d = vec![detail("producer", &info.producer)];
            d.push(detail(
                "opsets",
                info.opsets
                    .iter()
                    .map(|(dom, v)| format!("{} {v}", if dom.is_empty() { "ai.onnx" } else { dom }))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
            d.push(detail(
                "operators",
                info.operators
                    .iter()
                    .map(|(op, n)| format!("{op}×{n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
            for (name, trees, depth) in &info.tree_ensembles {
                d.push(detail(
                    &format!("tree ensemble {name}"),
                    format!("{trees} trees, max depth {depth}"),
                ));
            }
            for (name, ty) in &info.outputs {
                d.push(detail(&format!("graph output {name}"), ty));
            }
            d.push(detail(
                "graph inputs",
                m.inputs()
                    .iter()
                    .map(|i| {
                        format!(
                            "{} {:?}[{}]",
                            i.name,
                            i.ty,
                            i.shape
                                .iter()
                                .map(|s| s.map_or("N".to_string(), |v| v.to_string()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
            d
        }
    };
    Ok(ModelSummary {
        path: path.display().to_string(),
        format: format_name(format).to_string(),
        inputs,
        outputs: model.outputs().to_vec(),
        classes: model.classes().map(|c| c.to_vec()),
        details,
    })
}
