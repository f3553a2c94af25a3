//! The glue between assay's implementations of `ai.onnx.ml` operators and tract.
//!
//! tract 0.23 parses ONNX graphs but leaves several `ai.onnx.ml` operators unimplemented
//! (OneHotEncoder, Scaler, Imputer, ZipMap, LabelEncoder, Binarizer, ArrayFeatureExtractor)
//! and rejects the two `base_values` skl2onnx writes for binary gradient boosting in
//! TreeEnsembleClassifier. Each of those is a [`Kernel`] here: how it constrains shapes and
//! types during tract's inference, the facts of its outputs, and its evaluation. [`expand`]
//! wraps a kernel so the ONNX parser can place it in a graph; tract then plans, optimises and
//! runs it like any of its own operators.
//!
//! Written here because no crate implements these operators for tract; the semantics follow
//! the ONNX-ML operator specification (<https://onnx.ai/onnx/operators/>) and, where the
//! specification is vague, onnxruntime's CPU kernels, which every exporter is tested against.

use std::fmt::Debug;
use std::sync::Arc;

use tract_onnx::tract_hir::internal::*;

/// One `ai.onnx.ml` operator: inference rules, output facts and evaluation.
pub trait Kernel: Debug + Send + Sync + 'static {
    /// The ONNX operator name (`OneHotEncoder`, ...).
    fn name(&self) -> &'static str;

    /// Number of outputs.
    fn n_outputs(&self) -> usize {
        1
    }

    /// tract's type and shape inference rules for this operator.
    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult;

    /// The type and shape of every output, given those of the inputs.
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>>;

    /// Evaluates the operator on concrete tensors.
    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>>;
}

/// Wraps a kernel as an inference operator for the ONNX parser.
pub fn expand(kernel: impl Kernel) -> Box<dyn InferenceOp> {
    tract_onnx::tract_hir::ops::expandable::expand(MlExpansion(Arc::new(kernel)))
}

/// The inference-time face of a kernel: its rules, wired into the typed graph as one [`MlOp`].
#[derive(Debug, Clone)]
struct MlExpansion(Arc<dyn Kernel>);

impl Expansion for MlExpansion {
    fn name(&self) -> StaticName {
        self.0.name().into()
    }

    fn nboutputs(&self) -> TractResult<usize> {
        Ok(self.0.n_outputs())
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_output_arity(outputs, self.0.n_outputs())?;
        self.0.rules(s, inputs, outputs)
    }

    fn wire(
        &self,
        prefix: &str,
        model: &mut TypedModel,
        inputs: &[OutletId],
    ) -> TractResult<TVec<OutletId>> {
        model.wire_node(prefix, MlOp(self.0.clone()), inputs)
    }
}

/// The typed operator tract plans and runs. Two `MlOp`s are equal only when they share the
/// same kernel instance, so tract never merges two distinct operators.
#[derive(Debug, Clone)]
pub struct MlOp(pub Arc<dyn Kernel>);

impl PartialEq for MlOp {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for MlOp {}

impl Op for MlOp {
    fn name(&self) -> StaticName {
        self.0.name().into()
    }

    op_as_typed_op!();
}

impl EvalOp for MlOp {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        self.0.eval(inputs)
    }
}

impl TypedOp for MlOp {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        self.0.output_facts(inputs)
    }

    as_op!();
}

/// The shape of a typed fact with one more axis of length `extra` appended.
pub fn shape_with(fact: &TypedFact, extra: usize) -> TVec<TDim> {
    let mut shape: TVec<TDim> = fact.shape.iter().cloned().collect();
    shape.push(extra.to_dim());
    shape
}

/// A tensor's values as `f32`, converting other numeric types (as onnxruntime casts before
/// computing in `float`).
pub fn as_f32(t: &Tensor) -> TractResult<Vec<f32>> {
    Ok(t.cast_to::<f32>()?
        .try_as_plain_ram()?
        .as_slice::<f32>()?
        .to_vec())
}

/// A tensor's values as `f64`.
pub fn as_f64(t: &Tensor) -> TractResult<Vec<f64>> {
    Ok(t.cast_to::<f64>()?
        .try_as_plain_ram()?
        .as_slice::<f64>()?
        .to_vec())
}

/// A tensor's values as `i64` (integer tensors, including tract's symbolic `TDim` used for ONNX
/// `int64`).
pub fn as_i64(t: &Tensor) -> TractResult<Vec<i64>> {
    Ok(t.cast_to::<i64>()?
        .try_as_plain_ram()?
        .as_slice::<i64>()?
        .to_vec())
}

/// The strings of a string tensor.
pub fn as_strings(t: &Tensor) -> TractResult<&[String]> {
    t.try_as_plain_ram()?.as_slice::<String>()
}

/// Whether a datum type is one of ONNX's integer types (tract reads `int64` as `TDim`).
pub fn is_integer(dt: DatumType) -> bool {
    dt.is_integer() || dt == DatumType::TDim
}
