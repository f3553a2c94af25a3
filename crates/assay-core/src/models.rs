//! Opening any model file assay reads, the one place that knows the formats (issue #16: the
//! CLI had four openers, so which formats `--model` accepted depended on the command).
//!
//! Every model is used through [`assay_model::Model`]: named input columns, class labels,
//! batched scoring and its own decision rule ([`assay_model::Model::decide`]). Two methods
//! need more than the trait: TreeSHAP walks the trees ([`tree_ensemble`]) and linear SHAP reads
//! the coefficients ([`logistic`]).

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use assay_mitigation::model::EmbeddedModel;
use assay_mitigation::MitigatedModel;
use assay_model::inspect::{detail, input_summaries, ModelSummary};
use assay_model::learners::{TrainedGbdt, TrainedLogistic, TrainedTree};
use assay_model::model::{LogisticModel, ModelFormat, TreeModel};
use assay_model::onnx::export_prepared::PreparedOnnx;
use assay_model::{Model, ModelError};

use crate::CoreError;

/// The model file formats assay reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// XGBoost JSON (`Booster.save_model("m.json")`).
    Xgboost,
    /// LightGBM text (`Booster.save_model("m.txt")`).
    Lightgbm,
    /// A logistic regression saved by `assay train --learner logistic` (`assay.logistic/1`).
    Logistic,
    /// Gradient-boosted trees saved by `assay train --learner gbdt` (`assay.gbdt/1`).
    Gbdt,
    /// A CART decision tree saved by `assay train --learner tree` (`assay.tree/1`).
    Tree,
    /// An ONNX graph (scikit-learn pipelines exported with skl2onnx, PyTorch exports, assay's
    /// own exports), run by `assay_model::onnx::runtime`.
    Onnx,
    /// A model saved by `assay mitigate` (`assay.mitigated/1`): a base model with a fairness
    /// post-processing, mixture or reweighting.
    Mitigated,
}

impl Format {
    /// Every format, in the order above.
    pub const ALL: [Format; 7] = [
        Format::Xgboost,
        Format::Lightgbm,
        Format::Logistic,
        Format::Gbdt,
        Format::Tree,
        Format::Onnx,
        Format::Mitigated,
    ];

