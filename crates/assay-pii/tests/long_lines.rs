//! Long lines (issue #15, finding 7): the scan is linear in the input and the number of
//! findings. Before, the overlap resolution compared every finding with every finding kept so
//! far: 50,000 findings on one line took 20 s (one per line: 0.36 s), and a 10 MB single-line
//! file did not finish; 100,000 findings on one line now take under a second.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use assay_pii::analyzer::{remove_contained, remove_duplicates};
use assay_pii::operators::resolve_overlaps;
use assay_pii::{Analyzer, AnalyzerConfig, Finding};

/// One record: two findings (an e-mail address and a delimited SSN) and filler words.
const RECORD: &str = "mail jane.doe@example.com then 536-22-1234 ok";

/// Records per test line: 50,000 records, 100,000 findings (twice the 50,000, so that
/// the quadratic resolution, about 11.5 s for 50,000 in a debug build, exceeds the bound below
/// by far: about 46 s).
const RECORDS: usize = 50_000;

/// What a finding says, without where it is.
type Key = (
    &'static str,
    &'static str,
    String,
    Option<&'static str>,
    String,
);

fn key(f: &Finding, text: &str) -> Key {
    (
        f.entity_type,
        f.rule,
        format!("{:.6}", f.score),
        f.context_word,
        text[f.start..f.end].to_string(),
    )
}

fn counts(keys: impl Iterator<Item = Key>) -> BTreeMap<Key, usize> {
    let mut m = BTreeMap::new();
    for k in keys {
        *m.entry(k).or_default() += 1;
    }
    m
}

#[test]
fn a_hundred_thousand_findings_on_one_line_match_one_per_line() {
    let line = vec![RECORD; RECORDS].join(" ");
    let analyzer = Analyzer::new(AnalyzerConfig::default()).unwrap();
    let per_record = analyzer.analyze(RECORD);
    assert_eq!(per_record.len(), 2, "{per_record:?}");

    // Generous bound for a debug build on a loaded 2-core machine: the linear scan takes about
    // 0.6 s there.
    let limit = Duration::from_secs(20);
    let (tx, rx) = mpsc::channel();
    let text = line.clone();
    std::thread::spawn(move || {
        let a = Analyzer::new(AnalyzerConfig::default()).unwrap();
        let t = Instant::now();
        let found = a.analyze(&text);
        let _ = tx.send((found, t.elapsed()));
    });
    let (found, took) = rx
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("100,000 findings on one line took more than {limit:?}"));
    eprintln!("100,000 findings on one line: {took:?}");
    assert_eq!(found.len(), 2 * RECORDS);
    let one_line = counts(found.iter().map(|f| key(f, &line)));
    let one_per_line = counts(
        per_record
            .iter()
            .flat_map(|f| std::iter::repeat_n(key(f, RECORD), RECORDS)),
    );
    assert_eq!(one_line, one_per_line);
    // Positions: record k's findings are those of the record shifted by k records.
    let stride = RECORD.len() + 1;
    for (k, pair) in found.chunks(2).enumerate() {
        for (f, g) in pair.iter().zip(&per_record) {
            assert_eq!((f.start, f.end), (g.start + k * stride, g.end + k * stride));
            assert_eq!(f.char_start, f.start);
        }
    }
}

/// The quadratic resolution the analyzer used before, kept as the reference.
fn remove_duplicates_reference(mut v: Vec<Finding>) -> Vec<Finding> {
    v.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    let mut kept: Vec<Finding> = Vec::new();
    for f in v {
        if !kept
            .iter()
            .any(|k| k.entity_type == f.entity_type && k.overlaps(&f))
        {
            kept.push(f);
        }
    }
    kept.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(a.entity_type.cmp(b.entity_type))
    });
    kept
}

/// The quadratic containment filter the analyzer used before, kept as the reference.
fn remove_contained_reference(v: Vec<Finding>) -> Vec<Finding> {
    const CONTAINERS: [&str; 4] = ["IBAN_CODE", "CRYPTO", "EMAIL_ADDRESS", "URL"];
    let containers: Vec<(usize, usize, &str)> = v
        .iter()
        .filter(|f| CONTAINERS.contains(&f.entity_type))
        .map(|f| (f.start, f.end, f.entity_type))
        .collect();
    let cards: Vec<&Finding> = v
        .iter()
        .filter(|f| f.entity_type == "CREDIT_CARD")
        .collect();
    let drop_phone: Vec<bool> = v
        .iter()
        .map(|f| f.entity_type == "PHONE_NUMBER" && cards.iter().any(|c| c.overlaps(f)))
        .collect();
    v.into_iter()
        .zip(drop_phone)
        .filter(|(_, d)| !d)
        .map(|(f, _)| f)
        .filter(|f| {
            !containers.iter().any(|&(s, e, t)| {
                t != f.entity_type && s <= f.start && f.end <= e && (s, e) != (f.start, f.end)
            })
        })
        .collect()
}

/// The quadratic overlap resolution of `pii mask` before, kept as the reference.
fn resolve_overlaps_reference(findings: &[Finding]) -> Vec<Finding> {
    let mut v: Vec<&Finding> = findings.iter().collect();
    v.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    let mut kept: Vec<Finding> = Vec::new();
    for f in v {
        if !kept.iter().any(|k| k.overlaps(f)) {
            kept.push(f.clone());
        }
    }
    kept.sort_by_key(|f| f.start);
    kept
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn overlap_resolution_equals_the_quadratic_reference() {
    const TYPES: [&str; 7] = [
        "EMAIL_ADDRESS",
        "URL",
        "CREDIT_CARD",
        "PHONE_NUMBER",
        "US_SSN",
        "IBAN_CODE",
        "DATE_TIME",
    ];
    const SCORES: [f64; 4] = [0.3, 0.5, 0.85, 1.0];
    let mut rng = Rng(15);
    for case in 0..2000 {
        let n = 1 + rng.below(40);
        let span = 5 + rng.below(60);
        let v: Vec<Finding> = (0..n)
            .map(|_| {
                let start = rng.below(span);
                // Empty spans included: they block nothing around them only by position.
                let len = rng.below(12);
                Finding::new(
                    TYPES[rng.below(TYPES.len())],
                    start,
                    start + len,
                    SCORES[rng.below(SCORES.len())],
                    "rule",
                )
            })
            .collect();
        let want = remove_contained_reference(remove_duplicates_reference(v.clone()));
        let got = remove_contained(remove_duplicates(v.clone()));
        assert_eq!(got, want, "case {case}: {v:?}");
        assert_eq!(
            resolve_overlaps(&v),
            resolve_overlaps_reference(&v),
            "case {case}: {v:?}"
        );
    }
}
