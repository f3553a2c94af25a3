//! A statistical tagger of person names and places (named-entity recognition): each token is
//! tagged `O` (outside), `B-X` (begins an entity of label `X`) or `I-X` (inside one), `X`
//! one of [`LABELS`], by an averaged perceptron (Collins 2002, "Discriminative training
//! methods for hidden Markov models", EMNLP; averaging as in Freund & Schapire 1999), decoded
//! greedily left to right with the previous two tags as features, over the feature templates
//! that Ratinov & Roth (2009, "Design challenges and misconceptions in named entity
//! recognition", CoNLL) found to carry NER: the word and its neighbours, word shapes, affixes,
//! and lexicon membership.
//!
//! The lexicons: the given and family names of Faker's 86 locales (`data/names_first.txt`,
//! `data/names_last.txt`), the US lists of the PERSON rules, Faker's common English words
//! (`data/common_words.txt`), the LOCATION gazetteer and its street types. The committed model
//! (`data/ner_model.bin`) is trained by [`train::train`] on documents that
//! `data/ner_training.py` generates with Faker from training templates only (see
//! `data/README.md`): `cargo run --release -p assay-pii --example train_ner_model`. During
//! training 15% of the name and place tokens have their lexicon membership hidden, so that
//! the model also learns names and places from context and shape alone.
//!
//! Written by hand: no maintained Rust crate offers a sequence tagger that trains on
//! character-offset spans and runs without a deep-learning runtime; the perceptron is a few
//! hundred lines, and deterministic (a fixed hash, seeded shuffling).

mod features;
mod tokens;
pub mod train;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use features::{candidate, features, NF};
use tokens::{tokenize, Kind, SCRATCH};

use crate::finding::Finding;

/// The entity types the tagger finds, in label order.
pub const LABELS: [&str; 2] = ["PERSON", "LOCATION"];

/// Number of tags: `O`, then `B-X` and `I-X` per label.
const T: usize = 1 + 2 * LABELS.len();
/// The tag outside every entity.
const O: usize = 0;

const fn begin(label: usize) -> usize {
    1 + 2 * label
}

const fn inside(label: usize) -> usize {
    2 + 2 * label
}

/// The label of a tag other than `O`.
const fn label_of(tag: usize) -> usize {
    (tag - 1) / 2
}

/// Whether `tag` may follow `prev`: `I-X` only continues `B-X` or `I-X`.
fn allowed(tag: usize, prev: usize) -> bool {
    tag == O || (tag - 1) % 2 == 0 || (prev != O && label_of(prev) == label_of(tag))
}

/// An identity hasher for keys that are already hashes.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type Weights<V> = HashMap<u32, V, BuildHasherDefault<KeyHasher>>;

/// A trained tagger: a weight per feature key and tag.
pub struct Model {
    weights: Weights<[f32; T]>,
}

/// An entity found by the tagger: its label (an index of [`LABELS`]), byte span and the
/// smallest margin, over its tokens, between the chosen tag's score and the best other tag's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tagged {
    pub label: usize,
    pub start: usize,
    pub end: usize,
    pub margin: f32,
    /// Number of words in the entity.
    pub words: usize,
    /// Whether one of its words is in a lexicon of its label (the name lists for PERSON, the
    /// gazetteer for LOCATION).
    pub listed: bool,
    /// Whether every word of it is a common English word.
    pub common: bool,
}

/// The tag with the highest score among those allowed after `prev`, and its margin over the
/// next best.
fn decide(sc: &[f32; T], prev: usize) -> (usize, f32) {
    let mut best = O;
    for c in 1..T {
        if allowed(c, prev) && sc[c] > sc[best] {
            best = c;
        }
    }
    let other = (0..T)
        .filter(|&c| c != best && allowed(c, prev))
        .map(|c| sc[c])
        .fold(f32::NEG_INFINITY, f32::max);
    (best, sc[best] - other)
}

impl Model {
    fn scores(&self, f: &[u32; NF]) -> [f32; T] {
        let mut s = [0f32; T];
        for k in f {
            if let Some(w) = self.weights.get(k) {
                for (a, b) in s.iter_mut().zip(w) {
                    *a += b;
                }
            }
        }
        s
    }

