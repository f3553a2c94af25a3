//! Column-level PII detection: the first rows of each column are analysed (each cell with its
//! column header in front, so that a header such as "ssn" or "dob" acts as a context word) and
//! the column is classified as the entity type found in the largest share of its non-empty
//! sampled cells, when that share is at least the minimum share; otherwise by what the column's
//! name announces (`last` a surname, `c_case_number` a case number), since a name recognizer
//! misses rare surnames and no pattern tells a case number from any other code.

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

/// Entity types that identify a person by themselves (HIPAA Safe Harbor's identifiers, 45 CFR
/// 164.514(b)(2)); a date identifies when it is a date of birth.
const DIRECT: [&str; 19] = [
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "FAX_NUMBER",
    "ACCOUNT_NUMBER",
    "LICENSE_NUMBER",
    "VEHICLE_ID",
    "LICENSE_PLATE",
    "DEVICE_ID",
    "US_SSN",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_PASSPORT",
    "US_DRIVER_LICENSE",
    "MEDICAL_RECORD_NUMBER",
    "HEALTH_PLAN_NUMBER",
    "CRYPTO",
    assay_pii::column_names::RECORD_ID,
];

/// Findings scoring below this (Presidio's "very weak" patterns: any 6 to 14 digits as a
/// driver's licence at 0.01, any 5 digits as a ZIP code, any 9 digits as a passport at 0.05)
/// count towards a column's type only when the column's name announces that type: otherwise
/// every column of counts or weights (Adult's `fnlwgt`) would read as licence numbers.
pub const VERY_WEAK: f64 = 0.1;

/// Whether a cell is a decimal number with a fraction or exponent (`0.706099`, `1e-3`): such a
/// cell is a measurement, never personal data, though its digits may match a pattern.
fn is_decimal(cell: &str) -> bool {
    let c = cell.trim();
    c.contains(['.', 'e', 'E']) && c.parse::<f64>().is_ok_and(f64::is_finite)
}

/// How far below the minimum share a column is reported as near the threshold.
pub const NEAR_THRESHOLD: f64 = 0.2;

/// Classifies one column from its header and its sampled cells: the entity type found in the
/// largest share of the non-empty cells when that share is at least `min_share`; otherwise the
/// type the header announces ([`assay_pii::column_names::hint`]); nothing when most cells are
/// masking placeholders.
pub fn classify_column<'a>(
    analyzer: &Analyzer,
    header: &str,
    cells: impl Iterator<Item = &'a str>,
    min_share: f64,
) -> ColumnClass {
    // A name announces a type only where the analyzer is asked for that type (--entities).
    let hint = assay_pii::column_names::hint(header).filter(|h| analyzer.reports(h.entity_type));
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let (mut sampled, mut non_empty, mut masked, mut births) = (0, 0, 0, 0);
    for cell in cells {
        sampled += 1;
        if cell.trim().is_empty() {
            continue;
        }
        non_empty += 1;
        if assay_pii::column_names::is_masked(cell) {
            masked += 1;
            continue;
        }
        if is_decimal(cell) {
            // 0.706099 is a score, not a phone number, whatever a pattern makes of its digits.
            continue;
        }
        let findings: Vec<assay_pii::Finding> = analyze_cell(analyzer, header, cell)
            .into_iter()
            .filter(|f| {
                f.score >= VERY_WEAK || hint.is_some_and(|h| h.entity_type == f.entity_type)
            })
            .collect();
        births += usize::from(findings.iter().any(|f| f.rule == "date_of_birth"));
        let mut types: Vec<&str> = findings.iter().map(|f| f.entity_type).collect();
        types.sort_unstable();
        types.dedup();
        for t in types {
            *counts.entry(t.to_string()).or_default() += 1;
        }
    }
    let share_of = |c: usize| {
        if non_empty == 0 {
            0.0
        } else {
            c as f64 / non_empty as f64
        }
    };
    let best = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
    let share = best.map_or(0.0, |(_, &c)| share_of(c));
    let by_cells = best
        .filter(|_| share >= min_share && non_empty > 0)
        .map(|(t, _)| t.clone());
    let already_masked = non_empty > 0 && share_of(masked) >= 0.9;
    let (entity_type, decided_by) = if already_masked || non_empty == 0 {
        (None, None)
    } else {
        match (by_cells, hint) {
            (Some(t), Some(h)) if t == h.entity_type => (Some(t), Some("cells and name")),
            (Some(t), _) => (Some(t), Some("cells")),
            (None, Some(h)) => (Some(h.entity_type.to_string()), Some("name")),
            (None, None) => (None, None),
        }
    };
    let birth_date = entity_type.as_deref() == Some("DATE_TIME")
        && (hint.is_some_and(|h| h.direct && h.entity_type == "DATE_TIME")
            || share_of(births) >= min_share);
    let direct_identifier =
        entity_type.as_deref().is_some_and(|t| DIRECT.contains(&t)) || birth_date;
    let name_says = hint
        .map(|h| h.meaning.to_string())
        .or_else(|| birth_date.then(|| "a date of birth".to_string()));
    ColumnClass {
        column: header.to_string(),
        near_threshold: entity_type.is_none()
            && !already_masked
            && share > 0.0
            && share >= min_share - NEAR_THRESHOLD,
        entity_type,
        share,
        sampled,
        non_empty,
        counts,
        name_says,
        decided_by: decided_by.map(str::to_string),
        direct_identifier,
        already_masked,
    }
}

