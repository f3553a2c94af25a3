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

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{check_groups, label_codes};
use crate::error::MitigationError;
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

/// Kamiran & Calders' uniform sampling, seeded (see the module documentation): returns the row
/// indices (with repeats) of a resample in which every (group, label) cell has its expected
/// size under independence of group and label.
pub fn uniform_resample(
    groups: &Groups,
    labels: &[f64],
    seed: u64,
) -> Result<Resampled, MitigationError> {
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
    for i in 0..n {
        count[cell_of(i)] += 1;
        group_count[groups.codes[i] as usize] += 1;
        label_count[label_code[i] as usize] += 1;
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

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut rows = Vec::with_capacity(n + n / 2);
    let mut cells = Vec::with_capacity(k * m);
    for (g, &n_g) in group_count.iter().enumerate() {
        for (y, &label) in values.iter().enumerate() {
            let c = g * m + y;
            let prod = n_g as u128 * label_count[y] as u128;
            let target = ((2 * prod + n as u128) / (2 * n as u128)) as usize;
            let cell = &mut members[start[c]..start[c + 1]];
            let have = cell.len();
            let drawn = if have == 0 {
                0
            } else if target >= have {
                rows.extend_from_slice(cell);
                for _ in have..target {
                    rows.push(cell[rng.random_range(0..have)]);
                }
                target
            } else {
                for j in 0..target {
                    let pick = rng.random_range(j..have);
                    cell.swap(j, pick);
                }
                rows.extend_from_slice(&cell[..target]);
                target
            };
            cells.push(ResampleCell {
                group: g as u32,
                group_name: groups.names[g].clone(),
                label,
                count: have,
                target,
                drawn,
            });
        }
    }
    rows.sort_unstable();
    Ok(Resampled { rows, cells })
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
