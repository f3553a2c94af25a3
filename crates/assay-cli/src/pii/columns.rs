//! Column-level detection for CSV files: the first `--sample` rows of each column are analysed
//! (each cell with its column header in front, so that a header such as "ssn" or "dob" acts as
//! a context word) and the column is classified as the entity type found in the largest share of
//! its non-empty sampled cells, when that share is at least `--min-share`.

use std::io::Write;
use std::process::ExitCode;

use super::io::{display_name, open_bytes};
use super::ScanArgs;
use assay_pii::Analyzer;

pub use assay_core::pii_columns::ColumnClass;

/// Classifies the columns of the CSV at `path` (`-`: standard input).
pub fn classify(
    path: &std::path::Path,
    analyzer: &Analyzer,
    sample: usize,
    min_share: f64,
) -> Result<(Vec<String>, Vec<ColumnClass>), String> {
    assay_core::pii_columns::classify(
        open_bytes(path)?,
        &display_name(path),
        analyzer,
        sample,
        min_share,
    )
}

pub fn scan(a: &ScanArgs, analyzer: &Analyzer) -> Result<ExitCode, String> {
    let (_, classes) = classify(&a.input, analyzer, a.detect.sample, a.detect.min_share)?;
    let mut out = crate::stdout::lock();
    let w = |e: std::io::Error| format!("stdout: {e}");
    match a.format {
        super::ScanFormat::Text => {
            for c in &classes {
                writeln!(
                    out,
                    "{:<24} {:<22} {:>6.1}% of {} non-empty sampled cells",
                    c.column,
                    c.entity_type.as_deref().unwrap_or("-"),
                    100.0 * c.share,
                    c.non_empty
                )
                .map_err(w)?;
            }
        }
        _ => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&classes).map_err(|e| e.to_string())?
        )
        .map_err(w)?,
    }
    Ok(ExitCode::SUCCESS)
}
