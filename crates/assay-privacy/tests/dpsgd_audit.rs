//! One-run audits (Steinke, Nasr and Jagielski 2023) of assay's DP-SGD: with the noise switched
//! off, a run that claims ε = 2 is caught (the ε lower bound is far above the claim); with the
//! noise calibrated to ε = 2 the lower bound stays below the claim.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

use assay_privacy::accounting::{calibrate, epsilon, Accountant};
use assay_privacy::audit::{audit_dpsgd, AuditConfig, AuditOutcome};
use assay_privacy::dpsgd::{Architecture, Config};

const DELTA: f64 = 1e-5;
const CLAIM: f64 = 2.0;
const Q: f64 = 0.05;
const STEPS: u64 = 200;

/// 2000 rows, 5 features, a noisy linear label.
fn data() -> (Vec<f64>, Vec<f64>, usize) {
    let (n, d) = (2000, 5);
    let mut rng = ChaCha20Rng::seed_from_u64(17);
    let x: Vec<f64> = (0..n * d).map(|_| rng.random_range(-2.0..2.0)).collect();
    let y = (0..n)
        .map(|i| {
            let s = x[i * d] - 0.5 * x[i * d + 1] + rng.random_range(-1.0..1.0);
            f64::from(u8::from(s > 0.0))
        })
        .collect();
    (x, y, d)
}

fn run(noise_multiplier: f64, architecture: Architecture) -> AuditOutcome {
    let (x, y, d) = data();
    let cfg = Config {
        architecture,
        sampling_rate: Q,
        noise_multiplier,
        clip: 1.0,
        lr: 1.0,
        momentum: 0.0,
        steps: STEPS,
        seed: 5,
    };
    let audit = AuditConfig {
        canaries: 1000,
        guesses_in: 100,
        guesses_out: 100,
        canary_value: 3.0,
        delta: DELTA,
        beta: 0.05,
        seed: 6,
    };
    audit_dpsgd(&x, &y, d, &cfg, &audit).unwrap()
}

fn calibrated_sigma() -> f64 {
    let c = calibrate::noise_multiplier(Accountant::Rdp, CLAIM, DELTA, Q, STEPS, 1e-4).unwrap();
    let eps = epsilon(Accountant::Rdp, Q, c.noise_multiplier, STEPS, DELTA).unwrap();
    assert!(eps <= CLAIM && eps > 0.99 * CLAIM);
    c.noise_multiplier
}

#[test]
fn audit_catches_dpsgd_without_noise() {
    for arch in [Architecture::Logistic, Architecture::Mlp { hidden: 8 }] {
        let broken = run(0.0, arch);
        eprintln!("{arch:?} noise off: {broken:?}");
        assert!(
            broken.correct >= 190,
            "without noise the canaries are memorised: {broken:?}"
        );
        assert!(
            broken.epsilon_lower_bound > 1.5 * CLAIM,
            "lower bound {} should be far above the claimed {CLAIM}",
            broken.epsilon_lower_bound
        );
    }
}

#[test]
fn audit_of_correct_dpsgd_stays_below_the_claim() {
    let sigma = calibrated_sigma();
    for arch in [Architecture::Logistic, Architecture::Mlp { hidden: 8 }] {
        let ok = run(sigma, arch);
        eprintln!("{arch:?} sigma {sigma}: {ok:?}");
        assert!(
            ok.epsilon_lower_bound < CLAIM,
            "lower bound {} exceeds the claimed {CLAIM}: {ok:?}",
            ok.epsilon_lower_bound
        );
        // The audit is not vacuous: some canaries are still told apart better than chance
        // would allow with the noise off... but not all.
        assert!(ok.correct < ok.guesses);
    }
}
