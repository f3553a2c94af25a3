//! The HTML report of `assay mitigate`: what the mitigation changed, for a reader who must
//! choose between accuracy and fairness. One self-contained document (inline CSS and SVG, no
//! script), in the style of the fairness report.

use std::fmt::Write as _;

use crate::escape::html as esc;
use crate::format::{self, count};
use crate::svg::{self, BarChart, BarRow, RefKind, RefLine, XyChart, XyMark, XyPoint, XySeries};

/// One figure compared before and after mitigation.
pub struct MetricRow {
    /// What it is, in words.
    pub label: String,
    /// Before mitigation.
    pub before: Option<f64>,
    /// After mitigation.
    pub after: Option<f64>,
    /// Whether a higher value is better (accuracy, disparate-impact ratio) or worse
    /// (differences between groups); `None` for figures that are neither (the selection rate).
    pub higher_is_better: Option<bool>,
}

/// One group's figures before and after mitigation.
pub struct GroupRow {
    /// The group.
    pub group: String,
    /// Rows evaluated.
    pub rows: u64,
    /// Selection rate before and after.
    pub selection_rate: [Option<f64>; 2],
    /// Accuracy before and after.
    pub accuracy: [Option<f64>; 2],
}

/// Everything the mitigation report shows (built by the CLI from its result).
pub struct MitigationView {
    /// The method in words.
    pub method: String,
    /// The training file.
    pub train_path: String,
    /// The evaluated file.
    pub eval_path: String,
    /// Rows evaluated.
    pub eval_rows: usize,
    /// Whether the evaluation used separate test data.
    pub on_test: bool,
    /// Whether the mitigated model reads the sensitive columns at decision time.
    pub sensitive_at_decision: bool,
    /// The sensitive columns.
    pub sensitive: Vec<String>,
    /// Whether decisions are randomized.
    pub randomized: bool,
    /// The compared figures.
    pub metrics: Vec<MetricRow>,
    /// Per group.
    pub groups: Vec<GroupRow>,
    /// Caveats.
    pub notes: Vec<String>,
    /// Per-group calibration curves before and after (the `calibrate` method).
    pub calibration: Option<CalibrationView>,
    /// The accuracy–fairness trade-off sweep (`--sweep`).
    pub sweep: Option<SweepView>,
    /// What drives the gap before mitigation.
    pub drivers: Option<DriversView>,
}

/// What drives the gap before mitigation: permutation importance of the disparity mitigated.
#[derive(Debug, Clone)]
pub struct DriversView {
    /// The disparity measured (its key, e.g. `equalized_odds_difference`).
    pub disparity: String,
    /// Its value for the unmitigated model.
    pub baseline: f64,
    /// (feature, the drop of the disparity when it is shuffled), largest first.
    pub features: Vec<(String, f64)>,
}

/// One group's reliability diagram (scikit-learn's `calibration_curve`: per non-empty bin,
/// mean predicted probability and observed fraction of positives).
pub struct CurveView {
    /// The group.
    pub group: String,
    /// `(mean predicted, observed)` per non-empty bin, by increasing bin.
    pub points: Vec<(f64, f64)>,
    /// Rows per bin.
    pub counts: Vec<usize>,
}

/// Calibration curves of every group before and after per-group calibration.
pub struct CalibrationView {
    /// Number of uniform bins.
    pub bins: usize,
    /// Before calibration (the unmitigated model's score).
    pub before: Vec<CurveView>,
    /// After calibration.
    pub after: Vec<CurveView>,
    /// On which rows the calibrators were fitted, in words.
    pub fitted_on: String,
}

/// One point of the trade-off sweep.
pub struct SweepPointView {
    /// "unmitigated" or `parameter = value`.
    pub label: String,
    /// Test accuracy (of the expected decisions).
    pub accuracy: f64,
    /// Test disparity (of the expected decisions).
    pub disparity: f64,
    /// Whether this is the unmitigated model.
    pub unmitigated: bool,
    /// Whether the point is on the Pareto front.
    pub pareto: bool,
    /// The policy's verdict, with a policy.
    pub passes_policy: Option<bool>,
}

