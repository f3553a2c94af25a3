//! Partial dependence and ICE curves (Friedman 2001; Goldstein et al. 2015), as scikit-learn's
//! `sklearn.inspection.partial_dependence(method="brute")`.
//!
//! For target features `S` and a grid point `v`, the partial dependence is the (optionally
//! weighted) mean over the rows `i` of `f(x_i with x_S := v)`; the individual conditional
//! expectation (ICE) curve of row `i` is `f(x_i with x_S := v)` itself.
//!
//! The grid follows scikit-learn 1.9 (`_grid_from_X`) exactly: for every target feature,
//! * `custom_values`, if given, are the axis (in the order given);
//! * otherwise, a categorical feature, or one with fewer distinct values than
//!   `grid_resolution`, uses its sorted distinct values;
//! * otherwise the axis is `grid_resolution` equally spaced points (numpy's `linspace`, end
//!   point included) between the empirical percentiles `percentiles.0` and `percentiles.1`,
//!   computed by scipy's `mstats.mquantiles` with its defaults `alphap = betap = 0.4`
//!   (scikit-learn does not use numpy's `percentile` here); percentiles too close to each
//!   other (numpy's `allclose`) are an error, as there.
//!
//! The grid of several features is their cartesian product, the last feature varying fastest
//! (`sklearn.utils.extmath.cartesian`).

use rayon::prelude::*;

use crate::error::{check_len, ExplainError};
use crate::predict::Predict;

/// How a numeric grid axis is built (scikit-learn's `percentiles` and `grid_resolution`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridSpec {
    /// Lower and upper percentile (fractions in `[0, 1]`, lower < upper) of the axis ends.
    pub percentiles: (f64, f64),
    /// Points of a numeric axis (> 1); features with fewer distinct values use those.
    pub grid_resolution: usize,
}

impl Default for GridSpec {
    /// scikit-learn's defaults: `percentiles = (0.05, 0.95)`, `grid_resolution = 100`.
    fn default() -> Self {
        GridSpec {
            percentiles: (0.05, 0.95),
            grid_resolution: 100,
        }
    }
}

/// One target feature of a partial dependence.
#[derive(Debug, Clone, PartialEq)]
pub struct PdFeature {
    /// Column index in the rows.
    pub column: usize,
    /// Categorical (integer-coded): the axis is its distinct values.
    pub categorical: bool,
    /// Axis values to use instead of the computed grid (scikit-learn's `custom_values`).
    pub custom_values: Option<Vec<f64>>,
}

impl PdFeature {
    /// A numeric feature with the computed grid.
    pub fn numeric(column: usize) -> PdFeature {
        PdFeature {
            column,
            categorical: false,
            custom_values: None,
        }
    }

    /// A categorical feature: its distinct values.
    pub fn categorical(column: usize) -> PdFeature {
        PdFeature {
            column,
            categorical: true,
            custom_values: None,
        }
    }

    /// A feature evaluated at the given values.
    pub fn custom(column: usize, values: Vec<f64>) -> PdFeature {
        PdFeature {
            column,
            categorical: false,
            custom_values: Some(values),
        }
    }
}

/// Which curves to return (scikit-learn's `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdKind {
    /// The (weighted) mean over rows only.
    Average,
    /// The ICE curve of every row only.
    Individual,
    /// Both.
    Both,
}

/// Partial dependence of the model output on some features.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialDependence {
    /// Target columns.
    pub columns: Vec<usize>,
    /// Axis of every target feature (scikit-learn's `grid_values`).
    pub grid_values: Vec<Vec<f64>>,
    /// Mean output at every grid point of the cartesian grid, last feature fastest
    /// (scikit-learn's `average[0]`, flattened). `None` for [`PdKind::Individual`].
    pub average: Option<Vec<f64>>,
    /// ICE: row-major `n_rows × n_points`, the output of row `i` at grid point `k` at
    /// `i * n_points + k` (scikit-learn's `individual[0]`, flattened). `None` for
    /// [`PdKind::Average`].
    pub individual: Option<Vec<f64>>,
    /// Number of rows averaged.
    pub n_rows: usize,
}

impl PartialDependence {
    /// Number of points of the cartesian grid.
    pub fn n_points(&self) -> usize {
        self.grid_values.iter().map(Vec::len).product()
    }

    /// The grid point `k` (one value per target feature), last feature fastest.
    pub fn grid_point(&self, k: usize) -> Vec<f64> {
        grid_point(&self.grid_values, k)
    }
}

fn grid_point(values: &[Vec<f64>], mut k: usize) -> Vec<f64> {
    let mut out = vec![0.0; values.len()];
    for (d, axis) in values.iter().enumerate().rev() {
        out[d] = axis[k % axis.len()];
        k /= axis.len();
    }
    out
}

