//! Input options shared by every command that reads a table.

use std::path::{Path, PathBuf};

use clap::Args;

use assay_core::input::TableInput;
use assay_data::csv::CsvOptions;
use assay_data::source::ColumnRequest;
use assay_data::{BatchStream, Format, ReadOptions};

use crate::counts;

/// A data-layer error in the words of the CLI: an option or role is named by its flag
/// (`label` becomes `--label`, `no_header` `--no-header`).
pub fn data_message(e: &assay_data::DataError) -> String {
    match e {
        assay_data::DataError::Option { option, message } => {
            format!("--{}: {message}", option.replace('_', "-"))
        }
        assay_data::DataError::NeedsOption {
            path,
            column,
            row,
            message,
            option,
        } => format!(
            "{}: column '{column}'{}: {message} (--{})",
            path.display(),
            row.map(|r| format!(", row {r}")).unwrap_or_default(),
            option.replace('_', "-")
        ),
        e => e.to_string(),
    }
}

/// A fairness assessment's error in the words of the CLI ([`data_message`]).
pub fn fairness_message(e: &assay_fairness::FairnessError) -> String {
    match e {
        assay_fairness::FairnessError::Data(d) => data_message(d),
        e => e.to_string(),
    }
}

/// How to read the input file(s).
#[derive(Args, Clone)]
#[command(next_help_heading = "Input")]
pub struct InputArgs {
    /// Input format (default: from the extension or the file's first bytes).
    #[arg(long = "input-format", value_parser = ["csv", "parquet", "arrow"])]
    pub input_format: Option<String>,
    /// CSV: the file has no header line (name the columns with --columns).
    #[arg(long)]
    pub no_header: bool,
    /// CSV: column names, comma-separated (required with --no-header).
    #[arg(long, value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// CSV: field delimiter (a single character; `\t` for tab).
    #[arg(long, default_value = ",")]
    pub delimiter: String,
    /// CSV: quote character.
    #[arg(long, default_value = "\"")]
    pub quote: String,
    /// CSV: do not interpret quotes.
    #[arg(long)]
    pub no_quoting: bool,
    /// CSV: keep whitespace around fields (by default it is trimmed, as UCI Adult needs).
    #[arg(long)]
    pub no_trim: bool,
    /// CSV: cell values that mean "missing" (comma-separated; the empty cell always does).
    #[arg(long, value_delimiter = ',')]
    pub na_values: Vec<String>,
    /// Rows per record batch.
    #[arg(long, value_parser = counts::at_most(counts::BATCH_SIZE), default_value_t = 65_536)]
    pub batch_size: usize,
    /// A second file, row-aligned with the data, holding the prediction/score columns.
    #[arg(long)]
    pub predictions: Option<PathBuf>,
}

fn one_byte(name: &str, v: &str) -> Result<u8, String> {
    let v = if v == "\\t" { "\t" } else { v };
    match v.as_bytes() {
        [b] => Ok(*b),
        _ => Err(format!(
            "--{name} must be a single ASCII character, got '{v}'"
        )),
    }
}

impl InputArgs {
    /// Read options from the flags.
    pub fn read_options(&self) -> Result<ReadOptions, String> {
        let mut null_values = vec![String::new()];
        null_values.extend(self.na_values.iter().cloned());
        Ok(ReadOptions {
            format: match &self.input_format {
                None => None,
                Some(f) => Format::from_name(f),
            },
            csv: CsvOptions {
                has_header: !self.no_header,
                columns: self.columns.clone(),
                delimiter: one_byte("delimiter", &self.delimiter)?,
                quote: one_byte("quote", &self.quote)?,
                quoting: !self.no_quoting,
                trim: !self.no_trim,
                null_values,
            },
            batch_size: self.batch_size.max(1),
        })
    }

    /// The table input the flags describe.
    pub fn table_input(&self) -> Result<TableInput, String> {
        Ok(TableInput {
            options: self.read_options()?,
            predictions: self.predictions.clone(),
        })
    }

    /// Opens the data (and the predictions file, if any) as one stream of the requested
    /// columns (`all_columns`: every column of the data file too, for the bias scan).
    pub fn open(
        &self,
        data: &Path,
        columns: &[ColumnRequest],
        all_columns: bool,
    ) -> Result<BatchStream, String> {
        self.table_input()?
            .open(data, columns, all_columns)
            .map_err(|e| data_message(&e))
    }
}
