//! The disparate-impact remover of Feldman, Friedler, Moeller, Scheidegger & Venkatasubramanian
//! (2015, "Certifying and removing disparate impact", KDD), exactly as AIF360's
//! `aif360.algorithms.preprocessing.DisparateImpactRemover(repair_level)` computes it through
//! BlackBoxAuditing's repairer (`BlackBoxAuditing.repairers.CategoricRepairer`, numeric
//! columns, `kdd=False`).
//!
//! Every feature column is repaired on its own, with the groups as strata. In the paper, each
//! value moves toward the value at the same quantile of the "median distribution" of the
//! groups; BlackBoxAuditing discretises that as follows, and assay follows it step by step:
//!
//! 1. `U` = the column's distinct values, ascending (over all rows).
//! 2. For every group, its distinct values, ascending, each with the rows holding it
//!    (quantiles are over *distinct* values, not rows: a value held by many rows counts once).
//! 3. `q = min` over the groups of their number of distinct values; `unit = 1.0 / q`.
//! 4. For bucket `b = 0 .. q`, for every group with `v` distinct values and offset `o`
//!    (starting at 0.0, `o += unit` after each bucket, in floating point):
//!    `start = round(o · v)`, `len = round((o + unit) · v) − start` (Python's `round`: halves
//!    to even); the bucket is the group's distinct values `start .. start + len`, and the
//!    group's median is their lower median (element `(len − 1) / 2`).
//! 5. The target of the bucket is the lower median of the groups' medians.
//! 6. A value at position `i` of `U` in the bucket, with the target at position `t`, becomes
//!    `U[i + round((t − i) · repair_level)]` (halves to even): a full repair moves it to the
//!    target, a partial one to the distinct value that far along the sorted values (a repaired
//!    value is always a value of the data).
//!
//! AIF360 stratifies on Freedman–Diaconis histogram bins of the protected column, not on its
//! values; for group codes `0, 1, …` those bins are the groups as long as
//! `2 · IQR(codes) · n^(-1/3) < 1` (the golden script checks it). assay always stratifies on the
//! groups, as the paper does. Like AIF360, the repair is transductive: it repairs the rows it is
//! given (training and test data are each repaired with their own distributions) and keeps no
//! fitted state.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use assay_model::learners::Matrix;

use super::check_groups;
use crate::error::MitigationError;
use crate::groups::Groups;

/// AIF360's `DisparateImpactRemover(repair_level)` (Feldman et al. 2015); see the module
/// documentation for the exact definition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DisparateImpactRemover {
    /// Amount of repair in `[0, 1]`: 0 changes nothing, 1 gives every group the same
    /// (bucketed) distribution of every feature.
    pub repair_level: f64,
}

impl DisparateImpactRemover {
    /// A remover; an error unless `repair_level` is in `[0, 1]` (as AIF360).
    pub fn new(repair_level: f64) -> Result<DisparateImpactRemover, MitigationError> {
        if !(0.0..=1.0).contains(&repair_level) {
            return Err(MitigationError::Parameter(format!(
                "disparate-impact remover repair level is {repair_level}; it must be between 0 \
                 (no repair) and 1 (full repair)"
            )));
        }
        Ok(DisparateImpactRemover { repair_level })
    }

    /// The repaired features (row-major, same shape as `x`): every column of `x` repaired with
    /// the rows' groups as strata. Columns that must not change (the sensitive feature itself,
    /// identifiers) are left out of `x` by the caller.
    pub fn repair(&self, x: &Matrix, groups: &Groups) -> Result<Vec<f64>, MitigationError> {
        DisparateImpactRemover::new(self.repair_level)?;
        let (n, p) = (x.n_rows(), x.n_cols());
        if n == 0 {
            return Err(MitigationError::Empty);
        }
        check_groups(groups, n)?;
        if let Some(at) = x.data().iter().position(|v| !v.is_finite()) {
            return Err(MitigationError::Data(format!(
                "row {}, column {}: feature value {} is not a finite number; impute missing \
                 values before the disparate-impact remover",
                at / p,
                at % p,
                x.data()[at]
            )));
        }
        let columns: Vec<Vec<f64>> = (0..p)
            .into_par_iter()
            .map(|j| repair_column(x, j, &groups.codes, self.repair_level))
            .collect();
        let mut out = vec![0.0; n * p];
        for (j, col) in columns.iter().enumerate() {
            for (i, v) in col.iter().enumerate() {
                out[i * p + j] = *v;
            }
        }
        Ok(out)
    }
}

