//! assay's `ai.onnx.ml` operators (crates/assay-model/src/onnx/runtime/ops/) against
//! onnxruntime, one small graph per case: TreeEnsembleClassifier (binary special cases, three
//! classes, string labels), TreeEnsembleRegressor, OneHotEncoder, Scaler, Imputer, Binarizer,
//! ArrayFeatureExtractor, LabelEncoder and ZipMap. Models and golden outputs come from
//! `tests/reference/onnx_ops_golden.py` (`golden/onnx_ops.json`); every score must be within
//! 1e-6 of onnxruntime's. Also checks the errors of the runtime: unknown categories with
//! `zeros=0`, unsupported operators and opsets, corrupt files, missing columns.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use assay_model::onnx::runtime::OnnxModel;
use assay_model::Model;
use serde_json::Value;

const TOLERANCE: f64 = 1e-6;

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference")
}

fn golden() -> &'static Value {
    static GOLDEN: OnceLock<Value> = OnceLock::new();
    GOLDEN.get_or_init(|| {
        let text = std::fs::read_to_string(reference().join("golden/onnx_ops.json"))
            .expect("golden/onnx_ops.json (run tests/reference/onnx_ops_golden.py)");
        serde_json::from_str(&text).expect("valid JSON")
    })
}

fn case(name: &str) -> &'static Value {
    golden()["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["case"] == name)
        .unwrap_or_else(|| panic!("no golden case {name}"))
}

