//! Statistical tests of every sampler in `assay_privacy::mechanisms` against its exact
//! distribution, with fixed seeds.
//!
//! * Continuous-valued samplers (Laplace and Gaussian on their 2^k grid): one-sample
//!   Kolmogorov–Smirnov test against the continuous CDF (the grid is 2^-40 of the scale, far
//!   below what KS can resolve at these sample sizes). p-value from the asymptotic Kolmogorov
//!   distribution with Stephens' small-sample correction.
//! * Discrete samplers (discrete Laplace, discrete Gaussian, exponential mechanism, randomized
//!   response): Pearson chi-square against the exact pmf, tail cells pooled so that every
//!   expected count is ≥ 5; p-value from the regularized incomplete gamma function.
//!
//! Every test rejects at p < ALPHA = 1e-4, so each correct-sampler check has a false-alarm rate of
//! 1e-4 (the seeds are fixed, so a run is deterministic: a failure means a changed sampler, not
//! bad luck). Each family also has a *power* check: a deliberately mis-scaled sampler (scale
//! × 1.15 or ε × 1.5) must be rejected at the same level.

use assay_privacy::mechanisms::exponential::exponential_mechanism_probabilities;
use assay_privacy::mechanisms::randomized_response::truth_probability;
use assay_privacy::mechanisms::{
    analytic_gaussian_delta, analytic_gaussian_sigma, exponential_mechanism, randomized_response,
    rng, sample_discrete_gaussian, sample_discrete_laplace, sample_gaussian, sample_laplace,
    DiscreteLaplaceMechanism, GaussianMechanism, LaplaceMechanism,
};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::ToPrimitive;

const ALPHA: f64 = 1e-4;

// ---------------------------------------------------------------- statistics

/// P(K > x) for the Kolmogorov distribution.
fn kolmogorov_sf(x: f64) -> f64 {
    if x < 0.2 {
        return 1.0;
    }
    let mut s = 0.0;
    for k in 1..100 {
        let k = k as f64;
        let t = (-2.0 * k * k * x * x).exp();
        s += if (k as i64) % 2 == 1 { t } else { -t };
        if t < 1e-18 {
            break;
        }
    }
    (2.0 * s).clamp(0.0, 1.0)
}

/// (D, p-value) of the one-sample KS test of `xs` against `cdf`.
fn ks_test(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> (f64, f64) {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = xs.len() as f64;
    let mut d: f64 = 0.0;
    for (i, &x) in xs.iter().enumerate() {
        let f = cdf(x);
        d = d.max((i as f64 + 1.0) / n - f).max(f - i as f64 / n);
    }
    let sn = n.sqrt();
    let p = kolmogorov_sf(d * (sn + 0.12 + 0.11 / sn));
    eprintln!("  KS n = {n}: D = {d:.5}, p = {p:.4}");
    (d, p)
}

/// Regularized upper incomplete gamma Q(a, x).
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let lg = libm::lgamma(a);
    if x < a + 1.0 {
        let mut sum = 1.0 / a;
        let mut term = sum;
        let mut ap = a;
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        1.0 - sum * (-x + a * x.ln() - lg).exp()
    } else {
        // Lentz's continued fraction.
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        (-x + a * x.ln() - lg).exp() * h
    }
}

/// (chi-square, df, p-value) of observed counts per category against probabilities, with
/// adjacent cells (in the given order) pooled until each expected count is ≥ 5.
fn chi_square(observed: &[u64], probs: &[f64]) -> (f64, usize, f64) {
    let n: u64 = observed.iter().sum();
    let n = n as f64;
    let mut cells: Vec<(f64, f64)> = Vec::new();
    let (mut o, mut e) = (0.0, 0.0);
    for (&ob, &p) in observed.iter().zip(probs) {
        o += ob as f64;
        e += p * n;
        if e >= 5.0 {
            cells.push((o, e));
            o = 0.0;
            e = 0.0;
        }
    }
    if let Some(last) = cells.last_mut() {
        last.0 += o;
        last.1 += e;
    }
    let stat: f64 = cells.iter().map(|(o, e)| (o - e) * (o - e) / e).sum();
    let df = cells.len() - 1;
    let p = gamma_q(df as f64 / 2.0, stat / 2.0);
    eprintln!("  chi2 n = {n}: {stat:.2} on {df} df, p = {p:.4}");
    (stat, df, p)
}

