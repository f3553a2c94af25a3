//! LIME for tabular data (Ribeiro, Singh & Guestrin 2016), as the `lime` package's
//! `LimeTabularExplainer` (lime 0.2.0.1) with `discretize_continuous=True` and the quartile
//! discretizer.
//!
//! * **Discretizer**: every continuous column is cut at its 25th, 50th and 75th percentiles
//!   (numpy's `percentile`, linear interpolation, duplicates removed); a value's bin is the
//!   number of edges strictly below it (`searchsorted`, side left). Each bin keeps the mean,
//!   the population standard deviation (+1e-11), and its bounds (the column's minimum or the
//!   lower edge; the upper edge or the column's maximum) over the training data.
//! * **Neighbourhood**: `num_samples` rows; the first is the row itself. In every other row each
//!   column independently draws a bin (categorical columns: a value) with the training
//!   frequencies; its interpretable representation is 1 when that is the row's bin (value),
//!   else 0. The model is scored on the "inverse": a value drawn from the normal with the
//!   bin's mean and standard deviation truncated to the bin's bounds (categorical columns: the
//!   value).
//! * **Weights**: `sqrt(exp(−d²/w²))` with `d` the Euclidean distance between the binary
//!   representations of the sample and of the row (lime's scaler leaves binary columns
//!   unscaled), `w = kernel_width`, by default `0.75 √(columns)`.
//! * **Feature selection** (`auto`: forward selection for at most 6 features, otherwise
//!   highest weights), then scikit-learn's `Ridge(alpha=1, fit_intercept=True)` with the sample
//!   weights on the selected binary columns. Reported: the selected features with their
//!   weights (by decreasing absolute weight), the intercept, the local prediction at the row
//!   and the fidelity score (weighted R² of the ridge on the neighbourhood, lime's `score`).
//!
//! Differences from lime: the random stream is ChaCha8 seeded with the seed and the row index
//! (lime uses numpy's Mersenne Twister, which cannot be reproduced), so samples, and hence
//! weights, differ by sampling noise; the truncated normal is drawn by rejection (the bin's
//! bounds contain its mean and span at least two standard deviations, so at least 47% of the
//! draws are accepted). Where a bin's bounds coincide (a bin holding a single value at the
//! column's minimum), lime returns the standardised bound `(min − mean)/std` (0) instead of the
//! value; here the value itself is returned.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{check_len, ExplainError};
use crate::predict::Predict;
use crate::shap::kernel_linalg::solve_symmetric;

/// How LIME picks the features of the explanation (lime's `feature_selection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeatureSelection {
    /// Forward selection when `num_features ≤ 6`, else highest weights.
    Auto,
    /// Greedy: add the feature whose unregularised weighted least-squares fit scores best.
    ForwardSelection,
    /// The largest |coefficient| of a Ridge(alpha=0.01) fit on all features.
    HighestWeights,
    /// All features.
    None,
}

/// Settings of a LIME explanation (lime's `explain_instance` arguments).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LimeConfig {
    /// Maximum number of features in an explanation (lime default 10).
    pub num_features: usize,
    /// Size of the neighbourhood (lime default 5000).
    pub num_samples: usize,
    /// Width of the exponential kernel; `None`: `0.75 √(columns)`.
    pub kernel_width: Option<f64>,
    /// Feature selection.
    pub feature_selection: FeatureSelection,
    /// Seed of the sampling (row `i` of a batch uses stream `i`).
    pub seed: u64,
}

impl Default for LimeConfig {
    fn default() -> Self {
        LimeConfig {
            num_features: 10,
            num_samples: 5000,
            kernel_width: None,
            feature_selection: FeatureSelection::Auto,
            seed: 0,
        }
    }
}

/// Quartile bins of one continuous column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuartileBins {
    /// The distinct quartile edges, ascending (lime's `qts`).
    pub edges: Vec<f64>,
    /// Mean of the training values in every bin (`edges.len() + 1` bins; 0 when empty).
    pub means: Vec<f64>,
    /// Population standard deviation + 1e-11 of every bin.
    pub stds: Vec<f64>,
    /// Lower bound of every bin: the column minimum, then the edges.
    pub mins: Vec<f64>,
    /// Upper bound of every bin: the edges, then the column maximum.
    pub maxs: Vec<f64>,
}

