//! `assay mia`: membership-inference audit of a model on its training rows (members) and
//! held-out rows (non-members), through `assay_privacy::mia`.
//!
//! The target model is trained here on `--train` with the chosen learner, or given with
//! `--model` (a model saved by `assay train`, or any other model as a black box seen through its
//! scores), so the member set is known; shadow models (for the shadow-model attack and LiRA) are trained with the same learner
//! and settings on random halves of a pool, in parallel and seeded (the same seed gives the same
//! report). The feature encoding (categories, standardisation) is fitted on the training table
//! and applied to the others; a category not seen in training becomes all zeros (one-hot) or a
//! missing value (trees).
//!
//! * `loss`, `confidence`: thresholds on the target's loss or confidence on the true label
//!   (Yeom et al. 2018); no shadow models.
//! * `shadow`: Shokri et al. 2017, simplified: `--shadows` models on random halves of
//!   `--population` (required), one threshold per class on their IN/OUT confidences.
//! * `lira`: Carlini et al. 2022: `--shadows` models on random halves of the pool
//!   train ∪ holdout ∪ population (each example IN for exactly half of them); online (IN and
//!   OUT Gaussians) and offline (OUT only) scores are both reported. Shadows train on about
//!   half the pool, so a pool of about twice the training set imitates the target best.

mod render;

use assay_data::bounds::parse_finite;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;

use assay_core::design;
use assay_core::mia::learner::Spec;
use assay_core::mia::target::{self, LearnerOptions};
use assay_core::mia::{
    self as core_mia, AttackResult, AttributeResult, AuditOptions, MiaError, Target,
};
use assay_model::learners::schema::Unknown;

use crate::counts;
use crate::design::{encode_table, load_design, Design, DesignSpec};
use crate::input::InputArgs;

pub use assay_core::mia::target::LearnerKind as MiaLearner;
pub use assay_core::mia::{Attack, Variance};

pub use crate::output::Format;

