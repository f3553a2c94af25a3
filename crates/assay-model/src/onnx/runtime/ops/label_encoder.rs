//! `ai.onnx.ml.LabelEncoder`: maps each input value through a table of keys to values, with a
//! default for values not among the keys. Version 2 (`keys_*` / `values_*` attributes, any of
//! strings, int64 and floats on either side; a NaN key matches NaN) and version 1
//! (`classes_strings`: string → index, int64 → string) are both read.

use std::collections::HashMap;

use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

use crate::onnx::runtime::kernel::{as_f32, as_i64, as_strings, expand, is_integer, Kernel};

/// A key, hashable (floats by their bits, every NaN as one key).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Str(String),
    Int(i64),
    Float(u32),
}

fn float_key(v: f32) -> Key {
    Key::Float(if v.is_nan() {
        f32::NAN.to_bits()
    } else {
        v.to_bits()
    })
}

#[derive(Debug, Clone)]
enum Values {
    Str(Vec<String>, String),
    Int(Vec<i64>, i64),
    Float(Vec<f32>, f32),
}

/// The parsed operator.
#[derive(Debug)]
pub struct LabelEncoder {
    key_type: DatumType,
    map: HashMap<Key, usize>,
    values: Values,
    /// Version 1: strings map to their index in `classes_strings`, int64 to the class string.
    v1: bool,
    /// Version 1's value for strings not among the classes (`default_int64`).
    default_int: i64,
}

/// Builds the operator from its ONNX node.
pub fn parse(
    _ctx: &tract_onnx::model::ParsingContext,
    node: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    let default_string: String = node
        .get_attr_opt("default_string")?
        .unwrap_or_else(|| "_Unused".to_string());
    let default_int: i64 = node.get_attr_opt("default_int64")?.unwrap_or(-1);
    let default_float: f32 = node.get_attr_opt("default_float")?.unwrap_or(-0.0);
    if let Some(classes) = node.get_attr_opt_vec::<String>("classes_strings")? {
        // Version 1: the direction follows the input type, decided at evaluation.
        let map = classes
            .iter()
            .enumerate()
            .map(|(i, c)| (Key::Str(c.clone()), i))
            .collect();
        return Ok((
            expand(LabelEncoder {
                key_type: String::datum_type(),
                map,
                values: Values::Str(classes, default_string),
                v1: true,
                default_int,
            }),
            vec![],
        ));
    }
    let keys: Vec<Key>;
    let key_type;
    if let Some(k) = node.get_attr_opt_vec::<String>("keys_strings")? {
        keys = k.into_iter().map(Key::Str).collect();
        key_type = String::datum_type();
    } else if let Some(k) = node.get_attr_opt_vec::<i64>("keys_int64s")? {
        keys = k.into_iter().map(Key::Int).collect();
        key_type = i64::datum_type();
    } else if let Some(k) = node.get_attr_opt_vec::<f32>("keys_floats")? {
        keys = k.into_iter().map(float_key).collect();
        key_type = f32::datum_type();
    } else {
        bail!(
            "LabelEncoder node '{}' has no keys_strings, keys_int64s, keys_floats or classes_strings (keys_tensor is not supported)",
            node.name
        )
    }
    let values = if let Some(v) = node.get_attr_opt_vec::<String>("values_strings")? {
        Values::Str(v, default_string)
    } else if let Some(v) = node.get_attr_opt_vec::<i64>("values_int64s")? {
        Values::Int(v, default_int)
    } else if let Some(v) = node.get_attr_opt_vec::<f32>("values_floats")? {
        Values::Float(v, default_float)
    } else {
        bail!(
            "LabelEncoder node '{}' has no values_strings, values_int64s or values_floats (values_tensor is not supported)",
            node.name
        )
    };
    let n_values = match &values {
        Values::Str(v, _) => v.len(),
        Values::Int(v, _) => v.len(),
        Values::Float(v, _) => v.len(),
    };
    ensure!(
        n_values == keys.len(),
        "LabelEncoder node '{}' has {} keys and {n_values} values",
        node.name,
        keys.len()
    );
    // The first occurrence of a repeated key wins.
    let mut map = HashMap::new();
    for (i, k) in keys.into_iter().enumerate() {
        map.entry(k).or_insert(i);
    }
    Ok((
        expand(LabelEncoder {
            key_type,
            map,
            values,
            v1: false,
            default_int,
        }),
        vec![],
    ))
}