impl QuartileBins {
    /// Bins of `values` (finite).
    pub fn fit(values: &[f64]) -> QuartileBins {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut edges: Vec<f64> = [0.25, 0.5, 0.75]
            .iter()
            .map(|&q| numpy_percentile_linear(&sorted, q))
            .collect();
        edges.dedup();
        let nb = edges.len() + 1;
        let mut sums = vec![0.0; nb];
        let mut counts = vec![0usize; nb];
        let bins: Vec<usize> = values.iter().map(|&v| bin_of(&edges, v)).collect();
        for (&b, &v) in bins.iter().zip(values) {
            sums[b] += v;
            counts[b] += 1;
        }
        let means: Vec<f64> = (0..nb)
            .map(|b| {
                if counts[b] == 0 {
                    0.0
                } else {
                    sums[b] / counts[b] as f64
                }
            })
            .collect();
        let mut ss = vec![0.0; nb];
        for (&b, &v) in bins.iter().zip(values) {
            ss[b] += (v - means[b]) * (v - means[b]);
        }
        let stds = (0..nb)
            .map(|b| {
                let s = if counts[b] == 0 {
                    0.0
                } else {
                    (ss[b] / counts[b] as f64).sqrt()
                };
                s + 1e-11
            })
            .collect();
        let mut mins = vec![sorted[0]];
        mins.extend_from_slice(&edges);
        let mut maxs = edges.clone();
        maxs.push(sorted[sorted.len() - 1]);
        QuartileBins {
            edges,
            means,
            stds,
            mins,
            maxs,
        }
    }

    /// The bin of `v`: the number of edges strictly below it.
    pub fn bin(&self, v: f64) -> usize {
        bin_of(&self.edges, v)
    }

    /// lime's description of bin `b` of the column `name`.
    pub fn describe(&self, name: &str, b: usize) -> String {
        let n = self.edges.len();
        if b == 0 {
            format!("{name} <= {:.2}", self.edges[0])
        } else if b >= n {
            format!("{name} > {:.2}", self.edges[n - 1])
        } else {
            format!("{:.2} < {name} <= {:.2}", self.edges[b - 1], self.edges[b])
        }
    }

    /// A value of bin `b`: the bin's normal truncated to its bounds.
    fn sample(&self, b: usize, rng: &mut ChaCha8Rng) -> f64 {
        let (lo, hi, mean, std) = (self.mins[b], self.maxs[b], self.means[b], self.stds[b]);
        if lo == hi {
            return lo;
        }
        loop {
            let z: f64 = rng.sample(StandardNormal);
            let v = mean + std * z;
            if v >= lo && v <= hi {
                return v;
            }
        }
    }
}

fn bin_of(edges: &[f64], v: f64) -> usize {
    edges.iter().take_while(|&&e| e < v).count()
}

/// numpy's `percentile(x, 100 q)` with the default linear method, on sorted data.
fn numpy_percentile_linear(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let virtual_index = (n as f64 - 1.0) * q;
    let prev = virtual_index.floor();
    let gamma = virtual_index - prev;
    let i = (prev as usize).min(n - 1);
    let j = (i + 1).min(n - 1);
    let (a, b) = (sorted[i], sorted[j]);
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// One column's sampling distribution: its values (bins for continuous columns) and
/// frequencies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ColumnValues {
    values: Vec<f64>,
    cdf: Vec<f64>,
}

/// A LIME tabular explainer fitted on training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimeTabularExplainer {
    /// Column names.
    pub feature_names: Vec<String>,
    /// Quartile bins of every continuous column (`None` for categorical columns).
    pub bins: Vec<Option<QuartileBins>>,
    columns: Vec<ColumnValues>,
}

/// One feature of an explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimeFeature {
    /// Column index.
    pub index: usize,
    /// lime's description: the row's bin (`age <= 37.00`) or value (`sex=1`).
    pub description: String,
    /// Ridge coefficient of the binary "same bin (value) as the row" feature.
    pub weight: f64,
}

