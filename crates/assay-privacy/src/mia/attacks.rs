//! Membership scores: a higher score means "more likely a member".
//!
//! Every attack reads the target model's **logit-scaled confidence on the true label**
//! `φ = log(p / (1 − p))` (Carlini et al. 2022, §4.2), `p` the model's probability of the
//! example's true class; for a binary model with margin (log-odds of the positive class) `z`,
//! `φ = z` for a positive example and `−z` for a negative one, which is exact where computing
//! `p` first would round to 1. From it:
//!
//! * [`loss_score`]: the loss-threshold attack of Yeom et al. 2018, score `−loss = log p`;
//! * [`confidence_score`]: the confidence-threshold attack, score `p`;
//! * [`ShadowThresholds`]: the shadow-model attack of Shokri et al. 2017 simplified to one
//!   threshold per class, learned from shadow models' φ on their own IN and OUT examples;
//! * [`lira_online`] / [`lira_offline`]: the likelihood-ratio attack (LiRA) of Carlini et al.
//!   2022 from the φ of shadow models trained with and without each example.
//!
//! The loss and confidence scores are increasing functions of φ, so for one model they rank
//! examples alike, except that `p` rounds to exactly 1 in `f64` once φ exceeds about 37, where
//! the loss (`log p ≈ −e^{−φ}`) still tells examples apart: on a very confident model the
//! confidence attack has ties the loss attack does not.

use serde::Serialize;

use crate::PrivacyError;
use assay_numerics::special::log_ndtr;

/// φ of a binary model's margin `z` (log-odds of the positive class) on an example whose label
/// is positive (`y = true`) or negative.
pub fn phi_from_margin(z: f64, y: bool) -> f64 {
    if y {
        z
    } else {
        -z
    }
}

/// φ from the probability `p` of the true class, clamped to `[1e-300, 1 − 2^-53]` so it is
/// finite.
pub fn phi_from_probability(p: f64) -> f64 {
    let p = p.clamp(1e-300, 1.0 - f64::EPSILON / 2.0);
    p.ln() - (1.0 - p).ln()
}

/// Loss-threshold score `log p = −softplus(−φ)` (the negative cross-entropy loss).
pub fn loss_score(phi: f64) -> f64 {
    let x = -phi;
    // −softplus(x), stable.
    -(x.max(0.0) + (-x.abs()).exp().ln_1p())
}

/// Confidence-threshold score `p = sigmoid(φ)`.
pub fn confidence_score(phi: f64) -> f64 {
    assay_numerics::sigmoid(phi)
}

