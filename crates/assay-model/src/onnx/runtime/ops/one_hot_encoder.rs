//! `ai.onnx.ml.OneHotEncoder`: each input value becomes a row of `n` floats with a 1 at its
//! category's position; the output has the input's shape plus one axis of length `n`.
//! A value outside the categories gives a row of zeros when `zeros = 1` (the default, and what
//! scikit-learn's `handle_unknown="ignore"` exports) and an error otherwise.

use std::collections::HashMap;

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use crate::onnx::runtime::kernel::{as_i64, as_strings, expand, is_integer, shape_with, Kernel};

#[derive(Debug)]
enum Categories {
    Strings(HashMap<String, usize>),
    Ints(HashMap<i64, usize>),
}

/// The parsed operator.
#[derive(Debug)]
pub struct OneHotEncoder {
    categories: Categories,
    n: usize,
    zeros: bool,
}

/// Builds the operator from its ONNX node.
pub fn parse(
    _ctx: &tract_onnx::model::ParsingContext,
    node: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    let strings: Option<Vec<String>> = node.get_attr_opt_vec("cats_strings")?;
    let ints: Option<Vec<i64>> = node.get_attr_opt_vec("cats_int64s")?;
    let (categories, n) = match (strings, ints) {
        (Some(s), None) => {
            let n = s.len();
            (
                Categories::Strings(s.into_iter().enumerate().map(|(i, c)| (c, i)).collect()),
                n,
            )
        }
        (None, Some(v)) => {
            let n = v.len();
            (
                Categories::Ints(v.into_iter().enumerate().map(|(i, c)| (c, i)).collect()),
                n,
            )
        }
        _ => bail!(
            "OneHotEncoder node '{}' needs exactly one of cats_strings and cats_int64s",
            node.name
        ),
    };
    let zeros = node.get_attr_opt::<i64>("zeros")?.unwrap_or(1) != 0;
    Ok((
        expand(OneHotEncoder {
            categories,
            n,
            zeros,
        }),
        vec![],
    ))
}

impl Kernel for OneHotEncoder {
    fn name(&self) -> &'static str {
        "OneHotEncoder"
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 1)?;
        s.equals(&outputs[0].datum_type, f32::datum_type())?;
        s.equals(&outputs[0].rank, inputs[0].rank.bex() + 1)?;
        let n = self.n;
        s.given(&inputs[0].rank, move |s, rank| {
            let rank = rank as usize;
            for i in 0..rank {
                s.equals(&outputs[0].shape[i], &inputs[0].shape[i])?;
            }
            s.equals(&outputs[0].shape[rank], n.to_dim())
        })
    }

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(f32::fact(shape_with(inputs[0], self.n))))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = &inputs[0];
        let mut shape: Vec<usize> = x.shape().to_vec();
        let len = x.len();
        let mut out = vec![0f32; len * self.n];
        let mut set = |i: usize, k: Option<usize>, shown: &dyn Fn() -> String| {
            match k {
                Some(k) => out[i * self.n + k] = 1.0,
                None if self.zeros => {}
                None => bail!("OneHotEncoder: category {} is not among the encoder's categories (and zeros=0)", shown()),
            }
            Ok(())
        };
        match &self.categories {
            Categories::Strings(map) => {
                ensure!(
                    x.datum_type() == String::datum_type(),
                    "OneHotEncoder with string categories got a {:?} input",
                    x.datum_type()
                );
                for (i, v) in as_strings(x)?.iter().enumerate() {
                    set(i, map.get(v).copied(), &|| format!("'{v}'"))?;
                }
            }
            Categories::Ints(map) => {
                let dt = x.datum_type();
                ensure!(
                    is_integer(dt) || dt.is_float(),
                    "OneHotEncoder with integer categories got a {dt:?} input"
                );
                // onnxruntime casts float inputs to int64 before the lookup.
                let values: Vec<i64> = if dt.is_float() {
                    crate::onnx::runtime::kernel::as_f64(x)?
                        .into_iter()
                        .map(|v| v as i64)
                        .collect()
                } else {
                    as_i64(x)?
                };
                for (i, v) in values.iter().enumerate() {
                    set(i, map.get(v).copied(), &|| v.to_string())?;
                }
            }
        }
        shape.push(self.n);
        Ok(tvec!(Tensor::from_shape(&shape, &out)?.into_tvalue()))
    }
}
