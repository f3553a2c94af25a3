//! Reweighing (Kamiran & Calders 2012, "Data preprocessing techniques for classification
//! without discrimination", Knowledge and Information Systems 33(1), section 4.2), as AIF360's
//! `aif360.algorithms.preprocessing.Reweighing`, generalised to any number of groups and label
//! values.
//!
//! With `W` the sum of the input sample weights (1 per row when none are given), `W_g` the sum
//! over group `g`, `W_y` over label `y` and `W_gy` over the rows with both, every row of cell
//! `(g, y)` gets the factor
//!
//! ```text
//! factor(g, y) = (W_y · W_g) / (W · W_gy)   = P_expected(g, y) / P_observed(g, y)
//! ```
//!
//! and its new weight is `weight × factor` — AIF360's `w_p_fav = n_fav*n_p / (n*n_p_fav)`
//! (evaluated in the same order), for every cell instead of only privileged/unprivileged ×
//! favorable/unfavorable. After reweighing, group and label are independent under the weights
//! and the total weight is unchanged.
//!
//! A cell with no rows, or whose rows all have weight zero, has no factor (AIF360 divides by
//! zero there): it has no weight to change, so the other cells' factors are still well defined
//! and are applied; the cell is reported with `factor: None` and its rows keep weight zero.

use serde::{Deserialize, Serialize};

use super::{check_groups, label_codes};
use crate::error::{check_len, MitigationError};
use crate::groups::Groups;

/// One (group, label) cell of [`reweigh`], for reporting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReweighCell {
    /// Group code (index into [`Groups::names`]).
    pub group: u32,
    /// Group name.
    pub group_name: String,
    /// Label value.
    pub label: f64,
    /// Number of rows in the cell.
    pub count: usize,
    /// Sum of the input weights of the cell, `W_gy`.
    pub weight: f64,
    /// Observed probability of the cell, `W_gy / W`.
    pub observed: f64,
    /// Probability of the cell if group and label were independent, `(W_g / W) · (W_y / W)`.
    pub expected: f64,
    /// `(W_y · W_g) / (W · W_gy)`; `None` for a cell with zero weight (no rows to reweigh).
    pub factor: Option<f64>,
}

/// The result of [`reweigh`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reweighed {
    /// New weight of every row: input weight × its cell's factor.
    pub weights: Vec<f64>,
    /// Every (group, label) cell, groups in code order, labels ascending within a group.
    pub cells: Vec<ReweighCell>,
    /// Sum of the input weights, `W`.
    pub total_weight: f64,
}

