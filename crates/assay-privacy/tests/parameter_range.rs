//! ε and δ outside the range the samplers and accountants handle exactly
//! (`assay_privacy::params`) are refused by every mechanism constructor and accountant entry
//! point with the range in the message; at the boundaries everything works and ends.

use std::sync::mpsc;
use std::time::Duration;

use assay_privacy::accounting::{calibrate, epsilon as accountant_epsilon, Accountant};
use assay_privacy::mechanisms::{
    analytic_gaussian_sigma, exponential_mechanism, randomized_response, rng,
    DiscreteLaplaceMechanism, GaussianMechanism, LaplaceMechanism,
};
use assay_privacy::params::{MAX_EPSILON, MIN_DELTA, MIN_EPSILON};
use assay_privacy::PrivacyError;

/// Runs `f` on a thread and fails if it has not finished within a generous limit (the old
/// interval search never ended for ε/Δ below 2^-53).
fn within_limit<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("did not finish within 60 s")
}

fn says_range(e: &PrivacyError) {
    let m = e.to_string();
    assert!(
        (m.contains("9.313225746154785e-10") && m.contains("65536"))
            || (m.contains("2.2250738585072014e-308") && m.contains(", 1)")),
        "{m}"
    );
}

const TOO_SMALL_EPSILONS: [f64; 4] = [1e-17, 5e-324, 9.3e-10, 0.0];
const TOO_LARGE_EPSILONS: [f64; 3] = [65_536.000_000_01, 1e300, f64::INFINITY];

#[test]
fn mechanisms_refuse_epsilon_outside_the_range() {
    for eps in TOO_SMALL_EPSILONS
        .into_iter()
        .chain(TOO_LARGE_EPSILONS)
        .chain([f64::NAN, -1.0])
    {
        let mut r = rng(Some(1));
        says_range(&DiscreteLaplaceMechanism::new(1, eps).unwrap_err());
        says_range(&LaplaceMechanism::new(1.0, eps).unwrap_err());
        says_range(&GaussianMechanism::new(1.0, eps, 1e-6).unwrap_err());
        says_range(&analytic_gaussian_sigma(eps, 1e-6, 1.0).unwrap_err());
        says_range(&exponential_mechanism(&mut r, &[0.0, 1.0], eps, 1.0).unwrap_err());
        says_range(&randomized_response(&mut r, 0, 2, eps).unwrap_err());
    }
}

#[test]
fn mechanisms_refuse_delta_outside_the_range() {
    for delta in [0.0, 5e-324, MIN_DELTA / 4.0, 1.0, 2.0, -1e-6, f64::NAN] {
        says_range(&GaussianMechanism::new(1.0, 1.0, delta).unwrap_err());
    }
}

#[test]
fn accountants_refuse_parameters_outside_the_range() {
    for delta in [5e-324, 0.0, 1.0] {
        says_range(&accountant_epsilon(Accountant::Rdp, 0.01, 1.0, 10, delta).unwrap_err());
    }
    for eps in [1e-17, 5e-324, 1e5] {
        says_range(
            &calibrate::noise_multiplier(Accountant::Rdp, eps, 1e-5, 0.01, 10, 0.01).unwrap_err(),
        );
    }
    says_range(
        &calibrate::noise_multiplier(Accountant::Rdp, 1.0, 5e-324, 0.01, 10, 0.01).unwrap_err(),
    );
}

#[test]
fn the_boundaries_work_and_end() {
    // Smallest ε: finite scales and intervals, draws that end.
    let (m, w) = within_limit(|| {
        let m = DiscreteLaplaceMechanism::new(1, MIN_EPSILON).unwrap();
        let w = m.interval_half_width(0.95);
        (m, w)
    });
    // w = ⌈ln(2/(α(1+p)))/(ε/Δ) - 1⌉ with p ≈ 1: 2^30 ln 20 within a few units.
    let want = (20.0f64).ln() * 2f64.powi(30);
    assert!((w - want).abs() <= 2.0, "{w} vs {want}");
    let mut r = rng(Some(5));
    assert!(m.release(&mut r, 100).is_ok());

    let l = LaplaceMechanism::new(1.0, MIN_EPSILON).unwrap();
    assert!(l.scale().is_finite() && l.interval_half_width(0.95).is_finite());
    assert!(l.release(&mut r, 3.0).unwrap().is_finite());
    let g = GaussianMechanism::new(1.0, MIN_EPSILON, MIN_DELTA).unwrap();
    assert!(g.sigma().is_finite() && g.release(&mut r, 3.0).unwrap().is_finite());

    // Largest ε.
    let m = DiscreteLaplaceMechanism::new(1, MAX_EPSILON).unwrap();
    assert_eq!(m.interval_half_width(0.95), 0.0);
    assert_eq!(m.release(&mut r, 7).unwrap(), 7);
    let g = GaussianMechanism::new(1.0, MAX_EPSILON, 1e-5).unwrap();
    assert!(g.sigma() > 0.0 && g.sigma() < 0.1, "{}", g.sigma());
    assert!(exponential_mechanism(&mut r, &[0.0, 1.0], MAX_EPSILON, 1.0).is_ok());
    assert!(randomized_response(&mut r, 1, 3, MIN_EPSILON).is_ok());
    assert!(
        accountant_epsilon(Accountant::Rdp, 0.01, 1.0, 10, MIN_DELTA)
            .unwrap()
            .is_finite()
    );
}

#[test]
fn interval_search_ends_when_exp_rounds_to_one() {
    // ε/Δ = 2^-30 / 2^40 = 2^-70: exp(-ε/Δ) is exactly 1.0 in a double. The interval is
    // still the closed form (about 2^70 ln 20), and its computation ends.
    let w = within_limit(|| {
        DiscreteLaplaceMechanism::new(1 << 40, MIN_EPSILON)
            .unwrap()
            .interval_half_width(0.95)
    });
    let want = (20.0f64).ln() * 2f64.powi(70);
    assert!(((w - want) / want).abs() < 1e-12, "{w} vs {want}");
}

#[test]
fn huge_sensitivity_with_small_epsilon_is_refused_not_infinite() {
    // Scale 1e300 / 2^-30 is beyond the largest double: refused instead of "-inf ± inf".
    let e = LaplaceMechanism::new(1e300, MIN_EPSILON).unwrap_err();
    assert!(e.to_string().contains("not a finite number"), "{e}");
}
