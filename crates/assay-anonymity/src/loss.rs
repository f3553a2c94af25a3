//! Information loss of an anonymized table:
//!
//! * discernibility metric (Bayardo & Agrawal 2005): the sum of the squared class sizes, each
//!   suppressed record costing the table's size n;
//! * average equivalence-class size metric `C_avg = (records / classes) / k` (LeFevre, DeWitt &
//!   Ramakrishnan 2006), 1 at best;
//! * normalised certainty penalty NCP (Xu, Wang, Pei, Wang, Shi & Fu 2006): per record and
//!   quasi-identifier, the generalized value's size as a share of the column's (a numeric range's
//!   width over the column's range; a category's (leaves covered - 1) / (all leaves - 1)),
//!   averaged over records and quasi-identifiers, in [0, 1]; a suppressed record costs 1.

use serde::{Deserialize, Serialize};

/// The information loss of one anonymization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Loss {
    /// Records in the input.
    pub records: u64,
    /// Records suppressed (not released).
    pub suppressed: u64,
    /// Equivalence classes of the released records.
    pub classes: u64,
    /// Discernibility metric.
    pub discernibility: u64,
    /// Average equivalence-class size metric for the k asked for.
    pub average_class_size: f64,
    /// Normalised certainty penalty, in [0, 1].
    pub ncp: f64,
}

/// Discernibility metric (Bayardo & Agrawal 2005): `sum |E|^2 + suppressed * n`, with
/// `n = sum |E| + suppressed`.
pub fn discernibility(class_sizes: &[u64], suppressed: u64) -> u64 {
    let n: u64 = class_sizes.iter().sum::<u64>() + suppressed;
    class_sizes.iter().map(|&s| s * s).sum::<u64>() + suppressed * n
}

/// Average equivalence-class size metric (LeFevre et al. 2006): `(records / classes) / k`
/// over the released records.
pub fn average_class_size(class_sizes: &[u64], k: u64) -> f64 {
    if class_sizes.is_empty() || k == 0 {
        return 0.0;
    }
    let n: u64 = class_sizes.iter().sum();
    (n as f64 / class_sizes.len() as f64) / k as f64
}

/// NCP of a numeric generalized value: the range `[lo, hi]`'s width over the column's range
/// (0 when the column has one value).
pub fn numeric_penalty(lo: f64, hi: f64, column_min: f64, column_max: f64) -> f64 {
    if column_max > column_min {
        ((hi - lo) / (column_max - column_min)).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// NCP of a categorical generalized value covering `covered` of the column's `all` leaves:
/// `(covered - 1) / (all - 1)` (0 when the column has one leaf).
pub fn categorical_penalty(covered: usize, all: usize) -> f64 {
    if all > 1 {
        covered.saturating_sub(1) as f64 / (all - 1) as f64
    } else {
        0.0
    }
}

/// NCP of a table: the sum of the penalties of every released record and quasi-identifier,
/// plus `qis` for every suppressed record, over `records * qis`.
pub fn ncp(penalty_sum: f64, suppressed: u64, records: u64, qis: usize) -> f64 {
    if records == 0 || qis == 0 {
        return 0.0;
    }
    (penalty_sum + (suppressed as f64) * qis as f64) / (records as f64 * qis as f64)
}

/// All the measures from the released class sizes, the suppressed records and the NCP
/// penalty sum.
pub fn loss(class_sizes: &[u64], suppressed: u64, k: u64, penalty_sum: f64, qis: usize) -> Loss {
    let records = class_sizes.iter().sum::<u64>() + suppressed;
    Loss {
        records,
        suppressed,
        classes: class_sizes.len() as u64,
        discernibility: discernibility(class_sizes, suppressed),
        average_class_size: average_class_size(class_sizes, k),
        ncp: ncp(penalty_sum, suppressed, records, qis),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        // Classes of 2, 3 and 5 records, 2 suppressed: n = 12; DM = 4 + 9 + 25 + 2 * 12 = 62.
        assert_eq!(discernibility(&[2, 3, 5], 2), 62);
        assert_eq!(discernibility(&[4], 0), 16);
        // 10 records in 3 classes for k = 2: (10 / 3) / 2.
        assert!((average_class_size(&[2, 3, 5], 2) - 10.0 / 6.0).abs() < 1e-15);
        assert_eq!(average_class_size(&[5, 5], 5), 1.0);
        // Age range [20, 30] of a column spanning 10..=50: 10 / 40.
        assert_eq!(numeric_penalty(20.0, 30.0, 10.0, 50.0), 0.25);
        assert_eq!(numeric_penalty(3.0, 3.0, 3.0, 3.0), 0.0);
        // A category covering 3 of 5 leaves: 2 / 4; a leaf: 0; all: 1.
        assert_eq!(categorical_penalty(3, 5), 0.5);
        assert_eq!(categorical_penalty(1, 5), 0.0);
        assert_eq!(categorical_penalty(5, 5), 1.0);
        // 4 records, 2 QIs, released penalties summing to 1.5, 1 suppressed (costs 2): 3.5 / 8.
        assert_eq!(ncp(1.5, 1, 4, 2), 3.5 / 8.0);
        let l = loss(&[2, 3, 5], 2, 2, 3.0, 3);
        assert_eq!((l.records, l.classes, l.discernibility), (12, 3, 62));
        assert_eq!(l.ncp, (3.0 + 6.0) / 36.0);
    }
}
