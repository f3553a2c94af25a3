//! Shared fixture: the assessment of the shipped synthetic hiring example.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use assay_data::synthetic::{hiring_batches, hiring_schema, HiringConfig};
use assay_data::{BatchStream, ColumnRoles};
use assay_fairness::{assess, AssessOptions, Assessment};

/// The hiring example (5,000 rows, seed 42) assessed with 200 bootstrap
/// replicates; computed once per test binary.
pub fn hiring() -> &'static Assessment {
    static A: OnceLock<Assessment> = OnceLock::new();
    A.get_or_init(|| {
        let cfg = HiringConfig {
            rows: 5000,
            seed: 42,
        };
        let iter = hiring_batches(&cfg, 4096);
        let stream = BatchStream::new(
            PathBuf::from("hiring.csv"),
            hiring_schema(),
            Box::new(iter.map(Ok)),
        );
        let roles = ColumnRoles {
            label: "qualified".into(),
            prediction: Some("shortlisted".into()),
            score: Some("score".into()),
            sensitive: vec!["gender".into(), "race".into()],
            ..Default::default()
        };
        let mut opts = AssessOptions::new(roles);
        opts.bootstrap = 200;
        opts.seed = 7;
        assess(stream, &opts).expect("assessment of the hiring example")
    })
}

/// The hiring example with one sensitive feature, no score column, no
/// bootstrap and the positive decision marked unfavourable: the paths where
/// AUC, bootstrap intervals and significance are absent.
pub fn minimal() -> Assessment {
    let cfg = HiringConfig {
        rows: 2000,
        seed: 3,
    };
    let stream = BatchStream::new(
        PathBuf::from("hiring-small.csv"),
        hiring_schema(),
        Box::new(hiring_batches(&cfg, 1024).map(Ok)),
    );
    let roles = ColumnRoles {
        label: "qualified".into(),
        prediction: Some("shortlisted".into()),
        sensitive: vec!["race".into()],
        ..Default::default()
    };
    let mut opts = AssessOptions::new(roles);
    opts.bootstrap = 0;
    opts.positive_is_favorable = false;
    opts.scan = false;
    assess(stream, &opts).expect("assessment of the small example")
}

/// A text that would run script if a renderer forgot to escape it.
pub const XSS: &str = "<script>alert(1)</script>";

/// The hiring assessment made hostile and degenerate: a group value that is
/// markup (and an ANSI escape), a column name with Markdown table syntax,
/// undefined metrics, missing intervals, no scan, no bootstrap intervals on
/// the disparities, and a policy with a passing and a failing rule.
pub fn hostile() -> Assessment {
    let mut a = hiring().clone();
    a.groups[0].group.0[0].1 = XSS.to_string();
    a.groups[1].group.0[1].1 = "pipe|and\u{1b}[31mred".to_string();
    for (k, v) in a.groups[2].metrics.0.iter_mut() {
        if k == "selection_rate" || k == "auc" {
            *v = None;
        }
    }
    a.groups[3].intervals.0.clear();
    if let Some(d) = a
        .disparities
        .0
        .iter_mut()
        .find(|(k, _)| k == "equalized_odds_ratio")
    {
        d.1.value = None;
        d.1.interval = None;
        d.1.significant = None;
    }
    a.four_fifths.passes = None;
    a.four_fifths.ratio = None;
    a.input.path = format!("data/{XSS}.csv");
    let policy = assay_fairness::Policy {
        on_interval: false,
        rules: vec![
            assay_fairness::policy::Rule {
                metric: "disparate_impact_ratio".into(),
                min: Some(0.8),
                max: None,
                on_interval: None,
            },
            assay_fairness::policy::Rule {
                metric: "overall.accuracy".into(),
                min: Some(0.5),
                max: None,
                on_interval: Some(true),
            },
        ],
    };
    a.policy = Some(policy.evaluate(&a, "policy.toml"));
    a.scan = None;
    a
}

/// Every intersectional group value of the hiring example.
pub const GROUP_VALUES: [&str; 7] = [
    "Female",
    "Male",
    "Non-binary",
    "Asian",
    "Black",
    "Hispanic",
    "White",
];

/// A value of the assessment's JSON, by path of keys.
pub fn json_number(a: &Assessment, path: &[&str]) -> f64 {
    let v: serde_json::Value = serde_json::from_str(&assay_report::json(a)).unwrap();
    let mut cur = &v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_f64()
        .unwrap_or_else(|| panic!("no number at {path:?}: {cur}"))
}
