//! Growing one regression tree on gradient/hessian histograms.
//!
//! Splits maximise the second-order gain of Chen & Guestrin (2016, eq. 7, without the ½ and
//! the γ penalty): `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)`; a leaf's value is `−G/(H+λ)`
//! times the learning rate (eq. 5). Candidate splits are the bin edges of [`super::binning`];
//! for each one both directions of the missing-value bin are tried and the better one is
//! learned as the node's default direction (a node without missing values sends them to the
//! child with the larger hessian sum). Growth is leaf-wise (best-first), as in LightGBM
//! (Ke et al. 2017): the leaf whose best split has the largest gain is split next, until
//! `max_leaves` leaves or no leaf can be split (`max_depth`, `min_samples_leaf`,
//! `min_child_weight`). Only the smaller child's histogram is built from its rows; the other is
//! the parent's minus it (the "histogram subtraction" trick of LightGBM).
//!
//! Each feature's histogram is built from the node's rows in row order (features in parallel
//! for large nodes), so the result does not depend on the number of threads.

use rayon::prelude::*;

use super::binning::Binned;
use super::GradientBoosting;
use crate::tree::{Decision, MissingType, Tree};

/// Sums of gradients, hessians and rows in one histogram slot (or a node).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Stats {
    pub g: f64,
    pub h: f64,
    pub n: u64,
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.g += o.g;
        self.h += o.h;
        self.n += o.n;
    }

    fn minus(&self, o: &Stats) -> Stats {
        Stats {
            g: self.g - o.g,
            h: self.h - o.h,
            n: self.n - o.n,
        }
    }
}

/// Rows × features below which a histogram is built on one thread (waking rayon's workers
/// costs more than the work below this size).
const PARALLEL_MIN_WORK: usize = 1 << 17;

/// Builds the histogram of `rows` (every feature) into `out` (`binned.total_slots` slots).
fn build_histogram(b: &Binned, rows: &[u32], g: &[f64], h: &[f64], out: &mut [Stats]) {
    out.fill(Stats::default());
    // Gradients in node order, so the per-feature loops read them sequentially.
    let gh: Vec<(f64, f64)> = rows
        .iter()
        .map(|&r| (g[r as usize], h[r as usize]))
        .collect();
    let mut slices = Vec::with_capacity(b.uppers.len());
    let mut rest = out;
    for j in 0..b.uppers.len() {
        let (mine, tail) = rest.split_at_mut(b.n_bins(j) + 1);
        slices.push(mine);
        rest = tail;
    }
    let one = |(j, hist): (usize, &mut [Stats])| {
        let codes = b.column(j);
        for (&r, &(gi, hi)) in rows.iter().zip(&gh) {
            let s = &mut hist[codes[r as usize] as usize];
            s.g += gi;
            s.h += hi;
            s.n += 1;
        }
    };
    if rows.len() * slices.len() < PARALLEL_MIN_WORK {
        slices.into_iter().enumerate().for_each(one);
    } else {
        slices.into_par_iter().enumerate().for_each(one);
    }
}

/// A chosen split of a leaf.
#[derive(Debug, Clone, Copy)]
struct Split {
    gain: f64,
    feature: usize,
    /// Rows with a non-missing bin `<= bin` go left.
    bin: usize,
    /// Whether missing values go left.
    default_left: bool,
    /// Statistics of the left child.
    left: Stats,
}

fn score(s: &Stats, lambda: f64) -> f64 {
    let d = s.h + lambda;
    if d > 0.0 {
        s.g * s.g / d
    } else {
        0.0
    }
}

/// The leaf value `−G/(H+λ)` (before the learning rate).
pub(super) fn leaf_weight(s: &Stats, lambda: f64) -> f64 {
    let d = s.h + lambda;
    if d > 0.0 {
        -s.g / d
    } else {
        0.0
    }
}

