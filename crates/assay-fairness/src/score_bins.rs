//! Score bins: the resampling cells of the score metrics (AUC, Brier, ECE).
//! One bin per distinct score of a (group, label) when there are at most
//! [`SCORE_BINS`], else quantile bins that never split ties or calibration
//! bins (see [`crate::bootstrap`]).

use crate::bootstrap::{Cell, SCORE_BINS};
use crate::metrics::ece_bin;
use crate::units::ScoredRow;

/// A score bin: resampling cell of the score metrics.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScoreBin {
    pub(crate) g: u32,
    pub(crate) y: bool,
    pub(crate) cell: Cell,
    pub(crate) ws: f64,
    pub(crate) wloss: f64,
    pub(crate) ece: u8,
    pub(crate) first: f64,
    pub(crate) last: f64,
    pub(crate) exact: bool,
}

/// Groups the sorted scored rows into bins per (group, label): one per
/// distinct score when there are at most SCORE_BINS, else quantile bins.
pub(crate) fn score_bins(rows: &[ScoredRow], n_groups: usize) -> (Vec<ScoreBin>, bool) {
    let key = |r: &ScoredRow| r.g as usize * 2 + r.y as usize;
    let mut distinct = vec![0usize; n_groups * 2];
    let mut count = vec![0u64; n_groups * 2];
    let mut last = vec![f64::NAN; n_groups * 2];
    for r in rows {
        let k = key(r);
        if r.s != last[k] {
            distinct[k] += 1;
            last[k] = r.s;
        }
        count[k] += 1;
    }
    let coarse = distinct.iter().any(|&d| d > SCORE_BINS);
    let cap: Vec<u64> = (0..n_groups * 2)
        .map(|k| {
            if distinct[k] <= SCORE_BINS {
                1
            } else {
                count[k].div_ceil(SCORE_BINS as u64)
            }
        })
        .collect();
    let mut open: Vec<Option<usize>> = vec![None; n_groups * 2];
    let mut bins: Vec<ScoreBin> = Vec::new();
    for r in rows {
        let k = key(r);
        let e = ece_bin(r.s) as u8;
        let start_new = match open[k] {
            None => true,
            Some(b) => {
                let bin = &bins[b];
                // Ties never split; a bin closes at its quota or a calibration-bin edge.
                r.s != bin.last && (bin.cell.n >= cap[k] || bin.ece != e)
            }
        };
        let b = if start_new {
            open[k] = Some(bins.len());
            bins.push(ScoreBin {
                g: r.g,
                y: r.y,
                cell: Cell::default(),
                ws: 0.0,
                wloss: 0.0,
                ece: e,
                first: r.s,
                last: r.s,
                exact: cap[k] == 1,
            });
            bins.len() - 1
        } else {
            open[k].unwrap_or(0)
        };
        let bin = &mut bins[b];
        bin.cell.n += 1;
        bin.cell.w += r.w;
        bin.cell.w2 += r.w * r.w;
        bin.ws += r.w * r.s;
        let y = r.y as u8 as f64;
        bin.wloss += r.w * (r.s - y) * (r.s - y);
        bin.last = r.s;
    }
    (bins, coarse)
}

pub(crate) fn rep_score(b: &ScoreBin) -> f64 {
    if !b.exact && b.cell.w > 0.0 {
        b.ws / b.cell.w
    } else {
        b.first
    }
}