/// scipy's `mstats.mquantiles(x, prob=[p], alphap, betap)` of ascending `sorted` values.
pub fn mquantile(sorted: &[f64], p: f64, alphap: f64, betap: f64) -> f64 {
    let n = sorted.len();
    if n == 1 {
        return sorted[0];
    }
    let m = alphap + p * (1.0 - alphap - betap);
    let aleph = n as f64 * p + m;
    let k = aleph.clamp(1.0, (n - 1) as f64).floor();
    let gamma = (aleph - k).clamp(0.0, 1.0);
    let k = k as usize;
    (1.0 - gamma) * sorted[k - 1] + gamma * sorted[k]
}

/// numpy's `linspace(start, stop, num, endpoint=True)` (same operations, same bits).
pub fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    if num == 0 {
        return Vec::new();
    }
    let div = num as f64 - 1.0;
    let delta = stop - start;
    let mut y: Vec<f64> = (0..num).map(|i| i as f64).collect();
    if num > 1 {
        let step = delta / div;
        if step == 0.0 {
            for v in &mut y {
                *v = *v / div * delta;
            }
        } else {
            for v in &mut y {
                *v *= step;
            }
        }
    } else {
        for v in &mut y {
            *v *= delta;
        }
    }
    for v in &mut y {
        *v += start;
    }
    if num > 1 {
        y[num - 1] = stop;
    }
    y
}

fn sorted_unique(values: &[f64]) -> Vec<f64> {
    let mut u = values.to_vec();
    u.sort_by(|a, b| a.total_cmp(b));
    u.dedup_by(|a, b| a == b);
    u
}

/// The grid axis of one feature whose values (over the rows) are `column`, by scikit-learn's
/// rules (see the module documentation).
pub fn grid_axis(
    column: &[f64],
    feature: &PdFeature,
    spec: &GridSpec,
) -> Result<Vec<f64>, ExplainError> {
    let (lo, hi) = spec.percentiles;
    if !(0.0..=1.0).contains(&lo) || !(0.0..=1.0).contains(&hi) {
        return Err(ExplainError::Parameter(
            "'percentiles' values must be in [0, 1]".into(),
        ));
    }
    if lo >= hi {
        return Err(ExplainError::Parameter(
            "percentiles[0] must be strictly less than percentiles[1]".into(),
        ));
    }
    if spec.grid_resolution <= 1 {
        return Err(ExplainError::Parameter(
            "'grid_resolution' must be strictly greater than 1".into(),
        ));
    }
    if let Some(custom) = &feature.custom_values {
        if custom.is_empty() {
            return Err(ExplainError::Parameter(format!(
                "custom grid values of column {} are empty",
                feature.column
            )));
        }
        if custom.iter().any(|v| !v.is_finite()) {
            return Err(ExplainError::Parameter(format!(
                "custom grid values of column {} must be finite",
                feature.column
            )));
        }
        return Ok(custom.clone());
    }
    if column.is_empty() {
        return Err(ExplainError::Empty("partial dependence data"));
    }
    if let Some(i) = column.iter().position(|v| !v.is_finite()) {
        return Err(ExplainError::Data(format!(
            "column {} of row {i} is not a finite number; partial dependence needs finite values",
            feature.column
        )));
    }
    let uniques = sorted_unique(column);
    if feature.categorical || uniques.len() < spec.grid_resolution {
        return Ok(uniques);
    }
    let mut sorted = column.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let q0 = mquantile(&sorted, lo, 0.4, 0.4);
    let q1 = mquantile(&sorted, hi, 0.4, 0.4);
    // numpy.allclose(q0, q1): |q0 - q1| <= 1e-8 + 1e-5 * |q1|
    if (q0 - q1).abs() <= 1e-8 + 1e-5 * q1.abs() {
        return Err(ExplainError::Parameter(format!(
            "percentiles are too close to each other for column {}, unable to build the grid; \
             choose percentiles that are further apart",
            feature.column
        )));
    }
    Ok(linspace(q0, q1, spec.grid_resolution))
}

/// Rows per `predict` call (grid points are batched up to this many rows).
const BATCH_ROWS: usize = 16_384;

