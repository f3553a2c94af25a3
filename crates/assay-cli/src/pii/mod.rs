//! `assay pii scan|mask|decrypt`: PII detection and masking in text files (streamed line by
//! line, chunks of lines analysed in parallel with rayon, output in input order) and in CSV
//! columns (`--columns`), through `assay_pii`. Binary or non-UTF-8 input, an unusable operator
//! and a missing key are input errors (exit 2); a masking run writes a temporary file next to
//! its output and renames it only when everything succeeded.

mod columns;
mod io;
mod mask;
mod scan;

use assay_data::bounds::parse_finite;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use crate::counts;

/// `assay pii` subcommands.
#[derive(Subcommand)]
pub enum PiiCommand {
    /// Find personal data (emails, phones, cards, IBANs, SSNs, IPs, URLs, dates, IDs, wallets) in a text file or stdin, or classify the columns of a CSV file (--columns).
    Scan(ScanArgs),
    /// Mask personal data: per entity type redact, replace, mask, hash, pseudonymize (HMAC), encrypt (AES-256-GCM), date_shift or generalize.
    Mask(MaskArgs),
    /// Decrypt the values a mask run with the `encrypt` operator wrote.
    Decrypt(DecryptArgs),
    /// Write a new random key (32 bytes from the OS, 64 hex digits) to a new file readable by
    /// its owner only (mode 0600), for --key-file or ASSAY_PII_KEY.
    Keygen(KeygenArgs),
}

/// Arguments of `assay pii keygen`.
#[derive(Args)]
pub struct KeygenArgs {
    /// The key file to create; an existing file is never overwritten.
    #[arg(long)]
    pub out: PathBuf,
}

fn keygen(a: KeygenArgs) -> Result<ExitCode, String> {
    crate::output::write_private(&a.out, &assay_pii::operators::generate_key(), "--out")?;
    eprintln!(
        "wrote a new key to {} (mode 0600); use it with --key-file {} or ASSAY_PII_KEY=$(cat {})",
        a.out.display(),
        a.out.display(),
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Output of `assay pii scan`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ScanFormat {
    /// One line per finding: line:column, type, score, rule, text.
    Text,
    /// A JSON array of findings with byte and character offsets, line, score, rule and text.
    Json,
    /// Presidio's analyzer JSON: `[{entity_type, start, end, score}]`, character offsets.
    Presidio,
}

/// What to detect.
#[derive(Args, Clone)]
pub struct DetectArgs {
    /// Only these entity types, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    pub entities: Option<Vec<String>>,
    /// Only findings of these rules, comma-separated (e.g. date_of_birth: birth dates and not
    /// other dates; the rule of each finding is in the text and JSON scan output).
    #[arg(long, value_delimiter = ',')]
    pub rules: Option<Vec<String>>,
    /// Drop findings scoring below this (Presidio's score_threshold).
    #[arg(long, value_parser = parse_finite, default_value_t = 0.0)]
    pub threshold: f64,
    /// CSV input: classify each column by the share of sampled cells with a finding.
    #[arg(long)]
    pub columns: bool,
    /// With --columns: rows sampled per column.
    #[arg(long, value_parser = counts::at_most(counts::ROWS), default_value_t = 1000)]
    pub sample: usize,
    /// With --columns: the least share of non-empty sampled cells with a finding of one type
    /// for the column to be classified as that type.
    #[arg(long, value_parser = parse_finite, default_value_t = 0.5)]
    pub min_share: f64,
}

/// Arguments of `assay pii scan`.
#[derive(Args)]
pub struct ScanArgs {
    /// Input text file, or `-` for standard input.
    pub input: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ScanFormat,
    #[command(flatten)]
    pub detect: DetectArgs,
}

/// Key sources (never the command line itself).
#[derive(Args, Clone)]
pub struct KeyArgs {
    /// File holding the key (64 hex digits, base64 of 32 bytes, or at least 16 bytes).
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    /// Environment variable holding the key (default: ASSAY_PII_KEY when set).
    #[arg(long)]
    pub key_env: Option<String>,
}

/// Output of `assay pii mask`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum MaskFormat {
    /// The masked text (or CSV).
    Text,
    /// Presidio's anonymizer JSON: `{"text": ..., "items": [...]}` (text input only).
    Presidio,
}

/// Arguments of `assay pii mask`.
#[derive(Args)]
pub struct MaskArgs {
    /// Input text or CSV file, or `-` for standard input.
    pub input: PathBuf,
    /// Output file (`-` for standard output); written to a temporary file and renamed on success.
    #[arg(long)]
    pub out: PathBuf,
    /// Operator per entity type, repeatable: TYPE=OP[:ARG], e.g. US_SSN=mask:4,
    /// EMAIL_ADDRESS=pseudonymize, DATE_TIME=date_shift:30; TYPE `*` sets the default
    /// (otherwise `replace`, giving `<TYPE>`).
    #[arg(long = "operator")]
    pub operators: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: MaskFormat,
    /// Person id for date shifting of a text input (one person per file).
    #[arg(long)]
    pub person_id: Option<String>,
    /// With --columns: the column holding the person id for date shifting.
    #[arg(long)]
    pub id_column: Option<String>,
    #[command(flatten)]
    pub detect: DetectArgs,
    #[command(flatten)]
    pub key: KeyArgs,
}

/// Arguments of `assay pii decrypt`.
#[derive(Args)]
pub struct DecryptArgs {
    /// Masked file, or `-` for standard input.
    pub input: PathBuf,
    /// Output file (`-` for standard output).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub key: KeyArgs,
}

/// Runs `assay pii`.
pub fn run(cmd: PiiCommand) -> Result<ExitCode, String> {
    match cmd {
        PiiCommand::Scan(a) => scan::run(a),
        PiiCommand::Mask(a) => mask::run(a),
        PiiCommand::Decrypt(a) => mask::run_decrypt(a),
        PiiCommand::Keygen(a) => keygen(a),
    }
}

fn analyzer(d: &DetectArgs) -> Result<assay_pii::Analyzer, String> {
    if !(0.0..=1.0).contains(&d.threshold) {
        return Err(format!("--threshold {} is outside [0, 1]", d.threshold));
    }
    assay_pii::Analyzer::new(assay_pii::AnalyzerConfig {
        entities: d.entities.clone(),
        threshold: d.threshold,
        rules: d.rules.clone(),
    })
}

fn load_keys(k: &KeyArgs) -> Result<Option<assay_pii::operators::Keys>, String> {
    let material: Option<Vec<u8>> = if let Some(p) = &k.key_file {
        Some(std::fs::read(p).map_err(|e| format!("key file {}: {e}", p.display()))?)
    } else if let Some(v) = &k.key_env {
        Some(
            std::env::var(v)
                .map_err(|_| format!("environment variable {v} (--key-env) is not set"))?
                .into_bytes(),
        )
    } else {
        std::env::var("ASSAY_PII_KEY").ok().map(String::into_bytes)
    };
    material
        .map(|m| assay_pii::operators::Keys::from_material(&m).map_err(|e| e.to_string()))
        .transpose()
}
