//! Every typed report the real binary writes reads back into its type, writes again the same
//! JSON, and validates against the JSON Schema published in `docs/schemas/` (issue #16).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use assay_core::reports::anonymity::AnonymityReport;
use assay_core::reports::anonymize::AnonymizeReport;
use assay_core::reports::dp::{DpReport, QueryReport};
use assay_core::reports::explain::ExplainReport;
use assay_core::reports::fairness::Assessment;
use assay_core::reports::mia::MiaReport;
use assay_core::reports::mitigation::MitigationReport;
use assay_core::reports::model::ModelSummary;
use assay_core::reports::pii::{ColumnClass, Masked, PiiFinding, PresidioFinding};

fn assay(args: &[&str], code: i32) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(args)
        .env_remove("ASSAY_TOKEN")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(code),
        "assay {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("assay {args:?}: {e}"))
}

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schemas")
}

/// Reads `report` as `T`, checks that it writes back the same JSON and that it validates
/// against the published schema `schema`.
fn round_trip<T: DeserializeOwned + Serialize>(report: &Value, schema: &str) {
    let typed: T = serde_json::from_value(report.clone())
        .unwrap_or_else(|e| panic!("{schema}: does not read back: {e}\n{report:#}"));
    let again = serde_json::to_value(&typed).unwrap();
    assert_eq!(&again, report, "{schema}: does not write back the same");
    let text = std::fs::read_to_string(schema_dir().join(schema)).unwrap();
    let validator = jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema}: {errors:?}\n{report:#}");
    // The schema is not vacuous: a report whose tag is not a string (an array whose first
    // element is not an object, a document without a tag whose first field is `true`) does not
    // validate.
    let mut bad = report.clone();
    let has_tag = bad.get("schema").is_some();
    match &mut bad {
        Value::Array(items) => items[0] = Value::from("x"),
        m if has_tag => m["schema"] = Value::from(1),
        Value::Object(o) => {
            let first = o.keys().next().cloned().expect("a field");
            o.insert(first, Value::Bool(true));
        }
        _ => unreachable!("reports are objects or arrays"),
    }
    assert!(!validator.is_valid(&bad), "{schema} accepts a wrong type");
}

