//! Text, JSON (`assay.mia/1`) and HTML output of `assay mia`.

use std::fmt::Write as _;

use assay_core::mia::verdict as core_mia_verdict;
use assay_core::reports::mia::{AttributeInference, MiaAttack, MiaReport, MIA_SCHEMA};
use assay_report::mia::{MiaAttackView, MiaView};

use super::Audit;

fn rate(v: Option<f64>) -> String {
    match v {
        Some(v) => format!("{:.2} %", 100.0 * v),
        None => "n/a".into(),
    }
}

/// The readable summary.
pub fn text(a: &Audit) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "membership-inference audit of {}", a.model);
    let _ = writeln!(
        o,
        "  {} members (training rows), {} non-members (holdout); target accuracy {:.4} on training rows, {:.4} on holdout",
        a.members, a.non_members, a.target_train_accuracy, a.target_holdout_accuracy
    );
    for (k, v) in &a.settings {
        let _ = writeln!(o, "  {k}: {v}");
    }
    let _ = writeln!(
        o,
        "\n  {:<38} {:>8} {:>10} {:>12} {:>12}",
        "attack", "AUC", "bal. acc.", "TPR@0.1%FPR", "TPR@1%FPR"
    );
    for r in &a.results {
        let m = &r.metrics;
        let _ = writeln!(
            o,
            "  {:<38} {:>8.4} {:>10.4} {:>12} {:>12}",
            r.name,
            m.auc,
            m.balanced_accuracy,
            rate(m.tpr_at_0_1pct_fpr),
            rate(m.tpr_at_1pct_fpr)
        );
    }
    o.push('\n');
    if let Some(t) = &a.attribute {
        for line in attribute_lines(t) {
            let _ = writeln!(o, "  {line}");
        }
        o.push('\n');
    }
    for line in a.verdict.iter().flat_map(verdict_lines) {
        let _ = writeln!(o, "  {line}");
    }
    for n in &a.notes {
        let _ = writeln!(o, "  note: {n}");
    }
    let _ = writeln!(o, "  {:.2} s", a.seconds);
    o
}

fn attribute_lines(t: &super::AttributeResult) -> Vec<String> {
    vec![
        format!(
            "attribute inference on '{}' ({} categories): accuracy {:.4} on members (majority baseline {:.4}, advantage {:+.4}), {:.4} on non-members (baseline {:.4}, advantage {:+.4})",
            t.column,
            t.categories,
            t.members.accuracy,
            t.members.baseline,
            t.members.advantage,
            t.non_members.accuracy,
            t.non_members.baseline,
            t.non_members.advantage
        ),
    ]
}

/// The verdict in words: the strongest attack against chance, and the policy when given.
pub fn verdict_lines(v: &core_mia_verdict::MiaVerdict) -> Vec<String> {
    let mut out = vec![format!(
        "leakage: the strongest attack ({}) reaches AUC {:.4}, {:.1} standard errors above chance: {}",
        v.strongest_attack,
        v.auc,
        v.z,
        if v.above_chance {
            "membership leaks detectably at this sample size"
        } else {
            "not distinguishable from an attack that learns nothing at this sample size (which does not prove that nothing leaks)"
        }
    )];
    if let Some(p) = &v.policy {
        let mut bounds = Vec::new();
        if let Some(m) = p.max_auc {
            bounds.push(format!("AUC <= {m}"));
        }
        if let Some(m) = p.max_tpr_at_1pct_fpr {
            bounds.push(format!("TPR at 1 % FPR <= {m}"));
        }
        out.push(if p.passed {
            format!("policy PASS: every attack within {}", bounds.join(" and "))
        } else {
            format!(
                "policy FAIL ({}): {}",
                bounds.join(" and "),
                p.failures.join("; ")
            )
        });
    }
    out
}

/// Each attack's figures, as the report gives them.
pub fn attacks(results: &[super::AttackResult]) -> Vec<MiaAttack> {
    results
        .iter()
        .map(|r| {
            let m = &r.metrics;
            MiaAttack {
                attack: r.name.clone(),
                auc: m.auc,
                balanced_accuracy: m.balanced_accuracy,
                tpr_at_0_1pct_fpr: m.tpr_at_0_1pct_fpr,
                tpr_at_1pct_fpr: m.tpr_at_1pct_fpr,
                roc_log_points: m.roc_log_points.clone(),
            }
        })
        .collect()
}

/// The `assay.mia/1` report.
pub fn report(a: &Audit) -> MiaReport {
    MiaReport {
        schema: MIA_SCHEMA.into(),
        provenance: a.provenance.clone(),
        model: a.model.clone(),
        members: a.members,
        non_members: a.non_members,
        target_train_accuracy: a.target_train_accuracy,
        target_holdout_accuracy: a.target_holdout_accuracy,
        shadows: a.shadows,
        settings: a.settings.iter().cloned().collect(),
        attacks: attacks(&a.results),
        attribute_inference: a.attribute.as_ref().map(|t| AttributeInference {
            column: t.column.clone(),
            categories: t.categories,
            members: t.members.clone(),
            non_members: t.non_members.clone(),
        }),
        notes: a.notes.clone(),
        verdict: a.verdict.clone(),
        seconds: a.seconds,
    }
}

/// The `assay.mia/1` document, as JSON text.
pub fn json(a: &Audit) -> String {
    serde_json::to_string_pretty(&report(a)).expect("JSON of plain values")
}

/// The HTML page.
pub fn html(a: &Audit) -> String {
    let mut settings = a.settings.clone();
    settings.push((
        "target accuracy".into(),
        format!(
            "{:.4} on training rows, {:.4} on holdout",
            a.target_train_accuracy, a.target_holdout_accuracy
        ),
    ));
    assay_report::mia::render(&MiaView {
        model: a.model.clone(),
        settings,
        members: a.members,
        non_members: a.non_members,
        attacks: a
            .results
            .iter()
            .map(|r| MiaAttackView {
                name: r.name.clone(),
                auc: r.metrics.auc,
                balanced_accuracy: r.metrics.balanced_accuracy,
                tpr_at_0_1pct: r.metrics.tpr_at_0_1pct_fpr,
                tpr_at_1pct: r.metrics.tpr_at_1pct_fpr,
                roc: r.metrics.roc_log_points.clone(),
            })
            .collect(),
        notes: a
            .verdict
            .iter()
            .flat_map(verdict_lines)
            .chain(a.attribute.iter().flat_map(attribute_lines))
            .chain(a.notes.iter().cloned())
            .collect(),
    })
}
