//! Batched prediction over a dense row-major `f64` matrix, NaN meaning missing.
//!
//! Rows are split into chunks evaluated in parallel with rayon; each row walks every tree with
//! [`Tree::leaf`] and no allocation. Summation follows the library ([`Arithmetic`]): XGBoost adds
//! `f32` leaf values to an `f32` base score in tree order (`PredictByAllTrees` in
//! `src/predictor/cpu_predictor.cc`), LightGBM adds `f64` leaf values in tree order
//! (`GBDT::PredictRaw`).

use rayon::prelude::*;

use crate::error::ModelError;
use crate::tree::{Arithmetic, Link, Tree, TreeEnsemble};

/// Rows per parallel task.
const CHUNK_ROWS: usize = 256;

impl TreeEnsemble {
    /// Raw margins (XGBoost `output_margin=True`, LightGBM `raw_score=True`) of the rows of
    /// `x`, a row-major matrix with [`TreeEnsemble::n_features`] columns.
    pub fn predict_margin(&self, x: &[f64], n_cols: usize) -> Result<Vec<f64>, ModelError> {
        let mut out = vec![0.0; self.n_rows(x, n_cols)?];
        self.predict_into(x, n_cols, &mut out, false)?;
        Ok(out)
    }

    /// Predictions: the margin through the objective's inverse link (the probability for
    /// binary logistic models), as the library's default `predict` returns.
    pub fn predict(&self, x: &[f64], n_cols: usize) -> Result<Vec<f64>, ModelError> {
        let mut out = vec![0.0; self.n_rows(x, n_cols)?];
        self.predict_into(x, n_cols, &mut out, true)?;
        Ok(out)
    }

    /// Writes margins (`transform == false`) or predictions (`transform == true`) of the rows
    /// of `x` into `out`, which must have one slot per row.
    pub fn predict_into(
        &self,
        x: &[f64],
        n_cols: usize,
        out: &mut [f64],
        transform: bool,
    ) -> Result<(), ModelError> {
        let n_rows = self.n_rows(x, n_cols)?;
        if out.len() != n_rows {
            return Err(ModelError::OutputLength {
                expected: n_rows,
                found: out.len(),
            });
        }
        out.par_chunks_mut(CHUNK_ROWS)
            .enumerate()
            .for_each(|(c, chunk)| {
                let first = c * CHUNK_ROWS;
                for (i, slot) in chunk.iter_mut().enumerate() {
                    let row = &x[(first + i) * n_cols..(first + i + 1) * n_cols];
                    *slot = if transform {
                        self.predict_row(row)
                    } else {
                        self.margin_row(row)
                    };
                }
            });
        Ok(())
    }

    /// Margin of one row (`row.len()` must be at least `n_features`).
    pub fn margin_row(&self, row: &[f64]) -> f64 {
        match self.arithmetic {
            Arithmetic::F32 => self.margin_f32(row) as f64,
            Arithmetic::F64 => {
                self.base_score + self.trees.iter().map(|t| leaf_value(t, row)).sum::<f64>()
            }
        }
    }

    /// Prediction of one row: the margin through the inverse link.
    pub fn predict_row(&self, row: &[f64]) -> f64 {
        match (self.arithmetic, self.objective.link) {
            (_, Link::Identity) => self.margin_row(row),
            // XGBoost `common::Sigmoid`: 1.0f / (1.0f + expf(-x)).
            (Arithmetic::F32, Link::Logistic { scale }) => {
                let m = self.margin_f32(row) * scale as f32;
                (1.0f32 / (1.0f32 + (-m).exp())) as f64
            }
            // LightGBM `BinaryLogloss::ConvertOutput`: 1.0 / (1.0 + exp(-sigmoid * x)).
            (Arithmetic::F64, Link::Logistic { scale }) => {
                1.0 / (1.0 + (-scale * self.margin_row(row)).exp())
            }
        }
    }

    fn margin_f32(&self, row: &[f64]) -> f32 {
        let mut acc = self.base_score as f32;
        for t in &self.trees {
            acc += leaf_value(t, row) as f32;
        }
        acc
    }

    fn n_rows(&self, x: &[f64], n_cols: usize) -> Result<usize, ModelError> {
        if n_cols != self.n_features {
            return Err(ModelError::ColumnCount {
                expected: self.n_features,
                found: n_cols,
            });
        }
        if n_cols == 0 || x.len() % n_cols != 0 {
            return Err(ModelError::Ragged {
                len: x.len(),
                n_cols,
            });
        }
        Ok(x.len() / n_cols)
    }
}

#[inline]
fn leaf_value(t: &Tree, row: &[f64]) -> f64 {
    t.value[t.leaf(row)]
}
