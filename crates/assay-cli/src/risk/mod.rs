//! `assay risk`: anonymity measurement of a table given its quasi-identifiers and sensitive
//! attributes (k-anonymity, l-diversity, t-closeness, β-likeness, δ-disclosure privacy and
//! re-identification risk) through `assay_anonymity`, as text or JSON (`assay.anonymity/1`).

mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::input::InputArgs;

pub use crate::output::Format;

/// Arguments of `assay risk`.
#[derive(Args)]
pub struct RiskArgs {
    /// The table (CSV, Parquet or Arrow IPC), the first argument as in every other command.
    #[arg(
        value_name = "DATA",
        required_unless_present = "data_flag",
        conflicts_with = "data_flag"
    )]
    pub data: Option<PathBuf>,
    /// The table, as earlier releases took it (`--data FILE`); kept, hidden, for one release
    /// (CHANGELOG.md).
    #[arg(long = "data", id = "data_flag", value_name = "FILE", hide = true)]
    pub data_flag: Option<PathBuf>,
    /// Quasi-identifier columns, comma-separated: the attributes an attacker can link
    /// (age, sex, zip code, ...).
    #[arg(long = "quasi-identifiers", value_delimiter = ',', required = true)]
    pub quasi_identifiers: Vec<String>,
    /// Sensitive attribute columns, comma-separated (several are measured over the same
    /// equivalence classes; the weakest decides).
    #[arg(long, value_delimiter = ',', required = true)]
    pub sensitive: Vec<String>,
    /// The population table the data is a sample of (same format and columns), for the
    /// journalist and marketer risk; without it the data set is its own population.
    #[arg(long)]
    pub population: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Runs `assay risk`.
pub fn run(a: RiskArgs) -> Result<ExitCode, String> {
    if a.input.predictions.is_some() {
        return Err("assay risk reads one table; --predictions is not used".to_string());
    }
    for (flag, cols) in [
        ("--quasi-identifiers", &a.quasi_identifiers),
        ("--sensitive", &a.sensitive),
    ] {
        if cols.iter().any(|c| c.trim().is_empty()) {
            return Err(format!("{flag}: empty column name in the list"));
        }
    }
    let data = a
        .data
        .clone()
        .or_else(|| a.data_flag.clone())
        .ok_or("name the table: assay risk DATA --quasi-identifiers ...")?;
    let opts = a.input.read_options()?;
    let partition =
        assay_anonymity::Partition::from_path(&data, &opts, &a.quasi_identifiers, &a.sensitive)
            .map_err(|e| e.to_string())?;
    let mut m = assay_anonymity::measure(&partition).map_err(|e| e.to_string())?;
    if let Some(pop) = &a.population {
        let population =
            assay_anonymity::Partition::from_path(pop, &opts, &a.quasi_identifiers, &[])
                .map_err(|e| e.to_string())?;
        m.risk = assay_anonymity::risk::risk_with_population(&partition, &population)
            .map_err(|e| e.to_string())?;
    }
    let out = match a.format {
        Format::Text => render::text(&data, &m),
        Format::Json => render::json(&data, &m),
    };
    out!("{out}");
    Ok(ExitCode::SUCCESS)
}
