//! Agreement with Google's `dp_accounting` 0.6.0 on the golden grid written by
//! `tests/reference/dp_accounting_golden.py`: RDP curves and ε to 1e-6 relative (every order,
//! every case), PLD ε within 1e-5 relative (the issue asks for 1 %), calibrated noise multipliers.

use std::path::PathBuf;

use assay_privacy::accounting::calibrate::noise_multiplier;
use assay_privacy::accounting::pld::{PldAccountant, DEFAULT_DISCRETIZATION};
use assay_privacy::accounting::rdp::{default_orders, Mechanism, RdpAccountant};
use assay_privacy::accounting::{epsilon, Accountant};
use serde_json::Value;

fn golden() -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/reference/golden/dp_accounting.json");
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

/// A number; the golden file writes +∞ (an order dp_accounting excludes) as "inf".
fn f(v: &Value) -> f64 {
    match v.as_str() {
        Some("inf") => f64::INFINITY,
        _ => v.as_f64().unwrap(),
    }
}

/// Relative error; equal infinities count as agreement.
fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        return 0.0;
    }
    (a - b).abs() / b.abs().max(1e-300)
}

fn curve(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(f).collect()
}

const RDP_TOL: f64 = 1e-6;

/// Absolute agreement of tiny PLD δ values. The connect-the-dots probabilities are second
/// differences of δ(ε) divided by the discretisation interval, so every grid probability carries
/// about 1e-12 of rounding noise in both implementations (dp_accounting's one-step PMF sums to
/// 1 ± 4e-10 on some cases); after 10⁵ compositions δ values around 1e-10 differ by up to ~4e-13
/// (measured: 8.928e-11 here against 8.893e-11 in dp_accounting, whose own value moves to
/// 8.894e-11 with a more accurate spectral power). ε at δ ≥ 1e-6 is unaffected (1e-7 relative).
const PLD_DELTA_NOISE: f64 = 1e-11;

#[test]
fn orders_are_dp_accounting_defaults() {
    let g = golden();
    let want = curve(&g["orders"]);
    assert_eq!(default_orders(), want);
}