/// The trade-off sweep: points, the Pareto front and the saved point.
pub struct SweepView {
    /// The swept parameter.
    pub parameter: String,
    /// The disparity measure's name.
    pub disparity: String,
    /// The points (the unmitigated model among them).
    pub points: Vec<SweepPointView>,
    /// Indices of the Pareto front, by increasing disparity.
    pub pareto: Vec<usize>,
    /// The saved point, if any.
    pub chosen: Option<usize>,
    /// Why that point, in words.
    pub chosen_by: String,
    /// The policy file, if any.
    pub policy: Option<String>,
}

/// Renders the mitigation report.
pub fn render(v: &MitigationView) -> String {
    let style = crate::html::STYLE;
    let mut o = String::with_capacity(32 * 1024);
    let title = format!("Bias mitigation: {}", v.method);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"assay {}\">\n<title>{}</title>\n<style>\n{style}</style>\n</head>\n<body>\n",
        esc(env!("CARGO_PKG_VERSION")),
        esc(&title)
    );
    let _ = writeln!(
        o,
        "<header class=\"top\"><div class=\"wrap\"><p class=\"kicker\">Bias mitigation</p><h1>{}</h1><p class=\"sub\">trained on {} · evaluated on {} ({} rows{}) · groups by <b>{}</b></p></div></header>",
        esc(&v.method),
        esc(&v.train_path),
        esc(&v.eval_path),
        count(v.eval_rows as u64),
        if v.on_test { "" } else { ", the training data" },
        esc(&assay_data::groups::label(
            v.sensitive.iter().map(String::as_str)
        )),
    );
    o.push_str("<main class=\"wrap\">\n<section id=\"summary\">\n<h2>Before and after</h2>\n");
    let _ = writeln!(o, "<p>{}</p>", esc(&headline(v)));
    o.push_str("<table><thead><tr><th>Figure</th><th class=\"num\">Before</th><th class=\"num\">After</th><th class=\"num\">Change</th></tr></thead><tbody>\n");
    for m in &v.metrics {
        let change = match (m.before, m.after) {
            (Some(b), Some(a)) if b.is_finite() && a.is_finite() => {
                let d = a - b;
                let better = m
                    .higher_is_better
                    .map(|h| if h { d > 0.0 } else { d < 0.0 });
                let class = if d.abs() < 5e-4 || better.is_none() {
                    ""
                } else if better == Some(true) {
                    " class=\"good\""
                } else {
                    " class=\"bad\""
                };
                format!("<span{class}>{:+.3}</span>", d)
            }
            _ => format::NA.to_string(),
        };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{change}</td></tr>",
            esc(&m.label),
            format::num(m.before),
            format::num(m.after)
        );
    }
    o.push_str("</tbody></table>\n</section>\n");

    o.push_str("<section id=\"groups\">\n<h2>By group</h2>\n");
    let rows = |pick: &dyn Fn(&GroupRow) -> [Option<f64>; 2]| -> Vec<BarRow> {
        v.groups
            .iter()
            .map(|g| BarRow {
                label: g.group.clone(),
                values: pick(g).to_vec(),
                muted: false,
            })
            .collect()
    };
    o.push_str(&svg::bar_chart(&BarChart {
        title: "Selection rate by group".into(),
        series: vec!["before".into(), "after".into()],
        rows: rows(&|g| g.selection_rate),
        domain: svg::nice_domain(
            v.groups
                .iter()
                .flat_map(|g| g.selection_rate.iter().flatten().copied()),
            &[0.0],
        ),
        percent: true,
        refs: Vec::new(),
    }));
    o.push_str(&svg::bar_chart(&BarChart {
        title: "Accuracy by group".into(),
        series: vec!["before".into(), "after".into()],
        rows: rows(&|g| g.accuracy),
        domain: (0.0, 1.0),
        percent: true,
        refs: vec![RefLine {
            at: 0.5,
            label: "0.5".into(),
            kind: RefKind::Parity,
        }],
    }));
    o.push_str("<table><thead><tr><th>Group</th><th class=\"num\">Rows</th><th class=\"num\">Selection rate before</th><th class=\"num\">after</th><th class=\"num\">Accuracy before</th><th class=\"num\">after</th></tr></thead><tbody>\n");
    for g in &v.groups {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&g.group),
            count(g.rows),
            format::pct(g.selection_rate[0]),
            format::pct(g.selection_rate[1]),
            format::pct(g.accuracy[0]),
            format::pct(g.accuracy[1]),
        );
    }
    o.push_str("</tbody></table>\n</section>\n");
    if let Some(DriversView {
        disparity,
        baseline,
        features,
    }) = &v.drivers
    {
        let name = disparity.replace('_', " ");
        o.push_str("<section id=\"drivers\">\n<h2>What drives the gap</h2>\n");
        if let Some((top, imp)) = features.first().filter(|f| f.1 > 0.0) {
            let _ = writeln!(
                o,
                "<p>Before mitigation the {} between groups is {baseline:.3}. Shuffling <b>{}</b> among the rows shrinks it by {imp:.3} on average: the model's gap runs mostly through it (a proxy when it is not itself a protected attribute).</p>",
                esc(&name),
                esc(top)
            );
        }
        o.push_str(&svg::bar_chart(&BarChart {
            title: format!("Drop of the {name} when the feature is shuffled"),
            series: vec!["unmitigated model".into()],
            rows: features
                .iter()
                .map(|(f, v)| BarRow {
                    label: f.clone(),
                    values: vec![Some(*v)],
                    muted: false,
                })
                .collect(),
            domain: svg::nice_domain(features.iter().map(|f| f.1), &[0.0]),
            percent: false,
            refs: Vec::new(),
        }));
        let _ = writeln!(
            o,
            "<p class=\"note\">Permutation importance (Breiman 2001) of the {} of the unmitigated model's decisions on the evaluation rows, 5 shuffles per feature; a one-hot feature's columns are shuffled together. The disparity is the one the constraint closes (the equalized-odds difference for the error-rate constraints).</p>\n</section>",
            esc(&name)
        );
    }
    if let Some(c) = &v.calibration {
        calibration_section(&mut o, c);
    }
    if let Some(sw) = &v.sweep {
        sweep_section(&mut o, sw);
    }
    o.push_str("<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n");
    for n in &v.notes {
        let _ = writeln!(o, "<li>{}</li>", esc(n));
    }
    let _ = write!(
        o,
        "</ul>\n</section>\n</main>\n<footer class=\"wrap\">Generated by assay {} · all figures computed from the files named above; nothing was sent anywhere.</footer>\n</body>\n</html>\n",
        esc(env!("CARGO_PKG_VERSION"))
    );
    o
}

