//! Privacy loss distributions (PLDs) of the Poisson-subsampled Gaussian mechanism: tight
//! (ε, δ) accounting by numerical composition, as Google's `dp_accounting.pld` does.
//!
//! * The PLD of one step is discretised on a grid of privacy-loss values spaced by the
//!   *value discretisation interval* Δ with the pessimistic **connect-the-dots** construction of
//!   Doroshenko, Ghazi, Kamath, Kumar and Manurangsi, "Connect the Dots: Tighter Discrete
//!   Approximations of Privacy Loss Distributions" (PETS 2022, Algorithm 1, fixed-gap form): the
//!   probabilities are read off the hockey-stick divergence δ(ε) at the grid points, so the
//!   discrete PLD dominates the true one for every ε.
//! * The hockey-stick divergence of the subsampled Gaussian uses the closed form of the privacy
//!   loss and its inverse (Koskela, Jälkö and Honkela, "Computing Tight Differential Privacy
//!   Guarantees Using FFT", AISTATS 2020; Zhu, Dong and Wang, "Optimal Accounting of Differential
//!   Privacy via Characteristic Function", AISTATS 2022), for the *remove* and the *add*
//!   adjacency separately (the PLD is asymmetric when q < 1; ε is the larger of the two).
//! * T-fold self-composition raises the discrete Fourier transform to the T-th power
//!   (Koskela et al. 2020) on a window whose size is bounded by a Chernoff bound on the moment
//!   generating function, so that at most 10⁻¹⁵ of the mass is truncated (and counted as
//!   infinite loss).
//! * ε for a target δ inverts δ(ε) = P_∞ + Σ_{ℓ>ε} (1 - e^{ε-ℓ}) p_ℓ exactly on the grid
//!   (Meiser and Mohammadi, "Tight on Budget?", CCS 2018; Sommer, Meiser and Mohammadi,
//!   "Privacy Loss Classes", PETS 2019).

use rustfft::num_complex::Complex;
use rustfft::FftPlanner;

use super::validate;
use crate::PrivacyError;
use assay_numerics::special::{log_ndtr, ndtr, ndtri};

/// `dp_accounting`'s default value discretisation interval of the PLD accountant.
pub const DEFAULT_DISCRETIZATION: f64 = 1e-4;

/// log of the noise mass left out of the grid on each side (`dp_accounting`'s
/// `log_mass_truncation_bound`); the left-out mass is counted as infinite privacy loss.
const LOG_MASS_TRUNCATION_BOUND: f64 = -50.0;

/// Upper bound on the probability mass cut off by each composition (counted as infinite loss).
const TAIL_MASS_TRUNCATION: f64 = 1e-15;

/// Up to this many support points a PMF is composed exactly (`dp_accounting`'s sparse PMF).
const MAX_SPARSE_SIZE: usize = 1000;

/// The largest FFT / grid the accountant will allocate.
const MAX_POINTS: usize = 1 << 25;

/// Which neighbouring dataset is the reference (the PLD of add/remove-one is the worse of both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Adjacency {
    Remove,
    Add,
}

/// log(a·e^b + c) (`dp_accounting.pld.common.log_a_times_exp_b_plus_c`) for a > 0.
fn log_a_times_exp_b_plus_c(a: f64, b: f64, c: f64) -> f64 {
    if b == 0.0 {
        return (a + c).ln();
    }
    let d = b + a.ln();
    if c == 0.0 {
        d
    } else if c < 0.0 {
        let m = (-c).ln();
        d + (-(m - d).exp()).ln_1p()
    } else {
        let m = c.ln();
        let (lo, hi) = if d < m { (d, m) } else { (m, d) };
        hi + (lo - hi).exp().ln_1p()
    }
}

/// Python's `math.isclose` with its default relative tolerance.
fn is_close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// log(e^a + e^b).
fn logaddexp(a: f64, b: f64) -> f64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    if hi == f64::NEG_INFINITY {
        return hi;
    }
    hi + (lo - hi).exp().ln_1p()
}

