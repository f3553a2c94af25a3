//! The subset of the ONNX protobuf messages that assay writes, with the field numbers and types
//! of the official `onnx/onnx.proto` (IR version 8 and later; the file is `proto2`, so optional
//! scalars are `Option`s and only the `TensorProto` data fields are packed).
//!
//! Hand-written rather than generated: about ten messages do not justify `protoc` and a build
//! script, and `prost`'s derive encodes them exactly as generated code would. Only the fields
//! assay sets are declared; a decoder skips none of them and a reader of the files sees a
//! standard ONNX model (checked with `onnx.checker.check_model` in
//! `tests/reference/onnx_golden.py`).

/// `TensorProto.DataType.FLOAT`.
pub const FLOAT: i32 = 1;
/// `TensorProto.DataType.INT64`.
pub const INT64: i32 = 7;
/// `TensorProto.DataType.DOUBLE`.
pub const DOUBLE: i32 = 11;

/// `AttributeProto.AttributeType` values used here.
pub mod attribute_type {
    /// `FLOAT`: a single `f`.
    pub const FLOAT: i32 = 1;
    /// `INT`: a single `i`.
    pub const INT: i32 = 2;
    /// `STRING`: a single `s`.
    pub const STRING: i32 = 3;
    /// `TENSOR`: a single `t`.
    pub const TENSOR: i32 = 4;
    /// `FLOATS`: the list `floats`.
    pub const FLOATS: i32 = 6;
    /// `INTS`: the list `ints`.
    pub const INTS: i32 = 7;
    /// `STRINGS`: the list `strings`.
    pub const STRINGS: i32 = 8;
}

/// `ModelProto`: the top-level container (onnx.proto, "Models").
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct ModelProto {
    /// The IR version the model follows.
    #[prost(int64, optional, tag = "1")]
    pub ir_version: Option<i64>,
    /// The operator sets the graph uses, one per domain.
    #[prost(message, repeated, tag = "8")]
    pub opset_import: Vec<OperatorSetIdProto>,
    /// The tool that wrote the model.
    #[prost(string, optional, tag = "2")]
    pub producer_name: Option<String>,
    /// Version of that tool.
    #[prost(string, optional, tag = "3")]
    pub producer_version: Option<String>,
    /// Reverse-DNS namespace of the model.
    #[prost(string, optional, tag = "4")]
    pub domain: Option<String>,
    /// Version of the model.
    #[prost(int64, optional, tag = "5")]
    pub model_version: Option<i64>,
    /// Human-readable documentation.
    #[prost(string, optional, tag = "6")]
    pub doc_string: Option<String>,
    /// The computation graph.
    #[prost(message, optional, tag = "7")]
    pub graph: Option<GraphProto>,
    /// Named metadata.
    #[prost(message, repeated, tag = "14")]
    pub metadata_props: Vec<StringStringEntryProto>,
}

/// `OperatorSetIdProto`: an operator set (domain and version) the model imports.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct OperatorSetIdProto {
    /// Domain: `""` for the default `ai.onnx`, `"ai.onnx.ml"` for ONNX-ML.
    #[prost(string, optional, tag = "1")]
    pub domain: Option<String>,
    /// Operator set version.
    #[prost(int64, optional, tag = "2")]
    pub version: Option<i64>,
}

/// `StringStringEntryProto`: one metadata key and value.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct StringStringEntryProto {
    /// The key.
    #[prost(string, optional, tag = "1")]
    pub key: Option<String>,
    /// The value.
    #[prost(string, optional, tag = "2")]
    pub value: Option<String>,
}

/// `GraphProto`: nodes in topological order, initializers, inputs and outputs.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct GraphProto {
    /// The nodes, topologically sorted.
    #[prost(message, repeated, tag = "1")]
    pub node: Vec<NodeProto>,
    /// Name of the graph.
    #[prost(string, optional, tag = "2")]
    pub name: Option<String>,
    /// Constant tensors (weights).
    #[prost(message, repeated, tag = "5")]
    pub initializer: Vec<TensorProto>,
    /// Human-readable documentation.
    #[prost(string, optional, tag = "10")]
    pub doc_string: Option<String>,
    /// Graph inputs.
    #[prost(message, repeated, tag = "11")]
    pub input: Vec<ValueInfoProto>,
    /// Graph outputs.
    #[prost(message, repeated, tag = "12")]
    pub output: Vec<ValueInfoProto>,
}

