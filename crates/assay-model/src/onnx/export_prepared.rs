//! ONNX export of a model trained by `assay train` **on the raw table columns**: the graph
//! applies the saved feature preparation ([`FeatureSpec`]) itself, so a serving system feeds the
//! columns as they are, as it would feed a scikit-learn `Pipeline` converted by skl2onnx.
//!
//! Inputs: one `[N, 1]` tensor per input column, named as the column: `double` for numeric
//! columns (`double` rather than `float` so that the values, the standardisation and the tree
//! thresholds are compared exactly as assay compares them in `f64`; a `float` input would round
//! a value such as 0.1 up and could send it to the other side of a split at 0.1), `string` for
//! categorical columns.
//!
//! Preparation, column by column (operator specs: <https://onnx.ai/onnx/operators/>), giving
//! `double` `[N, width]` blocks joined by `Concat` (axis 1) into the encoded `[N, d]` matrix in
//! the model's feature order, exactly [`crate::learners::schema::encode_row`]:
//! * numeric with an imputed value: `Equal(x, x)` (false exactly for NaN) and `Where` replace
//!   a missing cell (NaN) by the stored value (the `ai.onnx.ml` `Imputer` has no `double` kernel
//!   in onnxruntime, and NaN is how a missing cell reaches the graph);
//! * numeric, standardised: `Sub` (the mean) then `Div` (the standard deviation), the
//!   operations of `encode_row` in the same order, in `double`;
//! * one-hot ([`FeatureSpec::Categorical`]): `ai.onnx.ml` `OneHotEncoder` (`cats_strings` =
//!   the sorted training categories; output `float` `[N, 1, C]`), `Reshape` to `[N, C]`, `Cast`
//!   to `double`. [`Unknown::Ignore`]: `zeros = 1`, an unseen category is a row of zeros
//!   (scikit-learn's `handle_unknown="ignore"`). [`Unknown::Error`]: `zeros = 0`, for which the
//!   operator spec says the operator fails on an unseen category, as assay refuses it;
//! * ordinal codes ([`FeatureSpec::Ordinal`], tree learners): [`Unknown::Ignore`]:
//!   `ai.onnx.ml` `LabelEncoder` (version 2) from `keys_strings` (the categories) to
//!   `values_floats` (their positions) with `default_float` NaN (a missing value, as assay
//!   codes an unseen category), then `Cast` to `double`. [`Unknown::Error`]: the one-hot of the
//!   previous point with `zeros = 0` times the column `[0, 1, …, C − 1]ᵀ` (`MatMul`), which is
//!   the code exactly and fails on an unseen category, as assay does.
//!
//! Model, on the encoded matrix:
//! * logistic regression: `MatMul` by the coefficients and `Add` the intercepts (`double`),
//!   then the logistic function `1 / (1 + exp(−z))` (`Neg`, `Exp`, `Add`, `Div`: ONNX
//!   `Sigmoid` is `float`-only in assay's runtime) for two classes or `Softmax` (axis 1, K ≥ 3
//!   classes), all in `double` as [`crate::learners::FittedLogistic::predict_proba`];
//! * trees: the `ai.onnx.ml` `TreeEnsembleRegressor` of
//!   [`TreeEnsemble::to_onnx_bytes`](crate::TreeEnsemble::to_onnx_bytes) (its margin is `float`
//!   in onnxruntime), `Cast` to `double`, then for a logistic link `Mul` by the scale (when not
//!   1) and the logistic function. A decision tree (`assay.tree/1`) outputs `P(class 1)` directly.
//!
//! Outputs, named and ordered as skl2onnx names a classifier's outputs with `zipmap=False`:
//! `label` (`string` `[N]`, the class name: `ArgMax` over the probabilities, axis 1, first index
//! on ties, then `ai.onnx.ml` `LabelEncoder` from the class index to the class name) and
//! `probabilities` (`double` `[N, K]`, for two classes `[1 − p, p]` by `Sub` and `Concat`). A
//! gradient-boosting regression (`--loss squared-error`) outputs `variable` (`double`
//! `[N, 1]`), skl2onnx's name for a regressor's output.
//!
//! Every name the graph uses internally starts with `assay.`; a table column named like one of
//! them or like an output is refused. The bytes depend only on the model: nodes, initializers
//! and attributes in a fixed order, no timestamps.
//!
//! Mitigated models (`assay-mitigation`) add their decision rule with the public building
//! blocks of [`PreparedGraph`].

