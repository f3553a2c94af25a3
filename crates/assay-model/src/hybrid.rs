//! Tree-ensemble outputs on every hybrid of two rows, in one walk per tree.
//!
//! KernelSHAP's background decomposition (assay-explain) needs, for an explained row `x` and a
//! background row `b` that differ on `d` groups of columns, the model on all `2^d` hybrids
//! (hybrid `s` takes `x`'s values on the groups whose bit is set in `s`, `b`'s elsewhere).
//! Scoring them one by one walks every tree `2^d` times. Here each tree is walked once with
//! the *set* of hybrids that reach a node (a bitset): a split on a column outside the groups
//! sends the whole set where `b`'s value goes; a split on a group's column sends the hybrids
//! with that group's bit set where `x`'s value goes and the others where `b`'s goes (both the
//! same way when the two values take the same branch). Each leaf adds its value to the
//! hybrids that reach it. The work per tree is the nodes reached plus one addition per hybrid,
//! instead of `2^d` root-to-leaf walks; this is the tree walk of interventional TreeSHAP
//! (Lundberg et al. 2020, Algorithm 3's "both branches" step) used for plain predictions.
//!
//! The outputs are bit-identical to [`TreeEnsemble::predict`] / `predict_margin` on the
//! materialised hybrids: the same routing ([`Tree::next_node`]), the same arithmetic
//! ([`Arithmetic`]) and the same summation order (trees in order).

use crate::error::ModelError;
use crate::tree::{Arithmetic, Tree, TreeEnsemble};

/// Most groups a hybrid set may have (`2^16` hybrids).
pub const MAX_HYBRID_GROUPS: usize = 16;

impl TreeEnsemble {
    /// Outputs of the `2^d` hybrids of `x` and `b` (`d = groups.len()`, at most
    /// [`MAX_HYBRID_GROUPS`]): output `s` is the model on the row that takes `x`'s values in the
    /// columns of `groups[i]` for every bit `i` set in `s` and `b`'s values in all other
    /// columns. Margins, or predictions through the inverse link with `transform`.
    /// Groups must be disjoint column sets.
    pub fn hybrid_outputs(
        &self,
        x: &[f64],
        b: &[f64],
        groups: &[&[usize]],
        transform: bool,
    ) -> Result<Vec<f64>, ModelError> {
        let nf = self.n_features;
        for len in [x.len(), b.len()] {
            if len != nf {
                return Err(ModelError::ColumnCount {
                    expected: nf,
                    found: len,
                });
            }
        }
        let d = groups.len();
        if d > MAX_HYBRID_GROUPS {
            return Err(ModelError::HybridGroups {
                message: format!("{d} groups; at most {MAX_HYBRID_GROUPS}"),
            });
        }
        // group[c]: the group of column c, or -1 (b's value).
        let mut group = vec![-1i32; nf];
        for (i, cols) in groups.iter().enumerate() {
            for &c in cols.iter() {
                if c >= nf || group[c] >= 0 {
                    return Err(ModelError::HybridGroups {
                        message: format!("column {c} is out of range or in two groups"),
                    });
                }
                group[c] = i as i32;
            }
        }
        let n = 1usize << d;
        let words = n.div_ceil(64);
        // bit_sets[i]: the hybrids with bit i set.
        let mut bit_sets = vec![0u64; d * words];
        for i in 0..d {
            for s in (0..n).filter(|s| s >> i & 1 == 1) {
                bit_sets[i * words + s / 64] |= 1 << (s % 64);
            }
        }
        let mut walk = Walk {
            x,
            b,
            group: &group,
            bit_sets: &bit_sets,
            d,
            words,
            sets: Vec::with_capacity(words * 64),
            leaves: Vec::new(),
        };
        let mut out = vec![0.0; n];
        match self.arithmetic {
            Arithmetic::F32 => {
                let mut acc = vec![self.base_score as f32; n];
                for t in &self.trees {
                    walk.tree(t);
                    for &(leaf, s) in &walk.leaves {
                        let v = t.value[leaf] as f32;
                        for_each_bit(&walk.sets[s..s + words], |h| acc[h] += v);
                    }
                }
                for (o, m) in out.iter_mut().zip(acc) {
                    *o = if transform {
                        self.link_f32(m)
                    } else {
                        m as f64
                    };
                }
            }
            Arithmetic::F64 => {
                // `Sum for f64` starts from -0.0, as `margin_row` does.
                let mut acc = vec![-0.0f64; n];
                for t in &self.trees {
                    walk.tree(t);
                    for &(leaf, s) in &walk.leaves {
                        let v = t.value[leaf];
                        for_each_bit(&walk.sets[s..s + words], |h| acc[h] += v);
                    }
                }
                for (o, sum) in out.iter_mut().zip(acc) {
                    let m = self.base_score + sum;
                    *o = if transform { self.link_f64(m) } else { m };
                }
            }
        }
        Ok(out)
    }
}

/// One tree's walk: the leaves reached and, for each, the offset of its hybrid set in `sets`.
struct Walk<'a> {
    x: &'a [f64],
    b: &'a [f64],
    group: &'a [i32],
    bit_sets: &'a [u64],
    d: usize,
    words: usize,
    /// Hybrid sets, `words` each: the root's first, then children as they are split.
    sets: Vec<u64>,
    leaves: Vec<(usize, usize)>,
}