/// Arguments of `assay mia`.
#[derive(Args)]
pub struct MiaArgs {
    /// Policy: the largest ROC AUC any attack may reach; exit 1 when an attack exceeds it.
    #[arg(long, value_parser = parse_unit, value_name = "AUC")]
    pub max_auc: Option<f64>,
    /// Policy: the largest TPR at 1 % FPR any attack may reach; exit 1 when an attack exceeds it
    /// (or when it cannot be measured: fewer than 100 non-members).
    #[arg(long = "max-tpr-at-1pct-fpr", value_parser = parse_unit, value_name = "TPR")]
    pub max_tpr_at_1pct_fpr: Option<f64>,
    /// The training table: the target model is trained on it; its rows are the members.
    #[arg(long)]
    pub train: PathBuf,
    /// Held-out rows from the same distribution, never trained on: the non-members.
    #[arg(long)]
    pub holdout: PathBuf,
    /// Further rows from the same distribution (neither scored nor trained on by the target):
    /// the shadow-model attack's reference population, and part of LiRA's shadow pool.
    #[arg(long)]
    pub population: Option<PathBuf>,
    /// The label column (with --model: the model's, which this must match if given).
    #[arg(long, help_heading = "Columns")]
    pub label: Option<String>,
    /// The label value that is the positive class (binary: label == value).
    #[arg(long, help_heading = "Columns")]
    pub positive: Option<String>,
    /// Feature columns, comma-separated. Numeric unless also named in --categorical.
    #[arg(long, value_delimiter = ',', help_heading = "Columns")]
    pub features: Vec<String>,
    /// Categorical feature columns (added to the features if not listed there).
    #[arg(long, value_delimiter = ',', help_heading = "Columns")]
    pub categorical: Vec<String>,
    /// The learner of the target and of every shadow model (with --model: of the shadow models;
    /// default the model's own learner and settings).
    #[arg(long, value_enum)]
    pub learner: Option<MiaLearner>,
    /// Audit this model instead of training one; --train must be the table it was trained on.
    /// A model saved by `assay train` (assay.logistic/1 or assay.gbdt/1) brings its feature
    /// encoding, label, positive class and learner settings (--features/--categorical are
    /// ignored). Any other model assay opens (XGBoost, LightGBM, ONNX, assay.tree/1, a mitigated
    /// model) is audited as a black box through its probability of the positive class on every
    /// row (name --label; shadow attacks also need --learner and --features; no --attribute).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Attacks, comma-separated.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "loss,confidence,lira"
    )]
    pub attack: Vec<Attack>,
    /// Shadow models (shadow attack and LiRA; LiRA needs at least 2).
    #[arg(long, value_parser = counts::at_most(counts::SHADOWS), default_value_t = 16)]
    pub shadows: usize,
    /// LiRA's Gaussian variances.
    #[arg(long, value_enum, default_value = "auto")]
    pub variance: Variance,
    /// Seed of the shadow splits and of every model's randomness.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Also measure attribute-inference risk for this categorical feature: the attacker knows
    /// every other feature and the label and picks the category the model is most confident
    /// under; accuracy on members and non-members against the majority baseline.
    #[arg(long, value_name = "COLUMN")]
    pub attribute: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Also write the HTML report (with the ROC curves) here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// logistic: inverse regularisation strength C.
    #[arg(
        value_parser = parse_finite,
        long = "c",
        value_name = "C",
        default_value_t = 1.0,
        help_heading = "Logistic"
    )]
    pub c: f64,
    /// logistic: standardise the numeric features, as `assay train --standardize` (dp-logistic
    /// always does).
    #[arg(long, overrides_with = "no_standardize", help_heading = "Logistic")]
    pub standardize: bool,
    /// logistic: keep the numeric features as they are (the default, as `assay train`).
    #[arg(long, overrides_with = "standardize", help_heading = "Logistic")]
    pub no_standardize: bool,
    /// logistic: maximum Newton iterations.
    #[arg(long, value_parser = counts::at_most(counts::ITERATIONS), default_value_t = 100, help_heading = "Logistic")]
    pub max_iter: usize,
    /// logistic: convergence tolerance.
    #[arg(long, value_parser = parse_finite, default_value_t = 1e-8, help_heading = "Logistic")]
    pub tol: f64,
    /// gbdt: number of trees.
    #[arg(long, value_parser = counts::at_most(counts::TREES), default_value_t = 100, help_heading = "Gradient boosting")]
    pub trees: usize,
    /// The learner's learning rate: gbdt's shrinkage (default 0.1, as `assay train`), or
    /// dp-logistic's SGD step (default 1.0, as `assay dp train`). `--lr` is its old name.
    #[arg(long = "learning-rate", alias = "lr", value_parser = parse_finite, help_heading = "Learner")]
    pub learning_rate: Option<f64>,
    /// gbdt: maximum tree depth (default: no limit), as `assay train --max-depth`.
    #[arg(long = "max-depth", alias = "depth", value_parser = counts::at_most(counts::DEPTH), help_heading = "Gradient boosting")]
    pub max_depth: Option<usize>,
    /// gbdt: maximum leaves per tree (0: no limit).
    #[arg(long, value_parser = counts::at_most(counts::LEAVES), default_value_t = 31, help_heading = "Gradient boosting")]
    pub max_leaves: usize,
    /// gbdt: minimum training rows in a leaf.
    #[arg(long, value_parser = counts::at_most(counts::ROWS), default_value_t = 20, help_heading = "Gradient boosting")]
    pub min_samples_leaf: usize,
    /// gbdt: minimum hessian sum in a leaf.
    #[arg(long, value_parser = parse_finite, default_value_t = 1e-3, help_heading = "Gradient boosting")]
    pub min_child_weight: f64,
    /// gbdt: L2 penalty on leaf values.
    #[arg(long, value_parser = parse_finite, default_value_t = 0.0, help_heading = "Gradient boosting")]
    pub lambda: f64,
    /// dp-logistic: target ε (σ calibrated by the RDP accountant).
    #[arg(long, value_parser = parse_finite, default_value_t = 1.0, help_heading = "DP-SGD")]
    pub epsilon: f64,
    /// dp-logistic: δ.
    #[arg(long, value_parser = parse_finite, default_value_t = 1e-5, help_heading = "DP-SGD")]
    pub delta: f64,
    /// dp-logistic: epochs.
    #[arg(long, value_parser = parse_finite, default_value_t = 5.0, help_heading = "DP-SGD")]
    pub epochs: f64,
    /// dp-logistic: expected batch size (sampling rate = 1 / ⌈n / size⌉).
    #[arg(long, value_parser = counts::at_most(counts::ROWS), default_value_t = 256, help_heading = "DP-SGD")]
    pub expected_batch_size: usize,
    /// dp-logistic: per-example clipping norm.
    #[arg(long, value_parser = parse_finite, default_value_t = 1.0, help_heading = "DP-SGD")]
    pub clip: f64,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub submit: crate::registry::submit::SubmitArgs,
}

