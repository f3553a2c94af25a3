//! What the renderers say, independent of how they say it: names and plain
//! definitions of the figures, and the facts derived from an assessment
//! (extreme groups, significance, proxies) that several renderers show.

use assay_fairness::intervals::Interval;
use assay_fairness::metrics::Metric;
use assay_fairness::model::{Assessment, Disparity, GroupResult, Ordered};

use crate::format::{self, finite};

/// A named fairness criterion.
pub struct Named {
    /// Key in [`Assessment::disparities`].
    pub key: &'static str,
    /// Readable name.
    pub title: &'static str,
    /// One-sentence definition in plain words.
    pub about: &'static str,
}

/// The named disparities, in report order.
pub const NAMED: [Named; 9] = [
    Named {
        key: "demographic_parity_difference",
        title: "Demographic parity difference",
        about: "Highest minus lowest selection rate across groups. 0 means every group receives the positive decision equally often.",
    },
    Named {
        key: "demographic_parity_ratio",
        title: "Demographic parity ratio",
        about: "Lowest divided by highest selection rate. 1 means parity.",
    },
    Named {
        key: "disparate_impact_ratio",
        title: "Disparate impact ratio",
        about: "The same ratio as demographic parity; the four-fifths rule of the US Uniform Guidelines asks for at least 0.8.",
    },
    Named {
        key: "equalized_odds_difference",
        title: "Equalized odds difference",
        about: "The larger of the true-positive-rate gap and the false-positive-rate gap: whether the model makes the same kinds of mistakes for every group.",
    },
    Named {
        key: "equalized_odds_ratio",
        title: "Equalized odds ratio",
        about: "The smaller of the true-positive-rate ratio and the false-positive-rate ratio (lowest over highest).",
    },
    Named {
        key: "equal_opportunity_difference",
        title: "Equal opportunity difference",
        about: "Highest minus lowest true positive rate: among people whose true outcome is positive, the gap in how often each group receives the positive decision.",
    },
    Named {
        key: "equal_opportunity_ratio",
        title: "Equal opportunity ratio",
        about: "Lowest divided by highest true positive rate.",
    },
    Named {
        key: "predictive_parity_difference",
        title: "Predictive parity difference",
        about: "Highest minus lowest precision: among people who receive the positive decision, the gap in how often the true outcome is positive.",
    },
    Named {
        key: "predictive_parity_ratio",
        title: "Predictive parity ratio",
        about: "Lowest divided by highest precision.",
    },
];

/// The four-fifths threshold on the disparate impact ratio.
pub const FOUR_FIFTHS: f64 = 0.8;

/// Per-group metrics shown in the group tables, in order, where the
/// assessment has them (AUC only with a score).
pub fn group_metrics(a: &Assessment) -> Vec<Metric> {
    [
        Metric::SelectionRate,
        Metric::Tpr,
        Metric::Fpr,
        Metric::Precision,
        Metric::Accuracy,
        Metric::Auc,
    ]
    .into_iter()
    .filter(|m| a.overall.metrics.get(m.key()).is_some())
    .collect()
}

/// Every metric the assessment reports, in [`Metric::ALL`] order.
pub fn reported_metrics(a: &Assessment) -> Vec<Metric> {
    Metric::ALL
        .into_iter()
        .filter(|m| a.overall.metrics.get(m.key()).is_some())
        .collect()
}

/// A short column header for a metric.
pub fn short_title(m: Metric) -> &'static str {
    match m {
        Metric::SelectionRate => "Selection rate",
        Metric::Tpr => "TPR",
        Metric::Fpr => "FPR",
        Metric::Fnr => "FNR",
        Metric::Tnr => "TNR",
        Metric::Auc => "AUC",
        Metric::Brier => "Brier",
        Metric::Ece => "ECE",
        other => other.title(),
    }
}

