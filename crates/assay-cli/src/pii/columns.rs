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

/// How a classified column was decided, in words ("by its name: a surname; direct identifier").
fn evidence(c: &ColumnClass) -> String {
    let mut parts = Vec::new();
    match (c.decided_by.as_deref(), c.name_says.as_deref()) {
        (Some("name"), Some(m)) => parts.push(format!("by its name: {m}")),
        (Some("cells and name"), Some(m)) => parts.push(format!("by its cells and name: {m}")),
        (Some(_), Some(m)) => parts.push(format!("by its cells (its name says {m})")),
        _ => {}
    }
    if c.direct_identifier {
        parts.push("direct identifier".into());
    }
    if c.near_threshold {
        parts.push("near the threshold".into());
    }
    if c.already_masked {
        parts.push("already masked".into());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

/// What `assay pii mask --columns` does with each column, one line each: masked as which type
/// and on what evidence, or left as it is and why.
pub fn mask_plan(classes: &[ColumnClass], min_share: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut plain = Vec::new();
    for c in classes {
        match &c.entity_type {
            Some(t) => lines.push(format!("masking column {} as {t}{}", c.column, evidence(c))),
            None if c.near_threshold || c.already_masked || c.non_empty == 0 => {
                lines.push(format!(
                    "leaving column {} as it is: {}",
                    c.column,
                    assay_core::pii_columns::left_alone_because(c, min_share)
                ))
            }
            None => plain.push(c.column.as_str()),
        }
    }
    if !plain.is_empty() {
        lines.push(format!(
            "leaving {} column{} as {} (no personal data in the sampled cells, none announced by the name): {}",
            plain.len(),
            if plain.len() == 1 { "" } else { "s" },
            if plain.len() == 1 { "it is" } else { "they are" },
            plain.join(", ")
        ));
    }
    lines
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
                    "{:<24} {:<22} {:>6.1}% of {} non-empty sampled cells{}",
                    c.column,
                    c.entity_type.as_deref().unwrap_or("-"),
                    100.0 * c.share,
                    c.non_empty,
                    evidence(c)
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