/// `NodeProto`: one operator call.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct NodeProto {
    /// Names of the input values.
    #[prost(string, repeated, tag = "1")]
    pub input: Vec<String>,
    /// Names of the output values.
    #[prost(string, repeated, tag = "2")]
    pub output: Vec<String>,
    /// Name of the node.
    #[prost(string, optional, tag = "3")]
    pub name: Option<String>,
    /// Operator, e.g. `Gemm`.
    #[prost(string, optional, tag = "4")]
    pub op_type: Option<String>,
    /// Operator domain (`""` is `ai.onnx`).
    #[prost(string, optional, tag = "7")]
    pub domain: Option<String>,
    /// Attributes.
    #[prost(message, repeated, tag = "5")]
    pub attribute: Vec<AttributeProto>,
}

/// `AttributeProto`: a named attribute of a node; exactly one value field is set, matching
/// `type`.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct AttributeProto {
    /// Attribute name.
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    /// `AttributeType` of the value ([`attribute_type`]).
    #[prost(int32, optional, tag = "20")]
    pub r#type: Option<i32>,
    /// A float.
    #[prost(float, optional, tag = "2")]
    pub f: Option<f32>,
    /// An integer.
    #[prost(int64, optional, tag = "3")]
    pub i: Option<i64>,
    /// A string (UTF-8 bytes).
    #[prost(bytes = "vec", optional, tag = "4")]
    pub s: Option<Vec<u8>>,
    /// A tensor.
    #[prost(message, optional, tag = "5")]
    pub t: Option<TensorProto>,
    /// A list of floats.
    #[prost(float, repeated, packed = "false", tag = "7")]
    pub floats: Vec<f32>,
    /// A list of integers.
    #[prost(int64, repeated, packed = "false", tag = "8")]
    pub ints: Vec<i64>,
    /// A list of strings.
    #[prost(bytes = "vec", repeated, tag = "9")]
    pub strings: Vec<Vec<u8>>,
}

/// `TensorProto`: a constant tensor.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct TensorProto {
    /// Shape.
    #[prost(int64, repeated, packed = "false", tag = "1")]
    pub dims: Vec<i64>,
    /// `DataType` ([`FLOAT`], [`INT64`], [`DOUBLE`]).
    #[prost(int32, optional, tag = "2")]
    pub data_type: Option<i32>,
    /// Values of a FLOAT tensor, row-major.
    #[prost(float, repeated, packed = "true", tag = "4")]
    pub float_data: Vec<f32>,
    /// Values of an INT64 tensor, row-major.
    #[prost(int64, repeated, packed = "true", tag = "7")]
    pub int64_data: Vec<i64>,
    /// Name (for initializers, the value name).
    #[prost(string, optional, tag = "8")]
    pub name: Option<String>,
    /// Values of a DOUBLE tensor, row-major.
    #[prost(double, repeated, packed = "true", tag = "10")]
    pub double_data: Vec<f64>,
}

/// `ValueInfoProto`: name and type of a graph input or output.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct ValueInfoProto {
    /// Value name.
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    /// Value type.
    #[prost(message, optional, tag = "2")]
    pub r#type: Option<TypeProto>,
    /// Human-readable documentation.
    #[prost(string, optional, tag = "3")]
    pub doc_string: Option<String>,
}

/// `TypeProto`: only the tensor case of its `value` oneof is used.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct TypeProto {
    /// The tensor type (`oneof value`, field 1).
    #[prost(message, optional, tag = "1")]
    pub tensor_type: Option<TypeProtoTensor>,
}

/// `TypeProto.Tensor`: element type and shape.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct TypeProtoTensor {
    /// `TensorProto.DataType` of the elements.
    #[prost(int32, optional, tag = "1")]
    pub elem_type: Option<i32>,
    /// Shape.
    #[prost(message, optional, tag = "2")]
    pub shape: Option<TensorShapeProto>,
}

/// `TensorShapeProto`: a list of dimensions.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct TensorShapeProto {
    /// The dimensions.
    #[prost(message, repeated, tag = "1")]
    pub dim: Vec<Dimension>,
}

/// `TensorShapeProto.Dimension`: a fixed size or a symbolic name.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Dimension {
    /// `oneof value`.
    #[prost(oneof = "DimensionValue", tags = "1, 2")]
    pub value: Option<DimensionValue>,
}

/// The `value` oneof of [`Dimension`].
#[derive(Clone, PartialEq, ::prost::Oneof)]
pub enum DimensionValue {
    /// A fixed size.
    #[prost(int64, tag = "1")]
    DimValue(i64),
    /// A symbolic size (e.g. `N` for the batch).
    #[prost(string, tag = "2")]
    DimParam(String),
}
