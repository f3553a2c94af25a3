//! The saved form of a mitigated predictor (`assay.mitigated/1`) and its [`Model`]
//! implementation, so that `assay predict` and `assay fairness --model` use it as any model.
//!
//! A mitigated model reads the same raw table columns as the model it came from (its
//! [`FeatureSpec`]s), plus the sensitive columns when the method decides by group (threshold
//! optimizer, reject option, per-group calibration, correlation remover, disparate-impact
//! remover): those are declared
//! inputs ([`MitigatedModel::sensitive_at_decision`]) because a user may not be allowed to use
//! them at decision time. Randomized predictors (the exponentiated-gradient mixture,
//! randomised thresholds) score `P(ŷ = 1 | x)` and decide with
//! [`assay_model::randomized_decision`] and the stored seed.

use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use arrow_array::{Array, RecordBatch, StringArray};
use serde::{Deserialize, Serialize};

use assay_model::learners::{FeatureSpec, Matrix};
use assay_model::model::encode_batch_with;
use assay_model::{ColumnKind, InputColumn, InputSchema, Model, ModelError};

use crate::base::{BaseOutputs, Predictor};
use crate::error::MitigationError;
use crate::groups::Groups;
use crate::postprocessing::{GroupCalibrator, GroupThresholds, RejectOption};
use crate::preprocessing::disparate_impact_remover::FittedDisparateImpactRemover;
use crate::preprocessing::FittedCorrelationRemover;

/// The format tag of a saved mitigated model.
pub const FORMAT: &str = "assay.mitigated/1";

/// How the mitigated model turns encoded features (and the group) into `P(ŷ = 1 | x)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// One deterministic predictor (a model fitted on reweighed or resampled data, or a
    /// collapsed reduction): the score is its probability, the decision `score > 0.5`.
    Single {
        /// The predictor.
        predictor: Predictor,
    },
    /// A randomized classifier over predictors (Agarwal et al. 2018, the exponentiated-gradient
    /// solution `Q`): `P(ŷ = 1 | x) = Σ_j weight_j · h_j(x)` with each `h_j` the 0/1
    /// prediction of predictor `j`, as Fairlearn's `_pmf_predict`.
    Mixture {
        /// Probability of each predictor (non-negative, summing to 1).
        weights: Vec<f64>,
        /// The predictors.
        predictors: Vec<Predictor>,
    },
    /// Group-specific randomised thresholds on a base predictor's score (Hardt et al. 2016, the
    /// threshold optimizer): `P(ŷ = 1 | x, g)` from the group's interpolation.
    Thresholds {
        /// The scorer.
        base: Predictor,
        /// The fitted thresholds.
        thresholds: GroupThresholds,
    },
    /// A predictor fitted on features with the group's linear correlation removed (Fairlearn's
    /// `CorrelationRemover`); rows are transformed with their group before scoring, and the
    /// decision is `score > 0.5`.
    Decorrelated {
        /// The fitted remover.
        remover: FittedCorrelationRemover,
        /// The predictor fitted on the transformed features.
        predictor: Predictor,
    },
    /// Reject-option classification (Kamiran, Karim & Zhang 2012; AIF360's
    /// `RejectOptionClassification`) on a base predictor's score: `score > θ`, except that in
    /// the critical region `θ − margin < score ≤ θ + margin` privileged groups get 0 and
    /// unprivileged groups 1. Deterministic: `P(ŷ = 1 | x, g)` is the 0/1 decision.
    RejectOption {
        /// The scorer.
        base: Predictor,
        /// The fitted threshold, margin and group roles.
        rule: RejectOption,
    },
    /// A predictor fitted on features repaired by the disparate-impact remover (Feldman et al.
    /// 2015, AIF360's `DisparateImpactRemover`) in its fitted form: rows are repaired with
    /// their group's training maps ([`FittedDisparateImpactRemover::transform`]) before scoring,
    /// and the decision is `score > 0.5`.
    Repaired {
        /// The fitted remover.
        remover: FittedDisparateImpactRemover,
        /// The predictor fitted on the repaired features.
        predictor: Predictor,
    },
    /// Per-group calibration of a base predictor (Platt 1999 scaling or isotonic regression,
    /// Zadrozny & Elkan 2002, as scikit-learn's `CalibratedClassifierCV` methods, fitted
    /// separately in each group) applied, as scikit-learn does, to the predictor's decision
    /// function ([`calibration_input`]: the log-odds margin): `P(ŷ = 1 | x, g)` is the group's
    /// calibrated value and the decision is `calibrated value > 0.5`.
    Calibrated {
        /// The scorer.
        base: Predictor,
        /// One fitted calibrator per group.
        calibrator: GroupCalibrator,
    },
}