/// Chi-square test of integer draws against a pmf on [-m, m] (tails beyond pooled into the
/// outermost cells).
fn chi_square_integers(draws: &[i64], pmf: impl Fn(i64) -> f64, m: i64) -> (f64, usize, f64) {
    let width = (2 * m + 1) as usize;
    let mut obs = vec![0u64; width];
    for &d in draws {
        obs[(d.clamp(-m, m) + m) as usize] += 1;
    }
    let mut probs: Vec<f64> = (-m..=m).map(&pmf).collect();
    let inner: f64 = probs.iter().sum();
    // Put the mass outside [-m, m] into the two end cells (symmetric distributions).
    probs[0] += (1.0 - inner) / 2.0;
    probs[width - 1] += (1.0 - inner) / 2.0;
    // Pool from the left up to the middle and from the right up to the middle, so that the
    // pooled cells stay contiguous.
    let mid = m as usize;
    let (l, r) = chi_square_parts(&obs, &probs, mid);
    let stat = l.0 + r.0;
    let df = l.1 + r.1 - 1;
    let p = gamma_q(df as f64 / 2.0, stat / 2.0);
    eprintln!(
        "  chi2 n = {}: {stat:.2} on {df} df, p = {p:.4}",
        draws.len()
    );
    (stat, df, p)
}

fn chi_square_parts(obs: &[u64], probs: &[f64], mid: usize) -> ((f64, usize), (f64, usize)) {
    let n = obs.iter().sum::<u64>() as f64;
    let pool = |idx: Vec<usize>| -> (f64, usize) {
        let mut cells: Vec<(f64, f64)> = Vec::new();
        let (mut o, mut e) = (0.0, 0.0);
        for i in idx {
            o += obs[i] as f64;
            e += probs[i] * n;
            if e >= 5.0 {
                cells.push((o, e));
                o = 0.0;
                e = 0.0;
            }
        }
        if let Some(last) = cells.last_mut() {
            last.0 += o;
            last.1 += e;
        } else if e > 0.0 {
            cells.push((o, e));
        }
        (
            cells.iter().map(|(o, e)| (o - e) * (o - e) / e).sum(),
            cells.len(),
        )
    };
    (
        pool((0..=mid).collect()),
        pool((mid + 1..obs.len()).rev().collect()),
    )
}

fn laplace_cdf(b: f64) -> impl Fn(f64) -> f64 {
    move |x| {
        if x < 0.0 {
            0.5 * (x / b).exp()
        } else {
            1.0 - 0.5 * (-x / b).exp()
        }
    }
}

fn normal_cdf(s: f64) -> impl Fn(f64) -> f64 {
    move |x| 0.5 * libm::erfc(-x / (s * std::f64::consts::SQRT_2))
}

fn rat(num: i64, den: i64) -> BigRational {
    BigRational::new(BigInt::from(num), BigInt::from(den))
}

// ---------------------------------------------------------------- the statistics themselves

#[test]
fn statistics_helpers_are_calibrated() {
    // Kolmogorov: P(K > 1.3581) = 0.05, P(K > 1.6276) = 0.01.
    assert!((kolmogorov_sf(1.3581) - 0.05).abs() < 1e-4);
    assert!((kolmogorov_sf(1.6276) - 0.01).abs() < 1e-4);
    // Chi-square: 95th percentile of df 1 is 3.8415, 99.99th of df 10 is 35.564.
    assert!((gamma_q(0.5, 3.8415 / 2.0) - 0.05).abs() < 1e-4);
    assert!((gamma_q(5.0, 35.564 / 2.0) - 1e-4).abs() < 1e-6);
}

// ---------------------------------------------------------------- Laplace