/// Reweighs the rows so that group and label are independent under the new weights (Kamiran &
/// Calders 2012; AIF360's `Reweighing` formula, see the module documentation).
///
/// `labels` may take any finite values (each distinct value is a label); `weights` are the
/// input sample weights (non-negative, finite, not all zero), or `None` for 1 per row.
pub fn reweigh(
    groups: &Groups,
    labels: &[f64],
    weights: Option<&[f64]>,
) -> Result<Reweighed, MitigationError> {
    let n = labels.len();
    if n == 0 {
        return Err(MitigationError::Empty);
    }
    check_groups(groups, n)?;
    if let Some(w) = weights {
        check_len("weights", n, w.len())?;
        if let Some(row) = w.iter().position(|v| !v.is_finite() || *v < 0.0) {
            return Err(MitigationError::Data(format!(
                "row {row}: sample weight {} is not a finite non-negative number",
                w[row]
            )));
        }
    }
    let weight = |i: usize| weights.map_or(1.0, |w| w[i]);
    let (values, label_code) = label_codes(labels)?;
    let (k, m) = (groups.n_groups(), values.len());

    let mut cell_weight = vec![0.0; k * m];
    let mut cell_count = vec![0usize; k * m];
    for (i, &lc) in label_code.iter().enumerate() {
        let c = groups.codes[i] as usize * m + lc as usize;
        cell_weight[c] += weight(i);
        cell_count[c] += 1;
    }
    let mut group_weight = vec![0.0; k];
    let mut label_weight = vec![0.0; m];
    let mut total = 0.0;
    for i in 0..n {
        let w = weight(i);
        group_weight[groups.codes[i] as usize] += w;
        label_weight[label_code[i] as usize] += w;
        total += w;
    }
    if total <= 0.0 {
        return Err(MitigationError::Data(
            "all sample weights are zero: give some rows a positive weight".into(),
        ));
    }

    let mut factors = vec![None; k * m];
    let mut cells = Vec::with_capacity(k * m);
    for (g, &w_g) in group_weight.iter().enumerate() {
        for (y, &label) in values.iter().enumerate() {
            let c = g * m + y;
            let w_gy = cell_weight[c];
            let factor = (w_gy > 0.0).then(|| (label_weight[y] * w_g) / (total * w_gy));
            factors[c] = factor;
            cells.push(ReweighCell {
                group: g as u32,
                group_name: groups.names[g].clone(),
                label,
                count: cell_count[c],
                weight: w_gy,
                observed: w_gy / total,
                expected: (w_g / total) * (label_weight[y] / total),
                factor,
            });
        }
    }
    let weights = (0..n)
        .map(|i| {
            let c = groups.codes[i] as usize * m + label_code[i] as usize;
            // a cell without a factor has only zero-weight rows
            factors[c].map_or(0.0, |f| weight(i) * f)
        })
        .collect();
    Ok(Reweighed {
        weights,
        cells,
        total_weight: total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(codes: &[u32], k: usize) -> Groups {
        Groups {
            codes: codes.to_vec(),
            names: (0..k).map(|g| format!("g{g}")).collect(),
        }
    }

    #[test]
    fn hand_computed_two_by_two() {
        // group 0: labels 1,1,1,0 ; group 1: labels 1,0,0,0,0,0
        let g = groups(&[0, 0, 0, 0, 1, 1, 1, 1, 1, 1], 2);
        let y = [1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let r = reweigh(&g, &y, None).unwrap();
        // W = 10, W_0 = 4, W_1 = 6, W_{y=1} = 4, W_{y=0} = 6
        // (0,1): 4*4/(10*3) = 16/30 ; (0,0): 6*4/(10*1) = 2.4
        // (1,1): 4*6/(10*1) = 2.4 ; (1,0): 6*6/(10*5) = 0.72
        let expect = [
            16.0 / 30.0,
            16.0 / 30.0,
            16.0 / 30.0,
            2.4,
            2.4,
            0.72,
            0.72,
            0.72,
            0.72,
            0.72,
        ];
        for (a, b) in r.weights.iter().zip(expect) {
            assert!((a - b).abs() < 1e-15, "{a} vs {b}");
        }
        assert_eq!(r.cells.len(), 4);
        assert_eq!(r.cells[0].label, 0.0);
        assert_eq!(r.cells[0].count, 1);
        assert!((r.cells[0].expected - 0.24).abs() < 1e-15);
        assert!((r.cells[0].observed - 0.1).abs() < 1e-15);
        // total weight preserved, independence under the new weights
        let total: f64 = r.weights.iter().sum();
        assert!((total - 10.0).abs() < 1e-12);
        let w01: f64 = r.weights[..3].iter().sum();
        assert!((w01 - 0.4 * 0.4 * 10.0).abs() < 1e-12);
    }

    #[test]
    fn empty_cell_has_no_factor_and_others_are_applied() {
        // group 1 has only label 0
        let g = groups(&[0, 0, 1, 1], 2);
        let y = [0.0, 1.0, 0.0, 0.0];
        let r = reweigh(&g, &y, Some(&[1.0, 2.0, 1.0, 0.0])).unwrap();
        let empty = r
            .cells
            .iter()
            .find(|c| c.group == 1 && c.label == 1.0)
            .unwrap();
        assert_eq!(empty.count, 0);
        assert_eq!(empty.factor, None);
        // W = 4, W_0 = 3, W_1 = 1, W_{y0} = 2, W_{y1} = 2
        // (0,0): 2*3/(4*1) = 1.5 ; (0,1): 2*3/(4*2) = 0.75 ; (1,0): 2*1/(4*1) = 0.5
        assert_eq!(r.weights, vec![1.5, 1.5, 0.5, 0.0]);
    }

    #[test]
    fn rejects_bad_input() {
        let g = groups(&[0, 1], 2);
        assert!(reweigh(&g, &[0.0, 1.0], Some(&[1.0, -1.0])).is_err());
        assert!(reweigh(&g, &[0.0, f64::NAN], None).is_err());
        assert!(reweigh(&g, &[0.0, 1.0], Some(&[0.0, 0.0])).is_err());
        assert!(reweigh(&g, &[0.0], None).is_err());
        assert!(reweigh(&groups(&[0, 2], 2), &[0.0, 1.0], None).is_err());
    }
}
