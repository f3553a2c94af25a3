//! End-to-end tests of the `assay` binary: exit codes, outputs and the
//! error messages for bad input (each must name the file, column, row and
//! what was expected).

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::cli::{assay, stderr, write};

fn hiring(dir: &Path) -> PathBuf {
    let p = dir.join("hiring.csv");
    let o = assay(&[
        "example",
        "hiring",
        "--rows",
        "3000",
        "--out",
        p.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    p
}

const HIRING_ROLES: [&str; 8] = [
    "--label",
    "qualified",
    "--prediction",
    "shortlisted",
    "--score",
    "score",
    "--sensitive",
    "gender,race",
];

#[test]
fn example_audit_json_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let html = dir.path().join("r.html");
    let md = dir.path().join("r.md");
    let mut args = vec!["fairness", data.to_str().unwrap()];
    args.extend(HIRING_ROLES);
    args.extend([
        "--bootstrap",
        "200",
        "--format",
        "json",
        "--html",
        html.to_str().unwrap(),
        "--markdown",
        md.to_str().unwrap(),
    ]);
    let o = assay(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema"], "assay.fairness/1");
    assert_eq!(v["overall"]["count"], 3000);
    let groups = v["groups"].as_array().unwrap();
    assert!(groups.len() >= 8);
    for g in groups {
        for k in [
            "selection_rate",
            "accuracy",
            "tpr",
            "fpr",
            "auc",
            "brier",
            "ece",
        ] {
            assert!(g["metrics"].get(k).is_some(), "{k} missing");
        }
    }
    let dp = &v["disparities"]["demographic_parity_difference"];
    assert!(dp["value"].as_f64().unwrap() > 0.1);
    assert!(dp["interval"]["lower"].as_f64().unwrap() > 0.0);
    assert_eq!(dp["significant"], true);
    assert!(std::fs::read_to_string(&html).unwrap().contains("<svg"));
    assert!(std::fs::read_to_string(&md).unwrap().contains("|"));
}

#[test]
fn policy_failure_exits_1_and_bootstrap_is_seeded() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let policy = write(
        dir.path(),
        "p.toml",
        "[[rule]]\nmetric = \"disparate_impact_ratio\"\nmin = 0.8\n",
    );
    let mut args = vec!["fairness", data.to_str().unwrap()];
    args.extend(HIRING_ROLES);
    args.extend([
        "--policy",
        policy.to_str().unwrap(),
        "--format",
        "json",
        "--bootstrap",
        "100",
        "--seed",
        "3",
    ]);
    // SOURCE_DATE_EPOCH fixes the report's time (provenance.created_at), so that the same
    // inputs give the same bytes.
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_assay"))
            .args(&args)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .expect("run assay")
    };
    let a = run();
    assert_eq!(a.status.code(), Some(1), "{}", stderr(&a));
    let b = run();
    assert_eq!(a.stdout, b.stdout, "same seed, same output");
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(v["provenance"]["created_at"], "2023-11-14T22:13:20Z");
    assert_eq!(v["provenance"]["data"][0]["path"], data.to_str().unwrap());
    assert!(v["provenance"]["model"].is_null());
    let e = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(&args)
        .env("SOURCE_DATE_EPOCH", "soon")
        .output()
        .unwrap();
    assert_eq!(e.status.code(), Some(2));
    assert!(stderr(&e).contains("SOURCE_DATE_EPOCH"), "{}", stderr(&e));
    assert_eq!(v["policy"]["passed"], false);
    assert_eq!(v["policy"]["violations"], 1);
}

fn expect_error(args: &[&str], needles: &[&str]) {
    let o = assay(args);
    assert_eq!(
        o.status.code(),
        Some(2),
        "stdout: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    let e = stderr(&o);
    for n in needles {
        assert!(e.contains(n), "error message {e:?} lacks {n:?}");
    }
}

#[test]
fn missing_column_is_named_with_the_available_ones() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.csv", "y,p,g\n1,1,a\n0,1,b\n");
    expect_error(
        &[
            "fairness",
            f.to_str().unwrap(),
            "--label",
            "y",
            "--prediction",
            "pred",
            "--sensitive",
            "g",
        ],
        &["d.csv", "'pred'", "prediction", "y, p, g"],
    );
}

