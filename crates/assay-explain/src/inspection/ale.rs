//! First-order accumulated local effects (ALE) of a numeric feature (Apley & Zhu 2020, as the
//! authors' R package `ALEPlot`).
//!
//! For feature `j` and `K` requested intervals:
//! 1. Bin edges `z_0 = min x_j` and `z_k` = the type-1 sample quantile (inverse empirical
//!    distribution function, R's `quantile(type = 1)`) of `x_j` at probability `k / K`, i.e.
//!    the `ceil(n k / K)`-th smallest value (computed in integers, so without rounding), for
//!    `k = 1..K`; repeated edges (ties) are merged, so there may be fewer than `K` intervals.
//! 2. Row `i` falls in interval `k` = `(z_{k-1}, z_k]`, the first interval also holding
//!    `z_0` (R's `cut(..., include.lowest = TRUE)`).
//! 3. Local effect of the row: `f(x_i with x_j := z_k) - f(x_i with x_j := z_{k-1})`; the
//!    interval's effect is their mean over its `n_k` rows (an empty interval, possible only with
//!    caller-given edges, contributes 0).
//! 4. Uncentred ALE at the edges: `g(z_0) = 0`, `g(z_k) = Σ_{m ≤ k}` interval effects.
//! 5. Centred: `ale(z_k) = g(z_k) - Σ_k n_k (g(z_{k-1}) + g(z_k)) / 2 / Σ_k n_k`, so that the
//!    effect averaged over the rows (each at its interval's midpoint value) is 0.
//!
//! PyALE's `ale` performs steps 2–5 identically but chooses other edges (its quantile uses
//! `n - 1` in place of `n`); [`accumulated_local_effects_with_edges`] accepts any edges.

use crate::error::{check_len, ExplainError};
use crate::predict::Predict;

/// A first-order ALE curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Ale {
    /// Feature column.
    pub column: usize,
    /// Interval edges `z_0 < … < z_K`.
    pub edges: Vec<f64>,
    /// Centred accumulated local effect at every edge (`K + 1` values).
    pub effect: Vec<f64>,
    /// Rows in every interval (`K` values).
    pub counts: Vec<usize>,
}

/// ALEPlot's bin edges of `column` for `grid_size` intervals (see the module documentation).
pub fn ale_edges(column: &[f64], grid_size: usize) -> Result<Vec<f64>, ExplainError> {
    if grid_size == 0 {
        return Err(ExplainError::Parameter(
            "ALE grid_size must be at least 1".into(),
        ));
    }
    if column.is_empty() {
        return Err(ExplainError::Empty("ALE data"));
    }
    let mut s = column.to_vec();
    if let Some(i) = s.iter().position(|v| !v.is_finite()) {
        return Err(ExplainError::Data(format!(
            "row {i} of the ALE feature is not a finite number"
        )));
    }
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    let mut z = Vec::with_capacity(grid_size + 1);
    z.push(s[0]);
    for k in 1..=grid_size {
        let j = (n * k).div_ceil(grid_size); // 1-based order statistic
        z.push(s[j.max(1) - 1]);
    }
    z.dedup_by(|a, b| a == b);
    Ok(z)
}

/// ALE of `model` for column `column` of the row-major `n_rows × model.n_features()` matrix
/// `x`, with ALEPlot's quantile edges for `grid_size` intervals.
pub fn accumulated_local_effects(
    model: &dyn Predict,
    x: &[f64],
    n_rows: usize,
    column: usize,
    grid_size: usize,
) -> Result<Ale, ExplainError> {
    let p = model.n_features();
    check_len("input matrix", n_rows * p, x.len())?;
    if column >= p {
        return Err(ExplainError::Parameter(format!(
            "ALE column {column} out of range (the model has {p} columns)"
        )));
    }
    let col: Vec<f64> = (0..n_rows).map(|i| x[i * p + column]).collect();
    let edges = ale_edges(&col, grid_size)?;
    accumulated_local_effects_with_edges(model, x, n_rows, column, &edges)
}