impl Walk<'_> {
    fn tree(&mut self, t: &Tree) {
        self.sets.clear();
        self.leaves.clear();
        // The root holds every hybrid; with fewer than 64 the bits past 2^d stay clear.
        self.sets.resize(self.words, u64::MAX);
        if self.d < 6 {
            self.sets[0] = (1u64 << (1usize << self.d)) - 1;
        }
        self.node(t, 0, 0);
    }

    fn node(&mut self, t: &Tree, node: usize, set: usize) {
        if t.is_leaf(node) {
            self.leaves.push((node, set));
            return;
        }
        let col = t.split_feature[node] as usize;
        let via_b = t.next_node(node, self.b[col]);
        let g = self.group[col];
        if g < 0 {
            return self.node(t, via_b, set);
        }
        let via_x = t.next_node(node, self.x[col]);
        if via_x == via_b {
            return self.node(t, via_x, set);
        }
        let w = self.words;
        let g = g as usize;
        let (to_x, to_b) = (self.sets.len(), self.sets.len() + w);
        let (mut any_x, mut any_b) = (false, false);
        for k in 0..w {
            let s = self.sets[set + k];
            let m = self.bit_sets[g * w + k];
            self.sets.push(s & m);
            any_x |= s & m != 0;
        }
        for k in 0..w {
            let s = self.sets[set + k];
            let m = self.bit_sets[g * w + k];
            self.sets.push(s & !m);
            any_b |= s & !m != 0;
        }
        if any_x {
            self.node(t, via_x, to_x);
        }
        if any_b {
            self.node(t, via_b, to_b);
        }
    }
}

fn for_each_bit(set: &[u64], mut f: impl FnMut(usize)) {
    for (k, &word) in set.iter().enumerate() {
        let mut w = word;
        while w != 0 {
            let bit = w.trailing_zeros() as usize;
            f(k * 64 + bit);
            w &= w - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(path: &str) -> TreeEnsemble {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/reference/models")
            .join(path);
        if path.ends_with(".json") {
            crate::xgboost::load(p).unwrap()
        } else {
            crate::lightgbm::load(p).unwrap()
        }
    }

    /// The hybrids, materialised and scored one by one.
    fn materialised(
        m: &TreeEnsemble,
        x: &[f64],
        b: &[f64],
        groups: &[&[usize]],
        t: bool,
    ) -> Vec<f64> {
        let nf = m.n_features;
        let mut rows = Vec::new();
        for s in 0..1usize << groups.len() {
            let mut r = b.to_vec();
            for (i, g) in groups.iter().enumerate() {
                if s >> i & 1 == 1 {
                    for &c in g.iter() {
                        r[c] = x[c];
                    }
                }
            }
            rows.extend(r);
        }
        if t {
            m.predict(&rows, nf).unwrap()
        } else {
            m.predict_margin(&rows, nf).unwrap()
        }
    }

    #[test]
    fn hybrids_are_bit_identical_to_scoring_each_row() {
        for path in [
            "xgb_binary.json",
            "xgb_regression.json",
            "lgb_binary.txt",
            "lgb_regression.txt",
            "tree_shap_xgb_numeric.json",
        ] {
            let m = model(path);
            let nf = m.n_features;
            // Deterministic rows with NaNs and values spread over the features' ranges.
            let row = |k: usize| -> Vec<f64> {
                (0..nf)
                    .map(|j| {
                        let h = (k * 31 + j * 17) % 23;
                        if h == 0 {
                            f64::NAN
                        } else {
                            (h as f64 - 5.0) * 3.7
                        }
                    })
                    .collect()
            };
            for k in 0..8 {
                let (x, b) = (row(k), row(k + 100));
                let cols: Vec<usize> = (0..nf).collect();
                let singles: Vec<&[usize]> = cols.chunks(1).take(9).collect();
                let pairs: Vec<&[usize]> = cols.chunks(2).collect();
                for groups in [&singles[..], &pairs[..], &singles[..1], &[][..]] {
                    for t in [false, true] {
                        let got = m.hybrid_outputs(&x, &b, groups, t).unwrap();
                        let want = materialised(&m, &x, &b, groups, t);
                        assert_eq!(got.len(), want.len());
                        for (s, (g, w)) in got.iter().zip(&want).enumerate() {
                            assert!(
                                g.to_bits() == w.to_bits(),
                                "{path} row {k} hybrid {s}: {g} vs {w}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn bad_groups_are_refused() {
        let m = model("xgb_binary.json");
        let x = vec![0.0; m.n_features];
        assert!(m.hybrid_outputs(&x, &x, &[&[0], &[0]], false).is_err());
        assert!(m.hybrid_outputs(&x, &x, &[&[m.n_features]], false).is_err());
        assert!(m.hybrid_outputs(&x[1..], &x, &[], false).is_err());
        let many: Vec<usize> = (0..17).collect();
        let groups: Vec<&[usize]> = many.chunks(1).collect();
        if m.n_features >= 17 {
            assert!(m.hybrid_outputs(&x, &x, &groups, false).is_err());
        }
    }
}
