//! Column-level PII detection for CSV tables: the first rows of each column are analysed
//! (each cell with its column header in front, so that a header such as "ssn" or "dob" acts as
//! a context word) and the column is classified as the entity type found in the largest share
//! of its non-empty sampled cells, when that share is at least the minimum share.

use std::collections::BTreeMap;
use std::io::Read;

use rayon::prelude::*;

use assay_pii::Analyzer;

pub use crate::reports::pii::ColumnClass;

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

/// Reads the header and the first `sample` rows of the CSV `input` (`name` in messages) and
/// classifies every column.
pub fn classify(
    input: impl Read,
    name: &str,
    analyzer: &Analyzer,
    sample: usize,
    min_share: f64,
) -> Result<(Vec<String>, Vec<ColumnClass>), String> {
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(input);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_classified_by_their_largest_share() {
        let analyzer = Analyzer::new(assay_pii::analyzer::AnalyzerConfig::default()).unwrap();
        let csv = "email,note\nann@example.com,hello\nbob@example.org,\nnot an address,fine\n";
        let (headers, classes) = classify(csv.as_bytes(), "t.csv", &analyzer, 100, 0.5).unwrap();
        assert_eq!(headers, ["email", "note"]);
        assert_eq!(classes[0].entity_type.as_deref(), Some("EMAIL_ADDRESS"));
        assert!((classes[0].share - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!((classes[0].sampled, classes[0].non_empty), (3, 3));
        assert_eq!(classes[1].entity_type, None);
        assert_eq!(classes[1].non_empty, 2);
        // Above the share, nothing is classified.
        let (_, strict) = classify(csv.as_bytes(), "t.csv", &analyzer, 100, 0.9).unwrap();
        assert_eq!(strict[0].entity_type, None);
    }
}
