//! The data-scan section: representation, base rates, missing values and
//! proxy strength.

use std::fmt::Write as _;

use assay_fairness::metrics::Metric;
use assay_fairness::model::Assessment;
use assay_fairness::scan::ColumnKind;

use super::detail::metric_chart;
use super::table;
use crate::escape::html as esc;
use crate::facts::{self, PROXY_EXPLAINED};
use crate::format::{self, count, num, pct};
use crate::svg::{self, BarChart, BarRow};

/// Missing-value shares this far above a feature's lowest are highlighted.
const MISSING_GAP: f64 = 0.05;

/// Renders the scan section's body.
pub(super) fn render(o: &mut String, a: &Assessment) {
    representation(o, a);
    base_rates(o, a);
    let Some(scan) = &a.scan else {
        o.push_str("<p>The data scan (missing values and proxy columns) was not run for this assessment.</p>\n");
        return;
    };

    o.push_str("<h3>Missing values by group</h3>\n");
    let missing_cols: Vec<_> = scan.columns.iter().filter(|c| c.missing > 0).collect();
    if missing_cols.is_empty() {
        let _ = writeln!(
            o,
            "<p>None of the {} scanned columns has missing values (empty, null or not-a-number cells) in any group.</p>",
            scan.columns.len()
        );
    } else {
        let _ = writeln!(
            o,
            "<p>Share of rows where each column is empty, null or not a number, by group. A column missing far more often for one group is a common source of unequal treatment (the gaps are filled in the same way for everyone). Shares at least {} points above the feature's lowest are highlighted; {} scanned columns have no missing values and are not listed.</p>",
            format::fixed(MISSING_GAP * 100.0, 0),
            scan.columns.len() - missing_cols.len()
        );
        let groups: Vec<(String, String)> = missing_cols[0]
            .missing_by_group
            .iter()
            .map(|m| (m.feature.clone(), m.value.clone()))
            .collect();
        let headers: Vec<String> = groups
            .iter()
            .map(|(f, v)| format!("{}<br><span class=\"muted\">{}</span>", esc(v), esc(f)))
            .collect();
        let mut head: Vec<(&str, bool)> = vec![("Column", false), ("All rows", true)];
        head.extend(headers.iter().map(|h| (h.as_str(), true)));
        let rows: Vec<(Option<&str>, Vec<String>)> = missing_cols
            .iter()
            .map(|c| {
                let mut cells = vec![
                    esc(&c.column),
                    pct(Some(if c.rows > 0 {
                        c.missing as f64 / c.rows as f64
                    } else {
                        f64::NAN
                    })),
                ];
                for (f, v) in &groups {
                    let lowest = c
                        .missing_by_group
                        .iter()
                        .filter(|m| &m.feature == f && m.rows > 0)
                        .map(|m| m.share)
                        .fold(f64::INFINITY, f64::min);
                    let cell = c
                        .missing_by_group
                        .iter()
                        .find(|m| &m.feature == f && &m.value == v)
                        .map(|m| {
                            let p = pct(Some(m.share));
                            if m.share - lowest >= MISSING_GAP {
                                format!("<span class=\"hi\">{p}</span>")
                            } else {
                                p
                            }
                        })
                        .unwrap_or_else(|| format::NA.to_string());
                    cells.push(cell);
                }
                (None, cells)
            })
            .collect();
        table(o, &head, &rows);
    }

    o.push_str("<h3>Proxy strength</h3>\n");
    let _ = writeln!(
        o,
        "<p class=\"callout\">{PROXY_EXPLAINED}</p>\n<p>Cramér's V and normalised mutual information (NMI) measure how strongly each other column of the data is associated with each sensitive feature: 0 means no association, 1 means the column reveals the feature exactly. Cramér's V is bias-corrected (Bergsma 2013): uncorrected, it grows with the number of distinct values, and a column unique to each row would score 1 against anything. As a rule of thumb, a Cramér's V below 0.1 is negligible, 0.1 to 0.3 weak, 0.3 to 0.5 moderate and above 0.5 strong. Numeric columns are cut into ten equal-sized bands first. Columns that look like identifiers (unique per row, a row number, or named as one) are not judged as proxies.</p>"
    );
    let features = &a.input.sensitive;
    let headers: Vec<String> = features
        .iter()
        .flat_map(|f| {
            [
                format!(
                    "Cramér's V (corrected)<br><span class=\"muted\">{}</span>",
                    esc(f)
                ),
                format!("NMI<br><span class=\"muted\">{}</span>", esc(f)),
            ]
        })
        .collect();
    let mut head: Vec<(&str, bool)> = vec![("Column", false), ("Kind", false), ("Distinct", true)];
    head.extend(headers.iter().map(|h| (h.as_str(), true)));
    head.push(("Strongest", false));
    let rows: Vec<(Option<&str>, Vec<String>)> = scan
        .columns
        .iter()
        .map(|c| {
            let kind = match c.kind {
                ColumnKind::Numeric => "numeric",
                ColumnKind::Categorical => "categorical",
                ColumnKind::HighCardinality => "too many values",
            };
            let distinct = if c.kind == ColumnKind::HighCardinality {
                format!("&gt; {}", count(c.distinct.saturating_sub(1)))
            } else {
                count(c.distinct)
            };
            let mut cells = vec![esc(&c.column), kind.to_string(), distinct];
            let mut best: Option<f64> = None;
            for f in features {
                let p = c.proxies.iter().find(|p| &p.feature == f);
                let v = p.and_then(|p| format::finite(p.cramers_v_corrected));
                if let Some(v) = v {
                    best = Some(best.map_or(v, |b: f64| b.max(v)));
                }
                let vs = num(v);
                cells.push(if v.is_some_and(|v| v >= 0.3) {
                    format!("<span class=\"hi\">{vs}</span>")
                } else {
                    vs
                });
                cells.push(num(p.and_then(|p| p.nmi)));
            }
            cells.push(match &c.identifier_like {
                Some(why) => format!("identifier-like: {}", esc(why)),
                None => best
                    .map(|b| facts::proxy_strength(b).to_string())
                    .unwrap_or_else(|| format::NA.to_string()),
            });
            (None, cells)
        })
        .collect();
    table(o, &head, &rows);
    let bars: Vec<BarRow> = scan
        .columns
        .iter()
        .filter(|c| {
            c.identifier_like.is_none()
                && c.proxies
                    .iter()
                    .any(|p| format::finite(p.cramers_v_corrected).is_some())
        })
        .map(|c| BarRow {
            label: c.column.clone(),
            values: features
                .iter()
                .map(|f| {
                    c.proxies
                        .iter()
                        .find(|p| &p.feature == f)
                        .and_then(|p| p.cramers_v_corrected)
                })
                .collect(),
            muted: false,
        })
        .collect();
    if !bars.is_empty() {
        let _ = writeln!(
            o,
            "<div class=\"charts\"><figure>{}</figure></div>",
            svg::bar_chart(&BarChart {
                title: "Proxy strength: bias-corrected Cramér's V with each sensitive feature"
                    .into(),
                series: features.clone(),
                rows: bars,
                domain: (0.0, 1.0),
                percent: false,
                refs: vec![],
            })
        );
    }
}