/// One sentence on what changed: the disparate-impact ratio and the accuracy cost.
fn headline(v: &MitigationView) -> String {
    let find = |label: &str| v.metrics.iter().find(|m| m.label == label);
    let mut parts = Vec::new();
    if let Some(m) = find("Disparate impact ratio (lowest / highest selection rate)") {
        if let (Some(b), Some(a)) = (m.before, m.after) {
            parts.push(format!(
                "The disparate-impact ratio moved from {b:.3} to {a:.3} ({} the four-fifths line of 0.8).",
                if a >= 0.8 { "at or above" } else { "still below" }
            ));
        }
    }
    if let Some(m) = find("Accuracy") {
        if let (Some(b), Some(a)) = (m.before, m.after) {
            parts.push(format!(
                "Accuracy went from {} to {} ({:+.1} points).",
                format::pct(Some(b)),
                format::pct(Some(a)),
                (a - b) * 100.0
            ));
        }
    }
    if v.sensitive_at_decision {
        parts.push(format!(
            "The mitigated model reads {} when it decides: check that using it at decision time is lawful.",
            v.sensitive.join(" and ")
        ));
    }
    parts.join(" ")
}

/// The reliability diagrams of the calibration: one chart before, one after, each with a line
/// per group and the diagonal of perfect calibration.
fn calibration_section(o: &mut String, c: &CalibrationView) {
    o.push_str("<section id=\"calibration\">\n<h2>Calibration by group</h2>\n");
    let _ = writeln!(
        o,
        "<p>Predicted probability against the observed share of positives in {} equal-width bins, per group, on the evaluated rows (empty bins left out). The dashed diagonal is perfect calibration. Calibrators were fitted on {}.</p>",
        c.bins,
        esc(&c.fitted_on)
    );
    for (title, curves) in [
        ("Before calibration (unmitigated score)", &c.before),
        ("After per-group calibration", &c.after),
    ] {
        let series = curves
            .iter()
            .enumerate()
            .map(|(k, g)| XySeries {
                name: g.group.clone(),
                points: g
                    .points
                    .iter()
                    .zip(&g.counts)
                    .map(|(&(x, y), n)| XyPoint {
                        x,
                        y,
                        tip: format!(
                            "{}: predicted {:.3}, observed {:.3} ({} rows)",
                            g.group, x, y, n
                        ),
                    })
                    .collect(),
                line: true,
                dots: true,
                colour: k,
            })
            .collect();
        o.push_str(&svg::xy_chart(&XyChart {
            title: title.into(),
            x_label: "mean predicted probability".into(),
            y_label: "observed share of positives".into(),
            x_domain: (0.0, 1.0),
            y_domain: (0.0, 1.0),
            series,
            diagonal: true,
            marks: Vec::new(),
        }));
    }
    o.push_str("</section>\n");
}