/// A plain-language definition of a metric.
pub fn metric_about(m: Metric) -> &'static str {
    match m {
        Metric::SelectionRate => "Share of people who receive the positive decision.",
        Metric::Accuracy => "Share of people for whom the decision matches the true outcome.",
        Metric::BalancedAccuracy => "Average of the true positive rate and the true negative rate (the rate of the classes present in the group).",
        Metric::Precision => "Among people who receive the positive decision, the share whose true outcome is positive.",
        Metric::Tpr => "True positive rate: among people whose true outcome is positive, the share who receive the positive decision.",
        Metric::Fpr => "False positive rate: among people whose true outcome is negative, the share who nevertheless receive the positive decision.",
        Metric::Fnr => "False negative rate: among people whose true outcome is positive, the share who are denied the positive decision.",
        Metric::Tnr => "True negative rate: among people whose true outcome is negative, the share who do not receive the positive decision.",
        Metric::BaseRate => "Share of people whose true outcome is positive, whatever the decision.",
        Metric::Auc => "Probability that the score ranks a random person with a positive outcome above a random person with a negative one (0.5 is chance, 1 is perfect).",
        Metric::Brier => "Mean squared difference between the score (read as a probability) and the true outcome; lower is better.",
        Metric::Ece => "Expected calibration error: how far, on average over ten score bands, the score is from the observed share of positive outcomes; lower is better.",
    }
}

/// The readable name of a disparity key (named criteria, or
/// `METRIC_difference`, `_ratio`, `_difference_to_overall`, `_ratio_to_overall`).
pub fn disparity_title(key: &str) -> String {
    if let Some(n) = NAMED.iter().find(|n| n.key == key) {
        return n.title.to_string();
    }
    for (suffix, words) in [
        ("_difference_to_overall", "largest difference to overall"),
        ("_ratio_to_overall", "smallest ratio to overall"),
        ("_difference", "difference"),
        ("_ratio", "ratio"),
    ] {
        if let Some(m) = key.strip_suffix(suffix).and_then(Metric::from_key) {
            return format!("{}: {words}", m.title());
        }
    }
    key.to_string()
}

/// A group's values joined with ` × ` (`Female × Black`), or `All rows` for
/// the overall row. Not escaped.
pub fn group_label(g: &Ordered<String>) -> String {
    if g.0.is_empty() {
        "All rows".to_string()
    } else {
        assay_data::groups::label(g.iter().map(|(_, v)| v.as_str()))
    }
}

/// The sensitive features joined with ` × `. Not escaped.
pub fn features_label(a: &Assessment) -> String {
    assay_data::groups::label(a.input.sensitive.iter().map(String::as_str))
}

/// A group's (finite) value of a metric.
pub fn value(g: &GroupResult, m: Metric) -> Option<f64> {
    finite(g.metrics.get(m.key()).copied().flatten())
}

/// A group's interval for a metric.
pub fn interval(g: &GroupResult, m: Metric) -> Option<&Interval> {
    g.intervals.get(m.key())
}

/// The intersectional group with exactly these feature values.
pub fn find_group<'a>(a: &'a Assessment, group: &Ordered<String>) -> Option<&'a GroupResult> {
    a.groups.iter().find(|g| g.group == *group)
}

/// Lowest and highest eligible intersectional group of a metric.
pub fn extremes(a: &Assessment, m: Metric) -> Option<(&GroupResult, &GroupResult)> {
    let with: Vec<(&GroupResult, f64)> = a
        .groups
        .iter()
        .filter(|g| g.eligible)
        .filter_map(|g| value(g, m).map(|v| (g, v)))
        .collect();
    let lo = with.iter().min_by(|x, y| x.1.total_cmp(&y.1))?;
    let hi = with.iter().max_by(|x, y| x.1.total_cmp(&y.1))?;
    Some((lo.0, hi.0))
}

/// Whether a disparity's interval excludes parity, in words.
pub fn significance(d: &Disparity) -> &'static str {
    match (d.significant, &d.interval) {
        (Some(true), _) => "significant",
        (Some(false), _) => "not distinguishable from parity",
        (None, Some(_)) => "not estimable (zero-width interval: zero counts)",
        (None, None) => "no interval",
    }
}