/// Everything the report shows.
pub struct Audit {
    pub model: String,
    /// The leakage verdict: against chance, and against the policy when bounds were given.
    pub verdict: Option<core_mia::verdict::MiaVerdict>,
    /// The audited model file (when one was given) and the data files, with the time.
    pub provenance: assay_data::provenance::Provenance,
    pub settings: Vec<(String, String)>,
    pub results: Vec<AttackResult>,
    pub members: usize,
    pub non_members: usize,
    pub target_train_accuracy: f64,
    pub target_holdout_accuracy: f64,
    pub shadows: usize,
    pub seconds: f64,
    pub notes: Vec<String>,
    pub attribute: Option<AttributeResult>,
}

/// The library's error in the words of the flags.
fn message(e: MiaError) -> String {
    match e {
        MiaError::NoAttack => "name at least one --attack".into(),
        MiaError::LiraShadows(n) => {
            format!("LiRA needs at least 2 shadow models (--shadows), got {n}")
        }
        MiaError::ShadowShadows => {
            "the shadow-model attack needs at least 1 shadow model (--shadows)".into()
        }
        MiaError::NeedsPopulation => {
            "the shadow-model attack needs a reference population (--population FILE)".into()
        }
        MiaError::AttributeNumeric(name) => format!(
            "--attribute '{name}' is numeric; attribute inference needs a categorical feature (name it in --categorical)"
        ),
        MiaError::AttributeNotAFeature(name) => format!(
            "--attribute '{name}' is not a feature of the model; name it in --categorical"
        ),
        MiaError::NeedsLearner => "the shadow-model attack and LiRA train shadow models: name their learner with --learner and their feature columns with --features".into(),
        MiaError::Option { option, message } => {
            format!("--{} {message}", option.replace('_', "-"))
        }
        MiaError::AttributeNeedsModel => "--attribute changes a row's features, which a black-box model (one not saved by assay train) cannot be audited for".into(),
        e => e.to_string(),
    }
}

/// The training table read into a design matrix for `learner` (as `assay train` encodes it).
fn training_design(
    a: &MiaArgs,
    learner: MiaLearner,
    label: &str,
    positive: Option<&str>,
) -> Result<Design, String> {
    let trees = learner == MiaLearner::Gbdt;
    let standardize = match learner {
        MiaLearner::Gbdt => false,
        MiaLearner::Logistic => a.standardize,
        MiaLearner::DpLogistic => true,
    };
    load_design(
        &a.input,
        &a.train,
        &DesignSpec {
            features: &a.features,
            categorical: &a.categorical,
            label,
            positive,
            weight: None,
            extra: &[],
            ordinal: trees,
            allow_missing: trees,
            impute: None,
            standardize,
            unknown: Unknown::Ignore,
            regression: false,
        },
    )
}

/// Checks that the training table's label is binary and encodes the holdout and population
/// tables as the training table.
fn other_tables(
    a: &MiaArgs,
    train: &Design,
    label: &str,
    positive: Option<&str>,
) -> Result<(Design, Option<Design>), String> {
    if train.class_names.len() != 2 {
        return Err(format!(
            "{}: column '{label}' has {} classes; assay mia audits binary models: name the positive one with --positive",
            train.path.display(),
            train.class_names.len()
        ));
    }
    let other = |p: &PathBuf| -> Result<Design, String> {
        encode_table(
            &a.input,
            p,
            &train.specs,
            label,
            &train.class_names,
            positive,
            &[],
        )
    };
    let holdout = other(&a.holdout)?;
    let population = a.population.as_ref().map(other).transpose()?;
    Ok((holdout, population))
}

