//! Attribute inference (Fredrikson et al. 2014, 2015; Yeom et al. 2018): an attacker who knows a
//! target's other attributes and its label tries every value of a sensitive attribute and picks
//! the one under which the model is most confident about the true label, weighted by the
//! value's prior (Fredrikson et al.'s maximum a posteriori guess: `log p(y | x, v) + log π(v)`).

use serde::{Deserialize, Serialize};

/// Accuracy of the attack against the majority-value baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AttributeRisk {
    /// Targets attacked.
    pub targets: usize,
    /// Share of targets whose attribute value the attack recovers.
    pub accuracy: f64,
    /// Share recovered by always guessing the most frequent value (in `truth`).
    pub baseline: f64,
    /// `accuracy − baseline`.
    pub advantage: f64,
}

/// `score[i * k + v]`: the attacker's score of value `v` (of `k`) for target `i`, e.g.
/// `log p(true label | x with the attribute = v)`; `log_prior[v]` is added when given (the
/// values' marginal frequencies, known to the attacker); `truth[i]` is the actual value. Ties go
/// to the lowest value index.
pub fn attribute_risk(
    score: &[f64],
    k: usize,
    truth: &[usize],
    log_prior: Option<&[f64]>,
) -> AttributeRisk {
    assert_eq!(
        score.len(),
        truth.len() * k,
        "one score per target and value"
    );
    let prior = |v: usize| log_prior.map_or(0.0, |p| p[v]);
    let n = truth.len();
    let mut hits = 0usize;
    for (i, &t) in truth.iter().enumerate() {
        let row = &score[i * k..(i + 1) * k];
        let mut best = 0;
        for v in 1..k {
            if row[v] + prior(v) > row[best] + prior(best) {
                best = v;
            }
        }
        hits += usize::from(best == t);
    }
    let mut counts = vec![0usize; k];
    truth.iter().for_each(|&t| counts[t] += 1);
    let maj = counts.iter().copied().max().unwrap_or(0);
    let accuracy = hits as f64 / n.max(1) as f64;
    let baseline = maj as f64 / n.max(1) as f64;
    AttributeRisk {
        targets: n,
        accuracy,
        baseline,
        advantage: accuracy - baseline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_most_confident_value() {
        let phi = [1.0, 2.0, 3.0, 0.0, 0.5, 0.1];
        let r = attribute_risk(&phi, 2, &[1, 0, 0], None);
        assert_eq!(r.accuracy, 1.0);
        assert!((r.baseline - 2.0 / 3.0).abs() < 1e-15);
        // A strong prior for value 0 overrides the model's small preferences.
        let r = attribute_risk(&phi, 2, &[1, 0, 0], Some(&[0.0, -5.0]));
        assert!((r.accuracy - 2.0 / 3.0).abs() < 1e-15);
    }
}
