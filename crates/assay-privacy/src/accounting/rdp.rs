//! Rényi differential privacy (Mironov 2017) of the subsampled Gaussian mechanism, composition
//! and conversion to (ε, δ), computed as Google's `dp_accounting.rdp` does.
//!
//! * Poisson subsampling (add/remove-one neighbours): the integer-order sum and the
//!   fractional-order two-series expansion of Mironov, Talwar and Zhang, "Rényi Differential
//!   Privacy of the Sampled Gaussian Mechanism" (2019), in log space
//!   ([`poisson_subsampled_gaussian`]).
//! * Sampling without replacement (fixed batch size, replace-one neighbours): Theorem 27 of
//!   Wang, Balle and Kasiviswanathan, "Subsampled Rényi Differential Privacy and Analytical
//!   Moments Accountant" (AISTATS 2019) ([`sampled_without_replacement_gaussian`]).
//! * Gaussian (Mironov 2017, Proposition 7), Laplace (Mironov 2017, Proposition 6) and zCDP
//!   (Bun and Steinke 2016) curves.
//! * Composition adds RDP curves order by order ([`RdpAccountant`]); conversion to (ε, δ) uses
//!   the bound of Balle, Barthe, Gaboardi, Hsu and Sato, "Hypothesis Testing Interpretations and
//!   Rényi Differential Privacy" (AISTATS 2020, Theorem 21), as `dp_accounting`'s
//!   `compute_epsilon` does ([`epsilon_from_rdp`], [`delta_from_rdp`]).

use super::validate;
use crate::PrivacyError;
use assay_numerics::special::{log_add, log_comb, log_erfc};

/// The default Rényi orders of `dp_accounting` (`DEFAULT_RDP_ORDERS`): 1.1, 1.2, …, 10.9, then
/// 11, 12, …, 63, then 128, 256, 512, 1024.
pub fn default_orders() -> Vec<f64> {
    let mut o: Vec<f64> = (1..100).map(|x| 1.0 + x as f64 / 10.0).collect();
    o.extend((11..64).map(|x| x as f64));
    o.extend([128.0, 256.0, 512.0, 1024.0]);
    o
}

/// Iteration cap of the fractional-order series; past it the order is excluded (its RDP is
/// +∞), as in `dp_accounting` (`_MAX_STEPS_LOG_A_FRAC`).
const MAX_STEPS_LOG_A_FRAC: usize = 1000;

/// log A_α for integer α (Mironov, Talwar, Zhang 2019, Section 3.3): the binomial expansion
/// Σᵢ C(α, i) qⁱ (1-q)^(α-i) exp((i² - i) / (2σ²)), summed in log space.
fn log_a_int(q: f64, sigma: f64, alpha: u64) -> f64 {
    let mut log_a = f64::NEG_INFINITY;
    let log1mq = (-q).ln_1p();
    let logq = q.ln();
    let s2 = 2.0 * (sigma * sigma);
    for i in 0..=alpha {
        let fi = i as f64;
        let log_coef_i = log_comb(alpha as f64, fi) + fi * logq + (alpha - i) as f64 * log1mq;
        let s = log_coef_i + (i * i - i) as f64 / s2;
        log_a = log_add(log_a, s);
    }
    log_a
}

/// log A_α for fractional α (Mironov, Talwar, Zhang 2019, Section 3.3): two convergent series
/// split at z₀ = σ² log(1/q - 1) + 1/2, with log erfc for the Gaussian tail masses. Returns +∞
/// when the series has not converged after [`MAX_STEPS_LOG_A_FRAC`] terms, as `dp_accounting`.
fn log_a_frac(q: f64, sigma: f64, alpha: f64) -> f64 {
    let (mut log_a0, mut log_a1) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    let z0 = sigma * sigma * (1.0 / q - 1.0).ln() + 0.5;
    let log1mq = (-q).ln_1p();
    let logq = q.ln();
    let s2 = 2.0 * (sigma * sigma);
    let sq2s = std::f64::consts::SQRT_2 * sigma;
    let (mut last_s0, mut last_s1) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for i in 0..MAX_STEPS_LOG_A_FRAC {
        let fi = i as f64;
        let log_coef = log_comb(alpha, fi);
        let j = alpha - fi;
        let log_t0 = log_coef + fi * logq + j * log1mq;
        let log_t1 = log_coef + j * logq + fi * log1mq;
        let log_e0 = 0.5f64.ln() + log_erfc((fi - z0) / sq2s);
        let log_e1 = 0.5f64.ln() + log_erfc((z0 - j) / sq2s);
        let log_s0 = log_t0 + (fi * fi - fi) / s2 + log_e0;
        let log_s1 = log_t1 + (j * j - j) / s2 + log_e1;
        log_a0 = log_add(log_a0, log_s0);
        log_a1 = log_add(log_a1, log_s1);
        let total = log_add(log_a0, log_a1);
        if log_s0 < last_s0 && log_s1 < last_s1 && log_s0.max(log_s1) < total - 30.0 {
            return total;
        }
        last_s0 = log_s0;
        last_s1 = log_s1;
    }
    f64::INFINITY
}