#[test]
fn non_binary_label_names_row_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.csv", "y,p,g\n1,1,a\n0,1,b\n2,0,a\n");
    expect_error(
        &[
            "fairness",
            f.to_str().unwrap(),
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["d.csv", "column 'y'", "row 3", "'2'"],
    );
    let f = write(dir.path(), "t.csv", "y,p,g\nyes,1,a\nno,1,b\n");
    expect_error(
        &[
            "fairness",
            f.to_str().unwrap(),
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["column 'y'", "row 1", "--positive"],
    );
}

#[test]
fn empty_and_nan_cells_are_errors_unless_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "d.csv",
        "y,s,g\n1,0.9,a\n0,,b\n1,0.2,a\n0,NaN,b\n0,0.1,b\n1,0.7,a\n",
    );
    let base = [
        "fairness",
        f.to_str().unwrap(),
        "--label",
        "y",
        "--score",
        "s",
        "--threshold",
        "0.5",
        "--sensitive",
        "g",
    ];
    expect_error(&base, &["d.csv", "column 's'", "row 2", "empty"]);
    let mut args = base.to_vec();
    args.extend([
        "--drop-invalid",
        "--format",
        "json",
        "--min-group-size",
        "1",
        "--bootstrap",
        "0",
    ]);
    let o = assay(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["input"]["rows_dropped"], 2);
    assert_eq!(v["overall"]["count"], 4);
}

#[test]
fn single_group_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.csv", "y,p,g\n1,1,a\n0,1,a\n");
    expect_error(
        &[
            "fairness",
            f.to_str().unwrap(),
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["d.csv", "column 'g'", "single group", "'a'"],
    );
}

#[test]
fn malformed_csv_line_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.csv", "y,p,g\n1,1,a\n0,1\n");
    expect_error(
        &[
            "fairness",
            f.to_str().unwrap(),
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["d.csv", "line 3", "expected 3 fields, found 2"],
    );
}

#[test]
fn unreadable_parquet_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.parquet", "PAR1 this is not parquet");
    expect_error(
        &[
            "fairness",
            f.to_str().unwrap(),
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["d.parquet", "Parquet"],
    );
}