/// The privacy loss of the Gaussian mechanism (sensitivity 1, noise σ) on a Poisson sample of
/// rate q: μ_upper = (1-q)·N(0, σ²) + q·N(-1, σ²) against μ_lower = N(0, σ²) for *remove*, and
/// N(0, σ²) against (1-q)·N(0, σ²) + q·N(1, σ²) for *add*.
struct SubsampledGaussianLoss {
    sigma: f64,
    q: f64,
    adjacency: Adjacency,
}

impl SubsampledGaussianLoss {
    fn loss_remove(&self, x: f64) -> f64 {
        let without = (-0.5 - x) / (self.sigma * self.sigma);
        if self.q == 1.0 {
            without
        } else {
            log_a_times_exp_b_plus_c(self.q, without, 1.0 - self.q)
        }
    }

    fn privacy_loss(&self, x: f64) -> f64 {
        match self.adjacency {
            Adjacency::Remove => self.loss_remove(x),
            Adjacency::Add => -self.loss_remove(-x),
        }
    }

    fn inverse_without_remove(&self, loss: f64) -> f64 {
        -0.5 - loss * (self.sigma * self.sigma)
    }

    /// The largest x whose privacy loss is at least `loss`.
    fn inverse(&self, loss: f64) -> f64 {
        let q = self.q;
        match self.adjacency {
            Adjacency::Remove => {
                if q == 1.0 {
                    return self.inverse_without_remove(loss);
                }
                if is_close(loss, (1.0 - q).ln()) {
                    return self.inverse_without_remove(f64::NEG_INFINITY);
                }
                let w = log_a_times_exp_b_plus_c(1.0 / q, loss, 1.0 - 1.0 / q);
                self.inverse_without_remove(w)
            }
            Adjacency::Add => {
                if q == 1.0 {
                    return 1.0 + self.inverse_without_remove(loss);
                }
                if is_close(loss, -(1.0 - q).ln()) {
                    return 1.0 + self.inverse_without_remove(f64::INFINITY);
                }
                let w = -log_a_times_exp_b_plus_c(1.0 / q, -loss, 1.0 - 1.0 / q);
                1.0 + self.inverse_without_remove(w)
            }
        }
    }

    fn mu_upper_cdf(&self, x: f64) -> f64 {
        let s = self.sigma;
        match self.adjacency {
            Adjacency::Add => ndtr(x / s),
            Adjacency::Remove => {
                if self.q == 1.0 {
                    ndtr((x + 1.0) / s)
                } else {
                    (1.0 - self.q) * ndtr(x / s) + self.q * ndtr((x + 1.0) / s)
                }
            }
        }
    }

    fn mu_lower_log_cdf(&self, x: f64) -> f64 {
        let s = self.sigma;
        match self.adjacency {
            Adjacency::Remove => log_ndtr(x / s),
            Adjacency::Add => {
                if self.q == 1.0 {
                    log_ndtr((x - 1.0) / s)
                } else {
                    logaddexp(
                        (-self.q).ln_1p() + log_ndtr(x / s),
                        self.q.ln() + log_ndtr((x - 1.0) / s),
                    )
                }
            }
        }
    }

    /// The hockey-stick divergence δ(ε) = sup_S μ_upper(S) - e^ε μ_lower(S).
    fn delta_for_epsilon(&self, eps: f64) -> f64 {
        let q = self.q;
        let use_inverse = q == 1.0
            || match self.adjacency {
                Adjacency::Add => eps < -(-q).ln_1p(),
                Adjacency::Remove => eps > (-q).ln_1p(),
            };
        let d = if use_inverse {
            let x = self.inverse(eps);
            self.mu_upper_cdf(x) - (eps + self.mu_lower_log_cdf(x)).exp()
        } else {
            match self.adjacency {
                Adjacency::Remove => -eps.exp_m1(),
                Adjacency::Add => 0.0,
            }
        };
        d.clamp(0.0, 1.0)
    }

    /// The privacy losses at the ends of the noise support kept on the grid.
    fn connect_dots_bounds(&self) -> (f64, f64) {
        let mut lower = self.sigma * ndtri(0.5 * LOG_MASS_TRUNCATION_BOUND.exp());
        let mut upper = -lower;
        match self.adjacency {
            Adjacency::Add => upper += 1.0,
            Adjacency::Remove => lower -= 1.0,
        }
        (self.privacy_loss(upper), self.privacy_loss(lower))
    }

