//! Group- and label-balanced resampling: the "uniform sampling" of Kamiran & Calders (2012,
//! "Data preprocessing techniques for classification without discrimination", Knowledge and
//! Information Systems 33(1), section 4.3, algorithm 3).
//!
//! Every (group `g`, label `y`) cell is brought to the size it would have if group and label
//! were independent, `n · P(g) · P(y) = n_g · n_y / n` (row counts, not weights), rounded to
//! the nearest integer with halves rounded up (computed in exact integer arithmetic). A cell
//! that is too small keeps all its rows and gets the missing rows drawn uniformly with
//! replacement from itself (duplicates); a cell that is too large keeps a uniformly random
//! subset of its rows without replacement. The rounding means the resampled total can differ
//! from `n` by a few rows. A cell with no rows cannot be filled: its `drawn` size stays 0 and
//! is reported next to its `target`.
//!
//! Randomness: one `rand_chacha::ChaCha8Rng` seeded with `seed_from_u64(seed)`, used for the
//! cells in order (groups by code, labels ascending); duplicates are `random_range(0..count)`
//! draws, subsets are a partial Fisher–Yates shuffle of the cell's rows in ascending order.
//! The same seed, groups and labels always give the same rows.
//!
//! [`preferential_resample`] is the paper's preferential sampling (algorithm 4): the same
//! targets, but the rows removed or duplicated are chosen by a ranker's scores, without
//! randomness.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{check_groups, label_codes};
use crate::error::{check_len, MitigationError};
use crate::groups::Groups;

/// One (group, label) cell of [`uniform_resample`], for reporting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResampleCell {
    /// Group code (index into [`Groups::names`]).
    pub group: u32,
    /// Group name.
    pub group_name: String,
    /// Label value.
    pub label: f64,
    /// Rows in the cell before resampling.
    pub count: usize,
    /// Expected size `n_g · n_y / n`, rounded half up.
    pub target: usize,
    /// Rows of the cell in the resample: `target`, or 0 for a cell without rows.
    pub drawn: usize,
}

/// The result of [`uniform_resample`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resampled {
    /// Indices of the input rows making up the resampled data set, ascending, with repeats for
    /// duplicated rows.
    pub rows: Vec<usize>,
    /// Every (group, label) cell, groups in code order, labels ascending within a group.
    pub cells: Vec<ResampleCell>,
}

/// The rows of every (group, label) cell and the cells' target sizes.
struct Layout {
    /// Distinct label values, ascending.
    values: Vec<f64>,
    /// Rows of every cell, ascending, cell `c = group · values.len() + label` at
    /// `members[start[c]..start[c + 1]]`.
    members: Vec<usize>,
    start: Vec<usize>,
    /// Target size of every cell, `n_g · n_y / n` rounded half up.
    target: Vec<usize>,
}

impl Layout {
    fn new(groups: &Groups, labels: &[f64]) -> Result<Layout, MitigationError> {
        let n = labels.len();
        if n == 0 {
            return Err(MitigationError::Empty);
        }
        check_groups(groups, n)?;
        let (values, label_code) = label_codes(labels)?;
        let (k, m) = (groups.n_groups(), values.len());
        let cell_of = |i: usize| groups.codes[i] as usize * m + label_code[i] as usize;
        let mut count = vec![0usize; k * m];
        let mut group_count = vec![0usize; k];
        let mut label_count = vec![0usize; m];
        for (i, &lc) in label_code.iter().enumerate() {
            count[cell_of(i)] += 1;
            group_count[groups.codes[i] as usize] += 1;
            label_count[lc as usize] += 1;
        }
        // rows of every cell, ascending, in one buffer (counting sort)
        let mut start = vec![0usize; k * m + 1];
        for c in 0..k * m {
            start[c + 1] = start[c] + count[c];
        }
        let mut members = vec![0usize; n];
        let mut fill = start.clone();
        for i in 0..n {
            let c = cell_of(i);
            members[fill[c]] = i;
            fill[c] += 1;
        }
        let mut target = Vec::with_capacity(k * m);
        for &n_g in &group_count {
            for &n_y in &label_count {
                let prod = n_g as u128 * n_y as u128;
                target.push(((2 * prod + n as u128) / (2 * n as u128)) as usize);
            }
        }
        Ok(Layout {
            values,
            members,
            start,
            target,
        })
    }

    /// Runs `pick(label, rows of the cell, target, output)` for every cell in order and
    /// collects the report.
    fn resample(
        mut self,
        groups: &Groups,
        mut pick: impl FnMut(f64, &mut [usize], usize, &mut Vec<usize>),
    ) -> Resampled {
        let m = self.values.len();
        let mut rows = Vec::with_capacity(self.members.len() + self.members.len() / 2);
        let mut cells = Vec::with_capacity(self.target.len());
        for (c, &target) in self.target.iter().enumerate() {
            let (g, y) = (c / m, c % m);
            let cell = &mut self.members[self.start[c]..self.start[c + 1]];
            let have = cell.len();
            let drawn = if have == 0 {
                0
            } else {
                pick(self.values[y], cell, target, &mut rows);
                target
            };
            cells.push(ResampleCell {
                group: g as u32,
                group_name: groups.names[g].clone(),
                label: self.values[y],
                count: have,
                target,
                drawn,
            });
        }
        rows.sort_unstable();
        Resampled { rows, cells }
    }
}

