//! Input options shared by every command that reads a table.

use std::path::{Path, PathBuf};

use clap::Args;

use assay_data::csv::CsvOptions;
use assay_data::source::ColumnRequest;
use assay_data::zip::ZipStreams;
use assay_data::{BatchStream, Format, ReadOptions};

use crate::counts;

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

    /// Opens the data (and the predictions file, if any) as one stream of
    /// the requested columns (`None`: every column, for the bias scan).
    pub fn open(
        &self,
        data: &Path,
        columns: &[ColumnRequest],
        all_columns: bool,
    ) -> Result<BatchStream, String> {
        let opts = self.read_options()?;
        let Some(pred_path) = &self.predictions else {
            let cols = (!all_columns).then_some(columns);
            return assay_data::open(data, &opts, cols).map_err(|e| e.to_string());
        };
        // Split the requested columns between the two files by name.
        let pred_names = assay_data::source::column_names(
            pred_path,
            &ReadOptions {
                csv: CsvOptions::default(),
                ..opts.clone()
            },
        )
        .map_err(|e| e.to_string())?;
        let (in_pred, in_data): (Vec<ColumnRequest>, Vec<ColumnRequest>) = columns
            .iter()
            .cloned()
            .partition(|c| pred_names.contains(&c.name));
        let left = if all_columns {
            let names = assay_data::source::column_names(data, &opts).map_err(|e| e.to_string())?;
            let keep: Vec<ColumnRequest> = names
                .into_iter()
                .filter(|n| !pred_names.contains(n))
                .map(|n| {
                    in_data
                        .iter()
                        .find(|c| c.name == n)
                        .cloned()
                        .unwrap_or(ColumnRequest {
                            name: n,
                            text_as: assay_data::csv::TextType::Utf8,
                            role: "column".into(),
                        })
                })
                .collect();
            assay_data::open(data, &opts, Some(&keep))
        } else {
            assay_data::open(data, &opts, Some(&in_data))
        }
        .map_err(|e| e.to_string())?;
        // The predictions file always has its own header.
        let popts = ReadOptions {
            csv: CsvOptions {
                has_header: true,
                columns: None,
                ..opts.csv.clone()
            },
            format: None,
            ..opts
        };
        let right =
            assay_data::open(pred_path, &popts, Some(&in_pred)).map_err(|e| e.to_string())?;
        Ok(ZipStreams::new(left, right)
            .map_err(|e| e.to_string())?
            .into_stream())
    }
}
