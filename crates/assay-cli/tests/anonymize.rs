//! `assay anonymize` end to end: Mondrian on UCI Adult for k = 5, 10 and 50 (quasi-identifiers
//! age, education-num, sex, race, marital-status; sensitive income), each output re-measured
//! here with `assay risk`; the lattice search with suppression; l and t together on a small
//! table; bad input as usage errors (exit 2) with nothing written.

use std::path::{Path, PathBuf};

use assay_data::datasets;
use serde_json::Value;

mod support;
use support::cli::{assay, ok_json, workspace};

const QI: &str = "age,education-num,sex,race,marital-status";

/// k, distinct l and t of a CSV by `assay risk`.
fn risk(path: &Path, qi: &str, sa: &str) -> Value {
    ok_json(&assay(&[
        "risk",
        "--data",
        path.to_str().unwrap(),
        "--quasi-identifiers",
        qi,
        "--sensitive",
        sa,
        "--format",
        "json",
    ]))
}

fn count_rows(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count() - 1
}

#[test]
fn adult_mondrian_k_5_10_50() {
    let Some(adult) = datasets::find(&workspace(), "adult.data") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let columns = datasets::ADULT_COLUMNS.join(",");
    let before = risk_adult(&adult, &columns);
    assert_eq!(
        before, 1,
        "Adult on these quasi-identifiers has unique records"
    );
    let mut ncp = 0.0;
    for k in [5u64, 10, 50] {
        let out = dir.path().join(format!("adult-k{k}.csv"));
        let k_text = k.to_string();
        let mut args = vec![
            "anonymize",
            adult.to_str().unwrap(),
            "--no-header",
            "--columns",
            &columns,
            "--quasi-identifiers",
            QI,
            "--sensitive",
            "income",
            "--k",
            &k_text,
            "--algorithm",
            "mondrian",
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json",
        ];
        if k == 50 {
            args.extend(["--utility", "income"]);
        }
        let r = ok_json(&assay(&args));
        if k == 50 {
            // Logistic regression on Adult predicts income with accuracy about 0.85; generalizing
            // five quasi-identifiers at k = 50 keeps it within a few points.
            let u = &r["utility"];
            let (orig, anon) = (
                u["original_accuracy"].as_f64().unwrap(),
                u["anonymized_accuracy"].as_f64().unwrap(),
            );
            assert!(orig > 0.8 && orig < 0.9, "{u}");
            assert!((orig - anon).abs() < 0.05, "{u}");
            eprintln!("utility at k = 50: {u}");
        } else {
            assert!(r["utility"].is_null());
        }
        assert_eq!(r["schema"], "assay.anonymize/1");
        let m = risk(&out, QI, "income");
        let measured = m["k"].as_u64().unwrap();
        assert!(measured >= k, "k = {k}: re-measured {measured}");
        assert_eq!(r["achieved"]["k"].as_u64().unwrap(), measured);
        assert_eq!(count_rows(&out), 32561);
        let loss = &r["loss"];
        assert_eq!(loss["suppressed"], 0);
        let classes = loss["classes"].as_u64().unwrap();
        assert!(classes > 32561 / (4 * k), "k = {k}: only {classes} classes");
        let this_ncp = loss["ncp"].as_f64().unwrap();
        assert!(this_ncp > ncp && this_ncp < 0.5, "NCP {this_ncp}");
        ncp = this_ncp;
        let c_avg = loss["average_class_size"].as_f64().unwrap();
        assert!((c_avg - 32561.0 / classes as f64 / k as f64).abs() < 1e-9);
        eprintln!(
            "Adult Mondrian k = {k}: {classes} classes, discernibility {}, C_avg {c_avg:.4}, NCP {this_ncp:.4}, {:.3} s",
            loss["discernibility"], r["seconds"]["algorithm"]
        );
        // The other columns are unchanged.
        let text = std::fs::read_to_string(&out).unwrap();
        let first = text.lines().nth(1).unwrap();
        assert!(first.contains(",State-gov,77516,Bachelors,"), "{first}");
    }
}

fn risk_adult(adult: &Path, columns: &str) -> u64 {
    ok_json(&assay(&[
        "risk",
        "--data",
        adult.to_str().unwrap(),
        "--no-header",
        "--columns",
        columns,
        "--quasi-identifiers",
        QI,
        "--sensitive",
        "income",
        "--format",
        "json",
    ]))["k"]
        .as_u64()
        .unwrap()
}