/// ALE with caller-given edges (strictly increasing, at least two, covering every value of
/// the feature).
pub fn accumulated_local_effects_with_edges(
    model: &dyn Predict,
    x: &[f64],
    n_rows: usize,
    column: usize,
    edges: &[f64],
) -> Result<Ale, ExplainError> {
    let p = model.n_features();
    check_len("input matrix", n_rows * p, x.len())?;
    if n_rows == 0 {
        return Err(ExplainError::Empty("ALE data"));
    }
    if column >= p {
        return Err(ExplainError::Parameter(format!(
            "ALE column {column} out of range (the model has {p} columns)"
        )));
    }
    if edges.len() < 2 {
        return Err(ExplainError::Parameter(
            "ALE needs at least two distinct bin edges (the feature is constant?)".into(),
        ));
    }
    if edges.iter().any(|v| !v.is_finite()) || edges.windows(2).any(|w| w[0] >= w[1]) {
        return Err(ExplainError::Parameter(
            "ALE bin edges must be finite and strictly increasing".into(),
        ));
    }
    let k_max = edges.len() - 1;
    let mut bin = Vec::with_capacity(n_rows);
    for i in 0..n_rows {
        let v = x[i * p + column];
        if !(v >= edges[0] && v <= edges[k_max]) {
            return Err(ExplainError::Data(format!(
                "row {i}: ALE feature value {v} outside the bin edges [{}, {}]",
                edges[0], edges[k_max]
            )));
        }
        // first k >= 1 with v <= z_k
        let k = edges.partition_point(|z| *z < v).max(1);
        bin.push(k);
    }
    let mut lo = x.to_vec();
    let mut hi = x.to_vec();
    for i in 0..n_rows {
        lo[i * p + column] = edges[bin[i] - 1];
        hi[i * p + column] = edges[bin[i]];
    }
    let (f_lo, f_hi) = rayon::join(|| model.predict(&lo, n_rows), || model.predict(&hi, n_rows));
    let (f_lo, f_hi) = (f_lo?, f_hi?);
    let mut sums = vec![0.0; k_max];
    let mut counts = vec![0usize; k_max];
    for i in 0..n_rows {
        sums[bin[i] - 1] += f_hi[i] - f_lo[i];
        counts[bin[i] - 1] += 1;
    }
    let mut g = Vec::with_capacity(k_max + 1);
    g.push(0.0);
    let mut acc = 0.0;
    for k in 0..k_max {
        if counts[k] > 0 {
            acc += sums[k] / counts[k] as f64;
        }
        g.push(acc);
    }
    let mut centre = 0.0;
    for k in 0..k_max {
        centre += (g[k] + g[k + 1]) / 2.0 * counts[k] as f64;
    }
    centre /= n_rows as f64;
    let effect = g.iter().map(|v| v - centre).collect();
    Ok(Ale {
        column,
        edges: edges.to_vec(),
        effect,
        counts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predict::FnPredict;

    #[test]
    fn edges_are_type1_quantiles_with_ties_merged() {
        // n = 5, K = 2: z_0 = 1, ceil(5/2) = 3rd -> 2, ceil(10/2) = 5th -> 9
        assert_eq!(
            ale_edges(&[9.0, 1.0, 2.0, 2.0, 3.0], 2).unwrap(),
            vec![1.0, 2.0, 9.0]
        );
        // ties merge edges
        assert_eq!(ale_edges(&[1.0, 1.0, 1.0, 5.0], 4).unwrap(), vec![1.0, 5.0]);
    }

    #[test]
    fn linear_model_has_linear_centred_ale() {
        // f = 3 x0: ALE(z) = 3 z - mean over rows of 3 * (interval midpoint)
        let m = FnPredict::new(1, |x: &[f64], _| Ok(x.iter().map(|v| 3.0 * v).collect()));
        let x = [0.0, 1.0, 2.0, 3.0];
        let a = accumulated_local_effects(&m, &x, 4, 0, 4).unwrap();
        assert_eq!(a.edges, vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(a.counts, vec![2, 1, 1]);
        // g = [0, 3, 6, 9]; centre = (1.5*2 + 4.5 + 7.5)/4 = 3.75
        assert_eq!(a.effect, vec![-3.75, -0.75, 2.25, 5.25]);
    }
}
