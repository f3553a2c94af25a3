//! `assay predict` on ONNX models: the four scikit-learn pipelines exported with skl2onnx
//! (`tests/reference/sklearn_onnx_golden.py`) score the raw columns of UCI Adult, read as the
//! headerless CSV it is, and give onnxruntime's probabilities to 1e-5 on every row; the output
//! keeps the input columns and adds `score` and `prediction`.

use std::path::PathBuf;

use arrow_array::{Array, Float32Array, Float64Array, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

mod support;
use support::cli::{assay, workspace};

const ADULT: &str = "age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income";

fn read_parquet(path: &PathBuf) -> Vec<arrow_array::RecordBatch> {
    let file = std::fs::File::open(path).unwrap();
    ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

#[test]
fn sklearn_pipelines_through_assay_predict_match_onnxruntime() {
    let Some(adult) = assay_data::datasets::find(&workspace(), "adult.data") else {
        return;
    };
    let golden =
        read_parquet(&workspace().join("tests/reference/golden/sklearn_onnx_adult.parquet"));
    let dir = tempfile::tempdir().unwrap();
    for m in ["lr", "rf", "gb", "hgb"] {
        let model = workspace().join(format!("tests/reference/models/onnx/adult_{m}.onnx"));
        let out = dir.path().join(format!("{m}.parquet"));
        let o = assay(&[
            "predict",
            adult.to_str().unwrap(),
            "--no-header",
            "--columns",
            ADULT,
            "--model",
            model.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(
            o.status.success(),
            "{m}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let batches = read_parquet(&out);
        let schema = batches[0].schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(
            names.len(),
            17,
            "{m}: input columns + score + prediction: {names:?}"
        );
        assert_eq!(&names[15..], ["score", "prediction"]);
        let mut got = Vec::new();
        let mut labels = Vec::new();
        for b in &batches {
            let s = b
                .column(15)
                .as_any()
                .downcast_ref::<Float64Array>()
                .unwrap();
            got.extend(s.values().iter().copied());
            let p = b.column(16).as_any().downcast_ref::<StringArray>().unwrap();
            labels.extend((0..p.len()).map(|i| p.value(i).to_string()));
        }
        let mut want = Vec::new();
        for b in &golden {
            let c = b
                .column_by_name(&format!("{m}_p1"))
                .unwrap()
                .as_any()
                .downcast_ref::<Float32Array>()
                .unwrap();
            want.extend(c.values().iter().copied());
        }
        assert_eq!(got.len(), 32_561, "{m}: every row");
        assert_eq!(got.len(), want.len());
        let worst = got
            .iter()
            .zip(&want)
            .map(|(g, w)| (g - *w as f64).abs())
            .fold(0.0f64, f64::max);
        eprintln!("{m}: worst |assay predict - onnxruntime| = {worst:e}");
        assert!(worst <= 1e-5, "{m}: {worst}");
        for (i, (l, g)) in labels.iter().zip(&got).enumerate() {
            assert_eq!(l, if *g > 0.5 { "1" } else { "0" }, "{m} row {i}");
        }
    }
}

#[test]
fn model_inspect_reports_inputs_operators_and_trees() {
    let model = workspace().join("tests/reference/models/onnx/adult_rf.onnx");
    let o = assay(&[
        "model",
        "inspect",
        model.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format"], "onnx");
    let inputs = v["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 14);
    assert_eq!(inputs[0]["name"], "workclass");
    assert_eq!(inputs[0]["kind"], "text");
    assert_eq!(inputs[8]["name"], "age");
    assert_eq!(inputs[8]["kind"], "numeric");
    assert_eq!(v["classes"], serde_json::json!(["0", "1"]));
    let details = v["details"].as_array().unwrap();
    let get = |k: &str| {
        details
            .iter()
            .find(|d| d["key"].as_str().unwrap().starts_with(k))
            .unwrap_or_else(|| panic!("no {k} in {details:?}"))["value"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(get("tree ensemble"), "30 trees, max depth 8");
    assert!(get("operators").contains("ai.onnx.ml:OneHotEncoder×8"));

    // A tree ensemble loaded natively, in text.
    let xgb = workspace().join("tests/reference/models/xgb_binary.json");
    let o = assay(&["model", "inspect", xgb.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("format  xgboost"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("trees")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("max depth")), "{text}");
}

#[test]
fn onnx_errors_name_the_model_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    // A corrupt model file.
    let bad = dir.path().join("bad.onnx");
    std::fs::write(&bad, b"\x08\x07garbage that is not protobuf \xff\xff").unwrap();
    let data = dir.path().join("d.csv");
    std::fs::write(&data, "age,workclass\n1,x\n").unwrap();
    let o = assay(&[
        "predict",
        data.to_str().unwrap(),
        "--model",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("bad.onnx") && e.contains("not an ONNX model"),
        "{e}"
    );
    // A table missing one of the model's inputs.
    let model = workspace().join("tests/reference/models/onnx/adult_lr.onnx");
    let o = assay(&[
        "predict",
        data.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("d.csv") && e.contains("'education'"), "{e}");
}

/// `assay fairness --model` scores on the fly and gives the same assessment as scoring with
/// `assay predict` first and auditing the written `score` column; its overall selection rate is
/// the share of onnxruntime probabilities at or above 0.5.
#[test]
fn fairness_with_model_equals_predict_then_fairness() {
    let Some(adult) = assay_data::datasets::find(&workspace(), "adult.data") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let model = workspace().join("tests/reference/models/onnx/adult_gb.onnx");
    let common = [
        "--label",
        "income",
        "--positive",
        ">50K",
        "--sensitive",
        "sex,race",
        "--format",
        "json",
        "--bootstrap",
        "50",
        "--seed",
        "7",
        "--no-scan",
    ];
    let mut args = vec![
        "fairness",
        adult.to_str().unwrap(),
        "--no-header",
        "--columns",
        ADULT,
        "--model",
        model.to_str().unwrap(),
    ];
    args.extend(common);
    let o = assay(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let on_the_fly: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();

    let scored = dir.path().join("scored.csv");
    let o = assay(&[
        "predict",
        adult.to_str().unwrap(),
        "--no-header",
        "--columns",
        ADULT,
        "--model",
        model.to_str().unwrap(),
        "--out",
        scored.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut args = vec![
        "fairness",
        scored.to_str().unwrap(),
        "--score",
        "score",
        "--threshold",
        "0.5",
    ];
    args.extend(common);
    let o = assay(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let two_steps: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(on_the_fly["groups"], two_steps["groups"]);
    assert_eq!(on_the_fly["disparities"], two_steps["disparities"]);
    assert_eq!(on_the_fly["overall"], two_steps["overall"]);

    let golden =
        read_parquet(&workspace().join("tests/reference/golden/sklearn_onnx_adult.parquet"));
    let mut n = 0usize;
    let mut selected = 0usize;
    for b in &golden {
        let c = b
            .column_by_name("gb_p1")
            .unwrap()
            .as_any()
            .downcast_ref::<Float32Array>()
            .unwrap();
        n += c.len();
        selected += c.values().iter().filter(|p| **p as f64 >= 0.5).count();
    }
    let rate = on_the_fly["overall"]["metrics"]["selection_rate"]
        .as_f64()
        .unwrap();
    assert!((rate - selected as f64 / n as f64).abs() < 1e-12, "{rate}");
}
