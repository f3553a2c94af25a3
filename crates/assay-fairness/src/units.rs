//! Reporting units: the intersectional groups, each feature's marginal
//! groups and the overall population, built by merging the per-combination
//! statistics, and the exact ROC AUC of every unit from one global sort.

use rayon::prelude::*;

use crate::accumulate::GroupTable;
use crate::metrics::{Confusion, Metric};
use crate::model::Ordered;
use crate::stats::{ece_from_bins, GroupStats};

/// What a unit is.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitKind {
    /// An intersectional group (index into the table's groups).
    Combo(usize),
    /// A marginal group of feature `f`.
    Marginal(usize),
    /// Everyone.
    Overall,
}

/// One reporting unit.
#[derive(Debug, Clone)]
pub struct Unit {
    /// What it is.
    pub kind: UnitKind,
    /// Feature → value.
    pub group: Ordered<String>,
    /// Member combination groups.
    pub members: Vec<usize>,
    /// Merged statistics (sums only; no score lists).
    pub stats: GroupStats,
}

/// All units: combos first (in table order), then marginals feature by feature, then overall.
pub struct Units {
    /// The units.
    pub units: Vec<Unit>,
    /// For each combination group, the units it belongs to.
    pub of_combo: Vec<Vec<usize>>,
    /// Index range of each feature's marginal units.
    pub marginal_ranges: Vec<std::ops::Range<usize>>,
}

fn sums_only(g: &GroupStats) -> GroupStats {
    let mut s = GroupStats {
        cells: g.cells,
        scores: None,
    };
    if let Some(sc) = &g.scores {
        let mut t = crate::stats::ScoreStats::default();
        t.merge_sums(sc);
        s.scores = Some(t);
    }
    s
}

impl Units {
    /// Builds the units of a table.
    pub fn build(t: &GroupTable) -> Units {
        let mut units: Vec<Unit> = Vec::new();
        let mut of_combo: Vec<Vec<usize>> = vec![Vec::new(); t.groups.len()];
        for (g, (codes, st)) in t.groups.iter().enumerate() {
            let mut group = Ordered::default();
            for (f, c) in codes.iter().enumerate() {
                group.push(t.features[f].clone(), t.values[f][*c as usize].clone());
            }
            units.push(Unit {
                kind: UnitKind::Combo(g),
                group,
                members: vec![g],
                stats: sums_only(st),
            });
            of_combo[g].push(g);
        }
        let mut marginal_ranges = Vec::new();
        for f in 0..t.features.len() {
            let start = units.len();
            for (v, value) in t.values[f].iter().enumerate() {
                let members: Vec<usize> = t
                    .groups
                    .iter()
                    .enumerate()
                    .filter(|(_, (codes, _))| codes[f] as usize == v)
                    .map(|(g, _)| g)
                    .collect();
                if members.is_empty() {
                    continue;
                }
                let mut stats = GroupStats::new(false);
                for &g in &members {
                    stats.merge(&units[g].stats);
                    of_combo[g].push(units.len());
                }
                let mut group = Ordered::default();
                group.push(t.features[f].clone(), value.clone());
                units.push(Unit {
                    kind: UnitKind::Marginal(f),
                    group,
                    members,
                    stats,
                });
            }
            marginal_ranges.push(start..units.len());
        }
        let mut stats = GroupStats::new(false);
        for u in units
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::Combo(_)))
        {
            stats.merge(&u.stats);
        }
        let overall = units.len();
        for oc in of_combo.iter_mut() {
            oc.push(overall);
        }
        units.push(Unit {
            kind: UnitKind::Overall,
            group: Ordered::default(),
            members: (0..t.groups.len()).collect(),
            stats,
        });
        Units {
            units,
            of_combo,
            marginal_ranges,
        }
    }

    /// Index of the overall unit.
    pub fn overall(&self) -> usize {
        self.units.len() - 1
    }
}

/// A scored row in the global sort: score, weight, combination group and label.
#[derive(Debug, Clone, Copy)]
pub struct ScoredRow {
    /// Score.
    pub s: f64,
    /// Weight.
    pub w: f64,
    /// Combination group.
    pub g: u32,
    /// True label.
    pub y: bool,
}

