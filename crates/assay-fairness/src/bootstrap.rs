//! Bootstrap over sufficient statistics, without materialising resamples.
//!
//! Resampling n rows with replacement and recomputing a statistic that
//! depends on the rows only through cell counts is the same as drawing the
//! cell counts from Multinomial(n, n_c / n) (Efron & Tibshirani 1993, §6).
//! Cells are (group × label × prediction) for the rate metrics, and
//! (group × label × score bin) for the score metrics; a multinomial draw
//! over a few thousand cells replaces a pass over n rows, so B = 1000
//! replicates of 10 million rows take well under a second.
//!
//! Two approximations, both stated in the report's notes when they apply:
//! * with sample weights, a cell's resampled weight is m·μ + √m·σ·Z (the
//!   normal approximation of a sum of m weights drawn from the cell, with μ
//!   and σ the cell's weight mean and standard deviation); exact for
//!   unweighted data;
//! * when a (group, label) has more distinct scores than [`SCORE_BINS`],
//!   scores are grouped into that many quantile bins (never splitting ties
//!   or calibration bins) and the interval is shifted by the difference
//!   between the exact estimate and the binned one.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, StandardNormal};

/// Largest number of score bins per (group, label) before coarsening.
pub const SCORE_BINS: usize = 256;

/// Sufficient statistics of one resampling cell.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cell {
    /// Rows.
    pub n: u64,
    /// Σ w.
    pub w: f64,
    /// Σ w².
    pub w2: f64,
}

/// A replicate's resampled weight of each cell, for cells drawn together.
pub struct Resampler {
    seed: u64,
    weighted: bool,
}

impl Resampler {
    /// A resampler; `weighted` turns on the within-cell weight approximation.
    pub fn new(seed: u64, weighted: bool) -> Self {
        Resampler { seed, weighted }
    }

    /// The random number generator of replicate `r`: one ChaCha8 stream per
    /// replicate, so results do not depend on the number of threads.
    pub fn rng(&self, r: usize) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(r as u64);
        rng
    }

    /// Draws the cells' resampled weights into `out` (a total of Σ n rows,
    /// multinomially over the cells); returns nothing, fills `out`.
    pub fn draw(&self, rng: &mut ChaCha8Rng, cells: &[Cell], out: &mut Vec<f64>) {
        out.clear();
        let total: u64 = cells.iter().map(|c| c.n).sum();
        let mut rem_n = total;
        let mut rem_total = total;
        for c in cells {
            let m = if rem_n == 0 || c.n == 0 {
                0
            } else if c.n >= rem_total {
                rem_n
            } else {
                let p = c.n as f64 / rem_total as f64;
                match Binomial::new(rem_n, p) {
                    Ok(b) => b.sample(rng),
                    Err(_) => 0,
                }
            };
            rem_n -= m;
            rem_total -= c.n;
            out.push(self.weight_of(rng, c, m));
        }
    }

    fn weight_of(&self, rng: &mut impl Rng, c: &Cell, m: u64) -> f64 {
        if m == 0 {
            return 0.0;
        }
        if !self.weighted {
            return m as f64;
        }
        let n = c.n as f64;
        let mu = c.w / n;
        let var = (c.w2 / n - mu * mu).max(0.0);
        let z: f64 = StandardNormal.sample(rng);
        let m = m as f64;
        (m * mu + m.sqrt() * var.sqrt() * z).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_sum_to_total_and_are_deterministic() {
        let cells = vec![
            Cell {
                n: 10,
                w: 10.0,
                w2: 10.0,
            },
            Cell {
                n: 0,
                w: 0.0,
                w2: 0.0,
            },
            Cell {
                n: 90,
                w: 90.0,
                w2: 90.0,
            },
        ];
        let r = Resampler::new(7, false);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        r.draw(&mut r.rng(3), &cells, &mut a);
        r.draw(&mut r.rng(3), &cells, &mut b);
        assert_eq!(a, b);
        assert_eq!(a.iter().sum::<f64>(), 100.0);
        assert_eq!(a[1], 0.0);
    }

    #[test]
    fn multinomial_mean_is_right() {
        let cells = vec![
            Cell {
                n: 30,
                w: 30.0,
                w2: 30.0,
            },
            Cell {
                n: 70,
                w: 70.0,
                w2: 70.0,
            },
        ];
        let r = Resampler::new(1, false);
        let mut out = Vec::new();
        let mut s = 0.0;
        for i in 0..4000 {
            r.draw(&mut r.rng(i), &cells, &mut out);
            s += out[0];
        }
        let mean = s / 4000.0;
        // sd of the mean: sqrt(100 * 0.3 * 0.7 / 4000) ≈ 0.072
        assert!((mean - 30.0).abs() < 0.4, "{mean}");
    }
}