/// `assay mia --model FILE` for any model assay opens that `assay train` did not save: the
/// model is seen only through its scores on the training and holdout tables; shadow models,
/// when asked for, are trained by `--learner` on `--features`.
fn run_black_box(
    a: &MiaArgs,
    options: &AuditOptions,
    path: &Path,
    start: Instant,
) -> Result<ExitCode, String> {
    let model = assay_core::models::open(path).map_err(|e| {
        format!(
            "{}: not an assay.gbdt/1 or assay.logistic/1 model saved by `assay train` (audited with its own learner), nor a model assay can score as a black box: {e}",
            path.display()
        )
    })?;
    let label = a
        .label
        .clone()
        .ok_or("name the label column with --label (the model file does not record it)")?;
    let positive = match (&a.positive, model.classes()) {
        (Some(p), Some(c)) if c.len() == 2 && p != &c[1] => {
            return Err(format!(
                "--positive '{p}' is not the model's positive class '{}' (the class its score is the probability of)",
                c[1]
            ))
        }
        (Some(p), _) => Some(p.clone()),
        (None, Some(c)) if c.len() == 2 => Some(c[1].clone()),
        (None, _) => None,
    };
    let has_features = !a.features.is_empty() || !a.categorical.is_empty();
    let train = match a.learner {
        Some(l) if has_features => training_design(a, l, &label, positive.as_deref())?,
        Some(_) => {
            return Err(
                "--learner trains the shadow models on the --features (and --categorical) columns; name them"
                    .into(),
            )
        }
        None => design::load_labels(
            &a.input.table_input()?,
            &a.train,
            &label,
            positive.as_deref(),
        )
        .map_err(|e| e.to_string())?,
    };
    let (holdout, population) = other_tables(a, &train, &label, positive.as_deref())?;
    let spec = a.learner.map(|l| spec_of(a, l, train.n)).transpose()?;
    let input = a.input.table_input()?;
    let mut scores = core_mia::model_scores(&input, &a.train, model.as_ref()).map_err(message)?;
    scores.extend(core_mia::model_scores(&input, &a.holdout, model.as_ref()).map_err(message)?);
    let mut settings = vec![
        ("training table".into(), a.train.display().to_string()),
        ("holdout table".into(), a.holdout.display().to_string()),
    ];
    if let Some(p) = &a.population {
        settings.push((
            "population table".into(),
            format!(
                "{} ({} rows)",
                p.display(),
                population.as_ref().map_or(0, |p| p.n)
            ),
        ));
    }
    if let Some((_, _, s)) = &spec {
        settings.extend(s.iter().cloned());
    }
    settings.push((
        "target model".into(),
        format!(
            "{} (a black box: its probability of '{}' on every row{})",
            path.display(),
            positive.as_deref().unwrap_or("1"),
            match &spec {
                Some((_, _, s)) => format!("; shadow models: {}", settings_learner(s)),
                None => String::new(),
            }
        ),
    ));
    settings.push(("seed".into(), a.seed.to_string()));
    let found = core_mia::audit(
        options,
        spec.as_ref().map(|s| &s.0),
        Target::Scores(scores),
        &train,
        &holdout,
        population.as_ref(),
    )
    .map_err(message)?;
    finish(
        a,
        format!("{} (black box)", path.display()),
        settings,
        found,
        start,
    )
}

/// Runs `assay mia`.
pub fn run(a: MiaArgs) -> Result<ExitCode, String> {
    let start = Instant::now();
    let options = AuditOptions {
        attacks: a.attack.clone(),
        shadows: a.shadows,
        variance: a.variance,
        seed: a.seed,
        attribute: a.attribute.clone(),
    };
    core_mia::check(&options, a.population.is_some()).map_err(message)?;
    if let Some(path) = a.model.as_deref().filter(|p| !target::is_reusable(p)) {
        return run_black_box(&a, &options, path, start);
    }
    let saved = a
        .model
        .as_deref()
        .map(target::saved)
        .transpose()
        .map_err(message)?;
    let (label, positive) = match &saved {
        Some(m) => {
            let (l, p) = (m.label.as_str(), m.positive.as_deref());
            if let Some(given) = a.label.as_deref().filter(|g| *g != l) {
                return Err(format!(
                    "--label '{given}' is not the model's label column '{l}'"
                ));
            }
            (l.to_string(), p.map(str::to_string))
        }
        None => (
            a.label
                .clone()
                .ok_or("name the label column with --label")?,
            a.positive.clone(),
        ),
    };
    let learner = match (a.learner, &saved) {
        (Some(l), _) => l,
        (None, Some(m)) => m.learner,
        (None, None) => {
            return Err("name the learner with --learner (or audit a saved --model)".into())
        }
    };
    let train = match &saved {
        Some(m) => {
            let (specs, classes) = (&m.features, &m.class_names);
            encode_table(
                &a.input,
                &a.train,
                specs,
                &label,
                classes,
                positive.as_deref(),
                &[],
            )?
        }
        None => training_design(&a, learner, &label, positive.as_deref())?,
    };
    let (holdout, population) = other_tables(&a, &train, &label, positive.as_deref())?;
    let n_in = train.n;

    let (spec, mut model_desc, mut settings) = match (&saved, a.learner) {
        (Some(m), None) => (
            m.described.spec.clone(),
            m.described.description.clone(),
            m.described.settings.clone(),
        ),
        _ => spec_of(&a, learner, n_in)?,
    };
    if let (Some(m), Some(path)) = (&saved, &a.model) {
        model_desc = format!("{} ({})", path.display(), m.kind);
        settings.push((
            "target model".into(),
            format!(
                "{} (shadow models: {})",
                path.display(),
                settings_learner(&settings)
            ),
        ));
    }
    settings.insert(0, ("training table".into(), a.train.display().to_string()));
    settings.insert(1, ("holdout table".into(), a.holdout.display().to_string()));
    if let Some(p) = &a.population {
        settings.insert(
            2,
            (
                "population table".into(),
                format!(
                    "{} ({} rows)",
                    p.display(),
                    population.as_ref().map_or(0, |p| p.n)
                ),
            ),
        );
    }
    settings.push(("seed".into(), a.seed.to_string()));

    let target = match saved {
        Some(m) => Target::Fitted(m.fitted),
        None => Target::Train,
    };
    let found = core_mia::audit(
        &options,
        Some(&spec),
        target,
        &train,
        &holdout,
        population.as_ref(),
    )
    .map_err(message)?;
    finish(&a, model_desc, settings, found, start)
}

