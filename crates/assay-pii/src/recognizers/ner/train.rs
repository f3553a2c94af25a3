//! Training the tagger: the averaged perceptron (Collins 2002) with lazy averaging (each
//! weight keeps the step at which it last changed, so an update costs the same whatever the
//! number of features).

use super::features::{candidate, features, NF};
use super::tokens::{mix, tokenize, Scratch, Token, LEXICON, PLACE};
use super::{begin, decide, inside, Model, Weights, O, T};

/// A training document: its text and the entities in it, as byte spans with a label (an
/// index of [`super::LABELS`]).
pub struct Example {
    pub text: String,
    pub spans: Vec<(usize, usize, usize)>,
}

/// A weight under training, with what lazy averaging needs.
#[derive(Clone, Copy, Default)]
struct Param {
    w: [f32; T],
    total: [f64; T],
    stamp: [u64; T],
}

impl Param {
    fn update(&mut self, c: usize, delta: f32, now: u64) {
        self.total[c] += (now - self.stamp[c]) as f64 * f64::from(self.w[c]);
        self.stamp[c] = now;
        self.w[c] += delta;
    }
}

/// splitmix64: the seeded stream for shuffling and lexicon dropout (a few lines; the crate
/// has no random-number dependency otherwise).
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    mix(*state, 0)
}

/// Trains a tagger on `examples` for `epochs` passes (shuffled by `seed`: the same inputs
/// and seed give the same model), hiding the lexicon membership of an entity's token with
/// probability `dropout`, and keeps the features one of whose averaged weights reaches
/// `min_weight` in absolute value. The previous tags the features read are the model's own
/// guesses, as when tagging.
pub fn train(
    examples: &[Example],
    epochs: usize,
    seed: u64,
    dropout: f64,
    min_weight: f32,
) -> Model {
    let mut params: Weights<Param> = Weights::default();
    let mut scratch = Scratch::new();
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = seed;
    let mut now: u64 = 1;
    let mut f = [0u32; NF];
    let threshold = (dropout * u64::MAX as f64) as u64;
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            let j = (splitmix(&mut rng) % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for &d in &order {
            let ex = &examples[d];
            tokenize(&ex.text, &mut scratch);
            let mut t = std::mem::take(&mut scratch.tokens);
            let gold = gold_tags(&t, &ex.spans);
            for (k, &g) in t.iter_mut().zip(&gold) {
                if g != O && splitmix(&mut rng) < threshold {
                    k.flags &= !(LEXICON | PLACE);
                }
            }
            let (mut p1, mut p2) = (O, O);
            for (i, &g) in gold.iter().enumerate() {
                let mut guess = O;
                if candidate(&t, i, p1 != O) {
                    features(&t, i, p1, p2, &mut f);
                    let mut sc = [0f32; T];
                    for k in &f {
                        if let Some(p) = params.get(k) {
                            for (s, w) in sc.iter_mut().zip(p.w) {
                                *s += w;
                            }
                        }
                    }
                    guess = decide(&sc, p1).0;
                    // An entity's later token after a guess of `O` begins it.
                    let truth = if g != O && !super::allowed(g, p1) {
                        g - 1
                    } else {
                        g
                    };
                    if guess != truth {
                        for k in &f {
                            let p = params.entry(*k).or_default();
                            p.update(truth, 1.0, now);
                            p.update(guess, -1.0, now);
                        }
                    }
                    now += 1;
                }
                p2 = p1;
                p1 = guess;
            }
            scratch.tokens = t;
        }
    }
    let mut weights: Weights<[f32; T]> = Weights::default();
    for (k, p) in params {
        let mut avg = [0f32; T];
        for (c, a) in avg.iter_mut().enumerate() {
            let total = p.total[c] + (now - p.stamp[c]) as f64 * f64::from(p.w[c]);
            *a = (total / now as f64) as f32;
        }
        if avg.iter().any(|w| w.abs() >= min_weight) {
            weights.insert(k, avg);
        }
    }
    Model { weights }
}

/// The gold tag of each token: `B-X` for the first token inside an entity of label `X`,
/// `I-X` for its others, `O` elsewhere.
fn gold_tags(t: &[Token], spans: &[(usize, usize, usize)]) -> Vec<usize> {
    let mut g = vec![O; t.len()];
    for &(s, e, label) in spans {
        let from = t.partition_point(|k| k.start < s);
        for (n, i) in (from..t.len()).take_while(|&i| t[i].end <= e).enumerate() {
            g[i] = if n == 0 { begin(label) } else { inside(label) };
        }
    }
    g
}