/// A small deterministic table: age, zip, job, disease, and an untouched note column.
fn small_table(dir: &Path) -> PathBuf {
    let jobs = ["nurse", "doctor", "clerk", "teacher", "lawyer", "driver"];
    let diseases = ["flu", "cancer", "hiv", "cold"];
    let mut s = String::from("age,zip,job,disease,note\n");
    let mut x = 12345u64;
    let mut next = |n: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % n
    };
    for i in 0..600 {
        let age = 18 + next(60);
        let zip = format!("130{}{}", next(4), next(10));
        let job = jobs[next(6) as usize];
        let d = diseases[next(4) as usize];
        s.push_str(&format!("{age},{zip},{job},{d},\"row {i}, kept\"\n"));
    }
    let p = dir.join("people.csv");
    std::fs::write(&p, s).unwrap();
    p
}

const HIERARCHIES: &str = r#"
[age]
type = "intervals"
widths = [5, 10, 20]

[zip]
type = "truncate"
drop = [1, 2]

[job]
type = "tree"
levels = [{ nurse = "health", doctor = "health", clerk = "office", lawyer = "office", teacher = "education", driver = "transport" },
          { health = "professional", office = "professional", education = "professional", transport = "manual" }]
"#;

#[test]
fn k_l_t_together_and_lattice_with_suppression() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_table(dir.path());
    let h = dir.path().join("h.toml");
    std::fs::write(&h, HIERARCHIES).unwrap();
    for (algorithm, limit) in [("mondrian", "0"), ("lattice", "0"), ("lattice", "0.03")] {
        let out = dir.path().join(format!("out-{algorithm}-{limit}.csv"));
        let r = ok_json(&assay(&[
            "anonymize",
            data.to_str().unwrap(),
            "--quasi-identifiers",
            "age,zip,job",
            "--sensitive",
            "disease",
            "--k",
            "8",
            "--l",
            "3",
            "--t",
            "0.25",
            "--algorithm",
            algorithm,
            "--hierarchies",
            h.to_str().unwrap(),
            "--suppression-limit",
            limit,
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json",
        ]));
        let m = risk(&out, "age,zip,job", "disease");
        assert!(m["k"].as_u64().unwrap() >= 8, "{algorithm}: {m}");
        assert!(m["l_distinct"].as_u64().unwrap() >= 3, "{algorithm}: {m}");
        assert!(m["t"].as_f64().unwrap() <= 0.25 + 1e-12, "{algorithm}: {m}");
        let suppressed = r["loss"]["suppressed"].as_u64().unwrap();
        assert!(suppressed as f64 <= limit.parse::<f64>().unwrap() * 600.0);
        assert_eq!(count_rows(&out) as u64, 600 - suppressed);
        if algorithm == "lattice" {
            assert_eq!(r["lattice"]["heights"], serde_json::json!([4, 3, 3]));
        }
        // The untouched column keeps its quoted commas.
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.contains("\"row 1, kept\"") || suppressed > 0,
            "{algorithm}"
        );
    }
    // The text report.
    let out = dir.path().join("text.csv");
    let o = assay(&[
        "anonymize",
        data.to_str().unwrap(),
        "--quasi-identifiers",
        "age,zip,job",
        "--k",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("achieved (re-measured on the output): k = "),
        "{text}"
    );
    assert!(text.contains("information loss: discernibility"), "{text}");
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_table(dir.path());
    let h = dir.path().join("h.toml");
    std::fs::write(&h, HIERARCHIES).unwrap();
    let partial = dir.path().join("partial.toml");
    std::fs::write(&partial, "[age]\ntype = \"intervals\"\nwidths = [10]\n").unwrap();
    let uncovered = dir.path().join("uncovered.toml");
    std::fs::write(
        &uncovered,
        HIERARCHIES.replace("driver = \"transport\" ", ""),
    )
    .unwrap();
    let out = dir.path().join("out.csv");
    let d = data.to_str().unwrap();
    let o = out.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--k", "601"], "larger than the table (600 records)"),
        (vec!["--k", "0"], "k must be at least 1"),
        (
            vec!["--k", "2", "--algorithm", "lattice"],
            "needs --hierarchies",
        ),
        (
            vec![
                "--k",
                "2",
                "--algorithm",
                "lattice",
                "--hierarchies",
                partial.to_str().unwrap(),
            ],
            "no hierarchy for quasi-identifier 'zip'",
        ),
        (
            vec![
                "--k",
                "2",
                "--algorithm",
                "lattice",
                "--hierarchies",
                uncovered.to_str().unwrap(),
            ],
            "column 'job': value 'driver' is not covered",
        ),
        (vec!["--k", "2", "--l", "2"], "--l and --t need --sensitive"),
    ];
    for (extra, want) in cases {
        let mut args = vec![
            "anonymize",
            d,
            "--quasi-identifiers",
            "age,zip,job",
            "--out",
            o,
        ];
        args.extend(extra);
        let r = assay(&args);
        assert_eq!(r.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!out.exists());
    }
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Issue #17: on COMPAS, anonymize refuses (exit 2, nothing written) to write the columns that
/// identify a person directly (names, date of birth, id, case numbers) unless each is dropped or
/// explicitly kept; a release that stays l = 1 or has a large t is warned about.
#[test]
fn compas_direct_identifiers_refused_unless_dropped_or_kept() {
    let Some(compas) = datasets::find(&workspace(), "compas-scores-two-years.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("compas-k5.csv");
    let base = [
        "anonymize",
        compas.to_str().unwrap(),
        "--quasi-identifiers",
        "age,sex,race",
        "--sensitive",
        "two_year_recid",
        "--k",
        "5",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ];
    let o = assay(&base);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists(), "nothing is written");
    let err = String::from_utf8_lossy(&o.stderr);
    let identifiers = [
        "id",
        "name",
        "first",
        "last",
        "dob",
        "c_case_number",
        "r_case_number",
        "vr_case_number",
    ];
    for c in identifiers {
        assert!(err.contains(&format!("\n  {c} (")), "{c} not named: {err}");
    }
    assert!(
        err.contains("--drop") && err.contains("--keep-identifier"),
        "{err}"
    );
    // No other column is called an identifier (dates of arrest and screening, charges, counts).
    assert_eq!(err.matches("\n  ").count(), identifiers.len(), "{err}");

    // Dropping all but one, and keeping that one on purpose, writes the release.
    let mut args = base.to_vec();
    args.extend([
        "--drop",
        "id,name,first,last,dob,c_case_number,r_case_number",
    ]);
    args.extend(["--keep-identifier", "vr_case_number"]);
    let o = assay(&args);
    let v = ok_json(&o);
    assert_eq!(v["dropped"].as_array().unwrap().len(), 7);
    assert_eq!(v["kept_identifiers"][0]["column"], "vr_case_number");
    assert_eq!(v["kept_identifiers"][0]["entity_type"], "RECORD_ID");
    let header = std::fs::read_to_string(&out).unwrap();
    let header: Vec<&str> = header.lines().next().unwrap().split(',').collect();
    for c in &identifiers[..7] {
        assert!(!header.contains(c), "{c} was written");
    }
    assert!(header.contains(&"vr_case_number"));
    // k = 5 alone leaves some classes with one outcome: the report says so.
    assert_eq!(v["achieved"]["l"], 1);
    let warnings: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("l = 1 for 'two_year_recid'")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.starts_with("t = ")),
        "{warnings:?}"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("warning: l = 1"));

    // A column cannot be both generalized and dropped; an unknown column is named.
    let mut args = base.to_vec();
    args.extend(["--drop", "age"]);
    let o = assay(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--drop: 'age' is a quasi-identifier"));
    let mut args = base.to_vec();
    args.extend(["--keep-identifier", "nope"]);
    let o = assay(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no kept identifier column named 'nope'"));
}

#[test]
fn the_lattice_search_reports_its_progress() {
    // Issue #17: with ASSAY_PROGRESS=plain (no terminal here) the search reports every node of
    // the 5 × 4 × 4 lattice on standard error.
    let dir = tempfile::tempdir().unwrap();
    let data = small_table(dir.path());
    let h = dir.path().join("h.toml");
    std::fs::write(&h, HIERARCHIES).unwrap();
    let out = dir.path().join("out.csv");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .args([
            "anonymize",
            data.to_str().unwrap(),
            "--quasi-identifiers",
            "age,zip,job",
            "--sensitive",
            "disease",
            "--k",
            "8",
            "--algorithm",
            "lattice",
            "--hierarchies",
            h.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .env("ASSAY_PROGRESS", "plain")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("assay: generalization lattice nodes: 80 of 80 in "),
        "{err}"
    );
}