/// The value of a named disparity, when defined.
pub fn disparity_value(a: &Assessment, key: &str) -> Option<f64> {
    finite(a.disparities.get(key).and_then(|d| d.value))
}

/// One column's proxy strength for one sensitive feature.
pub struct Proxy<'a> {
    /// Scanned column.
    pub column: &'a str,
    /// Sensitive feature.
    pub feature: &'a str,
    /// Bias-corrected Cramér's V (Bergsma 2013).
    pub cramers_v: f64,
    /// Normalised mutual information.
    pub nmi: Option<f64>,
}

/// Every (column, feature) pair with a bias-corrected Cramér's V, strongest first; columns that
/// look like identifiers are never proxies ([`identifier_like`]).
pub fn proxies(a: &Assessment) -> Vec<Proxy<'_>> {
    let mut v: Vec<Proxy<'_>> = a
        .scan
        .iter()
        .flat_map(|s| &s.columns)
        .filter(|c| c.identifier_like.is_none())
        .flat_map(|c| {
            c.proxies.iter().filter_map(move |p| {
                finite(p.cramers_v_corrected).map(|cramers_v| Proxy {
                    column: &c.column,
                    feature: &p.feature,
                    cramers_v,
                    nmi: finite(p.nmi),
                })
            })
        })
        .collect();
    v.sort_by(|x, y| y.cramers_v.total_cmp(&x.cramers_v));
    v
}

/// The scanned columns that look like identifiers, with the reason (left out of the proxies).
pub fn identifier_like(a: &Assessment) -> Vec<(&str, &str)> {
    a.scan
        .iter()
        .flat_map(|s| &s.columns)
        .filter_map(|c| Some((c.column.as_str(), c.identifier_like.as_deref()?)))
        .collect()
}

