//! Trains the PERSON and LOCATION tagger and writes `data/ner_model.bin` (issue #18).
//!
//! ```text
//! /work/venv/bin/python crates/assay-pii/data/ner_training.py target/ner_training.jsonl
//! cargo run --release -p assay-pii --example train_ner_model -- target/ner_training.jsonl
//! ```
//!
//! The training documents are those `data/ner_training.py` writes (training templates
//! only). The last tenth of them is held out: the example prints the tagger's precision and
//! recall per label on it (exact span match) before writing the model trained on the first
//! nine tenths.

use std::path::PathBuf;

use assay_pii::recognizers::ner::train::{train, Example};
use assay_pii::recognizers::ner::LABELS;

const EPOCHS: usize = 8;
const SEED: u64 = 20261208;
const DROPOUT: f64 = 0.15;
const MIN_WEIGHT: f32 = 0.02;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let input = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/ner_training.jsonl"));
    let out = args
        .get(2)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/ner_model.bin"));
    let mut examples = Vec::new();
    for (n, line) in std::fs::read_to_string(&input)
        .map_err(|e| format!("{}: {e}", input.display()))?
        .lines()
        .enumerate()
    {
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| format!("{}:{}: {e}", input.display(), n + 1))?;
        let text = v["text"]
            .as_str()
            .ok_or_else(|| format!("{}:{}: no text", input.display(), n + 1))?
            .to_string();
        let mut spans = Vec::new();
        for s in v["spans"]
            .as_array()
            .ok_or_else(|| format!("{}:{}: no spans", input.display(), n + 1))?
        {
            let label = LABELS
                .iter()
                .position(|l| s[2].as_str() == Some(l))
                .ok_or_else(|| format!("{}:{}: unknown label {}", input.display(), n + 1, s[2]))?;
            let at = |i: usize| s[i].as_u64().map(|x| x as usize);
            match (at(0), at(1)) {
                (Some(a), Some(b)) if a < b && b <= text.len() => spans.push((a, b, label)),
                _ => return Err(format!("{}:{}: bad span {s}", input.display(), n + 1).into()),
            }
        }
        examples.push(Example { text, spans });
    }
    let held = examples.len() / 10;
    let (fit, test) = examples.split_at(examples.len() - held);
    let t0 = std::time::Instant::now();
    let model = train(fit, EPOCHS, SEED, DROPOUT, MIN_WEIGHT);
    let secs = t0.elapsed().as_secs_f64();
    let (mut tp, mut found, mut truth) = ([0usize; 2], [0usize; 2], [0usize; 2]);
    for ex in test {
        let got: Vec<(usize, usize, usize)> = model
            .tag(&ex.text)
            .iter()
            .map(|t| (t.start, t.end, t.label))
            .collect();
        for g in &got {
            tp[g.2] += usize::from(ex.spans.contains(g));
            found[g.2] += 1;
        }
        for s in &ex.spans {
            truth[s.2] += 1;
        }
    }
    let bytes = model.to_bytes();
    std::fs::write(&out, &bytes)?;
    println!(
        "{} training documents, {EPOCHS} epochs in {secs:.1} s; {} features ({} bytes) -> {}",
        fit.len(),
        model.len(),
        bytes.len(),
        out.display()
    );
    for (l, label) in LABELS.iter().enumerate() {
        println!(
            "held out {} documents, {label}: precision {:.3}, recall {:.3} (exact spans)",
            test.len(),
            tp[l] as f64 / found[l].max(1) as f64,
            tp[l] as f64 / truth[l].max(1) as f64
        );
    }
    Ok(())
}
