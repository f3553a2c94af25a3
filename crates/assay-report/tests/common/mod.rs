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