#[test]
fn laplace_matches_continuous_laplace() {
    let mut r = rng(Some(11));
    for &b in &[0.5, 1.0, 7.3] {
        for &n in &[1_000usize, 20_000] {
            let xs: Vec<f64> = (0..n)
                .map(|_| sample_laplace(&mut r, 0.0, b).unwrap())
                .collect();
            let (d, p) = ks_test(xs, laplace_cdf(b));
            assert!(p >= ALPHA, "Laplace({b}) n = {n}: D = {d}, p = {p}");
        }
    }
    // A shifted value: the noise is centred on it.
    let xs: Vec<f64> = (0..5_000)
        .map(|_| sample_laplace(&mut r, 3.25, 2.0).unwrap() - 3.25)
        .collect();
    let (d, p) = ks_test(xs, laplace_cdf(2.0));
    assert!(p >= ALPHA, "shifted: D = {d}, p = {p}");
}

#[test]
fn laplace_misscaled_is_rejected() {
    let mut r = rng(Some(12));
    let xs: Vec<f64> = (0..40_000)
        .map(|_| sample_laplace(&mut r, 0.0, 1.15).unwrap())
        .collect();
    let (d, p) = ks_test(xs, laplace_cdf(1.0));
    assert!(
        p < ALPHA,
        "a Laplace(1.15) sample passed as Laplace(1): D = {d}, p = {p}"
    );
}

#[test]
fn laplace_mechanism_noise_and_grid() {
    let m = LaplaceMechanism::new(2.0, 0.5).unwrap();
    // Scale Δ/ε up to the grid's 2^-40 relative excess.
    assert!(m.scale() >= 4.0 && m.scale() <= 4.0 * (1.0 + 1e-11));
    let g = m.granularity();
    let mut r = rng(Some(13));
    let xs: Vec<f64> = (0..10_000)
        .map(|_| m.release(&mut r, 10.0).unwrap())
        .collect();
    // Every output lies on the grid (the output set does not depend on the input's low bits).
    assert!(xs.iter().all(|x| (x / g).fract() == 0.0));
    let (d, p) = ks_test(
        xs.iter().map(|x| x - 10.0).collect(),
        laplace_cdf(m.scale()),
    );
    assert!(p >= ALPHA, "D = {d}, p = {p}");
    // 95% half-width: b ln 20; the empirical coverage of 10,000 draws is within 5 sd of 0.95.
    let w = m.interval_half_width(0.95);
    let cover = xs.iter().filter(|x| (*x - 10.0).abs() <= w).count() as f64 / 1e4;
    assert!(
        (cover - 0.95).abs() < 5.0 * (0.95f64 * 0.05 / 1e4).sqrt(),
        "{cover}"
    );
}

// ---------------------------------------------------------------- Gaussian

#[test]
fn gaussian_matches_normal() {
    let mut r = rng(Some(21));
    for &s in &[0.3, 1.0, 12.5] {
        for &n in &[1_000usize, 20_000] {
            let xs: Vec<f64> = (0..n)
                .map(|_| sample_gaussian(&mut r, 0.0, s).unwrap())
                .collect();
            let (d, p) = ks_test(xs, normal_cdf(s));
            assert!(p >= ALPHA, "N(0, {s}^2) n = {n}: D = {d}, p = {p}");
        }
    }
}

#[test]
fn gaussian_misscaled_is_rejected() {
    let mut r = rng(Some(22));
    let xs: Vec<f64> = (0..40_000)
        .map(|_| sample_gaussian(&mut r, 0.0, 1.15).unwrap())
        .collect();
    let (d, p) = ks_test(xs, normal_cdf(1.0));
    assert!(
        p < ALPHA,
        "N(0, 1.15^2) passed as N(0, 1): D = {d}, p = {p}"
    );
}

#[test]
fn gaussian_mechanism_noise() {
    let m = GaussianMechanism::new(1.0, 1.0, 1e-5).unwrap();
    assert!(analytic_gaussian_delta(m.sigma(), 1.0, 1.0) <= 1e-5);
    let mut r = rng(Some(23));
    let xs: Vec<f64> = (0..10_000)
        .map(|_| m.release(&mut r, -4.5).unwrap() + 4.5)
        .collect();
    let (d, p) = ks_test(xs, normal_cdf(m.sigma()));
    assert!(p >= ALPHA, "D = {d}, p = {p}");
}

