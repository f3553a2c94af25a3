//! Randomized smoothing (Cohen, Rosenfeld and Kolter, "Certified adversarial robustness via
//! randomized smoothing", ICML 2019). The smoothed classifier g(x) returns the class the base
//! classifier f gives most often under Gaussian noise, g(x) = argmax_c P(f(x + ε) = c) with
//! ε ~ N(0, σ² I); if the top class has probability at least p_A ≥ ½, g's prediction cannot
//! change within the L2 radius σ Φ⁻¹(p_A) (their Theorem 1 with p_B = 1 − p_A).
//!
//! * [`certify`] is their CERTIFY: n0 noisy samples choose the class, n more give a one-sided
//!   Clopper–Pearson lower bound on its probability at level 1 − α ([`lower_confidence_bound`],
//!   statsmodels' `proportion_confint(n_A, n, alpha=2α, method="beta")[0]`), and the radius
//!   follows ([`radius`]); below ½ it abstains.
//! * [`predict`] is their PREDICT: n samples, and the top class is returned only if a two-sided
//!   binomial test of its count against the runner-up's rejects equality at level α
//!   ([`binomial_test_half`], SciPy's `binomtest(k, n, 0.5).pvalue`); otherwise it abstains.
//! * [`certified_accuracy`] and [`average_certified_radius`] summarise certificates against
//!   the true labels.
//!
//! The noise of sample j, coordinate d is the standard normal quantile of the counter-based
//! uniform at position j·D + d of a stream derived from the seed and the phase (selection,
//! estimation, prediction), so certificates do not depend on the batch size.

use assay_numerics::beta::beta_inc;
use assay_numerics::beta::beta_inc_inv;
use assay_numerics::random::{counter_key, splitmix64};
use assay_numerics::special::ndtri;
use serde::Serialize;

/// A one-sided (1 − α) Clopper–Pearson lower confidence bound on a binomial proportion from
/// `successes` of `trials`: the α quantile of Beta(successes, trials − successes + 1), 0 when
/// there is no success.
pub fn lower_confidence_bound(successes: u64, trials: u64, alpha: f64) -> f64 {
    assert!(
        successes <= trials && trials > 0,
        "successes ≤ trials, trials > 0"
    );
    if successes == 0 {
        return 0.0;
    }
    beta_inc_inv(successes as f64, (trials - successes + 1) as f64, alpha)
}

/// The certified L2 radius σ Φ⁻¹(p) for a lower bound `p_lower` ≥ ½ on the top class's
/// probability (Cohen et al.'s Theorem 1), `None` below ½ (abstain).
pub fn radius(p_lower: f64, sigma: f64) -> Option<f64> {
    if p_lower < 0.5 {
        None
    } else if p_lower >= 1.0 {
        Some(f64::INFINITY)
    } else {
        Some(sigma * ndtri(p_lower))
    }
}

/// The two-sided p-value of the binomial test of `k` successes in `n` trials against p = ½
/// (SciPy's `binomtest(k, n, 0.5).pvalue`): for the symmetric null, twice the smaller tail
/// probability, at most 1.
pub fn binomial_test_half(k: u64, n: u64) -> f64 {
    assert!(k <= n, "k ≤ n");
    if n == 0 || 2 * k == n {
        return 1.0;
    }
    // P(X ≥ m) for X ~ Bin(n, ½) and m = max(k, n − k) > n/2: I_½(m, n − m + 1).
    let m = k.max(n - k);
    (2.0 * beta_inc(m as f64, (n - m + 1) as f64, 0.5)).min(1.0)
}

/// Which of the independent noise streams of one input a sample belongs to.
#[derive(Clone, Copy)]
enum Phase {
    Selection = 1,
    Estimation = 2,
    Prediction = 3,
}

