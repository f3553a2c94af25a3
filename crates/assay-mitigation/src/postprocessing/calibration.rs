//! Per-group probability calibration and calibration curves.
//!
//! * Platt scaling (Platt 1999, "Probabilistic outputs for support vector machines"), as
//!   scikit-learn 1.9's `_sigmoid_calibration` (`CalibratedClassifierCV(method="sigmoid")`):
//!   `P(y = 1 | s) = 1 / (1 + exp(a·s + b))`, fitted by minimising the log-loss against
//!   Platt's smoothed targets `T₊ = (N₊ + 1) / (N₊ + 2)`, `T₋ = 1 / (N₋ + 2)` (`N` are sums of
//!   sample weights), from the start `(0, log((N₋ + 1) / (N₊ + 1)))`, with scores rescaled by
//!   `max |s|` when that is ≥ 30. scikit-learn stops L-BFGS-B at a gradient of 1e-6; assay runs
//!   Newton's method to convergence, so both find the same optimum to about 1e-6.
//! * Isotonic regression (Zadrozny & Elkan 2002; pool-adjacent-violators, Ayer et al. 1955), as
//!   scikit-learn's `IsotonicRegression(out_of_bounds="clip", increasing=True)`: rows with
//!   zero weight dropped, rows sorted by (score, label), scores closer than 1e-15 merged into
//!   one point with the weighted mean label, weighted PAVA, points whose value equals both
//!   neighbours' dropped; prediction clips the score to the fitted range and interpolates
//!   linearly between the points.
//! * [`calibration_curve`] equals scikit-learn's `sklearn.calibration.calibration_curve`,
//!   including the bin edges (`uniform`: `np.linspace(0, 1, n_bins + 1)`; `quantile`:
//!   `np.percentile` with linear interpolation), the assignment of a row to the bin
//!   `searchsorted(edges[1:-1], p, side="left")` and dropping empty bins.
//!
//! Both calibrators are fitted separately in every group ([`GroupCalibrator`]).

use serde::{Deserialize, Serialize};

use super::common::{
    apply_all, apply_one, check_codes, check_fit_inputs, check_labels, check_scores, check_weights,
    recode_groups,
};
use crate::error::{check_len, MitigationError};
use crate::groups::Groups;

/// Platt scaling: `P(y = 1 | s) = 1 / (1 + exp(a·s + b))` (scikit-learn's
/// `_SigmoidCalibration`, whose `a_`, `b_` have this sign convention).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlattCalibrator {
    /// Slope (negative when higher scores mean more positives).
    pub a: f64,
    /// Intercept.
    pub b: f64,
}

impl PlattCalibrator {
    /// Fits `a`, `b` as scikit-learn's `_sigmoid_calibration(scores, y, sample_weight)`.
    /// Labels are 0/1; the scores must not all be equal (the slope would be undetermined).
    pub fn fit(
        scores: &[f64],
        y: &[f64],
        sample_weight: Option<&[f64]>,
    ) -> Result<PlattCalibrator, MitigationError> {
        check_scores(scores)?;
        check_len("labels", scores.len(), y.len())?;
        check_labels(y)?;
        if let Some(w) = sample_weight {
            check_weights(w, scores.len())?;
        }
        let w = |i: usize| sample_weight.map_or(1.0, |w| w[i]);
        let max_abs = scores.iter().fold(0.0f64, |m, s| m.max(s.abs()));
        let scale = if max_abs >= 30.0 { max_abs } else { 1.0 };
        let f: Vec<f64> = scores.iter().map(|s| s / scale).collect();
        if f.iter().all(|&v| v == f[0]) {
            return Err(MitigationError::Data(format!(
                "all {} scores equal {}: Platt scaling needs at least two distinct scores",
                scores.len(),
                scores[0]
            )));
        }
        let (mut prior0, mut prior1) = (0.0, 0.0);
        for (i, &label) in y.iter().enumerate() {
            if label <= 0.0 {
                prior0 += w(i);
            } else {
                prior1 += w(i);
            }
        }
        let t_pos = (prior1 + 1.0) / (prior1 + 2.0);
        let t_neg = 1.0 / (prior0 + 2.0);
        let t: Vec<f64> = y
            .iter()
            .map(|&l| if l > 0.0 { t_pos } else { t_neg })
            .collect();
        let wv: Vec<f64> = (0..scores.len()).map(w).collect();

        // Loss Σ w·[log(1 + e^{−z}) + T·z] with z = A·F + B (HalfBinomialLoss at raw −z).
        let loss = |a: f64, b: f64| -> f64 {
            let mut l = 0.0;
            for i in 0..f.len() {
                let z = a * f[i] + b;
                // log(1 + e^{−z}) computed stably.
                let softplus = if z > 0.0 {
                    (-z).exp().ln_1p()
                } else {
                    -z + z.exp().ln_1p()
                };
                l += wv[i] * (softplus + t[i] * z);
            }
            l
        };
        let mut a = 0.0;
        let mut b = ((prior0 + 1.0) / (prior1 + 1.0)).ln();
        let mut current = loss(a, b);
        for _ in 0..200 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for i in 0..f.len() {
                let z = a * f[i] + b;
                let p = 1.0 / (1.0 + z.exp()); // σ(−z)
                let d = wv[i] * (t[i] - p);
                ga += d * f[i];
                gb += d;
                let h = wv[i] * p * (1.0 - p);
                haa += h * f[i] * f[i];
                hab += h * f[i];
                hbb += h;
            }
            let det = haa * hbb - hab * hab;
            if det.is_nan() || det <= 0.0 || !det.is_finite() {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            let mut step = 1.0;
            let mut improved = false;
            for _ in 0..60 {
                let (na, nb) = (a - step * da, b - step * db);
                let l = loss(na, nb);
                if l <= current {
                    a = na;
                    b = nb;
                    improved = l < current;
                    current = l;
                    break;
                }
                step *= 0.5;
            }
            let size = (step * da).abs().max((step * db).abs());
            if !improved || size <= 1e-15 * (1.0 + a.abs().max(b.abs())) {
                break;
            }
        }
        Ok(PlattCalibrator { a: a / scale, b })
    }

