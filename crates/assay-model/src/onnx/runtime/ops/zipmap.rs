//! `ai.onnx.ml.ZipMap`: turns a `[N, C]` probability tensor into a sequence of maps from class
//! label to probability. tract has no map type, so assay keeps the tensor as it is: column `j`
//! is the probability of the `j`-th label of the node's `classlabels_*`, which the runtime
//! reads from the graph to name the outputs.

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use crate::onnx::runtime::kernel::{expand, Kernel};

/// The parsed operator.
#[derive(Debug)]
pub struct ZipMap {
    n_labels: usize,
}

/// Builds the operator from its ONNX node.
pub fn parse(
    _ctx: &tract_onnx::model::ParsingContext,
    node: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    Ok((
        expand(ZipMap {
            n_labels: class_labels(node)?.len(),
        }),
        vec![],
    ))
}

/// The class labels of a ZipMap node, as text.
pub fn class_labels(node: &NodeProto) -> TractResult<Vec<String>> {
    let strings: Option<Vec<String>> = node.get_attr_opt_vec("classlabels_strings")?;
    let ints: Option<Vec<i64>> = node.get_attr_opt_vec("classlabels_int64s")?;
    match (strings, ints) {
        (Some(s), None) => Ok(s),
        (None, Some(v)) => Ok(v.iter().map(|i| i.to_string()).collect()),
        _ => bail!(
            "ZipMap node '{}' needs exactly one of classlabels_strings and classlabels_int64s",
            node.name
        ),
    }
}

impl Kernel for ZipMap {
    fn name(&self) -> &'static str {
        "ZipMap"
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 1)?;
        s.equals(&outputs[0].datum_type, f32::datum_type())?;
        s.equals(&inputs[0].rank, 2)?;
        s.equals(&outputs[0].shape, &inputs[0].shape)
    }

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(f32::fact(inputs[0].shape.clone())))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = &inputs[0];
        ensure!(
            x.rank() == 2 && x.shape()[1] == self.n_labels,
            "ZipMap: input of shape {:?} for {} class labels",
            x.shape(),
            self.n_labels
        );
        Ok(tvec!(x.cast_to::<f32>()?.into_owned().into_tvalue()))
    }
}