use std::collections::BTreeSet;

use crate::error::ModelError;
use crate::learners::schema::{FeatureSpec, TrainedGbdt, TrainedLogistic, TrainedTree, Unknown};
use crate::learners::FittedLogistic;
use crate::tree::{Arithmetic, Link, TreeEnsemble};

use super::proto::{GraphProto, NodeProto, TensorProto, ValueInfoProto, DOUBLE, FLOAT, INT64};
use super::{attr_int, attr_ints, attr_strings, double_tensor, encode_model, node, value_info};

/// `TensorProto.DataType.STRING`.
const STRING: i32 = 8;

/// What an exported graph reads and what a user should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedOnnx {
    /// The ONNX model (protobuf bytes).
    pub bytes: Vec<u8>,
    /// The graph inputs, in order: column name and element type (`double` or `string`).
    pub inputs: Vec<(String, &'static str)>,
    /// The graph outputs, in order, with their ONNX types as text.
    pub outputs: Vec<(String, String)>,
    /// Where the graph and assay differ, or where it fails on inputs assay refuses too (to be
    /// printed with the export).
    pub caveats: Vec<String>,
}

/// A graph under construction: the raw-column inputs and their preparation, then whatever a
/// model or a mitigation appends with the building blocks below. Every tensor it creates has a
/// unique name starting with `assay.`.
#[derive(Debug, Clone)]
pub struct PreparedGraph {
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
    inputs: Vec<ValueInfoProto>,
    input_types: Vec<(String, &'static str)>,
    ml: bool,
    counter: usize,
    caveats: Vec<String>,
    encoded: String,
    width: usize,
    unimputed: Vec<String>,
}

impl PreparedGraph {
    /// The inputs and the preparation of `features` (see [the module documentation](self)).
    /// An [`ModelError::Export`] error when there are no features or a column is given as
    /// both numbers and categories.
    pub fn new(features: &[FeatureSpec]) -> Result<PreparedGraph, ModelError> {
        if features.is_empty() {
            return Err(export_error("the model has no feature columns"));
        }
        let mut g = PreparedGraph {
            nodes: Vec::new(),
            initializers: Vec::new(),
            inputs: Vec::new(),
            input_types: Vec::new(),
            ml: false,
            counter: 0,
            caveats: Vec::new(),
            encoded: String::new(),
            width: 0,
            unimputed: Vec::new(),
        };
        let mut blocks = Vec::with_capacity(features.len());
        let mut no_impute = Vec::new();
        let mut unknown_missing = Vec::new();
        for spec in features {
            let column = spec.column();
            let block = match spec {
                FeatureSpec::Numeric {
                    mean, std, impute, ..
                } => {
                    let mut x = g.input(column, DOUBLE)?;
                    match impute {
                        Some(fill) => {
                            // x == x is false exactly for NaN (IEEE 754).
                            let present = g.op("Equal", &[&x, &x], "present");
                            let fill = g.constant("impute", &[1, 1], vec![*fill]);
                            x = g.op("Where", &[&present, &x, &fill], "imputed");
                        }
                        None => no_impute.push(column.to_string()),
                    }
                    if let Some(m) = mean {
                        let m = g.constant("mean", &[1, 1], vec![*m]);
                        x = g.op("Sub", &[&x, &m], "centred");
                    }
                    if let Some(s) = std {
                        let s = g.constant("std", &[1, 1], vec![*s]);
                        x = g.op("Div", &[&x, &s], "scaled");
                    }
                    x
                }
                FeatureSpec::Categorical {
                    categories,
                    unknown,
                    ..
                } => {
                    let x = g.input(column, STRING)?;
                    g.one_hot(&x, categories, *unknown)
                }
                FeatureSpec::Ordinal {
                    categories,
                    unknown,
                    ..
                } => {
                    let x = g.input(column, STRING)?;
                    match unknown {
                        Unknown::Ignore => {
                            unknown_missing.push(column.to_string());
                            g.ml = true;
                            let codes = g.fresh("codes");
                            let keys: Vec<&str> = categories.iter().map(String::as_str).collect();
                            g.push(node(
                                "LabelEncoder",
                                super::ML_DOMAIN,
                                &[&x],
                                &[&codes],
                                vec![
                                    super::attr_float("default_float", f32::NAN),
                                    attr_strings("keys_strings", keys),
                                    super::attr_floats(
                                        "values_floats",
                                        (0..categories.len()).map(|k| k as f32).collect(),
                                    ),
                                ],
                            ));
                            g.cast(&codes, DOUBLE)
                        }
                        Unknown::Error => {
                            let onehot = g.one_hot(&x, categories, Unknown::Error);
                            let codes = g.constant(
                                "codes",
                                &[categories.len(), 1],
                                (0..categories.len()).map(|k| k as f64).collect(),
                            );
                            g.op("MatMul", &[&onehot, &codes], "code")
                        }
                    }
                }
            };
            blocks.push(block);
        }
        g.width = features.iter().map(FeatureSpec::width).sum();
        let refs: Vec<&str> = blocks.iter().map(String::as_str).collect();
        g.encoded = g.fresh("encoded");
        let encoded = g.encoded.clone();
        g.push(node(
            "Concat",
            "",
            &refs,
            &[&encoded],
            vec![attr_int("axis", 1)],
        ));
        let errors: Vec<&str> = features
            .iter()
            .filter(|f| {
                matches!(
                    f,
                    FeatureSpec::Categorical {
                        unknown: Unknown::Error,
                        ..
                    } | FeatureSpec::Ordinal {
                        unknown: Unknown::Error,
                        ..
                    }
                )
            })
            .map(FeatureSpec::column)
            .collect();
        if !errors.is_empty() {
            g.caveats.push(format!(
                "a category not seen in training in {} makes the ONNX runtime fail \
                 (OneHotEncoder zeros=0), as assay refuses it",
                quoted(&errors)
            ));
        }
        if !unknown_missing.is_empty() {
            g.caveats.push(format!(
                "a category not seen in training in {} becomes a missing value (LabelEncoder \
                 default NaN), routed by the trees' missing-value rule, as in assay",
                quoted(&unknown_missing)
            ));
        }
        g.unimputed = no_impute;
        Ok(g)
    }

