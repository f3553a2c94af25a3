//! `assay dp train`: DP-SGD (`assay_privacy::dpsgd`) on a table, reporting the test accuracy
//! and the ε the run spends.
//!
//! The table is read and encoded as `assay train --learner logistic` does (`crate::design`):
//! numeric columns standardised, categorical ones one-hot over their sorted training
//! categories, an unseen test category all zeros. The noise multiplier is either given or
//! calibrated for a target ε with the chosen accountant; ε is reported from both the RDP and
//! the PLD accountant. Steps = round(epochs / q). With `--expected-batch-size B`,
//! q = 1 / ⌈n / B⌉ (as Opacus's Poisson data loader, whose number of batches per epoch stays
//! ⌈n / B⌉).
//!
//! What the ε covers: the model parameters trained on the encoded rows. The encoding itself
//! (each numeric column's mean and standard deviation, the category lists) is learned from the
//! training data *without* differential privacy, as in the usual Opacus pipelines; use
//! `--no-standardize` and public category lists when that matters.
//!
//! Output: the logistic model is saved as `assay.logistic/1` (so `assay predict` and
//! `assay explain` read it; its `n_iter` holds the DP-SGD steps and `converged` is false: it
//! was not solved to an optimum); the MLP as `assay.dpsgd/1` (below).

use assay_data::bounds::parse_finite;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, ValueEnum};

use assay_core::design::Design;
use assay_core::dp_train::{self, CurvePoint, DpSgdOptions, DpTrainError, Privacy, SavedMlp};
use assay_core::reports::dp::{
    Curve, CurvePoint as ReportCurvePoint, DpReport, TrainReport, TrainedArchitecture, DP_SCHEMA,
};
use assay_model::learners::schema::Unknown;
use assay_privacy::dpsgd::{Architecture, Config};

use super::args::{AccountantArg, Format};
use crate::counts;
use crate::design::{encode_table, load_design, DesignSpec};
use crate::input::InputArgs;

/// The network `assay dp train` fits.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// Logistic regression (one linear layer, initialised to zero).
    Logistic,
    /// One hidden ReLU layer of --hidden units (PyTorch's default initialisation).
    Mlp,
}