/// A prefit base model embedded in a mitigated model that post-processes it (the threshold
/// optimizer, reject option or calibration of a model trained elsewhere, Fairlearn's
/// `prefit=True`): the model file's bytes, so that the mitigated model is one self-contained
/// file, with their SHA-256 checked when it is opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedModel {
    /// The file format's short name (`xgboost`, `lightgbm`, `onnx`, `logistic`, `gbdt`,
    /// `tree`).
    pub format: String,
    /// The name of the file it was read from (for reports).
    pub file: String,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// The bytes, base64 (RFC 4648, standard alphabet, padded).
    pub data: String,
}

impl EmbeddedModel {
    /// Embeds the `bytes` of a model file of `format` read from `file`.
    pub fn new(format: &str, file: &str, bytes: &[u8]) -> EmbeddedModel {
        EmbeddedModel {
            format: format.to_string(),
            file: file.to_string(),
            sha256: hex::encode(Sha256::digest(bytes)),
            data: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }

    /// The model file's bytes, checked against the stored SHA-256.
    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&self.data)
            .map_err(|e| format!("the embedded base model is not valid base64: {e}"))?;
        let digest = hex::encode(Sha256::digest(&bytes));
        if digest != self.sha256 {
            return Err(format!(
                "the embedded base model's SHA-256 is {digest}, not the recorded {}: the file was altered",
                self.sha256
            ));
        }
        Ok(bytes)
    }
}

/// The opened prefit base model (not serialised: [`EmbeddedModel`] is).
#[derive(Clone)]
struct Prefit(Arc<dyn Model>);

impl std::fmt::Debug for Prefit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Prefit")
    }
}

impl PartialEq for Prefit {
    /// The opened model is derived from [`MitigatedModel::base_model`], which the models'
    /// equality compares.
    fn eq(&self, _: &Prefit) -> bool {
        true
    }
}

/// A mitigated predictor as saved by `assay mitigate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MitigatedModel {
    /// Always [`FORMAT`].
    pub format: String,
    /// The method and its settings, in words (for reports and `assay model inspect`).
    pub method: String,
    /// The label column.
    pub label: String,
    /// The two class names (`["not v", "v"]` with a positive value `v`).
    pub class_names: Vec<String>,
    /// The label value taken as positive, if one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive: Option<String>,
    /// How table columns become the predictors' features.
    pub features: Vec<FeatureSpec>,
    /// The sensitive columns the method used; their values joined with " & " name a group.
    pub sensitive: Vec<String>,
    /// The group names seen in training.
    pub groups: Vec<String>,
    /// Whether the decision reads the sensitive columns (then they are model inputs).
    pub sensitive_at_decision: bool,
    /// Seed of randomized decisions.
    pub seed: u64,
    /// The decision rule.
    pub decision: Decision,
    /// The prefit model whose probability the decision post-processes
    /// ([`Predictor::Score`]); the features are then empty: the table's columns reach the
    /// decision through this model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_model: Option<EmbeddedModel>,
    #[serde(skip)]
    prefit: Option<Prefit>,
    #[serde(skip)]
    schema: InputSchema,
    #[serde(skip)]
    outputs: Vec<String>,
}

