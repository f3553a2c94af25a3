//! The batched scorer that model-agnostic explainers call.

use crate::error::ExplainError;

/// A model output for dense rows: `predict(x, n_rows)` returns one value per row (the output
/// explained: a probability, a margin, a regression value) for the row-major `n_rows ×
/// n_features()` matrix `x`. Explainers batch their calls (thousands of rows at a time) and
/// may call from several threads. A row's output must depend on that row only (not on the
/// other rows of the batch, nor on the call): explainers reuse an output computed once for
/// a row that recurs (permutation importance scores only the rows a permutation changed).
pub trait Predict: Sync {
    /// Number of columns of a row.
    fn n_features(&self) -> usize;

    /// One output per row of `x`.
    fn predict(&self, x: &[f64], n_rows: usize) -> Result<Vec<f64>, ExplainError>;

    /// The outputs of the `2^d` hybrids of the rows `x` and `b` (`d = groups.len()`): output
    /// `s` is the model on the row with `x`'s values in the columns of `groups[i]` for every
    /// bit `i` set in `s` and `b`'s elsewhere. KernelSHAP's background decomposition asks for
    /// these; a model that can score them faster than row by row (a tree ensemble walks each
    /// tree once: [`assay_model::TreeEnsemble::hybrid_outputs`]) returns them, equal to what
    /// [`Predict::predict`] gives on the materialised rows. `None` (the default): the caller
    /// builds the rows and calls `predict`.
    fn predict_hybrids(
        &self,
        _x: &[f64],
        _b: &[f64],
        _groups: &[&[usize]],
    ) -> Option<Result<Vec<f64>, ExplainError>> {
        None
    }
}

/// Which output of a tree ensemble an [`EnsemblePredict`] explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnsembleOutput {
    /// The raw margin (XGBoost `output_margin`, LightGBM `raw_score`): log-odds for binary
    /// classifiers, what TreeSHAP explains.
    Margin,
    /// The prediction through the inverse link (a probability for binary classifiers).
    Prediction,
}

/// A [`Predict`] for a tree ensemble on its own feature matrix, with fast hybrid scoring for
/// KernelSHAP ([`Predict::predict_hybrids`]).
pub struct EnsemblePredict<'a> {
    model: &'a assay_model::TreeEnsemble,
    output: EnsembleOutput,
}

impl<'a> EnsemblePredict<'a> {
    /// Explains `output` of `model`.
    pub fn new(model: &'a assay_model::TreeEnsemble, output: EnsembleOutput) -> Self {
        EnsemblePredict { model, output }
    }
}

impl Predict for EnsemblePredict<'_> {
    fn n_features(&self) -> usize {
        self.model.n_features
    }

    fn predict(&self, x: &[f64], _n_rows: usize) -> Result<Vec<f64>, ExplainError> {
        let nf = self.model.n_features;
        match self.output {
            EnsembleOutput::Margin => self.model.predict_margin(x, nf),
            EnsembleOutput::Prediction => self.model.predict(x, nf),
        }
        .map_err(|e| ExplainError::Model(e.to_string()))
    }

    fn predict_hybrids(
        &self,
        x: &[f64],
        b: &[f64],
        groups: &[&[usize]],
    ) -> Option<Result<Vec<f64>, ExplainError>> {
        if groups.len() > assay_model::hybrid::MAX_HYBRID_GROUPS {
            return None;
        }
        let transform = self.output == EnsembleOutput::Prediction;
        Some(
            self.model
                .hybrid_outputs(x, b, groups, transform)
                .map_err(|e| ExplainError::Model(e.to_string())),
        )
    }
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
