//! `assay`: responsible-AI checks for models that decide about people.
//!
//! Exit codes: 0 ok, 1 a policy check failed, 2 usage or input error.

// First, so that its `out!` and `outln!` macros are in scope in every module below.
#[macro_use]
mod stdout;

mod anonymize;
mod counts;
mod design;
mod dp;
mod example_cmd;
mod explain;
mod fairness_cmd;
mod govern;
mod input;
mod mia;
mod mitigate;
mod model_cmd;
mod output;
mod pii;
mod predict_cmd;
mod progress;
mod provenance;
mod registry;
mod risk;
mod train_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// assay audits machine-learning models that make decisions about people.
///
/// Start with the shipped example:
///
///   assay example hiring --out hiring.csv
///
///   assay fairness hiring.csv --label qualified --prediction shortlisted --score score --sensitive gender,race --html report.html
///
/// Exit codes: 0 ok, 1 a policy check failed, 2 usage or input error.
#[derive(Parser)]
#[command(name = "assay", version, about, long_about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Is the model biased, against whom, and how sure are we? Metrics by group, disparities with intervals, a bias scan and a policy gate.
    Fairness(Box<fairness_cmd::FairnessArgs>),
    /// Write a seeded synthetic example dataset.
    Example(example_cmd::ExampleArgs),
    /// Score a table with a model (ONNX, XGBoost JSON, LightGBM text, or one saved by `assay train` or `assay mitigate`), streaming; input columns match the model's inputs by name; the output keeps the input columns and adds score and prediction.
    Predict(Box<predict_cmd::PredictArgs>),
    /// Inspect a model file (its input columns, outputs, classes and structure), or export a model saved by `assay train` or `assay mitigate` to ONNX.
    #[command(subcommand)]
    Model(model_cmd::ModelCommand),
    /// Explain a model: SHAP (exact TreeSHAP, KernelSHAP, linear), LIME, permutation importance (also of a fairness disparity, and within each group), partial dependence, ICE, ALE, counterfactuals and recourse by group; JSON and an HTML report.
    Explain(Box<explain::ExplainArgs>),
    /// Mitigate bias: reweighing, resampling, correlation remover, disparate-impact remover, exponentiated gradient, grid search, threshold optimizer, reject option or per-group calibration, also of a model trained elsewhere (--model); reports fairness and accuracy before and after on test data, with the accuracy–fairness sweep, and saves the mitigated model.
    Mitigate(Box<mitigate::MitigateArgs>),
    /// Differential privacy: epsilon of DP-SGD-style training (Rényi DP or privacy loss distribution accountant), noise calibration for a target (epsilon, delta), DP-SGD training and its empirical audit, and private counts, sums, means, histograms and quantiles of a table with a budget ledger.
    Dp(Box<dp::DpArgs>),
    /// Anonymity of a table: k-anonymity, l-diversity (distinct, entropy, recursive), t-closeness, β-likeness, δ-disclosure privacy and re-identification risk, given quasi-identifiers and sensitive attributes.
    Risk(Box<risk::RiskArgs>),
    /// Membership-inference audit: trains the model on --train (or audits a given --model of any format), attacks it with loss and confidence thresholds, shadow models or LiRA (Carlini et al. 2022), and reports ROC AUC, balanced accuracy and TPR at 0.1 % and 1 % FPR against --holdout rows, with the ROC curve in the HTML report; optionally attribute inference.
    Mia(Box<mia::MiaArgs>),
    /// PII in text and CSV columns: find (emails, phones, cards, IBANs, SSNs, IPs, URLs, dates, IDs, wallets) and mask (redact, replace, mask, hash, HMAC pseudonyms, AES-256-GCM, date shifting, generalization).
    #[command(subcommand)]
    Pii(pii::PiiCommand),
    /// Anonymize a table: generalize its quasi-identifiers with Mondrian or the optimal full-domain lattice search (hierarchies in TOML, suppression limit) for k, l and t; writes the table atomically and reports the re-measured k, l, t and the information loss.
    Anonymize(Box<anonymize::AnonymizeArgs>),
    /// Fit a model (L2-regularised logistic regression, histogram gradient-boosted trees, or a CART decision tree) on a table and save it as JSON with its feature encoding.
    Train(Box<train_cmd::TrainArgs>),
    /// The governance audit log: verify its hash chain, and against a signed checkpoint.
    #[command(subcommand)]
    Log(govern::LogCommand),
    /// Run the governance server: model inventory, change approvals, access control, incidents and the hash-chained audit log over a JSON API (OpenAPI at /openapi.json), on SQLite or PostgreSQL, optionally over TLS.
    Serve(Box<govern::serve::ServeArgs>),
    /// Drive the governance server from scripts and CI: models, versions, artifacts (Ed25519-signed), evidence, change requests, rollback, review schedules, users, tokens and the audit trail (--server URL or $ASSAY_SERVER; token from $ASSAY_TOKEN).
    Registry(Box<registry::RegistryArgs>),
    /// Incidents on the governance server: open, list, show, note, status, post-mortem (--server URL or $ASSAY_SERVER; token from $ASSAY_TOKEN).
    Incident(Box<registry::IncidentArgs>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match stdout::guard(|| run(cli)) {
        Ok(code) => code,
        Err(stdout::Closed::Pipe) => ExitCode::SUCCESS,
        Err(stdout::Closed::Failed(e)) => {
            eprintln!("error: cannot write standard output: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs the command; errors are usage or input errors (exit code 2).
fn run(cli: Cli) -> ExitCode {
    if let Err(e) = progress::install() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Command::Fairness(args) => fairness_cmd::run(*args),
        Command::Example(args) => example_cmd::run(args),
        Command::Predict(args) => predict_cmd::run(*args),
        Command::Train(args) => train_cmd::run(*args),
        Command::Mitigate(args) => mitigate::run(*args),
        Command::Explain(args) => explain::run(*args),
        Command::Model(cmd) => model_cmd::run(cmd),
        Command::Dp(args) => dp::run(*args),
        Command::Risk(args) => risk::run(*args),
        Command::Mia(args) => mia::run(*args),
        Command::Pii(cmd) => pii::run(cmd),
        Command::Anonymize(args) => anonymize::run(*args),
        Command::Log(cmd) => govern::run(cmd),
        Command::Serve(args) => govern::serve::run(*args),
        Command::Registry(args) => registry::run(*args),
        Command::Incident(args) => registry::run_incident(*args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