impl MitigatedModel {
    /// Builds a mitigated model; checks the decision rule (see [`MitigatedModel::validate`]).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        method: String,
        label: String,
        class_names: Vec<String>,
        positive: Option<String>,
        features: Vec<FeatureSpec>,
        sensitive: Vec<String>,
        groups: Vec<String>,
        seed: u64,
        decision: Decision,
    ) -> Result<MitigatedModel, MitigationError> {
        MitigatedModel::assemble(
            method,
            label,
            class_names,
            positive,
            features,
            sensitive,
            groups,
            seed,
            decision,
            None,
        )
    }

    /// A checked model (see [`MitigatedModel::validate`]) of these fields.
    #[allow(clippy::too_many_arguments)]
    fn assemble(
        method: String,
        label: String,
        class_names: Vec<String>,
        positive: Option<String>,
        features: Vec<FeatureSpec>,
        sensitive: Vec<String>,
        groups: Vec<String>,
        seed: u64,
        decision: Decision,
        base_model: Option<EmbeddedModel>,
    ) -> Result<MitigatedModel, MitigationError> {
        let mut m = MitigatedModel {
            format: FORMAT.to_string(),
            method,
            label,
            class_names,
            positive,
            features,
            sensitive,
            groups,
            sensitive_at_decision: false,
            seed,
            decision,
            base_model,
            prefit: None,
            schema: InputSchema::default(),
            outputs: Vec::new(),
        };
        m.sensitive_at_decision = m.needs_group();
        m.validate().map_err(MitigationError::Parameter)?;
        m.derive();
        Ok(m)
    }

    /// Builds a mitigated model that post-processes the prefit `model`, embedded as `embedded`
    /// (its decision's predictors are [`Predictor::Score`]; `features` is empty).
    #[allow(clippy::too_many_arguments)]
    pub fn with_prefit(
        method: String,
        label: String,
        class_names: Vec<String>,
        positive: Option<String>,
        sensitive: Vec<String>,
        groups: Vec<String>,
        seed: u64,
        decision: Decision,
        embedded: EmbeddedModel,
        model: Arc<dyn Model>,
    ) -> Result<MitigatedModel, MitigationError> {
        let mut m = MitigatedModel::assemble(
            method,
            label,
            class_names,
            positive,
            Vec::new(),
            sensitive,
            groups,
            seed,
            decision,
            Some(embedded),
        )?;
        m.attach_prefit(model).map_err(MitigationError::Parameter)?;
        Ok(m)
    }

    /// Gives a loaded model its opened prefit base model ([`MitigatedModel::base_model`]
    /// opened by the caller, who knows the model formats): it must be a binary classifier.
    pub fn attach_prefit(&mut self, model: Arc<dyn Model>) -> Result<(), String> {
        if self.base_model.is_none() {
            return Err("the mitigated model embeds no base model".into());
        }
        let binary = model.outputs().len() == 1 && model.classes().is_some_and(|c| c.len() == 2);
        if !binary {
            return Err(format!(
                "the embedded base model is not a binary classifier (outputs: {})",
                model.outputs().join(", ")
            ));
        }
        self.prefit = Some(Prefit(model));
        self.derive();
        Ok(())
    }

    fn needs_group(&self) -> bool {
        match &self.decision {
            Decision::Single { .. } | Decision::Mixture { .. } => false,
            Decision::Thresholds { .. }
            | Decision::Decorrelated { .. }
            | Decision::Repaired { .. }
            | Decision::RejectOption { .. }
            | Decision::Calibrated { .. } => true,
        }
    }

    /// Checks the saved fields are consistent: two classes, mixture weights a probability
    /// vector of one weight per predictor, and the flag of sensitive inputs as the rule needs.
    pub fn validate(&self) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!("format is '{}', expected '{FORMAT}'", self.format));
        }
        if self.class_names.len() != 2 {
            return Err(format!(
                "a mitigated model is a binary classifier; it has {} class names",
                self.class_names.len()
            ));
        }
        if let Decision::Mixture {
            weights,
            predictors,
        } = &self.decision
        {
            if weights.len() != predictors.len() || weights.is_empty() {
                return Err(format!(
                    "the mixture has {} weights for {} predictors",
                    weights.len(),
                    predictors.len()
                ));
            }
            if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
                return Err("mixture weights must be non-negative numbers".into());
            }
            let total: f64 = weights.iter().sum();
            if (total - 1.0).abs() > 1e-9 {
                return Err(format!("mixture weights sum to {total}, not 1"));
            }
        }
        let fitted_groups = match &self.decision {
            Decision::Thresholds { thresholds, .. } => Some(&thresholds.groups),
            Decision::Decorrelated { remover, .. } => Some(&remover.group_names),
            Decision::Calibrated { calibrator, .. } => Some(&calibrator.groups),
            Decision::Repaired { remover, .. } => Some(&remover.group_names),
            _ => None,
        };
        if let Some(g) = fitted_groups {
            if *g != self.groups {
                return Err(format!(
                    "the decision rule was fitted on groups [{}], the model lists [{}]",
                    g.join(", "),
                    self.groups.join(", ")
                ));
            }
        }
        if let Decision::Repaired { remover, .. } = &self.decision {
            if remover.columns.len() != remover.n_features
                || remover
                    .columns
                    .iter()
                    .flatten()
                    .any(|m| m.values.len() != m.repaired.len())
                || remover
                    .columns
                    .iter()
                    .any(|c| c.len() != remover.group_names.len())
            {
                return Err("the disparate-impact remover's maps are inconsistent".into());
            }
        }
        if let Decision::Calibrated { calibrator, .. } = &self.decision {
            if calibrator.calibrators.len() != calibrator.groups.len() {
                return Err(format!(
                    "the calibrator has {} calibrators for {} groups",
                    calibrator.calibrators.len(),
                    calibrator.groups.len()
                ));
            }
        }
        if let Decision::RejectOption { rule, .. } = &self.decision {
            let unknown: Vec<&String> = rule
                .privileged
                .iter()
                .chain(&rule.unprivileged)
                .filter(|g| !self.groups.contains(g))
                .collect();
            if !unknown.is_empty() {
                return Err(format!(
                    "the reject-option rule names groups [{}] that the model does not list ([{}])",
                    unknown
                        .iter()
                        .map(|g| g.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    self.groups.join(", ")
                ));
            }
            if rule
                .privileged
                .iter()
                .any(|g| rule.unprivileged.contains(g))
            {
                return Err(
                    "a group is both privileged and unprivileged in the reject-option rule".into(),
                );
            }
            if !(rule.classification_threshold.is_finite() && rule.roc_margin.is_finite()) {
                return Err("the reject-option threshold and margin must be numbers".into());
            }
        }
        if self.sensitive_at_decision != self.needs_group() {
            return Err("sensitive_at_decision does not match the decision rule".into());
        }
        let scores = self.predictors().iter().any(|p| **p == Predictor::Score);
        match (&self.base_model, scores) {
            (Some(_), false) => {
                return Err("an embedded base model, but no predictor reads its score".into())
            }
            (None, true) => {
                return Err("a predictor reads a prefit model's score, but none is embedded".into())
            }
            (Some(_), true) if !self.features.is_empty() => {
                return Err(
                    "a model over an embedded base model reads no features of its own".into(),
                )
            }
            _ => {}
        }
        Ok(())
    }

    /// Whether missing numeric features reach the predictors as NaN: when every predictor is
    /// a tree ensemble (or a constant), whose splits route missing values as in training
    /// (gbdt learns a default direction for them), and the features are not transformed first.
    pub fn routes_missing(&self) -> bool {
        let transformed = matches!(
            self.decision,
            Decision::Decorrelated { .. } | Decision::Repaired { .. }
        );
        !transformed
            && self
                .predictors()
                .iter()
                .all(|p| matches!(p, Predictor::Trees(_) | Predictor::Constant { .. }))
    }

    /// The predictors of the decision rule.
    fn predictors(&self) -> Vec<&Predictor> {
        match &self.decision {
            Decision::Single { predictor }
            | Decision::Decorrelated { predictor, .. }
            | Decision::Repaired { predictor, .. } => vec![predictor],
            Decision::Mixture { predictors, .. } => predictors.iter().collect(),
            Decision::Thresholds { base, .. }
            | Decision::RejectOption { base, .. }
            | Decision::Calibrated { base, .. } => vec![base],
        }
    }

    /// Fills the derived input schema and output names.
    fn derive(&mut self) {
        let mut columns = match &self.prefit {
            Some(p) => p.0.input_schema().columns.clone(),
            None => assay_model::model::input_schema_for(&self.features).columns,
        };
        if self.sensitive_at_decision {
            for s in &self.sensitive {
                if !columns.iter().any(|c| &c.name == s) {
                    columns.push(InputColumn {
                        name: s.clone(),
                        kind: ColumnKind::Text,
                    });
                }
            }
        }
        self.schema = InputSchema { columns };
        self.outputs = vec![self.class_names[1].clone()];
    }

    /// Whether the decision is randomized (a mixture with more than one predictor).
    pub fn is_randomized(&self) -> bool {
        match &self.decision {
            Decision::Single { .. } => false,
            Decision::Mixture { weights, .. } => weights.iter().filter(|&&w| w > 0.0).count() > 1,
            // Interpolated thresholds give fractional probabilities near the thresholds (and
            // the equalized-odds mixing with a constant); where a probability is 0 or 1 the
            // randomized rule decides it deterministically anyway.
            Decision::Thresholds { .. } => true,
            Decision::Decorrelated { .. }
            | Decision::Repaired { .. }
            | Decision::RejectOption { .. }
            | Decision::Calibrated { .. } => false,
        }
    }

    /// `P(ŷ = 1 | x)` of encoded rows `x` (n × d) whose groups are `groups` (indices into
    /// [`MitigatedModel::groups`]; unused unless [`MitigatedModel::sensitive_at_decision`]).
    pub fn probability(&self, x: &Matrix, groups: &[u32]) -> Result<Vec<f64>, MitigationError> {
        if let Some(base) = self.post_processed() {
            return self.probability_of_base(&base.outputs(x)?, groups);
        }
        match &self.decision {
            Decision::Decorrelated { remover, predictor } => {
                let g = Groups {
                    codes: groups.to_vec(),
                    names: self.groups.clone(),
                };
                let t = remover.transform(x, &g)?;
                predictor.score(&Matrix::with_rows(&t, x.n_rows(), x.n_cols())?)
            }
            Decision::Repaired { remover, predictor } => {
                let g = Groups {
                    codes: groups.to_vec(),
                    names: self.groups.clone(),
                };
                let t = remover.transform(x, &g)?;
                predictor.score(&Matrix::with_rows(&t, x.n_rows(), x.n_cols())?)
            }
            Decision::Thresholds { .. }
            | Decision::RejectOption { .. }
            | Decision::Calibrated { .. } => unreachable!("post-processed, decided above"),
            Decision::Single { predictor } => predictor.score(x),
            Decision::Mixture {
                weights,
                predictors,
            } => {
                let mut p = vec![0.0; x.n_rows()];
                for (w, h) in weights.iter().zip(predictors) {
                    if *w == 0.0 {
                        continue;
                    }
                    for (pi, yi) in p.iter_mut().zip(h.predict(x)?) {
                        *pi += w * yi;
                    }
                }
                Ok(p)
            }
        }
    }

    /// The base predictor whose outputs a post-processing decision transforms (the threshold
    /// optimizer, the reject option, calibration); `None` for the other methods, which decide
    /// with predictors of their own.
    pub fn post_processed(&self) -> Option<&Predictor> {
        match &self.decision {
            Decision::Thresholds { base, .. }
            | Decision::RejectOption { base, .. }
            | Decision::Calibrated { base, .. } => Some(base),
            _ => None,
        }
    }

    /// [`MitigatedModel::probability`] of rows whose outputs from `base` are already known
    /// (`outputs`, [`Predictor::outputs`]), without scoring them again: `Some` when the
    /// decision post-processes exactly `base` ([`MitigatedModel::post_processed`]), `None`
    /// otherwise. The same computation as `probability`, so the same bits.
    pub fn probability_given(
        &self,
        base: &Predictor,
        outputs: &BaseOutputs,
        groups: &[u32],
    ) -> Option<Result<Vec<f64>, MitigationError>> {
        (self.post_processed() == Some(base)).then(|| self.probability_of_base(outputs, groups))
    }

    /// `P(ŷ = 1 | x, g)` of a post-processing decision from its base predictor's outputs.
    fn probability_of_base(
        &self,
        outputs: &BaseOutputs,
        groups: &[u32],
    ) -> Result<Vec<f64>, MitigationError> {
        match &self.decision {
            Decision::Thresholds { thresholds, .. } => {
                thresholds.positive_probabilities(&outputs.score, groups)
            }
            Decision::RejectOption { rule, .. } => {
                let g = Groups {
                    codes: groups.to_vec(),
                    names: self.groups.clone(),
                };
                rule.predict(&outputs.score, &g)
            }
            Decision::Calibrated { base, calibrator } => match &outputs.decision_function {
                Some(z) => calibrator.transform_all(z, groups),
                None => Err(no_margin(base)),
            },
            _ => unreachable!("only post-processing decisions have a base predictor's outputs"),
        }
    }

    /// The group index of every row of `batch` from its sensitive columns; an error naming the
    /// row for a group not seen in training.
    pub fn batch_groups(&self, batch: &RecordBatch) -> Result<Vec<u32>, ModelError> {
        let n = batch.num_rows();
        if !self.sensitive_at_decision {
            return Ok(vec![0; n]);
        }
        let cols = self
            .sensitive
            .iter()
            .map(|s| {
                let a = batch.column_by_name(s).ok_or_else(|| ModelError::Column {
                    column: s.clone(),
                    message: "is missing: the mitigated model decides by group and reads it".into(),
                })?;
                let a = arrow_cast::cast(a, &arrow_schema::DataType::Utf8).map_err(|e| {
                    ModelError::Column {
                        column: s.clone(),
                        message: format!("cannot be read as text: {e}"),
                    }
                })?;
                Ok(a.as_any()
                    .downcast_ref::<StringArray>()
                    .expect("cast to Utf8 gives a StringArray")
                    .clone())
            })
            .collect::<Result<Vec<StringArray>, ModelError>>()?;
        let mut key = String::new();
        (0..n)
            .map(|i| {
                key.clear();
                for (k, (c, name)) in cols.iter().zip(&self.sensitive).enumerate() {
                    if c.is_null(i) {
                        return Err(ModelError::BadValue {
                            column: name.clone(),
                            row: i,
                            message: "missing value; the mitigated model decides by group".into(),
                        });
                    }
                    if k > 0 {
                        key.push_str(assay_data::groups::KEY_SEPARATOR);
                    }
                    key.push_str(c.value(i));
                }
                self.groups
                    .iter()
                    .position(|g| *g == key)
                    .map(|g| g as u32)
                    .ok_or_else(|| ModelError::BadValue {
                        column: self.sensitive.join(","),
                        row: i,
                        message: format!(
                            "group '{key}' was not seen in training (groups: {})",
                            self.groups.join(", ")
                        ),
                    })
            })
            .collect()
    }

    /// Writes the model as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), MitigationError> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| MitigationError::Data(format!("{}: {e}", path.display())))?;
        std::fs::write(path, text + "\n")
            .map_err(|e| MitigationError::Data(format!("cannot write {}: {e}", path.display())))
    }

    /// Reads a model written by [`MitigatedModel::save`] and checks it.
    pub fn load(path: &Path) -> Result<MitigatedModel, ModelError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
            path: name.clone(),
            source,
        })?;
        let mut m: MitigatedModel =
            serde_json::from_str(&text).map_err(|e| ModelError::Invalid {
                path: name.clone(),
                message: e.to_string(),
            })?;
        m.validate().map_err(|message| ModelError::Invalid {
            path: name.clone(),
            message,
        })?;
        m.derive();
        Ok(m)
    }

    /// Whether the file at `path` is a mitigated model (its JSON `format` tag).
    pub fn is_mitigated(path: &Path) -> bool {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|v| v.get("format").and_then(|f| f.as_str()) == Some(FORMAT))
    }

    fn n_features(&self) -> usize {
        self.features.iter().map(FeatureSpec::width).sum()
    }
}

