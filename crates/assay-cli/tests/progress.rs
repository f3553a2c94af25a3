//! Issue #17: every step that can take more than about a second reports progress on standard
//! error, through the library's reporter (`assay-progress`), and nothing else changes: no
//! bar when standard error is not a terminal, standard output the same JSON either way.
//! `ASSAY_PROGRESS=plain` makes the steps visible without a terminal (one line per finished
//! step), which is how this test sees them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;
use support::cli::{ok, stderr};

fn run(args: &[&str], progress: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_assay"));
    c.args(args).env_remove("ASSAY_PROGRESS");
    if let Some(p) = progress {
        c.env("ASSAY_PROGRESS", p);
    }
    c.output().expect("run assay")
}

fn hiring(dir: &Path, rows: &str, seed: &str, name: &str) -> PathBuf {
    let p = dir.join(name);
    ok(&run(
        &[
            "example",
            "hiring",
            "--rows",
            rows,
            "--seed",
            seed,
            "--out",
            p.to_str().unwrap(),
        ],
        None,
    ));
    p
}

/// Runs `args` plainly and with `ASSAY_PROGRESS=plain`: the same standard output, no step
/// lines without it, and a line for each of `steps` (with its count when given) with it.
fn reports(args: &[&str], steps: &[(&str, Option<&str>)]) {
    let quiet = run(args, None);
    let plain = run(args, Some("plain"));
    assert_eq!(
        quiet.status.code(),
        plain.status.code(),
        "{}",
        stderr(&plain)
    );
    let (q, p) = (stderr(&quiet), stderr(&plain));
    assert!(
        !q.contains("assay: "),
        "{args:?} drew progress without a terminal:\n{q}"
    );
    for (step, count) in steps {
        let line = p
            .lines()
            .find(|l| l.starts_with(&format!("assay: {step}: ")))
            .unwrap_or_else(|| panic!("{args:?}: no '{step}' step in:\n{p}"));
        if let Some(c) = count {
            assert!(line.contains(&format!(": {c} of {c} in ")), "{line}");
        }
    }
    if args.contains(&"json") {
        let a: serde_json::Value = serde_json::from_slice(&quiet.stdout).unwrap();
        let b: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
        let strip = |mut v: serde_json::Value| {
            // Times and the command's time stamp differ between runs.
            for k in ["fit_seconds", "provenance", "seconds", "generated_at"] {
                v.as_object_mut().map(|o| o.remove(k));
            }
            v
        };
        assert_eq!(strip(a), strip(b), "{args:?}");
    }
}

#[test]
fn long_steps_report_progress_and_change_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let train = hiring(dir.path(), "3000", "42", "train.csv");
    let test = hiring(dir.path(), "2000", "7", "test.csv");
    let (train, test) = (train.to_str().unwrap(), test.to_str().unwrap());
    let model = dir.path().join("m.json");
    let model = model.to_str().unwrap();

    reports(
        &[
            "fairness",
            train,
            "--label",
            "qualified",
            "--prediction",
            "shortlisted",
            "--sensitive",
            "gender",
            "--bootstrap",
            "200",
            "--no-scan",
            "--format",
            "json",
        ],
        &[("bootstrap replicates", Some("200"))],
    );
    reports(
        &[
            "mitigate",
            train,
            "--test",
            test,
            "--method",
            "exponentiated-gradient",
            "--label",
            "hired",
            "--positive",
            "1",
            "--sensitive",
            "gender",
            "--features",
            "years_experience,career_gap_years,age",
            "--categorical",
            "education",
            "--sweep",
            "--out",
            model,
            "--bootstrap",
            "0",
            "--format",
            "json",
        ],
        &[
            ("sweep points", None),
            ("exponentiated-gradient iterations", None),
            ("feature permutations", Some("20")),
        ],
    );
    reports(
        &[
            "mitigate",
            train,
            "--test",
            test,
            "--method",
            "grid-search",
            "--label",
            "hired",
            "--positive",
            "1",
            "--sensitive",
            "gender",
            "--features",
            "years_experience,career_gap_years,age",
            "--out",
            model,
            "--bootstrap",
            "0",
            "--format",
            "json",
        ],
        &[("grid points", None)],
    );
    reports(
        &[
            "mia",
            "--train",
            train,
            "--holdout",
            test,
            "--label",
            "hired",
            "--positive",
            "1",
            "--features",
            "years_experience,career_gap_years,age",
            "--categorical",
            "education",
            "--learner",
            "logistic",
            "--attack",
            "lira",
            "--shadows",
            "4",
            "--seed",
            "1",
            "--format",
            "json",
        ],
        &[("shadow models", Some("4"))],
    );
    reports(
        &[
            "dp",
            "train",
            train,
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
            "--format",
            "json",
        ],
        &[("DP-SGD steps", Some("30"))],
    );
}

#[test]
fn an_unknown_progress_mode_is_a_usage_error() {
    let o = run(&["example", "hiring", "--rows", "10"], Some("loud"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ASSAY_PROGRESS=loud: expected auto, never or plain"));
}
