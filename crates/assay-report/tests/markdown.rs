//! The Markdown report on the hiring example.

mod common;

use assay_report::markdown;

/// Cells of a table row, splitting on pipes that are not escaped.
fn cells(line: &str) -> usize {
    let mut n = 0;
    let mut prev = ' ';
    for c in line.chars() {
        if c == '|' && prev != '\\' {
            n += 1;
        }
        prev = c;
    }
    n
}

#[test]
fn names_every_group_and_matches_the_json() {
    let a = common::hiring();
    let s = markdown(a);
    for v in common::GROUP_VALUES {
        assert!(s.contains(v), "missing group value {v}");
    }
    let sel = common::json_number(a, &["overall", "metrics", "selection_rate"]);
    assert!(
        s.contains(&format!("| {sel:.3} [")),
        "overall selection rate"
    );
    let di = common::json_number(a, &["disparities", "disparate_impact_ratio", "value"]);
    let compares =
        assay_fairness::verdicts::comparison(a.disparities.get("disparate_impact_ratio").unwrap());
    assert!(
        s.contains(&format!(
            "| Disparate impact ratio | {} | {di:.3} |",
            compares.replace('*', "\\*")
        )),
        "{s}"
    );
    assert!(s.contains("four-fifths rule **FAIL**"));
    assert!(s.contains("### Key disparities"));
    assert!(s.contains("| Non-binary × Asian\\* |"));
    assert!(s.contains("career\\_gap\\_years"));
}

#[test]
fn tables_are_well_formed() {
    let s = markdown(common::hiring());
    let mut in_table = None;
    for line in s.lines() {
        if line.starts_with('|') {
            let n = cells(line);
            match in_table {
                None => in_table = Some(n),
                Some(m) => assert_eq!(n, m, "ragged table row: {line}"),
            }
        } else {
            in_table = None;
        }
    }
}

#[test]
fn hostile_values_are_escaped() {
    let a = common::hostile();
    let s = markdown(&a);
    assert!(!s.contains(common::XSS));
    assert!(s.contains("\\<script\\>alert(1)\\</script\\>"));
    assert!(s.contains("pipe\\|and"));
    assert!(s.contains("policy **FAIL** (1 of 2 rules violated)"));
    let groups_header = s
        .lines()
        .find(|l| l.starts_with("| Group |"))
        .expect("group table");
    let n = cells(groups_header);
    for line in s.lines().filter(|l| l.contains("pipe\\|and")) {
        if line.starts_with('|') {
            assert_eq!(cells(line), n, "{line}");
        }
    }
}