/// What [`Decision::Calibrated`] calibrates: the base predictor's decision function, as
/// scikit-learn's `CalibratedClassifierCV` takes `decision_function` when the estimator has
/// one: the logistic regression's margin `w·x + b`, the tree ensemble's raw margin (log-odds);
/// for a prefit model its probability, as scikit-learn takes `predict_proba` from an estimator
/// without a decision function (XGBoost's and LightGBM's scikit-learn wrappers).
/// A constant predictor has no margin to calibrate (an error). The decision function is the
/// one [`Predictor::outputs`] computes, defined there once.
pub fn calibration_input(base: &Predictor, x: &Matrix) -> Result<Vec<f64>, MitigationError> {
    base.outputs(x)?
        .decision_function
        .ok_or_else(|| no_margin(base))
}

/// The error of calibrating a predictor without a decision function (a constant one).
fn no_margin(base: &Predictor) -> MitigationError {
    let value = match base {
        Predictor::Constant { value } => value.to_string(),
        _ => "one value".into(),
    };
    MitigationError::Data(format!(
        "the unmitigated model predicts {value} for every row (one label in the training data): there is no score to calibrate"
    ))
}

fn unopened_prefit() -> ModelError {
    ModelError::Invalid {
        path: "mitigated model".into(),
        message: "its embedded base model was not opened (open the file with assay_core::models)"
            .into(),
    }
}