#[test]
fn analytic_gaussian_matches_dp_accounting() {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/reference/golden/analytic_gaussian.json");
    let g: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let cases = g["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for c in cases {
        let (e, d, s) = (
            c["epsilon"].as_f64().unwrap(),
            c["delta"].as_f64().unwrap(),
            c["sensitivity"].as_f64().unwrap(),
        );
        let want = c["sigma"].as_f64().unwrap();
        let dpa = c["sigma_dp_accounting_calibration"].as_f64().unwrap();
        let got = analytic_gaussian_sigma(e, d, s).unwrap();
        assert!(
            (got - want).abs() <= 1e-9 * want,
            "eps {e} delta {d}: {got} vs {want}"
        );
        // dp_accounting's own calibration searches to a tolerance and rounds up: ours is never
        // looser, and within 1e-6 relative of it.
        assert!(
            got <= dpa * (1.0 + 1e-12) && dpa - got <= 1e-6 * dpa,
            "eps {e} delta {d}: {got} vs dp_accounting {dpa}"
        );
    }
}

// ---------------------------------------------------------------- discrete Laplace

fn discrete_laplace_pmf(scale: f64) -> impl Fn(i64) -> f64 {
    let p = (-1.0 / scale).exp();
    move |x| (1.0 - p) / (1.0 + p) * p.powi(x.unsigned_abs() as i32)
}

fn draws_dlap(seed: u64, scale: &BigRational, n: usize) -> Vec<i64> {
    let mut r = rng(Some(seed));
    (0..n)
        .map(|_| {
            sample_discrete_laplace(&mut r, scale)
                .unwrap()
                .to_i64()
                .unwrap()
        })
        .collect()
}

#[test]
fn discrete_laplace_matches_pmf() {
    for (i, (num, den)) in [(1, 2), (1, 1), (3, 1), (10, 3)].into_iter().enumerate() {
        let scale = num as f64 / den as f64;
        for &n in &[2_000usize, 30_000] {
            let xs = draws_dlap(31 + i as u64, &rat(num, den), n);
            let (stat, df, p) = chi_square_integers(&xs, discrete_laplace_pmf(scale), 60);
            assert!(
                p >= ALPHA,
                "DLap({num}/{den}) n = {n}: chi2 = {stat}, df = {df}, p = {p}"
            );
        }
    }
}

#[test]
fn discrete_laplace_mechanism_matches_pmf() {
    // Sensitivity 3, ε = 1.5: scale 2, centred on the value.
    let m = DiscreteLaplaceMechanism::new(3, 1.5).unwrap();
    assert_eq!(m.scale(), 2.0);
    let mut r = rng(Some(36));
    let xs: Vec<i64> = (0..30_000)
        .map(|_| m.release(&mut r, -17).unwrap() + 17)
        .collect();
    let (stat, df, p) = chi_square_integers(&xs, discrete_laplace_pmf(2.0), 60);
    assert!(p >= ALPHA, "chi2 = {stat}, df = {df}, p = {p}");
    // Stated 95% half-width: the smallest integer w with P(|Z| > w) <= 0.05, and its coverage.
    let w = m.interval_half_width(0.95);
    let pr = (-0.5f64).exp();
    assert!(2.0 * pr.powf(w + 1.0) / (1.0 + pr) <= 0.05 && 2.0 * pr.powf(w) / (1.0 + pr) > 0.05);
    let cover = xs.iter().filter(|x| (x.abs() as f64) <= w).count() as f64 / 3e4;
    let exact = 1.0 - 2.0 * pr.powf(w + 1.0) / (1.0 + pr);
    assert!(
        (cover - exact).abs() < 5.0 * (exact * (1.0 - exact) / 3e4).sqrt(),
        "{cover} vs {exact}"
    );
    assert!(DiscreteLaplaceMechanism::new(0, 1.0).is_err());
    assert!(DiscreteLaplaceMechanism::new(1, 0.0).is_err());
}

