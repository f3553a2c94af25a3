//! Mean absolute attribution by feature and by sensitive group, for any attribution matrix
//! (SHAP values, LIME weights, …): the global importance `mean_i |φ_ij|` of feature `j`
//! (as SHAP's bar summary), overall and within every group, and the features ranked by how much
//! that importance differs between groups.

use crate::error::{check_len, ExplainError};

/// Mean |attribution| per feature, overall and per group.
#[derive(Debug, Clone, PartialEq)]
pub struct MeanAbsByGroup {
    /// Group codes present, ascending.
    pub group_codes: Vec<usize>,
    /// Rows of every group (same order as `group_codes`).
    pub counts: Vec<usize>,
    /// `mean_i |φ_ij|` over all rows, per feature.
    pub overall: Vec<f64>,
    /// `mean_{i in g} |φ_ij|`: one vector per group (order of `group_codes`), one value per
    /// feature.
    pub by_group: Vec<Vec<f64>>,
    /// Per feature: the largest minus the smallest of the groups' mean |attribution|
    /// (the largest difference between any two groups).
    pub max_gap: Vec<f64>,
    /// Feature indices by decreasing `max_gap` (ties: lower index first): the features whose
    /// attributions differ most between groups come first.
    pub ranking: Vec<usize>,
}

/// Mean |attribution| of the row-major `n_rows × n_features` matrix `values`, overall and by
/// the group code of every row (unweighted means).
pub fn mean_abs_by_group(
    values: &[f64],
    n_rows: usize,
    n_features: usize,
    groups: &[usize],
) -> Result<MeanAbsByGroup, ExplainError> {
    check_len("attribution matrix", n_rows * n_features, values.len())?;
    check_len("group codes", n_rows, groups.len())?;
    if n_rows == 0 {
        return Err(ExplainError::Empty("attribution matrix"));
    }
    if let Some(k) = values.iter().position(|v| !v.is_finite()) {
        return Err(ExplainError::Data(format!(
            "attribution of row {}, feature {} is not a finite number",
            k / n_features.max(1),
            k % n_features.max(1)
        )));
    }
    let mut codes = groups.to_vec();
    codes.sort_unstable();
    codes.dedup();
    let slot = |c: usize| codes.binary_search(&c).expect("code present");
    let mut sums = vec![vec![0.0; n_features]; codes.len()];
    let mut counts = vec![0usize; codes.len()];
    let mut overall = vec![0.0; n_features];
    for (i, row) in values
        .chunks_exact(n_features.max(1))
        .enumerate()
        .take(n_rows)
    {
        let s = slot(groups[i]);
        counts[s] += 1;
        for (j, v) in row.iter().enumerate() {
            sums[s][j] += v.abs();
            overall[j] += v.abs();
        }
    }
    for v in &mut overall {
        *v /= n_rows as f64;
    }
    let by_group: Vec<Vec<f64>> = sums
        .into_iter()
        .zip(&counts)
        .map(|(s, &c)| s.into_iter().map(|v| v / c as f64).collect())
        .collect();
    let max_gap: Vec<f64> = (0..n_features)
        .map(|j| {
            let it = by_group.iter().map(|g| g[j]);
            let mx = it.clone().fold(f64::NEG_INFINITY, f64::max);
            let mn = it.fold(f64::INFINITY, f64::min);
            mx - mn
        })
        .collect();
    let mut ranking: Vec<usize> = (0..n_features).collect();
    ranking.sort_by(|&a, &b| max_gap[b].total_cmp(&max_gap[a]).then(a.cmp(&b)));
    Ok(MeanAbsByGroup {
        group_codes: codes,
        counts,
        overall,
        by_group,
        max_gap,
        ranking,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_example() {
        // 3 rows x 2 features; groups 5, 1, 5
        let v = [1.0, -2.0, 3.0, 0.0, -3.0, 4.0];
        let r = mean_abs_by_group(&v, 3, 2, &[5, 1, 5]).unwrap();
        assert_eq!(r.group_codes, vec![1, 5]);
        assert_eq!(r.counts, vec![1, 2]);
        assert_eq!(r.overall, vec![7.0 / 3.0, 2.0]);
        assert_eq!(r.by_group, vec![vec![3.0, 0.0], vec![2.0, 3.0]]);
        assert_eq!(r.max_gap, vec![1.0, 3.0]);
        assert_eq!(r.ranking, vec![1, 0]);
        assert!(mean_abs_by_group(&v, 3, 2, &[0, 1]).is_err());
    }
}
