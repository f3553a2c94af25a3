//! Feature binning: every feature's values are mapped to at most `max_bins` ordered bins whose
//! edges are (weighted) quantiles of the training data, plus one bin for missing values (NaN),
//! as in LightGBM (Ke et al. 2017, section 2, "histogram-based algorithm") and scikit-learn's
//! `HistGradientBoosting` (whose missing values also get a bin of their own).

use rayon::prelude::*;

use crate::learners::Matrix;

/// The binned training matrix.
pub(super) struct Binned {
    /// Number of rows.
    pub n_rows: usize,
    /// Bin codes, column-major: `codes[j * n_rows + i]` is the bin of row `i`, feature `j`.
    /// Non-missing values have bins `0..uppers[j].len() + 1`; NaN has bin `uppers[j].len() + 1`.
    pub codes: Vec<u8>,
    /// Upper edges of each feature's bins but the last: value `v` is in bin `b` iff
    /// `uppers[b - 1] < v <= uppers[b]` (with `uppers[-1] = -∞` and `uppers[len] = +∞`), so
    /// "bin ≤ b" is exactly "`v <= uppers[b]`", the rule the trees store.
    pub uppers: Vec<Vec<f64>>,
    /// First histogram slot of each feature; feature `j` has `uppers[j].len() + 2` slots (the
    /// last one for missing values).
    pub offsets: Vec<usize>,
    /// Histogram slots over all features.
    pub total_slots: usize,
}

impl Binned {
    /// Number of non-missing bins of feature `j` (its missing bin is this index).
    pub fn n_bins(&self, j: usize) -> usize {
        self.uppers[j].len() + 1
    }

    /// The codes of feature `j`.
    pub fn column(&self, j: usize) -> &[u8] {
        &self.codes[j * self.n_rows..(j + 1) * self.n_rows]
    }
}

/// A threshold strictly between `a < b`, as close to the middle as `f64` allows (never `b`).
fn between(a: f64, b: f64) -> f64 {
    let m = a + (b - a) / 2.0;
    if m < b && m >= a {
        m
    } else {
        a
    }
}

/// The upper edges of one feature's bins from its (value, weight) pairs (NaN excluded).
fn edges(mut values: Vec<(f64, f64)>, max_bins: usize) -> Vec<f64> {
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Distinct values with their weight sums.
    let mut distinct: Vec<(f64, f64)> = Vec::new();
    for (v, w) in values {
        match distinct.last_mut() {
            Some(last) if last.0 == v => last.1 += w,
            _ => distinct.push((v, w)),
        }
    }
    if distinct.len() <= max_bins {
        return distinct
            .windows(2)
            .map(|p| between(p[0].0, p[1].0))
            .collect();
    }
    // Greedy weighted quantiles: close a bin once the cumulative weight reaches the next
    // multiple of total / max_bins.
    let total: f64 = distinct.iter().map(|d| d.1).sum();
    let step = total / max_bins as f64;
    let mut uppers = Vec::with_capacity(max_bins - 1);
    let mut cum = 0.0;
    for k in 0..distinct.len() - 1 {
        cum += distinct[k].1;
        if uppers.len() + 1 < max_bins && cum >= step * (uppers.len() + 1) as f64 {
            uppers.push(between(distinct[k].0, distinct[k + 1].0));
        }
    }
    uppers
}

/// Bins every column of `x` (NaN = missing) into at most `max_bins` (2..=255) non-missing bins.
pub(super) fn bin(x: &Matrix, weights: Option<&[f64]>, max_bins: usize) -> Binned {
    let (n, d) = (x.n_rows(), x.n_cols());
    let data = x.data();
    let per_feature: Vec<(Vec<f64>, Vec<u8>)> = (0..d)
        .into_par_iter()
        .map(|j| {
            let pairs: Vec<(f64, f64)> = (0..n)
                .filter(|&i| !data[i * d + j].is_nan())
                .map(|i| (data[i * d + j], weights.map_or(1.0, |w| w[i])))
                .collect();
            let uppers = edges(pairs, max_bins);
            let missing = (uppers.len() + 1) as u8;
            let codes = (0..n)
                .map(|i| {
                    let v = data[i * d + j];
                    if v.is_nan() {
                        missing
                    } else {
                        uppers.partition_point(|&u| u < v) as u8
                    }
                })
                .collect();
            (uppers, codes)
        })
        .collect();
    let mut codes = Vec::with_capacity(n * d);
    let mut uppers = Vec::with_capacity(d);
    let mut offsets = Vec::with_capacity(d);
    let mut total_slots = 0;
    for (u, c) in per_feature {
        offsets.push(total_slots);
        total_slots += u.len() + 2;
        uppers.push(u);
        codes.extend_from_slice(&c);
    }
    Binned {
        n_rows: n,
        codes,
        uppers,
        offsets,
        total_slots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_their_own_bins() {
        let x = [3.0, 1.0, f64::NAN, 2.0, 1.0];
        let m = Matrix::new(&x, 1).unwrap();
        let b = bin(&m, None, 255);
        assert_eq!(b.uppers[0], vec![1.5, 2.5]);
        assert_eq!(b.codes, vec![2, 0, 3, 1, 0]);
    }

    #[test]
    fn quantile_edges_respect_max_bins() {
        let x: Vec<f64> = (0..1000).map(f64::from).collect();
        let m = Matrix::new(&x, 1).unwrap();
        let b = bin(&m, None, 10);
        assert_eq!(b.n_bins(0), 10);
        let mut counts = [0usize; 10];
        for &c in b.column(0) {
            counts[c as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c == 100), "{counts:?}");
    }
}
