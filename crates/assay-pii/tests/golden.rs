//! assay's PII findings against Presidio's (presidio-analyzer 2.2.366 with en_core_web_sm) and
//! against the generator's ground truth, on the committed synthetic corpus of
//! `tests/reference/pii_golden.py` (2,000 documents). Spans are compared exactly, in character
//! offsets. Prints precision/recall per entity type; asserts that assay's recall on the ground
//! truth, and its precision, are at least Presidio's for every compared type (PERSON included:
//! assay's name lists and cues against spaCy's NER), and that on the validated types (cards,
//! IBAN, SSN, email, IP) assay and Presidio make the same decision on every inserted value and
//! every inserted invalid look-alike.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use assay_pii::{Analyzer, AnalyzerConfig};
use serde_json::Value;

const TYPES: [&str; 10] = [
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "IP_ADDRESS",
    "URL",
    "CRYPTO",
    "DATE_TIME",
];
const VALIDATED: [&str; 5] = [
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "EMAIL_ADDRESS",
    "IP_ADDRESS",
];

type Span = (usize, &'static str, usize, usize); // (doc, type, start, end)

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference/golden")
}

fn intern(s: &str) -> &'static str {
    TYPES.iter().copied().find(|t| *t == s).unwrap_or("OTHER")
}

struct Counts {
    tp: usize,
    found: usize,
    truth: usize,
}

fn pr(found: &BTreeSet<Span>, truth: &BTreeSet<Span>, t: &str) -> Counts {
    let f: BTreeSet<&Span> = found.iter().filter(|s| s.1 == t).collect();
    let g: BTreeSet<&Span> = truth.iter().filter(|s| s.1 == t).collect();
    Counts {
        tp: f.intersection(&g).count(),
        found: f.len(),
        truth: g.len(),
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

#[test]
fn golden_against_presidio_and_ground_truth() {
    let corpus = std::fs::read_to_string(golden_dir().join("pii_corpus.jsonl"))
        .expect("corpus (run tests/reference/pii_golden.py)");
    let presidio: Value = serde_json::from_str(
        &std::fs::read_to_string(golden_dir().join("pii_presidio.json")).unwrap(),
    )
    .unwrap();
    let presidio = presidio["results"].as_array().unwrap();
    let analyzer = Analyzer::new(AnalyzerConfig::default()).unwrap();

    let (mut truth, mut negatives, mut ours, mut theirs) = (
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
    );
    let mut texts: Vec<String> = Vec::new();
    let mut n_docs = 0;
    for (i, line) in corpus.lines().enumerate() {
        let doc: Value = serde_json::from_str(line).unwrap();
        let text = doc["text"].as_str().unwrap();
        texts.push(text.to_string());
        for (key, set) in [("entities", &mut truth), ("negatives", &mut negatives)] {
            for e in doc[key].as_array().unwrap() {
                set.insert((
                    i,
                    intern(e["entity_type"].as_str().unwrap()),
                    e["start"].as_u64().unwrap() as usize,
                    e["end"].as_u64().unwrap() as usize,
                ));
            }
        }
        for f in analyzer.analyze(text) {
            ours.insert((i, intern(f.entity_type), f.char_start, f.char_end));
        }
        for r in presidio[i].as_array().unwrap() {
            theirs.insert((
                i,
                intern(r["entity_type"].as_str().unwrap()),
                r["start"].as_u64().unwrap() as usize,
                r["end"].as_u64().unwrap() as usize,
            ));
        }
        n_docs += 1;
    }
    assert!(n_docs >= 2000, "corpus has {n_docs} documents");

    println!(
        "{:<14} {:>6} | {:>9} {:>9} | {:>9} {:>9} | {:>9} {:>9}",
        "type", "truth", "assay P", "assay R", "presid. P", "presid. R", "agree", "of union"
    );
    let mut failures = Vec::new();
    let mut summary = BTreeMap::new();
    for t in TYPES {
        let a = pr(&ours, &truth, t);
        let p = pr(&theirs, &truth, t);
        let oa: BTreeSet<&Span> = ours.iter().filter(|s| s.1 == t).collect();
        let op: BTreeSet<&Span> = theirs.iter().filter(|s| s.1 == t).collect();
        let agree = oa.intersection(&op).count();
        let union = oa.union(&op).count();
        let (ar, prr) = (ratio(a.tp, a.truth), ratio(p.tp, p.truth));
        println!(
            "{t:<14} {:>6} | {:>9.4} {:>9.4} | {:>9.4} {:>9.4} | {:>9} {:>9}",
            a.truth,
            ratio(a.tp, a.found),
            ar,
            ratio(p.tp, p.found),
            prr,
            agree,
            union
        );
        summary.insert(t, (ar, prr));
        assert!(a.truth > 20, "{t}: only {} inserted values", a.truth);
        if ar < prr {
            failures.push(format!("{t}: assay recall {ar:.4} < Presidio {prr:.4}"));
        }
        let (ap, pp) = (ratio(a.tp, a.found), ratio(p.tp, p.found));
        if ap < pp {
            failures.push(format!("{t}: assay precision {ap:.4} < Presidio {pp:.4}"));
        }
    }
    // A few of assay's false positives per type, for inspection (`-- --nocapture`).
    let chars =
        |d: usize, a: usize, b: usize| texts[d].chars().skip(a).take(b - a).collect::<String>();
    for t in TYPES {
        let fps: Vec<String> = ours
            .iter()
            .filter(|s| s.1 == t && !truth.contains(s))
            .take(8)
            .map(|s| chars(s.0, s.2, s.3))
            .collect();
        if !fps.is_empty() {
            println!("assay {t} not in the ground truth: {fps:?}");
        }
    }
    // The validated types: on every inserted invalid look-alike assay and Presidio agree (both
    // reject), and every inserted value Presidio finds with this exact span assay finds too.
    for t in VALIDATED {
        let mut only_assay = 0;
        for s in truth.iter().chain(&negatives).filter(|s| s.1 == t) {
            let (a, p) = (ours.contains(s), theirs.contains(s));
            if a && !p && truth.contains(s) {
                only_assay += 1;
            } else if a != p {
                failures.push(format!(
                    "{t} doc {} [{}..{}] {:?}: assay {a}, Presidio {p}",
                    s.0,
                    s.2,
                    s.3,
                    chars(s.0, s.2, s.3)
                ));
            }
        }
        if only_assay > 0 {
            println!("{t}: {only_assay} inserted values found by assay only");
        }
        let n_neg = negatives.iter().filter(|s| s.1 == t).count();
        let neg_found = negatives
            .iter()
            .filter(|s| s.1 == t && ours.contains(s))
            .count();
        if n_neg > 0 {
            assert_eq!(
                neg_found, 0,
                "{t}: assay reports {neg_found} of {n_neg} invalid look-alikes"
            );
        }
    }
    // Validated types must be found completely.
    for t in [
        "CREDIT_CARD",
        "IBAN_CODE",
        "US_SSN",
        "EMAIL_ADDRESS",
        "IP_ADDRESS",
        "CRYPTO",
    ] {
        assert_eq!(summary[t].0, 1.0, "{t}: recall {}", summary[t].0);
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
