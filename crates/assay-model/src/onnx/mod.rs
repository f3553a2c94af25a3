//! Export to ONNX (<https://onnx.ai/onnx/>), so that models fitted or loaded by assay can be
//! served by any ONNX runtime.
//!
//! * [`export_logistic`]: a [`FittedLogistic`](crate::learners::FittedLogistic) becomes a graph of
//!   standard `ai.onnx` operators (opset 17): `Gemm` (decision values), then `Sigmoid`, `Sub` and
//!   `Concat` for two classes or `Softmax` for more, then `ArgMax` for the label. Everything is
//!   `double`, so onnxruntime reproduces assay's probabilities to rounding (about 1e-16).
//! * [`export_trees`]: a [`TreeEnsemble`](crate::TreeEnsemble) with numerical splits becomes an
//!   `ai.onnx.ml` `TreeEnsembleRegressor` (ONNX-ML opset 3) giving the margin, followed for
//!   binary logistic models by `Sigmoid`, `Sub` and `Concat`.
//!
//! * [`export_prepared`]: models trained by `assay train` (and, through its building blocks,
//!   mitigated models) on the **raw table columns**: the saved feature preparation (imputation,
//!   standardisation, one-hot and ordinal codes) in standard `ai.onnx` / `ai.onnx.ml`
//!   operators, then the model; outputs `label` and `probabilities` as skl2onnx names them.
//!
//! * [`to_ensemble`]: the reverse for tree ensembles: an ONNX-ML `TreeEnsembleClassifier`
//!   (binary) or `TreeEnsembleRegressor` node (skl2onnx, assay's exporter) becomes a
//!   [`TreeEnsemble`](crate::TreeEnsemble), with optional node covers for TreeSHAP.
//!
//! * [`tree_structure`]: the one validation of a tree-ensemble node's structure (modes, child
//!   ids, consecutive trees, every node reached once from its root) that the runtime operator,
//!   the inspector and [`to_ensemble`] run before walking any tree.
//!
//! The protobuf messages are hand-written in [`proto`]. The bytes are deterministic: no
//! timestamps, no random names, attributes in a fixed order, so exporting the same model twice
//! gives the same file (the golden tests compare the bytes with the files checked by
//! onnxruntime in `tests/reference/onnx_golden.py`).

pub mod export_logistic;
pub mod export_prepared;
pub mod export_trees;
pub mod proto;
pub mod runtime;
pub mod to_ensemble;
pub mod tree_structure;

use std::path::Path;

use prost::Message;

use crate::error::ModelError;
use proto::{
    attribute_type, AttributeProto, Dimension, DimensionValue, GraphProto, ModelProto, NodeProto,
    OperatorSetIdProto, StringStringEntryProto, TensorProto, TensorShapeProto, TypeProto,
    TypeProtoTensor, ValueInfoProto,
};

/// The `ai.onnx` operator set the exported graphs use.
pub const OPSET: i64 = 17;
/// The `ai.onnx.ml` operator set the exported tree ensembles use (`TreeEnsembleRegressor`
/// version 3).
pub const ML_OPSET: i64 = 3;
/// IR version of the exported files (IR 8 is the version of opset 17).
pub const IR_VERSION: i64 = 8;
/// The `ai.onnx.ml` domain name.
pub const ML_DOMAIN: &str = "ai.onnx.ml";

/// Writes encoded model bytes to `path`.
pub(crate) fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), ModelError> {
    std::fs::write(path, bytes).map_err(|source| ModelError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// A dimension: fixed when `Some`, the symbolic batch size `N` otherwise.
fn dim(size: Option<usize>) -> Dimension {
    Dimension {
        value: Some(match size {
            Some(n) => DimensionValue::DimValue(n as i64),
            None => DimensionValue::DimParam("N".to_string()),
        }),
    }
}

/// A tensor-typed graph input or output of element type `elem` and shape `shape`.
pub(crate) fn value_info(name: &str, elem: i32, shape: &[Option<usize>]) -> ValueInfoProto {
    ValueInfoProto {
        name: Some(name.to_string()),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type: Some(elem),
                shape: Some(TensorShapeProto {
                    dim: shape.iter().map(|&s| dim(s)).collect(),
                }),
            }),
        }),
        doc_string: None,
    }
}

