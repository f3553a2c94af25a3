//! The report of `assay anonymize`: text, or the `assay.anonymize/1` JSON document.

use std::fmt::Write;

use assay_core::reports::anonymize::{
    Achieved, AnonymizeReport, KeptIdentifier, LatticeSummary, Required, Timing, ANONYMIZE_SCHEMA,
};

use super::{AnonymizeArgs, Outcome};

/// The readable report.
pub fn text(a: &AnonymizeArgs, o: &Outcome) -> String {
    let mut s = String::new();
    let l = &o.generalization.loss;
    let _ = writeln!(
        s,
        "{} -> {} ({}; quasi-identifiers {})",
        a.data.display(),
        a.out.display(),
        o.algorithm.name(),
        a.quasi_identifiers.join(", ")
    );
    let mut asked = format!("k = {}", o.criteria.k);
    if let Some(l) = o.criteria.l {
        let _ = write!(asked, ", l = {l}");
    }
    if let Some(t) = o.criteria.t {
        let _ = write!(asked, ", t = {t}");
    }
    let _ = writeln!(s, "  required: {asked}");
    let mut got = format!("k = {}", o.measured_k);
    if let Some(l) = o.measured_l {
        let _ = write!(got, ", l (distinct) = {l}");
    }
    if let Some(t) = o.measured_t {
        let _ = write!(got, ", t = {t:.6}");
    }
    let _ = writeln!(s, "  achieved (re-measured on the output): {got}");
    if let Some(r) = &o.lattice {
        let _ = writeln!(
            s,
            "  lattice: levels {:?} of {:?}; {} of {} nodes evaluated{}",
            r.levels,
            r.heights,
            r.search.evaluated,
            r.search.nodes,
            if r.search.pruned {
                " (predictive tagging)"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(
        s,
        "  records: {} in, {} released, {} suppressed; {} equivalence classes",
        l.records,
        l.records - l.suppressed,
        l.suppressed,
        l.classes
    );
    let _ = writeln!(
        s,
        "  information loss: discernibility {}, C_avg {:.4}, NCP {:.4}",
        l.discernibility, l.average_class_size, l.ncp
    );
    if let Some(u) = &o.utility {
        let _ = writeln!(
            s,
            "  utility ('{}', logistic regression, {} training / {} test records): accuracy {:.4} original, {:.4} anonymized",
            u.label, u.train_records, u.test_records, u.original_accuracy, u.anonymized_accuracy
        );
    }
    if !o.dropped.is_empty() {
        let _ = writeln!(s, "  dropped: {}", o.dropped.join(", "));
    }
    for k in &o.kept_identifiers {
        let _ = writeln!(
            s,
            "  kept unchanged on request (--keep-identifier): {} ({}: {}) identifies a person directly",
            k.column, k.entity_type, k.why
        );
    }
    for w in &o.warnings {
        let _ = writeln!(s, "  warning: {w}");
    }
    let _ = writeln!(
        s,
        "  time: {:.3} s anonymizing, {:.3} s in all",
        o.algorithm_seconds, o.total_seconds
    );
    s
}

/// The JSON document.
pub fn json(a: &AnonymizeArgs, o: &Outcome) -> String {
    let doc = AnonymizeReport {
        schema: ANONYMIZE_SCHEMA.into(),
        data: a.data.display().to_string(),
        out: a.out.display().to_string(),
        algorithm: o.algorithm.name().into(),
        quasi_identifiers: a.quasi_identifiers.clone(),
        sensitive: a.sensitive.clone(),
        required: Required {
            k: o.criteria.k,
            l: o.criteria.l,
            t: o.criteria.t,
            suppression_limit: a.suppression_limit,
        },
        achieved: Achieved {
            k: o.measured_k,
            l: o.measured_l,
            t: o.measured_t,
        },
        records: o.records,
        loss: o.generalization.loss.clone(),
        lattice: o.lattice.as_ref().map(|r| LatticeSummary {
            levels: r.levels.clone(),
            heights: r.heights.clone(),
            search: r.search,
        }),
        utility: o.utility.clone(),
        dropped: o.dropped.clone(),
        kept_identifiers: o
            .kept_identifiers
            .iter()
            .map(|k| KeptIdentifier {
                column: k.column.clone(),
                entity_type: k.entity_type.clone(),
                why: k.why.clone(),
            })
            .collect(),
        warnings: o.warnings.clone(),
        seconds: Timing {
            algorithm: o.algorithm_seconds,
            total: o.total_seconds,
        },
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("json");
    s.push('\n');
    s
}
