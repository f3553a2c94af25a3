//! `assay dp train` and `assay dp audit` on UCI Adult against Opacus 1.6.0 (golden file written
//! by `tests/reference/dpsgd_opacus.py`): the same split (rows 1-20,000 train, the rest test),
//! encoding (standardised numeric columns, one-hot categoricals fitted on the training rows),
//! expected batch size 256 (q = 1/79), 5 epochs (395 steps), clipping norm 1, plain SGD and
//! seeds 0-4, with σ calibrated for ε = 1, 3, 8 at δ = 1e-5 by the RDP accountant.
//!
//! Acceptance (issue #6): at every ε, assay's mean test accuracy over the seeds is within two
//! points of Opacus's mean, for the logistic regression and the 32-unit MLP. assay's calibrated
//! σ is within 1 % of Opacus's (Opacus stops its search at an ε tolerance of 0.01) and spends
//! at most the target ε. The audit of the same DP-SGD with the noise off reports an ε lower
//! bound far above the claimed ε = 1; with the noise on it stays below.
//!
//! Skipped, with a message, when adult.data is absent ($ASSAY_DATA_DIR or ../shared/data).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod support;
use support::cli::workspace;

const COLUMNS: &str = "age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income";
const N_TRAIN: usize = 20_000;

/// The first 20,000 lines and the rest of adult.data (no header), as they are.
fn split(adult: &Path, dir: &Path) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string(adult).unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(rows.len(), 32_561);
    let write = |name: &str, part: &[&str]| {
        let p = dir.join(name);
        std::fs::write(&p, format!("{}\n", part.join("\n"))).unwrap();
        p
    };
    (
        write("train.data", &rows[..N_TRAIN]),
        write("test.data", &rows[N_TRAIN..]),
    )
}

fn common(train: &Path) -> Vec<String> {
    [
        train.to_str().unwrap(),
        "--no-header",
        "--columns",
        COLUMNS,
        "--label",
        "income",
        "--positive",
        ">50K",
        "--features",
        "age,fnlwgt,education-num,capital-gain,capital-loss,hours-per-week",
        "--categorical",
        "workclass,education,marital-status,occupation,relationship,race,sex,native-country",
        "--delta",
        "1e-5",
        "--expected-batch-size",
        "256",
        "--epochs",
        "5",
        "--clip",
        "1",
        "--format",
        "json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn assay(args: &[String]) -> (bool, Value, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    let doc = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {stderr} {}", String::from_utf8_lossy(&o.stdout)));
    (o.status.success(), doc, stderr)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn dpsgd_matches_opacus_on_adult() {
    let Some(adult) = assay_data::datasets::find(&workspace(), "adult.data") else {
        return;
    };
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("tests/reference/golden/dpsgd_opacus.json"))
            .unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (train, test) = split(&adult, dir.path());
    let cases = golden["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 6);
    for case in cases {
        let model = case["model"].as_str().unwrap();
        let eps = f(&case["target_epsilon"]);
        let mut accs = Vec::new();
        for seed in case["seeds"].as_array().unwrap() {
            let mut args = vec!["dp".to_string(), "train".to_string()];
            args.extend(common(&train));
            for (k, v) in [
                ("--test", test.to_str().unwrap().to_string()),
                ("--epsilon", eps.to_string()),
                ("--lr", f(&case["lr"]).to_string()),
                ("--model", model.to_string()),
                ("--seed", seed.to_string()),
            ] {
                args.push(k.into());
                args.push(v);
            }
            if let Some(h) = case["hidden"].as_u64() {
                args.push("--hidden".into());
                args.push(h.to_string());
            }
            let (ok, doc, stderr) = assay(&args);
            assert!(ok, "{stderr}");
            let p = &doc["privacy"];
            assert_eq!(p["steps"], case["steps"]);
            assert!((f(&p["sampling_rate"]) - f(&case["sample_rate"])).abs() < 1e-15);
            let (sigma, want) = (f(&p["noise_multiplier"]), f(&case["noise_multiplier"]));
            assert!(
                (sigma / want - 1.0).abs() < 0.01,
                "{model} eps {eps}: sigma {sigma} vs Opacus {want}"
            );
            let e = f(&p["epsilon_rdp"]);
            assert!(e <= eps && e > 0.99 * eps, "{e}");
            assert!(f(&p["epsilon_pld"]) <= e);
            assert_eq!(doc["test_rows"], 12_561);
            accs.push(f(&doc["test_accuracy"]));
        }
        let mean = accs.iter().sum::<f64>() / accs.len() as f64;
        let want = f(&case["accuracy_mean"]);
        eprintln!("{model} eps {eps}: assay {mean:.4} {accs:.4?}, Opacus {want:.4}");
        assert!(
            (mean - want).abs() <= 0.02,
            "{model} at eps {eps}: assay {mean} vs Opacus {want}"
        );
        // Better than predicting the majority class: the model learned something.
        assert!(mean > f(&golden["test_majority_accuracy"]) + 0.05);
    }
}

