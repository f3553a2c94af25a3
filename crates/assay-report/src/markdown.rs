//! The Markdown report: the terminal report's content as GitHub-flavoured
//! Markdown tables, for a pull-request comment or a compliance file.

use std::fmt::Write as _;

use assay_fairness::intervals::Interval;
use assay_fairness::metrics::Metric;
use assay_fairness::model::Assessment;

use crate::escape;
use crate::facts::{self, NAMED};
use crate::format::{self, count, num, pct, with_interval};

/// Data-derived text, escaped for Markdown.
fn m(s: &str) -> String {
    escape::markdown(s)
}

/// A GFM table; cells must already be escaped. `right[i]` right-aligns column `i`.
fn table(header: &[&str], right: &[bool], rows: &[Vec<String>]) -> String {
    let mut s = String::new();
    s.push('|');
    for h in header {
        let _ = write!(s, " {h} |");
    }
    s.push_str("\n|");
    for i in 0..header.len() {
        s.push_str(if right.get(i).copied().unwrap_or(false) {
            " ---: |"
        } else {
            " --- |"
        });
    }
    s.push('\n');
    for r in rows {
        s.push('|');
        for c in r {
            let _ = write!(s, " {c} |");
        }
        s.push('\n');
    }
    s
}

/// Renders the Markdown report.
pub fn render(a: &Assessment) -> String {
    let mut s = String::new();
    let conf = format::level(a.settings.confidence);
    let _ = writeln!(
        s,
        "## Fairness assessment: {}\n",
        m(&facts::dataset_name(a))
    );
    let small = a.groups.iter().filter(|g| g.small).count();
    let _ = write!(
        s,
        "**{} rows** · {} intersectional groups of {}",
        count(a.input.rows_used),
        a.groups.len(),
        m(&facts::features_label(a))
    );
    if small > 0 {
        let _ = write!(s, " ({small} small\\*)");
    }
    let _ = writeln!(
        s,
        " · label {} · decision {}\n",
        m(&a.input.label),
        m(&facts::decision_name(a))
    );
    let _ = writeln!(s, "**Verdict:** {}\n", verdict(a));

    // Groups.
    let metrics = facts::group_metrics(a);
    let _ = writeln!(s, "### Intersectional groups\n");
    let _ = writeln!(
        s,
        "Each figure is the estimate followed by its {conf} confidence interval.\n"
    );
    let mut header = vec!["Group", "n", "Share"];
    header.extend(metrics.iter().map(|m| facts::short_title(*m)));
    let mut right = vec![false];
    right.extend(std::iter::repeat_n(true, header.len() - 1));
    let rows: Vec<Vec<String>> = std::iter::once(&a.overall)
        .chain(&a.groups)
        .map(|g| {
            let mut label = m(&facts::group_label(&g.group));
            if g.group.0.is_empty() {
                label = format!("**{label}**");
            }
            if g.small {
                label.push_str("\\*");
            }
            let mut row = vec![label, count(g.count), pct(Some(g.share))];
            row.extend(
                metrics
                    .iter()
                    .map(|mt| with_interval(facts::value(g, *mt), facts::interval(g, *mt))),
            );
            row
        })
        .collect();
    s.push_str(&table(&header, &right, &rows));
    if small > 0 {
        let _ = writeln!(
            s,
            "\n\\* Fewer than {} rows: reported but not trusted, and left out of disparities.",
            a.settings.min_group_size
        );
    }
    s.push('\n');

    // Key disparities.
    let _ = writeln!(s, "### Key disparities\n");
    let iv = format!("{conf} interval");
    let rows: Vec<Vec<String>> = NAMED
        .iter()
        .filter_map(|n| {
            let d = a.disparities.get(n.key)?;
            let sig = facts::significance(d);
            Some(vec![
                n.title.to_string(),
                m(&assay_fairness::verdicts::comparison(d)),
                num(d.value),
                format::interval(d.interval.as_ref()),
                format::plain(d.reference),
                if d.significant == Some(true) {
                    format!("**{sig}**")
                } else {
                    sig.to_string()
                },
            ])
        })
        .collect();
    s.push_str(&table(
        &["Disparity", "Compares", "Value", &iv, "Parity", "Verdict"],
        &[false, false, true, true, true, false],
        &rows,
    ));
    s.push('\n');

    // Worst groups.
    if !a.worst_groups.0.is_empty() {
        let _ = writeln!(s, "### Worst group per metric\n");
        let rows: Vec<Vec<String>> = a
            .worst_groups
            .iter()
            .map(|(key, w)| {
                let title = Metric::from_key(key)
                    .map(|mt| mt.title().to_string())
                    .unwrap_or_else(|| m(key));
                let iv = facts::find_group(a, &w.group).and_then(|g| g.intervals.get(key));
                vec![
                    title,
                    m(&facts::group_label(&w.group)),
                    with_interval(Some(w.value), iv),
                    w.direction.to_string(),
                ]
            })
            .collect();
        s.push_str(&table(
            &["Metric", "Worst group", "Value", "Direction"],
            &[false, false, true, false],
            &rows,
        ));
        s.push('\n');
    }

    // Proxies.
    let proxies = facts::proxies(a);
    if !proxies.is_empty() {
        let _ = writeln!(s, "### Top proxy columns\n");
        let rows: Vec<Vec<String>> = proxies
            .iter()
            .take(5)
            .map(|p| {
                vec![
                    m(p.column),
                    m(p.feature),
                    num(Some(p.cramers_v)),
                    num(p.nmi),
                    facts::proxy_strength(p.cramers_v).to_string(),
                ]
            })
            .collect();
        s.push_str(&table(
            &[
                "Column",
                "Feature",
                "Cramér's V (corrected)",
                "NMI",
                "Strength",
            ],
            &[false, false, true, true, false],
            &rows,
        ));
        let _ = writeln!(s, "\n{}\n", facts::PROXY_EXPLAINED);
    }
    if let Some(note) = facts::identifier_note(a) {
        let _ = writeln!(s, "{}\n", m(&note));
    }

    // Policy.
    if let Some(p) = &a.policy {
        let _ = writeln!(s, "### Policy {}\n", m(&p.path));
        let rows: Vec<Vec<String>> = p
            .rules
            .iter()
            .map(|r| {
                vec![
                    m(&r.metric),
                    m(&r.bound),
                    num(r.value),
                    r.interval
                        .map(
                            |Interval {
                                 lower: lo,
                                 upper: hi,
                                 ..
                             }| {
                                format!("[{}, {}]", format::fixed(lo, 2), format::fixed(hi, 2))
                            },
                        )
                        .unwrap_or_default(),
                    if r.passed { "pass" } else { "**FAIL**" }.to_string(),
                    m(r.message.as_deref().unwrap_or("")),
                ]
            })
            .collect();
        s.push_str(&table(
            &["Rule", "Bound", "Value", "Interval", "Result", "Why"],
            &[false, false, true, true, false, false],
            &rows,
        ));
        s.push('\n');
    }

    // What to do next.
    let next = facts::next_steps(a);
    if !next.is_empty() {
        let _ = writeln!(s, "### What to do next\n");
        for n in &next {
            // Code between backticks stays as it is; the prose around it is escaped.
            let line: String = n
                .split('`')
                .enumerate()
                .map(|(i, part)| {
                    // A code span cannot escape: one holding markup characters (from a
                    // hostile file name) is written as escaped prose instead.
                    if i % 2 == 1 && !part.contains(['<', '>', '|', '&']) {
                        format!("`{part}`")
                    } else {
                        m(part)
                    }
                })
                .collect();
            let _ = writeln!(s, "- {line}");
        }
        s.push('\n');
    }

    // Notes.
    if !a.notes.is_empty() {
        let _ = writeln!(s, "### Notes\n");
        for n in &a.notes {
            let _ = writeln!(s, "- {}", m(n));
        }
        s.push('\n');
    }
    let _ = writeln!(s, "### About this report\n");
    for (label, text) in facts::about(a) {
        if label == "Command" {
            let _ = writeln!(s, "- {label}: `{}`", text.replace('`', "'"));
        } else {
            let _ = writeln!(s, "- {label}: {}", m(&text));
        }
    }
    s.push('\n');
    let _ = writeln!(
        s,
        "<sub>assay {} · schema {} · intervals: Wilson for rates, bootstrap percentile ({} replicates, seed {}) for the rest, {conf} · minimum group size {}</sub>",
        m(&a.assay_version),
        m(&a.schema),
        a.settings.bootstrap,
        a.settings.seed,
        a.settings.min_group_size
    );
    s
}

/// The verdict line.
fn verdict(a: &Assessment) -> String {
    let ff = &a.four_fifths;
    let who = |g: &Option<assay_fairness::model::Ordered<String>>| -> String {
        g.as_ref()
            .map(|g| {
                let v =
                    facts::find_group(a, g).and_then(|r| facts::value(r, Metric::SelectionRate));
                format!("{} ({})", m(&facts::group_label(g)), num(v))
            })
            .unwrap_or_else(|| format::NA.to_string())
    };
    let rule = match ff.passes {
        Some(p) => format!(
            "four-fifths rule **{}**: ratio {}, lowest selection rate {}, highest {}",
            if p { "PASS" } else { "FAIL" },
            num(ff.ratio),
            who(&ff.lowest),
            who(&ff.highest)
        ),
        None => "four-fifths rule undefined".to_string(),
    };
    let policy = match &a.policy {
        Some(p) if p.passed => "policy **PASS**".to_string(),
        Some(p) => format!(
            "policy **FAIL** ({} of {} rules violated)",
            p.violations,
            p.rules.len()
        ),
        None => "no policy given".to_string(),
    };
    format!("{policy} · {rule}")
}