    /// The encoded `[N, d]` `double` matrix.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// Number of encoded features `d`.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The numeric columns without an imputed value: a missing cell (NaN) reaches the model as
    /// NaN.
    pub fn unimputed(&self) -> &[String] {
        &self.unimputed
    }

    /// The numeric columns without an imputed value, quoted and joined for a message.
    pub fn unimputed_list(&self) -> String {
        quoted(&self.unimputed)
    }

    /// Adds a note for [`PreparedOnnx::caveats`].
    pub fn caveat(&mut self, text: String) {
        self.caveats.push(text);
    }

    /// A new unique tensor name `assay.<k>.<hint>`.
    pub fn fresh(&mut self, hint: &str) -> String {
        self.counter += 1;
        format!("assay.{}.{hint}", self.counter)
    }

    fn push(&mut self, n: NodeProto) {
        self.nodes.push(n);
    }

    /// A `double` initializer of shape `dims` (row-major `values`); returns its name.
    pub fn constant(&mut self, hint: &str, dims: &[usize], values: Vec<f64>) -> String {
        let name = self.fresh(hint);
        self.initializers.push(double_tensor(&name, dims, values));
        name
    }

    /// An `int64` initializer of shape `dims`; returns its name.
    pub fn constant_i64(&mut self, hint: &str, dims: &[usize], values: Vec<i64>) -> String {
        let name = self.fresh(hint);
        self.initializers.push(TensorProto {
            dims: dims.iter().map(|&d| d as i64).collect(),
            data_type: Some(INT64),
            int64_data: values,
            name: Some(name.clone()),
            ..Default::default()
        });
        name
    }

