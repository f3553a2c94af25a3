//! `assay anonymize`: the flags of [`assay_core::anonymize`] (Mondrian or the optimal lattice
//! search with suppression; the anonymized table written atomically and re-measured; an output
//! that fails the requirements is never written), and the report of the achieved k, l and t,
//! the information loss and the time.

mod render;

use assay_data::bounds::parse_finite;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use assay_anonymity::mondrian::Criteria;
use assay_core::anonymize::{self as core_anonymize, AnonymizeOptions, Error};

use crate::input::InputArgs;

pub use assay_core::anonymize::Outcome;

pub use assay_core::anonymize::Algorithm;

pub use crate::output::Format;

/// Arguments of `assay anonymize`.
#[derive(Args)]
pub struct AnonymizeArgs {
    /// The table (CSV, Parquet or Arrow IPC).
    pub data: PathBuf,
    /// Quasi-identifier columns, comma-separated (the columns generalized).
    #[arg(long = "quasi-identifiers", value_delimiter = ',', required = true)]
    pub quasi_identifiers: Vec<String>,
    /// Sensitive attribute columns, comma-separated (needed for --l and --t; measured in the
    /// report).
    #[arg(long, value_delimiter = ',')]
    pub sensitive: Vec<String>,
    /// k-anonymity: at least k records per equivalence class.
    #[arg(long)]
    pub k: i64,
    /// Distinct l-diversity of every sensitive attribute.
    #[arg(long)]
    pub l: Option<i64>,
    /// t-closeness (Earth Mover's Distance) of every sensitive attribute.
    #[arg(long, value_parser = parse_finite)]
    pub t: Option<f64>,
    /// The algorithm.
    #[arg(long, value_enum, default_value = "mondrian")]
    pub algorithm: Algorithm,
    /// Generalization hierarchies (TOML; required for every quasi-identifier with --algorithm
    /// lattice; Mondrian uses the trees of categorical columns).
    #[arg(long)]
    pub hierarchies: Option<PathBuf>,
    /// Largest share of records the lattice search may suppress (not release).
    #[arg(long, value_parser = parse_finite, default_value_t = 0.0)]
    pub suppression_limit: f64,
    /// Where to write the anonymized table (`.parquet` Parquet, `.arrow` Arrow IPC, anything
    /// else CSV); the other columns are unchanged.
    #[arg(long)]
    pub out: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Also train assay's logistic regression to predict this column on the original and on
    /// the anonymized table (same seeded 70/30 split of the released records) and report both
    /// test accuracies.
    #[arg(long, value_name = "LABEL")]
    pub utility: Option<String>,
    /// Columns to leave out of the output, comma-separated (for example direct identifiers
    /// such as names and case numbers).
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub drop: Vec<String>,
    /// Write this column unchanged although it identifies a person directly (repeatable or
    /// comma-separated). Without it, anonymize refuses to write direct identifiers: every column
    /// that is not a quasi-identifier or sensitive attribute is classified by the PII column
    /// scan (its cells and its name), and names, dates of birth, ids, case numbers, contact
    /// details and account numbers must be dropped (--drop), masked first
    /// (assay pii mask --columns) or kept with this flag.
    #[arg(long = "keep-identifier", value_delimiter = ',', value_name = "COLUMN")]
    pub keep_identifiers: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs,
}

