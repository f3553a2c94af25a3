//! `assay dp epsilon` and `assay dp calibrate` end to end: golden values of Google's
//! dp_accounting through the CLI (text and JSON), and bad input as usage errors (exit 2).

use std::path::PathBuf;

use serde_json::Value;

mod support;
use support::cli::{assay, ok_json};

fn golden() -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/reference/golden/dp_accounting.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The golden case with these settings.
fn case(q: f64, sigma: f64, steps: u64) -> Value {
    golden()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["sampling_rate"].as_f64() == Some(q)
                && c["noise_multiplier"].as_f64() == Some(sigma)
                && c["steps"].as_u64() == Some(steps)
        })
        .cloned()
        .expect("golden case")
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn epsilon_rdp_and_pld_match_dp_accounting() {
    let c = case(0.01, 1.1, 10000);
    let want_rdp = c["rdp_epsilon"].as_f64().unwrap();
    let want_pld = c["pld_epsilon"].as_f64().unwrap();
    let base = [
        "dp",
        "epsilon",
        "--sampling-rate",
        "0.01",
        "--noise-multiplier",
        "1.1",
        "--steps",
        "10000",
        "--delta",
        "1e-6",
        "--format",
        "json",
    ];
    let v = ok_json(&assay(&base));
    assert_eq!(v["schema"], "assay.dp/1");
    assert_eq!(v["accountant"]["name"], "rdp");
    let got = v["epsilon"].as_f64().unwrap();
    assert!(rel(got, want_rdp) < 1e-6, "{got} vs {want_rdp}");

    let mut pld = base.to_vec();
    pld.extend(["--accountant", "pld"]);
    let v = ok_json(&assay(&pld));
    assert_eq!(v["accountant"]["value_discretization_interval"], 1e-4);
    let got = v["epsilon"].as_f64().unwrap();
    assert!(rel(got, want_pld) < 0.01, "{got} vs {want_pld}");
    assert!(got < want_rdp);

    // Text output carries the same number, to 4 significant digits, rounded up (issue #17).
    let o = assay(&base[..10]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    let first: f64 = text.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!(first >= want_rdp && rel(first, want_rdp) < 1e-3, "{text}");
}

#[test]
fn calibrate_matches_dp_accounting() {
    let g = golden();
    let c = g["calibration"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["accountant"] == "rdp" && c["steps"] == 1000)
        .unwrap()
        .clone();
    let want = c["noise_multiplier"].as_f64().unwrap();
    let v = ok_json(&assay(&[
        "dp",
        "calibrate",
        "--epsilon",
        &c["epsilon"].to_string(),
        "--delta",
        &c["delta"].to_string(),
        "--sampling-rate",
        &c["sampling_rate"].to_string(),
        "--steps",
        "1000",
        "--tolerance",
        "1e-7",
        "--format",
        "json",
    ]));
    let got = v["noise_multiplier"].as_f64().unwrap();
    assert!((got - want).abs() < 2e-6, "{got} vs {want}");
    assert!(v["epsilon"].as_f64().unwrap() <= c["epsilon"].as_f64().unwrap());
}

/// Runs `assay dp ...` expecting exit 2 with `needle` in the error message.
fn usage_error(args: &[&str], needle: &str) {
    let o = assay(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(needle), "{args:?}: {err}");
    assert!(o.stdout.is_empty(), "no result on error");
}

#[test]
fn bad_input_is_a_usage_error() {
    let eps = |q: &str, s: &str, t: &str, d: &str| {
        vec![
            "dp",
            "epsilon",
            "--sampling-rate",
            q,
            "--noise-multiplier",
            s,
            "--steps",
            t,
            "--delta",
            d,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let run = |v: Vec<String>, needle: &str| {
        let r: Vec<&str> = v.iter().map(String::as_str).collect();
        usage_error(&r, needle);
    };
    run(
        eps("0", "1", "10", "1e-5"),
        "sampling rate must be in (0, 1]",
    );
    run(
        eps("1.5", "1", "10", "1e-5"),
        "sampling rate must be in (0, 1]",
    );
    run(
        eps("0.1", "0", "10", "1e-5"),
        "noise multiplier must be a positive",
    );
    run(
        eps("0.1", "-2", "10", "1e-5"),
        "noise multiplier must be a positive",
    );
    run(eps("0.1", "1", "0", "1e-5"), "steps must be at least 1");
    run(eps("0.1", "1", "10", "1"), "delta must be in [2^-1022");
    run(eps("0.1", "1", "10", "0"), "delta must be in [2^-1022");
    usage_error(
        &[
            "dp",
            "calibrate",
            "--epsilon",
            "-1",
            "--delta",
            "1e-5",
            "--sampling-rate",
            "0.01",
            "--steps",
            "100",
        ],
        "epsilon must be in [2^-30",
    );
    usage_error(
        &[
            "dp",
            "calibrate",
            "--epsilon",
            "0",
            "--delta",
            "1e-5",
            "--sampling-rate",
            "0.01",
            "--steps",
            "100",
            "--accountant",
            "pld",
        ],
        "epsilon must be in [2^-30",
    );
    // A missing flag and an unknown accountant are clap usage errors (exit 2 as well).
    usage_error(
        &[
            "dp",
            "epsilon",
            "--sampling-rate",
            "0.1",
            "--steps",
            "3",
            "--delta",
            "1e-5",
        ],
        "--noise-multiplier",
    );
    let mut v = eps("0.1", "1", "10", "1e-5");
    v.extend([
        "--accountant".into(),
        "pld".into(),
        "--pld-discretization".into(),
        "0".into(),
    ]);
    run(v, "discretisation interval must be a positive");
    let mut v = eps("0.1", "1", "10", "1e-5");
    v.extend(["--accountant".into(), "prv".into()]);
    run(v, "invalid value 'prv'");
}