/// Kamiran & Calders' uniform sampling, seeded (see the module documentation): returns the row
/// indices (with repeats) of a resample in which every (group, label) cell has its expected
/// size under independence of group and label.
pub fn uniform_resample(
    groups: &Groups,
    labels: &[f64],
    seed: u64,
) -> Result<Resampled, MitigationError> {
    let layout = Layout::new(groups, labels)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Ok(layout.resample(groups, |_, cell, target, rows| {
        let have = cell.len();
        if target >= have {
            rows.extend_from_slice(cell);
            for _ in have..target {
                rows.push(cell[rng.random_range(0..have)]);
            }
        } else {
            for j in 0..target {
                let pick = rng.random_range(j..have);
                cell.swap(j, pick);
            }
            rows.extend_from_slice(&cell[..target]);
        }
    }))
}

/// Kamiran & Calders' preferential sampling (2012, section 4.3, algorithm 4): the same cell
/// sizes as [`uniform_resample`], but the rows removed or duplicated are those closest to the
/// decision boundary of a ranker, so no randomness is involved.
///
/// `labels` must be 0/1 (1 the favorable label) and `scores` a ranker's `P(y = 1 | x)` for every
/// row (the caller fits the ranker, e.g. a logistic regression, on the unmitigated data). In a
/// cell of label 1 the borderline rows are those with the lowest scores, in a cell of label 0
/// those with the highest. A cell above its target drops its most borderline rows; a cell below
/// its target keeps all rows and duplicates its rows in borderline order, cycling through the
/// cell again when more duplicates than rows are needed. Ties in score are broken by row
/// order (earlier rows first).
pub fn preferential_resample(
    groups: &Groups,
    labels: &[f64],
    scores: &[f64],
) -> Result<Resampled, MitigationError> {
    check_len("scores", labels.len(), scores.len())?;
    if let Some(row) = labels.iter().position(|&y| y != 0.0 && y != 1.0) {
        return Err(MitigationError::Data(format!(
            "row {row}: label {} is not 0 or 1; preferential sampling needs binary labels \
             (1 = favorable)",
            labels[row]
        )));
    }
    if let Some(row) = scores.iter().position(|s| !s.is_finite()) {
        return Err(MitigationError::Data(format!(
            "row {row}: ranker score {} is not a finite number",
            scores[row]
        )));
    }
    let layout = Layout::new(groups, labels)?;
    Ok(layout.resample(groups, |label, cell, target, rows| {
        // borderline first: ascending score for positives, descending for negatives; the
        // cell's rows are ascending, and the sort is stable
        if label == 1.0 {
            cell.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
        } else {
            cell.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        }
        let have = cell.len();
        if target >= have {
            rows.extend_from_slice(cell);
            rows.extend((0..target - have).map(|j| cell[j % have]));
        } else {
            rows.extend_from_slice(&cell[have - target..]);
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 3 groups with label rates far from independent.
    fn data() -> (Groups, Vec<f64>) {
        let mut codes = Vec::new();
        let mut labels = Vec::new();
        for i in 0..1000u32 {
            let g = [0, 0, 1, 2, 0][i as usize % 5];
            codes.push(g);
            let rate = [7, 3, 1][g as usize];
            let hash = (u64::from(i) * 2_654_435_761) >> 7;
            labels.push(f64::from(u8::from(hash % 10 < rate)));
        }
        let names = vec!["a".into(), "b".into(), "c".into()];
        (Groups { codes, names }, labels)
    }

    #[test]
    fn cells_hit_expected_sizes() {
        let (g, y) = data();
        let r = uniform_resample(&g, &y, 7).unwrap();
        let n = y.len();
        assert!(r.cells.iter().all(|c| c.count > 0));
        for cell in &r.cells {
            let n_g = g.codes.iter().filter(|&&c| c == cell.group).count();
            let n_y = y.iter().filter(|&&v| v == cell.label).count();
            let expected = (n_g * n_y) as f64 / n as f64;
            assert!((cell.target as f64 - expected).abs() <= 0.5, "{cell:?}");
            assert_eq!(cell.drawn, cell.target);
            // the resample really has that many rows of the cell
            let got = r
                .rows
                .iter()
                .filter(|&&i| g.codes[i] == cell.group && y[i] == cell.label)
                .count();
            assert_eq!(got, cell.target, "{cell:?}");
        }
        assert_eq!(r.rows.len(), r.cells.iter().map(|c| c.drawn).sum::<usize>());
        // an over-represented cell keeps distinct rows, an under-represented one keeps all
        // its rows
        for cell in &r.cells {
            let mut rows: Vec<usize> = r
                .rows
                .iter()
                .copied()
                .filter(|&i| g.codes[i] == cell.group && y[i] == cell.label)
                .collect();
            rows.dedup();
            assert_eq!(rows.len(), cell.count.min(cell.target), "{cell:?}");
        }
        assert!(r.rows.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn same_seed_same_rows_other_seed_other_rows() {
        let (g, y) = data();
        let a = uniform_resample(&g, &y, 42).unwrap();
        let b = uniform_resample(&g, &y, 42).unwrap();
        let c = uniform_resample(&g, &y, 43).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.rows, c.rows);
        assert_eq!(a.cells, c.cells);
    }

    #[test]
    fn preferential_hand_computed() {
        let g = Groups {
            codes: vec![0, 0, 0, 0, 1, 1, 1, 1],
            names: vec!["a".into(), "b".into()],
        };
        let y = [1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0];
        let s = [0.9, 0.6, 0.7, 0.4, 0.55, 0.2, 0.45, 0.1];
        // every target is 4 * 4 / 8 = 2; (a,0) duplicates row 3; (a,1) drops its lowest
        // positive (row 1); (b,0) drops its highest negative (row 6); (b,1) duplicates row 4
        let r = preferential_resample(&g, &y, &s).unwrap();
        assert_eq!(r.rows, vec![0, 2, 3, 3, 4, 4, 5, 7]);
        assert!(r.cells.iter().all(|c| c.target == 2 && c.drawn == 2));
        // n = 20; group a: rows 0..10, all positive (scores 0.5 + 0.04 i); group b: rows 10, 11
        // positive (0.6, 0.3), rows 12..20 negative with a tie at the cut
        let mut codes = vec![0u32; 10];
        codes.extend([1u32; 10]);
        let g = Groups {
            codes,
            names: vec!["a".into(), "b".into()],
        };
        let mut y = vec![1.0; 12];
        y.extend([0.0; 8]);
        let mut s: Vec<f64> = (0..10).map(|i| 0.5 + 0.04 * f64::from(i)).collect();
        s.extend([0.6, 0.3, 0.0, 0.1, 0.2, 0.3, 0.3, 0.5, 0.6, 0.7]);
        let r = preferential_resample(&g, &y, &s).unwrap();
        // targets: (a,0) 10*8/20 = 4 but empty; (a,1) 6 of 10: the 6 highest (rows 4..10);
        // (b,0) 4 of 8: drops the 4 highest in stable descending order 19, 18, 17, 15 (15
        // before 16 on the tie); (b,1) 6 from 2 rows: 11, 10 and duplicates cycling 11, 10,
        // 11, 10
        let expect = vec![4, 5, 6, 7, 8, 9, 10, 10, 10, 11, 11, 11, 12, 13, 14, 16];
        assert_eq!(r.rows, expect);
        let (count, target): (Vec<usize>, Vec<usize>) =
            r.cells.iter().map(|c| (c.count, c.target)).unzip();
        assert_eq!(count, vec![0, 10, 8, 2]);
        assert_eq!(target, vec![4, 6, 4, 6]);
        assert_eq!(r.cells[0].drawn, 0);
        assert!(preferential_resample(&g, &[2.0; 20], &s).is_err());
        assert!(preferential_resample(&g, &y, &s[..19]).is_err());
    }

    #[test]
    fn hand_computed_targets_and_empty_cell() {
        // n = 6; group 0: 4 rows (labels 1,1,1,0), group 1: 2 rows (labels 0,0)
        let g = Groups {
            codes: vec![0, 0, 0, 0, 1, 1],
            names: vec!["a".into(), "b".into()],
        };
        let y = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
        let r = uniform_resample(&g, &y, 1).unwrap();
        let t: Vec<(usize, usize, usize)> = r
            .cells
            .iter()
            .map(|c| (c.count, c.target, c.drawn))
            .collect();
        // targets: (0,0) 4*3/6 = 2 ; (0,1) 4*3/6 = 2 ; (1,0) 2*3/6 = 1 ; (1,1) 1 but empty
        assert_eq!(t, vec![(1, 2, 2), (3, 2, 2), (2, 1, 1), (0, 1, 0)]);
        assert_eq!(r.rows.iter().filter(|&&i| i == 3).count(), 2);
        // halves round up: 3 * 1 / 2 = 1.5 -> 2
        let g = Groups {
            codes: vec![0, 0, 0, 1],
            names: vec!["a".into(), "b".into()],
        };
        let r = uniform_resample(&g, &[0.0, 0.0, 1.0, 1.0], 1).unwrap();
        assert_eq!(r.cells[0].target, 2);
        assert_eq!(r.cells[1].target, 2);
    }
}
