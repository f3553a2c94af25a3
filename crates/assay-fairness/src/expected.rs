//! Fairness figures of expected decisions: for a randomized classifier, the rates it achieves
//! on average over its draws, computed from each row's probability of a positive decision
//! `P(ŷ = 1 | x)` (Agarwal et al. 2018 evaluate their exponentiated-gradient mixtures this way;
//! Hardt et al. 2016 state the randomized threshold rule's rates so). With 0/1 probabilities
//! these are the decisions' own rates, as [`crate::assess`] computes them.

/// Per-group rates of expected decisions `P(ŷ = 1)` (groups sorted by name): what a
/// randomized classifier achieves on average; for 0/1 decisions the plain rates.
pub struct ExpectedRates {
    /// The groups, sorted.
    pub names: Vec<String>,
    /// Expected accuracy over all rows: mean of `p` on positives and `1 − p` on negatives.
    pub accuracy: f64,
    /// Per group: expected selection rate `mean(p)`.
    pub selection: Vec<f64>,
    /// Per group: expected true-positive rate (NaN without positives).
    pub tpr: Vec<f64>,
    /// Per group: expected false-positive rate (NaN without negatives).
    pub fpr: Vec<f64>,
    /// Per group: expected error rate.
    pub error: Vec<f64>,
}

/// Largest minus smallest of the defined values (`max` and `min` skip NaN).
pub fn spread(v: &[f64]) -> f64 {
    v.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
        - v.iter().cloned().fold(f64::INFINITY, f64::min)
}

/// The [`ExpectedRates`] of `p` against 0/1 labels `y` in the groups `groups`.
pub fn expected_rates(p: &[f64], y: &[f64], groups: &[String]) -> ExpectedRates {
    let mut names: Vec<&String> = groups.iter().collect();
    names.sort();
    names.dedup();
    let n = p.len() as f64;
    let acc = p
        .iter()
        .zip(y)
        .map(|(p, y)| if *y == 1.0 { *p } else { 1.0 - p })
        .sum::<f64>()
        / n;
    // Per group: [rows, Σp, positives, Σp over positives, negatives, Σp over negatives].
    let mut sums = vec![[0.0f64; 6]; names.len()];
    for ((pi, yi), g) in p.iter().zip(y).zip(groups) {
        let k = names.binary_search(&g).expect("every group is named");
        let s = &mut sums[k];
        s[0] += 1.0;
        s[1] += pi;
        if *yi == 1.0 {
            s[2] += 1.0;
            s[3] += pi;
        } else {
            s[4] += 1.0;
            s[5] += pi;
        }
    }
    let rate = |num: f64, den: f64| if den > 0.0 { num / den } else { f64::NAN };
    ExpectedRates {
        names: names.into_iter().cloned().collect(),
        accuracy: acc,
        selection: sums.iter().map(|s| rate(s[1], s[0])).collect(),
        tpr: sums.iter().map(|s| rate(s[3], s[2])).collect(),
        fpr: sums.iter().map(|s| rate(s[5], s[4])).collect(),
        // Errors: positives not selected plus negatives selected.
        error: sums
            .iter()
            .map(|s| rate((s[2] - s[3]) + s[5], s[0]))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_rates_by_hand() {
        let p = [1.0, 0.5, 0.0, 0.25];
        let y = [1.0, 0.0, 1.0, 0.0];
        let g: Vec<String> = ["a", "a", "b", "b"].iter().map(|s| s.to_string()).collect();
        let r = expected_rates(&p, &y, &g);
        assert_eq!(r.names, ["a", "b"]);
        // Expected accuracy: (1 + 0.5 + 0 + 0.75) / 4.
        assert_eq!(r.accuracy, 0.5625);
        assert_eq!(r.selection, [0.75, 0.125]);
        assert_eq!(r.tpr, [1.0, 0.0]);
        assert_eq!(r.fpr, [0.5, 0.25]);
        assert_eq!(r.error, [0.25, 0.625]);
        assert_eq!(spread(&r.selection), 0.625);
    }
}
