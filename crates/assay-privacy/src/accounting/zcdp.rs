//! Zero-concentrated differential privacy (zCDP; Bun and Steinke, "Concentrated Differential
//! Privacy: Simplifications, Extensions, and Lower Bounds", TCC 2016).
//!
//! A mechanism is ρ-zCDP when its Rényi divergence of every order α > 1 is at most ρα. zCDP
//! composes by adding ρ (Bun and Steinke 2016, Lemma 2.3), the Gaussian mechanism with noise
//! multiplier σ is 1/(2σ²)-zCDP (Proposition 1.6) and ε-DP implies ε²/2-zCDP (Proposition 1.4).
//! Conversion to (ε, δ) minimises the bound of Canonne, Kamath and Steinke, "The Discrete
//! Gaussian for Differential Privacy" (NeurIPS 2020, Proposition 12 / Corollary 13) over the
//! continuous order α, which is never worse than Bun and Steinke's ρ + 2√(ρ log(1/δ))
//! (Proposition 1.3). zCDP curves also compose with RDP ones through
//! [`super::rdp::Mechanism::Zcdp`].

use super::validate;
use crate::PrivacyError;

/// ρ of the Gaussian mechanism with noise multiplier σ (sensitivity 1): 1/(2σ²)
/// (Bun and Steinke 2016, Proposition 1.6).
pub fn gaussian_rho(noise_multiplier: f64) -> Result<f64, PrivacyError> {
    validate::noise_multiplier(noise_multiplier)?;
    Ok(1.0 / (2.0 * noise_multiplier * noise_multiplier))
}

/// ρ of an ε-DP mechanism: ε²/2 (Bun and Steinke 2016, Proposition 1.4).
pub fn pure_dp_rho(epsilon: f64) -> Result<f64, PrivacyError> {
    validate::epsilon(epsilon)?;
    Ok(0.5 * epsilon * epsilon)
}

/// ρ of a composition: the sum (Bun and Steinke 2016, Lemma 2.3).
pub fn compose(rhos: &[f64]) -> Result<f64, PrivacyError> {
    let mut total = 0.0;
    for &r in rhos {
        check_rho(r)?;
        total += r;
    }
    Ok(total)
}

fn check_rho(rho: f64) -> Result<(), PrivacyError> {
    if rho.is_finite() && rho >= 0.0 {
        Ok(())
    } else {
        Err(PrivacyError::InvalidZcdp { rho, xi: 0.0 })
    }
}

/// ε(α) of the Canonne–Kamath–Steinke conversion at order α = 1 + e^t.
fn cks_epsilon(rho: f64, log_delta: f64, t: f64) -> f64 {
    let am1 = t.exp();
    let a = 1.0 + am1;
    // log(1 - 1/α) = log((α-1)/α) = t - log α.
    rho * a + (t - a.ln()) - (log_delta + a.ln()) / am1
}

/// Minimises a unimodal function of t = log(α - 1) by golden-section search on [-30, 30].
fn minimise(f: impl Fn(f64) -> f64) -> (f64, f64) {
    let g = 0.5 * (5f64.sqrt() - 1.0);
    let (mut lo, mut hi) = (-30.0f64, 30.0f64);
    let mut x1 = hi - g * (hi - lo);
    let mut x2 = lo + g * (hi - lo);
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..200 {
        if f1 <= f2 {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - g * (hi - lo);
            f1 = f(x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + g * (hi - lo);
            f2 = f(x2);
        }
        if hi - lo < 1e-12 {
            break;
        }
    }
    if f1 <= f2 {
        (x1, f1)
    } else {
        (x2, f2)
    }
}

/// The smallest ε such that a ρ-zCDP mechanism is (ε, δ)-DP, by the conversion of Canonne,
/// Kamath and Steinke (2020, Proposition 12) minimised over the continuous order α:
/// ε = inf_α ρα + log(1 - 1/α) - (log δ + log α)/(α - 1). Returns 0 for ρ = 0.
pub fn epsilon(rho: f64, delta: f64) -> Result<f64, PrivacyError> {
    check_rho(rho)?;
    validate::delta(delta)?;
    if rho == 0.0 {
        return Ok(0.0);
    }
    let log_delta = delta.ln();
    let (_, e) = minimise(|t| cks_epsilon(rho, log_delta, t));
    Ok(e.max(0.0))
}

/// The simple bound ε = ρ + 2√(ρ log(1/δ)) (Bun and Steinke 2016, Proposition 1.3); looser than
/// [`epsilon`], kept for comparison with papers that use it.
pub fn epsilon_bun_steinke(rho: f64, delta: f64) -> Result<f64, PrivacyError> {
    check_rho(rho)?;
    validate::delta(delta)?;
    Ok(rho + 2.0 * (rho * (1.0 / delta).ln()).sqrt())
}

/// The smallest δ such that a ρ-zCDP mechanism is (ε, δ)-DP (Canonne, Kamath and Steinke 2020,
/// Proposition 12: δ = inf_α exp((α-1)(αρ - ε)) / α · (1 - 1/α)^(α-1)), capped at 1.
pub fn delta(rho: f64, epsilon: f64) -> Result<f64, PrivacyError> {
    check_rho(rho)?;
    if !(epsilon.is_finite() && epsilon >= 0.0) {
        return Err(PrivacyError::InvalidEpsilon(epsilon));
    }
    if rho == 0.0 {
        return Ok(0.0);
    }
    let log_delta = |t: f64| {
        let am1 = t.exp();
        let a = 1.0 + am1;
        am1 * (a * rho - epsilon) - a.ln() + am1 * (t - a.ln())
    };
    let (_, ld) = minimise(log_delta);
    Ok(ld.exp().min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounting::rdp::{epsilon_from_rdp, zcdp as zcdp_rdp};

    #[test]
    fn continuous_order_beats_any_fixed_order() {
        for &(rho, d) in &[(0.01, 1e-5), (0.5, 1e-6), (2.0, 1e-5), (1e-4, 1e-8)] {
            let e = epsilon(rho, d).unwrap();
            // The same bound on a fine grid of orders, through the RDP conversion.
            let orders: Vec<f64> = (0..220_000)
                .map(|i| 1.0 + (-10.0 + i as f64 * 1e-4).exp())
                .collect();
            let curve = zcdp_rdp(rho, 0.0, &orders).unwrap();
            let (grid, _) = epsilon_from_rdp(&orders, &curve, d).unwrap();
            assert!(e <= grid + 1e-12, "rho {rho}: {e} vs grid {grid}");
            assert!(grid - e < 1e-7 * grid, "rho {rho}: {e} vs grid {grid}");
            // Never worse than Bun and Steinke's bound.
            assert!(e <= epsilon_bun_steinke(rho, d).unwrap());
            // δ at that ε is δ again.
            let back = delta(rho, e).unwrap();
            assert!((back / d - 1.0).abs() < 1e-6, "rho {rho}: {back} vs {d}");
        }
    }

    #[test]
    fn gaussian_and_composition() {
        assert_eq!(gaussian_rho(2.0).unwrap(), 0.125);
        assert_eq!(pure_dp_rho(0.5).unwrap(), 0.125);
        assert_eq!(compose(&[0.125, 0.125]).unwrap(), 0.25);
        assert!(compose(&[0.1, -1.0]).is_err());
        assert!(epsilon(0.1, 1.0).is_err());
        assert!(gaussian_rho(0.0).is_err());
    }
}