/// Flags of `assay dp train`.
#[derive(Args)]
pub struct TrainArgs {
    /// Training data: CSV, Parquet or Arrow IPC.
    pub data: PathBuf,
    /// The label column (binary: two classes, or name the positive one with --positive).
    #[arg(long, help_heading = "Columns")]
    pub label: String,
    /// The label value that is the positive class.
    #[arg(long, help_heading = "Columns")]
    pub positive: Option<String>,
    /// Feature columns, comma-separated (numeric unless in --categorical).
    #[arg(long, value_delimiter = ',', help_heading = "Columns")]
    pub features: Vec<String>,
    /// Categorical feature columns (one-hot over the sorted training categories).
    #[arg(long, value_delimiter = ',', help_heading = "Columns")]
    pub categorical: Vec<String>,
    /// Do not standardise the numeric features (their mean and standard deviation are learned
    /// from the training data without privacy).
    #[arg(long, overrides_with = "standardize", help_heading = "Columns")]
    pub no_standardize: bool,
    /// Standardise the numeric features (the default of `assay dp train`).
    #[arg(long, overrides_with = "no_standardize", help_heading = "Columns")]
    pub standardize: bool,
    /// Target ε: the noise multiplier is calibrated to reach it (conflicts with
    /// --noise-multiplier).
    #[arg(
        long,
        value_name = "EPSILON",
        allow_hyphen_values = true,
        conflicts_with = "noise_multiplier",
        required_unless_present = "noise_multiplier",
        help_heading = "Privacy"
    )]
    pub epsilon: Option<f64>,
    /// Noise multiplier σ (noise standard deviation over the clipping norm). 0 disables the
    /// noise and gives no privacy (for audits and baselines only).
    #[arg(
        value_parser = parse_finite,
        long,
        value_name = "SIGMA",
        allow_hyphen_values = true,
        help_heading = "Privacy"
    )]
    pub noise_multiplier: Option<f64>,
    /// δ in (0, 1), below 1/n.
    #[arg(
        long,
        value_name = "DELTA",
        allow_hyphen_values = true,
        help_heading = "Privacy"
    )]
    pub delta: f64,
    /// Poisson sampling rate q in (0, 1].
    #[arg(
        value_parser = parse_finite,
        long,
        value_name = "Q",
        allow_hyphen_values = true,
        conflicts_with = "expected_batch_size",
        required_unless_present = "expected_batch_size",
        help_heading = "Privacy"
    )]
    pub sampling_rate: Option<f64>,
    /// Expected batch size B: q = 1 / ceil(n / B), as Opacus's Poisson data loader.
    #[arg(long, value_parser = counts::at_most(counts::ROWS), value_name = "B", help_heading = "Privacy")]
    pub expected_batch_size: Option<usize>,
    /// The accountant that calibrates σ for --epsilon (ε is reported from both).
    #[arg(long, value_enum, default_value = "rdp", help_heading = "Privacy")]
    pub accountant: AccountantArg,
    /// Passes over the data; steps = round(epochs / q).
    #[arg(long, value_parser = parse_finite, default_value_t = 5.0, help_heading = "Training")]
    pub epochs: f64,
    /// Per-example L2 clipping norm C.
    #[arg(long, value_parser = parse_finite, default_value_t = 1.0, help_heading = "Training")]
    pub clip: f64,
    /// Learning rate (the SGD step; `--lr` is its old name).
    #[arg(long = "learning-rate", alias = "lr", value_parser = parse_finite, default_value_t = 1.0, help_heading = "Training")]
    pub lr: f64,
    /// SGD momentum (PyTorch's convention).
    #[arg(long, value_parser = parse_finite, default_value_t = 0.0, help_heading = "Training")]
    pub momentum: f64,
    /// The network.
    #[arg(
        long,
        value_enum,
        default_value = "logistic",
        help_heading = "Training"
    )]
    pub model: ModelArg,
    /// Hidden units of --model mlp.
    #[arg(long, value_parser = counts::at_most(counts::HIDDEN), default_value_t = 32, help_heading = "Training")]
    pub hidden: usize,
    /// Seed of the sampling, the noise and the initialisation. A released model needs a
    /// secret, random seed.
    #[arg(long, default_value_t = 0, help_heading = "Training")]
    pub seed: u64,
    /// A test table (same columns) to report the accuracy on.
    #[arg(long, value_name = "FILE")]
    pub test: Option<PathBuf>,
    /// Where to write the model (JSON).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write an HTML report with the privacy–utility curve: test accuracy against ε (needs
    /// --test), one run per --curve-epsilons value plus a run without noise.
    #[arg(long, value_name = "FILE", requires = "test")]
    pub html: Option<PathBuf>,
    /// The target ε values of the curve (σ calibrated for each; same seed and settings).
    #[arg(
        value_parser = parse_finite,
        long,
        value_delimiter = ',',
        default_value = "0.25,0.5,1,2,4,8",
        value_name = "LIST"
    )]
    pub curve_epsilons: Vec<f64>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub submit: crate::registry::submit::SubmitArgs,
}

/// The library's error with the flags named.
pub(super) fn message(e: DpTrainError) -> String {
    let flag = |o: &str| format!("--{}", o.replace('_', "-"));
    match e {
        DpTrainError::Option { option, message } => format!("{} {message}", flag(option)),
        DpTrainError::Missing(a, b) => format!("give {} or {}", flag(a), flag(b)),
        e @ DpTrainError::NotBinary { .. } => format!("{e} with --positive"),
        e => e.to_string(),
    }
}

