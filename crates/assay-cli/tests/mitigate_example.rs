//! The shipped hiring example's mitigation step (examples/hiring/run.sh) reproduces the shape of
//! the classic case: a screening model trained on historical hiring decisions that held career
//! gaps against applicants (a proxy for gender) selects women at about 0.8 times the rate of
//! men and is several points less accurate for women; exponentiated gradient under demographic
//! parity lifts the disparate-impact ratio above 0.9 for at most a few points of accuracy, and
//! the HTML report shows it.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn assay(args: &[&str]) -> std::process::Output {
    let o = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn group<'a>(figures: &'a Value, name: &str) -> &'a Value {
    figures["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == name)
        .unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

#[test]
fn hiring_example_mitigation_has_the_classic_shape() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let s = |p: &Path| p.to_str().unwrap().to_string();
    assay(&[
        "example",
        "hiring",
        "--rows",
        "5000",
        "--seed",
        "42",
        "--out",
        &s(&p("train.csv")),
    ]);
    assay(&[
        "example",
        "hiring",
        "--rows",
        "5000",
        "--seed",
        "7",
        "--out",
        &s(&p("test.csv")),
    ]);
    let o = assay(&[
        "mitigate",
        &s(&p("train.csv")),
        "--test",
        &s(&p("test.csv")),
        "--method",
        "exponentiated-gradient",
        "--constraint",
        "demographic-parity",
        "--label",
        "hired",
        "--positive",
        "1",
        "--sensitive",
        "gender",
        "--features",
        "years_experience,career_gap_years,age",
        "--categorical",
        "education",
        "--out",
        &s(&p("model.json")),
        "--html",
        &s(&p("report.html")),
        "--format",
        "json",
    ]);
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let (before, after) = (&r["summary"]["before"], &r["summary"]["after"]);
    let di_before = num(&before["disparate_impact_ratio"]);
    let di_after = num(&after["disparate_impact_ratio"]);
    let gap = num(&group(before, "Male")["accuracy"]) - num(&group(before, "Female")["accuracy"]);
    let cost = num(&before["accuracy"]) - num(&after["accuracy"]);
    eprintln!(
        "disparate impact {di_before:.3} -> {di_after:.3}; accuracy men - women before {gap:.3}; accuracy cost {cost:.3}"
    );
    assert!((0.75..=0.85).contains(&di_before), "before: {di_before}");
    assert!(gap >= 0.03, "accuracy gap men - women before: {gap}");
    assert!(di_after > 0.9, "after: {di_after}");
    assert!(cost <= 0.03, "accuracy cost {cost}");
    // Not a model that reads gender when deciding.
    assert_eq!(r["model"]["sensitive_at_decision"], false);

    // The report names the feature behind the gender gap: the career gap, the proxy the
    // historical decisions penalised.
    let top = &r["gap_drivers"]["features"][0];
    eprintln!("top gap driver: {top}");
    assert_eq!(top["feature"], "career_gap_years");
    assert!(num(&top["importance"]) > 0.5 * num(&r["gap_drivers"]["baseline"]));

    let html = std::fs::read_to_string(p("report.html")).unwrap();
    assert!(html.contains("What drives the gap"));
    assert!(html.contains("<b>career_gap_years</b>"));
    assert!(html.contains("Disparate impact ratio"));
    assert!(html.contains(&format!("{di_before:.3}")));
    assert!(html.contains(&format!("{di_after:.3}")));
    assert!(html.contains("<svg"));
}
