//! `ai.onnx.ml.Imputer`: replaces every value equal to `replaced_value_float` (NaN matches NaN)
//! or `replaced_value_int64` with the imputed value of its column (last axis; one value
//! broadcasts). Output type equals input type.

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use crate::onnx::runtime::kernel::{as_f32, as_i64, expand, is_integer, Kernel};

/// The parsed operator.
#[derive(Debug)]
pub struct Imputer {
    floats: Vec<f32>,
    replaced_float: f32,
    ints: Vec<i64>,
    replaced_int: i64,
}

/// Builds the operator from its ONNX node.
pub fn parse(
    _ctx: &tract_onnx::model::ParsingContext,
    node: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    let floats: Vec<f32> = node
        .get_attr_opt_vec("imputed_value_floats")?
        .unwrap_or_default();
    let ints: Vec<i64> = node
        .get_attr_opt_vec("imputed_value_int64s")?
        .unwrap_or_default();
    ensure!(
        floats.is_empty() != ints.is_empty(),
        "Imputer node '{}' needs exactly one of imputed_value_floats and imputed_value_int64s",
        node.name
    );
    Ok((
        expand(Imputer {
            floats,
            replaced_float: node.get_attr_opt("replaced_value_float")?.unwrap_or(0.0),
            ints,
            replaced_int: node.get_attr_opt("replaced_value_int64")?.unwrap_or(0),
        }),
        vec![],
    ))
}

fn column_of<T: Copy>(v: &[T], i: usize, stride: usize) -> T {
    if v.len() == 1 {
        v[0]
    } else {
        v[i % stride]
    }
}

impl Kernel for Imputer {
    fn name(&self) -> &'static str {
        "Imputer"
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
        let stride = match x.rank() {
            0 => 1,
            1 => x.shape()[0],
            _ => *x.shape().last().unwrap(),
        }
        .max(1);
        let dt = x.datum_type();
        if dt.is_float() {
            ensure!(
                !self.floats.is_empty(),
                "Imputer: float input but integer imputed values"
            );
            ensure!(
                self.floats.len() == 1 || self.floats.len() == stride,
                "Imputer: {} imputed values for {stride} columns",
                self.floats.len()
            );
            let r = self.replaced_float;
            let out: Vec<f32> = as_f32(x)?
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    if v == r || (r.is_nan() && v.is_nan()) {
                        column_of(&self.floats, i, stride)
                    } else {
                        v
                    }
                })
                .collect();
            let t = Tensor::from_shape(x.shape(), &out)?;
            Ok(tvec!(t.cast_to_dt(dt)?.into_owned().into_tvalue()))
        } else if is_integer(dt) {
            ensure!(
                !self.ints.is_empty(),
                "Imputer: integer input but float imputed values"
            );
            ensure!(
                self.ints.len() == 1 || self.ints.len() == stride,
                "Imputer: {} imputed values for {stride} columns",
                self.ints.len()
            );
            let out: Vec<i64> = as_i64(x)?
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    if v == self.replaced_int {
                        column_of(&self.ints, i, stride)
                    } else {
                        v
                    }
                })
                .collect();
            let t = Tensor::from_shape(x.shape(), &out)?;
            Ok(tvec!(t.cast_to_dt(dt)?.into_owned().into_tvalue()))
        } else {
            bail!("Imputer: unsupported input type {dt:?}")
        }
    }
}
