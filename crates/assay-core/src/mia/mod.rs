//! Membership-inference audits: how much a model's outputs reveal about which rows it was
//! trained on. The target model is scored on its training rows (members) and on held-out rows
//! (non-members), and each attack's membership scores are evaluated as a classifier of
//! membership (`assay_privacy::mia::evaluate`: AUC, balanced accuracy, TPR at low FPR):
//!
//! - the loss threshold (Yeom et al. 2018) and the confidence on the true label;
//! - shadow models trained on random halves of a reference population, with a threshold per
//!   class (Shokri et al. 2017, simplified);
//! - the likelihood-ratio attack, online and offline (Carlini et al. 2022), with shadow models
//!   on random halves of the target rows and the population;
//! - attribute inference on one categorical column ([`attribute`], Fredrikson et al. 2015,
//!   Yeom et al. 2018).
//!
//! Every shadow model is trained like the target ([`learner::Spec`]) with its own seed derived
//! from the audit's ([`learner::derive_seed`]), so an audit is reproducible for its seed.

pub mod attribute;
pub mod learner;
pub mod target;
pub mod verdict;

use assay_privacy::mia::attacks::{
    confidence_score, lira_offline, lira_online, loss_score, phi_from_margin, phi_from_probability,
    ShadowThresholds,
};
use assay_privacy::mia::attribute::AttributeRisk;
use assay_privacy::mia::shadow::{shadow_masks, train_shadows};
use assay_privacy::mia::{evaluate, AttackMetrics};

use std::path::Path;

use assay_data::DataError;
use assay_model::{Model, ModelError};

use crate::design::Design;
use crate::input::TableInput;
use learner::{derive_seed, subset, Fitted, Spec};

/// An attack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Attack {
    /// Loss threshold (Yeom et al. 2018).
    Loss,
    /// Confidence on the true label.
    Confidence,
    /// Shadow models on a reference population, a threshold per class (Shokri et al. 2017,
    /// simplified).
    Shadow,
    /// The likelihood-ratio attack, online and offline (Carlini et al. 2022).
    Lira,
}

/// LiRA's Gaussian variances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Variance {
    /// Global below 64 shadow models, per example from 64 on (Carlini et al.'s advice).
    Auto,
    /// One IN and one OUT variance pooled over all examples.
    Global,
    /// A variance per example.
    PerExample,
}

/// The audited model.
pub enum Target {
    /// Trained here with the learner spec on the training design.
    Train,
    /// Already fitted on the training design's encoding (a model saved by `assay train`).
    Fitted(Fitted),
    /// Any model, seen only through its probabilities of the positive class on the training
    /// rows and then the holdout rows ([`model_scores`]): a black box. Attribute inference,
    /// which changes a row's features, is not available.
    Scores(Vec<f64>),
}

/// What to run.
#[derive(Clone, Debug)]
pub struct AuditOptions {
    /// The attacks.
    pub attacks: Vec<Attack>,
    /// Shadow models per shadow-based attack.
    pub shadows: usize,
    /// LiRA's variances.
    pub variance: Variance,
    /// The audit's seed (every model's seed is derived from it).
    pub seed: u64,
    /// The categorical column of an attribute-inference attack.
    pub attribute: Option<String>,
}