    /// The pessimistic connect-the-dots PMF (Doroshenko et al. 2022, fixed gap).
    fn pmf(&self, discretization: f64) -> Result<Pmf, PrivacyError> {
        let (eps_lower, eps_upper) = self.connect_dots_bounds();
        let lo = (eps_lower / discretization).floor() as i64;
        let hi = (eps_upper / discretization).ceil() as i64;
        let n = (hi - lo + 1) as usize;
        if n > MAX_POINTS {
            return Err(PrivacyError::PldTooLarge {
                points: n,
                limit: MAX_POINTS,
            });
        }
        let mut deltas: Vec<f64> = (lo..=hi)
            .map(|k| self.delta_for_epsilon(k as f64 * discretization))
            .collect();
        if n == 1 {
            return Ok(Pmf {
                lower: lo,
                probs: vec![1.0 - deltas[0]],
                infinity_mass: deltas[0],
            });
        }
        for i in 1..n {
            deltas[i] = deltas[i].min(deltas[i - 1]);
        }
        let diffs: Vec<f64> = deltas.windows(2).map(|w| w[1] - w[0]).collect();
        let em1 = discretization.exp_m1();
        let e = discretization.exp();
        let mut probs = vec![0.0; n];
        probs[0] = 1.0 - deltas[0] + diffs[0] / em1;
        for i in 1..n - 1 {
            probs[i] = (diffs[i] - diffs[i - 1] * e) / em1;
        }
        probs[n - 1] = diffs[n - 2] / (-discretization).exp_m1();
        for p in &mut probs {
            *p = p.max(0.0);
        }
        Ok(Pmf {
            lower: lo,
            probs,
            infinity_mass: deltas[n - 1],
        })
    }
}

/// A discrete privacy loss distribution: probability `probs[i]` at loss (`lower` + i)·Δ, and
/// `infinity_mass` at +∞.
#[derive(Debug, Clone, PartialEq)]
struct Pmf {
    lower: i64,
    probs: Vec<f64>,
    infinity_mass: f64,
}

/// The smallest "fast" FFT length ≥ n (a product of 2, 3, 5 and 7).
fn next_fast_len(n: usize) -> usize {
    let mut m = n.max(1);
    loop {
        let mut r = m;
        for p in [2, 3, 5, 7] {
            while r % p == 0 {
                r /= p;
            }
        }
        if r == 1 {
            return m;
        }
        m += 1;
    }
}

fn fft_forward(x: &[f64], len: usize) -> Vec<Complex<f64>> {
    let mut buf: Vec<Complex<f64>> = x.iter().map(|&v| Complex::new(v, 0.0)).collect();
    buf.resize(len, Complex::new(0.0, 0.0));
    FftPlanner::new().plan_fft_forward(len).process(&mut buf);
    buf
}

fn fft_inverse_real(mut buf: Vec<Complex<f64>>) -> Vec<f64> {
    let len = buf.len();
    FftPlanner::new().plan_fft_inverse(len).process(&mut buf);
    let scale = 1.0 / len as f64;
    buf.into_iter().map(|c| c.re * scale).collect()
}

/// The linear convolution of two sequences (direct when small, FFT otherwise).
fn convolve(a: &[f64], b: &[f64]) -> Result<Vec<f64>, PrivacyError> {
    let n = a.len() + b.len() - 1;
    if a.len().min(b.len()) <= 64 || a.len() * b.len() <= 1 << 20 {
        let mut out = vec![0.0; n];
        for (i, &x) in a.iter().enumerate() {
            for (j, &y) in b.iter().enumerate() {
                out[i + j] += x * y;
            }
        }
        return Ok(out);
    }
    let len = next_fast_len(n);
    if len > MAX_POINTS {
        return Err(PrivacyError::PldTooLarge {
            points: len,
            limit: MAX_POINTS,
        });
    }
    let fa = fft_forward(a, len);
    let fb = fft_forward(b, len);
    let prod = fa.into_iter().zip(fb).map(|(x, y)| x * y).collect();
    let mut out = fft_inverse_real(prod);
    out.truncate(n);
    Ok(out)
}

