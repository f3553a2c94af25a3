//! `assay fairness`: the fairness assessment of a model's decisions.

use assay_data::bounds::parse_finite;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use assay_core::scoring::{self, ScoringError, MODEL_DECISION, MODEL_SCORE};
use assay_data::{Binning, ColumnRoles};
use assay_fairness::{assess, AssessOptions, Policy};

use crate::counts;
use crate::input::InputArgs;

/// Output format on standard output: the shared `text` and `json` of every command
/// ([`crate::output::Format`]), and Markdown.
#[derive(Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    /// A readable report (`table` is accepted too).
    #[value(alias = "table")]
    Text,
    /// The `assay.fairness/1` JSON document.
    Json,
    /// GitHub-flavoured Markdown.
    Markdown,
}

/// Arguments of `assay fairness`.
///
/// Example (UCI Adult, no header, income as label):
///
///   assay fairness adult.data --no-header --columns age,workclass,... --label income --positive '>50K' --score education-num --threshold 13 --sensitive sex,race
#[derive(Args)]
pub struct FairnessArgs {
    /// The data: CSV, Parquet or Arrow IPC, one row per decision.
    pub data: PathBuf,

    /// The true outcome column (binary).
    #[arg(long, help_heading = "Columns")]
    pub label: Option<String>,
    /// The model's decision column (binary).
    #[arg(long, help_heading = "Columns")]
    pub prediction: Option<String>,
    /// The model's score column (probability or any number).
    #[arg(long, help_heading = "Columns")]
    pub score: Option<String>,
    /// Derive the decision from the score: positive when score >= T (with --model: default 0.5).
    #[arg(long, value_parser = parse_finite, value_name = "T", help_heading = "Columns")]
    pub threshold: Option<f64>,
    /// Score the data with this model on the fly (ONNX, XGBoost JSON, LightGBM text, or one saved by `assay train`) instead of reading a score column: its probability of the positive class becomes the column `model_score`, and the decision is the model's own, as assay predict makes it (probability > 0.5, or the seeded draw of a randomized mitigated model), or `model_score >= --threshold` when given.
    #[arg(long, value_name = "FILE", help_heading = "Columns")]
    pub model: Option<PathBuf>,
    /// The model file that made the decisions or scores already in the data (without --model): it is not loaded, only its SHA-256 is recorded in the report's provenance, so that the report can be attached as evidence to that model's version in the registry (a report that names no model is unbound evidence and satisfies no approval rule).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "model",
        help_heading = "Columns"
    )]
    pub predicted_by: Option<PathBuf>,
    /// Sensitive feature column(s); several make intersectional groups (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', help_heading = "Columns")]
    pub sensitive: Vec<String>,
    /// Sample-weight column.
    #[arg(long, help_heading = "Columns")]
    pub weight: Option<String>,
    /// The positive label/decision value when it is not 1/true (e.g. '>50K').
    #[arg(long, help_heading = "Columns")]
    pub positive: Option<String>,
    /// Bin a numeric sensitive feature: COLUMN=EDGE,EDGE,... (e.g. age=25,45 gives <25, [25, 45), >=45).
    #[arg(long, value_name = "COLUMN=EDGES", help_heading = "Columns")]
    pub bins: Vec<String>,
    /// Other outcome columns (a historical decision, a second label): not model inputs, so
    /// never scanned as proxies (comma-separated; `outcomes = [...]` in a roles file).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "COLUMNS",
        help_heading = "Columns"
    )]
    pub outcomes: Vec<String>,
    /// TOML file with the column roles (flags override it).
    #[arg(long, value_name = "FILE", help_heading = "Columns")]
    pub roles: Option<PathBuf>,

    #[command(flatten)]
    pub input: InputArgs,

    /// Bootstrap replicates for the intervals of differences and ratios (0 turns them off).
    #[arg(
        long,
        value_parser = counts::at_most(counts::BOOTSTRAP),
        default_value_t = 1000,
        value_name = "B",
        help_heading = "Uncertainty"
    )]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 0, help_heading = "Uncertainty")]
    pub seed: u64,
    /// Confidence level of every interval.
    #[arg(long, value_parser = parse_finite, default_value_t = 0.95, help_heading = "Uncertainty")]
    pub confidence: f64,
    /// Groups with fewer rows are flagged and left out of disparities.
    #[arg(long, default_value_t = 30, help_heading = "Groups")]
    pub min_group_size: u64,
    /// Keep groups smaller than --min-group-size in disparities.
    #[arg(long, help_heading = "Groups")]
    pub include_small_groups: bool,
    /// The positive decision is harmful to the person (e.g. "high risk"), so a higher selection rate is worse.
    #[arg(long, help_heading = "Groups")]
    pub harmful_positive: bool,
    /// Skip rows whose role cells are empty or invalid (the report says how many) instead of failing.
    #[arg(long, help_heading = "Input")]
    pub drop_invalid: bool,
    /// Skip the bias scan of the other columns (proxies, missing values).
    #[arg(long)]
    pub no_scan: bool,

    /// Policy file (TOML) of thresholds; exit code 1 when one does not hold.
    #[arg(long, value_name = "FILE", help_heading = "Policy and output")]
    pub policy: Option<PathBuf>,
    /// What to print on standard output.
    #[arg(
        long,
        value_enum,
        default_value = "text",
        help_heading = "Policy and output"
    )]
    pub format: OutputFormat,
    /// Also write a self-contained HTML report.
    #[arg(long, value_name = "FILE", help_heading = "Policy and output")]
    pub html: Option<PathBuf>,
    /// Also write a Markdown report.
    #[arg(long, value_name = "FILE", help_heading = "Policy and output")]
    pub markdown: Option<PathBuf>,
    /// Also write the JSON document.
    #[arg(long, value_name = "FILE", help_heading = "Policy and output")]
    pub json: Option<PathBuf>,
    /// Never colour the terminal output.
    #[arg(long, help_heading = "Policy and output")]
    pub no_color: bool,
    #[command(flatten)]
    pub submit: crate::registry::submit::SubmitArgs,
}