    /// The short name: `xgboost`, `lightgbm`, `logistic`, `gbdt`, `tree`, `onnx`, `mitigated`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Xgboost => "xgboost",
            Format::Lightgbm => "lightgbm",
            Format::Logistic => "logistic",
            Format::Gbdt => "gbdt",
            Format::Tree => "tree",
            Format::Onnx => "onnx",
            Format::Mitigated => "mitigated",
        }
    }

    /// Parses a short name or a schema tag (`assay.logistic/1`, `assay.mitigated/1`, ...),
    /// case-insensitively.
    pub fn parse(name: &str) -> Option<Format> {
        if name.eq_ignore_ascii_case("mitigated")
            || name.eq_ignore_ascii_case(assay_mitigation::model::FORMAT)
        {
            return Some(Format::Mitigated);
        }
        ModelFormat::parse(name).map(Format::from_model_format)
    }

    /// Detects the format of a model file: a mitigated model by its `format` tag, else as
    /// [`ModelFormat::detect`] does (assay's format tags, the extension, the first bytes).
    pub fn detect(path: &Path) -> Result<Format, CoreError> {
        if MitigatedModel::is_mitigated(path) {
            return Ok(Format::Mitigated);
        }
        match ModelFormat::detect(path) {
            Ok(f) => Ok(Format::from_model_format(f)),
            Err(ModelError::Unsupported { path, message }) => {
                Err(CoreError::UnknownFormat { path, message })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The format of assay-model's loaders; `None` for a mitigated model.
    fn model_format(self) -> Option<ModelFormat> {
        Some(match self {
            Format::Xgboost => ModelFormat::Xgboost,
            Format::Lightgbm => ModelFormat::Lightgbm,
            Format::Logistic => ModelFormat::AssayLogistic,
            Format::Gbdt => ModelFormat::AssayGbdt,
            Format::Tree => ModelFormat::AssayTree,
            Format::Onnx => ModelFormat::Onnx,
            Format::Mitigated => return None,
        })
    }

    fn from_model_format(f: ModelFormat) -> Format {
        match f {
            ModelFormat::Xgboost => Format::Xgboost,
            ModelFormat::Lightgbm => Format::Lightgbm,
            ModelFormat::AssayLogistic => Format::Logistic,
            ModelFormat::AssayGbdt => Format::Gbdt,
            ModelFormat::AssayTree => Format::Tree,
            ModelFormat::Onnx => Format::Onnx,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How to open a model: its format (detected when `None`) and, for models that take their
/// input by feature position (tree ensembles, ONNX graphs), the input column of each feature,
/// in order (the names stored in the model when `None`).
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// The format; detected from the file when `None`.
    pub format: Option<Format>,
    /// The input column of each model feature, in order.
    pub columns: Option<Vec<String>>,
}

/// An opened model.
pub struct OpenedModel {
    /// The model.
    pub model: Box<dyn Model>,
    /// Its file format.
    pub format: Format,
    /// Per input column of [`Model::input_schema`], the model feature it feeds when
    /// [`OpenOptions::columns`] gave it another name than the model's own (`None` where the
    /// names agree), for messages about a column.
    pub feature_of_column: Vec<Option<FeatureRef>>,
}

/// A model feature: its position and the name the model stores for it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureRef {
    /// 0-based position among the model's features.
    pub index: usize,
    /// The name stored in the model.
    pub name: Option<String>,
}

impl fmt::Debug for OpenedModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedModel")
            .field("format", &self.format)
            .field("inputs", &self.model.input_schema().names())
            .field("feature_of_column", &self.feature_of_column)
            .finish()
    }
}

/// A model as loaded, before the columns' errors get the file's name.
type Loaded = Result<Box<dyn Model>, ModelError>;

/// Opens the model at `path` in any format (detected), reading the columns named in it.
pub fn open(path: &Path) -> Result<Box<dyn Model>, CoreError> {
    Ok(open_with(path, &OpenOptions::default())?.model)
}

/// Opens the model at `path` as `options` say.
pub fn open_with(path: &Path, options: &OpenOptions) -> Result<OpenedModel, CoreError> {
    let format = match options.format {
        Some(f) => f,
        None => Format::detect(path)?,
    };
    let shown = || path.display().to_string();
    let columns = options.columns.clone();
    let renaming = columns.is_some();
    // The model (or why it cannot take the columns) and the feature names it stores.
    let (model, names): (Loaded, Option<Vec<String>>) = match format {
        Format::Logistic | Format::Mitigated if renaming => {
            return Err(CoreError::CannotRename {
                path: shown(),
                format,
            })
        }
        Format::Logistic => (
            TrainedLogistic::load(path)
                .map(|m| Box::new(LogisticModel::new(m)) as Box<dyn Model>)
                .map_err(ModelError::from),
            None,
        ),
        Format::Mitigated => (
            open_mitigated(path).map(|m| Box::new(m) as Box<dyn Model>),
            None,
        ),
        Format::Xgboost | Format::Lightgbm => {
            let ensemble = if format == Format::Xgboost {
                assay_model::xgboost::load(path)?
            } else {
                assay_model::lightgbm::load(path)?
            };
            let names = ensemble.feature_names.clone();
            (
                TreeModel::new(ensemble, columns).map(|m| Box::new(m) as Box<dyn Model>),
                names,
            )
        }
        Format::Gbdt => {
            let m = TrainedGbdt::load(path).map_err(ModelError::from)?;
            let names = Some(m.feature_names.clone());
            (
                TreeModel::from_gbdt(m, columns).map(|m| Box::new(m) as Box<dyn Model>),
                names,
            )
        }
        Format::Tree => {
            let m = TrainedTree::load(path).map_err(ModelError::from)?;
            let names = Some(m.feature_names.clone());
            (
                TreeModel::from_tree(m, columns).map(|m| Box::new(m) as Box<dyn Model>),
                names,
            )
        }
        Format::Onnx => {
            let m = assay_model::onnx::runtime::OnnxModel::load(path)?;
            let names: Vec<String> = m
                .input_schema()
                .names()
                .iter()
                .map(|s| s.to_string())
                .collect();
            let m = match columns {
                Some(c) => m.with_columns(c),
                None => Ok(m),
            };
            (m.map(|m| Box::new(m) as Box<dyn Model>), Some(names))
        }
    };
    let model = model.map_err(|e| column_error(path, e))?;
    let feature_of_column = model
        .input_schema()
        .columns
        .iter()
        .enumerate()
        .map(|(f, c)| {
            if !renaming {
                return None;
            }
            match names.as_ref().and_then(|n| n.get(f)) {
                Some(n) if *n == c.name => None,
                name => Some(FeatureRef {
                    index: f,
                    name: name.cloned(),
                }),
            }
        })
        .collect();
    Ok(OpenedModel {
        model,
        format,
        feature_of_column,
    })
}

/// Opens a mitigated model and, when it post-processes an embedded prefit model, that model.
fn open_mitigated(path: &Path) -> Result<MitigatedModel, ModelError> {
    let mut m = MitigatedModel::load(path)?;
    if let Some(embedded) = m.base_model.clone() {
        let invalid = |message: String| ModelError::Invalid {
            path: path.display().to_string(),
            message,
        };
        let base = open_embedded(&embedded)
            .map_err(|e| invalid(format!("its embedded base model ({}): {e}", embedded.file)))?;
        m.attach_prefit(Arc::from(base)).map_err(invalid)?;
    }
    Ok(m)
}

/// Opens a model embedded in a mitigated model. The model loaders read files (the formats'
/// parsers are written for paths, and ONNX graphs are mapped from files), so the checked
/// bytes go through a private temporary file.
fn open_embedded(embedded: &EmbeddedModel) -> Result<Box<dyn Model>, String> {
    let format = Format::parse(&embedded.format)
        .ok_or_else(|| format!("unknown format '{}'", embedded.format))?;
    let bytes = embedded.bytes()?;
    let mut file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    std::io::Write::write_all(&mut file, &bytes).map_err(|e| e.to_string())?;
    let options = OpenOptions {
        format: Some(format),
        columns: None,
    };
    open_with(file.path(), &options)
        .map(|o| o.model)
        .map_err(|e| e.to_string())
}

/// A model file opened to be post-processed by a mitigation (Fairlearn's `prefit=True`): the
/// model, and the file embedded so that the mitigated model is self-contained.
#[derive(Clone)]
pub struct Prefit {
    /// The opened model.
    pub model: Arc<dyn Model>,
    /// Its format.
    pub format: Format,
    /// The file, embedded.
    pub embedded: EmbeddedModel,
}

impl fmt::Debug for Prefit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prefit")
            .field("format", &self.format)
            .field("file", &self.embedded.file)
            .field("sha256", &self.embedded.sha256)
            .finish()
    }
}

