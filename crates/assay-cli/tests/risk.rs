//! `assay risk` end to end: pycanon's golden figures on UCI Adult and COMPAS through the CLI
//! (JSON), the text report, and bad input as usage errors (exit 2) naming file and column.

use std::path::Path;

use assay_data::datasets;
use serde_json::Value;

mod support;
use support::cli::{assay, ok_json, workspace};

fn golden_case(dataset: &str, qi: &[&str], sa: &[&str]) -> Value {
    let p = workspace().join("tests/reference/golden/anonymity.json");
    let g: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    g["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["dataset"] == dataset
                && c["quasi_identifiers"] == serde_json::json!(qi)
                && c["sensitive"] == serde_json::json!(sa)
        })
        .cloned()
        .expect("golden case")
}

fn assert_matches_golden(got: &Value, want: &Value) {
    for key in ["k", "l_distinct", "l_entropy", "recursive_c", "recursive_l"] {
        assert_eq!(got[key], want[key], "{key}");
    }
    for r in got["recursive_c_definition"].as_array().unwrap() {
        let l = r["l"].as_u64().unwrap().to_string();
        assert_eq!(
            r["c"], want["recursive_c_definition"][&l],
            "recursive c, l = {l}"
        );
    }
    for key in ["t", "beta_basic", "beta_enhanced", "delta"] {
        let (g, w) = (got[key].as_f64().unwrap(), want[key].as_f64().unwrap());
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "{key}: {g} vs {w}"
        );
    }
    for (key, w) in want["risk"].as_object().unwrap() {
        let g = &got["risk"][key];
        if w.is_null() || key == "population" {
            assert_eq!(g, w, "risk {key}");
            continue;
        }
        assert!(
            (g.as_f64().unwrap() - w.as_f64().unwrap()).abs() <= 1e-12,
            "risk {key}: {g} vs {w}"
        );
    }
}

#[test]
fn adult_equals_pycanon() {
    let Some(adult) = datasets::find(&workspace(), "adult.data") else {
        return;
    };
    let columns = datasets::ADULT_COLUMNS.join(",");
    for (qi, sa) in [
        (vec!["sex", "race"], vec!["income", "occupation"]),
        (
            vec!["age", "education", "marital-status", "sex"],
            vec!["income"],
        ),
    ] {
        let o = assay(&[
            "risk",
            "--data",
            adult.to_str().unwrap(),
            "--no-header",
            "--columns",
            &columns,
            "--quasi-identifiers",
            &qi.join(","),
            "--sensitive",
            &sa.join(","),
            "--format",
            "json",
        ]);
        let got = ok_json(&o);
        assert_eq!(got["schema"], "assay.anonymity/1");
        assert_matches_golden(&got, &golden_case("adult", &qi, &sa));
    }
}

#[test]
fn compas_equals_pycanon_and_text_report() {
    let Some(compas) = datasets::find(&workspace(), "compas-scores-two-years.csv") else {
        return;
    };
    let args = |format: &'static str| {
        assay(&[
            "risk",
            "--data",
            compas.to_str().unwrap(),
            "--quasi-identifiers",
            "sex,age_cat",
            "--sensitive",
            "two_year_recid,score_text",
            "--format",
            format,
        ])
    };
    let want = golden_case(
        "compas",
        &["sex", "age_cat"],
        &["two_year_recid", "score_text"],
    );
    assert_matches_golden(&ok_json(&args("json")), &want);
    let o = args("text");
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains(&format!("k = {}", want["k"])), "{text}");
    assert!(
        text.contains("two_year_recid (numeric), score_text (categorical)"),
        "{text}"
    );
    assert!(
        text.contains("7214 records in 6 equivalence classes"),
        "{text}"
    );
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.to_str().unwrap().to_string()
}

fn usage_error(args: &[&str]) -> String {
    let o = assay(args);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(o.stdout.is_empty());
    String::from_utf8(o.stderr).unwrap()
}

#[test]
fn small_table_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "t.csv",
        "zip,age,disease\n1,30,a\n1,30,a\n2,40,b\n1,30,b\n2,40.0,b\n1,30,c\n",
    );
    let got = ok_json(&assay(&[
        "risk",
        "--data",
        &f,
        "--quasi-identifiers",
        "zip,age",
        "--sensitive",
        "disease",
        "--format",
        "json",
    ]));
    // Classes (1, 30): a, a, b, c and (2, 40): b, b ("40.0" is the number 40).
    assert_eq!(got["k"], 2);
    assert_eq!(got["l_distinct"], 1);
    assert_eq!(got["risk"]["classes"], 2);
    // Equal-distance EMD of class (2, 40): (1/3 + 1/2 + 1/6) / 2.
    assert!(
        (got["t"].as_f64().unwrap() - 0.5).abs() < 1e-15,
        "{}",
        got["t"]
    );
}

