//! Mergeable sufficient statistics of one group, collected in a single pass.
//!
//! Everything a metric needs is a sum, so statistics of batches, threads or
//! groups merge by addition, except the ROC AUC, which needs the scores
//! themselves: they are kept per label (8 bytes a row, 16 when weighted) and
//! merge by concatenation.

use crate::metrics::{ece_bin, Confusion};

/// Index of a (label, prediction) cell: 0 TN, 1 FP, 2 FN, 3 TP.
#[inline]
pub fn cell_index(label: bool, pred: bool) -> usize {
    ((label as usize) << 1) | pred as usize
}

/// Row count, weight sum and squared-weight sum of one confusion cell.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CellStats {
    /// Rows.
    pub n: u64,
    /// Sum of weights (equals `n` when unweighted).
    pub w: f64,
    /// Sum of squared weights (for Kish's effective sample size).
    pub w2: f64,
}

impl CellStats {
    fn merge(&mut self, o: &CellStats) {
        self.n += o.n;
        self.w += o.w;
        self.w2 += o.w2;
    }
}

/// Scores of one label, with weights when the assessment is weighted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreList {
    /// Scores in arrival order.
    pub s: Vec<f64>,
    /// Weights, parallel to `s`; empty when unweighted.
    pub w: Vec<f64>,
}

impl ScoreList {
    /// Weight of row `i`.
    #[inline]
    pub fn weight(&self, i: usize) -> f64 {
        if self.w.is_empty() {
            1.0
        } else {
            self.w[i]
        }
    }
}

/// Score statistics of one group: the scores by label (for the AUC), and the
/// additive sums behind the Brier score and the expected calibration error.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreStats {
    /// `[negatives, positives]` by true label.
    pub by_label: [ScoreList; 2],
    /// Σ w (s − y)².
    pub brier: f64,
    /// Per ECE bin: Σ w, Σ w s, Σ w y.
    pub ece: [[f64; 3]; 10],
}

impl ScoreStats {
    #[inline]
    fn add(&mut self, label: bool, w: f64, s: f64, weighted: bool) {
        let l = &mut self.by_label[label as usize];
        l.s.push(s);
        if weighted {
            l.w.push(w);
        }
        let y = label as u8 as f64;
        self.brier += w * (s - y) * (s - y);
        let b = &mut self.ece[ece_bin(s)];
        b[0] += w;
        b[1] += w * s;
        b[2] += w * y;
    }

    fn merge(&mut self, o: &ScoreStats) {
        for (a, b) in self.by_label.iter_mut().zip(&o.by_label) {
            a.s.extend_from_slice(&b.s);
            a.w.extend_from_slice(&b.w);
        }
        self.brier += o.brier;
        for (a, b) in self.ece.iter_mut().zip(&o.ece) {
            for k in 0..3 {
                a[k] += b[k];
            }
        }
    }

    /// Adds the additive parts (Brier and ECE sums) of `o`, not the scores.
    pub fn merge_sums(&mut self, o: &ScoreStats) {
        self.brier += o.brier;
        for (a, b) in self.ece.iter_mut().zip(&o.ece) {
            for k in 0..3 {
                a[k] += b[k];
            }
        }
    }

    /// Expected calibration error: Σ_b (W_b / W) |ȳ_b − p̄_b| over non-empty bins.
    pub fn ece_value(&self) -> f64 {
        ece_from_bins(&self.ece)
    }
}

/// ECE from per-bin sums (Σ w, Σ w s, Σ w y).
pub fn ece_from_bins(bins: &[[f64; 3]; 10]) -> f64 {
    let total: f64 = bins.iter().map(|b| b[0]).sum();
    if total <= 0.0 {
        return f64::NAN;
    }
    bins.iter()
        .filter(|b| b[0] > 0.0)
        .map(|b| (b[0] / total) * (b[2] / b[0] - b[1] / b[0]).abs())
        .sum()
}

/// All sufficient statistics of one group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupStats {
    /// Confusion cells, indexed by [`cell_index`].
    pub cells: [CellStats; 4],
    /// Score statistics, when a score column is given.
    pub scores: Option<ScoreStats>,
}

impl GroupStats {
    /// Empty statistics; `with_scores` keeps score statistics too.
    pub fn new(with_scores: bool) -> Self {
        GroupStats {
            cells: Default::default(),
            scores: with_scores.then(ScoreStats::default),
        }
    }

    /// Adds one row.
    #[inline]
    pub fn add(&mut self, label: bool, pred: bool, w: f64, score: f64, weighted: bool) {
        let c = &mut self.cells[cell_index(label, pred)];
        c.n += 1;
        c.w += w;
        c.w2 += w * w;
        if let Some(s) = &mut self.scores {
            s.add(label, w, score, weighted);
        }
    }

    /// Adds another group's statistics (a different batch or a sub-group).
    pub fn merge(&mut self, o: &GroupStats) {
        for (a, b) in self.cells.iter_mut().zip(&o.cells) {
            a.merge(b);
        }
        match (&mut self.scores, &o.scores) {
            (Some(a), Some(b)) => a.merge(b),
            (None, Some(b)) => self.scores = Some(b.clone()),
            _ => {}
        }
    }

    /// Number of rows.
    pub fn count(&self) -> u64 {
        self.cells.iter().map(|c| c.n).sum()
    }

    /// Weighted confusion counts.
    pub fn confusion(&self) -> Confusion {
        Confusion {
            tn: self.cells[0].w,
            fp: self.cells[1].w,
            fn_: self.cells[2].w,
            tp: self.cells[3].w,
        }
    }

    /// Kish's effective sample size (Σw)² / Σw² of the rows in `cells`.
    pub fn effective_n(&self, cells: &[usize]) -> f64 {
        let (w, w2) = cells.iter().fold((0.0, 0.0), |(a, b), &i| {
            (a + self.cells[i].w, b + self.cells[i].w2)
        });
        if w2 > 0.0 {
            w * w / w2
        } else {
            0.0
        }
    }
}
