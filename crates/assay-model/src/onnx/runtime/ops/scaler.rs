//! `ai.onnx.ml.Scaler`: `y = (x − offset) · scale`, per column of the last axis (or one value
//! for all), output `float`. Computed as onnxruntime does: in `float` for `float` and integer
//! inputs, in `double` (rounded to `float` at the end) for `double` inputs.

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use crate::onnx::runtime::kernel::{as_f32, as_f64, expand, Kernel};

/// The parsed operator.
#[derive(Debug)]
pub struct Scaler {
    offset: Vec<f32>,
    scale: Vec<f32>,
}

/// Builds the operator from its ONNX node.
pub fn parse(
    _ctx: &tract_onnx::model::ParsingContext,
    node: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    let offset: Vec<f32> = node.get_attr_opt_vec("offset")?.unwrap_or_default();
    let scale: Vec<f32> = node.get_attr_opt_vec("scale")?.unwrap_or_default();
    ensure!(
        !offset.is_empty() && !scale.is_empty(),
        "Scaler node '{}' needs non-empty offset and scale",
        node.name
    );
    Ok((expand(Scaler { offset, scale }), vec![]))
}

/// The parameter of column `j` out of `v` (one value broadcasts).
fn at(v: &[f32], j: usize) -> f32 {
    if v.len() == 1 {
        v[0]
    } else {
        v[j]
    }
}

impl Kernel for Scaler {
    fn name(&self) -> &'static str {
        "Scaler"
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 1)?;
        s.equals(&outputs[0].datum_type, f32::datum_type())?;
        s.equals(&outputs[0].shape, &inputs[0].shape)
    }

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(f32::fact(inputs[0].shape.clone())))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = &inputs[0];
        let stride = match x.rank() {
            0 => 1,
            1 => x.shape()[0],
            _ => *x.shape().last().unwrap(),
        };
        for (what, v) in [("offset", &self.offset), ("scale", &self.scale)] {
            ensure!(
                v.len() == 1 || v.len() == stride,
                "Scaler: {what} has {} values but the input has {stride} columns",
                v.len()
            );
        }
        let out: Vec<f32> = if x.datum_type() == f64::datum_type() {
            as_f64(x)?
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let j = i % stride.max(1);
                    ((v - at(&self.offset, j) as f64) * at(&self.scale, j) as f64) as f32
                })
                .collect()
        } else {
            as_f32(x)?
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let j = i % stride.max(1);
                    (v - at(&self.offset, j)) * at(&self.scale, j)
                })
                .collect()
        };
        Ok(tvec!(Tensor::from_shape(x.shape(), &out)?.into_tvalue()))
    }
}
