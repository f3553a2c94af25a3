//! Issue #17, a new user's first run: what a report is about is on the report, and the habits
//! of the tool do not get in the way (a misspelled column, a file without a header, a model given
//! as data, a key file, files that end with a newline).

use std::path::Path;

use serde_json::Value;

mod support;
use support::cli::{assay, ok, ok_json, stderr, write};

fn hiring(dir: &Path) -> String {
    let data = dir.join("hiring.csv");
    ok(&assay(&[
        "example",
        "hiring",
        "--rows",
        "600",
        "--seed",
        "3",
        "--out",
        data.to_str().unwrap(),
    ]));
    data.to_str().unwrap().to_string()
}

/// A logistic regression of `hired` on `features`, saved beside the data as model.json.
fn logistic(dir: &Path, data: &str, features: &str) -> std::path::PathBuf {
    let model = dir.join("model.json");
    ok(&assay(&[
        "train",
        data,
        "--learner",
        "logistic",
        "--label",
        "hired",
        "--positive",
        "1",
        "--features",
        features,
        "--out",
        model.to_str().unwrap(),
    ]));
    model
}

/// Every fairness report (JSON, Markdown, HTML) says what it is about and when: the data file's
/// SHA-256 and rows, the model's SHA-256 and format, the assay version, the command line and the
/// UTC time; the title is the data set's name, not the path it was given by.
#[test]
fn reports_say_what_they_are_about() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let model = logistic(dir.path(), &data, "years_experience,age");
    let (json, md, html) = (
        dir.path().join("r.json"),
        dir.path().join("r.md"),
        dir.path().join("r.html"),
    );
    ok(&assay(&[
        "fairness",
        &data,
        "--model",
        model.to_str().unwrap(),
        "--label",
        "hired",
        "--sensitive",
        "gender",
        "--bootstrap",
        "20",
        "--json",
        json.to_str().unwrap(),
        "--markdown",
        md.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]));
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(text.ends_with('\n'), "the JSON file ends with a newline");
    let v: Value = serde_json::from_str(&text).unwrap();
    let p = &v["provenance"];
    let data_sha = p["data"][0]["sha256"].as_str().unwrap();
    let model_sha = p["model"]["sha256"].as_str().unwrap();
    assert_eq!(p["model"]["format"], "logistic");
    let command = p["command"].as_str().unwrap();
    assert!(
        command.starts_with("assay fairness ") && command.contains("--model"),
        "{command}"
    );
    for (name, path) in [("Markdown", &md), ("HTML", &html)] {
        let r = std::fs::read_to_string(path).unwrap();
        assert!(r.contains("About this report"), "{name}");
        assert!(
            r.contains(data_sha) && r.contains(model_sha),
            "{name}: digests"
        );
        assert!(r.contains("600 rows"), "{name}: rows");
        assert!(r.contains("model.json (logistic)"), "{name}: model format");
        assert!(r.contains("UTC by assay "), "{name}: time and version");
        assert!(r.contains("assay fairness "), "{name}: command line");
        assert!(
            r.contains("Fairness assessment: hiring.csv"),
            "{name}: title"
        );
        assert!(
            !r.contains(&format!("Fairness assessment: {data}")),
            "{name}: path in title"
        );
        assert!(r.ends_with('\n'), "{name} ends with a newline");
    }
}