/// The library's error in the words of the flags.
fn message(a: &AnonymizeArgs, e: Error) -> String {
    match e {
        Error::KTooSmall => format!("--k {}: k must be at least 1", a.k),
        Error::KTooLarge { k, records } => {
            format!("--k {k}: larger than the table ({records} records)")
        }
        Error::LTooSmall => format!("--l {}: l must be at least 1", a.l.unwrap_or(0)),
        Error::TOutOfRange(t) => format!("--t {t}: t must be in [0, 1]"),
        Error::NeedsSensitive => "--l and --t need --sensitive".into(),
        Error::SuppressionOutOfRange(s) => format!("--suppression-limit {s}: must be in [0, 1]"),
        Error::SuppressionWithMondrian => {
            "--suppression-limit applies to --algorithm lattice (Mondrian suppresses nothing)"
                .into()
        }
        Error::EmptyColumnName => {
            "empty column name in --quasi-identifiers or --sensitive".into()
        }
        Error::MissingHierarchy { column, file } => match file {
            Some(p) => format!("{}: no hierarchy for quasi-identifier '{column}' (--algorithm lattice needs one per quasi-identifier)", p.display()),
            None => format!("--algorithm lattice needs --hierarchies FILE.toml with a hierarchy for each quasi-identifier ('{column}' has none)"),
        },
        Error::NoColumn {
            path,
            role: "utility label",
            column,
            columns,
        } => format!(
            "{}: no --utility label column named '{column}' (columns: {})",
            path.display(),
            columns.join(", ")
        ),
        Error::UtilityLabelIsQuasiIdentifier(l) => {
            format!("--utility: the label '{l}' is a quasi-identifier")
        }
        Error::DirectIdentifiers { path, identifiers } => {
            let names: Vec<&str> = identifiers.iter().map(|i| i.column.as_str()).collect();
            format!(
                "{}: {} would be written unchanged but identif{} a person directly:\n{}\nDrop {} (--drop {}), mask {} first (assay pii mask --columns), or keep {} on purpose (--keep-identifier COLUMN).",
                path.display(),
                if names.len() == 1 { "this column" } else { "these columns" },
                if names.len() == 1 { "ies" } else { "y" },
                identifiers
                    .iter()
                    .map(|i| format!("  {} ({}: {})", i.column, i.entity_type, i.why))
                    .collect::<Vec<_>>()
                    .join("\n"),
                if names.len() == 1 { "it" } else { "them" },
                names.join(","),
                if names.len() == 1 { "it" } else { "them" },
                if names.len() == 1 { "it" } else { "any" },
            )
        }
        Error::ColumnRoleClash { column, role, what } => format!(
            "{}: '{column}' is a {role}; it cannot also be {what}",
            if what == "dropped" { "--drop" } else { "--keep-identifier" }
        ),
        Error::UtilityOneClass(l) => format!("--utility: the label '{l}' has fewer than two values"),
        Error::UtilityTooFewRecords => {
            "--utility: too few records to split into training and test sets".into()
        }
        e => e.to_string(),
    }
}

/// Runs `assay anonymize`.
pub fn run(a: AnonymizeArgs) -> Result<ExitCode, String> {
    if a.input.predictions.is_some() {
        return Err("assay anonymize reads one table; --predictions is not used".into());
    }
    if a.k < 1 {
        return Err(message(&a, Error::KTooSmall));
    }
    if a.l.is_some_and(|l| l < 1) {
        return Err(message(&a, Error::LTooSmall));
    }
    let options = AnonymizeOptions {
        quasi_identifiers: a.quasi_identifiers.clone(),
        sensitive: a.sensitive.clone(),
        criteria: Criteria {
            k: a.k as u64,
            l: a.l.map(|l| l as u64),
            t: a.t,
        },
        algorithm: a.algorithm,
        hierarchies: a.hierarchies.clone(),
        suppression_limit: a.suppression_limit,
        utility: a.utility.clone(),
        drop: a.drop.clone(),
        keep_identifiers: a.keep_identifiers.clone(),
    };
    let outcome = core_anonymize::anonymize(&a.data, &a.input.read_options()?, &a.out, &options)
        .map_err(|e| message(&a, e))?;
    if a.format == Format::Json {
        // The text report lists them; a JSON report on stdout is read by programs.
        for w in &outcome.warnings {
            eprintln!("warning: {w}");
        }
    }
    let out = match a.format {
        Format::Text => render::text(&a, &outcome),
        Format::Json => render::json(&a, &outcome),
    };
    out!("{out}");
    Ok(ExitCode::SUCCESS)
}