/// Cuts at most `tail_mass / 2` from each end; the left cut is moved onto the first kept point
/// and the right cut is returned, to be counted as infinite loss (pessimistic).
fn truncate_tails(mut probs: Vec<f64>, tail_mass: f64) -> (usize, Vec<f64>, f64) {
    if tail_mass == 0.0 || probs.is_empty() {
        return (0, probs, 0.0);
    }
    let prefix = |it: &mut dyn Iterator<Item = f64>| {
        let mut s = 0.0;
        let mut n = 0;
        for v in it {
            s += v;
            if s > tail_mass / 2.0 {
                return n;
            }
            n += 1;
        }
        n
    };
    let len = probs.len();
    let left = prefix(&mut probs.iter().copied()).min(len - 1);
    let right = (len - prefix(&mut probs.iter().rev().copied())).max(left + 1);
    let left_mass: f64 = probs[..left].iter().sum();
    let right_mass: f64 = probs[right..].iter().sum();
    probs.truncate(right);
    let mut kept = probs.split_off(left);
    kept[0] += left_mass;
    (left, kept, right_mass)
}

impl Pmf {
    fn identity() -> Pmf {
        Pmf {
            lower: 0,
            probs: vec![1.0],
            infinity_mass: 0.0,
        }
    }

    /// Composition of two PLDs (convolution), truncating `TAIL_MASS_TRUNCATION` of the tails.
    fn compose(&self, other: &Pmf) -> Result<Pmf, PrivacyError> {
        let conv = convolve(&self.probs, &other.probs)?;
        let (offset, probs, right) = truncate_tails(conv, TAIL_MASS_TRUNCATION);
        Ok(Pmf {
            lower: self.lower + other.lower + offset as i64,
            probs,
            infinity_mass: self.infinity_mass + other.infinity_mass
                - self.infinity_mass * other.infinity_mass
                + right,
        })
    }

    /// `count`-fold self-composition: exact for small supports (as `dp_accounting`'s sparse
    /// PMF), otherwise the FFT raised to the `count`-th power on a Chernoff-bounded window.
    fn self_compose(&self, count: u64) -> Result<Pmf, PrivacyError> {
        let len = self.probs.len();
        if len <= MAX_SPARSE_SIZE {
            if count == 1 {
                return Ok(self.clone());
            }
            let small = (len as f64).powf(count as f64) <= MAX_SPARSE_SIZE as f64;
            if small {
                let mut result = self.clone();
                for i in 2..=count {
                    let conv = convolve(&result.probs, &self.probs)?;
                    let tail = if i == count {
                        TAIL_MASS_TRUNCATION
                    } else {
                        0.0
                    };
                    let (offset, probs, right) = truncate_tails(conv, tail);
                    result = Pmf {
                        lower: result.lower + self.lower + offset as i64,
                        probs,
                        infinity_mass: result.infinity_mass + self.infinity_mass
                            - result.infinity_mass * self.infinity_mass
                            + right,
                    };
                }
                return Ok(result);
            }
        }
        let (lb, ub) = self_convolve_bounds(&self.probs, count, TAIL_MASS_TRUNCATION);
        let out_len = (ub - lb + 1) as usize;
        let fast = next_fast_len(out_len.max(len));
        if fast > MAX_POINTS {
            return Err(PrivacyError::PldTooLarge {
                points: fast,
                limit: MAX_POINTS,
            });
        }
        let spectrum: Vec<Complex<f64>> = fft_forward(&self.probs, fast)
            .into_iter()
            .map(|z| pow_complex(z, count))
            .collect();
        let circ = fft_inverse_real(spectrum);
        let probs: Vec<f64> = (0..out_len)
            .map(|k| circ[((k as i64 + lb).rem_euclid(fast as i64)) as usize])
            .collect();
        let infinity_mass =
            TAIL_MASS_TRUNCATION - (count as f64 * (-self.infinity_mass).ln_1p()).exp_m1();
        Ok(Pmf {
            lower: self.lower * count as i64 + lb,
            probs,
            infinity_mass,
        })
    }