    /// The calibrated probability `1 / (1 + exp(a·s + b))` (scikit-learn's
    /// `expit(-(a·s + b))`).
    pub fn transform(&self, score: f64) -> f64 {
        let z = -(self.a * score + self.b);
        if z >= 0.0 {
            1.0 / (1.0 + (-z).exp())
        } else {
            let e = z.exp();
            e / (1.0 + e)
        }
    }
}

/// Isotonic (non-decreasing) regression of the label on the score, clipped to the fitted score
/// range, as scikit-learn's `IsotonicRegression(out_of_bounds="clip")` after `fit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IsotonicCalibrator {
    /// The interpolation knots' scores (scikit-learn's `X_thresholds_`), increasing.
    pub x_thresholds: Vec<f64>,
    /// The fitted values at the knots (`y_thresholds_`), non-decreasing.
    pub y_thresholds: Vec<f64>,
    /// Smallest fitted score (`X_min_`).
    pub x_min: f64,
    /// Largest fitted score (`X_max_`).
    pub x_max: f64,
}

impl IsotonicCalibrator {
    /// Fits the isotonic regression of 0/1 labels `y` on `scores` with optional weights.
    pub fn fit(
        scores: &[f64],
        y: &[f64],
        sample_weight: Option<&[f64]>,
    ) -> Result<IsotonicCalibrator, MitigationError> {
        check_scores(scores)?;
        check_len("labels", scores.len(), y.len())?;
        check_labels(y)?;
        if let Some(w) = sample_weight {
            check_weights(w, scores.len())?;
        }
        let w = |i: usize| sample_weight.map_or(1.0, |w| w[i]);
        let mut order: Vec<usize> = (0..scores.len()).filter(|&i| w(i) > 0.0).collect();
        order.sort_by(|&i, &j| scores[i].total_cmp(&scores[j]).then(y[i].total_cmp(&y[j])));
        // _make_unique: merge scores closer than float64 resolution (1e-15).
        const RESOLUTION: f64 = 1e-15;
        let mut xs: Vec<f64> = Vec::new();
        let mut ys: Vec<f64> = Vec::new();
        let mut ws: Vec<f64> = Vec::new();
        let first = order[0];
        let (mut cx, mut cy, mut cw) = (scores[first], 0.0, 0.0);
        for &i in &order {
            let x = scores[i];
            if x - cx >= RESOLUTION {
                xs.push(cx);
                ws.push(cw);
                ys.push(cy / cw);
                cx = x;
                cw = w(i);
                cy = y[i] * w(i);
            } else {
                cw += w(i);
                cy += y[i] * w(i);
            }
        }
        xs.push(cx);
        ws.push(cw);
        ys.push(cy / cw);
        let fitted = pava(&ys, &ws);
        let x_min = xs[0];
        let x_max = xs[xs.len() - 1];
        // Keep the ends and every point whose value differs from a neighbour's.
        let m = fitted.len();
        let mut x_thresholds = Vec::with_capacity(m);
        let mut y_thresholds = Vec::with_capacity(m);
        for k in 0..m {
            let keep =
                k == 0 || k == m - 1 || fitted[k] != fitted[k - 1] || fitted[k] != fitted[k + 1];
            if keep {
                x_thresholds.push(xs[k]);
                y_thresholds.push(fitted[k]);
            }
        }
        Ok(IsotonicCalibrator {
            x_thresholds,
            y_thresholds,
            x_min,
            x_max,
        })
    }

