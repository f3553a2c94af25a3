//! Issue #15: every number and count a user gives (in a policy, roles or hierarchy file, or as
//! a flag) is checked before it is used. A bad one is a usage error, exit code 2, whose message
//! names the file, the rule and the field (or the flag) and what was expected; never a silent
//! pass, an abort or a hang.

use std::path::{Path, PathBuf};

mod support;
use support::cli::{assay, write};

fn hiring(dir: &Path) -> PathBuf {
    let p = dir.join("hiring.csv");
    let o = assay(&[
        "example",
        "hiring",
        "--rows",
        "400",
        "--out",
        p.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    p
}

/// Runs `args`, expects exit code 2 and every needle in the message.
fn expect_usage_error(args: &[&str], needles: &[&str]) {
    let o = assay(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{args:?}\nstdout: {}\nstderr: {err}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: message {err:?} lacks {n:?}");
    }
}

fn fairness_args<'a>(data: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "fairness",
        data,
        "--label",
        "qualified",
        "--prediction",
        "shortlisted",
        "--sensitive",
        "gender",
        "--bootstrap",
        "0",
        "--no-scan",
    ];
    v.extend_from_slice(extra);
    v
}

/// Before: `min = nan` made the comparison false, so the rule passed and assay exited 0.
#[test]
fn policy_numbers_must_be_finite_and_ordered() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let d = data.to_str().unwrap();
    let cases = [
        ("min = nan", "rule 2 ('disparate_impact_ratio'): field 'min' is NaN"),
        ("max = inf", "rule 2 ('disparate_impact_ratio'): field 'max' is inf"),
        ("min = -inf", "rule 2 ('disparate_impact_ratio'): field 'min' is -inf"),
        (
            "min = 0.9\nmax = 0.1",
            "rule 2 ('disparate_impact_ratio'): field 'min' (0.9) is greater than field 'max' (0.1)",
        ),
    ];
    for (i, (bound, want)) in cases.iter().enumerate() {
        let policy = write(
            dir.path(),
            &format!("policy-{i}.toml"),
            &format!(
                "[[rule]]\nmetric = \"overall.accuracy\"\nmin = 0\n\n[[rule]]\nmetric = \"disparate_impact_ratio\"\n{bound}\n"
            ),
        );
        let p = policy.to_str().unwrap();
        expect_usage_error(&fairness_args(d, &["--policy", p]), &[p, want]);
    }
}

/// Before: `threshold = nan` in a roles file made every score a negative decision.
#[test]
fn roles_file_threshold_must_be_finite() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    for t in ["nan", "inf", "-inf"] {
        let roles = write(
            dir.path(),
            "roles.toml",
            &format!(
                "label = \"qualified\"\nscore = \"score\"\nthreshold = {t}\nsensitive = [\"gender\"]\n"
            ),
        );
        let r = roles.to_str().unwrap();
        expect_usage_error(
            &[
                "fairness",
                data.to_str().unwrap(),
                "--roles",
                r,
                "--bootstrap",
                "0",
            ],
            &[r, "field 'threshold'"],
        );
    }
}

/// Before: `--threshold nan` and `--confidence inf` were taken as given.
#[test]
fn float_flags_refuse_nan_and_infinities() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let d = data.to_str().unwrap();
    for (flag, value) in [("--threshold", "nan"), ("--confidence", "inf")] {
        let mut args = vec![
            "fairness",
            d,
            "--label",
            "qualified",
            "--score",
            "score",
            "--sensitive",
            "gender",
            flag,
            value,
        ];
        if flag != "--threshold" {
            args.extend(["--threshold", "0.5"]);
        }
        expect_usage_error(&args, &[flag, "expected a finite number"]);
    }
    expect_usage_error(
        &[
            "anonymize",
            d,
            "--quasi-identifiers",
            "age",
            "--k",
            "2",
            "--t",
            "nan",
        ],
        &["--t", "expected a finite number"],
    );
}

/// Before: `origin = nan` or `min = inf` in an intervals hierarchy were accepted (every value
/// generalized to `[NaN-NaN)`, or nothing was covered).
#[test]
fn hierarchy_numbers_must_be_finite_and_ordered() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("age,disease\n");
    for i in 0..40 {
        csv.push_str(&format!("{},{}\n", 20 + i, ["flu", "cold"][i % 2]));
    }
    let data = write(dir.path(), "people.csv", &csv);
    let cases = [
        ("origin = nan", "[age]: field 'origin' is NaN"),
        ("min = inf", "[age]: field 'min' is inf"),
        ("max = nan", "[age]: field 'max' is NaN"),
        (
            "min = 50\nmax = 10",
            "[age]: field 'min' (50) is greater than field 'max' (10)",
        ),
        (
            "widths = [-5.0]",
            "[age]: field 'widths' is -5; expected a finite number > 0",
        ),
    ];
    for (i, (field, want)) in cases.iter().enumerate() {
        let widths = if field.starts_with("widths") {
            ""
        } else {
            "widths = [5, 10]\n"
        };
        let h = write(
            dir.path(),
            &format!("h{i}.toml"),
            &format!("[age]\ntype = \"intervals\"\n{widths}{field}\n"),
        );
        let hp = h.to_str().unwrap();
        let out = dir.path().join("out.csv");
        expect_usage_error(
            &[
                "anonymize",
                data.to_str().unwrap(),
                "--quasi-identifiers",
                "age",
                "--k",
                "2",
                "--algorithm",
                "lattice",
                "--hierarchies",
                hp,
                "--out",
                out.to_str().unwrap(),
            ],
            &[hp, want],
        );
        assert!(!out.exists());
    }
}