/// The hiring example, `rows` rows from `seed`.
fn hiring(dir: &Path, name: &str, rows: &str, seed: &str) -> PathBuf {
    let p = dir.join(name);
    let o = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["example", "hiring", "--rows", rows, "--seed", seed, "--out"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(o.status.success());
    p
}

/// Trains `learner` on the hiring example `data` (hired from three numeric features and
/// education) into `dir/<learner>.json`.
fn train(dir: &Path, data: &Path, learner: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(format!("{learner}.json"));
    let o = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["train", "--learner", learner])
        .arg(data)
        .arg("--out")
        .arg(&out)
        .args([
            "--label",
            "hired",
            "--positive",
            "1",
            "--features",
            "years_experience,career_gap_years,age",
            "--categorical",
            "education",
        ])
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

#[test]
fn dp_reports_round_trip_and_validate() {
    const DP: &str = "assay-dp-1.schema.json";
    let base = [
        "dp",
        "epsilon",
        "--sampling-rate",
        "0.01",
        "--steps",
        "1000",
        "--delta",
        "1e-5",
        "--format",
        "json",
    ];
    for extra in [
        &["--noise-multiplier", "1.1"][..],
        &["--noise-multiplier", "1.1", "--accountant", "pld"],
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let r = assay(&args, 0);
        assert_eq!(r["command"], "epsilon");
        round_trip::<DpReport>(&r, DP);
    }
    let r = assay(
        &[
            "dp",
            "calibrate",
            "--epsilon",
            "2",
            "--delta",
            "1e-5",
            "--sampling-rate",
            "0.01",
            "--steps",
            "500",
            "--format",
            "json",
        ],
        0,
    );
    round_trip::<DpReport>(&r, DP);

    let dir = tempfile::tempdir().unwrap();
    let train = hiring(dir.path(), "train.csv", "1500", "1");
    let test = hiring(dir.path(), "test.csv", "500", "2");
    let html = dir.path().join("curve.html");
    let common = [
        train.to_str().unwrap(),
        "--label",
        "hired",
        "--positive",
        "1",
        "--features",
        "years_experience,career_gap_years,age",
        "--categorical",
        "education",
        "--delta",
        "1e-4",
        "--expected-batch-size",
        "100",
        "--epochs",
        "2",
        "--format",
        "json",
    ];
    let mut args = vec!["dp", "train"];
    args.extend(common);
    args.extend([
        "--epsilon",
        "2",
        "--test",
        test.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
        "--curve-epsilons",
        "1,4",
    ]);
    let r = assay(&args, 0);
    assert_eq!(r["curve"]["points"].as_array().unwrap().len(), 2);
    round_trip::<DpReport>(&r, DP);
    let mut args = vec!["dp", "train"];
    args.extend(common);
    args.extend(["--noise-multiplier", "0", "--model", "mlp", "--hidden", "4"]);
    let r = assay(&args, 0);
    assert_eq!(r["privacy"]["epsilon_rdp"], "inf");
    round_trip::<DpReport>(&r, DP);

    let mut args = vec!["dp", "audit"];
    args.extend(common);
    args.extend(["--epsilon", "1", "--canaries", "100"]);
    let r = assay(&args, 0);
    assert_eq!(r["command"], "audit");
    round_trip::<DpReport>(&r, DP);
}

#[test]
fn dp_query_reports_round_trip_and_validate() {
    const QUERY: &str = "assay-dp-query-1.schema.json";
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path(), "d.csv", "800", "3");
    let d = data.to_str().unwrap();
    let ledger = dir.path().join("ledger.json");
    let l = ledger.to_str().unwrap();
    let cases: [&[&str]; 5] = [
        &[
            "--statistic",
            "count",
            "--group-by",
            "gender",
            "--group-keys",
            "Female,Male,Other",
        ],
        &["--statistic", "mean", "--column", "age", "--clamp", "18,70"],
        &[
            "--statistic",
            "quantile",
            "--column",
            "age",
            "--clamp",
            "18,70",
            "--quantile",
            "0.5",
        ],
        &[
            "--statistic",
            "histogram",
            "--column",
            "age",
            "--clamp",
            "18,70",
            "--bins",
            "4",
            "--mechanism",
            "gaussian",
            "--delta",
            "1e-5",
        ],
        &[
            "--statistic",
            "sum",
            "--column",
            "age",
            "--clamp",
            "18,70",
            "--ledger",
            l,
            "--dataset-id",
            "hiring",
            "--budget",
            "5",
        ],
    ];
    for extra in cases {
        let mut args = vec![
            "dp",
            "query",
            d,
            "--epsilon",
            "1",
            "--seed",
            "1",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let r = assay(&args, 0);
        assert!(!r["results"].as_array().unwrap().is_empty(), "{r}");
        round_trip::<QueryReport>(&r, QUERY);
    }
}

#[test]
fn mia_report_round_trips_and_validates() {
    let dir = tempfile::tempdir().unwrap();
    let train = hiring(dir.path(), "train.csv", "400", "1");
    let holdout = hiring(dir.path(), "holdout.csv", "400", "2");
    let r = assay(
        &[
            "mia",
            "--train",
            train.to_str().unwrap(),
            "--holdout",
            holdout.to_str().unwrap(),
            "--learner",
            "logistic",
            "--label",
            "hired",
            "--positive",
            "1",
            "--features",
            "years_experience,career_gap_years,age",
            "--categorical",
            "education",
            "--attack",
            "loss,confidence,lira",
            "--shadows",
            "2",
            "--attribute",
            "education",
            "--format",
            "json",
        ],
        0,
    );
    assert!(r["attribute_inference"].is_object(), "{r}");
    round_trip::<MiaReport>(&r, "assay-mia-1.schema.json");
}

#[test]
fn anonymize_report_round_trips_and_validates() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path(), "d.csv", "600", "4");
    let out = dir.path().join("anon.csv");
    let h = dir.path().join("h.toml");
    std::fs::write(
        &h,
        "[age]\ntype = \"intervals\"\nwidths = [5, 10, 20]\n\n[gender]\ntype = \"tree\"\nlevels = [{ Female = \"*\", Male = \"*\", Non-binary = \"*\" }]\n",
    )
    .unwrap();
    for extra in [
        &["--l", "2"][..],
        &[
            "--algorithm",
            "lattice",
            "--hierarchies",
            h.to_str().unwrap(),
            "--utility",
            "hired",
        ],
    ] {
        let mut args = vec![
            "anonymize",
            data.to_str().unwrap(),
            "--quasi-identifiers",
            "age,gender",
            "--sensitive",
            "education",
            "--k",
            "5",
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json",
            // The example's applicant id identifies a person: kept on purpose here, so that
            // the report's kept_identifiers is exercised too.
            "--keep-identifier",
            "applicant_id",
        ];
        args.extend_from_slice(extra);
        let r = assay(&args, 0);
        assert_eq!(r["kept_identifiers"][0]["column"], "applicant_id");
        round_trip::<AnonymizeReport>(&r, "assay-anonymize-1.schema.json");
    }
}

