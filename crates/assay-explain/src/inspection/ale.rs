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

    #[test]
    fn additive_model_has_no_second_order_effect() {
        let x: Vec<f64> = (0..40)
            .flat_map(|i| [(i % 7) as f64 * 0.3, ((i * 13) % 11) as f64 - 4.0])
            .collect();
        let add = FnPredict::new(2, |x: &[f64], _| {
            Ok(x.chunks(2).map(|r| 2.0 * r[0] + r[1] * r[1]).collect())
        });
        let a = accumulated_local_effects_2d(&add, &x, 40, [0, 1], 4).unwrap();
        assert!(a.effect.iter().all(|v| v.abs() < 1e-12), "{:?}", a.effect);
        let mul = FnPredict::new(2, |x: &[f64], _| {
            Ok(x.chunks(2).map(|r| r[0] * r[1]).collect())
        });
        let a = accumulated_local_effects_2d(&mul, &x, 40, [0, 1], 4).unwrap();
        assert!(a.effect.iter().any(|v| v.abs() > 0.1));
        assert!(accumulated_local_effects_2d(&mul, &x, 40, [1, 1], 4).is_err());
    }
}

/// A second-order ALE surface of two numeric features (the pure interaction effect: the two
/// first-order effects removed).
#[derive(Debug, Clone, PartialEq)]
pub struct Ale2 {
    /// The two feature columns.
    pub columns: [usize; 2],
    /// Interval edges of each feature (ALEPlot's quantile edges): `K1 + 1` and `K2 + 1` values.
    pub edges: [Vec<f64>; 2],
    /// Centred second-order effect at every edge pair, row-major `(K1 + 1) × (K2 + 1)`: the
    /// value at `(edges[0][a], edges[1][b])` is at `a * (K2 + 1) + b`.
    pub effect: Vec<f64>,
    /// Rows in every cell, row-major `K1 × K2`.
    pub counts: Vec<usize>,
    /// Cells without rows (`(a, b)`, 0-based) whose local effect was taken from the nearest
    /// non-empty cell.
    pub filled_cells: Vec<(usize, usize)>,
}

