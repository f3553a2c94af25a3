//! The batched scorer that model-agnostic explainers call.

use crate::error::ExplainError;

/// A model output for dense rows: `predict(x, n_rows)` returns one value per row (the output
/// explained: a probability, a margin, a regression value) for the row-major `n_rows ×
/// n_features()` matrix `x`. Explainers batch their calls (thousands of rows at a time) and
/// may call from several threads.
pub trait Predict: Sync {
    /// Number of columns of a row.
    fn n_features(&self) -> usize;

    /// One output per row of `x`.
    fn predict(&self, x: &[f64], n_rows: usize) -> Result<Vec<f64>, ExplainError>;
}

/// A [`Predict`] from a closure (tests, and adapters of `assay_model::Model`).
pub struct FnPredict<F> {
    n_features: usize,
    f: F,
}

impl<F> FnPredict<F>
where
    F: Fn(&[f64], usize) -> Result<Vec<f64>, ExplainError> + Sync,
{
    /// Wraps `f`, which scores row-major matrices of `n_features` columns.
    pub fn new(n_features: usize, f: F) -> Self {
        FnPredict { n_features, f }
    }
}

impl<F> Predict for FnPredict<F>
where
    F: Fn(&[f64], usize) -> Result<Vec<f64>, ExplainError> + Sync,
{
    fn n_features(&self) -> usize {
        self.n_features
    }

    fn predict(&self, x: &[f64], n_rows: usize) -> Result<Vec<f64>, ExplainError> {
        crate::error::check_len("input matrix", n_rows * self.n_features, x.len())?;
        let out = (self.f)(x, n_rows)?;
        crate::error::check_len("model output", n_rows, out.len())?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fn_predict_checks_shapes() {
        let p = FnPredict::new(2, |x: &[f64], n| {
            Ok(x.chunks(2).take(n).map(|r| r[0] + r[1]).collect())
        });
        assert_eq!(p.predict(&[1.0, 2.0, 3.0, 4.0], 2).unwrap(), vec![3.0, 7.0]);
        assert!(p.predict(&[1.0, 2.0, 3.0], 2).is_err());
        let bad = FnPredict::new(1, |_: &[f64], _| Ok(vec![0.0]));
        assert!(bad.predict(&[1.0, 2.0], 2).is_err());
    }
}
