//! The HTML report on the hiring example.

mod common;

use assay_report::{html, HTML_SECTIONS};

/// The only URL a report may contain: the SVG namespace.
const SVG_NS: &str = "xmlns=\"http://www.w3.org/2000/svg\"";

fn assert_offline(s: &str) {
    let rest = s.replace(SVG_NS, "");
    assert!(!rest.contains("http://"), "network URL in the report");
    assert!(!rest.contains("https://"), "network URL in the report");
    assert!(!rest.contains("//fonts"), "external font");
    assert!(!s.contains("<script"), "the report needs no script");
    assert!(!s.contains("<link"), "no external stylesheet");
    assert!(!s.contains("src="), "no external resource");
}

#[test]
fn is_one_self_contained_document() {
    let s = html(common::hiring());
    assert!(s.starts_with("<!DOCTYPE html>"));
    assert!(s.trim_end().ends_with("</html>"));
    assert_eq!(s.matches("<html").count(), 1);
    assert!(s.contains("<style>"));
    assert_offline(&s);
    assert_eq!(s.matches("<svg").count(), s.matches("</svg>").count());
    assert_eq!(
        s.matches("<section").count(),
        s.matches("</section>").count()
    );
    assert_eq!(s.matches("<table").count(), s.matches("</table>").count());
}

#[test]
fn has_every_section() {
    let s = html(common::hiring());
    assert_eq!(
        HTML_SECTIONS,
        [
            "summary",
            "groups",
            "marginals",
            "disparities",
            "worst-groups",
            "scan",
            "policy",
            "next",
            "method",
            "notes",
            "about"
        ]
    );
    let mut last = 0;
    for id in HTML_SECTIONS {
        let at = s
            .find(&format!("<section id=\"{id}\">"))
            .unwrap_or_else(|| panic!("no section {id}"));
        assert!(at > last, "section {id} out of order");
        last = at;
        assert!(s.contains(&format!("href=\"#{id}\"")), "no link to {id}");
    }
    assert_eq!(s.matches("<h2>").count(), HTML_SECTIONS.len());
}

#[test]
fn names_every_group_and_matches_the_json() {
    let a = common::hiring();
    let s = html(a);
    for v in common::GROUP_VALUES {
        assert!(s.contains(v), "missing group value {v}");
    }
    let sel = common::json_number(a, &["overall", "metrics", "selection_rate"]);
    assert!(s.contains(&format!("<b>{sel:.3}</b>")) || s.contains(&format!("{sel:.3} <span")));
    assert!(
        s.contains(&format!("overall {sel:.3}")),
        "reference line label"
    );
    let di = common::json_number(a, &["disparities", "disparate_impact_ratio", "value"]);
    assert!(s.contains(&format!("{di:.3}")));
    // The summary names the disadvantaged group and the rule's result.
    let summary = &s[s.find("id=\"summary\"").unwrap()..s.find("id=\"groups\"").unwrap()];
    assert!(summary.contains("<b>Female × Black</b> receive the positive decision"));
    assert!(summary.contains("✗ Fails"));
    assert!(summary.contains("statistically significant"));
    assert!(summary.contains("career_gap_years"));
    // Charts: four per-group metrics, base rates, differences, ratios,
    // representation and proxies.
    assert!(
        s.matches("<svg").count() >= 9,
        "{}",
        s.matches("<svg").count()
    );
    assert!(s.contains("four-fifths 0.8"));
    assert!(s.contains("a strong proxy means the model can learn the sensitive attribute from this column even if it is removed") || s.contains("A strong proxy means the model can learn the sensitive attribute from this column even if it is removed"));
    // Method: conventions, interval methods, seed, confidence, min size.
    let method = &s[s.find("id=\"method\"").unwrap()..s.find("id=\"notes\"").unwrap()];
    for needle in [
        "Fairlearn",
        "Wilson",
        "bootstrap",
        "seed <b>7</b>",
        "95%",
        "<b>30</b>",
    ] {
        assert!(method.contains(needle), "method lacks {needle}");
    }
}

#[test]
fn escapes_data_and_survives_undefined_values() {
    let a = common::hostile();
    let s = html(&a);
    assert!(!s.contains(common::XSS), "raw markup from the data");
    assert!(s.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_offline(&s);
    for bad in ["NaN", ">inf<", ">-inf<", "None"] {
        assert!(!s.contains(bad), "{bad} leaked into the report");
    }
    assert!(s.contains("n/a"));
    assert!(s.contains("Not determined"), "four-fifths undefined");
    assert!(s.contains("✗ Fails"), "policy fails");
    assert!(s.contains("<code>overall.accuracy</code>"));
    assert!(s.contains("data scan (missing values and proxy columns) was not run"));
    assert_eq!(s.matches("<svg").count(), s.matches("</svg>").count());
    for id in HTML_SECTIONS {
        assert!(s.contains(&format!("<section id=\"{id}\">")));
    }
}

#[test]
fn json_round_trips() {
    let a = common::hiring();
    let v: serde_json::Value = serde_json::from_str(&assay_report::json(a)).unwrap();
    assert_eq!(v["schema"], "assay.fairness/1");
    assert_eq!(v["groups"].as_array().unwrap().len(), a.groups.len());
}