    /// The loss at index i.
    fn loss(&self, i: usize, discretization: f64) -> f64 {
        (self.lower + i as i64) as f64 * discretization
    }

    /// The smallest ε with δ(ε) ≤ `delta` (`dp_accounting`'s `_get_epsilon_for_delta`).
    fn epsilon_for_delta(&self, delta: f64, discretization: f64) -> f64 {
        if self.infinity_mass > delta {
            return f64::INFINITY;
        }
        let (mut upper, mut lower) = (self.infinity_mass, 0.0);
        for i in (0..self.probs.len()).rev() {
            let loss = self.loss(i, discretization);
            let p = self.probs[i];
            if upper > delta && lower > 0.0 && ((upper - delta) / lower).ln() >= loss {
                break;
            }
            upper += p;
            lower += (-loss).exp() * p;
            if upper >= delta && lower == 0.0 {
                return loss.max(0.0);
            }
        }
        if upper <= lower + delta {
            return 0.0;
        }
        ((upper - delta) / lower).ln()
    }

    /// δ(ε) = P(∞) + Σ_{ℓ > ε} (1 - e^{ε-ℓ}) p_ℓ.
    fn delta_for_epsilon(&self, epsilon: f64, discretization: f64) -> f64 {
        let mut d = self.infinity_mass;
        for (i, &p) in self.probs.iter().enumerate() {
            let loss = self.loss(i, discretization);
            if loss > epsilon {
                d += -(epsilon - loss).exp_m1() * p;
            }
        }
        d
    }
}

/// z^n by binary exponentiation.
fn pow_complex(z: Complex<f64>, mut n: u64) -> Complex<f64> {
    let mut base = z;
    let mut acc = Complex::new(1.0, 0.0);
    while n > 0 {
        if n & 1 == 1 {
            acc *= base;
        }
        base *= base;
        n >>= 1;
    }
    acc
}

/// The index window [lb, ub] of the `count`-fold self-convolution outside which at most
/// `tail_mass` lies, from Chernoff bounds on the moment generating function at 40 orders
/// (`dp_accounting.pld.common.compute_self_convolve_bounds`).
fn self_convolve_bounds(probs: &[f64], count: u64, tail_mass: f64) -> (i64, i64) {
    let len = probs.len();
    let mut upper = ((len - 1) as u64 * count) as i64;
    let mut lower = 0i64;
    let orders = (-20..0).chain(1..21).map(|o| o as f64 / len as f64);
    for order in orders {
        let amax = (0..len)
            .map(|i| i as f64 * order)
            .fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = probs
            .iter()
            .enumerate()
            .map(|(i, &p)| p * (i as f64 * order - amax).exp())
            .sum();
        let log_mgf = s.ln() + amax;
        let bound = (count as f64 * log_mgf + (2.0 / tail_mass).ln()) / order;
        if !bound.is_finite() {
            continue;
        }
        if order > 0.0 {
            upper = upper.min(bound.ceil() as i64);
        } else {
            lower = lower.max(bound.floor() as i64);
        }
    }
    (lower, upper)
}

/// A PLD accountant for the subsampled Gaussian mechanism under add/remove-one neighbours:
/// keeps the PLDs for the *remove* and *add* adjacencies (one when every mechanism is
/// symmetric) and composes mechanisms by convolution.
#[derive(Debug, Clone, PartialEq)]
pub struct PldAccountant {
    discretization: f64,
    remove: Pmf,
    add: Option<Pmf>,
}

impl PldAccountant {
    /// An empty accountant with value discretisation interval Δ (`dp_accounting`'s default is
    /// [`DEFAULT_DISCRETIZATION`]; smaller is tighter and slower).
    pub fn new(discretization: f64) -> Result<Self, PrivacyError> {
        if !(discretization.is_finite() && discretization > 0.0) {
            return Err(PrivacyError::InvalidDiscretization(discretization));
        }
        Ok(PldAccountant {
            discretization,
            remove: Pmf::identity(),
            add: None,
        })
    }

