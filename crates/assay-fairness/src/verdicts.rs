//! Agreement between the verdicts of a ratio and the difference of the same metric.
//!
//! Every disparity comes as a difference (parity 0) and a ratio (parity 1) of one metric, and a
//! reader takes the two for one finding. Each verdict is "the bootstrap interval excludes parity"
//! for the comparison that attains the estimate ([`crate::disparities::Attained`]), so two rows
//! can disagree for two reasons:
//!
//! - **The same comparison.** Replicate by replicate, `hi − lo > 0` exactly when `lo / hi < 1`,
//!   except where the denominator is zero: the ratio is undefined there and its interval leaves
//!   those replicates out, while the difference keeps them. The difference's interval uses every
//!   replicate, so its verdict is the one both rows carry.
//! - **Different comparisons.** The largest difference and the smallest ratio can be attained by
//!   different groups (a small group with a low rate gives the smallest ratio; a large group with a
//!   moderate gap the largest difference). Both verdicts are right for what they compare; a note
//!   names the groups, so that the report never shows two unexplained, opposite verdicts.

use crate::model::{Disparity, Ordered};

/// The difference that pairs with the ratio `name`, if `name` is a ratio: `X_ratio` ↔
/// `X_difference`, `X_ratio_to_overall` ↔ `X_difference_to_overall`, and the disparate impact
/// ratio ↔ the demographic parity difference.
pub fn difference_of(name: &str) -> Option<String> {
    if name == "disparate_impact_ratio" {
        return Some("demographic_parity_difference".into());
    }
    if let Some(stem) = name.strip_suffix("_ratio_to_overall") {
        return Some(format!("{stem}_difference_to_overall"));
    }
    name.strip_suffix("_ratio")
        .map(|stem| format!("{stem}_difference"))
}

/// What a disparity compares, in words: "A × B vs C × D" between groups, "A × B vs all rows" to
/// the overall value.
pub fn comparison(d: &Disparity) -> String {
    let label = |g: &Ordered<String>| assay_data::groups::label(g.iter().map(|(_, v)| v.as_str()));
    match d.between.as_slice() {
        [] => "no group".into(),
        [g] => format!("{} vs all rows", label(g)),
        [a, b, ..] => format!("{} vs {}", label(a), label(b)),
    }
}

/// A disparity's name in words: `tpr_ratio_to_overall` → "true positive rate ratio to overall".
pub fn title(name: &str) -> String {
    for m in crate::metrics::Metric::ALL {
        if let Some(rest) = name.strip_prefix(m.key()).and_then(|r| r.strip_prefix('_')) {
            let t = m.title();
            // "ROC AUC" keeps its capitals; "True positive rate" starts a clause in lower case.
            let t = if t.chars().nth(1).is_some_and(char::is_uppercase) {
                t.to_string()
            } else {
                t.to_lowercase()
            };
            return format!("{t} {}", rest.replace('_', " "));
        }
    }
    name.replace('_', " ")
}

fn verdict(s: Option<bool>) -> &'static str {
    match s {
        Some(true) => "significant",
        Some(false) => "not distinguishable from parity",
        None => "not estimable",
    }
}

/// Makes each ratio's verdict agree with its difference's where both compare the same groups, and
/// returns one note per pair whose verdicts still differ because they compare different groups.
/// `scope` prefixes the notes ("" for the intersectional disparities, "by race: " for one feature).
pub fn reconcile(disparities: &mut Ordered<Disparity>, scope: &str) -> Vec<String> {
    let mut notes = Vec::new();
    let names: Vec<String> = disparities.iter().map(|(n, _)| n.clone()).collect();
    for ratio_name in &names {
        let Some(diff_name) = difference_of(ratio_name) else {
            continue;
        };
        let Some(diff) = disparities.get(&diff_name).cloned() else {
            continue;
        };
        let Some(ratio) = disparities.0.iter_mut().find(|(n, _)| n == ratio_name) else {
            continue;
        };
        let ratio = &mut ratio.1;
        // Not estimable (no interval, or a zero-width one) on either side: nothing to reconcile,
        // and "not estimable" next to a verdict is no contradiction.
        let (Some(r), Some(d)) = (ratio.significant, diff.significant) else {
            continue;
        };
        if r == d {
            continue;
        }
        if ratio.between == diff.between {
            ratio.significant = diff.significant;
        } else if ratio_name != "disparate_impact_ratio" {
            notes.push(format!(
                "{scope}The {} ({}) is {}, while the {} ({}) is {}: they compare different groups.",
                title(ratio_name),
                comparison(ratio),
                verdict(ratio.significant),
                title(&diff_name),
                comparison(&diff),
                verdict(diff.significant),
            ));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intervals::Interval;

    fn group(v: &str) -> Ordered<String> {
        let mut g = Ordered::default();
        g.push("race", v.to_string());
        g
    }

    fn disparity(
        value: f64,
        lower: f64,
        upper: f64,
        reference: f64,
        between: &[&str],
    ) -> Disparity {
        Disparity {
            value: Some(value),
            interval: Some(Interval {
                lower,
                upper,
                method: "bootstrap",
            }),
            reference,
            significant: Some(lower > reference || upper < reference),
            between: between.iter().map(|g| group(g)).collect(),
        }
    }

    #[test]
    fn names_pair_up() {
        assert_eq!(
            difference_of("tpr_ratio").as_deref(),
            Some("tpr_difference")
        );
        assert_eq!(
            difference_of("tpr_ratio_to_overall").as_deref(),
            Some("tpr_difference_to_overall")
        );
        assert_eq!(
            difference_of("equalized_odds_ratio").as_deref(),
            Some("equalized_odds_difference")
        );
        assert_eq!(
            difference_of("disparate_impact_ratio").as_deref(),
            Some("demographic_parity_difference")
        );
        assert_eq!(difference_of("tpr_difference"), None);
    }

    #[test]
    fn same_comparison_takes_the_difference_verdict() {
        let mut d = Ordered::default();
        d.push(
            "fpr_difference",
            disparity(0.2, 0.05, 0.4, 0.0, &["a", "b"]),
        );
        // The ratio's interval left out replicates with a zero denominator and crossed 1.
        d.push("fpr_ratio", disparity(0.3, 0.1, 1.2, 1.0, &["a", "b"]));
        let notes = reconcile(&mut d, "");
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(d.get("fpr_ratio").unwrap().significant, Some(true));
    }

    #[test]
    fn different_comparisons_keep_their_verdicts_and_get_a_note() {
        let mut d = Ordered::default();
        d.push(
            "tpr_difference_to_overall",
            disparity(0.19, 0.13, 0.24, 0.0, &["b"]),
        );
        d.push(
            "tpr_ratio_to_overall",
            disparity(0.67, 0.28, 1.08, 1.0, &["a"]),
        );
        let notes = reconcile(&mut d, "");
        assert_eq!(
            d.get("tpr_ratio_to_overall").unwrap().significant,
            Some(false)
        );
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].contains(
                "true positive rate ratio to overall (a vs all rows) is not distinguishable"
            ) && notes[0].contains("(b vs all rows) is significant"),
            "{}",
            notes[0]
        );
    }
}