/// RDP of one step of the Poisson-subsampled Gaussian mechanism (sampling rate `q`, noise
/// multiplier `sigma`) at each order, under add/remove-one neighbours: log A_α / (α - 1)
/// (Mironov, Talwar, Zhang 2019, Theorem 5 and Section 3.3), α/(2σ²) when q = 1. Orders whose
/// fractional series does not converge get +∞ (excluded from the conversion).
pub fn poisson_subsampled_gaussian(
    q: f64,
    sigma: f64,
    orders: &[f64],
) -> Result<Vec<f64>, PrivacyError> {
    validate::sampling_rate(q)?;
    validate::noise_multiplier(sigma)?;
    validate::orders(orders)?;
    Ok(orders
        .iter()
        .map(|&a| {
            if a.is_infinite() {
                f64::INFINITY
            } else if q == 1.0 {
                a / (2.0 * (sigma * sigma))
            } else if a.fract() == 0.0 {
                log_a_int(q, sigma, a as u64) / (a - 1.0)
            } else {
                log_a_frac(q, sigma, a) / (a - 1.0)
            }
        })
        .collect())
}

/// RDP of one Gaussian mechanism with noise multiplier `sigma` (sensitivity 1): α / (2σ²)
/// (Mironov 2017, Proposition 7).
pub fn gaussian(sigma: f64, orders: &[f64]) -> Result<Vec<f64>, PrivacyError> {
    validate::noise_multiplier(sigma)?;
    validate::orders(orders)?;
    Ok(orders
        .iter()
        .map(|&a| a / (2.0 * (sigma * sigma)))
        .collect())
}

/// RDP of the Laplace mechanism with scale `b` times the sensitivity (ε₀ = 1/b):
/// ε₀ + log(1 + (α-1)(exp((1-2α)ε₀) - 1)/(2α-1)) / (α-1) (Mironov 2017, Proposition 6).
pub fn laplace(b: f64, orders: &[f64]) -> Result<Vec<f64>, PrivacyError> {
    if !(b.is_finite() && b > 0.0) {
        return Err(PrivacyError::InvalidLaplaceScale(b));
    }
    validate::orders(orders)?;
    let eps = 1.0 / b;
    Ok(orders
        .iter()
        .map(|&a| {
            if a < 1.1 {
                // Series of log(1 - v)/(-v) for numerical stability near α = 1.
                let c = (eps * (1.0 - 2.0 * a)).exp_m1() / (2.0 * a - 1.0);
                let v = -c * (a - 1.0);
                let mut sum = 0.0;
                let mut pw = 1.0;
                for k in 1..100 {
                    sum += pw / k as f64;
                    pw *= v;
                }
                eps + c * sum
            } else {
                eps + ((a - 1.0) * (eps * (1.0 - 2.0 * a)).exp_m1() / (2.0 * a - 1.0)).ln_1p()
                    / (a - 1.0)
            }
        })
        .collect())
}

/// RDP of a ρ-zCDP (or (ξ, ρ)-approximate zCDP) mechanism: ξ + ρα (Bun and Steinke, "Concentrated
/// Differential Privacy: Simplifications, Extensions, and Lower Bounds", TCC 2016, Definition 1).
pub fn zcdp(rho: f64, xi: f64, orders: &[f64]) -> Result<Vec<f64>, PrivacyError> {
    if !(rho.is_finite() && rho >= 0.0 && xi.is_finite() && xi >= 0.0) {
        return Err(PrivacyError::InvalidZcdp { rho, xi });
    }
    validate::orders(orders)?;
    Ok(orders.iter().map(|&a| xi + rho * a).collect())
}