#[test]
fn rdp_poisson_gaussian_matches() {
    let g = golden();
    let cases = g["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    let mut worst_curve = 0.0f64;
    let mut worst_eps = 0.0f64;
    for c in cases {
        let (q, s, t, d) = (
            f(&c["sampling_rate"]),
            f(&c["noise_multiplier"]),
            c["steps"].as_u64().unwrap(),
            f(&c["delta"]),
        );
        let mut acc = RdpAccountant::new();
        acc.compose(
            Mechanism::PoissonGaussian {
                sampling_rate: q,
                noise_multiplier: s,
            },
            t,
        )
        .unwrap();
        let want = curve(&c["rdp"]);
        for ((&o, &got), &w) in acc.orders().iter().zip(acc.rdp()).zip(&want) {
            let e = rel(got, w);
            assert!(
                e <= RDP_TOL,
                "q={q} sigma={s} T={t} order {o}: {got} vs {w} (rel {e:e})"
            );
            worst_curve = worst_curve.max(e);
        }
        let (eps, order) = acc.epsilon_and_order(d).unwrap();
        let e = rel(eps, f(&c["rdp_epsilon"]));
        assert!(
            e <= RDP_TOL,
            "q={q} sigma={s} T={t}: eps {eps} vs {}",
            c["rdp_epsilon"]
        );
        assert_eq!(order, f(&c["rdp_optimal_order"]), "q={q} sigma={s} T={t}");
        worst_eps = worst_eps.max(e);
        let dl = acc.delta(1.0).unwrap();
        let want_dl = f(&c["rdp_delta_at_epsilon_1"]);
        assert!(
            rel(dl, want_dl) <= RDP_TOL,
            "q={q} sigma={s} T={t}: delta(1) {dl} vs {want_dl}"
        );
        // The convenience entry point agrees with the accountant.
        assert_eq!(epsilon(Accountant::Rdp, q, s, t, d).unwrap(), eps);
    }
    eprintln!(
        "RDP: {} cases, max relative error {worst_curve:e} (curves), {worst_eps:e} (epsilon)",
        cases.len()
    );
}

#[test]
fn rdp_sampled_without_replacement_matches() {
    let g = golden();
    let cases = g["without_replacement"].as_array().unwrap();
    assert!(!cases.is_empty());
    let mut worst = 0.0f64;
    for c in cases {
        let (m, n, s, t, d) = (
            c["sample_size"].as_u64().unwrap(),
            c["dataset_size"].as_u64().unwrap(),
            f(&c["noise_multiplier"]),
            c["steps"].as_u64().unwrap(),
            f(&c["delta"]),
        );
        let mut acc = RdpAccountant::new();
        acc.compose(
            Mechanism::SampledWithoutReplacementGaussian {
                sample_size: m,
                dataset_size: n,
                noise_multiplier: s,
            },
            t,
        )
        .unwrap();
        for ((&o, &got), &w) in acc.orders().iter().zip(acc.rdp()).zip(&curve(&c["rdp"])) {
            let e = rel(got, w);
            assert!(
                e <= RDP_TOL,
                "m={m} n={n} sigma={s} order {o}: {got} vs {w}"
            );
            worst = worst.max(e);
        }
        let (eps, order) = acc.epsilon_and_order(d).unwrap();
        let e = rel(eps, f(&c["rdp_epsilon"]));
        assert!(
            e <= RDP_TOL,
            "m={m} n={n}: eps {eps} vs {}",
            c["rdp_epsilon"]
        );
        assert_eq!(order, f(&c["rdp_optimal_order"]));
        worst = worst.max(e);
    }
    eprintln!(
        "RDP without replacement: {} cases, max relative error {worst:e}",
        cases.len()
    );
}

#[test]
fn rdp_heterogeneous_composition_matches() {
    let g = golden();
    let cases = g["composed"].as_array().unwrap();
    assert!(cases.len() >= 2);
    for c in cases {
        let mut acc = match c.get("orders") {
            Some(o) => RdpAccountant::with_orders(curve(o)).unwrap(),
            None => RdpAccountant::new(),
        };
        for m in c["mechanisms"].as_array().unwrap() {
            let steps = m["steps"].as_u64().unwrap();
            let sigma = m.get("noise_multiplier").map(f).unwrap_or(f64::NAN);
            let mech = match m["kind"].as_str().unwrap() {
                "zcdp" => Mechanism::Zcdp {
                    rho: f(&m["rho"]),
                    xi: f(&m["xi"]),
                },
                "poisson_gaussian" => Mechanism::PoissonGaussian {
                    sampling_rate: f(&m["sampling_rate"]),
                    noise_multiplier: sigma,
                },
                "gaussian" => Mechanism::Gaussian {
                    noise_multiplier: sigma,
                },
                "laplace" => Mechanism::Laplace {
                    noise_multiplier: sigma,
                },
                k => panic!("unknown mechanism {k}"),
            };
            acc.compose(mech, steps).unwrap();
        }
        for (&got, &w) in acc.rdp().iter().zip(&curve(&c["rdp"])) {
            assert!(rel(got, w) <= RDP_TOL, "{got} vs {w}");
        }
        let eps = acc.epsilon(f(&c["delta"])).unwrap();
        assert!(
            rel(eps, f(&c["rdp_epsilon"])) <= RDP_TOL,
            "{eps} vs {}",
            c["rdp_epsilon"]
        );
    }
}

#[test]
fn pld_epsilon_within_one_percent() {
    let g = golden();
    assert_eq!(
        f(&g["pld_value_discretization_interval"]),
        DEFAULT_DISCRETIZATION
    );
    let mut n = 0;
    let mut worst = 0.0f64;
    for c in g["cases"].as_array().unwrap() {
        let Some(want) = c["pld_epsilon"].as_f64() else {
            continue;
        };
        let (q, s, t, d) = (
            f(&c["sampling_rate"]),
            f(&c["noise_multiplier"]),
            c["steps"].as_u64().unwrap(),
            f(&c["delta"]),
        );
        let mut acc = PldAccountant::new(DEFAULT_DISCRETIZATION).unwrap();
        acc.compose_poisson_gaussian(q, s, t).unwrap();
        let got = acc.epsilon(d).unwrap();
        let e = rel(got, want);
        let dl = acc.delta(1.0).unwrap();
        let want_dl = f(&c["pld_delta_at_epsilon_1"]);
        assert!(
            (dl - want_dl).abs() <= 1e-5 * want_dl + PLD_DELTA_NOISE,
            "q={q} sigma={s} T={t}: PLD delta(1) {dl} vs {want_dl}"
        );
        eprintln!("PLD q={q} sigma={s} T={t} delta={d}: {got} vs {want} (rel {e:e})");
        // The issue asks for 1 %; the same discretisation and composition agree far closer
        // (about 1e-7), so a much smaller slip would be a bug.
        assert!(e <= 1e-5, "q={q} sigma={s} T={t}: PLD eps {got} vs {want}");
        // The PLD accountant is tighter than RDP.
        assert!(got <= f(&c["rdp_epsilon"]));
        worst = worst.max(e);
        n += 1;
    }
    assert!(n >= 30, "only {n} PLD cases");
    eprintln!("PLD: {n} cases, max relative error of epsilon {worst:e}");
}

#[test]
fn pld_heterogeneous_composition_matches() {
    let g = golden();
    let cases = g["pld_composed"].as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        let mut acc = PldAccountant::new(DEFAULT_DISCRETIZATION).unwrap();
        for m in c["mechanisms"].as_array().unwrap() {
            acc.compose_poisson_gaussian(
                f(&m["sampling_rate"]),
                f(&m["noise_multiplier"]),
                m["steps"].as_u64().unwrap(),
            )
            .unwrap();
        }
        let got = acc.epsilon(f(&c["delta"])).unwrap();
        let want = f(&c["pld_epsilon"]);
        eprintln!("PLD composed: {got} vs {want} (rel {:e})", rel(got, want));
        assert!(rel(got, want) <= 1e-5, "{got} vs {want}");
        let dl = acc.delta(1.0).unwrap();
        let want_dl = f(&c["pld_delta_at_epsilon_1"]);
        assert!(
            (dl - want_dl).abs() <= 1e-5 * want_dl + PLD_DELTA_NOISE,
            "delta(1) {dl} vs {want_dl}"
        );
    }
}

#[test]
fn calibration_matches() {
    let g = golden();
    for c in g["calibration"].as_array().unwrap() {
        let acc = match c["accountant"].as_str().unwrap() {
            "rdp" => Accountant::Rdp,
            _ => Accountant::pld(),
        };
        let (e, d, q, t) = (
            f(&c["epsilon"]),
            f(&c["delta"]),
            f(&c["sampling_rate"]),
            c["steps"].as_u64().unwrap(),
        );
        let want = f(&c["noise_multiplier"]);
        let got = noise_multiplier(acc, e, d, q, t, 1e-7).unwrap();
        assert!(got.epsilon <= e);
        let err = (got.noise_multiplier - want).abs();
        eprintln!(
            "calibrate {acc:?} eps={e} q={q} T={t}: sigma {} vs {want}",
            got.noise_multiplier
        );
        // dp_accounting's brentq answer is within its tol (1e-6) of the root; ours within 1e-7.
        assert!(err <= 2e-6, "{acc:?}: {} vs {want}", got.noise_multiplier);
    }
}
