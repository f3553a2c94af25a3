//! Every renderer on an assessment without score, bootstrap, scan or
//! intersections, where the positive decision is unfavourable.

mod common;

use assay_report::{html, markdown, terminal, TerminalOptions, HTML_SECTIONS};

#[test]
fn renders_without_optional_parts() {
    let a = common::minimal();
    assert!(a.overall.metrics.get("auc").is_none());
    let t = terminal(&a, &TerminalOptions::default());
    let m = markdown(&a);
    let h = html(&a);
    for s in [&t, &m, &h] {
        for v in ["Asian", "Black", "Hispanic", "White"] {
            assert!(s.contains(v));
        }
        assert!(!s.contains("NaN"));
        assert!(s.contains("no interval"), "disparities without bootstrap");
    }
    assert!(
        !t.contains("AUC") && !m.contains("AUC"),
        "no score, no AUC column"
    );
    assert!(!h.contains("<th class=\"num\">AUC</th>"));
    for id in HTML_SECTIONS {
        assert!(h.contains(&format!("<section id=\"{id}\">")));
    }
    assert!(h.contains("Who is flagged."), "unfavourable wording");
    assert!(h.contains("not computed (bootstrap turned off)"));
    assert!(h.contains("Unknown"), "no evidence without intervals");
    assert!(!h.contains("Intersections."), "one feature only");
    assert!(h.contains("was not run"));
    let sel = a.overall.metrics.get("selection_rate").unwrap().unwrap();
    for s in [&t, &m, &h] {
        assert!(s.contains(&format!("{sel:.3}")));
    }
}