/// The `dp_accounting` forward differences of a function evaluated in log space with signs
/// (Wang, Balle, Kasiviswanathan 2019, Theorem 27): the log magnitudes of the first `n + 2`
/// differences at 0.
fn forward_diffs(fun: impl Fn(f64) -> f64, n: usize) -> Vec<f64> {
    let mut v = vec![0.0; n + 3];
    let mut signs = vec![true; n + 3];
    let mut deltas = vec![0.0; n + 2];
    for (i, vi) in v.iter_mut().enumerate().skip(1) {
        *vi = fun((i - 1) as f64);
    }
    for (i, d) in deltas.iter_mut().enumerate() {
        let m = n + 2 - i;
        for j in 0..m {
            if signs[j] == signs[j + 1] {
                let (s, mag) = log_sub_sign(v[j + 1], v[j]);
                signs[j] = s;
                v[j] = mag;
                if !signs[j + 1] {
                    signs[j] = !signs[j];
                }
            } else {
                v[j] = log_add(v[j], v[j + 1]);
                signs[j] = signs[j + 1];
            }
        }
        *d = v[0];
    }
    deltas
}

/// log|exp(x) - exp(y)| and whether exp(x) ≥ exp(y).
fn log_sub_sign(x: f64, y: f64) -> (bool, f64) {
    if x > y {
        (true, x + (-(y - x).exp()).ln_1p())
    } else if x < y {
        (false, y + (-(x - y).exp()).ln_1p())
    } else {
        (true, f64::NEG_INFINITY)
    }
}

/// (α - 1) × RDP at integer α of the Gaussian mechanism on a sample without replacement
/// (Wang, Balle, Kasiviswanathan 2019, Theorem 27; exact forward differences up to α = 256,
/// the cruder bound past it), as `dp_accounting`'s `_compute_rdp_sample_wor_gaussian_int`.
fn wor_int(q: f64, sigma: f64, alpha: u64) -> f64 {
    const MAX_ALPHA: u64 = 256;
    if alpha == 1 {
        return 0.0;
    }
    let s2 = 2.0 * (sigma * sigma);
    let cgf = |x: f64| x * (x + 1.0) / s2;
    let func = |x: f64| x / s2;
    let log_f2m1 = func(2.0) + (-(-func(2.0)).exp()).ln_1p();
    let first = |alpha: u64| {
        2.0 * q.ln()
            + log_comb(alpha as f64, 2.0)
            + (4f64.ln() + log_f2m1).min(func(2.0) + 2f64.ln())
    };
    let mut log_a = 0.0;
    if alpha <= MAX_ALPHA {
        let deltas = forward_diffs(cgf, alpha as usize);
        for i in 2..=alpha {
            let s = if i == 2 {
                first(alpha)
            } else {
                let lo = deltas[(2 * (i / 2)) as usize - 1];
                let hi = deltas[(2 * i.div_ceil(2)) as usize - 1];
                let s = (4f64.ln() + 0.5 * (lo + hi)).min(2f64.ln() + cgf((i - 1) as f64));
                s + i as f64 * q.ln() + log_comb(alpha as f64, i as f64)
            };
            log_a = log_add(log_a, s);
        }
    } else {
        for i in 2..=alpha {
            let s = if i == 2 {
                first(alpha)
            } else {
                2f64.ln()
                    + cgf((i - 1) as f64)
                    + i as f64 * q.ln()
                    + log_comb(alpha as f64, i as f64)
            };
            log_a = log_add(log_a, s);
        }
    }
    log_a
}