#[test]
fn a_misspelled_column_gets_did_you_mean() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let o = assay(&[
        "fairness",
        &data,
        "--label",
        "qualifed",
        "--prediction",
        "shortlisted",
        "--sensitive",
        "gender",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("(did you mean 'qualified'?)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_file_without_header_hints_at_no_header() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "adult-like.data", "39, State-gov, 77516, Bachelors, 13, Male, <=50K\n50, Private, 83311, HS-grad, 9, Female, >50K\n");
    let o = assay(&[
        "fairness",
        f.to_str().unwrap(),
        "--label",
        "income",
        "--prediction",
        "p",
        "--sensitive",
        "sex",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("the first line looks like data, not a header") && e.contains("--no-header"),
        "{e}"
    );
}

#[test]
fn a_model_or_report_given_as_data_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let model = logistic(dir.path(), &data, "age");
    let xgb = write(
        dir.path(),
        "xgb.json",
        r#"{"learner": {"gradient_booster": {}}, "version": [2, 1, 0]}"#,
    );
    let lgb = write(dir.path(), "model.txt", "tree\nversion=v4\nnum_class=1\n");
    for (file, says) in [
        (
            model.to_str().unwrap(),
            "a model saved by assay (assay.logistic/1)",
        ),
        (xgb.to_str().unwrap(), "an XGBoost model (JSON)"),
        (lgb.to_str().unwrap(), "a LightGBM model (text)"),
    ] {
        let o = assay(&[
            "fairness",
            file,
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ]);
        assert_eq!(o.status.code(), Some(2), "{file}");
        let e = stderr(&o);
        assert!(
            e.contains(&format!("this looks like {says}, not a table"))
                && e.contains("CSV, Parquet or Arrow"),
            "{file}: {e}"
        );
    }
}

/// `assay pii keygen` writes a key readable by its owner only, never over an existing file, and
/// the key works with `pii mask`.
#[test]
fn pii_keygen_writes_a_private_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("pii.key");
    let k = key.to_str().unwrap();
    ok(&assay(&["pii", "keygen", "--out", k]));
    let text = std::fs::read_to_string(&key).unwrap();
    assert_eq!(text.len(), 65);
    assert!(text.ends_with('\n') && text.trim().chars().all(|c| c.is_ascii_hexdigit()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let o = assay(&["pii", "keygen", "--out", k]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&key).unwrap(),
        text,
        "not overwritten"
    );
    let notes = write(dir.path(), "n.txt", "mail ann@example.com\n");
    let out = dir.path().join("m.txt");
    ok(&assay(&[
        "pii",
        "mask",
        notes.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--key-file",
        k,
        "--operator",
        "EMAIL_ADDRESS=pseudonymize",
    ]));
    assert!(!std::fs::read_to_string(&out)
        .unwrap()
        .contains("ann@example.com"));
}

/// A figure is printed with the precision it has: ε (an upper bound) to 4 significant digits,
/// rounded up, in the text output; the JSON keeps every digit.
#[test]
fn epsilon_is_printed_to_four_significant_digits() {
    let args = [
        "dp",
        "epsilon",
        "--sampling-rate",
        "0.01",
        "--noise-multiplier",
        "1.1",
        "--steps",
        "1000",
        "--delta",
        "1e-5",
    ];
    let o = assay(&args);
    ok(&o);
    let text = String::from_utf8_lossy(&o.stdout);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let v = ok_json(&assay(&json_args));
    let eps = v["epsilon"].as_f64().unwrap();
    assert!(eps > 1.7 && eps < 1.72, "{eps}");
    let shown: f64 = text
        .strip_prefix("epsilon = ")
        .and_then(|t| t.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    let digits = text
        .split(' ')
        .nth(2)
        .unwrap()
        .replace('.', "")
        .trim_start_matches('0')
        .len();
    assert_eq!(digits, 4, "{text}");
    assert!(shown >= eps && shown - eps < 1e-3, "{text} for {eps}");
}

/// The fairness report ends with what to do next: the `assay mitigate` command for the
/// constraint each failed rule calls for, with the data, label, sensitive features and model
/// filled in; the proxies to look at; the groups too small to judge.
#[test]
fn the_report_says_what_to_do_next() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let model = logistic(dir.path(), &data, "years_experience,career_gap_years,age");
    let policy = support::cli::workspace().join("examples/hiring/policy.toml");
    let o = assay(&[
        "fairness",
        &data,
        "--model",
        model.to_str().unwrap(),
        "--label",
        "hired",
        "--positive",
        "1",
        "--sensitive",
        "gender,race",
        "--bootstrap",
        "50",
        "--policy",
        policy.to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the example policy fails: {}",
        stderr(&o)
    );
    let md = String::from_utf8_lossy(&o.stdout);
    let next = md
        .split("### What to do next")
        .nth(1)
        .unwrap_or_else(|| panic!("no next steps: {md}"));
    let next = next.split("###").next().unwrap();
    let expected = format!(
        "`assay mitigate {data} --label hired --positive 1 --sensitive gender,race --method threshold-optimizer --constraint "
    );
    assert!(next.contains(&expected), "{next}");
    assert!(
        next.contains(&format!("--model {}", model.display())),
        "{next}"
    );
    assert!(
        next.contains("Too small to judge: ") && next.contains("(n = "),
        "{next}"
    );
}

/// "What drives the gap" in `assay mitigate` explains the disparity being mitigated: the
/// equalized-odds difference under an equalized-odds constraint, not always demographic parity.
#[test]
fn mitigation_drivers_follow_the_constraint() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    for (constraint, disparity) in [
        ("equalized-odds", "equalized_odds_difference"),
        ("demographic-parity", "demographic_parity_difference"),
    ] {
        let out = dir.path().join(format!("{constraint}.json"));
        let v = ok_json(&assay(&[
            "mitigate",
            &data,
            "--out",
            out.to_str().unwrap(),
            "--method",
            "threshold-optimizer",
            "--constraint",
            constraint,
            "--label",
            "hired",
            "--positive",
            "1",
            "--sensitive",
            "gender",
            "--features",
            "years_experience,career_gap_years,age",
            "--format",
            "json",
        ]));
        assert_eq!(v["gap_drivers"]["disparity"], disparity, "{constraint}");
    }
}