#[test]
fn predictions_file_row_mismatch_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = write(dir.path(), "d.csv", "y,g\n1,a\n0,b\n1,a\n");
    let p = write(dir.path(), "p.csv", "p\n1\n0\n");
    expect_error(
        &[
            "fairness",
            d.to_str().unwrap(),
            "--predictions",
            p.to_str().unwrap(),
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["d.csv has 3 rows", "p.csv has 2"],
    );
    let p = write(dir.path(), "p.csv", "p\n1\n0\n0\n");
    let o = assay(&[
        "fairness",
        d.to_str().unwrap(),
        "--predictions",
        p.to_str().unwrap(),
        "--label",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
        "--format",
        "json",
        "--bootstrap",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn parquet_input_matches_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = hiring(dir.path());
    let pq = dir.path().join("hiring.parquet");
    let o = assay(&[
        "example",
        "hiring",
        "--rows",
        "3000",
        "--out",
        pq.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let run = |f: &Path| {
        let mut args = vec!["fairness", f.to_str().unwrap()];
        args.extend(HIRING_ROLES);
        args.extend(["--format", "json", "--bootstrap", "50"]);
        let o = assay(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["input"]["path"] = serde_json::Value::Null;
        v["provenance"] = serde_json::Value::Null; // the files' paths and digests differ
        v["scan"] = serde_json::Value::Null; // text vs typed columns scan differently
        v
    };
    assert_eq!(run(&csv), run(&pq));
}

#[test]
fn usage_error_exits_2() {
    let o = assay(&["fairness"]);
    assert_eq!(o.status.code(), Some(2));
    let o = assay(&["fairness", "x.csv", "--sensitive", "g", "--label", "y"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--prediction"));
}

#[test]
fn help_explains_the_roles() {
    let o = assay(&["fairness", "--help"]);
    assert!(o.status.success());
    let h = String::from_utf8_lossy(&o.stdout);
    for flag in [
        "--label",
        "--prediction",
        "--score",
        "--threshold",
        "--sensitive",
        "--positive",
        "--bins",
        "--policy",
        "--html",
    ] {
        assert!(h.contains(flag), "{flag} not in help");
    }
}

#[test]
fn adult_from_the_command_line() {
    let dir = std::env::var_os("ASSAY_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let adult = dir.join("adult.data");
    if !adult.exists() {
        assay_data::datasets::skip(&format!(
            "{} not found (set ASSAY_DATA_DIR)",
            adult.display()
        ));
        return;
    }
    let o = assay(&[
        "fairness", adult.to_str().unwrap(), "--no-header", "--columns",
        "age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income",
        "--label", "income", "--positive", ">50K", "--score", "education-num", "--threshold", "13",
        "--sensitive", "sex,race", "--bins", "age=25,45", "--format", "json", "--bootstrap", "100", "--na-values", "?",
    ]);
    // --bins on a non-sensitive column is a usage error.
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a sensitive feature"));
    let o = assay(&[
        "fairness", adult.to_str().unwrap(), "--no-header", "--columns",
        "age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income",
        "--label", "income", "--positive", ">50K", "--score", "education-num", "--threshold", "13",
        "--sensitive", "sex,age", "--bins", "age=25,45", "--format", "json", "--bootstrap", "100", "--na-values", "?",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["overall"]["count"], 32561);
    let ages: Vec<&str> = v["marginals"]["age"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"]["age"].as_str().unwrap())
        .collect();
    assert_eq!(ages, vec!["<25", "[25, 45)", ">=45"]);
    // The scan finds relationship as the strongest proxy of sex.
    assert_eq!(v["scan"]["columns"][0]["column"], "relationship");
}

/// Issue #16: `--standardize` and `--no-standardize` mean the same in every command that fits a
/// linear model; each command takes both (the last one given wins), whatever its default.
#[test]
fn standardize_flags_are_the_same_everywhere() {
    for cmd in [&["train"][..], &["mia"], &["mitigate"], &["dp", "train"]] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let o = assay(&args);
        assert!(o.status.success(), "{cmd:?}: {}", stderr(&o));
        let help = String::from_utf8_lossy(&o.stdout);
        assert!(
            help.contains("--standardize") && help.contains("--no-standardize"),
            "{cmd:?}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let model = dir.path().join("m.json");
    let train = |flags: &[&str]| {
        let mut args = vec![
            "train",
            "--learner",
            "logistic",
            data.to_str().unwrap(),
            "--label",
            "hired",
            "--features",
            "age,score",
            "--out",
            model.to_str().unwrap(),
        ];
        args.extend(flags);
        let o = assay(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read_to_string(&model)
            .unwrap()
            .contains("\"mean\"")
    };
    assert!(!train(&[]));
    assert!(train(&["--standardize"]));
    assert!(!train(&["--standardize", "--no-standardize"]));
    assert!(train(&["--no-standardize", "--standardize"]));
}

/// Issue #16: one output-format flag: `--format text` (or `table`, its other name) and
/// `--format json` mean the same in every command.
#[test]
fn format_text_and_table_are_one_value_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let d = data.to_str().unwrap();
    let runs: [&[&str]; 2] = [
        &[
            "fairness",
            d,
            "--label",
            "qualified",
            "--prediction",
            "shortlisted",
            "--sensitive",
            "gender",
            "--bootstrap",
            "0",
        ],
        &[
            "risk",
            d,
            "--quasi-identifiers",
            "age",
            "--sensitive",
            "race",
        ],
    ];
    for args in runs {
        let with = |format: &str| {
            let mut v = args.to_vec();
            v.extend(["--format", format]);
            let o = assay(&v);
            assert!(o.status.success(), "{v:?}: {}", stderr(&o));
            String::from_utf8_lossy(&o.stdout).into_owned()
        };
        assert_eq!(with("text"), with("table"), "{args:?}");
        assert!(with("json").trim_start().starts_with('{'), "{args:?}");
    }
    for cmd in ["mia", "mitigate", "explain", "anonymize", "risk"] {
        let o = assay(&[cmd, "--help"]);
        let help = String::from_utf8_lossy(&o.stdout);
        assert!(help.contains("text") && help.contains("json"), "{cmd}");
    }
}

/// Issue #16: the learning rate is `--learning-rate` in every command (`--lr`, the old name of
/// DP-SGD's, is still accepted).
#[test]
fn learning_rate_is_one_flag() {
    for cmd in [&["train"][..], &["mia"], &["mitigate"], &["dp", "train"]] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let help = String::from_utf8_lossy(&assay(&args).stdout).into_owned();
        assert!(help.contains("--learning-rate"), "{cmd:?}");
        assert!(!help.contains("--lr "), "{cmd:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let d = data.to_str().unwrap();
    let run = |flag: &str| {
        let o = assay(&[
            "dp",
            "train",
            d,
            "--label",
            "hired",
            "--features",
            "age,score",
            "--epsilon",
            "2",
            "--delta",
            "1e-5",
            "--expected-batch-size",
            "100",
            "--epochs",
            "1",
            flag,
            "0.5",
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{flag}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (v["lr"].as_f64(), v["clipped_fraction"].as_f64())
    };
    let (lr, clipped) = run("--learning-rate");
    assert_eq!(lr, Some(0.5));
    assert_eq!((lr, clipped), run("--lr"));
}