/// Why a column that is not classified is left as it is, in words: already masked, empty in
/// the sample, near the threshold (with its best type and share), or no personal data found.
pub fn left_alone_because(c: &ColumnClass, min_share: f64) -> String {
    let best = c
        .counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(t, _)| t.as_str())
        .unwrap_or("-");
    if c.already_masked {
        "already masked (masking placeholders in 90 % or more of its cells)".into()
    } else if c.non_empty == 0 {
        format!("empty in the {} sampled rows", c.sampled)
    } else if c.near_threshold {
        format!(
            "near the threshold: {best} in {:.1} % of {} non-empty sampled cells, below the minimum share of {:.0} % (lower --min-share to mask it)",
            100.0 * c.share,
            c.non_empty,
            100.0 * min_share
        )
    } else if c.share > 0.0 {
        format!(
            "no personal data: at most {:.1} % of {} non-empty sampled cells hold a finding ({best})",
            100.0 * c.share,
            c.non_empty
        )
    } else {
        format!(
            "no personal data in {} non-empty sampled cells, and its name announces none",
            c.non_empty
        )
    }
}

/// Reads the header and the first `sample` rows of the CSV `input` (`name` in messages) and
/// classifies every column ([`classify_column`]).
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
            let cells = rows
                .iter()
                .map(|r| r.get(j).map(String::as_str).unwrap_or(""));
            classify_column(analyzer, h, cells, min_share)
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
        // Above the share the cells do not decide; the column's name still does.
        let (_, strict) = classify(csv.as_bytes(), "t.csv", &analyzer, 100, 0.9).unwrap();
        assert_eq!(strict[0].entity_type.as_deref(), Some("EMAIL_ADDRESS"));
        assert_eq!(strict[0].decided_by.as_deref(), Some("name"));
        let csv = csv.replace("email,", "contact,");
        let (_, strict) = classify(csv.as_bytes(), "t.csv", &analyzer, 100, 0.9).unwrap();
        assert_eq!(strict[0].entity_type, None);
    }

    fn one(header: &str, cells: &[&str]) -> ColumnClass {
        let analyzer = Analyzer::new(assay_pii::analyzer::AnalyzerConfig::default()).unwrap();
        classify_column(&analyzer, header, cells.iter().copied(), 0.5)
    }

    #[test]
    fn a_name_decides_where_the_cells_do_not() {
        // Rare surnames: the name recognizer knows few, the header says what they are.
        let c = one("last", &["zzyzx", "qwerty", "blorp", "smith"]);
        assert_eq!(c.entity_type.as_deref(), Some("PERSON"));
        assert_eq!(c.decided_by.as_deref(), Some("name"));
        assert_eq!(c.name_says.as_deref(), Some("a surname"));
        assert!(c.direct_identifier);
        let c = one("c_case_number", &["13011352CF10A", "13001275CF10A"]);
        assert_eq!(c.entity_type.as_deref(), Some("RECORD_ID"));
        assert!(c.direct_identifier);
        // Cells that agree with the name.
        let c = one("dob", &["1947-04-18", "1982-01-22"]);
        assert_eq!(c.entity_type.as_deref(), Some("DATE_TIME"));
        assert_eq!(c.decided_by.as_deref(), Some("cells and name"));
        assert!(c.direct_identifier);
        // A date that is not a birth date is not a direct identifier.
        let c = one("screening_date", &["2013-08-14", "2013-01-27"]);
        assert_eq!(c.entity_type.as_deref(), Some("DATE_TIME"));
        assert!(!c.direct_identifier);
        // Masked already: nothing to classify.
        let c = one("last", &["<PERSON>", "<PERSON>", ""]);
        assert_eq!(c.entity_type, None);
        assert!(c.already_masked && !c.direct_identifier);
        // Empty: nothing either.
        let c = one("last", &["", " "]);
        assert_eq!(c.entity_type, None);
    }

    #[test]
    fn very_weak_findings_need_the_name() {
        // Six-digit weights read as licence numbers at score 0.01: not evidence on their own.
        let cells = ["77516", "83311", "215646", "234721", "338409"];
        let c = one("fnlwgt", &cells);
        assert_eq!(c.entity_type, None, "{c:?}");
        assert!(!c.direct_identifier);
        let c = one("score", &["0.706099", "0.167113", "0.5123456789", "1e-3"]);
        assert_eq!(c.entity_type, None, "{c:?}");
        let c = one("zip", &["10001", "94105", "60614"]);
        assert_eq!(c.entity_type.as_deref(), Some("US_ZIP_CODE"));
        assert!(!c.direct_identifier);
    }

    #[test]
    fn near_the_threshold_is_reported() {
        let c = one(
            "notes",
            &[
                "call ann@example.com",
                "fine",
                "ok",
                "mail bob@example.org",
                "-",
                "x",
                "c@d.org",
            ],
        );
        assert_eq!(c.entity_type, None);
        assert!(c.near_threshold, "{c:?}");
        assert!(
            left_alone_because(&c, 0.5).starts_with("near the threshold: EMAIL_ADDRESS in 42.9 %")
        );
        let c = one(
            "notes",
            &["call ann@example.com", "fine", "ok", "-", "x", "y", "z"],
        );
        assert!(!c.near_threshold);
    }
}