/// The threshold on φ that best separates `inside` from `outside` (predict IN when
/// `φ ≥ threshold`), by balanced accuracy; ties go to the smallest such threshold.
fn best_threshold(inside: &[f64], outside: &[f64]) -> f64 {
    let mut all: Vec<(f64, bool)> = inside
        .iter()
        .map(|&v| (v, true))
        .chain(outside.iter().map(|&v| (v, false)))
        .collect();
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (ni, no) = (inside.len().max(1) as f64, outside.len().max(1) as f64);
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut best = (0.5, f64::INFINITY);
    for k in 0..all.len() {
        if all[k].1 {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        if k + 1 < all.len() && all[k + 1].0 == all[k].0 {
            continue;
        }
        let b = (tp / ni + 1.0 - fp / no) / 2.0;
        if b > best.0 {
            best = (b, all[k].0);
        }
    }
    best.1
}

/// The simplified shadow-model attack: one φ threshold per class.
#[derive(Debug, Clone, Serialize)]
pub struct ShadowThresholds {
    /// The threshold of each class (`+∞` where the shadows saw no example of the class).
    pub thresholds: Vec<f64>,
}

impl ShadowThresholds {
    /// Learns the thresholds from shadow models' φ on a reference population:
    /// `phi[s][i]`, `inside[s][i]` (example `i` was in shadow `s`'s training set), `class[i]`.
    pub fn fit(
        phi: &[Vec<f64>],
        inside: &[Vec<bool>],
        class: &[usize],
        n_classes: usize,
    ) -> Result<ShadowThresholds, PrivacyError> {
        if phi.is_empty() || phi.len() != inside.len() {
            return Err(PrivacyError::Unsupported(
                "the shadow-model attack needs at least one shadow model".into(),
            ));
        }
        let mut ins = vec![Vec::new(); n_classes];
        let mut outs = vec![Vec::new(); n_classes];
        for (p, m) in phi.iter().zip(inside) {
            for ((&v, &is_in), &c) in p.iter().zip(m).zip(class) {
                if is_in {
                    ins[c].push(v);
                } else {
                    outs[c].push(v);
                }
            }
        }
        let thresholds = (0..n_classes)
            .map(|c| {
                if ins[c].is_empty() || outs[c].is_empty() {
                    f64::INFINITY
                } else {
                    best_threshold(&ins[c], &outs[c])
                }
            })
            .collect();
        Ok(ShadowThresholds { thresholds })
    }

    /// Membership score of a target example: `φ − threshold(class)` (`> 0`: predicted member).
    pub fn score(&self, phi: f64, class: usize) -> f64 {
        let t = self.thresholds[class];
        if t.is_finite() {
            phi - t
        } else {
            f64::NEG_INFINITY
        }
    }
}

/// Per-example Gaussian fits of the shadow φ, IN and OUT.
struct Fits {
    mean_in: Vec<f64>,
    sd_in: Vec<f64>,
    mean_out: Vec<f64>,
    sd_out: Vec<f64>,
}

const MIN_SD: f64 = 1e-6;

fn fit(phi: &[Vec<f64>], inside: &[Vec<bool>], global_variance: bool) -> Fits {
    let n = phi[0].len();
    let mut f = Fits {
        mean_in: vec![f64::NAN; n],
        sd_in: vec![f64::NAN; n],
        mean_out: vec![f64::NAN; n],
        sd_out: vec![f64::NAN; n],
    };
    let (mut ss_in, mut df_in, mut ss_out, mut df_out) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..n {
        for want in [true, false] {
            let vals: Vec<f64> = phi
                .iter()
                .zip(inside)
                .filter(|(_, m)| m[i] == want)
                .map(|(p, _)| p[i])
                .collect();
            if vals.is_empty() {
                continue;
            }
            let k = vals.len() as f64;
            let mean = vals.iter().sum::<f64>() / k;
            let ss: f64 = vals.iter().map(|v| (v - mean) * (v - mean)).sum();
            let sd = (ss / k).sqrt();
            if want {
                f.mean_in[i] = mean;
                f.sd_in[i] = sd;
                ss_in += ss;
                df_in += k;
            } else {
                f.mean_out[i] = mean;
                f.sd_out[i] = sd;
                ss_out += ss;
                df_out += k;
            }
        }
    }
    if global_variance {
        let gi = (ss_in / df_in.max(1.0)).sqrt();
        let go = (ss_out / df_out.max(1.0)).sqrt();
        f.sd_in.iter_mut().for_each(|s| *s = gi);
        f.sd_out.iter_mut().for_each(|s| *s = go);
    }
    f
}

fn log_normal_pdf(x: f64, mean: f64, sd: f64) -> f64 {
    let sd = sd.max(MIN_SD);
    let z = (x - mean) / sd;
    -0.5 * z * z - sd.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
}

fn check(phi: &[Vec<f64>], inside: &[Vec<bool>], target: &[f64]) -> Result<(), PrivacyError> {
    if phi.len() < 2 {
        return Err(PrivacyError::Unsupported(format!(
            "LiRA needs at least 2 shadow models, got {}",
            phi.len()
        )));
    }
    if inside.len() != phi.len()
        || phi
            .iter()
            .zip(inside)
            .any(|(p, m)| p.len() != target.len() || m.len() != target.len())
    {
        return Err(PrivacyError::Unsupported(
            "every shadow model needs a φ and an IN/OUT flag for every target example".into(),
        ));
    }
    Ok(())
}

/// Online LiRA: `log N(φ; μ_in, σ_in) − log N(φ; μ_out, σ_out)` for each target example, the
/// Gaussians fitted to the shadow models' φ on that example with it IN and OUT of their training
/// sets. `global_variance`: one σ_in and one σ_out for all examples, pooled from the
/// deviations of each example's φ from its own mean (Carlini et al. recommend a fixed variance
/// with fewer than 64 shadow models; their code takes the standard deviation of all values,
/// which also counts the spread between examples). An example with no IN (or no OUT) shadow
/// falls back to the offline score.
pub fn lira_online(
    phi: &[Vec<f64>],
    inside: &[Vec<bool>],
    target: &[f64],
    global_variance: bool,
) -> Result<Vec<f64>, PrivacyError> {
    check(phi, inside, target)?;
    let f = fit(phi, inside, global_variance);
    Ok((0..target.len())
        .map(|i| {
            if f.mean_in[i].is_nan() || f.mean_out[i].is_nan() {
                offline_one(target[i], f.mean_out[i], f.sd_out[i])
            } else {
                log_normal_pdf(target[i], f.mean_in[i], f.sd_in[i])
                    - log_normal_pdf(target[i], f.mean_out[i], f.sd_out[i])
            }
        })
        .collect())
}

fn offline_one(x: f64, mean: f64, sd: f64) -> f64 {
    if mean.is_nan() {
        return x;
    }
    log_ndtr((x - mean) / sd.max(MIN_SD))
}

/// Offline LiRA (OUT models only): the one-sided test `log Pr[Z ≤ φ]`, `Z ~ N(μ_out, σ_out)`:
/// how unusually high the target's confidence is for an example it was not trained on.
pub fn lira_offline(
    phi: &[Vec<f64>],
    inside: &[Vec<bool>],
    target: &[f64],
    global_variance: bool,
) -> Result<Vec<f64>, PrivacyError> {
    check(phi, inside, target)?;
    let f = fit(phi, inside, global_variance);
    Ok((0..target.len())
        .map(|i| offline_one(target[i], f.mean_out[i], f.sd_out[i]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_monotone_in_phi() {
        assert!((loss_score(0.0) - 0.5f64.ln()).abs() < 1e-15);
        assert!((confidence_score(0.0) - 0.5).abs() < 1e-15);
        assert!((phi_from_probability(confidence_score(3.0)) - 3.0).abs() < 1e-12);
        assert!(loss_score(50.0) > loss_score(40.0));
        assert_eq!(phi_from_margin(2.0, false), -2.0);
    }

    #[test]
    fn lira_separates_in_from_out() {
        // Example 0: IN shadows see φ≈5, OUT ≈0. Target φ = 5 → member-like; φ = 0 → not.
        let inside = vec![
            vec![true, true],
            vec![false, false],
            vec![true, true],
            vec![false, false],
        ];
        let phi = vec![
            vec![5.1, 5.0],
            vec![0.1, 0.0],
            vec![4.9, 5.0],
            vec![-0.1, 0.0],
        ];
        let s = lira_online(&phi, &inside, &[5.0, 0.0], false).unwrap();
        assert!(s[0] > 10.0 && s[1] < -10.0, "{s:?}");
        let s = lira_offline(&phi, &inside, &[5.0, 0.0], true).unwrap();
        assert!(s[0] > s[1]);
        assert!(lira_online(&phi[..1], &inside[..1], &[5.0, 0.0], false).is_err());
    }

    #[test]
    fn shadow_threshold_per_class() {
        let inside = vec![vec![true, false, true, false]];
        let phi = vec![vec![3.0, 1.0, -1.0, -3.0]];
        let t = ShadowThresholds::fit(&phi, &inside, &[0, 0, 1, 1], 2).unwrap();
        assert_eq!(t.thresholds, vec![3.0, -1.0]);
        assert!(t.score(3.5, 0) > 0.0 && t.score(-2.0, 1) < 0.0);
    }
}
