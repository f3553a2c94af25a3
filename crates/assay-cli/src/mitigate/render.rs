//! Text and HTML output of `assay mitigate`.

use std::fmt::Write as _;
use std::path::Path;

use assay_report::mitigation::{
    CalibrationView, CurveView, GroupRow, MetricRow, MitigationView, SweepPointView, SweepView,
};

use assay_core::reports::mitigation::MethodDetails;

use assay_core::mitigate::evaluate::{Figures, Report};

/// The compared figures: (label, before, after, higher is better).
fn metric_rows(b: &Figures, a: &Figures) -> Vec<MetricRow> {
    let row = |label: &str, before, after, higher_is_better: bool| MetricRow {
        label: label.to_string(),
        before,
        after,
        higher_is_better: (label != "Selection rate").then_some(higher_is_better),
    };
    vec![
        row("Accuracy", b.accuracy, a.accuracy, true),
        row(
            "Balanced accuracy",
            b.balanced_accuracy,
            a.balanced_accuracy,
            true,
        ),
        row("Selection rate", b.selection_rate, a.selection_rate, true),
        row(
            "Demographic parity difference",
            b.demographic_parity_difference,
            a.demographic_parity_difference,
            false,
        ),
        row(
            "Disparate impact ratio (lowest / highest selection rate)",
            b.disparate_impact_ratio,
            a.disparate_impact_ratio,
            true,
        ),
        row(
            "Equalized odds difference",
            b.equalized_odds_difference,
            a.equalized_odds_difference,
            false,
        ),
        row(
            "Equal opportunity difference (TPR)",
            b.equal_opportunity_difference,
            a.equal_opportunity_difference,
            false,
        ),
        row(
            "Accuracy difference between groups",
            b.accuracy_difference,
            a.accuracy_difference,
            false,
        ),
    ]
}

/// The notes every output carries.
fn notes(r: &Report) -> Vec<String> {
    let mut n = Vec::new();
    if !r.doc.evaluation.on_test_data {
        n.push("Evaluated on the training data (no --test): figures are optimistic for every method; give a held-out table with --test.".to_string());
    }
    if r.doc.model.sensitive_at_decision {
        n.push("The mitigated model reads the sensitive columns at decision time (they are declared model inputs). Using a protected attribute when deciding may be unlawful in your jurisdiction (for example disparate treatment under US employment law); check before deploying.".to_string());
    }
    if r.doc.model.randomized {
        n.push("Decisions are randomized: a row's decision is drawn with the model's probability, reproducibly for the saved seed and the row's position. Figures are of one draw; the JSON report also gives the expected figures.".to_string());
    }
    n
}

fn view(r: &Report, sensitive: &[String], train_path: &str) -> MitigationView {
    let groups = r
        .doc
        .summary
        .before
        .groups
        .iter()
        .map(|g| {
            let after = r
                .doc
                .summary
                .after
                .groups
                .iter()
                .find(|h| h.group == g.group);
            GroupRow {
                group: g.group.clone(),
                rows: g.rows,
                selection_rate: [g.selection_rate, after.and_then(|h| h.selection_rate)],
                accuracy: [g.accuracy, after.and_then(|h| h.accuracy)],
            }
        })
        .collect();
    MitigationView {
        method: r.doc.method.clone(),
        train_path: train_path.to_string(),
        eval_path: r.doc.evaluation.path.clone(),
        eval_rows: r.doc.evaluation.rows,
        on_test: r.doc.evaluation.on_test_data,
        sensitive_at_decision: r.doc.model.sensitive_at_decision,
        sensitive: sensitive.to_vec(),
        randomized: r.doc.model.randomized,
        metrics: metric_rows(&r.doc.summary.before, &r.doc.summary.after),
        groups,
        notes: notes(r),
        drivers: r
            .doc
            .gap_drivers
            .as_ref()
            .map(|d| assay_report::mitigation::DriversView {
                disparity: d.disparity.clone(),
                baseline: d.baseline,
                features: d
                    .features
                    .iter()
                    .map(|f| (f.feature.clone(), f.importance))
                    .collect(),
            }),
        calibration: r.doc.calibration_curves.as_ref().map(|c| {
            let curves = |v: &[assay_mitigation::postprocessing::CalibrationCurve]| {
                c.groups
                    .iter()
                    .zip(v)
                    .map(|(g, k)| CurveView {
                        group: g.clone(),
                        points: k
                            .prob_pred
                            .iter()
                            .copied()
                            .zip(k.prob_true.iter().copied())
                            .collect(),
                        counts: k.counts.clone(),
                    })
                    .collect()
            };
            CalibrationView {
                bins: c.bins,
                before: curves(&c.before),
                after: curves(&c.after),
                fitted_on: match &r.doc.details {
                    MethodDetails::Calibrate {
                        calibrators_fitted_on,
                        ..
                    } => calibrators_fitted_on.clone(),
                    _ => String::new(),
                },
            }
        }),
        sweep: r.sweep.as_ref().map(|s| SweepView {
            parameter: s.parameter.to_string(),
            disparity: s.disparity.to_string(),
            points: s
                .points
                .iter()
                .enumerate()
                .map(|(i, p)| SweepPointView {
                    label: p.label.clone(),
                    accuracy: p.accuracy,
                    disparity: p.disparity,
                    unmitigated: p.unmitigated,
                    pareto: s.pareto.contains(&i),
                    passes_policy: p.policy.as_ref().map(|v| v.passed),
                })
                .collect(),
            pareto: s.pareto.clone(),
            chosen: s.chosen,
            chosen_by: s.chosen_by.clone(),
            policy: s.policy_path.clone(),
        }),
    }
}