#[test]
fn pii_findings_round_trip_and_validate() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "Call Jane at (555) 010-2399 or mail jane.doe@example.com.\nIBAN DE89370400440532013000, card 4111 1111 1111 1111\n",
    )
    .unwrap();
    for (format, schema) in [
        ("json", "assay-pii-findings.schema.json"),
        ("presidio", "assay-pii-presidio.schema.json"),
    ] {
        let r = assay(
            &["pii", "scan", text.to_str().unwrap(), "--format", format],
            0,
        );
        assert!(r.as_array().unwrap().len() >= 3, "{r}");
        if format == "json" {
            round_trip::<Vec<PiiFinding<'static>>>(&r, schema);
        } else {
            round_trip::<Vec<PresidioFinding<'static>>>(&r, schema);
        }
    }
}

#[test]
fn fairness_reports_round_trip_and_validate() {
    const FAIRNESS: &str = "assay-fairness-1.schema.json";
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path(), "d.csv", "1500", "5");
    let d = data.to_str().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[[rule]]\nmetric = \"disparate_impact_ratio\"\nmin = 0.8\n\n[[rule]]\nmetric = \"gender:tpr_difference\"\nmax = 0.5\non_interval = true\n",
    )
    .unwrap();
    let model = train(dir.path(), &data, "gbdt", &[]);
    let roles = [
        "--label",
        "qualified",
        "--prediction",
        "shortlisted",
        "--score",
        "score",
        "--sensitive",
        "gender,race",
        "--bootstrap",
        "50",
        "--format",
        "json",
    ];
    let cases: [(&[&str], i32); 4] = [
        (&[], 0),
        (&["--policy", policy.to_str().unwrap()], 1),
        (
            &["--bins", "age=30,50", "--sensitive", "age", "--no-scan"],
            0,
        ),
        (&["--min-group-size", "400", "--include-small-groups"], 0),
    ];
    for (extra, code) in cases {
        let mut args = vec!["fairness", d];
        args.extend(roles);
        args.extend_from_slice(extra);
        let r = assay(&args, code);
        round_trip::<Assessment>(&r, FAIRNESS);
    }
    let r = assay(
        &[
            "fairness",
            d,
            "--model",
            model.to_str().unwrap(),
            "--label",
            "hired",
            "--positive",
            "1",
            "--sensitive",
            "gender",
            "--bootstrap",
            "0",
            "--format",
            "json",
        ],
        0,
    );
    assert!(r["provenance"]["model"]["sha256"].is_string(), "{r}");
    round_trip::<Assessment>(&r, FAIRNESS);
}

#[test]
fn mitigation_reports_round_trip_and_validate() {
    let dir = tempfile::tempdir().unwrap();
    let train = hiring(dir.path(), "train.csv", "1200", "6");
    let test = hiring(dir.path(), "test.csv", "600", "7");
    let policy = dir.path().join("pass.toml");
    std::fs::write(
        &policy,
        "[[rule]]\nmetric = \"disparate_impact_ratio\"\nmin = 0.01\n",
    )
    .unwrap();
    let out = dir.path().join("m.json");
    let cases: [&[&str]; 10] = [
        &["--method", "reweighing"],
        &["--method", "resampling"],
        &["--method", "correlation-remover"],
        &["--method", "disparate-impact-remover"],
        &["--method", "exponentiated-gradient"],
        &["--method", "grid-search"],
        &["--method", "threshold-optimizer"],
        &["--method", "reject-option"],
        &["--method", "calibrate"],
        &[
            "--method",
            "correlation-remover",
            "--sweep",
            "--sweep-values",
            "0,1",
            "--policy",
            policy.to_str().unwrap(),
        ],
    ];
    for extra in cases {
        let mut args = vec![
            "mitigate",
            train.to_str().unwrap(),
            "--test",
            test.to_str().unwrap(),
            "--label",
            "hired",
            "--positive",
            "1",
            "--features",
            "years_experience,career_gap_years,age",
            "--categorical",
            "education",
            "--sensitive",
            "gender",
            "--bootstrap",
            "20",
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let r = assay(&args, 0);
        round_trip::<MitigationReport>(&r, "assay-mitigation-1.schema.json");
    }
}

#[test]
fn explain_reports_round_trip_and_validate() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path(), "d.csv", "400", "8");
    let d = data.to_str().unwrap();
    let logistic = train(dir.path(), &data, "logistic", &["--standardize"]);
    let gbdt = train(dir.path(), &data, "gbdt", &[]);
    let (l, g) = (logistic.to_str().unwrap(), gbdt.to_str().unwrap());
    // A counterfactual of the first row the model decides unfavourably.
    let row = (1..=100)
        .map(|r| r.to_string())
        .find(|r| {
            Command::new(env!("CARGO_BIN_EXE_assay"))
                .args([
                    "explain",
                    d,
                    "--model",
                    l,
                    "--method",
                    "counterfactual",
                    "--row",
                    r,
                ])
                .output()
                .unwrap()
                .status
                .success()
        })
        .expect("a row decided unfavourably");
    let cases: [(&str, &[&str]); 12] = [
        (
            l,
            &[
                "--method",
                "permutation",
                "--label",
                "hired",
                "--sensitive",
                "gender",
                "--repeats",
                "3",
            ],
        ),
        (
            l,
            &[
                "--method",
                "permutation",
                "--scorer",
                "demographic-parity-difference",
                "--sensitive",
                "gender",
                "--repeats",
                "3",
            ],
        ),
        (l, &["--method", "pdp"]),
        (l, &["--method", "ice"]),
        (l, &["--method", "ale"]),
        (l, &["--method", "counterfactual", "--row", &row]),
        (
            l,
            &[
                "--method",
                "recourse",
                "--sensitive",
                "gender",
                "--per-group",
                "5",
            ],
        ),
        (
            g,
            &[
                "--method",
                "tree-shap",
                "--sensitive",
                "gender",
                "--rows-out",
                "3",
            ],
        ),
        (
            g,
            &[
                "--method",
                "tree-shap",
                "--interventional",
                "--background",
                "20",
                "--rows-out",
                "2",
            ],
        ),
        (
            l,
            &[
                "--method",
                "kernel-shap",
                "--explain-rows",
                "2",
                "--background",
                "10",
                "--sensitive",
                "gender",
            ],
        ),
        (
            l,
            &[
                "--method",
                "linear-shap",
                "--background",
                "20",
                "--rows-out",
                "2",
            ],
        ),
        (l, &["--method", "lime", "--explain-rows", "2"]),
    ];
    for (model, extra) in cases {
        let mut args = vec!["explain", d, "--model", model, "--format", "json"];
        args.extend_from_slice(extra);
        let r = assay(&args, 0);
        round_trip::<ExplainReport>(&r, "assay-explain-1.schema.json");
    }
}