fn roles(a: &FairnessArgs) -> Result<ColumnRoles, String> {
    if a.model.is_some() && (a.score.is_some() || a.prediction.is_some()) {
        return Err(
            "--model scores the data itself; it cannot be combined with --score or --prediction"
                .into(),
        );
    }
    let flags = ColumnRoles {
        label: a.label.clone().unwrap_or_default(),
        prediction: a.prediction.clone(),
        score: match &a.model {
            Some(_) => Some(MODEL_SCORE.to_string()),
            None => a.score.clone(),
        },
        threshold: match &a.model {
            Some(_) => Some(a.threshold.unwrap_or(0.5)),
            None => a.threshold,
        },
        sensitive: a.sensitive.clone(),
        weight: a.weight.clone(),
        positive: a.positive.clone(),
        bins: a
            .bins
            .iter()
            .map(|b| Binning::parse(b))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?,
        outcomes: a.outcomes.clone(),
    };
    let roles = match &a.roles {
        Some(p) => flags.or(ColumnRoles::from_toml_file(p).map_err(|e| e.to_string())?),
        None => flags,
    };
    roles
        .validate()
        .map_err(|e| crate::input::data_message(&e))?;
    Ok(roles)
}

/// Runs `assay fairness`.
pub fn run(a: FairnessArgs) -> Result<ExitCode, String> {
    let roles = roles(&a)?;
    let policy = match &a.policy {
        Some(p) => Some(Policy::from_file(p)?),
        None => None,
    };
    let mut opts = AssessOptions::new(roles);
    opts.drop_invalid = a.drop_invalid;
    opts.bootstrap = a.bootstrap;
    opts.seed = a.seed;
    opts.confidence = a.confidence;
    opts.min_group_size = a.min_group_size;
    opts.include_small_groups = a.include_small_groups;
    opts.positive_is_favorable = !a.harmful_positive;
    opts.scan = !a.no_scan;
    let mut requests = assay_fairness::assess::column_requests(&opts.roles);
    let model = match &a.model {
        Some(path) => {
            let m = assay_core::models::open(path).map_err(|e| e.to_string())?;
            if m.randomized().is_some() && a.threshold.is_some() {
                return Err(format!(
                    "{}: the model is a randomized classifier (its decision is drawn with its probability, seeded); --threshold does not apply",
                    path.display()
                ));
            }
            if a.threshold.is_none() {
                // The model's own decision, as assay predict makes it.
                opts.roles.prediction = Some(MODEL_DECISION.to_string());
                opts.roles.threshold = None;
            }
            scoring::check_binary(m.as_ref()).map_err(|e| format!("{}: {e}", path.display()))?;
            scoring::request_inputs(
                m.as_ref(),
                &mut requests,
                &format!("input of the model {}", path.display()),
            );
            Some(m)
        }
        None => None,
    };
    let stream = a.input.open(&a.data, &requests, opts.scan)?;
    let stream = match model {
        Some(m) => scoring::with_model_score(stream, m, a.threshold.is_none(), a.positive.clone())
            .map_err(|e| match e {
                ScoringError::ColumnClash { path, column } => {
                    format!("{path}: the data already has a column '{column}', which --model adds")
                }
                e => e.to_string(),
            })?,
        None => stream,
    };
    let mut result = assess(stream, &opts).map_err(|e| crate::input::fairness_message(&e))?;
    let mut data = vec![a.data.as_path()];
    data.extend(a.input.predictions.as_deref());
    result.provenance = Some(crate::provenance::of(
        a.model.as_deref().or(a.predicted_by.as_deref()),
        &data,
    )?);
    if let (Some(p), Some(path)) = (&policy, &a.policy) {
        result.policy = Some(p.evaluate(&result, &path.display().to_string()));
    }
    let json = assay_report::json(&result);
    if let Some(p) = &a.json {
        crate::output::write(p, format!("{json}\n"))?;
    }
    if let Some(p) = &a.html {
        crate::output::write(p, assay_report::html(&result))?;
    }
    if let Some(p) = &a.markdown {
        crate::output::write(p, assay_report::markdown(&result))?;
    }
    match a.format {
        OutputFormat::Json => outln!("{json}"),
        OutputFormat::Markdown => out!("{}", assay_report::markdown(&result)),
        OutputFormat::Text => {
            let color = !a.no_color
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            out!(
                "{}",
                assay_report::terminal(
                    &result,
                    &assay_report::TerminalOptions { color, width: None }
                )
            );
        }
    }
    let failed = result.policy.as_ref().is_some_and(|p| !p.passed);
    let verdict = crate::registry::submit::Verdict::of(result.policy.as_ref().map(|p| p.passed));
    a.submit.upload("fairness", verdict, &json)?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