fn to_model_error(e: MitigationError) -> ModelError {
    match e {
        MitigationError::Learner(l) => ModelError::Learn(l),
        e => ModelError::Invalid {
            path: "mitigated model".into(),
            message: e.to_string(),
        },
    }
}

impl Model for MitigatedModel {
    fn input_schema(&self) -> &InputSchema {
        &self.schema
    }

    fn outputs(&self) -> &[String] {
        &self.outputs
    }

    fn classes(&self) -> Option<&[String]> {
        Some(&self.class_names)
    }

    fn score_batch(&self, batch: &RecordBatch) -> Result<Vec<f64>, ModelError> {
        let (x, d) = match (&self.base_model, &self.prefit) {
            (None, _) => (
                encode_batch_with(&self.features, batch, self.routes_missing())?,
                self.n_features(),
            ),
            (Some(_), Some(p)) => (p.0.score_batch(batch)?, 1),
            (Some(_), None) => return Err(unopened_prefit()),
        };
        let groups = self.batch_groups(batch)?;
        let m = Matrix::with_rows(&x, batch.num_rows(), d)?;
        self.probability(&m, &groups).map_err(to_model_error)
    }

    fn score_matrix(&self, x: &[f64], n_rows: usize) -> Result<Vec<f64>, ModelError> {
        if self.base_model.is_some() {
            return Err(ModelError::Unsupported {
                path: "mitigated model".into(),
                message: "it reads the table through its embedded base model; score a table".into(),
            });
        }
        if self.sensitive_at_decision {
            return Err(ModelError::Unsupported {
                path: "mitigated model".into(),
                message: "it decides by group; score a table that has the sensitive columns".into(),
            });
        }
        let m = Matrix::with_rows(x, n_rows, self.n_features())?;
        self.probability(&m, &vec![0; n_rows])
            .map_err(to_model_error)
    }