/// Second-order ALE of columns `columns` (Apley & Zhu 2020, §3; the numeric × numeric case of
/// ALEPlot's `ALEPlot(J = c(j1, j2))`, step for step):
/// 1. edges `z1`, `z2` and intervals `a1`, `a2` of each feature as in
///    [`accumulated_local_effects`] (`grid_size` intervals requested for each);
/// 2. local effect of row `i` in cell `(a, b)`:
///    `f(z1_a, z2_b) − f(z1_a, z2_{b−1}) − f(z1_{a−1}, z2_b) + f(z1_{a−1}, z2_{b−1})`,
///    averaged per cell;
/// 3. an empty cell takes the mean of the nearest non-empty cell, distance between cell
///    midpoints each scaled by the feature's range (Euclidean; ALEPlot uses an exact
///    nearest-neighbour search; at equal distances the first non-empty cell in column-major
///    order, R's `which`, is taken);
/// 4. accumulated over both axes (`g`, with a zero first row and column), the first-order
///    effects of each feature within `g` (count-weighted averages of its differences along
///    that feature, over the other feature's interval midpoints) subtracted, and the result
///    centred so that its count-weighted mean over the cells (each at the mean of its four
///    corners) is 0.
pub fn accumulated_local_effects_2d(
    model: &dyn Predict,
    x: &[f64],
    n_rows: usize,
    columns: [usize; 2],
    grid_size: usize,
) -> Result<Ale2, ExplainError> {
    let p = model.n_features();
    check_len("input matrix", n_rows * p, x.len())?;
    if n_rows == 0 {
        return Err(ExplainError::Empty("ALE data"));
    }
    for c in columns {
        if c >= p {
            return Err(ExplainError::Parameter(format!(
                "ALE column {c} out of range (the model has {p} columns)"
            )));
        }
    }
    if columns[0] == columns[1] {
        return Err(ExplainError::Parameter(
            "second-order ALE needs two different columns".into(),
        ));
    }
    let mut edges: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut bins: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for d in 0..2 {
        let col: Vec<f64> = (0..n_rows).map(|i| x[i * p + columns[d]]).collect();
        let z = ale_edges(&col, grid_size)?;
        if z.len() < 2 {
            return Err(ExplainError::Data(format!(
                "column {} is constant; ALE needs at least two distinct values",
                columns[d]
            )));
        }
        bins[d] = col
            .iter()
            .map(|v| z.partition_point(|e| e < v).max(1))
            .collect();
        edges[d] = z;
    }
    let (k1, k2) = (edges[0].len() - 1, edges[1].len() - 1);
    // four corner matrices, one predict call
    let mut m = Vec::with_capacity(4 * n_rows * p);
    for (o1, o2) in [(0usize, 0usize), (0, 1), (1, 0), (1, 1)] {
        for i in 0..n_rows {
            let start = m.len();
            m.extend_from_slice(&x[i * p..(i + 1) * p]);
            m[start + columns[0]] = edges[0][bins[0][i] - 1 + o1];
            m[start + columns[1]] = edges[1][bins[1][i] - 1 + o2];
        }
    }
    let f = model.predict(&m, 4 * n_rows)?;
    let (f11, f12, f21, f22) = (
        &f[..n_rows],
        &f[n_rows..2 * n_rows],
        &f[2 * n_rows..3 * n_rows],
        &f[3 * n_rows..],
    );
    let mut sums = vec![0.0; k1 * k2];
    let mut counts = vec![0usize; k1 * k2];
    for i in 0..n_rows {
        let cell = (bins[0][i] - 1) * k2 + bins[1][i] - 1;
        sums[cell] += (f22[i] - f21[i]) - (f12[i] - f11[i]);
        counts[cell] += 1;
    }
    let mut delta: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
        .collect();
    // nearest non-empty cell for the empty ones (R's which(): column-major order)
    let (z1, z2) = (&edges[0], &edges[1]);
    let (r1, r2) = (z1[k1] - z1[0], z2[k2] - z2[0]);
    let mid = |a: usize, b: usize| {
        (
            (z1[a] + z1[a + 1]) / 2.0 / r1,
            (z2[b] + z2[b + 1]) / 2.0 / r2,
        )
    };
    let mut non_empty = Vec::new();
    let mut empty = Vec::new();
    for b in 0..k2 {
        for a in 0..k1 {
            if counts[a * k2 + b] > 0 {
                non_empty.push((a, b));
            } else {
                empty.push((a, b));
            }
        }
    }
    for &(a, b) in &empty {
        let (u, v) = mid(a, b);
        let mut best = (f64::INFINITY, 0usize);
        for (t, &(c, d)) in non_empty.iter().enumerate() {
            let (s, w) = mid(c, d);
            let dist = (u - s) * (u - s) + (v - w) * (v - w);
            if dist < best.0 {
                best = (dist, t);
            }
        }
        let (c, d) = non_empty[best.1];
        delta[a * k2 + b] = delta[c * k2 + d];
    }
    // accumulate: g[(a+1), (b+1)] = sum_{a' <= a, b' <= b} delta
    let w2 = k2 + 1;
    let mut g = vec![0.0; (k1 + 1) * w2];
    for a in 0..k1 {
        let mut row = 0.0;
        for b in 0..k2 {
            row += delta[a * k2 + b];
            g[(a + 1) * w2 + b + 1] = g[a * w2 + b + 1] + row;
        }
    }
    // ALEPlot computes apply(t(apply(Delta, 1, cumsum)), 2, cumsum): row cumsums, then column
    // cumsums; the loop above adds the row cumsum to the previous row's total, the same sums.
    let cnt = |a: usize, b: usize| counts[a * k2 + b] as f64;
    let mut fj1 = vec![0.0; k1 + 1];
    for a in 0..k1 {
        let (mut num, mut den) = (0.0, 0.0);
        for b in 0..k2 {
            let d0 = g[(a + 1) * w2 + b] - g[a * w2 + b];
            let d1 = g[(a + 1) * w2 + b + 1] - g[a * w2 + b + 1];
            num += cnt(a, b) * (d0 + d1) / 2.0;
            den += cnt(a, b);
        }
        fj1[a + 1] = fj1[a] + num / den;
    }
    let mut fj2 = vec![0.0; k2 + 1];
    for b in 0..k2 {
        let (mut num, mut den) = (0.0, 0.0);
        for a in 0..k1 {
            let d0 = g[a * w2 + b + 1] - g[a * w2 + b];
            let d1 = g[(a + 1) * w2 + b + 1] - g[(a + 1) * w2 + b];
            num += cnt(a, b) * (d0 + d1) / 2.0;
            den += cnt(a, b);
        }
        fj2[b + 1] = fj2[b] + num / den;
    }
    for a in 0..=k1 {
        for b in 0..=k2 {
            g[a * w2 + b] = g[a * w2 + b] - fj1[a] - fj2[b];
        }
    }
    let mut centre = 0.0;
    for a in 0..k1 {
        for b in 0..k2 {
            centre += cnt(a, b)
                * (g[a * w2 + b]
                    + g[a * w2 + b + 1]
                    + g[(a + 1) * w2 + b]
                    + g[(a + 1) * w2 + b + 1])
                / 4.0;
        }
    }
    centre /= n_rows as f64;
    for v in &mut g {
        *v -= centre;
    }
    Ok(Ale2 {
        columns,
        edges,
        effect: g,
        counts,
        filled_cells: empty,
    })
}