/// The best split of a node with statistics `total` and histogram `hist`, if any has positive
/// gain and satisfies the child constraints. Ties keep the first feature and bin.
fn best_split(b: &Binned, hist: &[Stats], total: &Stats, p: &GradientBoosting) -> Option<Split> {
    let parent = score(total, p.lambda);
    let allowed = |s: &Stats| s.n >= p.min_samples_leaf as u64 && s.h >= p.min_child_weight;
    // One pass over a few hundred slots per feature: cheaper on one thread than spread out.
    let per_feature: Vec<Option<Split>> = (0..b.uppers.len())
        .map(|j| {
            let nb = b.n_bins(j);
            let slots = &hist[b.offsets[j]..b.offsets[j] + nb + 1];
            let miss = slots[nb];
            let mut best: Option<Split> = None;
            let mut consider = |left: Stats, bin: usize, default_left: bool| {
                let right = total.minus(&left);
                if !allowed(&left) || !allowed(&right) {
                    return;
                }
                let gain = score(&left, p.lambda) + score(&right, p.lambda) - parent;
                if gain > 0.0 && best.is_none_or(|s| gain > s.gain) {
                    best = Some(Split {
                        gain,
                        feature: j,
                        bin,
                        default_left,
                        left,
                    });
                }
            };
            let mut acc = Stats::default();
            for (bin, s) in slots[..nb].iter().enumerate() {
                acc.add(s);
                if miss.n == 0 {
                    if bin + 1 < nb {
                        // No missing values here: they go to the heavier child.
                        consider(acc, bin, acc.h >= total.h - acc.h);
                    }
                } else {
                    // Missing right (for the last bin: all values left, missing right).
                    consider(acc, bin, false);
                    if bin + 1 < nb {
                        let mut with_missing = acc;
                        with_missing.add(&miss);
                        consider(with_missing, bin, true);
                    }
                }
            }
            best
        })
        .collect();
    per_feature
        .into_iter()
        .flatten()
        .fold(None, |best: Option<Split>, s| match best {
            Some(b) if b.gain >= s.gain => Some(b),
            _ => Some(s),
        })
}

/// A leaf of the tree being grown: its node, its rows (a range of the row order), depth,
/// statistics, histogram and best split.
struct Leaf {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    stats: Stats,
    hist: Vec<Stats>,
    split: Option<Split>,
}

/// The grown tree and, for each of its leaves, the range of `rows` that reached it.
pub(super) struct Grown {
    pub tree: Tree,
    pub leaves: Vec<(usize, usize, usize)>,
}