    /// The calibrated value: the score clipped to `[x_min, x_max]`, then linear interpolation
    /// between the knots (scipy's `interp1d(kind="linear")`).
    pub fn transform(&self, score: f64) -> f64 {
        let xs = &self.x_thresholds;
        let ys = &self.y_thresholds;
        if xs.len() == 1 {
            return ys[0];
        }
        let s = score.clamp(self.x_min, self.x_max);
        // interp1d: searchsorted(x, s, side="left") clipped to [1, len − 1].
        let hi = xs.partition_point(|&x| x < s).clamp(1, xs.len() - 1);
        let lo = hi - 1;
        let slope = (ys[hi] - ys[lo]) / (xs[hi] - xs[lo]);
        slope * (s - xs[lo]) + ys[lo]
    }
}

/// Weighted pool-adjacent-violators: the non-decreasing fit minimising `Σ w·(f − y)²`.
fn pava(y: &[f64], w: &[f64]) -> Vec<f64> {
    // Blocks of (mean, weight, length).
    let mut means: Vec<f64> = Vec::with_capacity(y.len());
    let mut weights: Vec<f64> = Vec::with_capacity(y.len());
    let mut lens: Vec<usize> = Vec::with_capacity(y.len());
    for (&v, &wt) in y.iter().zip(w) {
        means.push(v);
        weights.push(wt);
        lens.push(1);
        while means.len() >= 2 && means[means.len() - 2] >= means[means.len() - 1] {
            let (m2, w2, l2) = (
                means.pop().unwrap(),
                weights.pop().unwrap(),
                lens.pop().unwrap(),
            );
            let k = means.len() - 1;
            let total = weights[k] + w2;
            means[k] = (weights[k] * means[k] + w2 * m2) / total;
            weights[k] = total;
            lens[k] += l2;
        }
    }
    let mut out = Vec::with_capacity(y.len());
    for (m, l) in means.iter().zip(&lens) {
        out.extend(std::iter::repeat_n(*m, *l));
    }
    out
}

/// The calibration method (scikit-learn's `CalibratedClassifierCV(method=...)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalibrationMethod {
    /// Platt scaling ([`PlattCalibrator`]).
    Sigmoid,
    /// Isotonic regression ([`IsotonicCalibrator`]).
    Isotonic,
}

/// One group's fitted calibrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Calibrator {
    /// Platt scaling.
    Sigmoid(PlattCalibrator),
    /// Isotonic regression.
    Isotonic(IsotonicCalibrator),
}

impl Calibrator {
    /// The calibrated probability of `score`.
    pub fn transform(&self, score: f64) -> f64 {
        match self {
            Calibrator::Sigmoid(p) => p.transform(score),
            Calibrator::Isotonic(i) => i.transform(score),
        }
    }
}

/// Calibrators fitted separately in every group. Saved inside mitigated model files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCalibrator {
    /// The method.
    pub method: CalibrationMethod,
    /// Group names, indexed by the fit-time group code.
    pub groups: Vec<String>,
    /// One calibrator per group (same order as `groups`).
    pub calibrators: Vec<Calibrator>,
}