#[test]
fn audit_catches_missing_noise_on_adult() {
    let Some(adult) = assay_data::datasets::find(&workspace(), "adult.data") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (train, _) = split(&adult, dir.path());
    let run = |no_noise: bool| {
        let mut args = vec!["dp".to_string(), "audit".to_string()];
        args.extend(common(&train));
        for a in ["--epsilon", "1", "--lr", "2", "--canaries", "1000"] {
            args.push(a.into());
        }
        if no_noise {
            args.push("--no-noise".into());
        }
        assay(&args)
    };
    let (ok, doc, stderr) = run(true);
    eprintln!("noise off: {doc}");
    assert!(!ok, "a violated claim exits with status 1: {stderr}");
    assert_eq!(doc["violated"], true);
    assert_eq!(doc["noise_multiplier"], 0.0);
    assert!(f(&doc["epsilon_lower_bound"]) > 3.0 * f(&doc["claimed_epsilon"]));
    let (ok, doc, stderr) = run(false);
    eprintln!("noise on: {doc}");
    assert!(ok, "{stderr}");
    assert_eq!(doc["violated"], false);
    assert!(f(&doc["noise_multiplier"]) > 1.0);
    assert!(f(&doc["epsilon_lower_bound"]) < f(&doc["claimed_epsilon"]));
}

#[test]
fn saved_logistic_model_loads_as_an_assay_model() {
    let Some(adult) = assay_data::datasets::find(&workspace(), "adult.data") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (train, _) = split(&adult, dir.path());
    let model = dir.path().join("model.json");
    let mut args = vec!["dp".to_string(), "train".to_string()];
    args.extend(common(&train));
    for a in [
        "--epsilon",
        "3",
        "--lr",
        "2",
        "--out",
        model.to_str().unwrap(),
    ] {
        args.push(a.into());
    }
    let (ok, _, stderr) = assay(&args);
    assert!(ok, "{stderr}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(saved["format"], "assay.logistic/1");
    assert_eq!(saved["model"]["converged"], false);
    let o = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["model", "inspect", model.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn bad_privacy_settings_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    let mut text = String::from("x,y\n");
    for i in 0..200 {
        text.push_str(&format!("{},{}\n", i % 7, i % 2));
    }
    std::fs::write(&data, text).unwrap();
    let base = |extra: &[&str]| {
        let mut v: Vec<String> = [
            "dp",
            "train",
            data.to_str().unwrap(),
            "--label",
            "y",
            "--features",
            "x",
            "--sampling-rate",
            "0.1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        Command::new(env!("CARGO_BIN_EXE_assay"))
            .args(&v)
            .output()
            .unwrap()
    };
    // delta >= 1/n, epsilon <= 0, negative noise: errors, nothing on stdout.
    for extra in [
        &["--epsilon", "1", "--delta", "0.01"][..],
        &["--epsilon", "0", "--delta", "1e-5"],
        &["--epsilon", "-1", "--delta", "1e-5"],
        &["--noise-multiplier", "-1", "--delta", "1e-5"],
    ] {
        let o = base(extra);
        assert!(!o.status.success(), "{extra:?}");
        assert!(o.stdout.is_empty(), "{extra:?}");
    }
    let o = base(&["--epsilon", "2", "--delta", "1e-3"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn privacy_utility_curve_in_html() {
    let Some(adult) = assay_data::datasets::find(&workspace(), "adult.data") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (train, test) = split(&adult, dir.path());
    let html = dir.path().join("curve.html");
    let mut args = vec!["dp".to_string(), "train".to_string()];
    args.extend(common(&train));
    for a in [
        "--epsilon",
        "2",
        "--lr",
        "2",
        "--test",
        test.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
        "--curve-epsilons",
        "8,0.5,2",
    ] {
        args.push(a.into());
    }
    let (ok, doc, stderr) = assay(&args);
    assert!(ok, "{stderr}");
    let points = doc["curve"]["points"].as_array().unwrap();
    let eps: Vec<f64> = points.iter().map(|p| f(&p["target_epsilon"])).collect();
    assert_eq!(eps, [0.5, 2.0, 8.0]);
    // More noise for a smaller epsilon; the run at the command's own epsilon (2) is the curve's
    // point at 2 (same seed and settings).
    let sigmas: Vec<f64> = points.iter().map(|p| f(&p["noise_multiplier"])).collect();
    assert!(sigmas[0] > sigmas[1] && sigmas[1] > sigmas[2], "{sigmas:?}");
    assert_eq!(f(&points[1]["test_accuracy"]), f(&doc["test_accuracy"]));
    assert!(f(&doc["curve"]["no_noise_test_accuracy"]) > 0.8);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && page.contains("DP-SGD privacy–utility curve"));
}
