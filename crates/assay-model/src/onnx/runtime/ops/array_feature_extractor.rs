//! `ai.onnx.ml.ArrayFeatureExtractor`: selects columns of the last axis of `X` by the indices
//! in `Y`; the output has `X`'s shape with the last axis replaced by the number of indices
//! (a 1-D `X` gives `[1, k]`, as in onnxruntime). Any element type, strings included.

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use crate::onnx::runtime::kernel::{as_i64, expand, Kernel};

/// The parsed operator.
#[derive(Debug)]
pub struct ArrayFeatureExtractor;

/// Builds the operator from its ONNX node.
pub fn parse(
    _ctx: &tract_onnx::model::ParsingContext,
    _node: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    Ok((expand(ArrayFeatureExtractor), vec![]))
}

fn gather<T: Datum + Clone>(
    x: &Tensor,
    idx: &[usize],
    rows: usize,
    c: usize,
) -> TractResult<Vec<T>> {
    let view = x.try_as_plain_ram()?;
    let data = view.as_slice::<T>()?;
    let mut out = Vec::with_capacity(rows * idx.len());
    for r in 0..rows {
        for &j in idx {
            out.push(data[r * c + j].clone());
        }
    }
    Ok(out)
}

impl Kernel for ArrayFeatureExtractor {
    fn name(&self) -> &'static str {
        "ArrayFeatureExtractor"
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 2)?;
        s.equals(&outputs[0].datum_type, &inputs[0].datum_type)?;
        s.given_2(
            &inputs[0].rank,
            &inputs[1].shape,
            move |s, rank, idx_shape| {
                let k: TDim = idx_shape.iter().product();
                let rank = rank as usize;
                if rank <= 1 {
                    s.equals(&outputs[0].rank, 2)?;
                    s.equals(&outputs[0].shape[0], 1.to_dim())?;
                    s.equals(&outputs[0].shape[1], k)
                } else {
                    s.equals(&outputs[0].rank, rank as i64)?;
                    for i in 0..rank - 1 {
                        s.equals(&outputs[0].shape[i], &inputs[0].shape[i])?;
                    }
                    s.equals(&outputs[0].shape[rank - 1], k)
                }
            },
        )
    }

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let k: TDim = inputs[1].shape.iter().product();
        let mut shape: TVec<TDim> = if inputs[0].rank() <= 1 {
            tvec!(1.to_dim())
        } else {
            inputs[0]
                .shape
                .iter()
                .take(inputs[0].rank() - 1)
                .cloned()
                .collect()
        };
        shape.push(k);
        Ok(tvec!(inputs[0].datum_type.fact(shape)))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let (x, y) = (&inputs[0], &inputs[1]);
        let c = if x.rank() == 0 {
            1
        } else {
            *x.shape().last().unwrap()
        };
        let rows = x.len().checked_div(c).unwrap_or(0);
        let idx: Vec<usize> = as_i64(y)?
            .iter()
            .map(|&i| {
                if i < 0 || i as usize >= c {
                    bail!("ArrayFeatureExtractor: index {i} is out of range for {c} columns")
                } else {
                    Ok(i as usize)
                }
            })
            .collect::<TractResult<_>>()?;
        let mut shape: Vec<usize> = if x.rank() <= 1 {
            vec![1]
        } else {
            x.shape()[..x.rank() - 1].to_vec()
        };
        shape.push(idx.len());
        let dt = x.datum_type();
        let t = if dt == String::datum_type() {
            let v = gather::<String>(x, &idx, rows, c)?;
            tract_onnx::tract_hir::tract_ndarray::Array::from_shape_vec(shape, v)?.into_tensor()
        } else {
            let xf: Tensor = x.cast_to::<f64>()?.into_owned();
            let v = gather::<f64>(&xf, &idx, rows, c)?;
            Tensor::from_shape(&shape, &v)?.cast_to_dt(dt)?.into_owned()
        };
        Ok(tvec!(t.into_tvalue()))
    }
}
