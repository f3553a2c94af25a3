//! The evidence sections: groups, marginals, disparities, worst-off
//! groups, policy and notes.

use std::fmt::Write as _;

use assay_fairness::intervals::Interval;
use assay_fairness::metrics::Metric;
use assay_fairness::model::{Assessment, Disparity, GroupResult};

use super::{badge, group_cell, table, vci, who};
use crate::escape::html as esc;
use crate::facts::{self, FOUR_FIFTHS, NAMED};
use crate::format::{self, count, num, pct};
use crate::svg::{self, DotChart, DotRow, RefKind, RefLine};

/// Metrics charted per group.
const CHARTED: [Metric; 4] = [
    Metric::SelectionRate,
    Metric::Tpr,
    Metric::Fpr,
    Metric::Precision,
];

/// A table of groups with the report's group metrics.
fn group_table(o: &mut String, a: &Assessment, rows: &[&GroupResult]) {
    let metrics = facts::group_metrics(a);
    let mut head: Vec<(&str, bool)> = vec![("Group", false), ("Rows", true), ("Share", true)];
    head.extend(metrics.iter().map(|m| (facts::short_title(*m), true)));
    let rows: Vec<(Option<&str>, Vec<String>)> = rows
        .iter()
        .map(|g| {
            let mut cells = vec![group_cell(a, g), count(g.count), pct(Some(g.share))];
            cells.extend(
                metrics
                    .iter()
                    .map(|m| vci(facts::value(g, *m), facts::interval(g, *m))),
            );
            let class = if g.group.0.is_empty() {
                Some("overall")
            } else if g.small {
                Some("small")
            } else {
                None
            };
            (class, cells)
        })
        .collect();
    table(o, &head, &rows);
}

fn small_footnote(o: &mut String, a: &Assessment, groups: &[GroupResult]) {
    if groups.iter().any(|g| g.small) {
        let _ = writeln!(
            o,
            "<p class=\"footnote\"><span class=\"flag\">*</span> Fewer than {} rows: shown for completeness, greyed out, and {} because the figures are too uncertain to rely on.</p>",
            a.settings.min_group_size,
            if a.settings.include_small_groups {
                "nevertheless included in the comparisons on request"
            } else {
                "left out of disparities, worst-off groups and the four-fifths rule"
            }
        );
    }
}

/// A dot chart of one metric over groups, with the overall value as a
/// reference line.
pub(super) fn metric_chart(a: &Assessment, m: Metric, groups: &[GroupResult]) -> String {
    let overall = facts::value(&a.overall, m);
    let rows: Vec<DotRow> = groups
        .iter()
        .map(|g| DotRow {
            label: facts::group_label(&g.group),
            value: facts::value(g, m),
            interval: facts::interval(g, m).map(|i| (i.lower, i.upper)),
            muted: g.small,
        })
        .collect();
    let refs = overall
        .map(|v| {
            vec![RefLine {
                at: v,
                label: format!("overall {}", num(Some(v))),
                kind: RefKind::Overall,
            }]
        })
        .unwrap_or_default();
    let domain = if m.is_proportion() || m == Metric::Auc || m == Metric::BalancedAccuracy {
        (0.0, 1.0)
    } else {
        svg::nice_domain(
            rows.iter()
                .flat_map(|r| [r.value, r.interval.map(|i| i.0), r.interval.map(|i| i.1)])
                .flatten(),
            &[0.0],
        )
    };
    svg::dot_chart(&DotChart {
        title: m.title().to_string(),
        rows,
        domain,
        refs,
    })
}

fn chart_legend(o: &mut String, a: &Assessment) {
    let _ = writeln!(
        o,
        "<p class=\"caption\">How to read the charts: each dot is a group's estimate and the whisker its {} confidence interval (the range the true value plausibly lies in); the dashed vertical line is the value over all rows. Hollow grey marks are groups with fewer than {} rows.</p>",
        format::level(a.settings.confidence),
        a.settings.min_group_size
    );
}

/// The intersectional groups section.
pub(super) fn groups(o: &mut String, a: &Assessment) {
    let _ = writeln!(
        o,
        "<p>Every combination of {} that occurs in the data, with each figure's {} confidence interval in grey. The first row is everyone together.</p>",
        esc(&facts::features_label(a)),
        format::level(a.settings.confidence)
    );
    let rows: Vec<&GroupResult> = std::iter::once(&a.overall).chain(&a.groups).collect();
    group_table(o, a, &rows);
    small_footnote(o, a, &a.groups);
    chart_legend(o, a);
    o.push_str("<div class=\"charts\">\n");
    for m in CHARTED {
        if a.overall.metrics.get(m.key()).is_some() {
            let _ = writeln!(o, "<figure>{}</figure>", metric_chart(a, m, &a.groups));
        }
    }
    o.push_str("</div>\n");
}