/// Python's `round(x)` for a float: nearest integer, halves to even.
fn py_round(x: f64) -> i64 {
    x.round_ties_even() as i64
}

fn cmp(a: &f64, b: &f64) -> std::cmp::Ordering {
    a.partial_cmp(b).expect("finite values")
}

/// Repairs column `j`; returns its new values.
fn repair_column(x: &Matrix, j: usize, codes: &[u32], level: f64) -> Vec<f64> {
    let n = x.n_rows();
    let value = |i: usize| x.data()[i * x.n_cols() + j];
    let mut out: Vec<f64> = (0..n).map(value).collect();

    // 1. distinct values of the column
    let mut distinct = out.clone();
    distinct.sort_by(cmp);
    distinct.dedup_by(|a, b| a == b);

    // 2. rows sorted by (group, value); per group, the runs of equal values
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|&a, &b| {
        codes[a as usize]
            .cmp(&codes[b as usize])
            .then_with(|| cmp(&value(a as usize), &value(b as usize)))
    });
    // run_start[r]..run_start[r + 1] are the positions in `order` of distinct value r;
    // the runs of stratum s are group_runs[s]..group_runs[s + 1]
    let mut run_start = Vec::with_capacity(n + 1);
    let mut group_runs = Vec::new();
    for (pos, &row) in order.iter().enumerate() {
        let row = row as usize;
        let new_group = pos == 0 || codes[order[pos - 1] as usize] != codes[row];
        if new_group {
            group_runs.push(run_start.len());
        }
        if new_group || value(order[pos - 1] as usize) != value(row) {
            run_start.push(pos);
        }
    }
    group_runs.push(run_start.len());
    run_start.push(n);
    let n_strata = group_runs.len() - 1;
    let n_distinct = |s: usize| group_runs[s + 1] - group_runs[s];

    // 3. number of buckets
    let q = (0..n_strata).map(n_distinct).min().unwrap_or(0);
    let unit = 1.0 / q as f64;
    let mut offset = vec![0.0f64; n_strata];
    let mut bucket = vec![(0usize, 0usize); n_strata];
    let mut medians = Vec::with_capacity(n_strata);
    for _ in 0..q {
        // 4. every stratum's bucket and its lower median
        medians.clear();
        for s in 0..n_strata {
            let v = n_distinct(s);
            let start = py_round(offset[s] * v as f64);
            let len = py_round((offset[s] + unit) * v as f64) - start;
            offset[s] += unit;
            if len > 0 {
                let start = (start.max(0) as usize).min(v);
                let end = (start + len as usize).min(v);
                bucket[s] = (start, end);
                if end > start {
                    let first = group_runs[s] + start;
                    let mid = first + (end - start - 1) / 2;
                    medians.push(value(order[run_start[mid]] as usize));
                }
            } else {
                bucket[s] = (0, 0);
            }
        }
        // 5. lower median of the medians
        medians.sort_by(cmp);
        let target = medians[(medians.len() - 1) / 2];
        let t = distinct
            .binary_search_by(|d| cmp(d, &target))
            .expect("a median is a value of the column") as i64;
        // 6. move every value of the buckets
        for s in 0..n_strata {
            let (start, end) = bucket[s];
            for r in group_runs[s] + start..group_runs[s] + end {
                let rows = &order[run_start[r]..run_start[r + 1]];
                let original = value(rows[0] as usize);
                let i = distinct
                    .binary_search_by(|d| cmp(d, &original))
                    .expect("every value is among the distinct values")
                    as i64;
                let moved = py_round((t - i) as f64 * level);
                let repaired = distinct[(i + moved) as usize];
                for &row in rows {
                    out[row as usize] = repaired;
                }
            }
        }
    }
    out
}