    /// A node of the `ai.onnx` operator `op` without attributes (`Sub`, `Mul`, `Add`, `Div`,
    /// `Greater`, `Where`, `MatMul`, `Gather` on axis 0, …) on `inputs`; returns its output.
    pub fn op(&mut self, op: &str, inputs: &[&str], hint: &str) -> String {
        let out = self.fresh(hint);
        self.push(node(op, "", inputs, &[&out], vec![]));
        out
    }

    /// ONNX `Cast` of `x` to element type `to` (`TensorProto.DataType`); returns its output.
    pub fn cast(&mut self, x: &str, to: i32) -> String {
        let out = self.fresh("cast");
        self.push(node(
            "Cast",
            "",
            &[x],
            &[&out],
            vec![attr_int("to", i64::from(to))],
        ));
        out
    }

    /// The graph input of `column` with element type `elem` (`[N, 1]`), added once; an error
    /// when the column is already an input of another type or is named like a graph output.
    fn input(&mut self, column: &str, elem: i32) -> Result<String, ModelError> {
        if column.starts_with("assay.") || ["label", "probabilities", "variable"].contains(&column)
        {
            return Err(export_error(&format!(
                "the column '{column}' has the name of a tensor of the exported graph; rename it"
            )));
        }
        let ty = if elem == STRING { "string" } else { "double" };
        if let Some((_, t)) = self.input_types.iter().find(|(c, _)| c == column) {
            if *t != ty {
                return Err(export_error(&format!(
                    "the column '{column}' would be both a {t} and a {ty} input"
                )));
            }
            return Ok(column.to_string());
        }
        self.inputs.push(value_info(column, elem, &[None, Some(1)]));
        self.input_types.push((column.to_string(), ty));
        Ok(column.to_string())
    }

    /// The `string` input of a text column (for a mitigated model's sensitive columns): the
    /// existing input when the column is already a categorical feature, a new `[N, 1]` input
    /// otherwise; an error when it is a numeric feature.
    pub fn text_input(&mut self, column: &str) -> Result<String, ModelError> {
        self.input(column, STRING)
    }

    /// One-hot `[N, C]` `double` block of string input `x` (`OneHotEncoder`, `Reshape`, `Cast`).
    fn one_hot(&mut self, x: &str, categories: &[String], unknown: Unknown) -> String {
        self.ml = true;
        let raw = self.fresh("onehot");
        let cats: Vec<&str> = categories.iter().map(String::as_str).collect();
        self.push(node(
            "OneHotEncoder",
            super::ML_DOMAIN,
            &[x],
            &[&raw],
            vec![
                attr_strings("cats_strings", cats),
                attr_int("zeros", i64::from(unknown == Unknown::Ignore)),
            ],
        ));
        let shape = self.constant_i64("shape", &[2], vec![-1, categories.len() as i64]);
        let flat = self.op("Reshape", &[&raw, &shape], "onehot2d");
        self.cast(&flat, DOUBLE)
    }