impl GroupCalibrator {
    /// Fits `method` on each group's rows of `scores`, 0/1 labels `y` and optional weights.
    /// An error names a group without rows (or, for Platt, with a single distinct score).
    pub fn fit(
        method: CalibrationMethod,
        scores: &[f64],
        y: &[f64],
        groups: &Groups,
        sample_weight: Option<&[f64]>,
    ) -> Result<GroupCalibrator, MitigationError> {
        check_fit_inputs(scores, y, groups, sample_weight)?;
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); groups.n_groups()];
        for (i, &c) in groups.codes.iter().enumerate() {
            rows[c as usize].push(i);
        }
        let mut calibrators = Vec::with_capacity(rows.len());
        for (g, r) in rows.iter().enumerate() {
            let name = &groups.names[g];
            let s: Vec<f64> = r.iter().map(|&i| scores[i]).collect();
            let t: Vec<f64> = r.iter().map(|&i| y[i]).collect();
            let w: Option<Vec<f64>> = sample_weight.map(|w| r.iter().map(|&i| w[i]).collect());
            if s.is_empty() || w.as_ref().is_some_and(|w| w.iter().all(|&v| v == 0.0)) {
                return Err(MitigationError::Data(format!(
                    "group '{name}' has no rows (with positive weight) to calibrate on"
                )));
            }
            let in_group = |e: MitigationError| match e {
                MitigationError::Data(m) => MitigationError::Data(format!("group '{name}': {m}")),
                other => other,
            };
            calibrators.push(match method {
                CalibrationMethod::Sigmoid => Calibrator::Sigmoid(
                    PlattCalibrator::fit(&s, &t, w.as_deref()).map_err(in_group)?,
                ),
                CalibrationMethod::Isotonic => Calibrator::Isotonic(
                    IsotonicCalibrator::fit(&s, &t, w.as_deref()).map_err(in_group)?,
                ),
            });
        }
        Ok(GroupCalibrator {
            method,
            groups: groups.names.clone(),
            calibrators,
        })
    }

    /// The calibrated probability of one row; `group` is the fit-time group code.
    pub fn transform(&self, score: f64, group: u32) -> Result<f64, MitigationError> {
        apply_one(&self.calibrators, score, group, |c, s| c.transform(s))
    }

    /// Calibrated probabilities of every row (fit-time group codes).
    pub fn transform_all(
        &self,
        scores: &[f64],
        group_codes: &[u32],
    ) -> Result<Vec<f64>, MitigationError> {
        apply_all(&self.calibrators, scores, group_codes, |c, s| {
            c.transform(s)
        })
    }

    /// Fit-time group codes of new data, matched by name; an error names every group not
    /// seen at fit time.
    pub fn codes_for(&self, groups: &Groups) -> Result<Vec<u32>, MitigationError> {
        recode_groups(&self.groups, groups)
    }
}

/// How [`calibration_curve`] places its bin edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinStrategy {
    /// Equal-width bins on [0, 1].
    Uniform,
    /// Edges at the quantiles of the predicted probabilities.
    Quantile,
}

/// A reliability diagram: for every non-empty bin, the fraction of positives and the mean
/// predicted probability (scikit-learn's `calibration_curve` outputs `prob_true`,
/// `prob_pred`), plus the edges and counts behind them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CalibrationCurve {
    /// The `n_bins + 1` bin edges (possibly repeated for `quantile`).
    pub bin_edges: Vec<f64>,
    /// Indices (0-based) of the non-empty bins, in order; the entries below belong to them.
    pub bins: Vec<usize>,
    /// Rows in each non-empty bin.
    pub counts: Vec<usize>,
    /// Fraction of positive labels in each non-empty bin.
    pub prob_true: Vec<f64>,
    /// Mean predicted probability in each non-empty bin.
    pub prob_pred: Vec<f64>,
}