/// Counts per class of the base classifier's decisions on `num` noisy copies of `x` (noise
/// σ = `s.sigma`), classified `s.batch` at a time.
fn sample_counts<F>(
    classify: &mut F,
    x: &[f32],
    num_classes: usize,
    s: &Settings,
    num: u64,
    phase: Phase,
) -> Vec<u64>
where
    F: FnMut(&[f32], usize) -> Vec<usize>,
{
    let (sigma, batch) = (s.sigma, s.batch);
    let d = x.len() as u64;
    let stream = splitmix64(s.seed ^ (phase as u64).wrapping_mul(0xd1b5_4a32_d192_ed03));
    let mut counts = vec![0u64; num_classes];
    let mut buf: Vec<f32> = Vec::with_capacity(batch.max(1) * x.len());
    let mut done = 0u64;
    while done < num {
        let k = (num - done).min(batch.max(1) as u64);
        buf.clear();
        for j in done..done + k {
            for (i, &v) in x.iter().enumerate() {
                let key = counter_key(stream, j * d + i as u64);
                // A uniform in (0, 1): the top 53 bits, offset by half a step.
                let u = ((key >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
                buf.push(v + (sigma * ndtri(u)) as f32);
            }
        }
        let classes = classify(&buf, k as usize);
        assert_eq!(
            classes.len(),
            k as usize,
            "the classifier returns one class per input"
        );
        for c in classes {
            assert!(c < num_classes, "class {c} outside 0..{num_classes}");
            counts[c] += 1;
        }
        done += k;
    }
    counts
}

/// The settings of a smoothed classifier's procedures.
#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    /// Noise level σ of the smoothing distribution N(0, σ² I).
    pub sigma: f64,
    /// Samples that choose the class (CERTIFY's n0).
    pub n0: u64,
    /// Samples that estimate its probability (CERTIFY's n; PREDICT's n).
    pub n: u64,
    /// Failure probability α.
    pub alpha: f64,
    /// Inputs per call of the base classifier.
    pub batch: usize,
    /// Seed of the noise.
    pub seed: u64,
}

/// The outcome of [`certify`] on one input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Certificate {
    /// The smoothed classifier's class, `None` when it abstains.
    pub class: Option<usize>,
    /// The certified L2 radius (0 when abstaining).
    pub radius: f64,
    /// The Clopper–Pearson lower bound on the chosen class's probability.
    pub p_lower: f64,
    /// The chosen class's count among the estimation samples.
    pub count: u64,
}

/// Cohen et al.'s CERTIFY on input `x` (flattened), with a base classifier that maps a batch
/// of `k` flattened inputs (`k · x.len()` values) to `k` classes in `0..num_classes`. With
/// probability at least 1 − α over the noise, a returned class is g(x) and g is constant
/// within the returned radius.
pub fn certify<F>(classify: &mut F, x: &[f32], num_classes: usize, s: &Settings) -> Certificate
where
    F: FnMut(&[f32], usize) -> Vec<usize>,
{
    let selection = sample_counts(classify, x, num_classes, s, s.n0, Phase::Selection);
    // The first of the most frequent classes, as NumPy's argmax.
    let top = (0..num_classes).fold(0, |b, c| if selection[c] > selection[b] { c } else { b });
    let estimation = sample_counts(classify, x, num_classes, s, s.n, Phase::Estimation);
    let count = estimation[top];
    let p_lower = lower_confidence_bound(count, s.n, s.alpha);
    match radius(p_lower, s.sigma) {
        Some(r) => Certificate {
            class: Some(top),
            radius: r,
            p_lower,
            count,
        },
        None => Certificate {
            class: None,
            radius: 0.0,
            p_lower,
            count,
        },
    }
}

/// Cohen et al.'s PREDICT on input `x`: the top class of `n` noisy samples if the binomial
/// test of its count against the runner-up's has p-value at most α, otherwise `None`
/// (abstain). With probability at least 1 − α a returned class is g(x).
pub fn predict<F>(classify: &mut F, x: &[f32], num_classes: usize, s: &Settings) -> Option<usize>
where
    F: FnMut(&[f32], usize) -> Vec<usize>,
{
    let counts = sample_counts(classify, x, num_classes, s, s.n, Phase::Prediction);
    let mut order: Vec<usize> = (0..num_classes).collect();
    // Descending by count; ties to the lower class.
    order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
    let (c1, c2) = (counts[order[0]], order.get(1).map_or(0, |&c| counts[c]));
    if binomial_test_half(c1, c1 + c2) > s.alpha {
        None
    } else {
        Some(order[0])
    }
}