    /// The entities in `text`, in order.
    pub fn tag(&self, text: &str) -> Vec<Tagged> {
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            tokenize(text, &mut s);
            let t = &s.tokens;
            let mut out = Vec::new();
            let (mut p1, mut p2) = (O, O);
            let mut f = [0u32; NF];
            let mut open: Option<Tagged> = None;
            let mut last_word_end = 0;
            for i in 0..t.len() {
                let (mut tag, mut margin) = (O, 0.0);
                if candidate(t, i, p1 != O) {
                    features(t, i, p1, p2, &mut f);
                    (tag, margin) = decide(&self.scores(&f), p1);
                }
                let continues = tag != O && (tag - 1) % 2 == 1;
                if !continues {
                    if let Some(mut o) = open.take() {
                        o.end = last_word_end;
                        out.push(o);
                    }
                }
                let word = t[i].kind == Kind::Word;
                if tag != O {
                    let label = label_of(tag);
                    let listed = tokens::listed(&t[i], label);
                    let common = !word || tokens::common(&t[i]);
                    match open.as_mut() {
                        Some(o) if continues => {
                            o.margin = o.margin.min(margin);
                            o.words += usize::from(word);
                            o.listed |= listed;
                            o.common &= common;
                        }
                        _ => {
                            open = Some(Tagged {
                                label,
                                start: t[i].start,
                                end: t[i].end,
                                margin,
                                words: usize::from(word),
                                listed,
                                common,
                            })
                        }
                    }
                    if word {
                        last_word_end = t[i].end;
                    }
                }
                p2 = p1;
                p1 = tag;
            }
            if let Some(mut o) = open.take() {
                o.end = last_word_end;
                out.push(o);
            }
            out
        })
    }

    /// The model in its stored form: `APM2`, the number of tags and of features (u32 each),
    /// then per feature its key (u32) and its weights (one i16 per tag, scaled by the f32 that
    /// ends the file), all little-endian, keys ascending.
    pub fn to_bytes(&self) -> Vec<u8> {
        let max = self
            .weights
            .values()
            .flat_map(|w| w.iter().map(|x| x.abs()))
            .fold(0f32, f32::max)
            .max(f32::MIN_POSITIVE);
        let scale = max / 32767.0;
        let mut keys: Vec<u32> = self.weights.keys().copied().collect();
        keys.sort_unstable();
        let mut out = Vec::with_capacity(16 + keys.len() * (4 + 2 * T));
        out.extend_from_slice(b"APM2");
        out.extend_from_slice(&(T as u32).to_le_bytes());
        out.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        for k in keys {
            out.extend_from_slice(&k.to_le_bytes());
            for w in self.weights[&k] {
                out.extend_from_slice(&((w / scale).round() as i16).to_le_bytes());
            }
        }
        out.extend_from_slice(&scale.to_le_bytes());
        out
    }

    /// Reads the form [`Model::to_bytes`] writes.
    pub fn from_bytes(b: &[u8]) -> Result<Model, String> {
        if b.len() < 16 || &b[..4] != b"APM2" {
            return Err("not an assay NER model (no APM2 header)".into());
        }
        let word = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]) as usize;
        if word(4) != T {
            return Err(format!("NER model with {} tags, expected {T}", word(4)));
        }
        let n = word(8);
        let row = 4 + 2 * T;
        if b.len() != 12 + n * row + 4 {
            return Err(format!(
                "NER model of {} bytes, expected {} for {n} features",
                b.len(),
                12 + n * row + 4
            ));
        }
        let scale = f32::from_le_bytes([
            b[b.len() - 4],
            b[b.len() - 3],
            b[b.len() - 2],
            b[b.len() - 1],
        ]);
        let mut weights: Weights<[f32; T]> = Weights::default();
        weights.reserve(n);
        for r in b[12..12 + n * row].chunks_exact(row) {
            let k = u32::from_le_bytes([r[0], r[1], r[2], r[3]]);
            let mut w = [0f32; T];
            for (c, x) in w.iter_mut().enumerate() {
                *x = f32::from(i16::from_le_bytes([r[4 + 2 * c], r[5 + 2 * c]])) * scale;
            }
            weights.insert(k, w);
        }
        Ok(Model { weights })
    }

    /// Number of features with a weight.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether the model has no features.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}

/// The committed model (`data/ner_model.bin`).
pub static MODEL: LazyLock<Model> = LazyLock::new(|| {
    Model::from_bytes(include_bytes!("../../../data/ner_model.bin"))
        .expect("the committed NER model is well-formed")
});

/// The margin at which a tagged entity scores halfway between 0.4 and 0.85.
const MARGIN_HALF: f64 = 2.0;

/// The score of an entity the tagger found: 0.4 to 0.85 with its margin.
pub fn score(t: &Tagged) -> f64 {
    let m = f64::from(t.margin.max(0.0));
    0.4 + 0.45 * m / (m + MARGIN_HALF)
}

/// Whether a tagged entity is reported. A person's name needs a word of the name lists
/// (the tagger's word alone does not make `Daughter`, `Monday`, `Felony Battery` or a town a
/// name), and a one-word name must not also be a common English word (`Low`, `Will`; the
/// dictionary rules still report such names with a context word). Places are reported as
/// tagged: most villages are in no gazetteer, and the tagger reads them from their context
/// (`with us in Soerendonk from`).
pub fn reported(t: &Tagged) -> bool {
    LABELS[t.label] != "PERSON" || t.listed && !(t.words == 1 && t.common)
}

/// The rule name of the tagger's findings of each label.
pub const RULES: [&str; 2] = ["person_model", "location_model"];

