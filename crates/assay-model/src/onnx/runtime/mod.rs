//! Running ONNX models: graphs exported by skl2onnx (full scikit-learn pipelines with string
//! inputs and ZipMap outputs), by `torch.onnx.export`, or by assay itself, through tract, a
//! pure-Rust ONNX runtime, with the `ai.onnx.ml` operators tract lacks supplied by [`ops`].
//!
//! [`OnnxModel`] implements [`Model`]: each graph input reads the table column of the same name
//! (an input of shape `[N, C]` with `C > 1` reads the columns `name_0 … name_{C-1}`, or
//! columns given with [`OnnxModel::with_columns`]); string inputs take text, numeric inputs
//! numbers (nulls become NaN, which the graph's Imputer handles). The scores are the graph's
//! probabilities: the output of its ZipMap (named after the class labels), else its first
//! floating-point output, whose columns are classes when a classifier node or the
//! `class_names` metadata of an assay export names as many. For two classes the score is the
//! probability of the second label, as scikit-learn's `predict_proba(x)[:, 1]`.

pub mod kernel;
pub mod ops;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::DataType;
use prost::Message;
use rayon::prelude::*;
use tract_onnx::pb;
use tract_onnx::prelude::*;

use crate::model::{ColumnKind, InputColumn, InputSchema, Model};
use crate::onnx::tree_structure;
use crate::ModelError;

/// Rows per tract run; chunks of a batch run in parallel.
const CHUNK_ROWS: usize = 4096;

/// The element type of a graph input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    /// `tensor(string)`.
    Text,
    /// `tensor(float)`.
    F32,
    /// `tensor(double)`.
    F64,
    /// `tensor(int64)`.
    I64,
}

/// One graph input and the table columns it reads.
#[derive(Debug, Clone)]
pub struct OnnxInput {
    /// The input name in the graph.
    pub name: String,
    /// Its element type.
    pub ty: InputType,
    /// The declared shape (`None` for a symbolic dimension).
    pub shape: Vec<Option<usize>>,
    /// The table columns, one per value of a row.
    pub columns: Vec<String>,
}

/// What [`OnnxModel::info`] reports: the model's identity and structure.
#[derive(Debug, Clone)]
pub struct OnnxInfo {
    /// `producer_name producer_version` of the file.
    pub producer: String,
    /// Opsets imported, by domain (`""` is `ai.onnx`).
    pub opsets: BTreeMap<String, i64>,
    /// Operators used, `domain:op_type` → count.
    pub operators: BTreeMap<String, usize>,
    /// Graph outputs, with their ONNX types as text.
    pub outputs: Vec<(String, String)>,
    /// Tree-ensemble operators: node name, number of trees, deepest tree (splits on the longest
    /// root-to-leaf path).
    pub tree_ensembles: Vec<(String, usize, usize)>,
}

/// Number of trees and maximum depth of a TreeEnsemble node, from its attributes, after
/// [`tree_structure::check`] (a malformed structure is an error naming the node, never walked).
fn tree_stats(node: &pb::NodeProto) -> Result<(usize, usize), String> {
    let s = tree_structure::check(node)?;
    Ok((s.trees.len(), s.max_depth()))
}

/// An ONNX model ready to score tables.
#[derive(Debug, Clone)]
pub struct OnnxModel {
    path: String,
    plan: Arc<TypedRunnableModel>,
    inputs: Vec<OnnxInput>,
    schema: InputSchema,
    /// Index of the scores among the plan's outputs.
    score_output: usize,
    /// Names of the score columns (class labels or output name).
    score_names: Vec<String>,
    /// For two-class probabilities: keep only the second column.
    binary: bool,
    /// Model outputs exposed through [`Model::outputs`].
    outputs: Vec<String>,
    /// Class labels, when the scores are a classifier's probabilities.
    classes: Option<Vec<String>>,
    info: OnnxInfo,
}

/// The text of a panic payload (`&str` or `String`; anything else is "unknown").
fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown")
}

fn err(path: &str, message: impl Into<String>) -> ModelError {
    ModelError::Onnx {
        path: path.to_string(),
        message: message.into(),
    }
}

/// The `ai.onnx` opsets tract 0.23 reads.
const MAX_OPSET: i64 = 21;