    /// Index `[N]` (`int64`) of each row's group among `groups`, from the text columns
    /// `columns` whose values, joined with `" & "`, name the group (as a mitigated model names
    /// groups). Each column is coded by an `ai.onnx.ml` `LabelEncoder` (string → `int64`, its
    /// values in the group names, an unseen value coded one past them); the codes combine in
    /// mixed radix (`Mul`, `Add`) into one cell number per row; an `ai.onnx.ml`
    /// `OneHotEncoder` over the groups' cell numbers (`cats_int64s`, `zeros = 0`), `Reshape`
    /// and `ArgMax` (axis 1) give the group index. With `zeros = 0` the operator spec has the
    /// runtime fail on a value or combination not seen in training, as assay refuses it
    /// (rather than an out-of-range `Gather`, which some runtimes do not check).
    pub fn group_index(
        &mut self,
        columns: &[String],
        groups: &[String],
    ) -> Result<String, ModelError> {
        if columns.is_empty() || groups.is_empty() {
            return Err(export_error(
                "the model decides by group but names no groups",
            ));
        }
        // The values of each column, from the group names.
        let mut parts: Vec<Vec<&str>> = Vec::with_capacity(groups.len());
        for g in groups {
            let p: Vec<&str> = assay_data::groups::split_key(g, columns.len());
            if p.len() != columns.len() {
                return Err(export_error(&format!(
                    "group '{g}' does not split into one value per sensitive column ({}) at ' & '",
                    columns.join(", ")
                )));
            }
            parts.push(p);
        }
        let values: Vec<Vec<&str>> = (0..columns.len())
            .map(|j| {
                parts
                    .iter()
                    .map(|p| p[j])
                    .collect::<BTreeSet<&str>>()
                    .into_iter()
                    .collect()
            })
            .collect();
        let radix: Vec<i64> = values.iter().map(|v| v.len() as i64 + 1).collect();
        radix
            .iter()
            .try_fold(1i64, |acc, &r| acc.checked_mul(r).filter(|&c| c <= 1 << 40))
            .ok_or_else(|| export_error("too many combinations of sensitive values"))?;
        let mut cells = Vec::with_capacity(groups.len());
        for p in &parts {
            let mut cell = 0i64;
            for j in 0..columns.len() {
                let code = values[j].binary_search(&p[j]).expect("listed above") as i64;
                cell = cell * radix[j] + code;
            }
            cells.push(cell);
        }
        let mut index: Option<String> = None;
        for (j, column) in columns.iter().enumerate() {
            let x = self.text_input(column)?;
            self.ml = true;
            let code = self.fresh("groupcode");
            self.push(node(
                "LabelEncoder",
                super::ML_DOMAIN,
                &[&x],
                &[&code],
                vec![
                    attr_int("default_int64", values[j].len() as i64),
                    attr_strings("keys_strings", values[j].clone()),
                    attr_ints("values_int64s", (0..values[j].len() as i64).collect()),
                ],
            ));
            index = Some(match index {
                None => code,
                Some(prev) => {
                    let r = self.constant_i64("radix", &[1, 1], vec![radix[j]]);
                    let shifted = self.op("Mul", &[&prev, &r], "groupcell");
                    self.op("Add", &[&shifted, &code], "groupcell")
                }
            });
        }
        let cell = index.expect("at least one column");
        let onehot = self.fresh("grouponehot");
        let k = cells.len();
        self.push(node(
            "OneHotEncoder",
            super::ML_DOMAIN,
            &[&cell],
            &[&onehot],
            vec![attr_ints("cats_int64s", cells), attr_int("zeros", 0)],
        ));
        let shape = self.constant_i64("shape", &[2], vec![-1, k as i64]);
        let flat = self.op("Reshape", &[&onehot, &shape], "grouponehot2d");
        let group = self.fresh("group");
        self.push(node(
            "ArgMax",
            "",
            &[&flat],
            &[&group],
            vec![attr_int("axis", 1), attr_int("keepdims", 0)],
        ));
        Ok(group)
    }

    /// A `[N, 1]` `double` tensor holding `value` in every row (`Shape`, `Gather`, `Concat`,
    /// `Expand`), as many rows as the encoded matrix.
    pub fn constant_rows(&mut self, value: f64) -> String {
        let shape = self.fresh("shape");
        let encoded = self.encoded.clone();
        self.push(node("Shape", "", &[&encoded], &[&shape], vec![]));
        let zero = self.constant_i64("zero", &[1], vec![0]);
        let n = self.op("Gather", &[&shape, &zero], "rows");
        let one = self.constant_i64("one", &[1], vec![1]);
        let dims = self.fresh("dims");
        self.push(node(
            "Concat",
            "",
            &[&n, &one],
            &[&dims],
            vec![attr_int("axis", 0)],
        ));
        let v = self.constant("value", &[1, 1], vec![value]);
        self.op("Expand", &[&v, &dims], "constant")
    }