/// Opens the binary classifier at `path` (any format, a mitigated model included: a reweighed
/// model can be calibrated) to be post-processed, with its bytes embedded ([`Prefit`]).
pub fn prefit(path: &Path) -> Result<Prefit, CoreError> {
    let opened = open_with(path, &OpenOptions::default())?;
    let binary =
        opened.model.outputs().len() == 1 && opened.model.classes().is_some_and(|c| c.len() == 2);
    if !binary {
        return Err(CoreError::NotBinary {
            path: path.display().to_string(),
            outputs: opened.model.outputs().join(", "),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| ModelError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    Ok(Prefit {
        model: Arc::from(opened.model),
        format: opened.format,
        embedded: EmbeddedModel::new(opened.format.name(), &file, &bytes),
    })
}

/// Describes the model file at `path` (format given or detected): its input columns, outputs,
/// classes and structure ([`assay_model::inspect`]); a mitigated model with its method,
/// groups, decision and, when it post-processes a prefit model, that model's file and digest.
pub fn inspect(path: &Path, format: Option<Format>) -> Result<ModelSummary, CoreError> {
    let format = match format {
        Some(f) => f,
        None => Format::detect(path)?,
    };
    let Some(model_format) = format.model_format() else {
        let m = open_mitigated(path)?;
        let mut details = vec![
            detail("method", &m.method),
            detail("label", &m.label),
            detail("sensitive columns", m.sensitive.join(", ")),
            detail("groups", m.groups.join(", ")),
            detail("reads the sensitive columns", m.sensitive_at_decision),
            detail("randomized", m.is_randomized()),
            detail("seed", m.seed),
        ];
        match &m.base_model {
            Some(b) => details.push(detail(
                "base model",
                format!("prefit {} {} (SHA-256 {})", b.format, b.file, b.sha256),
            )),
            None => details.push(detail("encoded features", m.features.len())),
        }
        return Ok(ModelSummary {
            path: path.display().to_string(),
            format: assay_mitigation::model::FORMAT.to_string(),
            inputs: input_summaries(&m),
            outputs: m.outputs().to_vec(),
            classes: m.classes().map(<[String]>::to_vec),
            details,
        });
    };
    Ok(assay_model::inspect::inspect(path, Some(model_format))?)
}

/// The ONNX graph on the raw table columns of a model saved by `assay train` (logistic, gbdt,
/// tree) or `assay mitigate` ([`assay_model::onnx::export_prepared`],
/// [`assay_mitigation::export`]); other formats have no saved feature preparation to export.
pub fn export_onnx(path: &Path) -> Result<PreparedOnnx, CoreError> {
    let exported = match Format::detect(path)? {
        Format::Mitigated => assay_mitigation::export::to_prepared_onnx(&open_mitigated(path)?),
        Format::Logistic => TrainedLogistic::load(path)
            .map_err(ModelError::from)?
            .to_prepared_onnx(),
        Format::Gbdt => TrainedGbdt::load(path)
            .map_err(ModelError::from)?
            .to_prepared_onnx(),
        Format::Tree => TrainedTree::load(path)
            .map_err(ModelError::from)?
            .to_prepared_onnx(),
        format => {
            return Err(CoreError::NoFeaturePreparation {
                path: path.display().to_string(),
                format,
            })
        }
    };
    exported.map_err(|e| CoreError::Export {
        path: path.display().to_string(),
        source: e,
    })
}

/// A model error about the input columns, with the file named.
fn column_error(path: &Path, e: ModelError) -> CoreError {
    match e {
        ModelError::NoFeatureNames { n_features } => CoreError::NeedsColumnNames {
            path: path.display().to_string(),
            n_features,
        },
        ModelError::ColumnCount { expected, found } => CoreError::ColumnCount {
            path: path.display().to_string(),
            expected,
            found,
        },
        e => e.into(),
    }
}

/// The tree-ensemble view of a model file, for methods that walk the trees (TreeSHAP): an
/// XGBoost, LightGBM, assay gbdt or tree model, or an ONNX graph of one `TreeEnsemble`
/// operator; its input columns are the ensemble's features, in order, by the names the model
/// stores ([`CoreError::NeedsColumnNames`] when it stores none, as an ONNX graph whose one
/// input is a tensor of all features).
pub fn tree_ensemble(path: &Path) -> Result<TreeModel, CoreError> {
    let not_trees = |detail: Option<String>| CoreError::NotTreeEnsemble {
        path: path.display().to_string(),
        detail,
    };
    let m = match Format::detect(path)? {
        Format::Xgboost => TreeModel::new(assay_model::xgboost::load(path)?, None),
        Format::Lightgbm => TreeModel::new(assay_model::lightgbm::load(path)?, None),
        Format::Gbdt => {
            TreeModel::from_gbdt(TrainedGbdt::load(path).map_err(ModelError::from)?, None)
        }
        Format::Tree => {
            TreeModel::from_tree(TrainedTree::load(path).map_err(ModelError::from)?, None)
        }
        Format::Onnx => {
            let e = assay_model::onnx::to_ensemble::tree_ensemble_from_onnx(path)
                .map_err(|e| not_trees(Some(e.to_string())))?;
            TreeModel::new(e, None)
        }
        Format::Logistic | Format::Mitigated => return Err(not_trees(None)),
    };
    m.map_err(|e| column_error(path, e))
}

/// assay's logistic regression of a model file, for methods that read its coefficients
/// (linear SHAP).
pub fn logistic(path: &Path) -> Result<TrainedLogistic, CoreError> {
    match Format::detect(path)? {
        Format::Logistic => Ok(TrainedLogistic::load(path).map_err(ModelError::from)?),
        _ => Err(CoreError::NotLogistic {
            path: path.display().to_string(),
        }),
    }
}

/// A model saved by `assay train`, with its training settings and feature encoding: what an
/// audit that retrains the same learner (the shadow models of a membership-inference audit)
/// needs beyond [`Model`].
#[derive(Debug, Clone)]
pub enum Trained {
    /// `assay.logistic/1`.
    Logistic(TrainedLogistic),
    /// `assay.gbdt/1`.
    Gbdt(TrainedGbdt),
    /// `assay.tree/1`.
    Tree(TrainedTree),
}

/// Opens a model saved by `assay train` ([`Trained`]); any other format is
/// [`CoreError::NotTrained`].
pub fn trained(path: &Path) -> Result<Trained, CoreError> {
    Ok(match Format::detect(path)? {
        Format::Logistic => {
            Trained::Logistic(TrainedLogistic::load(path).map_err(ModelError::from)?)
        }
        Format::Gbdt => Trained::Gbdt(TrainedGbdt::load(path).map_err(ModelError::from)?),
        Format::Tree => Trained::Tree(TrainedTree::load(path).map_err(ModelError::from)?),
        format => {
            return Err(CoreError::NotTrained {
                path: path.display().to_string(),
                format,
            })
        }
    })
}

/// The provenance of a report ([`assay_data::provenance::Provenance`]) about `model` (its format
/// detected and recorded) and `data`, made by `command` (the front end's command line).
pub fn provenance(
    model: Option<&Path>,
    data: &[&Path],
    command: Option<String>,
) -> Result<assay_data::provenance::Provenance, assay_data::DataError> {
    let mut p = assay_data::provenance::Provenance::new(model, data)?;
    if let (Some(m), Some(path)) = (p.model.as_mut(), model) {
        m.format = Format::detect(path).ok().map(|f| f.name().to_string());
    }
    p.command = command;
    Ok(p)
}