/// A LIME explanation of one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimeExplanation {
    /// The selected features, by decreasing absolute weight.
    pub features: Vec<LimeFeature>,
    /// Intercept of the local ridge.
    pub intercept: f64,
    /// The ridge's prediction at the row (lime's `local_pred`).
    pub local_prediction: f64,
    /// Fidelity: weighted R² of the ridge on the neighbourhood (lime's `score`).
    pub score: f64,
    /// The model's output at the row.
    pub prediction: f64,
}

impl LimeTabularExplainer {
    /// Fits the discretizer and the sampling distributions on the row-major training data
    /// (`n_rows × feature_names.len()`, finite values); `categorical` lists the columns that
    /// are categorical (compared by value, not discretized).
    pub fn new(
        training: &[f64],
        n_rows: usize,
        feature_names: Vec<String>,
        categorical: &[usize],
    ) -> Result<LimeTabularExplainer, ExplainError> {
        let p = feature_names.len();
        if n_rows == 0 {
            return Err(ExplainError::Empty("training data"));
        }
        check_len("training data", n_rows * p, training.len())?;
        if let Some(i) = training.iter().position(|v| !v.is_finite()) {
            return Err(ExplainError::Data(format!(
                "training row {} column {} is not finite",
                i / p,
                i % p
            )));
        }
        if let Some(&c) = categorical.iter().find(|&&c| c >= p) {
            return Err(ExplainError::Parameter(format!(
                "categorical column {c} does not exist ({p} columns)"
            )));
        }
        let mut bins = Vec::with_capacity(p);
        let mut columns = Vec::with_capacity(p);
        for j in 0..p {
            let col: Vec<f64> = (0..n_rows).map(|i| training[i * p + j]).collect();
            let (b, coded): (Option<QuartileBins>, Vec<f64>) = if categorical.contains(&j) {
                (None, col)
            } else {
                let b = QuartileBins::fit(&col);
                let coded = col.iter().map(|&v| b.bin(v) as f64).collect();
                (Some(b), coded)
            };
            let mut sorted = coded;
            sorted.sort_by(f64::total_cmp);
            let mut values = Vec::new();
            let mut counts = Vec::new();
            for v in sorted {
                if values.last() == Some(&v) {
                    *counts.last_mut().expect("value counted") += 1usize;
                } else {
                    values.push(v);
                    counts.push(1usize);
                }
            }
            let mut acc = 0usize;
            let cdf = counts
                .iter()
                .map(|c| {
                    acc += c;
                    acc as f64 / n_rows as f64
                })
                .collect();
            bins.push(b);
            columns.push(ColumnValues { values, cdf });
        }
        Ok(LimeTabularExplainer {
            feature_names,
            bins,
            columns,
        })
    }

    /// Number of columns.
    pub fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    /// Explains the `n_rows` rows of the row-major `x` (in parallel; row `i` samples with
    /// stream `i` of the seed).
    pub fn explain_rows<P: Predict + ?Sized>(
        &self,
        model: &P,
        x: &[f64],
        n_rows: usize,
        config: &LimeConfig,
    ) -> Result<Vec<LimeExplanation>, ExplainError> {
        let p = self.n_features();
        check_len("rows to explain", n_rows * p, x.len())?;
        (0..n_rows)
            .into_par_iter()
            .map(|i| self.explain_stream(model, &x[i * p..(i + 1) * p], config, i as u64))
            .collect()
    }

    /// Explains one row (stream 0 of the seed).
    pub fn explain<P: Predict + ?Sized>(
        &self,
        model: &P,
        row: &[f64],
        config: &LimeConfig,
    ) -> Result<LimeExplanation, ExplainError> {
        self.explain_stream(model, row, config, 0)
    }