/// One group's map of one column, learnt from the training rows: the group's distinct
/// training values (ascending) and the repaired value of each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRepairMap {
    /// The group's distinct training values, ascending (empty for a group without rows).
    pub values: Vec<f64>,
    /// The repaired value of each (the value [`DisparateImpactRemover::repair`] gave the
    /// training rows holding it).
    pub repaired: Vec<f64>,
}

impl GroupRepairMap {
    /// The repaired value of `v`: the repaired value of the group's largest training value
    /// `≤ v` (its rank in the group's training distribution), or of the smallest training value
    /// when `v` is below all of them. A training value maps to its own repair.
    pub fn map(&self, v: f64) -> Option<f64> {
        if self.values.is_empty() {
            return None;
        }
        let k = self.values.partition_point(|&u| u <= v);
        Some(self.repaired[k.saturating_sub(1)])
    }
}

/// A disparate-impact remover fitted on training rows (Feldman et al. 2015's repair, as
/// [`DisparateImpactRemover::repair`], made inductive): for every column and group, the map
/// from the group's training values to their repaired values. [`Self::transform`] of the
/// training rows equals `repair` of them exactly; a new row's value is mapped by its rank in its
/// group's training values: a value seen in training gets that value's repair, an unseen one
/// the repair of the largest training value of the group below it (of the smallest when it is
/// below all). AIF360 keeps no fitted state (it repairs test data with the test data's own
/// distributions); this is assay's extension, so that a saved model decides row by row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedDisparateImpactRemover {
    /// The repair level it was fitted with.
    pub repair_level: f64,
    /// Group names, indexed as at fit time.
    pub group_names: Vec<String>,
    /// Number of feature columns.
    pub n_features: usize,
    /// `columns[j][g]`: column `j`'s map in group `g`.
    pub columns: Vec<Vec<GroupRepairMap>>,
}

impl DisparateImpactRemover {
    /// Repairs the training rows as [`DisparateImpactRemover::repair`] does and keeps the
    /// per-group maps from training values to repaired values; returns the fitted remover and
    /// the repaired rows (row-major).
    pub fn fit_transform(
        &self,
        x: &Matrix,
        groups: &Groups,
    ) -> Result<(FittedDisparateImpactRemover, Vec<f64>), MitigationError> {
        let repaired = self.repair(x, groups)?;
        let (n, p) = (x.n_rows(), x.n_cols());
        let k = groups.n_groups();
        let mut columns = Vec::with_capacity(p);
        for j in 0..p {
            let mut pairs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); k];
            for i in 0..n {
                pairs[groups.codes[i] as usize].push((x.data()[i * p + j], repaired[i * p + j]));
            }
            let mut maps = Vec::with_capacity(k);
            for (g, mut v) in pairs.into_iter().enumerate() {
                v.sort_by(|a, b| cmp(&a.0, &b.0));
                let mut map = GroupRepairMap {
                    values: Vec::new(),
                    repaired: Vec::new(),
                };
                for (value, rep) in v {
                    if map.values.last() == Some(&value) {
                        // The repair moves every row of a value in a group alike.
                        if map.repaired.last() != Some(&rep) {
                            return Err(MitigationError::Data(format!(
                                "column {j}, group '{}': value {value} was repaired to two values",
                                groups.names[g]
                            )));
                        }
                    } else {
                        map.values.push(value);
                        map.repaired.push(rep);
                    }
                }
                maps.push(map);
            }
            columns.push(maps);
        }
        Ok((
            FittedDisparateImpactRemover {
                repair_level: self.repair_level,
                group_names: groups.names.clone(),
                n_features: p,
                columns,
            },
            repaired,
        ))
    }
}