impl LabelEncoder {
    fn output_type(&self, input: DatumType) -> DatumType {
        if self.v1 {
            return if is_integer(input) {
                String::datum_type()
            } else {
                i64::datum_type()
            };
        }
        match &self.values {
            Values::Str(..) => String::datum_type(),
            Values::Int(..) => i64::datum_type(),
            Values::Float(..) => f32::datum_type(),
        }
    }

    /// The keys of the input tensor, read as the encoder's key type.
    fn keys(&self, x: &Tensor) -> TractResult<Vec<Key>> {
        let dt = x.datum_type();
        if self.key_type == String::datum_type() {
            ensure!(
                dt == String::datum_type(),
                "LabelEncoder with string keys got a {dt:?} input"
            );
            Ok(as_strings(x)?.iter().cloned().map(Key::Str).collect())
        } else if self.key_type == i64::datum_type() {
            ensure!(
                is_integer(dt),
                "LabelEncoder with int64 keys got a {dt:?} input"
            );
            Ok(as_i64(x)?.into_iter().map(Key::Int).collect())
        } else {
            ensure!(
                dt.is_float(),
                "LabelEncoder with float keys got a {dt:?} input"
            );
            Ok(as_f32(x)?.into_iter().map(float_key).collect())
        }
    }
}

impl Kernel for LabelEncoder {
    fn name(&self) -> &'static str {
        "LabelEncoder"
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 1)?;
        s.equals(&outputs[0].shape, &inputs[0].shape)?;
        s.given(&inputs[0].datum_type, move |s, dt| {
            s.equals(&outputs[0].datum_type, self.output_type(dt))
        })
    }

    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        Ok(tvec!(self
            .output_type(inputs[0].datum_type)
            .fact(inputs[0].shape.clone())))
    }

    fn eval(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let x = &inputs[0];
        let shape = x.shape().to_vec();
        if self.v1 && is_integer(x.datum_type()) {
            let Values::Str(classes, default) = &self.values else {
                unreachable!("version 1 values are the class strings")
            };
            let out: Vec<String> = as_i64(x)?
                .iter()
                .map(|&i| {
                    usize::try_from(i)
                        .ok()
                        .and_then(|i| classes.get(i))
                        .unwrap_or(default)
                        .clone()
                })
                .collect();
            return Ok(tvec!(
                tract_onnx::tract_hir::tract_ndarray::Array::from_shape_vec(shape, out)?
                    .into_tensor()
                    .into_tvalue()
            ));
        }
        let found: Vec<Option<usize>> = self
            .keys(x)?
            .iter()
            .map(|k| self.map.get(k).copied())
            .collect();
        let t = if self.v1 {
            let out: Vec<i64> = found
                .iter()
                .map(|f| f.map_or(self.default_int, |i| i as i64))
                .collect();
            Tensor::from_shape(&shape, &out)?
        } else {
            match &self.values {
                Values::Str(v, d) => {
                    let out: Vec<String> = found
                        .iter()
                        .map(|f| f.map_or(d, |i| &v[i]).clone())
                        .collect();
                    tract_onnx::tract_hir::tract_ndarray::Array::from_shape_vec(shape, out)?
                        .into_tensor()
                }
                Values::Int(v, d) => {
                    let out: Vec<i64> = found.iter().map(|f| f.map_or(*d, |i| v[i])).collect();
                    Tensor::from_shape(&shape, &out)?
                }
                Values::Float(v, d) => {
                    let out: Vec<f32> = found.iter().map(|f| f.map_or(*d, |i| v[i])).collect();
                    Tensor::from_shape(&shape, &out)?
                }
            }
        };
        Ok(tvec!(t.into_tvalue()))
    }
}