    fn margin_batch(&self, batch: &RecordBatch) -> Result<Vec<f64>, ModelError> {
        // The mitigated decision has no margin of its own: its log-odds.
        Ok(self
            .score_batch(batch)?
            .into_iter()
            .map(|p| (p / (1.0 - p)).ln())
            .collect())
    }

    fn randomized(&self) -> Option<u64> {
        self.is_randomized().then_some(self.seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assay_model::learners::LogisticRegression;

    fn model(decision: Decision) -> Result<MitigatedModel, MitigationError> {
        MitigatedModel::new(
            "test".into(),
            "y".into(),
            vec!["0".into(), "1".into()],
            None,
            vec![],
            vec![],
            vec![],
            0,
            decision,
        )
    }

    #[test]
    fn a_prefit_score_needs_an_embedded_model() {
        let e = model(Decision::Single {
            predictor: Predictor::Score,
        })
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("none is embedded"), "{e}");
        let embedded = EmbeddedModel::new("xgboost", "m.json", b"{}");
        assert_eq!(embedded.bytes().unwrap(), b"{}");
        let mut altered = embedded.clone();
        altered.sha256 = "0".repeat(64);
        assert!(altered.bytes().unwrap_err().contains("altered"));
    }

    #[test]
    fn only_untransformed_trees_route_missing_values() {
        let constant = model(Decision::Single {
            predictor: Predictor::Constant { value: 1.0 },
        })
        .unwrap();
        assert!(constant.routes_missing());
        let x = Matrix::with_rows(&[0.0, 1.0, 2.0, 3.0], 4, 1).unwrap();
        let y = [0.0, 0.0, 1.0, 1.0];
        let logistic = LogisticRegression::default().fit(&x, &y, None).unwrap();
        let m = model(Decision::Single {
            predictor: Predictor::Logistic(logistic),
        })
        .unwrap();
        assert!(!m.routes_missing());
    }
}