/// RDP of one step of the Gaussian mechanism on a uniformly random batch of `sample_size` out
/// of `dataset_size` records (sampling without replacement, fixed batch size; replace-one
/// neighbours): Wang, Balle and Kasiviswanathan 2019, Theorem 27, with linear interpolation of
/// (α - 1)·RDP between integer orders for fractional α, as `dp_accounting`.
pub fn sampled_without_replacement_gaussian(
    sample_size: u64,
    dataset_size: u64,
    sigma: f64,
    orders: &[f64],
) -> Result<Vec<f64>, PrivacyError> {
    if sample_size == 0 || sample_size > dataset_size {
        return Err(PrivacyError::InvalidSampleSize {
            sample_size,
            dataset_size,
        });
    }
    validate::noise_multiplier(sigma)?;
    validate::orders(orders)?;
    let q = sample_size as f64 / dataset_size as f64;
    Ok(orders
        .iter()
        .map(|&a| {
            if q == 1.0 {
                a / (2.0 * (sigma * sigma))
            } else if a.is_infinite() {
                f64::INFINITY
            } else if a.fract() == 0.0 {
                wor_int(q, sigma, a as u64) / (a - 1.0)
            } else {
                let (f, c) = (a.floor(), a.ceil());
                let x = wor_int(q, sigma, f as u64);
                let y = wor_int(q, sigma, c as u64);
                let t = a - f;
                ((1.0 - t) * x + t * y) / (a - 1.0)
            }
        })
        .collect())
}

/// The smallest ε over the orders such that the RDP curve implies (ε, δ)-DP, and the order that
/// attains it: ε = RDP(α) + log(1 - 1/α) - log(δα)/(α - 1) (Balle et al. 2020, Theorem 21; the
/// conversion of `dp_accounting`'s `compute_epsilon`). Orders ≤ 1.01 are not used; an order whose
/// RDP already satisfies δ² ≥ 1 - exp(-RDP) gives ε = 0, as in `dp_accounting`.
pub fn epsilon_from_rdp(
    orders: &[f64],
    rdp: &[f64],
    delta: f64,
) -> Result<(f64, f64), PrivacyError> {
    validate::delta(delta)?;
    validate::orders(orders)?;
    assert_eq!(orders.len(), rdp.len(), "one RDP value per order");
    let mut best = (f64::INFINITY, orders[0]);
    let mut first = true;
    for (&a, &r) in orders.iter().zip(rdp) {
        let eps = if r < 0.0 || delta * delta + (-r).exp_m1() > 0.0 {
            0.0
        } else if a > 1.01 {
            r + (-1.0 / a).ln_1p() - (delta * a).ln() / (a - 1.0)
        } else {
            f64::INFINITY
        };
        // numpy's argmin: the first minimum; NaN never occurs for valid curves.
        if first || eps < best.0 {
            best = (eps, a);
            first = false;
        }
    }
    Ok((best.0.max(0.0), best.1))
}

/// The smallest δ over the orders such that the RDP curve implies (ε, δ)-DP, and the order that
/// attains it (Balle et al. 2020, Theorem 21; `dp_accounting`'s `compute_delta`).
pub fn delta_from_rdp(
    orders: &[f64],
    rdp: &[f64],
    epsilon: f64,
) -> Result<(f64, f64), PrivacyError> {
    if !(epsilon.is_finite() && epsilon >= 0.0) {
        return Err(PrivacyError::InvalidEpsilon(epsilon));
    }
    validate::orders(orders)?;
    assert_eq!(orders.len(), rdp.len(), "one RDP value per order");
    let mut best = (f64::INFINITY, orders[0]);
    let mut first = true;
    for (&a, &r) in orders.iter().zip(rdp) {
        let mut logdelta = if r <= 0.0 {
            f64::NEG_INFINITY
        } else {
            0.5 * (-(-r).exp()).ln_1p()
        };
        if a > 1.01 {
            let bound = (a - 1.0) * (r - epsilon + (-1.0 / a).ln_1p()) - a.ln();
            logdelta = logdelta.min(bound);
        }
        if first || logdelta < best.0 {
            best = (logdelta, a);
            first = false;
        }
    }
    Ok((best.0.exp().min(1.0), best.1))
}

