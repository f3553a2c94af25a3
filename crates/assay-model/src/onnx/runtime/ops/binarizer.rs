//! `ai.onnx.ml.Binarizer`: `y = 1` where `x > threshold`, else `0` (NaN gives 0), same type.

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use crate::onnx::runtime::kernel::{as_f64, expand, Kernel};

/// The parsed operator.
#[derive(Debug)]
pub struct Binarizer {
    threshold: f32,
}

/// Builds the operator from its ONNX node.
pub fn parse(
    _ctx: &tract_onnx::model::ParsingContext,
    node: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    let threshold = node.get_attr_opt("threshold")?.unwrap_or(0.0);
    Ok((expand(Binarizer { threshold }), vec![]))
}

impl Kernel for Binarizer {
    fn name(&self) -> &'static str {
        "Binarizer"
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 1)?;
        s.equals(&outputs[0].datum_type, &inputs[0].datum_type)?;
        s.equals(&outputs[0].shape, &inputs[0].shape)
    }

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(inputs[0].without_value()))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = &inputs[0];
        let dt = x.datum_type();
        // The comparison is made in the input's own type, as onnxruntime does.
        let t = if dt == f32::datum_type() {
            let out: Vec<f32> = crate::onnx::runtime::kernel::as_f32(x)?
                .iter()
                .map(|&v| if v > self.threshold { 1.0 } else { 0.0 })
                .collect();
            Tensor::from_shape(x.shape(), &out)?
        } else {
            let th = self.threshold as f64;
            let out: Vec<f64> = as_f64(x)?
                .iter()
                .map(|&v| if v > th { 1.0 } else { 0.0 })
                .collect();
            Tensor::from_shape(x.shape(), &out)?
                .cast_to_dt(dt)?
                .into_owned()
        };
        Ok(tvec!(t.into_tvalue()))
    }
}