/// Runs `args` with `flag 4000000000` appended; expects exit code 2 (not an abort: before,
/// `--bootstrap`, `--bins`, `--grid` and `--batch-size` died of SIGABRT on a 32 GB
/// allocation) and the flag and its cap in the message.
fn expect_capped(args: &[&str], flag: &str, cap: &str) {
    let mut full = args.to_vec();
    full.extend([flag, "4000000000"]);
    expect_usage_error(&full, &[flag, "4000000000 is above the cap of", cap]);
}

#[test]
fn huge_counts_are_usage_errors_naming_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let d = data.to_str().unwrap();
    let fairness = fairness_args(d, &[]);
    let fairness: Vec<&str> = fairness
        .into_iter()
        .filter(|a| *a != "--bootstrap" && *a != "0")
        .collect();
    expect_capped(&fairness, "--bootstrap", "100000");
    expect_capped(&fairness, "--batch-size", "4194304");
    let ledger = dir.path().join("ledger.json");
    let l = ledger.to_str().unwrap();
    let query = |stat: &'static str| {
        vec![
            "dp",
            "query",
            d,
            "--statistic",
            stat,
            "--column",
            "years_experience",
            "--clamp",
            "0,40",
            "--epsilon",
            "1",
            "--ledger",
            l,
            "--budget",
            "10",
        ]
    };
    expect_capped(&query("histogram"), "--bins", "1000000");
    expect_capped(&query("quantile"), "--grid", "1000000");
    assert!(!ledger.exists(), "nothing charged, no lock left");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("ledger"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Every other count flag, each with its documented cap.
    // Only the capped flag is wrong in each command line (clap reports the first error).
    let cases: [(&[&str], &str, &str); 27] = [
        (&["explain", d], "--repeats", "10000"),
        (&["explain", d], "--grid-resolution", "100000"),
        (&["explain", d], "--ale-bins", "100000"),
        (&["explain", d], "--ice-curves", "100000000"),
        (&["explain", d], "--count", "10000"),
        (&["explain", d], "--max-changes", "10000"),
        (&["explain", d], "--per-group", "100000000"),
        (&["explain", d], "--background", "100000000"),
        (&["explain", d], "--explain-rows", "100000000"),
        (&["explain", d], "--samples", "100000000"),
        (&["explain", d], "--lime-features", "10000"),
        (&["explain", d], "--rows-out", "100000000"),
        (&["mitigate", d], "--trees", "100000"),
        (&["mitigate", d], "--eg-max-iter", "1000000"),
        (&["mitigate", d], "--grid-size", "100000"),
        (&["mitigate", d], "--num-class-thresh", "100000"),
        (&["mitigate", d], "--num-roc-margin", "100000"),
        (&["train", d], "--trees", "100000"),
        (&["train", d], "--max-leaves", "1048576"),
        (&["train", d], "--max-depth", "64"),
        (&["train", d], "--max-bins", "255"),
        (&["mia", "--train", d, "--holdout", d], "--shadows", "10000"),
        (&["dp", "train", d], "--hidden", "100000"),
        (&["dp", "audit", d], "--canaries", "100000000"),
        (&["pii", "scan", d], "--sample", "100000000"),
        (&["example", "hiring"], "--rows", "100000000"),
        (&["risk", "--data", d], "--batch-size", "4194304"),
    ];
    for (args, flag, cap) in cases {
        expect_capped(args, flag, cap);
    }
}

/// Before: a policy rule whose metric name was megabytes long was accepted and copied into
/// every message and report.
#[test]
fn policy_metric_names_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let name = "x".repeat(4 << 20);
    let policy = write(
        dir.path(),
        "long.toml",
        &format!("[[rule]]\nmetric = \"{name}\"\nmin = 0\n"),
    );
    let p = policy.to_str().unwrap();
    let o = assay(&fairness_args(data.to_str().unwrap(), &["--policy", p]));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("rule 1: field 'metric' is 4194304 bytes long, above the cap of 256"),
        "{}",
        &err[..err.len().min(500)]
    );
    assert!(
        err.len() < 1000,
        "the name is not echoed: {} bytes",
        err.len()
    );
}

/// Before: explain's permutation importance by group ran once per distinct sensitive value,
/// each over all rows: an identifier given as the sensitive feature ran for hours.
#[test]
fn explain_refuses_more_groups_than_fairness_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("x,y,id\n");
    for i in 0..70_000 {
        csv.push_str(&format!("{},{},{i}\n", i % 7, i % 2));
    }
    let data = write(dir.path(), "ids.csv", &csv);
    let model = dir.path().join("m.json");
    let o = assay(&[
        "train",
        data.to_str().unwrap(),
        "--learner",
        "logistic",
        "--label",
        "y",
        "--features",
        "x",
        "--out",
        model.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let started = std::time::Instant::now();
    expect_usage_error(
        &[
            "explain",
            data.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--label",
            "y",
            "--sensitive",
            "id",
            "--method",
            "permutation",
        ],
        &["70000 distinct sensitive groups, above the cap of 65535"],
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(120),
        "refused promptly"
    );
}