/// The HTML report.
pub fn html(r: &Report) -> String {
    let sensitive = r.doc.settings.sensitive.clone();
    let train = r.doc.train.path.clone();
    assay_report::mitigation::render(&view(r, &sensitive, &train))
}

fn num(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite())
        .map_or("n/a".to_string(), |x| format!("{x:.3}"))
}

fn num4(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.4}")
    } else {
        "n/a".to_string()
    }
}

/// The text report.
pub fn text(r: &Report, out: &Path) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}", r.doc.method);
    let _ = writeln!(
        o,
        "evaluated on {} ({} rows{})\n",
        r.doc.evaluation.path,
        r.doc.evaluation.rows,
        if r.doc.evaluation.on_test_data {
            ""
        } else {
            ", the training data"
        }
    );
    let rows = metric_rows(&r.doc.summary.before, &r.doc.summary.after);
    let w = rows.iter().map(|m| m.label.len()).max().unwrap_or(10);
    let _ = writeln!(
        o,
        "{:<w$}  {:>8}  {:>8}  {:>8}",
        "", "before", "after", "change"
    );
    for m in &rows {
        let change = match (m.before, m.after) {
            (Some(b), Some(a)) if b.is_finite() && a.is_finite() => format!("{:+.3}", a - b),
            _ => "n/a".into(),
        };
        let _ = writeln!(
            o,
            "{:<w$}  {:>8}  {:>8}  {:>8}",
            m.label,
            num(m.before),
            num(m.after),
            change
        );
    }
    let _ = writeln!(o, "\nselection rate by group (before → after):");
    for g in &r.doc.summary.before.groups {
        let after = r
            .doc
            .summary
            .after
            .groups
            .iter()
            .find(|h| h.group == g.group);
        let _ = writeln!(
            o,
            "  {:<24} {:>6} rows  {} → {}   accuracy {} → {}",
            g.group,
            g.rows,
            num(g.selection_rate),
            num(after.and_then(|h| h.selection_rate)),
            num(g.accuracy),
            num(after.and_then(|h| h.accuracy)),
        );
    }
    if let Some(s) = &r.sweep {
        let _ = writeln!(
            o,
            "\ntrade-off sweep over {} (test accuracy and {} of the expected decisions):",
            s.parameter, s.disparity
        );
        for (i, p) in s.points.iter().enumerate() {
            let _ = writeln!(
                o,
                "  {:<24} accuracy {}  disparity {}{}{}{}",
                p.label,
                num4(p.accuracy),
                num4(p.disparity),
                if s.pareto.contains(&i) {
                    "  pareto"
                } else {
                    ""
                },
                match p.policy.as_ref().map(|v| v.passed) {
                    Some(true) => "  passes policy",
                    Some(false) => "  fails policy",
                    None => "",
                },
                if s.chosen == Some(i) {
                    "  <- saved"
                } else {
                    ""
                }
            );
        }
        let _ = writeln!(o, "saved: {}", s.chosen_by);
    }
    if let Some(d) = &r.doc.gap_drivers {
        let _ = writeln!(
            o,
            "\nwhat drives the gap before mitigation (drop of the {} {:.3} when the feature is shuffled):",
            d.disparity.replace('_', " "),
            d.baseline
        );
        for f in d.features.iter().take(5) {
            let _ = writeln!(o, "  {:<24} {:+.3} ± {:.3}", f.feature, f.importance, f.std);
        }
    }
    for n in notes(r) {
        let _ = writeln!(o, "\nnote: {n}");
    }
    if r.sweep.as_ref().is_some_and(|s| s.chosen.is_none()) {
        let _ = writeln!(o, "\nno model written");
    } else {
        let _ = writeln!(o, "\nmitigated model written to {}", out.display());
    }
    o
}
