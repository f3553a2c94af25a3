//! Single-thread detection throughput on a text file (one document per line):
//! `cargo run --release -p assay-pii --example pii_throughput -- FILE [REPEATS]`.
//! Prints bytes, findings, seconds and MB/s of `Analyzer::analyze` over every line, then, on a
//! second line, the seconds the NER tagger alone takes over the same lines (its share of the
//! detection).

use std::time::Instant;

use assay_pii::{Analyzer, AnalyzerConfig};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("input file");
    let repeats: usize = args.get(2).map_or(1, |r| r.parse().expect("repeats"));
    let analyzer = Analyzer::new(AnalyzerConfig::default()).unwrap();
    analyzer.analyze("warm up 536-22-1234 jane@example.com");
    let t = Instant::now();
    let mut n = 0usize;
    for _ in 0..repeats {
        for line in text.lines() {
            n += analyzer.analyze(line).len();
        }
    }
    let s = t.elapsed().as_secs_f64();
    let bytes = text.len() * repeats;
    println!(
        "bytes {bytes} findings {n} seconds {s:.3} MB/s {:.2}",
        bytes as f64 / 1e6 / s
    );
    let tagger = &*assay_pii::recognizers::ner::MODEL;
    let t = Instant::now();
    let mut tagged = 0usize;
    for _ in 0..repeats {
        for line in text.lines() {
            tagged += tagger.tag(line).len();
        }
    }
    println!(
        "ner_tagger seconds {:.3} entities {tagged}",
        t.elapsed().as_secs_f64()
    );
}
