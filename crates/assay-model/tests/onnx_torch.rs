//! PyTorch models exported with `torch.onnx.export` (an MLP, a CNN with its BatchNorm folded
//! by the exporter, and the same CNN with BatchNormalization kept) run through assay's runtime
//! and give onnxruntime's outputs (`tests/reference/torch_onnx_golden.py`).

use std::path::PathBuf;

use assay_model::onnx::runtime::OnnxModel;
use assay_model::Model;
use serde_json::Value;

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn check(case: &str, file: &str) {
    let text = std::fs::read_to_string(reference().join("golden/torch_onnx.json")).unwrap();
    let golden: Value = serde_json::from_str(&text).unwrap();
    let c = &golden[case];
    let model = OnnxModel::load(reference().join("models/onnx").join(file)).unwrap();
    let in_shape: Vec<usize> = c["input_shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let n = in_shape[0];
    let width: usize = in_shape[1..].iter().product();
    assert_eq!(
        model.input_schema().columns.len(),
        width,
        "{case}: x_0 … x_{}",
        width - 1
    );
    assert_eq!(model.input_schema().columns[0].name, "x_0");
    let x = floats(&c["input"]);
    let got = model.score_matrix(&x, n).unwrap();
    let want = floats(&c["output"]);
    assert_eq!(got.len(), want.len(), "{case}");
    let worst = got
        .iter()
        .zip(&want)
        .map(|(g, w)| (g - w).abs())
        .fold(0.0f64, f64::max);
    eprintln!(
        "{case}: {} values, worst |assay - onnxruntime| = {worst:e}",
        got.len()
    );
    assert!(worst <= 1e-5, "{case}: {worst}");
}

#[test]
fn mlp_matches_onnxruntime() {
    check("mlp", "torch_mlp.onnx");
}

#[test]
fn cnn_matches_onnxruntime() {
    check("cnn", "torch_cnn.onnx");
}

#[test]
fn cnn_with_batch_norm_matches_onnxruntime() {
    check("cnn_bn", "torch_cnn_bn.onnx");
}