#[test]
fn risk_and_pii_table_reports_round_trip_and_validate() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path(), "d.csv", "500", "9");
    let d = data.to_str().unwrap();
    for extra in [
        &["--sensitive", "education"][..],
        &["--sensitive", "education,age", "--population", d],
    ] {
        let mut args = vec![
            "risk",
            "--data",
            d,
            "--quasi-identifiers",
            "gender,race",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let r = assay(&args, 0);
        round_trip::<AnonymityReport>(&r, "assay-anonymity-1.schema.json");
    }
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        "name,email,note\nJane Doe,jane@example.com,call 555-010-2399\nJohn Roe,john@example.org,none\n",
    )
    .unwrap();
    let r = assay(
        &[
            "pii",
            "scan",
            people.to_str().unwrap(),
            "--columns",
            "--format",
            "json",
        ],
        0,
    );
    round_trip::<Vec<ColumnClass>>(&r, "assay-pii-columns.schema.json");
    let text = dir.path().join("note.txt");
    std::fs::write(&text, "Mail jane.doe@example.com or call 555-010-2399.\n").unwrap();
    let out = dir.path().join("masked.json");
    let o = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["pii", "mask", text.to_str().unwrap(), "--out"])
        .arg(&out)
        .args(["--format", "presidio"])
        .env_remove("ASSAY_PII_KEY")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert!(!r["items"].as_array().unwrap().is_empty(), "{r}");
    round_trip::<Masked>(&r, "assay-pii-masked.schema.json");
}

#[test]
fn model_summaries_round_trip_and_validate() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path(), "d.csv", "300", "10");
    let logistic = train(dir.path(), &data, "logistic", &["--standardize"]);
    let gbdt = train(dir.path(), &data, "gbdt", &[]);
    let onnx = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/reference/models/onnx/adult_lr.onnx");
    // A mitigated model that post-processes the gbdt, embedding it.
    let mitigated = dir.path().join("mitigated.json");
    assay(
        &[
            "mitigate",
            data.to_str().unwrap(),
            "--model",
            gbdt.to_str().unwrap(),
            "--method",
            "threshold-optimizer",
            "--label",
            "hired",
            "--positive",
            "1",
            "--sensitive",
            "gender",
            "--bootstrap",
            "0",
            "--format",
            "json",
            "--out",
            mitigated.to_str().unwrap(),
        ],
        0,
    );
    for model in [logistic, gbdt, onnx, mitigated] {
        let r = assay(
            &[
                "model",
                "inspect",
                model.to_str().unwrap(),
                "--format",
                "json",
            ],
            0,
        );
        round_trip::<ModelSummary>(&r, "assay-model-summary.schema.json");
    }
}