/// The share of inputs whose certificate is the true class with a radius of at least `r`, for
/// each `r` of `radii` (Cohen et al.'s certified test accuracy).
pub fn certified_accuracy(certs: &[Certificate], labels: &[usize], radii: &[f64]) -> Vec<f64> {
    assert_eq!(certs.len(), labels.len(), "one label per certificate");
    radii
        .iter()
        .map(|&r| {
            let ok = certs
                .iter()
                .zip(labels)
                .filter(|(c, &y)| c.class == Some(y) && c.radius >= r)
                .count();
            ok as f64 / certs.len().max(1) as f64
        })
        .collect()
}

/// The mean over inputs of the certified radius when the certificate is the true class, 0
/// otherwise (the average certified radius of Zhai et al., "MACER", ICLR 2020).
pub fn average_certified_radius(certs: &[Certificate], labels: &[usize]) -> f64 {
    assert_eq!(certs.len(), labels.len(), "one label per certificate");
    let sum: f64 = certs
        .iter()
        .zip(labels)
        .filter(|(c, &y)| c.class == Some(y))
        .map(|(c, _)| c.radius)
        .sum();
    sum / certs.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A linear two-class classifier sign(w·x + b): its smoothed version has
    /// p_A = Φ(|w·x + b| / (σ ‖w‖)), so its exact robust radius is |w·x + b| / ‖w‖.
    fn linear(w: &[f32], b: f32) -> impl FnMut(&[f32], usize) -> Vec<usize> + '_ {
        move |batch: &[f32], k: usize| {
            (0..k)
                .map(|j| {
                    let xs = &batch[j * w.len()..(j + 1) * w.len()];
                    let z: f32 = xs.iter().zip(w).map(|(a, b)| a * b).sum::<f32>() + b;
                    usize::from(z > 0.0)
                })
                .collect()
        }
    }

    fn settings(n: u64, batch: usize) -> Settings {
        Settings {
            sigma: 0.5,
            n0: 100,
            n,
            alpha: 0.001,
            batch,
            seed: 7,
        }
    }

    #[test]
    fn certified_radius_is_a_lower_bound_close_to_the_exact_one() {
        let w = [3.0f32, 4.0];
        // w·x + b = 0.6 · 5 at distance 0.6 from the boundary.
        let x = [0.36f32, 0.48];
        let c = certify(&mut linear(&w, 0.0), &x, 2, &settings(20_000, 500));
        assert_eq!(c.class, Some(1));
        let exact = 0.6;
        assert!(c.radius < exact && c.radius > exact - 0.05, "{c:?}");
        // The batch size does not change the draws.
        let again = certify(&mut linear(&w, 0.0), &x, 2, &settings(20_000, 37));
        assert_eq!(again, c);
        // On the boundary the smoothed classifier abstains (p_A = ½).
        let c = certify(&mut linear(&w, 0.0), &[0.0, 0.0], 2, &settings(2_000, 100));
        assert_eq!(c.class, None);
        assert_eq!(c.radius, 0.0);
        assert_eq!(
            predict(&mut linear(&w, 0.0), &[0.0, 0.0], 2, &settings(2_000, 100)),
            None
        );
        assert_eq!(
            predict(&mut linear(&w, 0.0), &x, 2, &settings(2_000, 100)),
            Some(1)
        );
    }

    #[test]
    fn summaries() {
        let cert = |class, radius| Certificate {
            class,
            radius,
            p_lower: 0.9,
            count: 1,
        };
        let certs = [
            cert(Some(1), 0.5),
            cert(Some(0), 0.2),
            cert(None, 0.0),
            cert(Some(2), 1.0),
        ];
        let labels = [1, 1, 0, 2];
        assert_eq!(
            certified_accuracy(&certs, &labels, &[0.0, 0.25, 0.5, 1.5]),
            [0.5, 0.5, 0.5, 0.0]
        );
        assert!((average_certified_radius(&certs, &labels) - 0.375).abs() < 1e-15);
        assert_eq!(radius(0.4, 1.0), None);
        assert_eq!(radius(0.5, 1.0), Some(0.0));
    }
}