/// One sentence naming the identifier-like columns, if any.
pub fn identifier_note(a: &Assessment) -> Option<String> {
    let ids = identifier_like(a);
    (!ids.is_empty()).then(|| {
        format!(
            "Not judged as proxies, because they look like identifiers (a model should not use them at all): {}.",
            ids.iter()
                .map(|(c, why)| format!("{c} ({why})"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// A conventional reading of Cramér's V.
pub fn proxy_strength(v: f64) -> &'static str {
    if v >= 0.5 {
        "strong"
    } else if v >= 0.3 {
        "moderate"
    } else if v >= 0.1 {
        "weak"
    } else {
        "negligible"
    }
}

/// One-line explanation of proxy strength.
pub const PROXY_EXPLAINED: &str = "A strong proxy means the model can learn the sensitive attribute from this column even if it is removed.";

/// Columns whose missing-value share differs between the groups of a
/// feature by at least `gap`: (column, feature, lowest share, highest share).
pub fn missing_gaps(a: &Assessment, gap: f64) -> Vec<(&str, &str, f64, f64)> {
    let mut out = Vec::new();
    let Some(scan) = &a.scan else { return out };
    for c in &scan.columns {
        for f in &a.input.sensitive {
            let shares: Vec<f64> = c
                .missing_by_group
                .iter()
                .filter(|m| &m.feature == f && m.rows > 0)
                .map(|m| m.share)
                .collect();
            let lo = shares.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = shares.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if shares.len() > 1 && hi - lo >= gap {
                out.push((c.column.as_str(), f.as_str(), lo, hi));
            }
        }
    }
    out
}

/// The dataset's name for titles: the input's file name, not the path it was given by (an
/// absolute path says where the file sat on one machine, not what it is).
pub fn dataset_name(a: &Assessment) -> String {
    std::path::Path::new(&a.input.path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| a.input.path.clone())
}

/// What the report is about and when, as (label, text) lines: the data files with their rows
/// and SHA-256, the model with its format and SHA-256, the time and assay version, the command
/// line. From the report's provenance; without one (a report made through the library), the
/// data file and rows alone.
pub fn about(a: &Assessment) -> Vec<(&'static str, String)> {
    let name = |p: &str| {
        std::path::Path::new(p)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.to_string())
    };
    let rows = format::count(a.input.rows);
    let Some(p) = &a.provenance else {
        return vec![("Data", format!("{}: {rows} rows", name(&a.input.path)))];
    };
    let mut out = Vec::new();
    for (i, d) in p.data.iter().enumerate() {
        let rows = if i == 0 {
            format!("{rows} rows, ")
        } else {
            String::new()
        };
        out.push((
            if i == 0 { "Data" } else { "Predictions" },
            format!(
                "{}: {rows}{} bytes, SHA-256 {}",
                name(&d.path),
                format::count(d.bytes),
                d.sha256
            ),
        ));
    }
    out.push((
        "Model",
        match &p.model {
            Some(m) => format!(
                "{}{}: SHA-256 {}",
                name(&m.path),
                m.format
                    .as_deref()
                    .map(|f| format!(" ({f})"))
                    .unwrap_or_default(),
                m.sha256
            ),
            None => "none named: the decisions were read from the data".to_string(),
        },
    ));
    out.push((
        "Made",
        format!(
            "{} UTC by assay {}",
            p.created_at.trim_end_matches('Z').replace('T', " "),
            p.assay_version
        ),
    ));
    if let Some(c) = &p.command {
        out.push(("Command", c.clone()));
    }
    out
}

/// The `assay mitigate` constraint that addresses a disparity or policy figure, by its name:
/// selection rates → demographic parity; TPR/FNR and equal opportunity → true-positive-rate
/// parity; FPR/TNR → false-positive-rate parity; equalized odds → equalized odds; accuracy →
/// error-rate parity. `None` for figures no constraint targets (precision, calibration, AUC).
pub fn constraint_for(figure: &str) -> Option<&'static str> {
    let f = figure;
    if f.starts_with("demographic_parity")
        || f.starts_with("disparate_impact")
        || f.starts_with("selection_rate")
        || f.starts_with("four_fifths")
    {
        Some("demographic-parity")
    } else if f.starts_with("equalized_odds") {
        Some("equalized-odds")
    } else if f.starts_with("equal_opportunity") || f.starts_with("tpr_") || f.starts_with("fnr_") {
        Some("true-positive-rate-parity")
    } else if f.starts_with("fpr_") || f.starts_with("tnr_") {
        Some("false-positive-rate-parity")
    } else if f.starts_with("accuracy_") {
        Some("error-rate-parity")
    } else {
        None
    }
}

/// What a reader should do next, as sentences: for each constraint that a failed policy rule
/// (or, without a policy, a significant key disparity) calls for, the `assay mitigate` command
/// with what the report knows filled in (the data, label, positive value, sensitive features,
/// and the model when one was given: post-processing it with the threshold optimizer; otherwise
/// a reduction that needs the feature columns); the strongest proxies to look at; and the groups
/// too small to judge.
pub fn next_steps(a: &Assessment) -> Vec<String> {
    let mut out = Vec::new();
    // The figures that call for mitigation.
    let failing: Vec<&str> = match &a.policy {
        Some(p) => p
            .rules
            .iter()
            .filter(|r| !r.passed)
            .map(|r| r.metric.as_str())
            .collect(),
        None => NAMED
            .iter()
            .filter(|n| {
                a.disparities
                    .get(n.key)
                    .is_some_and(|d| d.significant == Some(true))
            })
            .map(|n| n.key)
            .collect(),
    };
    let mut constraints: Vec<&'static str> = Vec::new();
    for f in &failing {
        if let Some(c) = constraint_for(f) {
            if !constraints.contains(&c) {
                constraints.push(c);
            }
        }
    }
    let model = a
        .provenance
        .as_ref()
        .and_then(|p| p.model.as_ref())
        .map(|m| m.path.clone());
    let mut base = vec![
        "assay".to_string(),
        "mitigate".to_string(),
        assay_data::provenance::shell_quote(&a.input.path),
        "--label".to_string(),
        assay_data::provenance::shell_quote(&a.input.label),
    ];
    if let Some(p) = &a.input.positive {
        base.push("--positive".into());
        base.push(assay_data::provenance::shell_quote(p));
    }
    base.push("--sensitive".into());
    base.push(assay_data::provenance::shell_quote(
        &a.input.sensitive.join(","),
    ));
    for c in &constraints {
        let (method, tail, note) = match (&model, *c) {
            (Some(m), "error-rate-parity") => (
                "exponentiated-gradient",
                "--features FEATURES".to_string(),
                format!(" The threshold optimizer cannot equalize error rates, so a model like {m} is refitted on FEATURES."),
            ),
            (Some(m), _) => (
                "threshold-optimizer",
                format!("--model {}", assay_data::provenance::shell_quote(m)),
                String::new(),
            ),
            (None, _) => (
                "exponentiated-gradient",
                "--features FEATURES [--categorical COLUMNS]".to_string(),
                String::new(),
            ),
        };
        let mut cmd = base.clone();
        cmd.extend([
            "--method".to_string(),
            method.to_string(),
            "--constraint".to_string(),
            c.to_string(),
        ]);
        out.push(format!(
            "Mitigate toward {}: `{} {tail} --test HELD_OUT.csv --out mitigated.json --html mitigation.html` (FEATURES: the model's input columns; HELD_OUT.csv: data the model was not trained on; the other methods are in `assay mitigate --help`).{note}",
            c.replace('-', " "),
            cmd.join(" ")
        ));
    }
    if !failing.is_empty() && constraints.is_empty() {
        out.push(format!(
            "The failed figures ({}) have no mitigation constraint of their own: per-group calibration (`assay mitigate --method calibrate`) is the usual remedy for predictive parity and calibration gaps.",
            failing.join(", ")
        ));
    }
    let proxies: Vec<String> = proxies(a)
        .into_iter()
        .filter(|p| p.cramers_v >= 0.3)
        .take(3)
        .map(|p| {
            format!(
                "{} ({} for {})",
                p.column,
                proxy_strength(p.cramers_v),
                p.feature
            )
        })
        .collect();
    if !proxies.is_empty() {
        out.push(format!(
            "Look at the proxies: {}. Dropping a proxy rarely removes the gap (other columns carry the same signal); `assay explain --method permutation --scorer demographic-parity-difference` shows how much of the model's gap runs through each input.",
            proxies.join(", ")
        ));
    }
    let small: Vec<String> = a
        .groups
        .iter()
        .filter(|g| g.small)
        .map(|g| format!("{} (n = {})", group_label(&g.group), g.count))
        .collect();
    if !small.is_empty() {
        out.push(format!(
            "Too small to judge: {}. They are left out of the disparities; collect more data for them, or see them with --include-small-groups (figures with wide intervals).",
            small.join(", ")
        ));
    }
    out
}

/// What the positive decision is, in words (`shortlisted`, or `score ≥ 0.5`).
pub fn decision_name(a: &Assessment) -> String {
    match (&a.input.prediction, &a.input.score, a.input.threshold) {
        (Some(p), _, _) => p.clone(),
        (None, Some(s), Some(t)) => format!("{s} ≥ {t}"),
        (None, Some(s), None) => s.clone(),
        (None, None, _) => "prediction".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assay_fairness::intervals::Interval;

    fn disparity(interval: Option<(f64, f64)>, significant: Option<bool>) -> Disparity {
        Disparity {
            value: Some(0.0),
            interval: interval.map(|(lower, upper)| Interval {
                lower,
                upper,
                method: "bootstrap",
            }),
            reference: 1.0,
            significant,
            between: Vec::new(),
        }
    }

    #[test]
    fn a_zero_width_interval_reads_not_estimable() {
        assert_eq!(
            significance(&disparity(Some((0.0, 0.0)), None)),
            "not estimable (zero-width interval: zero counts)"
        );
        assert_eq!(significance(&disparity(None, None)), "no interval");
        assert_eq!(
            significance(&disparity(Some((0.1, 0.4)), Some(true))),
            "significant"
        );
    }
}
