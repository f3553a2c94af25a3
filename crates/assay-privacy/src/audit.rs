//! Empirical privacy auditing in one training run (Steinke, Nasr and Jagielski 2023, "Privacy
//! Auditing with One (1) Training Run").
//!
//! m canaries are each included in the training data independently with probability ½ (the
//! secret `S_i ∈ {in, out}`). After one training run the auditor scores every canary, guesses
//! "in" for the `k_in` best-scoring canaries and "out" for the `k_out` worst, and abstains on
//! the rest: `r = k_in + k_out` guesses, `v` of them correct. If training is (ε, δ)-DP, the
//! number of correct guesses is stochastically dominated as in the paper's Theorem 3.2 (with
//! the δ term of its Proposition 5.2 and Algorithm 2):
//!
//! `P[W ≥ v] ≤ P[Binomial(r, p_ε) ≥ v] + 2mδ · max_{1≤i≤v} P[v − i ≤ Binomial(r, p_ε) < v] / i`,
//! with `p_ε = e^ε / (1 + e^ε)`.
//!
//! [`p_value`] is that right-hand side; [`epsilon_lower_bound`] is the largest ε whose p-value
//! is below β, i.e. the training is *not* (ε, δ)-DP with confidence 1 − β. The number of
//! guesses must be fixed before looking at the outcome (choosing the best of many `k` after
//! the fact needs a union bound, which we do not apply), so [`audit_dpsgd`] takes them as
//! settings.
//!
//! [`audit_dpsgd`] audits [`crate::dpsgd`] with input-space canaries built so that a
//! non-private training run memorises them: canary j is a row whose real features are all zero,
//! with one extra feature column of its own set to `canary_value` and label 1. No real row
//! touches that column, so the weight on it moves only when canary j is sampled (plus noise).
//! The membership score is the canary's log-loss under the final model (lower loss: guess
//! "in"). This audits the whole mechanism (Poisson sampling, clipping and noise) through the
//! final model only, as a black-box auditor with the model's parameters would.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

use crate::dpsgd::{self, Config};
use crate::PrivacyError;

/// `ln C(r, k) + k ln p + (r − k) ln(1 − p)`, the log of the Binomial(r, p) pmf at k.
fn log_binom_pmf(r: u64, k: u64, p: f64) -> f64 {
    let lc = libm::lgamma(r as f64 + 1.0)
        - libm::lgamma(k as f64 + 1.0)
        - libm::lgamma((r - k) as f64 + 1.0);
    let a = if k == 0 { 0.0 } else { k as f64 * p.ln() };
    let b = if r == k {
        0.0
    } else {
        (r - k) as f64 * (-p).ln_1p()
    };
    lc + a + b
}

/// The p-value of `v` correct guesses out of `r` (among `m` canaries) under the hypothesis
/// that the training is (ε, δ)-DP (Steinke et al. 2023, Algorithm 2).
pub fn p_value(m: u64, r: u64, v: u64, epsilon: f64, delta: f64) -> Result<f64, PrivacyError> {
    if !(v <= r && r <= m) {
        return Err(PrivacyError::Unsupported(format!(
            "an audit needs correct guesses <= guesses <= canaries, got {v}, {r}, {m}"
        )));
    }
    if !(epsilon >= 0.0 && epsilon.is_finite()) {
        return Err(PrivacyError::InvalidEpsilon(epsilon));
    }
    if !(0.0..=1.0).contains(&delta) {
        return Err(PrivacyError::InvalidDelta(delta));
    }
    // Accuracy of ε-DP randomised response.
    let p = 1.0 / (1.0 + (-epsilon).exp());
    let pmf = |k: u64| log_binom_pmf(r, k, p).exp();
    let tail: f64 = (v..=r).map(pmf).sum();
    let (mut alpha, mut sum) = (0.0f64, 0.0f64);
    for i in 1..=v {
        sum += pmf(v - i);
        if sum > i as f64 * alpha {
            alpha = sum / i as f64;
        }
    }
    Ok((tail + alpha * delta * 2.0 * m as f64).min(1.0))
}