/// One mechanism the RDP accountant composes, run `count` times.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mechanism {
    /// The Gaussian mechanism on a Poisson sample with rate `sampling_rate` (DP-SGD's step).
    PoissonGaussian {
        /// Sampling rate q ∈ (0, 1].
        sampling_rate: f64,
        /// Noise standard deviation over L2 sensitivity.
        noise_multiplier: f64,
    },
    /// The Gaussian mechanism on a fixed-size sample without replacement (replace-one
    /// neighbours; do not compose with add/remove-one mechanisms).
    SampledWithoutReplacementGaussian {
        /// Batch size.
        sample_size: u64,
        /// Dataset size.
        dataset_size: u64,
        /// Noise standard deviation over L2 sensitivity.
        noise_multiplier: f64,
    },
    /// The Gaussian mechanism on the whole data.
    Gaussian {
        /// Noise standard deviation over L2 sensitivity.
        noise_multiplier: f64,
    },
    /// The Laplace mechanism with scale `noise_multiplier` times the L1 sensitivity.
    Laplace {
        /// Laplace scale over L1 sensitivity (ε₀ = 1/b).
        noise_multiplier: f64,
    },
    /// A (ξ, ρ)-zCDP mechanism.
    Zcdp {
        /// ρ.
        rho: f64,
        /// ξ.
        xi: f64,
    },
}

impl Mechanism {
    /// The mechanism's RDP curve at `orders` for one run.
    pub fn rdp(&self, orders: &[f64]) -> Result<Vec<f64>, PrivacyError> {
        match *self {
            Mechanism::PoissonGaussian {
                sampling_rate,
                noise_multiplier,
            } => poisson_subsampled_gaussian(sampling_rate, noise_multiplier, orders),
            Mechanism::SampledWithoutReplacementGaussian {
                sample_size,
                dataset_size,
                noise_multiplier,
            } => sampled_without_replacement_gaussian(
                sample_size,
                dataset_size,
                noise_multiplier,
                orders,
            ),
            Mechanism::Gaussian { noise_multiplier } => gaussian(noise_multiplier, orders),
            Mechanism::Laplace { noise_multiplier } => laplace(noise_multiplier, orders),
            Mechanism::Zcdp { rho, xi } => zcdp(rho, xi, orders),
        }
    }
}

/// The RDP accountant: composition of heterogeneous mechanisms is the order-wise sum of their RDP
/// curves (Mironov 2017, Proposition 1), converted to (ε, δ) by [`epsilon_from_rdp`].
#[derive(Debug, Clone, PartialEq)]
pub struct RdpAccountant {
    orders: Vec<f64>,
    rdp: Vec<f64>,
}

impl Default for RdpAccountant {
    fn default() -> Self {
        Self::new()
    }
}

impl RdpAccountant {
    /// An empty accountant on `dp_accounting`'s default orders ([`default_orders`]).
    pub fn new() -> Self {
        let orders = default_orders();
        let rdp = vec![0.0; orders.len()];
        RdpAccountant { orders, rdp }
    }

    /// An empty accountant on the given orders (each finite and > 1).
    pub fn with_orders(orders: Vec<f64>) -> Result<Self, PrivacyError> {
        validate::orders(&orders)?;
        let rdp = vec![0.0; orders.len()];
        Ok(RdpAccountant { orders, rdp })
    }

    /// Adds `count` runs of `mechanism` (RDP composes additively).
    pub fn compose(&mut self, mechanism: Mechanism, count: u64) -> Result<&mut Self, PrivacyError> {
        if count == 0 {
            return Err(PrivacyError::ZeroSteps);
        }
        let curve = mechanism.rdp(&self.orders)?;
        let c = count as f64;
        for (r, v) in self.rdp.iter_mut().zip(curve) {
            *r += c * v;
        }
        Ok(self)
    }

    /// The Rényi orders.
    pub fn orders(&self) -> &[f64] {
        &self.orders
    }

    /// The composed RDP at each order.
    pub fn rdp(&self) -> &[f64] {
        &self.rdp
    }

    /// The smallest ε at which the composition is (ε, δ)-DP, with the optimal order.
    pub fn epsilon_and_order(&self, delta: f64) -> Result<(f64, f64), PrivacyError> {
        epsilon_from_rdp(&self.orders, &self.rdp, delta)
    }

    /// The smallest ε at which the composition is (ε, δ)-DP.
    pub fn epsilon(&self, delta: f64) -> Result<f64, PrivacyError> {
        Ok(self.epsilon_and_order(delta)?.0)
    }

    /// The smallest δ at which the composition is (ε, δ)-DP.
    pub fn delta(&self, epsilon: f64) -> Result<f64, PrivacyError> {
        Ok(delta_from_rdp(&self.orders, &self.rdp, epsilon)?.0)
    }
}