/// scikit-learn's `calibration_curve(y_true, y_prob, n_bins, strategy)` for 0/1 labels.
/// Probabilities must lie in [0, 1].
pub fn calibration_curve(
    y: &[f64],
    prob: &[f64],
    n_bins: usize,
    strategy: BinStrategy,
) -> Result<CalibrationCurve, MitigationError> {
    check_scores(prob)?;
    check_len("labels", prob.len(), y.len())?;
    check_labels(y)?;
    if n_bins == 0 {
        return Err(MitigationError::Parameter(
            "n_bins must be at least 1 (scikit-learn's default is 5)".into(),
        ));
    }
    if let Some(row) = prob.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(MitigationError::Data(format!(
            "row {row}: probability {} is outside [0, 1]",
            prob[row]
        )));
    }
    let step = 1.0 / n_bins as f64;
    let mut grid: Vec<f64> = (0..=n_bins).map(|k| k as f64 * step).collect();
    grid[n_bins] = 1.0;
    let bin_edges = match strategy {
        BinStrategy::Uniform => grid,
        BinStrategy::Quantile => {
            let mut sorted = prob.to_vec();
            sorted.sort_by(f64::total_cmp);
            grid.iter()
                .map(|&q| percentile_linear(&sorted, q * 100.0 / 100.0))
                .collect()
        }
    };
    let inner = &bin_edges[1..n_bins];
    let mut sums = vec![0.0; n_bins];
    let mut trues = vec![0.0; n_bins];
    let mut totals = vec![0usize; n_bins];
    for (&p, &t) in prob.iter().zip(y) {
        let bin = inner.partition_point(|&e| e < p);
        sums[bin] += p;
        trues[bin] += t;
        totals[bin] += 1;
    }
    let mut curve = CalibrationCurve {
        bin_edges,
        bins: Vec::new(),
        counts: Vec::new(),
        prob_true: Vec::new(),
        prob_pred: Vec::new(),
    };
    for k in 0..n_bins {
        if totals[k] != 0 {
            curve.bins.push(k);
            curve.counts.push(totals[k]);
            curve.prob_true.push(trues[k] / totals[k] as f64);
            curve.prob_pred.push(sums[k] / totals[k] as f64);
        }
    }
    Ok(curve)
}

/// [`calibration_curve`] computed separately in every group (in group-code order).
pub fn group_calibration_curves(
    y: &[f64],
    prob: &[f64],
    groups: &Groups,
    n_bins: usize,
    strategy: BinStrategy,
) -> Result<Vec<CalibrationCurve>, MitigationError> {
    check_len("groups", prob.len(), groups.codes.len())?;
    check_codes(&groups.codes, groups.n_groups())?;
    let mut out = Vec::with_capacity(groups.n_groups());
    for (g, name) in groups.names.iter().enumerate() {
        let rows: Vec<usize> = (0..prob.len())
            .filter(|&i| groups.codes[i] as usize == g)
            .collect();
        if rows.is_empty() {
            return Err(MitigationError::Data(format!("group '{name}' has no rows")));
        }
        let p: Vec<f64> = rows.iter().map(|&i| prob[i]).collect();
        let t: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
        out.push(
            calibration_curve(&t, &p, n_bins, strategy).map_err(|e| match e {
                MitigationError::Data(m) => MitigationError::Data(format!("group '{name}': {m}")),
                other => other,
            })?,
        );
    }
    Ok(out)
}

