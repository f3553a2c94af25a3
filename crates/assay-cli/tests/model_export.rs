//! `assay model export`: models saved by `assay train` and `assay mitigate` become ONNX graphs
//! on the raw columns, byte for byte the committed files that
//! `tests/reference/prepared_onnx_golden.py` ran in onnxruntime; `assay predict` scores the
//! exported graph like the model it came from; randomised and foreign models are refused with
//! the reason.

use std::path::PathBuf;

mod support;
use support::cli::assay;

fn prepared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/reference/models/prepared")
        .join(name)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn exports_equal_the_committed_files() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "logistic",
        "logistic_multiclass",
        "gbdt",
        "gbdt_regression",
        "tree",
        "reweighing",
        "decorrelated",
        "thresholds",
        "mixture_one",
        "constant",
    ] {
        let out = dir.path().join(format!("{name}.onnx"));
        let o = assay(&[
            "model",
            "export",
            prepared(&format!("{name}.json")).to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{name}: {}", text(&o.stderr));
        let want = std::fs::read(prepared(&format!("{name}.onnx"))).unwrap();
        assert!(std::fs::read(&out).unwrap() == want, "{name}: bytes differ");
        let stdout = text(&o.stdout);
        let output = if name == "gbdt_regression" {
            "variable"
        } else {
            "probabilities"
        };
        assert!(stdout.contains(output), "{stdout}");
        if name == "decorrelated" {
            // The group columns are inputs too.
            assert!(
                stdout.contains("  sex ") && stdout.contains("  region "),
                "{stdout}"
            );
        }
        if name == "tree" {
            assert!(
                text(&o.stderr).contains("warning: a category not seen in training in 'edu', 'city' makes the ONNX runtime fail"),
                "{}",
                text(&o.stderr)
            );
        }
    }
}

#[test]
fn predict_scores_the_export_like_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let onnx = dir.path().join("gbdt.onnx");
    let o = assay(&[
        "model",
        "export",
        prepared("gbdt.json").to_str().unwrap(),
        "--out",
        onnx.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let input = prepared("input.csv");
    let score = |model: &str| -> Vec<(f64, String)> {
        let o = assay(&["predict", "--model", model, input.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let out = text(&o.stdout);
        let mut lines = out.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let s = header.iter().position(|h| *h == "score").unwrap();
        let p = header.iter().position(|h| *h == "prediction").unwrap();
        lines
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                (c[s].parse().unwrap(), c[p].to_string())
            })
            .collect()
    };
    let a = score(prepared("gbdt.json").to_str().unwrap());
    let b = score(onnx.to_str().unwrap());
    assert_eq!(a.len(), 40);
    assert_eq!(a.len(), b.len());
    for (i, ((sa, pa), (sb, pb))) in a.iter().zip(&b).enumerate() {
        assert!((sa - sb).abs() <= 1e-6, "row {i}: {sa} vs {sb}");
        assert_eq!(pa, pb, "row {i}");
    }
}

#[test]
fn randomised_and_foreign_models_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.onnx");
    let o = assay(&[
        "model",
        "export",
        prepared("thresholds_randomized.json").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let e = text(&o.stderr);
    assert!(e.contains("randomised decision cannot be written"), "{e}");
    assert!(!out.exists());

    // An exponentiated-gradient mixture of two predictors.
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(prepared("mixture_one.json")).unwrap())
            .unwrap();
    m["decision"]["weights"] = serde_json::json!([0.5, 0.5]);
    let mixture = dir.path().join("mixture.json");
    std::fs::write(&mixture, m.to_string()).unwrap();
    let o = assay(&[
        "model",
        "export",
        mixture.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let e = text(&o.stderr);
    assert!(
        e.contains("mixture of 2 predictors") && e.contains("--collapse"),
        "{e}"
    );

    // An ONNX file has no saved feature preparation.
    let o = assay(&[
        "model",
        "export",
        prepared("logistic.onnx").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("no saved feature preparation"),
        "{}",
        text(&o.stderr)
    );
}