/// Rows of a disparity table: name, the groups compared, value [interval], parity, verdict.
fn disparity_rows<'a>(
    keys: impl Iterator<Item = (&'a str, &'a Disparity)>,
    about: bool,
) -> Vec<(Option<&'static str>, Vec<String>)> {
    keys.map(|(key, d)| {
        let mut cells = vec![esc(&facts::disparity_title(key))];
        if about {
            cells.push(
                NAMED
                    .iter()
                    .find(|n| n.key == key)
                    .map(|n| n.about.to_string())
                    .unwrap_or_default(),
            );
        }
        cells.push(esc(&assay_fairness::verdicts::comparison(d)));
        cells.push(vci(d.value, d.interval.as_ref()));
        cells.push(format::plain(d.reference));
        cells.push(match d.significant {
            Some(true) => "<span class=\"sig\">significant</span>".to_string(),
            Some(false) => "not distinguishable from parity".to_string(),
            None => format!("<span class=\"muted\">{}</span>", facts::significance(d)),
        });
        (None, cells)
    })
    .collect()
}

/// The per-feature section.
pub(super) fn marginals(o: &mut String, a: &Assessment) {
    o.push_str("<p>The same figures for each sensitive feature on its own. Comparing these with the intersectional groups shows whether combinations of attributes fare worse than any single attribute suggests.</p>\n");
    for (feature, groups) in a.marginals.iter() {
        let _ = writeln!(o, "<h3>By {}</h3>", esc(feature));
        let rows: Vec<&GroupResult> = std::iter::once(&a.overall).chain(groups).collect();
        group_table(o, a, &rows);
        small_footnote(o, a, groups);
        if let Some(ds) = a.disparities_by_feature.get(feature) {
            let di = ds
                .get("disparate_impact_ratio")
                .and_then(|d| format::finite(d.value));
            let _ = writeln!(
                o,
                "<p>Four-fifths rule across {}: {} (disparate impact ratio {}).</p>",
                esc(feature),
                badge(
                    di.map(|r| r >= FOUR_FIFTHS),
                    "passes",
                    "fails",
                    "undetermined"
                ),
                num(di)
            );
            let rows = disparity_rows(
                NAMED
                    .iter()
                    .filter_map(|n| ds.get(n.key).map(|d| (n.key, d))),
                false,
            );
            table(
                o,
                &[
                    ("Disparity", false),
                    ("Compares", false),
                    ("Value", true),
                    ("Parity", true),
                    ("Verdict", false),
                ],
                &rows,
            );
        }
    }
}

/// The disparities section.
pub(super) fn disparities(o: &mut String, a: &Assessment) {
    let conf = format::level(a.settings.confidence);
    let _ = writeln!(
        o,
        "<p>Each disparity summarises a gap between the intersectional groups with at least {} rows in one number. Differences are 0 at parity; ratios are 1 at parity. The interval is a {conf} bootstrap interval.</p>",
        a.settings.min_group_size
    );
    let named: Vec<(&str, &Disparity)> = NAMED
        .iter()
        .filter_map(|n| a.disparities.get(n.key).map(|d| (n.key, d)))
        .collect();
    let rows = disparity_rows(named.iter().copied(), true);
    table(
        o,
        &[
            ("Disparity", false),
            ("What it measures", false),
            ("Compares", false),
            ("Value", true),
            ("Parity", true),
            ("Verdict", false),
        ],
        &rows,
    );
    // The chart titles say difference or ratio: the rows name the criterion.
    let dot = |key: &str, d: &Disparity| DotRow {
        label: facts::disparity_title(key)
            .trim_end_matches(" difference")
            .trim_end_matches(" ratio")
            .to_string(),
        value: d.value,
        interval: d.interval.map(|i| (i.lower, i.upper)),
        muted: false,
    };
    let diffs: Vec<DotRow> = named
        .iter()
        .filter(|(_, d)| d.reference == 0.0)
        .map(|(k, d)| dot(k, d))
        .collect();
    let ratios: Vec<DotRow> = named
        .iter()
        .filter(|(_, d)| d.reference == 1.0)
        .map(|(k, d)| dot(k, d))
        .collect();
    let extent = |rows: &[DotRow]| -> Vec<f64> {
        rows.iter()
            .flat_map(|r| [r.value, r.interval.map(|i| i.0), r.interval.map(|i| i.1)])
            .flatten()
            .collect()
    };
    o.push_str("<p class=\"caption\">Dots are the estimates, whiskers their confidence intervals. A whisker that does not touch the parity line is a statistically significant gap; for ratios, the dashed line marks the four-fifths threshold of 0.8.</p>\n<div class=\"charts\">\n");
    if !diffs.is_empty() {
        let domain = svg::nice_domain(extent(&diffs), &[0.0, 1.0]);
        let _ = writeln!(
            o,
            "<figure>{}</figure>",
            svg::dot_chart(&DotChart {
                title: "Differences (0 = parity)".into(),
                rows: diffs,
                domain,
                refs: vec![RefLine {
                    at: 0.0,
                    label: "parity".into(),
                    kind: RefKind::Parity,
                }],
            })
        );
    }
    if !ratios.is_empty() {
        let domain = svg::nice_domain(extent(&ratios), &[0.0, 1.0]);
        let _ = writeln!(
            o,
            "<figure>{}</figure>",
            svg::dot_chart(&DotChart {
                title: "Ratios (1 = parity)".into(),
                rows: ratios,
                domain,
                refs: vec![
                    RefLine {
                        at: FOUR_FIFTHS,
                        label: "four-fifths 0.8".into(),
                        kind: RefKind::Threshold,
                    },
                    RefLine {
                        at: 1.0,
                        label: "parity".into(),
                        kind: RefKind::Parity,
                    },
                ],
            })
        );
    }
    o.push_str("</div>\n");
    let rest: Vec<(&str, &Disparity)> = a
        .disparities
        .iter()
        .filter(|(k, _)| !NAMED.iter().any(|n| n.key == k))
        .map(|(k, d)| (k.as_str(), d))
        .collect();
    if !rest.is_empty() {
        let _ = writeln!(
            o,
            "<details><summary>All {} per-metric disparities</summary>",
            rest.len()
        );
        o.push_str("<p>For every metric: the difference and ratio between the highest and lowest group, and the largest difference and smallest ratio between a group and everyone.</p>\n");
        let rows = disparity_rows(rest.into_iter(), false);
        table(
            o,
            &[
                ("Disparity", false),
                ("Compares", false),
                ("Value", true),
                ("Parity", true),
                ("Verdict", false),
            ],
            &rows,
        );
        o.push_str("</details>\n");
    }
}