/// `np.percentile(a, 100·q)` with the default linear method, on sorted data, with numpy's
/// operations: virtual index `(n − 1)·q`, neighbours `floor` and `floor + 1` (both the last
/// element at or beyond it), and numpy's `_lerp`.
fn percentile_linear(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let vi = (n as f64 - 1.0) * q;
    if vi >= (n - 1) as f64 {
        return sorted[n - 1];
    }
    let prev = vi.floor();
    let a = sorted[prev as usize];
    let b = sorted[prev as usize + 1];
    let t = vi - prev;
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pava_pools_violators_with_weights() {
        assert_eq!(
            pava(&[1.0, 3.0, 2.0, 4.0], &[1.0; 4]),
            vec![1.0, 2.5, 2.5, 4.0]
        );
        assert_eq!(pava(&[3.0, 1.0], &[1.0, 3.0]), vec![1.5, 1.5]);
        assert_eq!(pava(&[0.0, 1.0], &[1.0, 1.0]), vec![0.0, 1.0]);
    }

    #[test]
    fn isotonic_clips_and_interpolates() {
        let s = [0.1, 0.2, 0.3, 0.4];
        let y = [0.0, 1.0, 0.0, 1.0];
        let iso = IsotonicCalibrator::fit(&s, &y, None).unwrap();
        assert_eq!(iso.transform(0.0), 0.0);
        assert_eq!(iso.transform(0.2), 0.5);
        assert_eq!(iso.transform(0.9), 1.0);
        assert!((iso.transform(0.35) - 0.75).abs() < 1e-15);
    }

    #[test]
    fn platt_is_monotone_and_rejects_constant_scores() {
        let s: Vec<f64> = (0..50).map(|i| i as f64 / 49.0).collect();
        let y: Vec<f64> = (0..50)
            .map(|i| f64::from(u8::from(i % 3 != 0 && i > 15)))
            .collect();
        let p = PlattCalibrator::fit(&s, &y, None).unwrap();
        assert!(p.a < 0.0);
        assert!(p.transform(0.9) > p.transform(0.1));
        let e = PlattCalibrator::fit(&[0.5; 4], &[0.0, 1.0, 0.0, 1.0], None).unwrap_err();
        assert!(e.to_string().contains("distinct"), "{e}");
    }

    #[test]
    fn calibration_curve_drops_empty_bins() {
        let y = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let p = [0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1.0];
        // scikit-learn's docstring example.
        let c = calibration_curve(&y, &p, 3, BinStrategy::Uniform).unwrap();
        assert_eq!(c.prob_true, vec![0.0, 0.5, 1.0]);
        // numpy prints 0.2; the stored value is (0.1 + 0.2 + 0.3) / 3.
        assert_eq!(c.prob_pred, vec![0.20000000000000004, 0.525, 0.85]);
        let c = calibration_curve(&y, &p, 10, BinStrategy::Uniform).unwrap();
        // Edges k·0.1: 0.1 sits on an edge (bin 0), 0.7 just below 7·0.1 (bin 6), as numpy.
        assert_eq!(c.bins, vec![0, 1, 2, 3, 6, 7, 8, 9]);
        assert!(calibration_curve(&y, &[1.5; 9], 3, BinStrategy::Uniform).is_err());
        assert!(calibration_curve(&y, &p, 0, BinStrategy::Quantile).is_err());
    }

    #[test]
    fn group_calibrator_names_bad_groups() {
        let g = Groups::new(vec![0, 0, 1, 1], vec!["a".into(), "b".into()]).unwrap();
        let e = GroupCalibrator::fit(
            CalibrationMethod::Sigmoid,
            &[0.1, 0.9, 0.5, 0.5],
            &[0.0, 1.0, 0.0, 1.0],
            &g,
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("group 'b'"), "{e}");
        let e = GroupCalibrator::fit(
            CalibrationMethod::Isotonic,
            &[0.1, 0.9, 0.5, 0.5],
            &[0.0, 1.0, 0.0, 3.0],
            &g,
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("row 3"), "{e}");
        let fitted = GroupCalibrator::fit(
            CalibrationMethod::Isotonic,
            &[0.1, 0.9, 0.4, 0.6],
            &[0.0, 1.0, 0.0, 1.0],
            &g,
            None,
        )
        .unwrap();
        let new = Groups::new(vec![0, 1], vec!["a".into(), "x".into()]).unwrap();
        let e = fitted.codes_for(&new).unwrap_err();
        assert!(e.to_string().contains("'x'"), "{e}");
        let text = serde_json::to_string(&fitted).unwrap();
        assert_eq!(
            serde_json::from_str::<GroupCalibrator>(&text).unwrap(),
            fitted
        );
    }

    #[test]
    fn integer_weights_equal_repeated_rows() {
        let n = 300;
        let s: Vec<f64> = (0..n)
            .map(|i| ((i * 37 % 101) as f64 / 100.0 * 20.0).round() / 20.0)
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|i| {
                f64::from(u8::from(
                    (i * 37 % 101) as f64 / 100.0 + ((i * 13 % 7) as f64 - 3.0) / 10.0 > 0.5,
                ))
            })
            .collect();
        let w: Vec<f64> = (0..n).map(|i| (i % 3 + 1) as f64).collect();
        let (mut rs, mut ry) = (Vec::new(), Vec::new());
        for i in 0..n {
            for _ in 0..w[i] as usize {
                rs.push(s[i]);
                ry.push(y[i]);
            }
        }
        let a = PlattCalibrator::fit(&s, &y, Some(&w)).unwrap();
        let b = PlattCalibrator::fit(&rs, &ry, None).unwrap();
        assert!(
            (a.a - b.a).abs() < 1e-9 && (a.b - b.b).abs() < 1e-9,
            "{a:?} {b:?}"
        );
        let a = IsotonicCalibrator::fit(&s, &y, Some(&w)).unwrap();
        let b = IsotonicCalibrator::fit(&rs, &ry, None).unwrap();
        assert_eq!(a.x_thresholds, b.x_thresholds);
        for (u, v) in a.y_thresholds.iter().zip(&b.y_thresholds) {
            assert!((u - v).abs() < 1e-12);
        }
        // Zero weights drop rows.
        let mut w0 = w.clone();
        w0[0] = 0.0;
        let c = IsotonicCalibrator::fit(&s, &y, Some(&w0)).unwrap();
        let d = IsotonicCalibrator::fit(&s[1..], &y[1..], Some(&w[1..])).unwrap();
        assert_eq!(c, d);
    }
}