impl FittedDisparateImpactRemover {
    /// The repaired rows of `x` (row-major) whose groups are `groups` (matched to the fit-time
    /// groups by name); an error names a group without training rows and a value that is not
    /// a finite number.
    pub fn transform(&self, x: &Matrix, groups: &Groups) -> Result<Vec<f64>, MitigationError> {
        let (n, p) = (x.n_rows(), x.n_cols());
        if p != self.n_features {
            return Err(MitigationError::Data(format!(
                "the disparate-impact remover was fitted on {} features, the data has {p}",
                self.n_features
            )));
        }
        check_groups(groups, n)?;
        let code: Vec<Option<usize>> = groups
            .names
            .iter()
            .map(|g| self.group_names.iter().position(|h| h == g))
            .collect();
        let mut out = vec![0.0; n * p];
        for i in 0..n {
            let name = &groups.names[groups.codes[i] as usize];
            let g = code[groups.codes[i] as usize].ok_or_else(|| {
                MitigationError::Data(format!(
                    "row {i}: group '{name}' was not seen when the disparate-impact remover was fitted (groups: {})",
                    self.group_names.join(", ")
                ))
            })?;
            for j in 0..p {
                let v = x.data()[i * p + j];
                if !v.is_finite() {
                    return Err(MitigationError::Data(format!(
                        "row {i}, column {j}: feature value {v} is not a finite number"
                    )));
                }
                out[i * p + j] = self.columns[j][g].map(v).ok_or_else(|| {
                    MitigationError::Data(format!(
                        "row {i}: group '{name}' had no training rows to repair by"
                    ))
                })?;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blackboxauditing_numerical_example() {
        // BlackBoxAuditing's CategoricRepairer test_numerical: stratum x: 1,1,2,2,3,3;
        // stratum y: 1,1,2; full repair gives x: 1,1,1,1,2,2 and y unchanged.
        let x = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 1.0, 1.0, 2.0];
        let m = Matrix::new(&x, 1).unwrap();
        let g = Groups {
            codes: vec![0, 0, 0, 0, 0, 0, 1, 1, 1],
            names: vec!["x".into(), "y".into()],
        };
        let out = DisparateImpactRemover::new(1.0)
            .unwrap()
            .repair(&m, &g)
            .unwrap();
        assert_eq!(out, vec![1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0]);
    }

    #[test]
    fn hand_computed_partial_repair() {
        // group a: 0, 10 ; group b: 20, 30, 40 ; q = 2 buckets, unit 0.5
        // bucket 0: a -> [0] (median 0), b -> round(0)=0 .. round(1.5)=2 -> [20, 30]
        //   (lower median 20); target = lower median of {0, 20} = 0
        // bucket 1: a -> [10], b -> 2 .. round(3.0)=3 -> [40]; target lower median {10, 40} = 10
        // distinct: 0 10 20 30 40 (positions 0..4)
        // level 1: a stays 0, 10; b: 20 -> 0, 30 -> 0, 40 -> 10
        // level 0.5: 20 (pos 2 -> 0: round(-1.0) = -1) -> 10; 30 (pos 3: round(-1.5) = -2) -> 10;
        //   40 (pos 4 -> 1: round(-1.5) = -2) -> 20
        let x = [0.0, 10.0, 20.0, 30.0, 40.0];
        let m = Matrix::new(&x, 1).unwrap();
        let g = Groups {
            codes: vec![0, 0, 1, 1, 1],
            names: vec!["a".into(), "b".into()],
        };
        let full = DisparateImpactRemover::new(1.0)
            .unwrap()
            .repair(&m, &g)
            .unwrap();
        assert_eq!(full, vec![0.0, 10.0, 0.0, 0.0, 10.0]);
        let half = DisparateImpactRemover::new(0.5)
            .unwrap()
            .repair(&m, &g)
            .unwrap();
        assert_eq!(half, vec![0.0, 10.0, 10.0, 10.0, 20.0]);
        let none = DisparateImpactRemover::new(0.0)
            .unwrap()
            .repair(&m, &g)
            .unwrap();
        assert_eq!(none, x.to_vec());
    }

    #[test]
    fn columns_are_independent_and_inputs_checked() {
        let x = [0.0, 5.0, 10.0, 6.0, 20.0, 7.0, 30.0, 8.0, 40.0, 9.0];
        let m = Matrix::new(&x, 2).unwrap();
        let g = Groups {
            codes: vec![0, 0, 1, 1, 1],
            names: vec!["a".into(), "b".into()],
        };
        let out = DisparateImpactRemover::new(1.0)
            .unwrap()
            .repair(&m, &g)
            .unwrap();
        let col0: Vec<f64> = out.iter().step_by(2).copied().collect();
        assert_eq!(col0, vec![0.0, 10.0, 0.0, 0.0, 10.0]);
        assert!(DisparateImpactRemover::new(1.1).is_err());
        let bad = [0.0, f64::INFINITY];
        let m = Matrix::new(&bad, 1).unwrap();
        let g = Groups {
            codes: vec![0, 1],
            names: vec!["a".into(), "b".into()],
        };
        assert!(DisparateImpactRemover::new(1.0)
            .unwrap()
            .repair(&m, &g)
            .is_err());
    }

    #[test]
    fn fitted_transform_of_training_rows_equals_repair() {
        // A pseudo-random table with ties, three groups, two columns, several levels.
        let mut z = 7u64;
        let mut next = || {
            z = z
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (z >> 33) as f64 / (1u64 << 31) as f64
        };
        let n = 300;
        let mut x = Vec::with_capacity(2 * n);
        let mut codes = Vec::with_capacity(n);
        for i in 0..n {
            let g = (i % 3) as u32;
            codes.push(g);
            x.push((next() * 20.0).floor() + f64::from(g) * 3.0);
            x.push(next() + f64::from(g));
        }
        let m = Matrix::new(&x, 2).unwrap();
        let g = Groups {
            codes,
            names: vec!["a".into(), "b".into(), "c".into()],
        };
        for level in [0.0, 0.3, 0.5, 1.0] {
            let r = DisparateImpactRemover::new(level).unwrap();
            let (fitted, t) = r.fit_transform(&m, &g).unwrap();
            assert_eq!(t, r.repair(&m, &g).unwrap(), "level {level}");
            assert_eq!(fitted.transform(&m, &g).unwrap(), t, "level {level}");
        }
    }

    #[test]
    fn unseen_values_map_by_rank_and_unseen_groups_are_refused() {
        // From hand_computed_partial_repair: full repair maps b's 20, 30, 40 to 0, 0, 10.
        let x = [0.0, 10.0, 20.0, 30.0, 40.0];
        let m = Matrix::new(&x, 1).unwrap();
        let g = Groups {
            codes: vec![0, 0, 1, 1, 1],
            names: vec!["a".into(), "b".into()],
        };
        let (fitted, _) = DisparateImpactRemover::new(1.0)
            .unwrap()
            .fit_transform(&m, &g)
            .unwrap();
        // b: 35 ranks after 30 (-> 0), 45 after 40 (-> 10), 5 below 20 (-> 0's repair of 20).
        let new = [35.0, 45.0, 5.0, 30.0];
        let nm = Matrix::new(&new, 1).unwrap();
        let ng = Groups {
            codes: vec![0, 0, 0, 0],
            names: vec!["b".into()],
        };
        assert_eq!(
            fitted.transform(&nm, &ng).unwrap(),
            vec![0.0, 10.0, 0.0, 0.0]
        );
        // Group names are matched by name, whatever the codes.
        let ag = Groups {
            codes: vec![0, 0, 0, 0],
            names: vec!["a".into()],
        };
        assert_eq!(
            fitted.transform(&nm, &ag).unwrap(),
            vec![10.0, 10.0, 0.0, 10.0]
        );
        let zg = Groups {
            codes: vec![0, 0, 0, 0],
            names: vec!["z".into()],
        };
        let e = fitted.transform(&nm, &zg).unwrap_err().to_string();
        assert!(e.contains("'z'"), "{e}");
        let nan = [f64::NAN];
        let e = fitted.transform(
            &Matrix::new(&nan, 1).unwrap(),
            &Groups {
                codes: vec![0],
                names: vec!["a".into()],
            },
        );
        assert!(e.is_err());
    }
}
