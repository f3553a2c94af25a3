//! End-to-end tests of `assay predict`: the reference models on the golden feature rows (written
//! to CSV, missing values as empty cells) must reproduce the libraries' own predictions and
//! margins, and bad input must fail with exit code 2 and a message naming what is wrong.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod support;
use support::cli::{assay, stderr};

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn model(name: &str) -> String {
    reference()
        .join("models")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

/// The golden feature rows as CSV with the given header (missing values as empty cells), plus
/// an `id` column, and the number of rows.
fn golden_csv(dir: &Path, header: &[String]) -> (PathBuf, usize) {
    let v = read_json(&reference().join("golden/trees_features.json"));
    let rows = v["rows"].as_array().unwrap();
    let mut text = format!("id,{}\n", header.join(","));
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_f64().map_or(String::new(), |x| format!("{x}")))
            .collect();
        text.push_str(&format!("r{i},{}\n", cells.join(",")));
    }
    let p = dir.join("golden.csv");
    std::fs::write(&p, text).unwrap();
    (p, rows.len())
}

fn feature_names() -> Vec<String> {
    let v = read_json(&reference().join("golden/trees_features.json"));
    v["feature_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

/// Parses CSV output with an `id` column: the ids and the values of column `key`.
fn parse_output(text: &str, key: &str) -> Vec<(String, f64)> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "id", "{header:?}");
    let j = header
        .iter()
        .position(|h| *h == key)
        .unwrap_or_else(|| panic!("no column {key} in {header:?}"));
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[0].to_string(), cells[j].parse().unwrap())
        })
        .collect()
}

fn check_case(case: &str, file: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (csv, n_rows) = golden_csv(dir.path(), &feature_names());
    let golden = read_json(&reference().join(format!("golden/trees_{case}.json")));
    let binary = case.ends_with("binary");
    for (output, key, golden_key) in [
        (
            "probability",
            if binary { "score" } else { "prediction" },
            "prediction",
        ),
        ("margin", "margin", "margin"),
    ] {
        let m = model(file);
        let o = assay(&[
            "predict",
            csv.to_str().unwrap(),
            "--model",
            &m,
            "--id",
            "id",
            "--output",
            output,
            "--batch-size",
            "100",
        ]);
        assert!(o.status.success(), "{case}: {}", stderr(&o));
        let got = parse_output(&String::from_utf8(o.stdout).unwrap(), key);
        let want = golden[golden_key].as_array().unwrap();
        assert_eq!(got.len(), n_rows, "{case}: rows");
        assert_eq!(want.len(), n_rows, "{case}: golden rows");
        for (i, ((id, g), w)) in got.iter().zip(want).enumerate() {
            assert_eq!(id, &format!("r{i}"));
            let w = w.as_f64().unwrap();
            assert!(
                (g - w).abs() <= 1e-6 * w.abs().max(1.0),
                "{case} {output} row {i}: {g} vs {w}"
            );
        }
    }
}

#[test]
fn xgboost_binary_matches_golden() {
    check_case("xgb_binary", "xgb_binary.json");
}

#[test]
fn lightgbm_binary_matches_golden() {
    check_case("lgb_binary", "lgb_binary.txt");
}

#[test]
fn xgboost_regression_matches_golden() {
    check_case("xgb_regression", "xgb_regression.json");
}

#[test]
fn lightgbm_regression_matches_golden() {
    check_case("lgb_regression", "lgb_regression.txt");
}

