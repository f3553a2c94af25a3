//! ONNX export of a logistic regression ([`FittedLogistic`]).
//!
//! The graph takes the *encoded* design matrix: input `input`, `double` of shape `[N, d]`, the
//! features in the order of the model's coefficients (for a model trained by `assay train`,
//! the rows [`TrainedLogistic::encode_row`] writes: standardised numeric columns and one-hot
//! categories). The table encoding itself is not part of the graph; its feature and class names
//! are stored in the model's `metadata_props` (`feature_names`, `class_names`, JSON arrays).
//!
//! Operators (ONNX operator specs, <https://onnx.ai/onnx/operators/>, default domain, opset 17):
//! * `Gemm` (`Y = A·B + C`): decision values `z = input · coefᵀ + intercept`, `[N, K']` with
//!   K' = 1 for two classes and K otherwise;
//! * two classes: `Sigmoid` gives p = 1 / (1 + e^{−z}), `Sub` gives 1 − p, and `Concat`
//!   (axis 1) the output `probabilities` = `[1 − p, p]`, `[N, 2]`;
//! * K ≥ 3 classes: `Softmax` (axis 1) gives `probabilities`, `[N, K]`;
//! * `ArgMax` (axis 1, `keepdims` 0, first index on ties) gives `label`, `int64` `[N]`: the index
//!   into [`FittedLogistic::classes`] of the most probable class, as
//!   [`FittedLogistic::predict_class`].
//!
//! Inputs, weights and outputs are `double` (`TensorProto.DOUBLE`), for which onnxruntime has
//! kernels of all five operators, so its probabilities agree with
//! [`FittedLogistic::predict_proba`] to rounding.

use std::path::Path;

use crate::error::ModelError;
use crate::learners::{FittedLogistic, TrainedLogistic};

use super::proto::{GraphProto, DOUBLE, INT64};
use super::{attr_int, double_tensor, encode_model, node, value_info, write_bytes};

/// The graph of a logistic regression with `feature_names` and `class_names` as metadata.
fn export(
    model: &FittedLogistic,
    names: Option<(&[String], &[String])>,
) -> Result<Vec<u8>, ModelError> {
    model.validate().map_err(|message| ModelError::Export {
        message: format!("invalid logistic regression: {message}"),
    })?;
    let d = model.n_features();
    let k_out = model.coef.len();
    let k = model.classes.len();
    // Gemm's B is d × K': the coefficient rows, transposed.
    let mut w = Vec::with_capacity(d * k_out);
    for j in 0..d {
        w.extend(model.coef.iter().map(|row| row[j]));
    }
    let mut initializer = vec![
        double_tensor("coef", &[d, k_out], w),
        double_tensor("intercept", &[k_out], model.intercept.clone()),
    ];
    let mut nodes = vec![node(
        "Gemm",
        "",
        &["input", "coef", "intercept"],
        &["decision"],
        vec![],
    )];
    if k_out == 1 {
        initializer.push(double_tensor("one", &[1], vec![1.0]));
        nodes.push(node("Sigmoid", "", &["decision"], &["p1"], vec![]));
        nodes.push(node("Sub", "", &["one", "p1"], &["p0"], vec![]));
        nodes.push(node(
            "Concat",
            "",
            &["p0", "p1"],
            &["probabilities"],
            vec![attr_int("axis", 1)],
        ));
    } else {
        nodes.push(node(
            "Softmax",
            "",
            &["decision"],
            &["probabilities"],
            vec![attr_int("axis", 1)],
        ));
    }
    nodes.push(node(
        "ArgMax",
        "",
        &["probabilities"],
        &["label"],
        vec![attr_int("axis", 1), attr_int("keepdims", 0)],
    ));
    let graph = GraphProto {
        node: nodes,
        name: Some("assay_logistic".to_string()),
        initializer,
        doc_string: None,
        input: vec![value_info("input", DOUBLE, &[None, Some(d)])],
        output: vec![
            value_info("probabilities", DOUBLE, &[None, Some(k)]),
            value_info("label", INT64, &[None]),
        ],
    };
    let mut metadata = vec![(
        "classes".to_string(),
        serde_json::to_string(&model.classes).unwrap_or_default(),
    )];
    if let Some((features, classes)) = names {
        metadata.push((
            "feature_names".to_string(),
            serde_json::to_string(features).unwrap_or_default(),
        ));
        metadata.push((
            "class_names".to_string(),
            serde_json::to_string(classes).unwrap_or_default(),
        ));
    }
    Ok(encode_model(
        graph,
        false,
        "Logistic regression fitted by assay: probabilities of each class from the encoded \
         feature matrix `input`.",
        metadata,
    ))
}

impl FittedLogistic {
    /// The model as an ONNX file (see [the module documentation](self) for the graph: ONNX
    /// operators `Gemm`, `Sigmoid`/`Softmax`, `Sub`, `Concat`, `ArgMax`, opset 17, all
    /// `double`). The bytes depend only on the model.
    pub fn to_onnx_bytes(&self) -> Result<Vec<u8>, ModelError> {
        export(self, None)
    }

    /// Writes [`FittedLogistic::to_onnx_bytes`] to `path`.
    pub fn save_onnx(&self, path: &Path) -> Result<(), ModelError> {
        write_bytes(path, &self.to_onnx_bytes()?)
    }
}

impl TrainedLogistic {
    /// The fitted model as an ONNX file over the encoded features, as
    /// [`FittedLogistic::to_onnx_bytes`], with the feature and class names as metadata
    /// (`feature_names`, `class_names`). The table encoding is not part of the graph.
    pub fn to_onnx_bytes(&self) -> Result<Vec<u8>, ModelError> {
        export(&self.model, Some((&self.feature_names, &self.class_names)))
    }

    /// Writes [`TrainedLogistic::to_onnx_bytes`] to `path`.
    pub fn save_onnx(&self, path: &Path) -> Result<(), ModelError> {
        write_bytes(path, &self.to_onnx_bytes()?)
    }
}