/// The largest ε (to 1e-9 relative, by bisection) with `p_value(ε) < beta`: with confidence
/// `1 − beta` the training is not (ε, δ)-DP. 0 when even ε = 0 is not rejected.
pub fn epsilon_lower_bound(
    m: u64,
    r: u64,
    v: u64,
    delta: f64,
    beta: f64,
) -> Result<f64, PrivacyError> {
    if !(beta > 0.0 && beta < 1.0) {
        return Err(PrivacyError::Unsupported(format!(
            "the audit's beta (1 - confidence) must be in (0, 1), got {beta}"
        )));
    }
    if p_value(m, r, v, 0.0, delta)? >= beta {
        return Ok(0.0);
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while p_value(m, r, v, hi, delta)? < beta {
        lo = hi;
        hi *= 2.0;
        if hi > 1e4 {
            return Ok(lo);
        }
    }
    for _ in 0..100 {
        if hi - lo <= 1e-9 * hi {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if p_value(m, r, v, mid, delta)? < beta {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}

/// Settings of a canary audit.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditConfig {
    /// Number of canaries m.
    pub canaries: usize,
    /// Guesses "in" (the lowest-loss canaries).
    pub guesses_in: usize,
    /// Guesses "out" (the highest-loss canaries).
    pub guesses_out: usize,
    /// The value of a canary's own feature.
    pub canary_value: f64,
    /// δ of the hypothesis tested (the claimed δ).
    pub delta: f64,
    /// 1 − confidence.
    pub beta: f64,
    /// Seed of the canaries' inclusion and of tie-breaking.
    pub seed: u64,
}

/// The outcome of an audit.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditOutcome {
    /// Canaries m.
    pub canaries: usize,
    /// Canaries that were included in training.
    pub included: usize,
    /// Guesses made (r).
    pub guesses: usize,
    /// Correct guesses (v).
    pub correct: usize,
    /// The ε lower bound at confidence 1 − β.
    pub epsilon_lower_bound: f64,
    /// Real rows trained on (without canaries).
    pub rows: usize,
}

/// Audits one DP-SGD run of `cfg` on the real rows `x` (`d` features) and labels `y`, with
/// `audit.canaries` canaries (see the module documentation).
pub fn audit_dpsgd(
    x: &[f64],
    y: &[f64],
    d: usize,
    cfg: &Config,
    audit: &AuditConfig,
) -> Result<AuditOutcome, PrivacyError> {
    let m = audit.canaries;
    if m == 0 || audit.guesses_in + audit.guesses_out > m {
        return Err(PrivacyError::Unsupported(format!(
            "an audit needs at least one canary and at most as many guesses as canaries, got {m} canaries and {} guesses",
            audit.guesses_in + audit.guesses_out
        )));
    }
    if !(audit.canary_value.is_finite() && audit.canary_value != 0.0) {
        return Err(PrivacyError::Unsupported(format!(
            "the canary feature value must be finite and non-zero, got {}",
            audit.canary_value
        )));
    }
    let n = y.len();
    if x.len() != n * d {
        return Err(PrivacyError::Unsupported(format!(
            "the feature matrix has {} cells, expected {n} rows × {d} features",
            x.len()
        )));
    }
    let mut rng = ChaCha20Rng::seed_from_u64(audit.seed);
    let included: Vec<bool> = (0..m).map(|_| rng.random::<bool>()).collect();
    let k = included.iter().filter(|&&b| b).count();
    let width = d + m;
    // Real rows, then the included canaries; canary j's own column is d + j.
    let mut xa = vec![0.0; (n + k) * width];
    for (i, row) in x.chunks_exact(d.max(1)).enumerate().take(n) {
        xa[i * width..i * width + d].copy_from_slice(row);
    }
    let mut ya = Vec::with_capacity(n + k);
    ya.extend_from_slice(y);
    let canary_ids = (0..m).filter(|&j| included[j]);
    for (r, j) in (n..).zip(canary_ids) {
        xa[r * width + d + j] = audit.canary_value;
        ya.push(1.0);
    }
    let trained = dpsgd::train(&xa, &ya, width, cfg)?.model;
    // Score every canary (included or not) by its loss under the final model.
    let mut row = vec![0.0; width];
    let mut losses: Vec<(f64, usize)> = (0..m)
        .map(|j| {
            row[d + j] = audit.canary_value;
            let l = dpsgd::log_loss(trained.logit(&row), 1.0);
            row[d + j] = 0.0;
            (l, j)
        })
        .collect();
    // Random order first, so that ties are broken at random by the stable sort.
    losses.shuffle(&mut rng);
    losses.sort_by(|a, b| a.0.total_cmp(&b.0));
    let correct_in = losses[..audit.guesses_in]
        .iter()
        .filter(|(_, j)| included[*j])
        .count();
    let correct_out = losses[m - audit.guesses_out..]
        .iter()
        .filter(|(_, j)| !included[*j])
        .count();
    let guesses = audit.guesses_in + audit.guesses_out;
    let correct = correct_in + correct_out;
    Ok(AuditOutcome {
        canaries: m,
        included: k,
        guesses,
        correct,
        epsilon_lower_bound: epsilon_lower_bound(
            m as u64,
            guesses as u64,
            correct as u64,
            audit.delta,
            audit.beta,
        )?,
        rows: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_pmf_sums_to_one_and_matches_small_cases() {
        let s: f64 = (0..=50).map(|k| log_binom_pmf(50, k, 0.3).exp()).sum();
        assert!((s - 1.0).abs() < 1e-12);
        // C(4,2) 0.5^4 = 0.375.
        assert!((log_binom_pmf(4, 2, 0.5).exp() - 0.375).abs() < 1e-14);
    }

    #[test]
    fn p_value_without_delta_is_the_binomial_tail() {
        // eps = 0: p = 1/2; P[Bin(10, 1/2) >= 9] = 11/1024.
        let p = p_value(100, 10, 9, 0.0, 0.0).unwrap();
        assert!((p - 11.0 / 1024.0).abs() < 1e-14);
        // delta adds 2 m delta alpha, alpha = max_i P[v-i <= Bin < v]/i; the cumulative pmf
        // counts (x 1/1024) from k = 8 down are 45, 165, 375, 627, 837, 957, ...; the maximum
        // of count / i is 837 / 5.
        let pd = p_value(100, 10, 9, 0.0, 1e-3).unwrap();
        let alpha = 837.0 / 5.0 / 1024.0;
        assert!((pd - p - 2.0 * 100.0 * 1e-3 * alpha).abs() < 1e-12, "{pd}");
    }

    #[test]
    fn lower_bound_grows_with_correct_guesses_and_is_zero_at_chance() {
        assert_eq!(epsilon_lower_bound(1000, 100, 50, 1e-5, 0.05).unwrap(), 0.0);
        let a = epsilon_lower_bound(1000, 100, 80, 1e-5, 0.05).unwrap();
        let b = epsilon_lower_bound(1000, 100, 95, 1e-5, 0.05).unwrap();
        let c = epsilon_lower_bound(1000, 100, 100, 1e-5, 0.05).unwrap();
        assert!(0.0 < a && a < b && b < c, "{a} {b} {c}");
        // The bound is where the p-value crosses beta.
        assert!(p_value(1000, 100, 95, b, 1e-5).unwrap() < 0.05);
        assert!(p_value(1000, 100, 95, b * 1.001, 1e-5).unwrap() >= 0.05);
        // All 100 correct without delta: 1/(1+e^-eps)^100 = 0.05.
        let exact = -(((0.05f64).ln() / 100.0).exp().recip() - 1.0).ln();
        let c0 = epsilon_lower_bound(1000, 100, 100, 0.0, 0.05).unwrap();
        assert!((c0 - exact).abs() < 1e-6 * exact, "{c0} vs {exact}");
    }
}
