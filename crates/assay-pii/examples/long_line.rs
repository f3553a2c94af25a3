//! Detection time against the number of findings on one line (issue #15, finding 7):
//! `cargo run --release -p assay-pii --example long_line -- [FINDINGS...]`.
//!
//! For each count N (default 5,000, 20,000 and 50,000) the same records, each holding an
//! e-mail address and a delimited SSN, are analysed once as N/2 lines and once joined into one
//! line, and `Analyzer::analyze` and `operators::resolve_overlaps` (what `pii mask` runs) are
//! timed on one thread. A linear scan takes about the same time either way.

use std::time::Instant;

use assay_pii::{operators::resolve_overlaps, Analyzer, AnalyzerConfig};

const RECORD: &str = "mail jane.doe@example.com then 536-22-1234 ok";

fn main() {
    let counts: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a number of findings"))
        .collect();
    let counts = if counts.is_empty() {
        vec![5_000, 20_000, 50_000]
    } else {
        counts
    };
    let analyzer = Analyzer::new(AnalyzerConfig::default()).unwrap();
    println!("| findings | MB | one per line (s) | all on one line (s) | ratio |");
    println!("| ---: | ---: | ---: | ---: | ---: |");
    for n in counts {
        let records = n / 2;
        let t = Instant::now();
        let mut per_line = 0;
        for _ in 0..records {
            let f = analyzer.analyze(RECORD);
            per_line += resolve_overlaps(&f).len();
        }
        let lines_s = t.elapsed().as_secs_f64();
        let line = vec![RECORD; records].join(" ");
        let t = Instant::now();
        let f = analyzer.analyze(&line);
        let one_line = resolve_overlaps(&f).len();
        let line_s = t.elapsed().as_secs_f64();
        assert_eq!(per_line, one_line);
        println!(
            "| {one_line} | {:.2} | {lines_s:.3} | {line_s:.3} | {:.1} |",
            line.len() as f64 / 1e6,
            line_s / lines_s
        );
    }
}