/// The worst-off groups section.
pub(super) fn worst_groups(o: &mut String, a: &Assessment) {
    if a.worst_groups.0.is_empty() {
        o.push_str("<p>No group is large enough to compare.</p>\n");
        return;
    }
    o.push_str("<p>For each metric, the intersectional group at the unfavourable end (the lowest value where higher is better, the highest where lower is better), among groups large enough to trust.</p>\n");
    let rows: Vec<(Option<&str>, Vec<String>)> = a
        .worst_groups
        .iter()
        .map(|(key, w)| {
            let m = Metric::from_key(key);
            let iv = facts::find_group(a, &w.group).and_then(|g| g.intervals.get(key));
            let overall = m.and_then(|m| facts::value(&a.overall, m));
            (
                None,
                vec![
                    esc(&m
                        .map(|m| m.title().to_string())
                        .unwrap_or_else(|| key.clone())),
                    esc(w.direction),
                    who(&w.group),
                    vci(Some(w.value), iv),
                    num(overall),
                ],
            )
        })
        .collect();
    table(
        o,
        &[
            ("Metric", false),
            ("Worst is", false),
            ("Group", false),
            ("Value", true),
            ("Everyone", true),
        ],
        &rows,
    );
}

/// The policy section.
pub(super) fn policy(o: &mut String, a: &Assessment) {
    let Some(p) = &a.policy else {
        o.push_str("<p>No policy file was supplied, so no thresholds were enforced. A policy lists bounds such as <code>disparate_impact_ratio &gt;= 0.8</code> that a release must meet; <code>assay</code> then fails when a bound is violated.</p>\n");
        return;
    };
    let _ = writeln!(
        o,
        "<p>Policy <b>{}</b>: {} ({} of {} rules violated).</p>",
        esc(&p.path),
        badge(Some(p.passed), "passes", "fails", ""),
        p.violations,
        p.rules.len()
    );
    let rows: Vec<(Option<&str>, Vec<String>)> = p
        .rules
        .iter()
        .map(|r| {
            let iv = r
                .interval
                .map(
                    |Interval {
                         lower: lo,
                         upper: hi,
                         ..
                     }| {
                        format!("[{}, {}]", format::fixed(lo, 2), format::fixed(hi, 2))
                    },
                )
                .unwrap_or_default();
            (
                if r.passed { None } else { Some("failed") },
                vec![
                    esc(&facts::disparity_title(&r.metric)),
                    format!("<code>{}</code>", esc(&r.metric)),
                    esc(&r.bound),
                    num(r.value),
                    iv,
                    if r.on_interval {
                        "whole interval".into()
                    } else {
                        "estimate".into()
                    },
                    badge(Some(r.passed), "pass", "fail", ""),
                    esc(r.message.as_deref().unwrap_or("")),
                ],
            )
        })
        .collect();
    table(
        o,
        &[
            ("Rule", false),
            ("Key", false),
            ("Bound", false),
            ("Value", true),
            ("Interval", true),
            ("Checked on", false),
            ("Result", false),
            ("Why", false),
        ],
        &rows,
    );
}

/// The notes section.
pub(super) fn notes(o: &mut String, a: &Assessment) {
    if a.notes.is_empty() {
        o.push_str("<p>No caveats for this assessment.</p>\n");
        return;
    }
    o.push_str("<ul>\n");
    for n in &a.notes {
        let _ = writeln!(o, "<li>{}</li>", esc(n));
    }
    o.push_str("</ul>\n");
}