#[test]
fn bad_input_is_a_usage_error_naming_file_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "t.csv", "zip,disease\n1,a\n2,\n");
    let e = usage_error(&[
        "risk",
        "--data",
        &f,
        "--quasi-identifiers",
        "zipp",
        "--sensitive",
        "disease",
    ]);
    assert!(
        e.contains("t.csv") && e.contains("no column named 'zipp'"),
        "{e}"
    );
    assert!(e.contains("the file has: zip, disease"), "{e}");
    let e = usage_error(&[
        "risk",
        "--data",
        &f,
        "--quasi-identifiers",
        "zip",
        "--sensitive",
        "disease",
    ]);
    assert!(
        e.contains("t.csv: column 'disease', row 2: missing value"),
        "{e}"
    );
    let e = usage_error(&[
        "risk",
        "--data",
        &f,
        "--quasi-identifiers",
        "zip,disease",
        "--sensitive",
        "disease",
    ]);
    assert!(
        e.contains("t.csv: column 'disease' is named more than once"),
        "{e}"
    );
    let empty = write(dir.path(), "empty.csv", "zip,disease\n");
    let e = usage_error(&[
        "risk",
        "--data",
        &empty,
        "--quasi-identifiers",
        "zip",
        "--sensitive",
        "disease",
    ]);
    assert!(e.contains("empty.csv: the table has no rows"), "{e}");
    let missing = dir.path().join("nope.csv");
    let e = usage_error(&[
        "risk",
        "--data",
        missing.to_str().unwrap(),
        "--quasi-identifiers",
        "zip",
        "--sensitive",
        "disease",
    ]);
    assert!(e.contains("nope.csv"), "{e}");
    let e = usage_error(&["risk", "--data", &f, "--quasi-identifiers", "zip"]);
    assert!(e.contains("--sensitive"), "{e}");
}

#[test]
fn adult_sample_of_population_equals_golden() {
    let Some(adult) = datasets::find(&workspace(), "adult.data") else {
        return;
    };
    let p = workspace().join("tests/reference/golden/anonymity.json");
    let g: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let case = g["population_cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["dataset"] == "adult"
                && c["quasi_identifiers"] == serde_json::json!(["age", "sex", "race"])
        })
        .cloned()
        .expect("golden case");
    let rows = case["sample_rows"].as_u64().unwrap() as usize;
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&adult).unwrap();
    let head: Vec<&str> = text.lines().take(rows).collect();
    let sample = write(dir.path(), "sample.data", &(head.join("\n") + "\n"));
    let columns = datasets::ADULT_COLUMNS.join(",");
    let got = ok_json(&assay(&[
        "risk",
        "--data",
        &sample,
        "--population",
        adult.to_str().unwrap(),
        "--no-header",
        "--columns",
        &columns,
        "--quasi-identifiers",
        "age,sex,race",
        "--sensitive",
        "income",
        "--format",
        "json",
    ]));
    assert_eq!(got["risk"]["population"], case["risk"]["population"]);
    for (key, w) in case["risk"].as_object().unwrap() {
        let (g, w) = (got["risk"][key].as_f64().unwrap(), w.as_f64().unwrap());
        assert!((g - w).abs() <= 1e-12, "risk {key}: {g} vs {w}");
    }
    // The data is not a sample of a table lacking its classes.
    let e = usage_error(&[
        "risk",
        "--data",
        adult.to_str().unwrap(),
        "--population",
        &sample,
        "--no-header",
        "--columns",
        &columns,
        "--quasi-identifiers",
        "age,sex,race",
        "--sensitive",
        "income",
    ]);
    assert!(e.contains("sample.data: population table: "), "{e}");
    assert!(e.contains("the population must contain the sample"), "{e}");
}

/// The table is the first argument, as in every other command; `--data` still works (hidden,
/// for one release) and gives the same report; both at once, or neither, is a usage error.
#[test]
fn the_table_is_the_first_argument_and_data_is_an_alias() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.csv");
    std::fs::write(
        &p,
        "age,zip,disease\n30,1,flu\n30,1,cold\n40,2,flu\n40,2,flu\n",
    )
    .unwrap();
    let t = p.to_str().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
            .args(args)
            .output()
            .unwrap()
    };
    let tail = [
        "--quasi-identifiers",
        "age,zip",
        "--sensitive",
        "disease",
        "--format",
        "json",
    ];
    let mut positional = vec!["risk", t];
    positional.extend(tail);
    let mut flag = vec!["risk", "--data", t];
    flag.extend(tail);
    let (a, b) = (run(&positional), run(&flag));
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    let help = run(&["risk", "--help"]);
    assert!(!String::from_utf8_lossy(&help.stdout).contains("--data"));
    let mut both = vec!["risk", t, "--data", t];
    both.extend(tail);
    assert_eq!(run(&both).status.code(), Some(2));
    let mut neither = vec!["risk"];
    neither.extend(tail);
    assert_eq!(run(&neither).status.code(), Some(2));
}