/// Why an audit was refused or failed. Messages name options and columns; a front end maps
/// the variants about its own arguments to its flags.
#[derive(Debug, thiserror::Error)]
pub enum MiaError {
    /// No attack was named.
    #[error("no attack was named")]
    NoAttack,
    /// LiRA needs at least two shadow models.
    #[error("LiRA needs at least 2 shadow models, got {0}")]
    LiraShadows(usize),
    /// The shadow-model attack needs at least one shadow model.
    #[error("the shadow-model attack needs at least 1 shadow model")]
    ShadowShadows,
    /// The shadow-model attack needs a reference population.
    #[error("the shadow-model attack needs a reference population")]
    NeedsPopulation,
    /// The audited model is not binary.
    #[error(
        "{path}: the label has {classes} classes; membership-inference audits are of binary models"
    )]
    NotBinary {
        /// The training table.
        path: String,
        /// Its number of classes.
        classes: usize,
    },
    /// The attribute column is numeric.
    #[error("the attribute '{0}' is numeric; attribute inference needs a categorical feature")]
    AttributeNumeric(String),
    /// The attribute column is not a feature.
    #[error("the attribute '{0}' is not a feature of the model")]
    AttributeNotAFeature(String),
    /// No row has a category of the attribute seen in training.
    #[error("attribute inference: no row has a category seen in training")]
    AttributeUnseen,
    /// Members and non-members are both needed.
    #[error("members and non-members are both needed")]
    OneSided,
    /// Training the target or the shadow models needs a learner.
    #[error("training the target or the shadow models needs a learner")]
    NeedsLearner,
    /// Attribute inference needs a model that scores encoded rows.
    #[error("attribute inference changes a row's features and needs a model trained on the design, not a black box")]
    AttributeNeedsModel,
    /// The scores do not cover the training and holdout rows.
    #[error("{found} scores for {rows} training and holdout rows")]
    ScoreCount {
        /// Scores given.
        found: usize,
        /// Rows.
        rows: usize,
    },
    /// A learner could not be fitted or scored.
    #[error("{0}")]
    Learner(String),
    /// An attack could not be computed.
    #[error("{0}")]
    Attack(String),
    /// A black-box model could not score a table.
    #[error("{0}")]
    Model(String),
    /// A learner setting is invalid.
    #[error("{option}: {message}")]
    Option {
        /// The setting (`c`, `delta`, `epochs`, ...).
        option: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The model file is not a binary model saved by `assay train` that the audit can retrain.
    #[error(
        "{path}: not an assay.gbdt/1 or assay.logistic/1 model saved by `assay train` ({reason})"
    )]
    NotSaved {
        /// The model file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// One attack's result.
#[derive(Clone, Debug)]
pub struct AttackResult {
    /// The attack's name as reported ("loss threshold", "LiRA (online)", ...).
    pub name: String,
    /// Its metrics as a classifier of membership.
    pub metrics: AttackMetrics,
}

/// Attribute-inference risk for one column.
#[derive(Clone, Debug)]
pub struct AttributeResult {
    /// The column.
    pub column: String,
    /// Its number of categories.
    pub categories: usize,
    /// The attack on the members.
    pub members: AttributeRisk,
    /// The attack on the non-members.
    pub non_members: AttributeRisk,
}

/// What an audit found.
#[derive(Clone, Debug)]
pub struct AuditResult {
    /// The attacks' results, in the order run.
    pub results: Vec<AttackResult>,
    /// Attribute inference, when asked for.
    pub attribute: Option<AttributeResult>,
    /// Settings lines of the shadow-based attacks (name, value).
    pub settings: Vec<(String, String)>,
    /// Notes on reading the results.
    pub notes: Vec<String>,
    /// Member rows.
    pub members: usize,
    /// Non-member rows.
    pub non_members: usize,
    /// Accuracy of the target model on its training rows (margin > 0 as positive).
    pub target_train_accuracy: f64,
    /// Accuracy of the target model on the holdout rows.
    pub target_holdout_accuracy: f64,
    /// Shadow models trained per shadow-based attack (0 when none ran).
    pub shadows: usize,
}

fn accuracy(decides: &[bool], y: &[f64]) -> f64 {
    let hits = decides
        .iter()
        .zip(y)
        .filter(|(d, y)| **d == (**y == 1.0))
        .count();
    hits as f64 / y.len().max(1) as f64
}

/// The probabilities of the positive class a binary model gives the rows of `data`, in
/// order: the scores of a black-box [`Target::Scores`].
pub fn model_scores(
    input: &TableInput,
    data: &Path,
    model: &dyn Model,
) -> Result<Vec<f64>, MiaError> {
    let fail = |e: String| MiaError::Model(format!("{}: {e}", data.display()));
    crate::scoring::check_binary(model).map_err(|e| fail(e.to_string()))?;
    let mut requests = Vec::new();
    crate::scoring::request_inputs(model, &mut requests, "model input");
    let stream = input
        .open(data, &requests, false)
        .map_err(|e| MiaError::Model(e.to_string()))?;
    let mut scores = Vec::new();
    for batch in stream {
        let batch = batch.map_err(|e| MiaError::Model(e.to_string()))?;
        let rows = scores.len() as u64;
        let p = model.score_batch(&batch).map_err(|e| match e {
            ModelError::BadValue {
                column,
                row,
                message,
            } => MiaError::Model(
                DataError::bad_value(data, &column, rows + 1 + row as u64, message).to_string(),
            ),
            e => fail(e.to_string()),
        })?;
        scores.extend(p);
    }
    Ok(scores)
}

/// Checks the options alone, before any data is read.
pub fn check(o: &AuditOptions, has_population: bool) -> Result<(), MiaError> {
    let wants = |k: Attack| o.attacks.contains(&k);
    if o.attacks.is_empty() {
        return Err(MiaError::NoAttack);
    }
    if wants(Attack::Lira) && o.shadows < 2 {
        return Err(MiaError::LiraShadows(o.shadows));
    }
    if wants(Attack::Shadow) && o.shadows < 1 {
        return Err(MiaError::ShadowShadows);
    }
    if wants(Attack::Shadow) && !has_population {
        return Err(MiaError::NeedsPopulation);
    }
    Ok(())
}

/// Audits the `target` model (trained here by `spec` on `train`, already fitted, or a black
/// box seen through its scores), with `holdout` as the non-members and `population` as the
/// shadow models' reference data; the shadow models are trained by `spec`. The three tables
/// are encoded alike (`train`'s feature specs) with 0/1 labels.
pub fn audit(
    o: &AuditOptions,
    spec: Option<&Spec>,
    target: Target,
    train: &Design,
    holdout: &Design,
    population: Option<&Design>,
) -> Result<AuditResult, MiaError> {
    check(o, population.is_some())?;
    if train.class_names.len() != 2 {
        return Err(MiaError::NotBinary {
            path: train.path.display().to_string(),
            classes: train.class_names.len(),
        });
    }
    let wants = |k: Attack| o.attacks.contains(&k);
    let learner = MiaError::Learner;
    let d = train.d;
    let (n_in, n_out) = (train.n, holdout.n);
    // Target rows: members then non-members.
    let mut x_t = train.x.clone();
    x_t.extend_from_slice(&holdout.x);
    let mut y_t = train.y.clone();
    y_t.extend_from_slice(&holdout.y);
    let members: Vec<bool> = (0..n_in + n_out).map(|i| i < n_in).collect();
    let mut scores: Vec<f64> = Vec::new();

    let slot = o
        .attribute
        .as_deref()
        .map(|c| attribute::slot(&train.specs, c))
        .transpose()?;
    if spec.is_none() && (wants(Attack::Shadow) || wants(Attack::Lira)) {
        return Err(MiaError::NeedsLearner);
    }
    let fitted = match target {
        Target::Train => Some(
            spec.ok_or(MiaError::NeedsLearner)?
                .fit(&train.x, d, &train.y, derive_seed(o.seed, 0))
                .map_err(learner)?,
        ),
        Target::Fitted(m) => Some(m),
        Target::Scores(p) => {
            if slot.is_some() {
                return Err(MiaError::AttributeNeedsModel);
            }
            if p.len() != n_in + n_out {
                return Err(MiaError::ScoreCount {
                    found: p.len(),
                    rows: n_in + n_out,
                });
            }
            scores = p;
            None
        }
    };
    let attribute = match (&slot, &o.attribute, &fitted) {
        (Some((slot, cats)), Some(col), Some(target)) => {
            let prior = attribute::log_prior(slot, &holdout.x, d);
            Some(AttributeResult {
                column: col.clone(),
                categories: cats.len(),
                members: attribute::risk(target, slot, &train.x, &train.y, d, &prior)?,
                non_members: attribute::risk(target, slot, &holdout.x, &holdout.y, d, &prior)?,
            })
        }
        _ => None,
    };
    // φ of every target row and whether the model decides positive.
    let (phi, decides): (Vec<f64>, Vec<bool>) = match &fitted {
        Some(target) => {
            let margins = target.margins(&x_t, n_in + n_out, d).map_err(learner)?;
            (
                margins
                    .iter()
                    .zip(&y_t)
                    .map(|(&m, &y)| phi_from_margin(m, y == 1.0))
                    .collect(),
                margins.iter().map(|&m| m > 0.0).collect(),
            )
        }
        None => (
            scores
                .iter()
                .zip(&y_t)
                .map(|(&p, &y)| phi_from_probability(if y == 1.0 { p } else { 1.0 - p }))
                .collect(),
            scores.iter().map(|&p| p > 0.5).collect(),
        ),
    };
    let mut results = Vec::new();
    let mut settings = Vec::new();
    let mut notes = Vec::new();
    let mut push = |name: &str, scores: &[f64]| -> Result<(), MiaError> {
        let metrics = evaluate(&members, scores).ok_or(MiaError::OneSided)?;
        results.push(AttackResult {
            name: name.into(),
            metrics,
        });
        Ok(())
    };
    if wants(Attack::Loss) {
        push(
            "loss threshold",
            &phi.iter().map(|&p| loss_score(p)).collect::<Vec<_>>(),
        )?;
    }
    if wants(Attack::Confidence) {
        push(
            "confidence threshold",
            &phi.iter().map(|&p| confidence_score(p)).collect::<Vec<_>>(),
        )?;
    }
    if wants(Attack::Shadow) {
        let shadow_spec = spec.ok_or(MiaError::NeedsLearner)?;
        let pop = population.ok_or(MiaError::NeedsPopulation)?;
        let masks = shadow_masks(pop.n, o.shadows, derive_seed(o.seed, 1));
        let phis = train_shadows(&masks, |s, mask| {
            let (xs, ys) = subset(&pop.x, &pop.y, d, mask);
            let m = shadow_spec.fit(&xs, d, &ys, derive_seed(o.seed, 1000 + s as u64))?;
            let z = m.margins(&pop.x, pop.n, d)?;
            Ok::<_, String>(
                z.iter()
                    .zip(&pop.y)
                    .map(|(&z, &y)| phi_from_margin(z, y == 1.0))
                    .collect::<Vec<f64>>(),
            )
        })
        .map_err(learner)?;
        let class: Vec<usize> = pop.y.iter().map(|&y| y as usize).collect();
        let t = ShadowThresholds::fit(&phis, &masks, &class, 2)
            .map_err(|e| MiaError::Attack(e.to_string()))?;
        let scores: Vec<f64> = phi
            .iter()
            .zip(&y_t)
            .map(|(&p, &y)| t.score(p, y as usize))
            .collect();
        push("shadow models (threshold per class)", &scores)?;
        settings.push((
            "shadow-model attack".into(),
            format!(
                "{} shadows on random halves of the population; φ thresholds per class {:?}",
                o.shadows, t.thresholds
            ),
        ));
    }
    if wants(Attack::Lira) {
        let shadow_spec = spec.ok_or(MiaError::NeedsLearner)?;
        // Pool: target rows, then the population.
        let (mut x_p, mut y_p) = (x_t.clone(), y_t.clone());
        if let Some(p) = population {
            x_p.extend_from_slice(&p.x);
            y_p.extend_from_slice(&p.y);
        }
        let n_pool = y_p.len();
        let n_target = n_in + n_out;
        let masks = shadow_masks(n_pool, o.shadows, derive_seed(o.seed, 2));
        let phis = train_shadows(&masks, |s, mask| {
            let (xs, ys) = subset(&x_p, &y_p, d, mask);
            let m = shadow_spec.fit(&xs, d, &ys, derive_seed(o.seed, 100_000 + s as u64))?;
            let z = m.margins(&x_t, n_target, d)?;
            Ok::<_, String>(
                z.iter()
                    .zip(&y_t)
                    .map(|(&z, &y)| phi_from_margin(z, y == 1.0))
                    .collect::<Vec<f64>>(),
            )
        })
        .map_err(learner)?;
        let target_masks: Vec<Vec<bool>> = masks.iter().map(|m| m[..n_target].to_vec()).collect();
        let global = match o.variance {
            Variance::Auto => o.shadows < 64,
            Variance::Global => true,
            Variance::PerExample => false,
        };
        let attack = |e: assay_privacy::PrivacyError| MiaError::Attack(e.to_string());
        let on = lira_online(&phis, &target_masks, &phi, global).map_err(attack)?;
        let off = lira_offline(&phis, &target_masks, &phi, global).map_err(attack)?;
        push("LiRA (online)", &on)?;
        push("LiRA (offline)", &off)?;
        settings.push((
            "LiRA".into(),
            format!(
                "{} shadows, each on a random half of {} pool rows (every row IN for {} of them); {} variance",
                o.shadows,
                n_pool,
                o.shadows / 2,
                if global { "global" } else { "per-example" }
            ),
        ));
    }
    if n_out < 1000 {
        notes.push(format!(
            "TPR at 0.1 % FPR is not estimable from {n_out} non-members (at least 1,000 are needed: below that the lowest non-zero FPR is above 0.1 %)."
        ));
    }
    notes.push("TPR at a fixed FPR is the highest TPR of a threshold whose empirical FPR is at most that rate (no interpolation between ROC points).".into());
    if wants(Attack::Loss) && wants(Attack::Confidence) {
        notes.push("The loss and confidence scores are increasing functions of the same confidence, so they rank examples alike, except that the confidence rounds to exactly 1 for very confident predictions (ties the loss keeps apart).".into());
    }
    Ok(AuditResult {
        results,
        attribute,
        settings,
        notes,
        members: n_in,
        non_members: n_out,
        target_train_accuracy: accuracy(&decides[..n_in], &train.y),
        target_holdout_accuracy: accuracy(&decides[n_in..], &holdout.y),
        shadows: if wants(Attack::Lira) || wants(Attack::Shadow) {
            o.shadows
        } else {
            0
        },
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use assay_model::learners::{FeatureSpec, GradientBoosting, LogisticRegression};

    use super::*;

    /// `n` rows of `d` uniform features with labels drawn at random (nothing to learn, so
    /// whatever a flexible model fits is memorised).
    fn noise(n: usize, d: usize, seed: u64) -> Design {
        let u = |i: u64| assay_numerics::random::counter_uniform(seed, i);
        let x: Vec<f64> = (0..(n * d) as u64).map(u).collect();
        let y: Vec<f64> = (0..n as u64)
            .map(|i| f64::from(u8::from(u(1_000_000 + i) < 0.5)))
            .collect();
        Design {
            path: PathBuf::from("noise.csv"),
            specs: (0..d)
                .map(|j| FeatureSpec::Numeric {
                    column: format!("x{j}"),
                    mean: None,
                    std: None,
                    impute: None,
                })
                .collect(),
            x,
            n,
            d,
            y,
            class_names: vec!["0".into(), "1".into()],
            weights: None,
            extra: Vec::new(),
        }
    }

    fn options(attacks: Vec<Attack>) -> AuditOptions {
        AuditOptions {
            attacks,
            shadows: 4,
            variance: Variance::Auto,
            seed: 9,
            attribute: None,
        }
    }

    #[test]
    fn options_are_checked_first() {
        assert!(matches!(
            check(&options(vec![]), true),
            Err(MiaError::NoAttack)
        ));
        let mut one = options(vec![Attack::Lira]);
        one.shadows = 1;
        assert!(matches!(check(&one, true), Err(MiaError::LiraShadows(1))));
        assert!(matches!(
            check(&options(vec![Attack::Shadow]), false),
            Err(MiaError::NeedsPopulation)
        ));
        let mut attribute = options(vec![Attack::Loss]);
        attribute.attribute = Some("x0".into());
        let (train, holdout) = (noise(50, 2, 1), noise(50, 2, 2));
        let spec = Spec::Logistic(LogisticRegression::default());
        assert!(matches!(
            audit(&attribute, Some(&spec), Target::Train, &train, &holdout, None),
            Err(MiaError::AttributeNumeric(c)) if c == "x0"
        ));
    }

    #[test]
    fn a_memorising_model_is_caught_and_the_audit_is_reproducible() {
        let (train, holdout, population) = (noise(300, 4, 1), noise(300, 4, 2), noise(300, 4, 3));
        // Deep trees on random labels memorise their training rows.
        let spec = Spec::Gbdt(GradientBoosting {
            n_trees: 60,
            learning_rate: 0.3,
            max_leaves: None,
            max_depth: Some(8),
            min_samples_leaf: 1,
            ..GradientBoosting::default()
        });
        let o = options(vec![Attack::Loss, Attack::Lira, Attack::Shadow]);
        let run = || {
            audit(
                &o,
                Some(&spec),
                Target::Train,
                &train,
                &holdout,
                Some(&population),
            )
            .unwrap()
        };
        let a = run();
        let names: Vec<&str> = a.results.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "loss threshold",
                "shadow models (threshold per class)",
                "LiRA (online)",
                "LiRA (offline)"
            ]
        );
        assert!(a.target_train_accuracy > 0.9, "{}", a.target_train_accuracy);
        assert!(
            a.target_holdout_accuracy < 0.65,
            "{}",
            a.target_holdout_accuracy
        );
        assert!(
            a.results[0].metrics.auc > 0.8,
            "{:?}",
            a.results[0].metrics.auc
        );
        assert_eq!((a.members, a.non_members, a.shadows), (300, 300, 4));
        let b = run();
        for (x, y) in a.results.iter().zip(&b.results) {
            assert_eq!(x.metrics.auc, y.metrics.auc, "{}", x.name);
        }
    }

    #[test]
    fn a_black_box_is_audited_through_its_scores() {
        let (train, holdout) = (noise(200, 2, 6), noise(200, 2, 7));
        // Confident and right on its training rows, unsure on the others: it memorised.
        let mut scores: Vec<f64> = train.y.iter().map(|&y| 0.05 + 0.9 * y).collect();
        scores.extend(std::iter::repeat_n(0.5, holdout.n));
        let a = audit(
            &options(vec![Attack::Loss, Attack::Confidence]),
            None,
            Target::Scores(scores.clone()),
            &train,
            &holdout,
            None,
        )
        .unwrap();
        assert_eq!(a.results[0].metrics.auc, 1.0);
        assert_eq!(a.target_train_accuracy, 1.0);
        assert_eq!(a.shadows, 0);
        let lira = audit(
            &options(vec![Attack::Lira]),
            None,
            Target::Scores(scores.clone()),
            &train,
            &holdout,
            None,
        );
        assert!(matches!(lira, Err(MiaError::NeedsLearner)));
        let short = audit(
            &options(vec![Attack::Loss]),
            None,
            Target::Scores(scores[..10].to_vec()),
            &train,
            &holdout,
            None,
        );
        assert!(matches!(
            short,
            Err(MiaError::ScoreCount {
                found: 10,
                rows: 400
            })
        ));
    }

    #[test]
    fn a_regularised_model_on_noise_leaks_little() {
        let (train, holdout) = (noise(2000, 3, 4), noise(2000, 3, 5));
        let spec = Spec::Logistic(LogisticRegression {
            c: 0.01,
            ..LogisticRegression::default()
        });
        let a = audit(
            &options(vec![Attack::Loss]),
            Some(&spec),
            Target::Train,
            &train,
            &holdout,
            None,
        )
        .unwrap();
        let auc = a.results[0].metrics.auc;
        assert!((auc - 0.5).abs() < 0.05, "{auc}");
        assert!(a.notes.iter().any(|n| n.contains("TPR at a fixed FPR")));
    }
}
