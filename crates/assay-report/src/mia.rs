//! The HTML page of a membership-inference audit (`assay mia --html`): the audit's settings,
//! one row per attack (ROC AUC, balanced accuracy, TPR at 0.1 % and 1 % FPR) and the ROC curves
//! on log–log axes as in Carlini et al. 2022 (the chart draws log10 values; the axis labels say
//! so, and the diagonal is the chance line).

use std::fmt::Write as _;

use crate::escape::html as esc;
use crate::format;
use crate::svg::{self, XyChart, XyPoint, XySeries};

/// One attack's figures.
pub struct MiaAttackView {
    /// Attack name (e.g. "LiRA (online)").
    pub name: String,
    /// ROC AUC.
    pub auc: f64,
    /// Balanced accuracy at the best threshold.
    pub balanced_accuracy: f64,
    /// TPR at FPR ≤ 0.1 % (`None`: not estimable).
    pub tpr_at_0_1pct: Option<f64>,
    /// TPR at FPR ≤ 1 % (`None`: not estimable).
    pub tpr_at_1pct: Option<f64>,
    /// ROC points `(fpr, tpr)` on a log-FPR grid.
    pub roc: Vec<(f64, f64)>,
}

/// Everything the page shows.
pub struct MiaView {
    /// The model audited, in words.
    pub model: String,
    /// Settings, as (name, value) lines.
    pub settings: Vec<(String, String)>,
    /// Members scored.
    pub members: usize,
    /// Non-members scored.
    pub non_members: usize,
    /// The attacks.
    pub attacks: Vec<MiaAttackView>,
    /// Notes shown under the table (not escaped by the caller; escaped here).
    pub notes: Vec<String>,
}

fn rate(v: Option<f64>) -> String {
    match v {
        Some(v) => format!("{:.2} %", 100.0 * v),
        None => "not estimable".into(),
    }
}

/// Renders the page.
pub fn render(v: &MiaView) -> String {
    let style = crate::html::STYLE;
    let mut o = String::with_capacity(32 * 1024);
    let title = format!("Membership inference: {}", v.model);
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
        "<header class=\"top\"><div class=\"wrap\"><p class=\"kicker\">Membership-inference audit</p><h1>{}</h1><p class=\"sub\">{} members (training rows) · {} non-members (held out)</p></div></header>",
        esc(&v.model),
        format::count(v.members as u64),
        format::count(v.non_members as u64),
    );
    o.push_str("<main class=\"wrap\">\n<section id=\"summary\">\n<h2>Attacks</h2>\n");
    o.push_str("<table><thead><tr><th>Attack</th><th class=\"num\">ROC AUC</th><th class=\"num\">Balanced accuracy</th><th class=\"num\">TPR at 0.1 % FPR</th><th class=\"num\">TPR at 1 % FPR</th></tr></thead><tbody>\n");
    for a in &v.attacks {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=\"num\">{:.4}</td><td class=\"num\">{:.4}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&a.name),
            a.auc,
            a.balanced_accuracy,
            rate(a.tpr_at_0_1pct),
            rate(a.tpr_at_1pct)
        );
    }
    o.push_str("</tbody></table>\n");
    for n in &v.notes {
        let _ = writeln!(o, "<p>{}</p>", esc(n));
    }
    o.push_str("</section>\n<section id=\"roc\">\n<h2>ROC curves (log–log)</h2>\n");
    let lo = (1.0 / v.non_members.max(1) as f64)
        .log10()
        .floor()
        .min(-1.0);
    let series = v
        .attacks
        .iter()
        .enumerate()
        .map(|(k, a)| XySeries {
            name: a.name.clone(),
            points: a
                .roc
                .iter()
                .filter(|(f, t)| *f > 0.0 && *t > 0.0)
                .map(|&(f, t)| XyPoint {
                    x: f.log10(),
                    y: t.log10().max(lo),
                    tip: format!("FPR {:.4} %, TPR {:.4} %", 100.0 * f, 100.0 * t),
                })
                .collect(),
            line: true,
            dots: false,
            colour: k,
        })
        .collect();
    o.push_str(&svg::xy_chart(&XyChart {
        title: "Membership-inference ROC".into(),
        x_label: "false-positive rate, log10 (−3 = 0.1 %, −2 = 1 %)".into(),
        y_label: "true-positive rate, log10".into(),
        x_domain: (lo, 0.0),
        y_domain: (lo, 0.0),
        series,
        diagonal: true,
        marks: Vec::new(),
    }));
    o.push_str("\n<p>The diagonal is an attack that guesses at random. A curve far above it at the left (low false-positive rates) means some training rows are identified with confidence.</p>\n</section>\n");
    o.push_str("<section id=\"settings\">\n<h2>Settings</h2>\n<table><tbody>\n");
    for (k, val) in &v.settings {
        let _ = writeln!(o, "<tr><td>{}</td><td>{}</td></tr>", esc(k), esc(val));
    }
    o.push_str("</tbody></table>\n</section>\n</main>\n</body>\n</html>\n");
    o
}