/// Every scored row of the table, sorted by score (ties in any order).
pub fn sorted_scores(t: &GroupTable) -> Vec<ScoredRow> {
    let total: usize = t
        .groups
        .iter()
        .filter_map(|(_, st)| st.scores.as_ref())
        .map(|s| s.by_label[0].s.len() + s.by_label[1].s.len())
        .sum();
    let mut rows = Vec::with_capacity(total);
    for (g, (_, st)) in t.groups.iter().enumerate() {
        if let Some(sc) = &st.scores {
            for (y, list) in sc.by_label.iter().enumerate() {
                for (i, &s) in list.s.iter().enumerate() {
                    rows.push(ScoredRow {
                        s,
                        w: list.weight(i),
                        g: g as u32,
                        y: y == 1,
                    });
                }
            }
        }
    }
    rows.par_sort_unstable_by(|a, b| a.s.total_cmp(&b.s));
    rows
}

/// Incremental weighted Mann–Whitney AUC over rows arriving in score order.
#[derive(Debug, Clone, Copy)]
pub struct AucSweep {
    cur: f64,
    tie_pos: f64,
    tie_neg: f64,
    neg_below: f64,
    pos_total: f64,
    area: f64,
}

impl Default for AucSweep {
    fn default() -> Self {
        AucSweep {
            cur: f64::NAN,
            tie_pos: 0.0,
            tie_neg: 0.0,
            neg_below: 0.0,
            pos_total: 0.0,
            area: 0.0,
        }
    }
}

impl AucSweep {
    #[inline]
    fn flush(&mut self) {
        self.area += self.tie_pos * (self.neg_below + 0.5 * self.tie_neg);
        self.neg_below += self.tie_neg;
        self.pos_total += self.tie_pos;
        self.tie_pos = 0.0;
        self.tie_neg = 0.0;
    }

    /// Adds a row; scores must arrive in non-decreasing order.
    #[inline]
    pub fn add(&mut self, s: f64, w: f64, y: bool) {
        if s != self.cur {
            self.flush();
            self.cur = s;
        }
        if y {
            self.tie_pos += w;
        } else {
            self.tie_neg += w;
        }
    }

    /// The AUC; NaN when a class has no weight.
    pub fn finish(mut self) -> f64 {
        self.flush();
        if self.pos_total <= 0.0 || self.neg_below <= 0.0 {
            f64::NAN
        } else {
            self.area / (self.pos_total * self.neg_below)
        }
    }
}

/// Exact AUC of every unit, from the globally sorted rows.
pub fn unit_auc(rows: &[ScoredRow], units: &Units) -> Vec<f64> {
    let mut sweeps = vec![AucSweep::default(); units.units.len()];
    for r in rows {
        for &u in &units.of_combo[r.g as usize] {
            sweeps[u].add(r.s, r.w, r.y);
        }
    }
    sweeps.into_iter().map(AucSweep::finish).collect()
}

/// The additive statistics behind a unit's metrics.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnitSums {
    /// Weighted confusion counts.
    pub conf: Confusion,
    /// Σ w (s − y)² over scored rows.
    pub brier: f64,
    /// Σ w over scored rows.
    pub wscore: f64,
    /// Per ECE bin: Σ w, Σ w s, Σ w y.
    pub ece: [[f64; 3]; 10],
    /// ROC AUC.
    pub auc: f64,
}

impl UnitSums {
    /// Exact sums of a unit, with its exact AUC.
    pub fn of(u: &Unit, auc: f64) -> UnitSums {
        let (brier, ece) = match &u.stats.scores {
            Some(s) => (s.brier, s.ece),
            None => (0.0, [[0.0; 3]; 10]),
        };
        UnitSums {
            conf: u.stats.confusion(),
            wscore: u.stats.confusion().total(),
            brier,
            ece,
            auc,
        }
    }

    /// Value of metric `m`.
    pub fn metric(&self, m: Metric) -> f64 {
        match m {
            Metric::Auc => self.auc,
            Metric::Brier => self.brier / self.wscore,
            Metric::Ece => ece_from_bins(&self.ece),
            other => self.conf.metric(other).unwrap_or(f64::NAN),
        }
    }
}