    /// Decision values `[N, K']` (`double`) of a logistic regression on `x` (`MatMul` by the
    /// coefficients, `Add` the intercepts; `Gemm` would do both, but tract types its implicit
    /// `beta` as `float`), K' = 1 for two classes.
    pub fn logistic_decision(&mut self, m: &FittedLogistic, x: &str) -> Result<String, ModelError> {
        m.validate().map_err(|message| ModelError::Export {
            message: format!("invalid logistic regression: {message}"),
        })?;
        let d = m.n_features();
        let k_out = m.coef.len();
        let mut w = Vec::with_capacity(d * k_out);
        for j in 0..d {
            w.extend(m.coef.iter().map(|row| row[j]));
        }
        let coef = self.constant("coef", &[d, k_out], w);
        let intercept = self.constant("intercept", &[k_out], m.intercept.clone());
        let xw = self.op("MatMul", &[x, &coef], "xw");
        Ok(self.op("Add", &[&xw, &intercept], "decision"))
    }

    /// Probabilities of a logistic regression on `x`: `[N, 1]` `P(class 1)` for two classes
    /// ([`PreparedGraph::sigmoid`]), `[N, K]` otherwise (`Softmax`, axis 1).
    pub fn logistic_scores(&mut self, m: &FittedLogistic, x: &str) -> Result<String, ModelError> {
        let z = self.logistic_decision(m, x)?;
        if m.coef.len() == 1 {
            Ok(self.sigmoid(&z))
        } else {
            let out = self.fresh("softmax");
            self.push(node(
                "Softmax",
                "",
                &[&z],
                &[&out],
                vec![attr_int("axis", 1)],
            ));
            Ok(out)
        }
    }

    /// The transformed output `[N, 1]` (`double`) of a tree ensemble on `x`: the
    /// `TreeEnsembleRegressor` margin (`float`), cast to `double`, then for a logistic link the
    /// logistic function of `scale · margin` ([`PreparedGraph::sigmoid`]). An error for splits
    /// the operator cannot express.
    pub fn tree_scores(&mut self, e: &TreeEnsemble, x: &str) -> Result<String, ModelError> {
        let input = match e.arithmetic {
            Arithmetic::F64 => x.to_string(),
            _ => self.cast(x, FLOAT),
        };
        let margin = self.fresh("margin");
        let n = super::export_trees::regressor_node(e, &input, &margin)?;
        self.ml = true;
        self.push(n);
        let margin = self.cast(&margin, DOUBLE);
        Ok(match e.objective.link {
            Link::Identity => margin,
            Link::Logistic { scale } => {
                let mut z = margin;
                if scale != 1.0 {
                    let s = self.constant("scale", &[1], vec![scale]);
                    z = self.op("Mul", &[&z, &s], "scaled");
                }
                self.sigmoid(&z)
            }
        })
    }

    /// The logistic function `1 / (1 + exp(−z))` (`Neg`, `Exp`, `Add`, `Div`), written out
    /// rather than as `Sigmoid`, which assay's runtime (tract) evaluates in `float` only.
    pub fn sigmoid(&mut self, z: &str) -> String {
        let neg = self.op("Neg", &[z], "negz");
        let e = self.op("Exp", &[&neg], "expnegz");
        let one = self.constant("one", &[1], vec![1.0]);
        let den = self.op("Add", &[&one, &e], "den");
        self.op("Div", &[&one, &den], "p1")
    }

    /// `[N, 1]` `double` 1.0 where `x > threshold`, 0.0 elsewhere (`Greater`, `Cast`).
    pub fn greater(&mut self, x: &str, threshold: &str) -> String {
        let b = self.op("Greater", &[x, threshold], "greater");
        self.cast(&b, DOUBLE)
    }

    /// Finishes a classifier whose probability of class 1 is `p1` (`[N, 1]`, `double`):
    /// outputs `label` and `probabilities` `[1 − p1, p1]`.
    pub fn finish_binary(
        self,
        p1: &str,
        class_names: &[String],
        doc: &str,
        metadata: Vec<(String, String)>,
    ) -> Result<PreparedOnnx, ModelError> {
        let mut g = self;
        let one = g.constant("one", &[1], vec![1.0]);
        let p0 = g.op("Sub", &[&one, p1], "p0");
        g.push(node(
            "Concat",
            "",
            &[&p0, p1],
            &["probabilities"],
            vec![attr_int("axis", 1)],
        ));
        g.finish_classifier(class_names, doc, metadata)
    }