/// Partial dependence (and ICE curves) of `model` on `features` over the row-major
/// `n_rows × model.n_features()` matrix `x`, as scikit-learn's
/// `partial_dependence(method="brute", kind=…)`: every grid point is evaluated on every row
/// (batched, in parallel) and averaged with `sample_weight` (non-negative, positive sum;
/// weights do not change the ICE curves).
pub fn partial_dependence(
    model: &dyn Predict,
    x: &[f64],
    n_rows: usize,
    features: &[PdFeature],
    spec: &GridSpec,
    kind: PdKind,
    sample_weight: Option<&[f64]>,
) -> Result<PartialDependence, ExplainError> {
    let p = model.n_features();
    check_len("input matrix", n_rows * p, x.len())?;
    if n_rows == 0 {
        return Err(ExplainError::Empty("partial dependence data"));
    }
    if features.is_empty() {
        return Err(ExplainError::Parameter(
            "partial dependence needs at least one feature".into(),
        ));
    }
    for (i, f) in features.iter().enumerate() {
        if f.column >= p {
            return Err(ExplainError::Parameter(format!(
                "feature column {} out of range (the model has {p} columns)",
                f.column
            )));
        }
        if features[..i].iter().any(|g| g.column == f.column) {
            return Err(ExplainError::Parameter(format!(
                "feature column {} given twice",
                f.column
            )));
        }
    }
    let weight_sum = match sample_weight {
        Some(w) => {
            check_len("sample weights", n_rows, w.len())?;
            if let Some(i) = w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
                return Err(ExplainError::Data(format!(
                    "sample weight of row {i} is {}; weights must be finite and non-negative",
                    w[i]
                )));
            }
            let s: f64 = w.iter().sum();
            if s <= 0.0 {
                return Err(ExplainError::Data("sample weights sum to zero".into()));
            }
            Some(s)
        }
        None => None,
    };

    let mut grid_values = Vec::with_capacity(features.len());
    for f in features {
        let column: Vec<f64> = (0..n_rows).map(|i| x[i * p + f.column]).collect();
        grid_values.push(grid_axis(&column, f, spec)?);
    }
    let n_points: usize = grid_values.iter().map(Vec::len).product();
    let columns: Vec<usize> = features.iter().map(|f| f.column).collect();

    // preds[k * n_rows + i]: output of row i at grid point k
    let points_per_batch = (BATCH_ROWS / n_rows).max(1);
    let batches: Vec<(usize, usize)> = (0..n_points)
        .step_by(points_per_batch)
        .map(|s| (s, (s + points_per_batch).min(n_points)))
        .collect();
    let outs: Vec<Vec<f64>> = batches
        .par_iter()
        .map(|&(s, e)| {
            let mut m = Vec::with_capacity((e - s) * n_rows * p);
            for k in s..e {
                let v = grid_point(&grid_values, k);
                let start = m.len();
                m.extend_from_slice(x);
                for row in m[start..].chunks_exact_mut(p) {
                    for (c, val) in columns.iter().zip(&v) {
                        row[*c] = *val;
                    }
                }
            }
            model.predict(&m, (e - s) * n_rows)
        })
        .collect::<Result<_, _>>()?;
    let preds: Vec<f64> = outs.concat();

    let average = if kind == PdKind::Individual {
        None
    } else {
        Some(
            preds
                .chunks_exact(n_rows)
                .map(|c| match (sample_weight, weight_sum) {
                    (Some(w), Some(s)) => c.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / s,
                    _ => c.iter().sum::<f64>() / n_rows as f64,
                })
                .collect(),
        )
    };
    let individual = if kind == PdKind::Average {
        None
    } else {
        let mut ind = vec![0.0; n_rows * n_points];
        for (k, c) in preds.chunks_exact(n_rows).enumerate() {
            for (i, v) in c.iter().enumerate() {
                ind[i * n_points + k] = *v;
            }
        }
        Some(ind)
    };
    Ok(PartialDependence {
        columns,
        grid_values,
        average,
        individual,
        n_rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mquantile_matches_scipy_hand_values() {
        // scipy.stats.mstats.mquantiles([1, 2, 3, 4], [0.05, 0.95]) = [1.0, 4.0];
        // [0.25, 0.5] = [1.35 + ..]: aleph = 4*0.25 + 0.4 + 0.25*0.2 = 1.45 -> 1 + 0.45 * 1
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(mquantile(&s, 0.05, 0.4, 0.4), 1.0);
        assert_eq!(mquantile(&s, 0.95, 0.4, 0.4), 4.0);
        assert!((mquantile(&s, 0.25, 0.4, 0.4) - 1.45).abs() < 1e-15);
        assert!((mquantile(&s, 0.5, 0.4, 0.4) - 2.5).abs() < 1e-15);
    }

    #[test]
    fn linspace_ends_exactly() {
        let v = linspace(0.1, 0.7, 7);
        assert_eq!(v.len(), 7);
        assert_eq!(v[0], 0.1);
        assert_eq!(v[6], 0.7);
        assert!((v[3] - 0.4).abs() < 1e-15);
    }

    #[test]
    fn cartesian_order_last_fastest() {
        let g = vec![vec![1.0, 2.0], vec![10.0, 20.0, 30.0]];
        assert_eq!(grid_point(&g, 0), vec![1.0, 10.0]);
        assert_eq!(grid_point(&g, 2), vec![1.0, 30.0]);
        assert_eq!(grid_point(&g, 3), vec![2.0, 10.0]);
    }
}