/// A DOUBLE tensor of shape `dims` holding `values` (row-major).
pub(crate) fn double_tensor(name: &str, dims: &[usize], values: Vec<f64>) -> TensorProto {
    TensorProto {
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: Some(proto::DOUBLE),
        double_data: values,
        name: Some(name.to_string()),
        ..Default::default()
    }
}

/// A FLOAT tensor of shape `dims` holding `values` (row-major).
pub(crate) fn float_tensor(name: &str, dims: &[usize], values: Vec<f32>) -> TensorProto {
    TensorProto {
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: Some(proto::FLOAT),
        float_data: values,
        name: Some(name.to_string()),
        ..Default::default()
    }
}

/// An attribute with no value yet.
fn attr(name: &str, ty: i32) -> AttributeProto {
    AttributeProto {
        name: Some(name.to_string()),
        r#type: Some(ty),
        ..Default::default()
    }
}

/// A FLOAT attribute.
pub(crate) fn attr_float(name: &str, v: f32) -> AttributeProto {
    AttributeProto {
        f: Some(v),
        ..attr(name, attribute_type::FLOAT)
    }
}

/// An INT attribute.
pub(crate) fn attr_int(name: &str, v: i64) -> AttributeProto {
    AttributeProto {
        i: Some(v),
        ..attr(name, attribute_type::INT)
    }
}

/// A STRING attribute.
pub(crate) fn attr_string(name: &str, v: &str) -> AttributeProto {
    AttributeProto {
        s: Some(v.as_bytes().to_vec()),
        ..attr(name, attribute_type::STRING)
    }
}

/// A TENSOR attribute.
pub(crate) fn attr_tensor(name: &str, t: TensorProto) -> AttributeProto {
    AttributeProto {
        t: Some(t),
        ..attr(name, attribute_type::TENSOR)
    }
}

/// An INTS attribute.
pub(crate) fn attr_ints(name: &str, v: Vec<i64>) -> AttributeProto {
    AttributeProto {
        ints: v,
        ..attr(name, attribute_type::INTS)
    }
}

/// A FLOATS attribute.
pub(crate) fn attr_floats(name: &str, v: Vec<f32>) -> AttributeProto {
    AttributeProto {
        floats: v,
        ..attr(name, attribute_type::FLOATS)
    }
}

/// A STRINGS attribute.
pub(crate) fn attr_strings(name: &str, v: Vec<&str>) -> AttributeProto {
    AttributeProto {
        strings: v.into_iter().map(|s| s.as_bytes().to_vec()).collect(),
        ..attr(name, attribute_type::STRINGS)
    }
}

/// A node of `op` in `domain` (`""` for `ai.onnx`), named after its first output.
pub(crate) fn node(
    op: &str,
    domain: &str,
    inputs: &[&str],
    outputs: &[&str],
    attribute: Vec<AttributeProto>,
) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: outputs.iter().map(|s| s.to_string()).collect(),
        name: Some(format!("{op}_{}", outputs[0])),
        op_type: Some(op.to_string()),
        domain: Some(domain.to_string()),
        attribute,
    }
}

/// Wraps `graph` into a model importing `ai.onnx` opset [`OPSET`] (and `ai.onnx.ml` opset
/// [`ML_OPSET`] when `ml`), and encodes it.
pub(crate) fn encode_model(
    graph: GraphProto,
    ml: bool,
    doc: &str,
    metadata: Vec<(String, String)>,
) -> Vec<u8> {
    let mut opset_import = vec![OperatorSetIdProto {
        domain: Some(String::new()),
        version: Some(OPSET),
    }];
    if ml {
        opset_import.push(OperatorSetIdProto {
            domain: Some(ML_DOMAIN.to_string()),
            version: Some(ML_OPSET),
        });
    }
    let model = ModelProto {
        ir_version: Some(IR_VERSION),
        opset_import,
        producer_name: Some("assay".to_string()),
        producer_version: None,
        domain: None,
        model_version: Some(1),
        doc_string: Some(doc.to_string()),
        graph: Some(graph),
        metadata_props: metadata
            .into_iter()
            .map(|(k, v)| StringStringEntryProto {
                key: Some(k),
                value: Some(v),
            })
            .collect(),
    };
    model.encode_to_vec()
}