    fn explain_stream<P: Predict + ?Sized>(
        &self,
        model: &P,
        row: &[f64],
        config: &LimeConfig,
        stream: u64,
    ) -> Result<LimeExplanation, ExplainError> {
        let p = self.n_features();
        check_len("row", p, row.len())?;
        check_len("model columns", p, model.n_features())?;
        if config.num_samples < 2 {
            return Err(ExplainError::Parameter(
                "num_samples must be at least 2".into(),
            ));
        }
        if config.num_features == 0 {
            return Err(ExplainError::Parameter(
                "num_features must be at least 1".into(),
            ));
        }
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            return Err(ExplainError::Data(format!(
                "column {j} of the row is not finite"
            )));
        }
        let kernel_width = config.kernel_width.unwrap_or((p as f64).sqrt() * 0.75);
        if !(kernel_width.is_finite() && kernel_width > 0.0) {
            return Err(ExplainError::Parameter(
                "kernel_width must be positive".into(),
            ));
        }
        let n = config.num_samples;
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        rng.set_stream(stream);
        let first: Vec<f64> = (0..p)
            .map(|j| match &self.bins[j] {
                Some(b) => b.bin(row[j]) as f64,
                None => row[j],
            })
            .collect();
        let mut binary = vec![1.0; n * p];
        let mut inverse = vec![0.0; n * p];
        inverse[..p].copy_from_slice(row);
        // Column by column, as lime draws them.
        for j in 0..p {
            let col = &self.columns[j];
            for i in 1..n {
                let u: f64 = rng.random();
                let k = col
                    .cdf
                    .iter()
                    .position(|&c| u < c)
                    .unwrap_or(col.values.len() - 1);
                let v = col.values[k];
                binary[i * p + j] = if v == first[j] { 1.0 } else { 0.0 };
                inverse[i * p + j] = v;
            }
        }
        for j in 0..p {
            if let Some(b) = &self.bins[j] {
                for i in 1..n {
                    let bin = inverse[i * p + j] as usize;
                    inverse[i * p + j] = b.sample(bin, &mut rng);
                }
            }
        }
        let y = model.predict(&inverse, n)?;
        check_len("model output", n, y.len())?;
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(ExplainError::Model(format!(
                "the output for neighbourhood sample {i} is not finite"
            )));
        }
        let weights: Vec<f64> = (0..n)
            .map(|i| {
                let d2: f64 = binary[i * p..(i + 1) * p]
                    .iter()
                    .map(|&b| (b - 1.0) * (b - 1.0))
                    .sum();
                (-d2 / (kernel_width * kernel_width)).exp().sqrt()
            })
            .collect();
        let data = WeightedData::new(&binary, n, p, &y, &weights);
        let method = match config.feature_selection {
            FeatureSelection::Auto if config.num_features <= 6 => {
                FeatureSelection::ForwardSelection
            }
            FeatureSelection::Auto => FeatureSelection::HighestWeights,
            m => m,
        };
        let used: Vec<usize> = match method {
            FeatureSelection::ForwardSelection => {
                let mut used: Vec<usize> = Vec::new();
                for _ in 0..config.num_features.min(p) {
                    let mut best = 0;
                    let mut max = -100_000_000.0;
                    for f in 0..p {
                        if used.contains(&f) {
                            continue;
                        }
                        let mut cols = used.clone();
                        cols.push(f);
                        let fit = data.ridge(&cols, 0.0);
                        if fit.score > max {
                            best = f;
                            max = fit.score;
                        }
                    }
                    used.push(best);
                }
                used
            }
            FeatureSelection::HighestWeights => {
                let all: Vec<usize> = (0..p).collect();
                let fit = data.ridge(&all, 0.01);
                // coef × the row's representation (all ones); stable sort by |value|.
                let mut order: Vec<usize> = all;
                order.sort_by(|&a, &b| fit.coef[b].abs().total_cmp(&fit.coef[a].abs()));
                order.truncate(config.num_features);
                order
            }
            FeatureSelection::None | FeatureSelection::Auto => (0..p).collect(),
        };
        let fit = data.ridge(&used, 1.0);
        let local_prediction = fit.intercept + fit.coef.iter().sum::<f64>();
        let mut features: Vec<LimeFeature> = used
            .iter()
            .zip(&fit.coef)
            .map(|(&j, &w)| LimeFeature {
                index: j,
                description: match &self.bins[j] {
                    Some(b) => b.describe(&self.feature_names[j], first[j] as usize),
                    None => format!("{}={}", self.feature_names[j], row[j]),
                },
                weight: w,
            })
            .collect();
        features.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
        Ok(LimeExplanation {
            features,
            intercept: fit.intercept,
            local_prediction,
            score: fit.score,
            prediction: y[0],
        })
    }
}

