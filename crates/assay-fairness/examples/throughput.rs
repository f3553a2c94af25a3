//! Times the assessment of a generated hiring file: `cargo run --release
//! -p assay-fairness --example throughput -- ROWS BOOTSTRAP [scan]`.
//! (The comparison with Fairlearn lives in `bench/run.sh`.)

use std::time::Instant;

use assay_data::synthetic::{write_hiring_csv, HiringConfig};
use assay_data::{ColumnRoles, ReadOptions};
use assay_fairness::{assess, AssessOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let boot: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let scan = args.get(3).is_some_and(|s| s == "scan");
    let path = std::env::temp_dir().join(format!("assay_hiring_{rows}.csv"));
    if !path.exists() {
        write_hiring_csv(&path, &HiringConfig { rows, seed: 7 }).expect("write");
    }
    let roles = ColumnRoles {
        label: "qualified".into(),
        prediction: Some("shortlisted".into()),
        score: Some("score".into()),
        sensitive: vec!["gender".into(), "race".into()],
        ..Default::default()
    };
    let mut opts = AssessOptions::new(roles);
    opts.bootstrap = boot;
    opts.scan = scan;
    if std::env::var_os("READ_ONLY").is_some() {
        let t = Instant::now();
        let cols = assay_fairness::assess::column_requests(&opts.roles);
        let stream =
            assay_data::open(&path, &ReadOptions::default(), Some(&cols[..])).expect("open");
        let n: usize = stream.map(|b| b.expect("batch").num_rows()).sum();
        println!("read {n} rows: {:.3} s", t.elapsed().as_secs_f64());
        return;
    }
    let t = Instant::now();
    let cols = assay_fairness::assess::column_requests(&opts.roles);
    let stream = assay_data::open(&path, &ReadOptions::default(), (!scan).then_some(&cols[..]))
        .expect("open");
    let a = assess(stream, &opts).expect("assess");
    println!(
        "{rows} rows, B={boot}, scan={scan}: {:.3} s (overall selection rate {:?})",
        t.elapsed().as_secs_f64(),
        a.overall.metrics.get("selection_rate")
    );
}
