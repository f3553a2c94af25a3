//! The terminal report on the hiring example.

mod common;

use assay_report::{terminal, TerminalOptions};

fn plain() -> String {
    terminal(common::hiring(), &TerminalOptions::default())
}

#[test]
fn names_every_group_and_the_verdict() {
    let s = plain();
    for v in common::GROUP_VALUES {
        assert!(s.contains(v), "missing group value {v}");
    }
    assert!(s.contains("Female × Black"));
    assert!(s.contains("four-fifths rule FAIL"), "{s}");
    assert!(s.contains("no policy given"));
    assert!(s.contains("Non-binary × Asian*"), "small groups are marked");
    assert!(s.contains("* fewer than 30 rows"));
    assert!(s.contains("career_gap_years"), "top proxy listed");
    assert!(s.contains("Notes"));
    assert!(!s.contains('\x1b'), "no colour unless asked");
}

#[test]
fn numbers_match_the_json() {
    let a = common::hiring();
    let s = plain();
    let sel = common::json_number(a, &["overall", "metrics", "selection_rate"]);
    let lo = common::json_number(a, &["overall", "intervals", "selection_rate", "lower"]);
    let hi = common::json_number(a, &["overall", "intervals", "selection_rate", "upper"]);
    assert!(
        s.contains(&format!("{sel:.3} [{lo:.2}, {hi:.2}]")),
        "overall selection rate with interval"
    );
    let di = common::json_number(a, &["disparities", "disparate_impact_ratio", "value"]);
    assert!(s.contains(&format!("ratio {di:.3}")));
    let eo = common::json_number(a, &["disparities", "equalized_odds_difference", "value"]);
    assert!(s.contains(&format!("{eo:.3}")));
    assert!(s.contains("5,000"));
}

#[test]
fn colour_and_width() {
    let a = common::hiring();
    let c = terminal(
        a,
        &TerminalOptions {
            color: true,
            width: None,
        },
    );
    assert!(c.contains("\x1b["), "colour codes when asked");
    for w in [80u16, 100, 140] {
        let s = terminal(
            a,
            &TerminalOptions {
                color: false,
                width: Some(w),
            },
        );
        for line in s.lines() {
            assert!(
                line.chars().count() <= usize::from(w),
                "line longer than {w}: {line}"
            );
        }
        for v in common::GROUP_VALUES {
            assert!(s.contains(v));
        }
    }
}

#[test]
fn hostile_input_cannot_drive_the_terminal() {
    let a = common::hostile();
    let s = terminal(&a, &TerminalOptions::default());
    assert!(
        !s.contains('\x1b'),
        "an ANSI escape from the data is neutralised"
    );
    assert!(s.contains("pipe|and\u{fffd}[31mred"));
    assert!(s.contains(common::XSS), "plain text is shown as is");
    assert!(s.contains("policy FAIL (1 of 2 rules violated)"), "{s}");
    assert!(s.contains("four-fifths rule undefined"));
    assert!(s.contains("n/a"));
}