fn representation(o: &mut String, a: &Assessment) {
    o.push_str("<h3>Representation</h3>\n<p>How many rows each group has. Under-represented groups are measured less precisely, and a model trained on similar data may work less well for them.</p>\n<div class=\"charts\">\n");
    let rows: Vec<BarRow> = a
        .groups
        .iter()
        .map(|g| BarRow {
            label: facts::group_label(&g.group),
            values: vec![Some(g.share)],
            muted: g.small,
        })
        .collect();
    let domain = svg::nice_domain(a.groups.iter().map(|g| g.share), &[0.0]);
    let _ = writeln!(
        o,
        "<figure>{}</figure>",
        svg::bar_chart(&BarChart {
            title: "Share of rows by intersectional group".into(),
            series: vec![],
            rows,
            domain,
            percent: true,
            refs: vec![],
        })
    );
    o.push_str("<div>\n");
    let rows: Vec<(Option<&str>, Vec<String>)> = a
        .marginals
        .iter()
        .flat_map(|(f, groups)| {
            groups.iter().map(move |g| {
                (
                    if g.small { Some("small") } else { None },
                    vec![
                        esc(f),
                        esc(&facts::group_label(&g.group)),
                        count(g.count),
                        pct(Some(g.share)),
                    ],
                )
            })
        })
        .collect();
    table(
        o,
        &[
            ("Feature", false),
            ("Group", false),
            ("Rows", true),
            ("Share", true),
        ],
        &rows,
    );
    o.push_str("</div>\n</div>\n");
}

fn base_rates(o: &mut String, a: &Assessment) {
    if a.overall.metrics.get(Metric::BaseRate.key()).is_none() {
        return;
    }
    let _ = writeln!(
        o,
        "<h3>Base rates</h3>\n<p>The share of each group whose true outcome (<b>{}</b>) is positive, whatever the model decided. When base rates differ between groups, equal selection rates and equal error rates cannot in general both hold, so which fairness measure matters most is a policy choice.</p>",
        esc(&a.input.label)
    );
    let _ = writeln!(
        o,
        "<div class=\"charts\"><figure>{}</figure></div>",
        metric_chart(a, Metric::BaseRate, &a.groups)
    );
}