/// The HTML report of the curve (the explanation report's page and line chart).
fn curve_html(
    a: &TrainArgs,
    cfg: &Config,
    points: &[CurvePoint],
    no_noise: f64,
    this_run: (f64, Option<f64>),
) -> String {
    use assay_report::explain::{render, Chart, ExplainView};
    let eps: Vec<(f64, f64)> = points.iter().map(|c| (c.epsilon, c.accuracy)).collect();
    let (lo, hi) = (
        eps.first().map_or(0.0, |p| p.0),
        eps.last().map_or(1.0, |p| p.0),
    );
    let mut summary: Vec<String> = points
        .iter()
        .map(|c| {
            format!(
                "target epsilon {}: noise multiplier {:.4}, test accuracy {:.4}",
                c.epsilon, c.noise_multiplier, c.accuracy
            )
        })
        .collect();
    summary.push(format!(
        "without noise (no privacy): test accuracy {no_noise:.4}"
    ));
    if let Some(acc) = this_run.1 {
        summary.push(format!(
            "this run (epsilon {:.4}): test accuracy {acc:.4}",
            this_run.0
        ));
    }
    render(&ExplainView {
        title: "DP-SGD privacy–utility curve".into(),
        subtitle: format!(
            "{} on {}: test accuracy against epsilon at delta = {}",
            match cfg.architecture {
                Architecture::Logistic => "logistic regression".to_string(),
                Architecture::Mlp { hidden } => format!("MLP ({hidden} hidden units)"),
            },
            a.data.display(),
            a.delta
        ),
        summary,
        charts: vec![Chart::Curves {
            title: "Test accuracy against epsilon".into(),
            x_label: "epsilon (target; noise calibrated by the accountant)".into(),
            y_label: "test accuracy".into(),
            curves: vec![
                ("DP-SGD".into(), eps, true),
                ("without noise".into(), vec![(lo, no_noise), (hi, no_noise)], false),
            ],
        }],
        notes: vec![
            format!(
                "Every point is one run with the same seed ({}), sampling rate {:.6}, {} steps, clipping norm {}, learning rate {}; the noise multiplier is calibrated for each target epsilon by the {} accountant.",
                cfg.seed, cfg.sampling_rate, cfg.steps, cfg.clip, cfg.lr, a.accountant.name()
            ),
            "One run per point: differences of a few tenths of a point are within run-to-run variation.".into(),
            "Epsilon covers the model parameters; the feature encoding (standardisation, category lists) is learned from the training data without privacy.".into(),
            "The curve itself is not differentially private beyond the sum of its runs' epsilons (and the run without noise has none): it is for choosing settings on data you may look at, not for release.".into(),
        ],
    })
}

impl TrainArgs {
    /// The library's DP-SGD options for these flags.
    pub fn options(&self) -> DpSgdOptions {
        DpSgdOptions {
            architecture: match self.model {
                ModelArg::Logistic => Architecture::Logistic,
                ModelArg::Mlp => Architecture::Mlp {
                    hidden: self.hidden,
                },
            },
            sampling_rate: self.sampling_rate,
            expected_batch_size: self.expected_batch_size,
            epochs: self.epochs,
            epsilon: self.epsilon,
            noise_multiplier: self.noise_multiplier,
            accountant: self
                .accountant
                .accountant(assay_privacy::accounting::pld::DEFAULT_DISCRETIZATION),
            accountant_name: self.accountant.name(),
            delta: self.delta,
            clip: self.clip,
            learning_rate: self.lr,
            momentum: self.momentum,
            seed: self.seed,
        }
    }

    /// Reads the training table (and the test table) into design matrices, encoded as
    /// `assay train --learner logistic` encodes them.
    pub(super) fn designs(&self) -> Result<(Design, Option<Design>), String> {
        let design = load_design(
            &self.input,
            &self.data,
            &DesignSpec {
                features: &self.features,
                categorical: &self.categorical,
                label: &self.label,
                positive: self.positive.as_deref(),
                weight: None,
                extra: &[],
                ordinal: false,
                allow_missing: false,
                impute: None,
                standardize: !self.no_standardize,
                unknown: Unknown::Ignore,
                regression: false,
            },
        )?;
        dp_train::binary(&design).map_err(message)?;
        let test = match &self.test {
            Some(t) => Some(encode_table(
                &self.input,
                t,
                &design.specs,
                &self.label,
                &design.class_names,
                self.positive.as_deref(),
                &[],
            )?),
            None => None,
        };
        Ok((design, test))
    }
}

fn pld_text(p: &Privacy) -> String {
    match &p.epsilon_pld {
        Ok(e) => format!("{e:.4}"),
        Err(m) => format!("n/a ({m})"),
    }
}

