//! Column-level detection for CSV files: the first `--sample` rows of each column are analysed
//! (each cell with its column header in front, so that a header such as "ssn" or "dob" acts as
//! a context word) and the column is classified as the entity type found in the largest share of
//! its non-empty sampled cells, when that share is at least `--min-share`.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use super::io::{display_name, open_bytes};
use super::ScanArgs;
use assay_pii::Analyzer;

/// The classification of one column (the report's type).
pub use assay_core::reports::pii::ColumnClass;

/// The findings of one cell, analysed with its header as context (offsets into the cell).
pub fn analyze_cell(analyzer: &Analyzer, header: &str, cell: &str) -> Vec<assay_pii::Finding> {
    let prefix = format!("{header}: ");
    let text = format!("{prefix}{cell}");
    analyzer
        .analyze(&text)
        .into_iter()
        .filter(|f| f.start >= prefix.len())
        .map(|mut f| {
            f.start -= prefix.len();
            f.end -= prefix.len();
            f.char_start -= prefix.chars().count();
            f.char_end -= prefix.chars().count();
            f
        })
        .collect()
}

/// Reads the header and the sampled rows; classifies every column.
pub fn classify(
    path: &std::path::Path,
    analyzer: &Analyzer,
    sample: usize,
    min_share: f64,
) -> Result<(Vec<String>, Vec<ColumnClass>), String> {
    let name = display_name(path);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(open_bytes(path)?);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("{name}: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for rec in rdr.records().take(sample) {
        let rec = rec.map_err(|e| format!("{name}: {e}"))?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    use rayon::prelude::*;
    let classes = headers
        .par_iter()
        .enumerate()
        .map(|(j, h)| {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            let mut non_empty = 0;
            for r in &rows {
                let cell = r.get(j).map(String::as_str).unwrap_or("");
                if cell.trim().is_empty() {
                    continue;
                }
                non_empty += 1;
                let mut types: Vec<&str> = analyze_cell(analyzer, h, cell)
                    .iter()
                    .map(|f| f.entity_type)
                    .collect();
                types.sort_unstable();
                types.dedup();
                for t in types {
                    *counts.entry(t.to_string()).or_default() += 1;
                }
            }
            let best = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
            let share = best.map_or(0.0, |(_, &c)| {
                if non_empty == 0 {
                    0.0
                } else {
                    c as f64 / non_empty as f64
                }
            });
            let entity_type = best
                .filter(|_| share >= min_share && non_empty > 0)
                .map(|(t, _)| t.clone());
            ColumnClass {
                column: h.clone(),
                entity_type,
                share,
                sampled: rows.len(),
                non_empty,
                counts,
            }
        })
        .collect();
    Ok((headers, classes))
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