/// The neighbourhood: binary design, targets, sample weights.
struct WeightedData<'a> {
    x: &'a [f64],
    n: usize,
    p: usize,
    y: &'a [f64],
    w: &'a [f64],
}

struct RidgeFit {
    coef: Vec<f64>,
    intercept: f64,
    score: f64,
}

impl<'a> WeightedData<'a> {
    fn new(x: &'a [f64], n: usize, p: usize, y: &'a [f64], w: &'a [f64]) -> Self {
        WeightedData { x, n, p, y, w }
    }

    /// scikit-learn's `Ridge(alpha, fit_intercept=True).fit(X[:, cols], y, sample_weight=w)`
    /// (weighted centring, then `(Xc'WXc + αI) β = Xc'W yc`) and its `score` (weighted R²).
    fn ridge(&self, cols: &[usize], alpha: f64) -> RidgeFit {
        let (n, p, k) = (self.n, self.p, cols.len());
        let sw: f64 = self.w.iter().sum();
        let ybar = self.y.iter().zip(self.w).map(|(y, w)| y * w).sum::<f64>() / sw;
        let xbar: Vec<f64> = cols
            .iter()
            .map(|&c| (0..n).map(|i| self.w[i] * self.x[i * p + c]).sum::<f64>() / sw)
            .collect();
        let mut a = vec![0.0; k * k];
        let mut rhs = vec![0.0; k];
        let mut xc = vec![0.0; k];
        for i in 0..n {
            let wi = self.w[i];
            for (t, &c) in cols.iter().enumerate() {
                xc[t] = self.x[i * p + c] - xbar[t];
            }
            let yc = self.y[i] - ybar;
            for s in 0..k {
                let ws = wi * xc[s];
                rhs[s] += ws * yc;
                for t in 0..k {
                    a[s * k + t] += ws * xc[t];
                }
            }
        }
        for s in 0..k {
            a[s * k + s] += alpha;
        }
        let coef = solve_symmetric(&a, &rhs, k);
        let intercept = ybar - coef.iter().zip(&xbar).map(|(c, m)| c * m).sum::<f64>();
        let mut num = 0.0;
        let mut den = 0.0;
        for i in 0..n {
            let pred = intercept
                + cols
                    .iter()
                    .zip(&coef)
                    .map(|(&c, b)| b * self.x[i * p + c])
                    .sum::<f64>();
            num += self.w[i] * (self.y[i] - pred) * (self.y[i] - pred);
            den += self.w[i] * (self.y[i] - ybar) * (self.y[i] - ybar);
        }
        let score = if den == 0.0 {
            if num == 0.0 {
                1.0
            } else {
                0.0
            }
        } else {
            1.0 - num / den
        };
        RidgeFit {
            coef,
            intercept,
            score,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_follow_numpy_linear_interpolation() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(numpy_percentile_linear(&s, 0.25), 1.75);
        assert_eq!(numpy_percentile_linear(&s, 0.5), 2.5);
        assert_eq!(numpy_percentile_linear(&s, 0.75), 3.25);
        let b = QuartileBins::fit(&[0.0, 0.0, 0.0, 0.0, 5.0]);
        assert_eq!(b.edges, vec![0.0]);
        assert_eq!(b.bin(0.0), 0);
        assert_eq!(b.bin(0.1), 1);
    }

    #[test]
    fn ridge_recovers_an_exact_linear_target() {
        let x = [0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0];
        let y: Vec<f64> = x.chunks(2).map(|r| 0.5 + 2.0 * r[0] - r[1]).collect();
        let w = [1.0, 2.0, 0.5, 1.0];
        let d = WeightedData::new(&x, 4, 2, &y, &w);
        let fit = d.ridge(&[0, 1], 0.0);
        assert!((fit.coef[0] - 2.0).abs() < 1e-12 && (fit.coef[1] + 1.0).abs() < 1e-12);
        assert!((fit.intercept - 0.5).abs() < 1e-12);
        assert!((fit.score - 1.0).abs() < 1e-12);
        // Regularisation shrinks.
        assert!(d.ridge(&[0, 1], 1.0).coef[0].abs() < 2.0);
    }
}