fn model_path(file: &str) -> PathBuf {
    reference().join(file)
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array of numbers")
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

/// The record batch of a case: an input of shape `[N, C]` gives columns `name_0 … name_{C-1}`
/// (`name` alone when `C` is 1); numbers as Float64 with nulls for NaN, int64 as Int64,
/// strings as Utf8.
fn batch_of(case: &Value) -> RecordBatch {
    let mut columns: Vec<(String, ArrayRef)> = Vec::new();
    for input in case["inputs"].as_array().expect("inputs") {
        let name = input["name"].as_str().expect("name");
        let shape: Vec<usize> = input["shape"]
            .as_array()
            .expect("shape")
            .iter()
            .map(|d| d.as_u64().expect("dimension") as usize)
            .collect();
        let n = shape[0];
        let width: usize = shape[1..].iter().product();
        let values = input["values"].as_array().expect("values");
        assert_eq!(
            values.len(),
            n * width,
            "{name}: values for shape {shape:?}"
        );
        for j in 0..width {
            let col_name = if width == 1 {
                name.to_string()
            } else {
                format!("{name}_{j}")
            };
            let cells = (0..n).map(|i| &values[i * width + j]);
            let array: ArrayRef = match input["type"].as_str().expect("type") {
                "float" | "double" => Arc::new(Float64Array::from_iter(cells.map(Value::as_f64))),
                "int64" => Arc::new(Int64Array::from_iter(cells.map(Value::as_i64))),
                "string" => Arc::new(StringArray::from_iter_values(
                    cells.map(|v| v.as_str().expect("string value").to_string()),
                )),
                other => panic!("input type {other}"),
            };
            columns.push((col_name, array));
        }
    }
    RecordBatch::try_from_iter(columns).expect("record batch")
}

/// Runs one golden case through assay and compares with onnxruntime; returns the worst
/// absolute difference.
fn check(name: &str) -> f64 {
    let c = case(name);
    let file = c["file"].as_str().expect("file");
    let model = OnnxModel::load(model_path(file)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let batch = batch_of(c);
    let got = model
        .score_batch(&batch)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let width = c["width"].as_u64().expect("width") as usize;
    let full = floats(&c["expected"]);
    // For a two-class classifier score_batch returns the probability of the second class only;
    // other outputs (regressors, transformers) come whole, row-major.
    let binary_classifier = width == 2 && name.starts_with("tec2");
    assert_eq!(
        model.outputs().len(),
        if binary_classifier { 1 } else { width },
        "{name}: outputs {:?}",
        model.outputs()
    );
    let want: Vec<f64> = if binary_classifier {
        full.chunks(2).map(|r| r[1]).collect()
    } else {
        full
    };
    assert_eq!(
        got.len(),
        want.len(),
        "{name}: {} scores for {} rows of width {width}",
        got.len(),
        batch.num_rows()
    );
    let per_row = if binary_classifier { 1 } else { width };
    let mut worst = (0.0f64, 0usize);
    let mut failures = Vec::new();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        let d = if g.is_nan() && w.is_nan() {
            0.0
        } else if g.is_nan() || w.is_nan() {
            f64::INFINITY
        } else {
            (g - w).abs()
        };
        if d > worst.0 {
            worst = (d, i);
        }
        if d > TOLERANCE {
            failures.push(format!(
                "row {} value {}: assay {g}, onnxruntime {w}",
                i / per_row,
                i % per_row
            ));
        }
    }
    eprintln!(
        "{name}: {} values, worst |assay - onnxruntime| = {:e} (value {})",
        got.len(),
        worst.0,
        worst.1
    );
    assert!(
        failures.is_empty(),
        "{name} ({}): {} values differ by more than {TOLERANCE}:\n{}",
        c["note"].as_str().unwrap_or(""),
        failures.len(),
        failures.join("\n")
    );
    worst.0
}

macro_rules! golden_cases {
    ($($(#[$attr:meta])* $name:ident),* $(,)?) => {
        /// The golden cases with a test below.
        const CASES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            $(#[$attr])*
            fn $name() {
                check(stringify!($name));
            }
        )*
    };
}

golden_cases! {
    tec2_c0_b0_none_pos,
    tec2_c0_b0_logistic_mixed,
    tec2_c0_b0_softmax_pos,
    tec2_c0_b1_none_mixed,
    tec2_c0_b1_logistic_pos,
    tec2_c0_b1_softmax_mixed,
    tec2_c0_b2_none_pos,
    tec2_c0_b2_logistic_mixed,
    tec2_c0_b2_softmax_pos,
    tec2_c1_b0_none_mixed,
    tec2_c1_b0_logistic_pos,
    tec2_c1_b0_softmax_mixed,
    tec2_c1_b1_none_pos,
    tec2_c1_b1_logistic_mixed,
    tec2_c1_b1_softmax_pos,
    tec2_c1_b2_none_mixed,
    tec2_c1_b2_logistic_pos,
    tec2_c1_b2_softmax_mixed,
    tec2_c01_b0_none_pos,
    tec2_c01_b0_logistic_mixed,
    tec2_c01_b0_softmax_pos,
    tec2_c01_b1_none_mixed,
    tec2_c01_b1_logistic_pos,
    tec2_c01_b1_softmax_mixed,
    tec2_c01_b2_none_pos,
    tec2_c01_b2_logistic_mixed,
    tec2_c01_b2_softmax_pos,
    tec3_softmax,
    tec3_softmax_base,
    tec3_none_base,
    tec3_strings_softmax_base,
    tec3_strings_logistic,
    tec2_strings_c01_logistic,
    ter1_sum_base,
    ter1_average_base,
    ter1_min_base,
    ter1_max_base,
    ter1_sum,
    ter2_sum_base,
    ter2_max,
    ter3_average_base,
    ter3_min,
    ohe_strings,
    ohe_int64,
    ohe_strings_flatten,
    scaler_float_columns,
    scaler_float_single,
    scaler_double_columns,
    scaler_double_single,
    imputer_nan_columns,
    imputer_nan_single,
    imputer_zero_columns,
    imputer_zero_single,
    binarizer,
    afe_2_0,
    afe_3_1_1,
    le_str_float,
    le_int_float,
    le_str_int_cast,
    le_int_str_float,
    zipmap_linear3,
}

#[test]
fn every_golden_case_has_a_test() {
    let names: Vec<&str> = golden()["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["case"].as_str().expect("case name"))
        .collect();
    let missing: Vec<&&str> = names.iter().filter(|n| !CASES.contains(n)).collect();
    let stale: Vec<&&str> = CASES.iter().filter(|n| !names.contains(n)).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "golden cases without a test: {missing:?}; tests without a golden case: {stale:?}"
    );
}

fn ops_model(name: &str) -> PathBuf {
    reference().join(format!("models/onnx/ops_{name}.onnx"))
}

fn strings(name: &str, values: &[&str]) -> RecordBatch {
    let a: ArrayRef = Arc::new(StringArray::from(values.to_vec()));
    RecordBatch::try_from_iter([(name, a)]).unwrap()
}

#[test]
fn one_hot_encoder_zeros_0_rejects_an_unknown_category() {
    let model = OnnxModel::load(ops_model("err_ohe_zeros0")).unwrap_or_else(|e| panic!("{e}"));
    let ok = model.score_batch(&strings("s", &["a", "c", "b"])).unwrap();
    assert_eq!(ok, [1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
    let e = model
        .score_batch(&strings("s", &["a", "zz"]))
        .expect_err("unknown category with zeros=0")
        .to_string();
    assert!(e.contains("OneHotEncoder"), "{e}");
    assert!(e.contains("zz"), "{e}");
}

#[test]
fn unsupported_operator_is_named() {
    let e = OnnxModel::load(ops_model("err_svm"))
        .expect_err("SVMClassifier is not implemented")
        .to_string();
    assert!(e.contains("SVMClassifier"), "{e}");
    assert!(e.contains("ai.onnx.ml"), "{e}");
}

#[test]
fn ml_opset_4_is_rejected() {
    let e = OnnxModel::load(ops_model("err_ml_opset4"))
        .expect_err("ai.onnx.ml opset 4")
        .to_string();
    assert!(e.contains("ai.onnx.ml opset 4"), "{e}");
}

#[test]
fn corrupt_files_are_not_onnx_models() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(ops_model("tec3_softmax_base")).unwrap();
    let garbage: &[u8] = b"\xff\xff\xff\xff this is not a protobuf";
    for (what, content) in [
        ("truncated", &bytes[..bytes.len() / 2]),
        ("truncated by one byte", &bytes[..bytes.len() - 1]),
        ("garbage", garbage),
    ] {
        let path = dir.path().join("corrupt.onnx");
        std::fs::write(&path, content).unwrap();
        let e = OnnxModel::load(&path).expect_err(what).to_string();
        assert!(e.contains("not an ONNX model"), "{what}: {e}");
    }
}

#[test]
fn missing_input_column_is_named() {
    let model = OnnxModel::load(ops_model("binarizer")).unwrap_or_else(|e| panic!("{e}"));
    let a: ArrayRef = Arc::new(Float64Array::from(vec![0.25, 0.75]));
    let batch = RecordBatch::try_from_iter([("x_0", a.clone()), ("x_2", a)]).unwrap();
    let e = model
        .score_batch(&batch)
        .expect_err("x_1 is missing")
        .to_string();
    assert!(e.contains("x_1"), "{e}");
}

/// onnxruntime 1.32 rejects NaN in a Binarizer's input ("Input data with index: … is NaN");
/// assay's documented rule is that NaN gives 0.
#[test]
fn binarizer_nan_gives_zero() {
    let model = OnnxModel::load(ops_model("binarizer")).unwrap_or_else(|e| panic!("{e}"));
    let col = |v: Vec<Option<f64>>| -> ArrayRef { Arc::new(Float64Array::from(v)) };
    let batch = RecordBatch::try_from_iter([
        ("x_0", col(vec![None, Some(0.5)])),
        ("x_1", col(vec![Some(0.75), None])),
        ("x_2", col(vec![Some(f64::NAN), Some(0.5000001)])),
    ])
    .unwrap();
    assert_eq!(
        model.score_batch(&batch).unwrap(),
        [0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    );
}