/// The trade-off chart (test disparity against test accuracy, Pareto front as a line, the
/// unmitigated and the saved point ringed) and the table of points.
fn sweep_section(o: &mut String, s: &SweepView) {
    o.push_str("<section id=\"sweep\">\n<h2>Accuracy–fairness trade-off</h2>\n");
    let _ = writeln!(
        o,
        "<p>The method refitted for every value of <b>{}</b>; each point is the test accuracy and {} of the expected decisions. The line joins the Pareto front (no other point is both as accurate and as fair, and better in one). Saved: {}.</p>",
        esc(&s.parameter),
        esc(&s.disparity.replace('_', " ")),
        esc(&s.chosen_by)
    );
    let tip = |p: &SweepPointView| {
        format!(
            "{}: accuracy {:.4}, {} {:.4}{}",
            p.label,
            p.accuracy,
            s.disparity.replace('_', " "),
            p.disparity,
            match p.passes_policy {
                Some(true) => ", passes the policy",
                Some(false) => ", fails the policy",
                None => "",
            }
        )
    };
    let pt = |p: &SweepPointView| XyPoint {
        x: p.disparity,
        y: p.accuracy,
        tip: tip(p),
    };
    let mut series = vec![XySeries {
        name: "Pareto front".into(),
        points: s.pareto.iter().map(|&i| pt(&s.points[i])).collect(),
        line: true,
        dots: false,
        colour: 4,
    }];
    let groups: Vec<(String, Option<bool>, usize)> = if s.policy.is_some() {
        vec![
            ("passes the policy".into(), Some(true), 2),
            ("fails the policy".into(), Some(false), 1),
        ]
    } else {
        vec![("sweep points".into(), None, 0)]
    };
    for (name, verdict, colour) in groups {
        series.push(XySeries {
            name,
            points: s
                .points
                .iter()
                .filter(|p| verdict.is_none() || p.passes_policy == verdict)
                .map(pt)
                .collect(),
            line: false,
            dots: true,
            colour,
        });
    }
    let mut marks = Vec::new();
    if let Some(u) = s.points.iter().find(|p| p.unmitigated) {
        marks.push(XyMark {
            x: u.disparity,
            y: u.accuracy,
            label: "unmitigated".into(),
        });
    }
    if let Some(c) = s.chosen {
        marks.push(XyMark {
            x: s.points[c].disparity,
            y: s.points[c].accuracy,
            label: "saved".into(),
        });
    }
    o.push_str(&svg::xy_chart(&XyChart {
        title: "Test accuracy against test disparity".into(),
        x_label: format!("{} (lower is fairer)", s.disparity.replace('_', " ")),
        y_label: "accuracy".into(),
        x_domain: svg::nice_domain(s.points.iter().map(|p| p.disparity), &[0.0]),
        y_domain: svg::nice_domain(s.points.iter().map(|p| p.accuracy), &[]),
        series,
        diagonal: false,
        marks,
    }));
    o.push_str("<table><thead><tr><th>Point</th><th class=\"num\">Accuracy</th><th class=\"num\">Disparity</th><th>Pareto</th><th>Policy</th><th>Saved</th></tr></thead><tbody>\n");
    for (i, p) in s.points.iter().enumerate() {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.label),
            fixed4(p.accuracy),
            fixed4(p.disparity),
            if p.pareto { "yes" } else { "" },
            match p.passes_policy {
                Some(true) => "<span class=\"good\">passes</span>",
                Some(false) => "<span class=\"bad\">fails</span>",
                None => "",
            },
            if s.chosen == Some(i) { "saved" } else { "" }
        );
    }
    o.push_str("</tbody></table>\n</section>\n");
}

/// Four decimals, or the "n/a" text for a value that is not finite.
fn fixed4(v: f64) -> String {
    if v.is_finite() {
        format::fixed(v, 4)
    } else {
        format::NA.to_string()
    }
}