/// The output of the grid mechanisms depends on the input only through its grid point: two inputs
/// that differ below the grid give identical releases for the same seed (no low-order bits of the
/// input survive into the output, unlike textbook floating-point Laplace noise).
#[test]
fn grid_mechanisms_forget_the_low_bits_of_the_input() {
    let lap = LaplaceMechanism::new(1.0, 1.0).unwrap();
    let gau = GaussianMechanism::new(1.0, 1.0, 1e-6).unwrap();
    assert!(lap.granularity() > 1e-13 && lap.granularity() < 1e-11);
    for seed in 0..50 {
        let a = lap.release(&mut rng(Some(seed)), 1.0).unwrap();
        let b = lap.release(&mut rng(Some(seed)), 1.0 + 1e-15).unwrap();
        assert_eq!(a, b);
        let a = gau.release(&mut rng(Some(seed)), 0.25).unwrap();
        let b = gau.release(&mut rng(Some(seed)), 0.25 - 1e-16).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn discrete_laplace_misscaled_is_rejected() {
    let xs = draws_dlap(35, &rat(23, 10), 30_000);
    let (stat, df, p) = chi_square_integers(&xs, discrete_laplace_pmf(2.0), 60);
    assert!(
        p < ALPHA,
        "DLap(2.3) passed as DLap(2): chi2 = {stat}, df = {df}, p = {p}"
    );
}

// ---------------------------------------------------------------- discrete Gaussian

fn discrete_gaussian_pmf(sigma2: f64) -> impl Fn(i64) -> f64 {
    let m = (40.0 * sigma2.sqrt()) as i64 + 10;
    let w = move |x: i64| (-((x * x) as f64) / (2.0 * sigma2)).exp();
    let z: f64 = (-m..=m).map(w).sum();
    move |x| w(x) / z
}

fn draws_dgauss(seed: u64, sigma2: &BigRational, n: usize) -> Vec<i64> {
    let mut r = rng(Some(seed));
    (0..n)
        .map(|_| {
            sample_discrete_gaussian(&mut r, sigma2)
                .unwrap()
                .to_i64()
                .unwrap()
        })
        .collect()
}

#[test]
fn discrete_gaussian_matches_pmf() {
    for (i, (num, den)) in [(1, 4), (1, 1), (5, 2), (25, 1), (1000, 7)]
        .into_iter()
        .enumerate()
    {
        let s2 = num as f64 / den as f64;
        for &n in &[2_000usize, 30_000] {
            let xs = draws_dgauss(41 + i as u64, &rat(num, den), n);
            let (stat, df, p) = chi_square_integers(&xs, discrete_gaussian_pmf(s2), 80);
            assert!(
                p >= ALPHA,
                "N_Z(0, {num}/{den}) n = {n}: chi2 = {stat}, df = {df}, p = {p}"
            );
        }
    }
}

#[test]
fn discrete_gaussian_misscaled_is_rejected() {
    // σ 1.15 times too large (σ² × 1.3225).
    let xs = draws_dgauss(46, &rat(13_225, 1_000), 30_000);
    let (stat, df, p) = chi_square_integers(&xs, discrete_gaussian_pmf(10.0), 80);
    assert!(p < ALPHA, "chi2 = {stat}, df = {df}, p = {p}");
}

// ---------------------------------------------------------------- exponential mechanism

fn em_counts(seed: u64, u: &[f64], eps: f64, n: usize) -> Vec<u64> {
    let mut r = rng(Some(seed));
    let mut c = vec![0u64; u.len()];
    for _ in 0..n {
        c[exponential_mechanism(&mut r, u, eps, 1.0).unwrap()] += 1;
    }
    c
}

#[test]
fn exponential_mechanism_matches_softmax() {
    let u = [0.0, 1.0, 2.0, 5.0, 5.0, -3.0, 0.5];
    for (i, &eps) in [0.3, 1.0, 2.5].iter().enumerate() {
        for &n in &[2_000usize, 30_000] {
            let c = em_counts(51 + i as u64, &u, eps, n);
            let (stat, df, p) = chi_square(&c, &exponential_mechanism_probabilities(&u, eps, 1.0));
            assert!(
                p >= ALPHA,
                "eps {eps} n {n}: chi2 = {stat}, df = {df}, p = {p}; {c:?}"
            );
        }
    }
}

#[test]
fn exponential_mechanism_wrong_epsilon_is_rejected() {
    let u = [0.0, 1.0, 2.0, 5.0, 5.0, -3.0, 0.5];
    let c = em_counts(55, &u, 1.5, 30_000);
    let (stat, df, p) = chi_square(&c, &exponential_mechanism_probabilities(&u, 1.0, 1.0));
    assert!(p < ALPHA, "chi2 = {stat}, df = {df}, p = {p}");
}

// ---------------------------------------------------------------- randomized response

fn rr_counts(seed: u64, truth: usize, k: usize, eps: f64, n: usize) -> Vec<u64> {
    let mut r = rng(Some(seed));
    let mut c = vec![0u64; k];
    for _ in 0..n {
        c[randomized_response(&mut r, truth, k, eps).unwrap()] += 1;
    }
    c
}

fn rr_probs(truth: usize, k: usize, eps: f64) -> Vec<f64> {
    let pt = truth_probability(k, eps);
    (0..k)
        .map(|j| {
            if j == truth {
                pt
            } else {
                (1.0 - pt) / (k - 1) as f64
            }
        })
        .collect()
}

#[test]
fn randomized_response_matches_pmf() {
    for (i, &(truth, k, eps)) in [
        (0usize, 2usize, 1.0),
        (1, 2, 0.2),
        (3, 5, 2.0),
        (0, 10, 0.5),
    ]
    .iter()
    .enumerate()
    {
        for &n in &[2_000usize, 30_000] {
            let c = rr_counts(61 + i as u64, truth, k, eps, n);
            let (stat, df, p) = chi_square(&c, &rr_probs(truth, k, eps));
            assert!(
                p >= ALPHA,
                "k {k} eps {eps} n {n}: chi2 = {stat}, df = {df}, p = {p}"
            );
        }
    }
}

#[test]
fn randomized_response_wrong_epsilon_is_rejected() {
    let c = rr_counts(65, 1, 4, 1.5, 30_000);
    let (stat, df, p) = chi_square(&c, &rr_probs(1, 4, 1.0));
    assert!(p < ALPHA, "chi2 = {stat}, df = {df}, p = {p}");
}

// ---------------------------------------------------------------- seeds

#[test]
fn seeded_draws_are_reproducible() {
    let draw = |seed| {
        let mut r = rng(Some(seed));
        (0..20)
            .map(|_| sample_laplace(&mut r, 1.0, 3.0).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(draw(5), draw(5));
    assert_ne!(draw(5), draw(6));
    // OS-seeded generators differ.
    let mut a = rng(None);
    let mut b = rng(None);
    assert_ne!(
        sample_laplace(&mut a, 0.0, 1.0).unwrap(),
        sample_laplace(&mut b, 0.0, 1.0).unwrap()
    );
}

#[test]
fn invalid_parameters_are_errors() {
    let mut r = rng(Some(1));
    assert!(sample_laplace(&mut r, 0.0, 0.0).is_err());
    assert!(sample_laplace(&mut r, 0.0, f64::NAN).is_err());
    assert!(sample_gaussian(&mut r, 0.0, -1.0).is_err());
    assert!(LaplaceMechanism::new(1.0, 0.0).is_err());
    assert!(LaplaceMechanism::new(1.0, -1.0).is_err());
    assert!(GaussianMechanism::new(1.0, 1.0, 0.0).is_err());
    assert!(GaussianMechanism::new(1.0, 1.0, 1.0).is_err());
    assert!(exponential_mechanism(&mut r, &[], 1.0, 1.0).is_err());
    assert!(randomized_response(&mut r, 2, 2, 1.0).is_err());
    assert!(sample_discrete_laplace(&mut r, &rat(0, 1)).is_err());
    assert!(sample_discrete_gaussian(&mut r, &rat(-1, 1)).is_err());
}