/// Renders the audit (text, JSON, HTML) and submits it.
fn finish(
    a: &MiaArgs,
    model_desc: String,
    mut settings: Vec<(String, String)>,
    found: core_mia::AuditResult,
    start: Instant,
) -> Result<ExitCode, String> {
    settings.extend(found.settings);
    let provenance = crate::provenance::of(
        a.model.as_deref(),
        &[a.train.as_path(), a.holdout.as_path()],
    )?;
    let attacks = render::attacks(&found.results);
    let verdict = core_mia::verdict::judge(
        &attacks,
        found.members,
        found.non_members,
        Some(core_mia::verdict::LeakagePolicy {
            max_auc: a.max_auc,
            max_tpr_at_1pct_fpr: a.max_tpr_at_1pct_fpr,
        }),
    );
    let audit = Audit {
        model: model_desc,
        verdict,
        provenance,
        settings,
        results: found.results,
        members: found.members,
        non_members: found.non_members,
        target_train_accuracy: found.target_train_accuracy,
        target_holdout_accuracy: found.target_holdout_accuracy,
        shadows: found.shadows,
        seconds: start.elapsed().as_secs_f64(),
        notes: found.notes,
        attribute: found.attribute,
    };
    if let Some(h) = &a.html {
        crate::output::write(h, render::html(&audit))?;
    }
    match a.format {
        Format::Text => out!("{}", render::text(&audit)),
        Format::Json => outln!("{}", render::json(&audit)),
    }
    let passed = audit
        .verdict
        .as_ref()
        .and_then(|v| v.policy.as_ref())
        .map(|p| p.passed);
    if a.submit.submit.is_some() {
        let verdict = match passed {
            None => crate::registry::submit::Verdict::None,
            Some(true) => crate::registry::submit::Verdict::Pass,
            Some(false) => crate::registry::submit::Verdict::Fail,
        };
        a.submit
            .upload_report("mia", verdict, &render::report(&audit))?;
    }
    Ok(if passed == Some(false) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A probability bound in [0, 1].
fn parse_unit(s: &str) -> Result<f64, String> {
    let v = parse_finite(s)?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is outside [0, 1]"))
    }
}

fn settings_learner(settings: &[(String, String)]) -> String {
    settings
        .iter()
        .find(|(k, _)| k == "learner")
        .map_or_else(String::new, |(_, v)| v.clone())
}

impl MiaArgs {
    /// The learners' settings of these flags.
    fn learner_options(&self) -> LearnerOptions {
        LearnerOptions {
            c: self.c,
            standardize: self.standardize,
            max_iter: self.max_iter,
            tol: self.tol,
            trees: self.trees,
            learning_rate: self.learning_rate,
            max_depth: self.max_depth,
            max_leaves: self.max_leaves,
            min_samples_leaf: self.min_samples_leaf,
            min_child_weight: self.min_child_weight,
            lambda: self.lambda,
            epsilon: self.epsilon,
            delta: self.delta,
            epochs: self.epochs,
            expected_batch_size: self.expected_batch_size,
            clip: self.clip,
        }
    }
}

/// The learner spec, a description of the model, and its settings lines.
#[allow(clippy::type_complexity)]
fn spec_of(
    a: &MiaArgs,
    learner: MiaLearner,
    n_train: usize,
) -> Result<(Spec, String, Vec<(String, String)>), String> {
    let d = target::described(learner, &a.learner_options(), n_train).map_err(message)?;
    Ok((d.spec, d.description, d.settings))
}