fn onnx_type_name(t: &pb::TypeProto) -> String {
    use pb::type_proto::Value;
    match &t.value {
        Some(Value::TensorType(tt)) => {
            let dims = tt
                .shape
                .as_ref()
                .map(|s| {
                    s.dim
                        .iter()
                        .map(|d| match &d.value {
                            Some(pb::tensor_shape_proto::dimension::Value::DimValue(v)) => {
                                v.to_string()
                            }
                            Some(pb::tensor_shape_proto::dimension::Value::DimParam(p)) => {
                                p.clone()
                            }
                            None => "?".into(),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            format!("tensor({})[{dims}]", elem_name(tt.elem_type))
        }
        _ => "non-tensor (sequence or map)".to_string(),
    }
}

fn elem_name(t: i32) -> &'static str {
    match t {
        1 => "float",
        2 => "uint8",
        3 => "int8",
        6 => "int32",
        7 => "int64",
        8 => "string",
        9 => "bool",
        10 => "float16",
        11 => "double",
        _ => "other",
    }
}

impl OnnxModel {
    /// Loads an ONNX file, checks its opsets and operators, types it with tract and plans it.
    /// Errors name the file and the operator, input or opset at fault.
    pub fn load(path: impl AsRef<Path>) -> Result<OnnxModel, ModelError> {
        let path_ref = path.as_ref();
        let p = path_ref.display().to_string();
        let bytes = std::fs::read(path_ref).map_err(|source| ModelError::Io {
            path: p.clone(),
            source,
        })?;
        let proto = pb::ModelProto::decode(bytes.as_slice())
            .map_err(|e| err(&p, format!("not an ONNX model (protobuf error: {e})")))?;
        let graph = proto
            .graph
            .as_ref()
            .ok_or_else(|| err(&p, "the ONNX model has no graph"))?;
        let mut onnx = tract_onnx::onnx();
        ops::register(&mut onnx);

        let mut info = OnnxInfo {
            producer: format!("{} {}", proto.producer_name, proto.producer_version)
                .trim()
                .to_string(),
            opsets: proto
                .opset_import
                .iter()
                .map(|o| (o.domain.clone(), o.version))
                .collect(),
            operators: BTreeMap::new(),
            outputs: graph
                .output
                .iter()
                .map(|o| {
                    (
                        o.name.clone(),
                        o.r#type.as_ref().map(onnx_type_name).unwrap_or_default(),
                    )
                })
                .collect(),
            tree_ensembles: Vec::new(),
        };
        for n in graph
            .node
            .iter()
            .filter(|n| n.op_type.starts_with("TreeEnsemble"))
        {
            let (trees, depth) = tree_stats(n).map_err(|e| err(&p, e))?;
            info.tree_ensembles
                .push((format!("{} ({})", n.name, n.op_type), trees, depth));
        }
        for (domain, version) in &info.opsets {
            match domain.as_str() {
                "" | "ai.onnx" if *version > MAX_OPSET => {
                    return Err(err(
                        &p,
                        format!("ai.onnx opset {version} is newer than the {MAX_OPSET} assay's runtime reads; re-export with opset {MAX_OPSET} or lower (skl2onnx target_opset, torch.onnx.export opset_version)"),
                    ))
                }
                "ai.onnx.ml" if *version > 3 => {
                    return Err(err(
                        &p,
                        format!("ai.onnx.ml opset {version} is newer than 3, the version assay's runtime reads; re-export with target_opset={{'ai.onnx.ml': 3}}"),
                    ))
                }
                _ => {}
            }
        }
        for n in &graph.node {
            let key = if n.domain.is_empty() {
                n.op_type.clone()
            } else {
                format!("{}:{}", n.domain, n.op_type)
            };
            *info.operators.entry(key).or_default() += 1;
            if !onnx.op_register.0.contains_key(&n.op_type) {
                return Err(err(
                    &p,
                    format!(
                        "node '{}' uses operator {}{}, which assay's ONNX runtime does not implement; export the model without it (for scikit-learn, convert the step it comes from to supported operators) or score it with its own library",
                        n.name,
                        if n.domain.is_empty() { String::new() } else { format!("{}.", n.domain) },
                        n.op_type
                    ),
                ));
            }
        }

        // Graph inputs, leaving out initializers listed as inputs (older exporters).
        let initializers: std::collections::HashSet<&str> =
            graph.initializer.iter().map(|t| t.name.as_str()).collect();
        let mut inputs = Vec::new();
        for vi in graph
            .input
            .iter()
            .filter(|i| !initializers.contains(i.name.as_str()))
        {
            use pb::type_proto::Value;
            let Some(Value::TensorType(tt)) = vi.r#type.as_ref().and_then(|t| t.value.as_ref())
            else {
                return Err(err(
                    &p,
                    format!(
                        "input '{}' is not a tensor; assay feeds tensors only",
                        vi.name
                    ),
                ));
            };
            let ty = match tt.elem_type {
                1 => InputType::F32,
                11 => InputType::F64,
                7 => InputType::I64,
                8 => InputType::Text,
                t => {
                    return Err(err(
                        &p,
                        format!(
                            "input '{}' has element type {}; assay feeds float, double, int64 and string inputs",
                            vi.name,
                            elem_name(t)
                        ),
                    ))
                }
            };
            let shape: Vec<Option<usize>> = tt
                .shape
                .as_ref()
                .map(|s| {
                    s.dim
                        .iter()
                        .map(|d| match d.value {
                            Some(pb::tensor_shape_proto::dimension::Value::DimValue(v))
                                if v > 0 =>
                            {
                                Some(v as usize)
                            }
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            let width: usize = shape.iter().skip(1).map(|d| d.unwrap_or(1)).product();
            if shape.iter().skip(1).any(|d| d.is_none()) {
                return Err(err(
                    &p,
                    format!("input '{}' has a symbolic dimension after the batch axis; assay needs every dimension but the first fixed", vi.name),
                ));
            }
            let columns = if width == 1 {
                vec![vi.name.clone()]
            } else {
                (0..width).map(|j| format!("{}_{j}", vi.name)).collect()
            };
            inputs.push(OnnxInput {
                name: vi.name.clone(),
                ty,
                shape,
                columns,
            });
        }
        if inputs.is_empty() {
            return Err(err(&p, "the graph has no inputs"));
        }
        // Every graph output must be produced by a node, or be a graph input or an initializer:
        // tract indexes its map of names with each output name and panics ("no entry found for
        // key") on one that nothing produces (issue #15, a fuzzed byte flip in an output name).
        let mut produced: std::collections::HashSet<&str> = initializers.clone();
        produced.extend(graph.input.iter().map(|i| i.name.as_str()));
        produced.extend(
            graph
                .node
                .iter()
                .flat_map(|n| n.output.iter().map(String::as_str)),
        );
        if let Some(o) = graph
            .output
            .iter()
            .find(|o| o.name.is_empty() || !produced.contains(o.name.as_str()))
        {
            return Err(err(
                &p,
                format!(
                    "graph output '{}' is produced by no node and is neither a graph input nor an initializer; expected every output to name a node's output",
                    o.name
                ),
            ));
        }

        // tract trusts the graph in places (indexing by name, slicing by declared sizes): a
        // panic on a malformed file the checks above let through becomes an error here.
        let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            onnx.model_for_proto_model(&proto)
        }))
        .map_err(|payload| {
            let why = panic_text(&*payload);
            err(
                &p,
                format!(
                    "cannot read the graph: malformed model (the ONNX reader failed with: {why})"
                ),
            )
        })?;
        let mut model = parsed.map_err(|e| err(&p, format!("cannot read the graph: {e:#}")))?;
        let batch = model.symbols.sym("N");
        for (i, input) in inputs.iter().enumerate() {
            let dt = match input.ty {
                InputType::Text => String::datum_type(),
                InputType::F32 => f32::datum_type(),
                InputType::F64 => f64::datum_type(),
                InputType::I64 => i64::datum_type(),
            };
            let mut shape: TVec<TDim> = tvec![batch.clone().into()];
            for d in input.shape.iter().skip(1) {
                shape.push(d.unwrap_or(1).into());
            }
            if input.shape.is_empty() {
                shape = tvec![batch.clone().into()];
            }
            model
                .set_input_fact(i, InferenceFact::dt_shape(dt, shape))
                .map_err(|e| err(&p, format!("input '{}': {e:#}", input.name)))?;
        }
        // tract's type inference unwraps in places (e.g. a Reduce axis out of the input's
        // rank): a panic there on a malformed graph is an error too.
        let typed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            model.into_typed().and_then(|m| m.into_decluttered())
        }))
        .map_err(|payload| {
            err(
                &p,
                format!(
                    "cannot type the graph: malformed model (the ONNX type inference failed with: {})",
                    panic_text(&*payload)
                ),
            )
        })?
        .map_err(|e| err(&p, format!("cannot type the graph: {e:#}")))?;

        // Which output holds the scores: a ZipMap's (named by its class labels), else the
        // first floating-point output.
        let zipmap = graph.node.iter().find(|n| n.op_type == "ZipMap");
        let output_names: Vec<String> = typed
            .outputs
            .iter()
            .map(|o| typed.node(o.node).name.clone())
            .collect();
        let graph_outputs: Vec<&str> = graph.output.iter().map(|o| o.name.as_str()).collect();
        let classes;
        let (score_output, score_names) = if let Some(z) = zipmap {
            let labels = ops::zipmap::class_labels(z).map_err(|e| err(&p, format!("{e:#}")))?;
            let pos = graph_outputs
                .iter()
                .position(|o| z.output.iter().any(|x| x == o))
                .ok_or_else(|| err(&p, "the ZipMap's output is not a graph output"))?;
            classes = Some(labels.clone());
            (pos, labels)
        } else {
            let mut found = None;
            for (i, o) in typed.outputs.iter().enumerate() {
                let fact = typed
                    .outlet_fact(*o)
                    .map_err(|e| err(&p, format!("{e:#}")))?;
                if fact.datum_type.is_float() {
                    let k = if fact.rank() >= 2 {
                        fact.shape[fact.rank() - 1]
                            .to_i64()
                            .map_or(1, |v| v as usize)
                    } else {
                        1
                    };
                    found = Some((i, k));
                    break;
                }
            }
            let (i, k) = found.ok_or_else(|| {
                err(
                    &p,
                    "the graph has no floating-point output to read scores from",
                )
            })?;
            let name = graph_outputs
                .get(i)
                .map_or_else(|| output_names[i].clone(), |s| s.to_string());
            let labels = classifier_labels(graph)
                .or_else(|| metadata_class_names(&proto))
                .filter(|l| l.len() == k);
            classes = labels.clone();
            let labels = labels.unwrap_or_else(|| {
                if k == 1 {
                    vec![name.clone()]
                } else {
                    (0..k).map(|j| format!("{name}_{j}")).collect()
                }
            });
            (i, labels)
        };
        let binary = classes.is_some() && score_names.len() == 2;
        let outputs = if binary {
            vec![score_names[1].clone()]
        } else {
            score_names.clone()
        };
        let plan = typed
            .into_optimized()
            .and_then(|m| m.into_runnable())
            .map_err(|e| err(&p, format!("cannot plan the graph: {e:#}")))?;
        let schema = InputSchema {
            columns: inputs
                .iter()
                .flat_map(|i| {
                    i.columns.iter().map(move |c| InputColumn {
                        name: c.clone(),
                        kind: if i.ty == InputType::Text {
                            ColumnKind::Text
                        } else {
                            ColumnKind::Numeric
                        },
                    })
                })
                .collect(),
        };
        Ok(OnnxModel {
            path: p,
            plan,
            inputs,
            schema,
            score_output,
            score_names,
            binary,
            outputs,
            classes,
            info,
        })
    }

    /// Reads the model's inputs from the given columns instead, in the order of
    /// [`Model::input_schema`]. An error when the count differs.
    pub fn with_columns(mut self, columns: Vec<String>) -> Result<Self, ModelError> {
        if columns.len() != self.schema.columns.len() {
            return Err(ModelError::ColumnCount {
                expected: self.schema.columns.len(),
                found: columns.len(),
            });
        }
        let mut it = columns.into_iter();
        for input in &mut self.inputs {
            for c in &mut input.columns {
                *c = it.next().expect("counted above");
            }
        }
        for (c, name) in self
            .schema
            .columns
            .iter_mut()
            .zip(self.inputs.iter().flat_map(|i| i.columns.iter()))
        {
            c.name = name.clone();
        }
        Ok(self)
    }

    /// The graph inputs and their columns.
    pub fn inputs(&self) -> &[OnnxInput] {
        &self.inputs
    }

    /// Producer, opsets, operators and outputs of the file.
    pub fn info(&self) -> &OnnxInfo {
        &self.info
    }

    /// Names of all score columns (both class labels for binary classifiers).
    pub fn score_names(&self) -> &[String] {
        &self.score_names
    }

    /// Runs the graph on `n` rows given as one tensor per input, returning the score tensor
    /// (row-major, `score_names().len()` values per row).
    fn run(&self, tensors: TVec<TValue>, n: usize) -> Result<Vec<f64>, ModelError> {
        let out = self
            .plan
            .run(tensors)
            .map_err(|e| err(&self.path, format!("running the graph failed: {e:#}")))?;
        let t = &out[self.score_output];
        let k = self.score_names.len();
        // Read in f64: a double output (assay's exports) keeps its precision, a float one
        // converts exactly.
        let v = t
            .cast_to::<f64>()
            .and_then(|c| Ok(c.try_as_plain_ram()?.as_slice::<f64>()?.to_vec()))
            .map_err(|e| err(&self.path, format!("reading the scores: {e:#}")))?;
        if v.len() != n * k {
            return Err(err(
                &self.path,
                format!(
                    "the score output has {} values for {n} rows of {k} scores",
                    v.len()
                ),
            ));
        }
        Ok(v)
    }

    /// Scores rows `start..end` of a batch.
    fn score_rows(
        &self,
        columns: &[Vec<Column>],
        start: usize,
        end: usize,
    ) -> Result<Vec<f64>, ModelError> {
        let n = end - start;
        let mut tensors: TVec<TValue> = tvec![];
        for (input, cols) in self.inputs.iter().zip(columns) {
            let w = cols.len();
            let mut shape: Vec<usize> = vec![n];
            shape.extend(input.shape.iter().skip(1).map(|d| d.unwrap_or(1)));
            if input.shape.is_empty() {
                shape = vec![n];
            }
            let t = match input.ty {
                InputType::Text => {
                    let mut v = Vec::with_capacity(n * w);
                    for i in start..end {
                        for c in cols {
                            let Column::Text(a) = c else { unreachable!() };
                            v.push(a.value(i).to_string());
                        }
                    }
                    tract_onnx::tract_hir::tract_ndarray::ArrayD::from_shape_vec(shape, v)
                        .map_err(|e| err(&self.path, e.to_string()))?
                        .into_tensor()
                }
                _ => {
                    // Values are kept in f64 until the tensor is built, so double and int64
                    // inputs receive them exactly (only float inputs round to f32).
                    let mut v = Vec::with_capacity(n * w);
                    for i in start..end {
                        for c in cols {
                            let Column::Num(a) = c else { unreachable!() };
                            v.push(a[i]);
                        }
                    }
                    match input.ty {
                        InputType::F32 => {
                            let v: Vec<f32> = v.iter().map(|&x| x as f32).collect();
                            Tensor::from_shape(&shape, &v)
                                .map_err(|e| err(&self.path, e.to_string()))?
                        }
                        InputType::F64 => Tensor::from_shape(&shape, &v)
                            .map_err(|e| err(&self.path, e.to_string()))?,
                        _ => {
                            let v: Vec<i64> = v.iter().map(|&x| x as i64).collect();
                            Tensor::from_shape(&shape, &v)
                                .map_err(|e| err(&self.path, e.to_string()))?
                        }
                    }
                }
            };
            tensors.push(t.into_tvalue());
        }
        self.run(tensors, n)
    }

    fn scores(&self, columns: Vec<Vec<Column>>, n: usize) -> Result<Vec<f64>, ModelError> {
        let chunks: Vec<(usize, usize)> = (0..n)
            .step_by(CHUNK_ROWS)
            .map(|s| (s, (s + CHUNK_ROWS).min(n)))
            .collect();
        let parts: Vec<Vec<f64>> = chunks
            .par_iter()
            .map(|&(s, e)| self.score_rows(&columns, s, e))
            .collect::<Result<_, _>>()?;
        let k = self.score_names.len();
        let mut out = Vec::with_capacity(n * if self.binary { 1 } else { k });
        for part in parts {
            if self.binary {
                out.extend(part.chunks(2).map(|r| r[1]));
            } else {
                out.extend(part);
            }
        }
        Ok(out)
    }

    /// Reads the model's columns from a batch.
    fn columns(&self, batch: &RecordBatch) -> Result<Vec<Vec<Column>>, ModelError> {
        let mut all = Vec::with_capacity(self.inputs.len());
        for input in &self.inputs {
            let mut cols = Vec::with_capacity(input.columns.len());
            for name in &input.columns {
                let col = batch
                    .column_by_name(name)
                    .ok_or_else(|| ModelError::Column {
                        column: name.clone(),
                        message: format!(
                            "is not in the input (the model's input '{}' reads it)",
                            input.name
                        ),
                    })?;
                cols.push(if input.ty == InputType::Text {
                    Column::Text(text_column(col, name)?)
                } else {
                    Column::Num(numeric_column(col, name, input.ty)?)
                });
            }
            all.push(cols);
        }
        Ok(all)
    }
}

/// One input column, read.
enum Column {
    Text(StringArray),
    Num(Vec<f64>),
}

fn text_column(col: &ArrayRef, name: &str) -> Result<StringArray, ModelError> {
    let text = arrow_cast::cast(col, &DataType::Utf8).map_err(|_| ModelError::Column {
        column: name.to_string(),
        message: format!("has type {}, which cannot be read as text", col.data_type()),
    })?;
    let text = text
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("cast to Utf8 gives a StringArray")
        .clone();
    if let Some(row) = (0..text.len()).find(|&i| text.is_null(i)) {
        return Err(ModelError::BadValue {
            column: name.to_string(),
            row,
            message: "missing value in a text input (the ONNX graph has no rule for it)".into(),
        });
    }
    Ok(text)
}

fn numeric_column(col: &ArrayRef, name: &str, ty: InputType) -> Result<Vec<f64>, ModelError> {
    let schema = InputSchema {
        columns: vec![InputColumn {
            name: name.to_string(),
            kind: ColumnKind::Numeric,
        }],
    };
    let batch =
        RecordBatch::try_from_iter([(name, col.clone())]).map_err(|e| ModelError::Column {
            column: name.to_string(),
            message: e.to_string(),
        })?;
    let dense = crate::model::batch_to_dense(&schema, &batch)?;
    if ty == InputType::I64 {
        if let Some(row) = dense.iter().position(|v| v.is_nan() || v.fract() != 0.0) {
            return Err(ModelError::BadValue {
                column: name.to_string(),
                row,
                message: "expected an integer (the model input is int64)".into(),
            });
        }
    }
    Ok(dense)
}

/// The class labels of the first classifier node, when the graph has one.
/// The class names an assay export stores in its `metadata_props` (`class_names`, a JSON
/// array of strings, in the order of the probability columns).
fn metadata_class_names(proto: &pb::ModelProto) -> Option<Vec<String>> {
    proto
        .metadata_props
        .iter()
        .find(|p| p.key == "class_names")
        .and_then(|p| serde_json::from_str::<Vec<String>>(&p.value).ok())
}

fn classifier_labels(graph: &pb::GraphProto) -> Option<Vec<String>> {
    graph
        .node
        .iter()
        .filter(|n| n.op_type.ends_with("Classifier"))
        .find_map(|n| ops::zipmap::class_labels(n).ok())
}

impl Model for OnnxModel {
    fn input_schema(&self) -> &InputSchema {
        &self.schema
    }

    fn classes(&self) -> Option<&[String]> {
        self.classes.as_deref()
    }

    fn outputs(&self) -> &[String] {
        &self.outputs
    }

    fn score_batch(&self, batch: &RecordBatch) -> Result<Vec<f64>, ModelError> {
        let columns = self.columns(batch)?;
        self.scores(columns, batch.num_rows())
    }

    fn score_matrix(&self, x: &[f64], n_rows: usize) -> Result<Vec<f64>, ModelError> {
        let d = self.schema.columns.len();
        if x.len() != n_rows * d {
            return Err(ModelError::Ragged {
                len: x.len(),
                n_cols: d,
            });
        }
        if let Some(c) = self
            .schema
            .columns
            .iter()
            .find(|c| c.kind == ColumnKind::Text)
        {
            return Err(ModelError::Column {
                column: c.name.clone(),
                message: "is a text input; score a record batch instead of a matrix".into(),
            });
        }
        let mut columns = Vec::with_capacity(self.inputs.len());
        let mut j = 0;
        for input in &self.inputs {
            let mut cols = Vec::with_capacity(input.columns.len());
            for _ in &input.columns {
                cols.push(Column::Num((0..n_rows).map(|i| x[i * d + j]).collect()));
                j += 1;
            }
            columns.push(cols);
        }
        self.scores(columns, n_rows)
    }

    fn margin_batch(&self, _batch: &RecordBatch) -> Result<Vec<f64>, ModelError> {
        Err(err(
            &self.path,
            "an ONNX graph exposes its outputs only, not raw margins",
        ))
    }
}
