//! Issue #17: the bias scan reports no false proxies. Near-unique columns (case numbers,
//! dates) had an uncorrected Cramér's V near 1 against race and sex on COMPAS and were called
//! strong proxies; the hiring example listed `applicant_id` and the historical outcome `hired`.
//! Proxies are now judged by the bias-corrected V (Bergsma 2013), identifier-like columns are
//! set apart, and outcome columns are never scanned.

use assay_data::datasets;
use serde_json::Value;

mod support;
use support::cli::{assay, ok, ok_json, workspace};

/// The rows of the Markdown report's "Top proxy columns" table.
fn proxy_rows(md: &str) -> Vec<String> {
    md.split("### Top proxy columns")
        .nth(1)
        .map(|rest| {
            rest.lines()
                .skip_while(|l| !l.starts_with("| Column"))
                .skip(2)
                .take_while(|l| l.starts_with('|'))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn is_date_or_id(column: &str) -> bool {
    [
        "date",
        "case_number",
        "jail_in",
        "jail_out",
        "custody",
        "dob",
        "name",
        "first",
        "last",
    ]
    .iter()
    .any(|w| column.contains(w))
        || column == "id"
}

#[test]
fn compas_scan_lists_no_identifier_or_date_as_a_strong_proxy() {
    let Some(compas) = datasets::find(&workspace(), "compas-scores-two-years.csv") else {
        return;
    };
    let args = |format: &'static str| {
        vec![
            "fairness".to_string(),
            compas.display().to_string(),
            "--label".into(),
            "two_year_recid".into(),
            "--score".into(),
            "decile_score".into(),
            "--threshold".into(),
            "5".into(),
            "--sensitive".into(),
            "race,sex".into(),
            "--bootstrap".into(),
            "20".into(),
            "--format".into(),
            format.into(),
        ]
    };
    let a: Vec<String> = args("json");
    let v: Value = ok_json(&assay(&a.iter().map(String::as_str).collect::<Vec<_>>()));
    let columns = v["scan"]["columns"].as_array().unwrap();
    for c in columns {
        let name = c["column"].as_str().unwrap();
        let strongest = c["proxies"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["cramers_v_corrected"].as_f64())
            .fold(0.0, f64::max);
        if is_date_or_id(name) {
            assert!(
                !c["identifier_like"].is_null() || strongest < 0.5,
                "{name}: corrected V {strongest}"
            );
        }
    }
    for id in ["id", "c_case_number", "vr_case_number", "name", "last"] {
        let c = columns.iter().find(|c| c["column"] == id).unwrap();
        assert!(
            !c["identifier_like"].is_null(),
            "{id} is not marked as an identifier"
        );
    }
    // vr_case_number: unique per row, uncorrected V = 1 (what used to be shown).
    let vr = columns
        .iter()
        .find(|c| c["column"] == "vr_case_number")
        .unwrap();
    assert!(vr["proxies"][0]["cramers_v"].as_f64().unwrap() > 0.999);

    let a: Vec<String> = args("markdown");
    let o = assay(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let md = String::from_utf8_lossy(&o.stdout);
    let rows = proxy_rows(&md);
    assert!(!rows.is_empty(), "{md}");
    for r in &rows {
        let column = r.split('|').nth(1).unwrap().trim().replace('\\', "");
        assert!(!is_date_or_id(&column) || !r.contains("| strong |"), "{r}");
    }
    assert!(md.contains("Not judged as proxies, because they look like identifiers"));
}

#[test]
fn hiring_scan_lists_neither_applicant_id_nor_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hiring.csv");
    let d = data.to_str().unwrap();
    ok(&assay(&[
        "example", "hiring", "--rows", "2000", "--seed", "42", "--out", d,
    ]));
    let roles = workspace().join("examples/hiring/roles.toml");
    let roles = roles.to_str().unwrap();
    let v = ok_json(&assay(&[
        "fairness",
        d,
        "--roles",
        roles,
        "--bootstrap",
        "20",
        "--format",
        "json",
    ]));
    let columns = v["scan"]["columns"].as_array().unwrap();
    assert!(
        columns.iter().all(|c| c["column"] != "hired"),
        "the outcome was scanned"
    );
    let id = columns
        .iter()
        .find(|c| c["column"] == "applicant_id")
        .unwrap();
    assert_eq!(id["identifier_like"], "a record identifier");
    let o = assay(&[
        "fairness",
        d,
        "--roles",
        roles,
        "--bootstrap",
        "20",
        "--format",
        "markdown",
    ]);
    let md = String::from_utf8_lossy(&o.stdout);
    for r in proxy_rows(&md) {
        assert!(!r.contains("applicant") && !r.contains("hired"), "{r}");
    }
    // The label and the decision are roles, never scanned.
    assert!(columns
        .iter()
        .all(|c| c["column"] != "qualified" && c["column"] != "shortlisted"));
}