/// Appends the tagger's person names and places in `text`.
pub fn find(text: &str, out: &mut Vec<Finding>) {
    for t in MODEL.tag(text).iter().filter(|t| reported(t)) {
        let start = if LABELS[t.label] == "PERSON" {
            after_leading_cues(text, t.start, t.end)
        } else {
            t.start
        };
        out.push(Finding::new(
            LABELS[t.label],
            start,
            t.end,
            score(t),
            RULES[t.label],
        ));
    }
}

/// The start of a tagged name without the salutations and role words that open it
/// (`Patient Jane` is `Jane`, `Dear Anna Berg` is `Anna Berg`; see
/// [`super::person::NOT_FIRST`]); titles (`Dr`, `Mrs`) stay, as in Presidio's spans.
fn after_leading_cues(text: &str, mut start: usize, end: usize) -> usize {
    const TITLES: [&str; 5] = ["Mr", "Mrs", "Ms", "Dr", "Miss"];
    loop {
        let span = &text[start..end];
        let Some(sp) = span.find(' ') else {
            return start;
        };
        let first = span[..sp].trim_end_matches([',', ':', '.']);
        if !super::person::NOT_FIRST.contains(&first) || TITLES.contains(&first) {
            return start;
        }
        start += sp + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::train::{train, Example};
    use super::*;

    fn spans<'a>(m: &Model, t: &'a str) -> Vec<(&'static str, &'a str)> {
        m.tag(t)
            .iter()
            .map(|x| (LABELS[x.label], &t[x.start..x.end]))
            .collect()
    }

    #[test]
    fn trains_from_spans_and_round_trips() {
        let mut ex = Vec::new();
        let names = [
            "Anna Berg",
            "Tomas Lind",
            "Ola Strand",
            "Eva Holm",
            "Per Ek",
        ];
        let towns = ["Lakeberg", "Portlind", "Northstrand"];
        for (i, n) in names.iter().enumerate() {
            for (j, town) in towns.iter().enumerate() {
                let text = format!("Patient {n} moved to {town} on day {}.", i * 3 + j);
                let s = text.find(n).unwrap();
                let p = text.find(town).unwrap();
                ex.push(Example {
                    spans: vec![(s, s + n.len(), 0), (p, p + town.len(), 1)],
                    text,
                });
            }
        }
        let m = train(&ex, 5, 7, 0.0, 0.0);
        let t = "Patient Eva Lind moved to Northstrand on day 4.";
        let want = [("PERSON", "Eva Lind"), ("LOCATION", "Northstrand")];
        assert_eq!(spans(&m, t), want);
        let again = train(&ex, 5, 7, 0.0, 0.0);
        assert_eq!(again.to_bytes(), m.to_bytes(), "same seed, same model");
        let back = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(spans(&back, t), want);
        assert!(Model::from_bytes(b"APM2\x05\0\0\0\x01\0\0\0").is_err());
    }

    #[test]
    fn committed_model_finds_names_not_streets_or_firms() {
        let t = "Landlord: Ingrid Vasquez-Oyelaran, of 12 Joshua Pines, Lake Scott. \
                 Witnesses: Kenji Watanabe and Siobhán Ní Bhriain (Davis, Walker and Ross).";
        let got = spans(&MODEL, t);
        let persons: Vec<&str> = got
            .iter()
            .filter(|g| g.0 == "PERSON")
            .map(|g| g.1)
            .collect();
        assert!(persons.contains(&"Ingrid Vasquez-Oyelaran"), "{got:?}");
        assert!(persons.contains(&"Kenji Watanabe"), "{got:?}");
        let t = "Patient Jane Moore, seen today. Dear Dr. Ahmed Wilson, thanks.";
        let mut v = Vec::new();
        find(t, &mut v);
        let found: Vec<&str> = v.iter().map(|f| &t[f.start..f.end]).collect();
        assert!(
            !found
                .iter()
                .any(|f| f.starts_with("Patient") || f.starts_with("Dear")),
            "{found:?}"
        );
        assert!(persons.iter().any(|g| g.starts_with("Siobhán")), "{got:?}");
        let t = "Seen in ED on Monday. Tel: 555 0101. She moved from Soerendonk to Lübben in June.";
        let got = spans(&MODEL, t);
        let places: Vec<&str> = got
            .iter()
            .filter(|g| g.0 == "LOCATION")
            .map(|g| g.1)
            .collect();
        assert_eq!(places, ["Soerendonk", "Lübben"], "{got:?}");
        assert!(!got.iter().any(|g| g.0 == "PERSON"), "{got:?}");
        let t = "患者 王秀英 住在 北京市。Contact: 李娜, 13800138000.";
        let got = spans(&MODEL, t);
        assert!(got.iter().any(|g| g == &("PERSON", "李娜")), "{got:?}");
        assert!(
            !persons
                .iter()
                .any(|g| g.contains("Pines") || g.contains("Scott")),
            "{got:?}"
        );
    }
}
