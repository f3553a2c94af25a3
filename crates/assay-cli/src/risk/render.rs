//! Text and JSON output of `assay risk`.

use std::fmt::Write;
use std::path::Path;

use assay_anonymity::Measures;
use assay_core::reports::anonymity::{AnonymityReport, ANONYMITY_SCHEMA};

/// The `assay.anonymity/1` JSON document: schema, the file, then every field of [`Measures`].
pub fn json(data: &Path, m: &Measures) -> String {
    let doc = AnonymityReport {
        schema: ANONYMITY_SCHEMA.into(),
        data: data.display().to_string(),
        measures: m.clone(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("measures serialise");
    s.push('\n');
    s
}

fn pct(x: f64) -> String {
    format!("{:.4}%", 100.0 * x)
}

/// A readable summary.
pub fn text(data: &Path, m: &Measures) -> String {
    let mut s = String::new();
    let r = &m.risk;
    let _ = writeln!(s, "Anonymity of {}", data.display());
    let _ = writeln!(s, "  quasi-identifiers: {}", m.quasi_identifiers.join(", "));
    let sens: Vec<String> = m
        .sensitive
        .iter()
        .zip(&m.numeric_sensitive)
        .map(|(n, &num)| format!("{n} ({})", if num { "numeric" } else { "categorical" }))
        .collect();
    let _ = writeln!(s, "  sensitive: {}", sens.join(", "));
    let _ = writeln!(
        s,
        "  {} records in {} equivalence classes\n",
        r.records, r.classes
    );
    let c = match m.recursive_c {
        Some(c) => format!("c = {c}, l = {} (as pycanon computes it)", m.recursive_l),
        None => format!("undefined (l = {})", m.recursive_l),
    };
    let by_definition = m
        .recursive_c_definition
        .iter()
        .map(|r| match r.c {
            Some(c) => format!("c = {c} at l = {}", r.l),
            None => format!("none at l = {}", r.l),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let rows = [
        ("k-anonymity", format!("k = {}", m.k)),
        ("distinct l-diversity", format!("l = {}", m.l_distinct)),
        ("entropy l-diversity", format!("l = {}", m.l_entropy)),
        ("recursive (c,l)-diversity", c),
        ("  by the definition", by_definition),
        ("t-closeness", format!("t = {:.6}", m.t)),
        ("basic β-likeness", format!("β = {:.6}", m.beta_basic)),
        ("enhanced β-likeness", format!("β = {:.6}", m.beta_enhanced)),
        ("δ-disclosure privacy", format!("δ = {:.6}", m.delta)),
    ];
    for (name, v) in rows {
        let _ = writeln!(s, "  {name:<27} {v}");
    }
    let _ = match r.population {
        None => writeln!(
            s,
            "\nRe-identification risk (the data set as its own population)"
        ),
        Some(p) => writeln!(
            s,
            "\nRe-identification risk (a sample of a population of {p} records)"
        ),
    };
    let risk = [
        ("prosecutor, highest", pct(r.prosecutor_max)),
        ("prosecutor, average", pct(r.prosecutor_avg)),
        ("records at highest risk", pct(r.records_at_max_risk)),
        ("unique records", pct(r.uniques)),
        ("journalist, highest", pct(r.journalist_max)),
        ("journalist, average", pct(r.journalist_avg)),
        ("marketer", pct(r.marketer)),
    ];
    for (name, v) in risk {
        let _ = writeln!(s, "  {name:<27} {v}");
    }
    s
}