    /// Finishes a classifier whose class probabilities are `probs` (`[N, K]`, `double`).
    pub fn finish_multiclass(
        self,
        probs: &str,
        class_names: &[String],
        doc: &str,
        metadata: Vec<(String, String)>,
    ) -> Result<PreparedOnnx, ModelError> {
        let mut g = self;
        g.push(node("Identity", "", &[probs], &["probabilities"], vec![]));
        g.finish_classifier(class_names, doc, metadata)
    }

    fn finish_classifier(
        mut self,
        class_names: &[String],
        doc: &str,
        metadata: Vec<(String, String)>,
    ) -> Result<PreparedOnnx, ModelError> {
        let k = class_names.len();
        if k < 2 {
            return Err(export_error(&format!("a classifier with {k} class names")));
        }
        let index = self.fresh("classindex");
        self.push(node(
            "ArgMax",
            "",
            &["probabilities"],
            &[&index],
            vec![attr_int("axis", 1), attr_int("keepdims", 0)],
        ));
        self.ml = true;
        self.push(node(
            "LabelEncoder",
            super::ML_DOMAIN,
            &[&index],
            &["label"],
            vec![
                super::attr_string("default_string", ""),
                attr_ints("keys_int64s", (0..k as i64).collect()),
                attr_strings(
                    "values_strings",
                    class_names.iter().map(String::as_str).collect(),
                ),
            ],
        ));
        let outputs = vec![
            value_info("label", STRING, &[None]),
            value_info("probabilities", DOUBLE, &[None, Some(k)]),
        ];
        let mut metadata = metadata;
        metadata.push((
            "class_names".to_string(),
            serde_json::to_string(class_names).unwrap_or_default(),
        ));
        Ok(self.finish(
            outputs,
            vec![
                ("label".into(), "tensor(string)[N]".into()),
                ("probabilities".into(), format!("tensor(double)[N, {k}]")),
            ],
            doc,
            metadata,
        ))
    }

    /// Finishes a regressor whose prediction is `y` (`[N, 1]`, `double`): output `variable`.
    pub fn finish_regression(
        mut self,
        y: &str,
        doc: &str,
        metadata: Vec<(String, String)>,
    ) -> Result<PreparedOnnx, ModelError> {
        self.push(node("Identity", "", &[y], &["variable"], vec![]));
        let outputs = vec![value_info("variable", DOUBLE, &[None, Some(1)])];
        Ok(self.finish(
            outputs,
            vec![("variable".into(), "tensor(double)[N, 1]".into())],
            doc,
            metadata,
        ))
    }