/// Runs `assay dp train`.
pub fn run(a: TrainArgs) -> Result<ExitCode, String> {
    a.submit.require_json(matches!(a.format, Format::Json))?;
    let start = Instant::now();
    let (train, test) = a.designs()?;
    let options = a.options();
    let curve_epsilons = a.html.as_ref().map(|_| a.curve_epsilons.as_slice());
    let run = dp_train::train(&options, &train, test.as_ref(), curve_epsilons).map_err(message)?;
    let seconds = start.elapsed().as_secs_f64();
    let (pr, cfg, t) = (&run.plan.privacy, &run.plan.config, &run.training);
    let (n, q, steps) = (train.n, run.plan.sampling_rate, run.plan.steps);
    let architecture = options.architecture;
    let test_accuracy = run.test_accuracy;
    let mean_batch = run.mean_batch_size;
    let curve_points = &run.curve;
    if let (Some(html), Some((points, no_noise))) = (&a.html, curve_points) {
        let page = curve_html(&a, cfg, points, *no_noise, (pr.epsilon(), test_accuracy));
        crate::output::write(html, page)?;
    }
    let privacy_doc = run.plan.report(&options);
    if let Some(out) = &a.out {
        match architecture {
            Architecture::Logistic => {
                dp_train::logistic_model(
                    &t.model.params,
                    train.d,
                    steps,
                    &a.label,
                    &train.class_names,
                    a.positive.as_deref(),
                    &train.specs,
                )
                .save(out)
                .map_err(|e| e.to_string())?;
            }
            Architecture::Mlp { hidden } => {
                let saved = SavedMlp {
                    format: dp_train::MLP_FORMAT,
                    label: &a.label,
                    class_names: &train.class_names,
                    positive: a.positive.as_deref(),
                    features: &train.specs,
                    architecture: "mlp",
                    hidden,
                    params: &t.model.params,
                    privacy: &privacy_doc,
                };
                let text = serde_json::to_string_pretty(&saved).map_err(|e| e.to_string())?;
                crate::output::write(out, text + "\n")?;
            }
        }
    }
    match a.format {
        Format::Text => {
            outln!(
                "DP-SGD {} on {n} rows of {} ({} features): {steps} steps at sampling rate {q:.6} (mean batch {mean_batch:.1}), clip {}, noise multiplier {:.6}",
                match architecture {
                    Architecture::Logistic => "logistic regression".to_string(),
                    Architecture::Mlp { hidden } => format!("MLP ({hidden} hidden ReLU units)"),
                },
                a.data.display(),
                train.d,
                a.clip,
                pr.noise_multiplier
            );
            outln!(
                "  privacy: epsilon = {:.4} (RDP), {} (PLD) at delta = {}{}",
                pr.epsilon_rdp,
                pld_text(pr),
                a.delta,
                match pr.target {
                    Some(e) => format!(
                        "; noise calibrated for epsilon {e} ({} accountant)",
                        a.accountant.name()
                    ),
                    None => String::new(),
                }
            );
            if let Some(acc) = test_accuracy {
                outln!("  test accuracy: {acc:.4}");
            }
            outln!(
                "  clipped examples: {:.1}%; {seconds:.2} s",
                100.0 * t.clipped_fraction
            );
            if let Some(out) = &a.out {
                outln!("  model written to {}", out.display());
            }
            if let (Some(html), Some((points, no_noise))) = (&a.html, curve_points) {
                let figures: Vec<String> = points
                    .iter()
                    .map(|c| format!("{}: {:.4}", c.epsilon, c.accuracy))
                    .collect();
                outln!(
                    "  privacy-utility curve (epsilon: test accuracy) {}; without noise {no_noise:.4}; written to {}",
                    figures.join(", "),
                    html.display()
                );
            }
        }
        Format::Json => {
            let doc = DpReport::Train(TrainReport {
                schema: DP_SCHEMA.into(),
                model: match architecture {
                    Architecture::Logistic => TrainedArchitecture::Logistic,
                    Architecture::Mlp { hidden } => TrainedArchitecture::Mlp { hidden },
                },
                rows: n,
                features: train.d,
                lr: a.lr,
                momentum: a.momentum,
                epochs: a.epochs,
                seed: a.seed,
                privacy: privacy_doc,
                mean_batch_size: mean_batch,
                clipped_fraction: t.clipped_fraction,
                test_rows: test.as_ref().map(|t| t.n),
                test_accuracy,
                seconds,
                curve: curve_points.as_ref().map(|(points, no_noise)| Curve {
                    points: points
                        .iter()
                        .map(|c| ReportCurvePoint {
                            target_epsilon: c.epsilon,
                            noise_multiplier: c.noise_multiplier,
                            test_accuracy: c.accuracy,
                        })
                        .collect(),
                    no_noise_test_accuracy: *no_noise,
                }),
            });
            outln!(
                "{}",
                serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
            );
            a.submit
                .upload_report("dp", crate::registry::submit::Verdict::None, &doc)?;
        }
    }
    if pr.noise_multiplier == 0.0 {
        eprintln!("warning: --noise-multiplier 0: no noise, no privacy (epsilon is infinite)");
    }
    Ok(ExitCode::SUCCESS)
}