#[test]
fn parquet_output_and_features_flag() {
    // Columns renamed and reordered, matched with --features; Parquet output read back.
    let dir = tempfile::tempdir().unwrap();
    let names = feature_names();
    let renamed: Vec<String> = names.iter().map(|n| format!("x_{n}")).collect();
    let (csv, n_rows) = golden_csv(dir.path(), &renamed);
    let out = dir.path().join("pred.parquet");
    let m = model("lgb_binary.txt");
    let features = renamed.join(",");
    let o = assay(&[
        "predict",
        csv.to_str().unwrap(),
        "--model",
        &m,
        "--features",
        &features,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let file = std::fs::File::open(&out).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let golden = read_json(&reference().join("golden/trees_lgb_binary.json"));
    let want = golden["prediction"].as_array().unwrap();
    let mut got = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        let names: Vec<&String> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name())
            .collect();
        let j = names.iter().position(|n| *n == "score").unwrap();
        assert_eq!(names[j + 1], "prediction");
        assert_eq!(j + 2, names.len(), "input columns first: {names:?}");
        let col = batch
            .column(j)
            .as_any()
            .downcast_ref::<arrow_array::Float64Array>()
            .unwrap();
        got.extend(col.values().iter().copied());
    }
    assert_eq!(got.len(), n_rows);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w.as_f64().unwrap()).abs() <= 1e-6, "row {i}");
    }
}

fn small_csv(dir: &Path, header: &str, rows: &[&str]) -> PathBuf {
    let p = dir.join("small.csv");
    std::fs::write(&p, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    p
}

const HEADER: &str = "age,fnlwgt,education-num,capital-gain,capital-loss,hours-per-week,workclass,occupation,relationship";

#[test]
fn missing_feature_column_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let header = HEADER.replace("capital-loss", "loss");
    let p = small_csv(dir.path(), &header, &["39,77516,13,2174,0,40,7,1,1"]);
    let m = model("xgb_binary.json");
    let o = assay(&["predict", p.to_str().unwrap(), "--model", &m]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("small.csv"), "{e}");
    assert!(e.contains("'capital-loss'"), "{e}");
    assert!(e.contains("model feature"), "{e}");
    assert!(
        e.contains("fnlwgt, education-num, capital-gain, loss"),
        "{e}"
    );
}

#[test]
fn text_in_a_feature_column_names_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let p = small_csv(
        dir.path(),
        HEADER,
        &[
            "39,77516,13,2174,0,40,7,1,1",
            "50,83311,13,0,0,13,6,4,Husband",
        ],
    );
    let m = model("lgb_binary.txt");
    let o = assay(&["predict", p.to_str().unwrap(), "--model", &m]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("small.csv"), "{e}");
    assert!(e.contains("column 'relationship', row 2"), "{e}");
    assert!(e.contains("Husband"), "{e}");
}

#[test]
fn unknown_model_format_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = small_csv(dir.path(), HEADER, &["39,77516,13,2174,0,40,7,1,1"]);
    let bad = dir.path().join("model.bin");
    std::fs::write(&bad, b"\x00\x01 not a model").unwrap();
    let o = assay(&[
        "predict",
        p.to_str().unwrap(),
        "--model",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("model.bin"), "{e}");
    assert!(e.contains("unknown model format"), "{e}");
}

#[test]
fn model_without_names_needs_features() {
    // The XGBoost model with its feature names removed.
    let dir = tempfile::tempdir().unwrap();
    let mut json = read_json(&reference().join("models/xgb_binary.json"));
    json["learner"]["feature_names"] = Value::Array(vec![]);
    let m = dir.path().join("anon.json");
    std::fs::write(&m, serde_json::to_string(&json).unwrap()).unwrap();
    let p = small_csv(dir.path(), HEADER, &["39,77516,13,2174,0,40,7,1,1"]);
    let o = assay(&[
        "predict",
        p.to_str().unwrap(),
        "--model",
        m.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--features"), "{}", stderr(&o));
    let o = assay(&[
        "predict",
        p.to_str().unwrap(),
        "--model",
        m.to_str().unwrap(),
        "--features",
        HEADER,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let named = assay(&[
        "predict",
        p.to_str().unwrap(),
        "--model",
        &model("xgb_binary.json"),
    ]);
    assert_eq!(o.stdout, named.stdout);
}