/// Grows one tree on gradients `g` and hessians `h` (per row). `rows` holds the training rows
/// (all of them, any order on entry) and is reordered so that each leaf's rows are contiguous.
pub(super) fn grow(
    b: &Binned,
    rows: &mut [u32],
    g: &[f64],
    h: &[f64],
    p: &GradientBoosting,
) -> Grown {
    let max_leaves = p.max_leaves.unwrap_or(usize::MAX);
    let max_depth = p.max_depth.unwrap_or(usize::MAX);
    let mut tree = Tree {
        left: vec![],
        right: vec![],
        split_feature: vec![],
        threshold: vec![],
        default_left: vec![],
        missing: vec![],
        decision: vec![],
        category_set: vec![],
        category_sets: vec![],
        value: vec![],
        cover: Some(vec![]),
        count: Some(vec![]),
        gain: vec![],
        shrinkage: Some(p.learning_rate),
    };
    let push = |tree: &mut Tree, s: &Stats| {
        tree.left.push(-1);
        tree.right.push(-1);
        tree.split_feature.push(0);
        tree.threshold.push(0.0);
        tree.default_left.push(false);
        tree.missing.push(MissingType::None);
        tree.decision.push(Decision::Leaf);
        tree.category_set.push(None);
        tree.value.push(leaf_weight(s, p.lambda) * p.learning_rate);
        tree.cover.as_mut().expect("set").push(s.h);
        tree.count.as_mut().expect("set").push(s.n);
        tree.gain.push(0.0);
        tree.left.len() - 1
    };
    let mut hist = vec![Stats::default(); b.total_slots];
    build_histogram(b, rows, g, h, &mut hist);
    let mut stats = Stats::default();
    for &r in rows.iter() {
        stats.g += g[r as usize];
        stats.h += h[r as usize];
    }
    stats.n = rows.len() as u64;
    let root = push(&mut tree, &stats);
    let split = (max_depth > 0 && max_leaves > 1)
        .then(|| best_split(b, &hist, &stats, p))
        .flatten();
    let mut open = vec![Leaf {
        node: root,
        start: 0,
        end: rows.len(),
        depth: 0,
        stats,
        hist,
        split,
    }];
    let mut done: Vec<(usize, usize, usize)> = Vec::new();
    let mut n_leaves = 1;
    let mut scratch: Vec<u32> = Vec::new();
    while n_leaves < max_leaves {
        // The open leaf with the largest gain (the lowest node on ties).
        let Some(pick) = open
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.split.map(|s| (i, s.gain, l.node)))
            .fold(None, |best: Option<(usize, f64, usize)>, c| match best {
                Some(b) if b.1 > c.1 || (b.1 == c.1 && b.2 < c.2) => Some(b),
                _ => Some(c),
            })
            .map(|c| c.0)
        else {
            break;
        };
        let leaf = open.swap_remove(pick);
        let s = leaf.split.expect("picked leaves have a split");
        let nb = b.n_bins(s.feature);
        // Stable partition of the leaf's rows.
        let codes = b.column(s.feature);
        let goes_left = |r: u32| {
            let c = codes[r as usize] as usize;
            if c == nb {
                s.default_left
            } else {
                c <= s.bin
            }
        };
        let range = &mut rows[leaf.start..leaf.end];
        scratch.clear();
        let mut k = 0;
        for i in 0..range.len() {
            let r = range[i];
            if goes_left(r) {
                range[k] = r;
                k += 1;
            } else {
                scratch.push(r);
            }
        }
        range[k..].copy_from_slice(&scratch);
        let mid = leaf.start + k;
        let mut left_stats = s.left;
        left_stats.n = k as u64;
        let mut right_stats = leaf.stats.minus(&s.left);
        right_stats.n = (leaf.end - mid) as u64;
        let l = push(&mut tree, &left_stats);
        let r = push(&mut tree, &right_stats);
        let node = leaf.node;
        tree.left[node] = l as i32;
        tree.right[node] = r as i32;
        tree.split_feature[node] = s.feature as u32;
        tree.threshold[node] = b.uppers[s.feature].get(s.bin).copied().unwrap_or(f64::MAX);
        tree.default_left[node] = s.default_left;
        tree.missing[node] = MissingType::NaN;
        tree.decision[node] = Decision::LessEqual;
        tree.gain[node] = s.gain;
        n_leaves += 1;
        if n_leaves == max_leaves {
            // No further split: the children need no histograms.
            done.push((l, leaf.start, mid));
            done.push((r, mid, leaf.end));
            break;
        }
        // Histograms: the smaller child from its rows, the other by subtraction.
        let mut parent_hist = leaf.hist;
        let mut small = vec![Stats::default(); b.total_slots];
        let left_is_small = k <= leaf.end - mid;
        let small_rows = if left_is_small {
            &rows[leaf.start..mid]
        } else {
            &rows[mid..leaf.end]
        };
        build_histogram(b, small_rows, g, h, &mut small);
        for (ph, sh) in parent_hist.iter_mut().zip(&small) {
            *ph = ph.minus(sh);
        }
        let (left_hist, right_hist) = if left_is_small {
            (small, parent_hist)
        } else {
            (parent_hist, small)
        };
        let depth = leaf.depth + 1;
        for (node, start, end, st, hi) in [
            (l, leaf.start, mid, left_stats, left_hist),
            (r, mid, leaf.end, right_stats, right_hist),
        ] {
            let split = (depth < max_depth)
                .then(|| best_split(b, &hi, &st, p))
                .flatten();
            if split.is_some() {
                open.push(Leaf {
                    node,
                    start,
                    end,
                    depth,
                    stats: st,
                    hist: hi,
                    split,
                });
            } else {
                done.push((node, start, end));
            }
        }
    }
    done.extend(open.iter().map(|l| (l.node, l.start, l.end)));
    Grown { tree, leaves: done }
}