    /// Adds `steps` runs of the Gaussian mechanism (noise multiplier σ) on a Poisson sample of
    /// rate q (q = 1: the plain Gaussian mechanism).
    pub fn compose_poisson_gaussian(
        &mut self,
        sampling_rate: f64,
        noise_multiplier: f64,
        steps: u64,
    ) -> Result<&mut Self, PrivacyError> {
        validate::sampling_rate(sampling_rate)?;
        validate::noise_multiplier(noise_multiplier)?;
        validate::steps(steps)?;
        let one = |adjacency| {
            SubsampledGaussianLoss {
                sigma: noise_multiplier,
                q: sampling_rate,
                adjacency,
            }
            .pmf(self.discretization)?
            .self_compose(steps)
        };
        let remove = one(Adjacency::Remove)?;
        let add = if sampling_rate == 1.0 {
            None
        } else {
            Some(one(Adjacency::Add)?)
        };
        let new_remove = self.remove.compose(&remove)?;
        self.add = match (&self.add, add) {
            (None, None) => None,
            (mine, theirs) => {
                let mine = mine.as_ref().unwrap_or(&self.remove);
                let theirs = theirs.as_ref().unwrap_or(&remove);
                Some(mine.compose(theirs)?)
            }
        };
        self.remove = new_remove;
        Ok(self)
    }

    /// The smallest ε with δ(ε) ≤ `delta` (the larger over the two adjacencies).
    pub fn epsilon(&self, delta: f64) -> Result<f64, PrivacyError> {
        validate::delta(delta)?;
        let r = self.remove.epsilon_for_delta(delta, self.discretization);
        Ok(match &self.add {
            Some(a) => r.max(a.epsilon_for_delta(delta, self.discretization)),
            None => r,
        })
    }

    /// The hockey-stick divergence δ(ε) of the composition (the larger over the two
    /// adjacencies).
    pub fn delta(&self, epsilon: f64) -> Result<f64, PrivacyError> {
        if !(epsilon.is_finite() && epsilon >= 0.0) {
            return Err(PrivacyError::InvalidEpsilon(epsilon));
        }
        let r = self.remove.delta_for_epsilon(epsilon, self.discretization);
        Ok(match &self.add {
            Some(a) => r.max(a.delta_for_epsilon(epsilon, self.discretization)),
            None => r,
        })
    }
}

/// ε of `steps` steps of the Poisson-subsampled Gaussian mechanism at δ, by the PLD accountant
/// with discretisation interval Δ.
pub fn poisson_gaussian_epsilon(
    sampling_rate: f64,
    noise_multiplier: f64,
    steps: u64,
    delta: f64,
    discretization: f64,
) -> Result<f64, PrivacyError> {
    validate::delta(delta)?;
    let mut acc = PldAccountant::new(discretization)?;
    acc.compose_poisson_gaussian(sampling_rate, noise_multiplier, steps)?;
    acc.epsilon(delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_mass() {
        let p = vec![1e-17, 2e-17, 0.5, 0.5 - 3e-17, 1e-17];
        let (off, kept, right) = truncate_tails(p, 1e-15);
        assert_eq!(off, 2);
        assert_eq!(kept.len(), 2);
        assert!((kept.iter().sum::<f64>() + right - 1.0).abs() < 1e-16);
    }

    #[test]
    fn gaussian_delta_matches_closed_form() {
        // Unsubsampled Gaussian: δ(ε) = Φ(-εσ + 1/(2σ)) - e^ε Φ(-εσ - 1/(2σ)).
        let l = SubsampledGaussianLoss {
            sigma: 2.0,
            q: 1.0,
            adjacency: Adjacency::Remove,
        };
        let eps: f64 = 0.7;
        let s = 2.0;
        let want = ndtr(-eps * s + 0.5 / s) - eps.exp() * ndtr(-eps * s - 0.5 / s);
        assert!((l.delta_for_epsilon(eps) - want).abs() < 1e-15);
    }

    #[test]
    fn fast_len() {
        assert_eq!(next_fast_len(1000), 1000);
        assert_eq!(next_fast_len(1009), 1024);
        assert_eq!(next_fast_len(11), 12);
    }
}