    fn finish(
        self,
        outputs: Vec<ValueInfoProto>,
        described: Vec<(String, String)>,
        doc: &str,
        mut metadata: Vec<(String, String)>,
    ) -> PreparedOnnx {
        let columns: Vec<&str> = self.input_types.iter().map(|(c, _)| c.as_str()).collect();
        metadata.insert(
            0,
            (
                "input_columns".to_string(),
                serde_json::to_string(&columns).unwrap_or_default(),
            ),
        );
        let graph = GraphProto {
            node: self.nodes,
            name: Some("assay_prepared".to_string()),
            initializer: self.initializers,
            doc_string: None,
            input: self.inputs,
            output: outputs,
        };
        PreparedOnnx {
            bytes: encode_model(graph, self.ml, doc, metadata),
            inputs: self.input_types,
            outputs: described,
            caveats: self.caveats,
        }
    }
}

fn export_error(message: &str) -> ModelError {
    ModelError::Export {
        message: message.to_string(),
    }
}

fn quoted(columns: &[impl AsRef<str>]) -> String {
    columns
        .iter()
        .map(|c| format!("'{}'", c.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Metadata shared by the exports: the feature names of the encoded matrix.
fn feature_metadata(feature_names: &[String]) -> Vec<(String, String)> {
    vec![(
        "feature_names".to_string(),
        serde_json::to_string(feature_names).unwrap_or_default(),
    )]
}

impl TrainedLogistic {
    /// The model as an ONNX graph on the raw table columns (see [the module
    /// documentation](self)): the saved preparation (`Equal`/`Where`, `Sub`/`Div`,
    /// `OneHotEncoder`), then `MatMul`, `Add` and the logistic function or `Softmax`; outputs `label` and
    /// `probabilities`. The bytes depend only on the model.
    pub fn to_prepared_onnx(&self) -> Result<PreparedOnnx, ModelError> {
        let mut g = PreparedGraph::new(&self.features)?;
        check_width(&g, self.model.n_features())?;
        let x = g.encoded().to_string();
        if !g.unimputed().is_empty() {
            let list = g.unimputed_list();
            g.caveat(format!(
                "a missing cell in {list} gives NaN probabilities in the graph; assay refuses \
                 the row (the model was trained without --impute)"
            ));
        }
        let p = g.logistic_scores(&self.model, &x)?;
        let doc = "Logistic regression trained by assay, on the raw table columns: the saved \
                   feature preparation, then the model's class probabilities.";
        let meta = feature_metadata(&self.feature_names);
        if self.model.coef.len() == 1 {
            g.finish_binary(&p, &self.class_names, doc, meta)
        } else {
            g.finish_multiclass(&p, &self.class_names, doc, meta)
        }
    }
}

/// The graph of a tree ensemble trained by assay: binary when it has two class names
/// (logistic link, or a decision tree whose output is `P(class 1)`), a regression otherwise.
fn trees_graph(
    features: &[FeatureSpec],
    feature_names: &[String],
    class_names: &[String],
    model: &TreeEnsemble,
    what: &str,
) -> Result<PreparedOnnx, ModelError> {
    let mut g = PreparedGraph::new(features)?;
    check_width(&g, model.n_features)?;
    let x = g.encoded().to_string();
    let y = g.tree_scores(model, &x)?;
    let doc = format!(
        "{what} trained by assay, on the raw table columns: the saved feature preparation, \
         then the ONNX-ML TreeEnsembleRegressor and the objective's inverse link."
    );
    let meta = feature_metadata(feature_names);
    if class_names.len() == 2 {
        g.finish_binary(&y, class_names, &doc, meta)
    } else {
        g.caveat(
            "the ONNX-ML TreeEnsembleRegressor outputs float32 (its spec), so the graph's \
             predictions agree with assay's to about 1e-7 relative, not to the last digit"
                .to_string(),
        );
        g.finish_regression(&y, &doc, meta)
    }
}

impl TrainedGbdt {
    /// The model as an ONNX graph on the raw table columns (see [the module
    /// documentation](self)): the saved preparation (`Equal`/`Where`, `LabelEncoder` or
    /// `OneHotEncoder` codes), then the ONNX-ML `TreeEnsembleRegressor` and the logistic function; outputs
    /// `label` and `probabilities` (binary) or `variable` (regression). An
    /// [`ModelError::Export`] error for splits the operator cannot express (categorical
    /// splits). The bytes depend only on the model.
    pub fn to_prepared_onnx(&self) -> Result<PreparedOnnx, ModelError> {
        trees_graph(
            &self.features,
            &self.feature_names,
            &self.class_names,
            &self.model,
            "Gradient-boosted trees",
        )
    }
}

impl TrainedTree {
    /// The decision tree as an ONNX graph on the raw table columns, as
    /// [`TrainedGbdt::to_prepared_onnx`]; the tree's output is `P(class 1)`.
    pub fn to_prepared_onnx(&self) -> Result<PreparedOnnx, ModelError> {
        trees_graph(
            &self.features,
            &self.feature_names,
            &self.class_names,
            &self.model,
            "Decision tree",
        )
    }
}

fn check_width(g: &PreparedGraph, n: usize) -> Result<(), ModelError> {
    if g.width() != n {
        return Err(export_error(&format!(
            "the feature schema has {} features, the model {n}",
            g.width()
        )));
    }
    Ok(())
}
