//! t-closeness (Li, Li & Venkatasubramanian 2007, "t-closeness: privacy beyond k-anonymity and
//! l-diversity", ICDE): the distribution of a sensitive attribute within each equivalence class
//! must be within Earth Mover's Distance t of its distribution in the whole table. Two ground
//! distances, as in the paper (§4.2) and in pycanon's `t_closeness`:
//!
//! * ordered distance for a numeric attribute (its m distinct values in ascending order,
//!   neighbours 1/(m-1) apart): `EMD = 1/(m-1) * sum_i |r_1 + ... + r_i|` with `r = q - p`;
//! * equal distance for a categorical attribute: `EMD = 1/2 * sum_i |q_i - p_i|`.

use crate::equivalence::{Partition, Sensitive};
use crate::error::Result;

/// The table's distribution of one sensitive attribute, `p_i = records with value i / n`.
pub(crate) fn table_distribution(partition: &Partition, s: &Sensitive) -> Vec<f64> {
    let n = partition.records as f64;
    s.totals.iter().map(|&c| c as f64 / n).collect()
}

/// A class's distribution over all the attribute's values (0 for the absent ones).
pub(crate) fn class_distribution(class: &[(u32, u64)], size: u64, q: &mut [f64]) {
    q.fill(0.0);
    for &(v, n) in class {
        q[v as usize] = n as f64 / size as f64;
    }
}

/// t of one sensitive attribute: the largest EMD between a class's distribution and the
/// table's (Li et al. 2007, Definition 2), with the ordered distance when the attribute is
/// numeric and the equal distance otherwise. The sums run over the values in ascending order,
/// in pycanon's order of floating-point operations. A numeric attribute with a single value
/// has t = 0 (pycanon divides by m - 1 = 0 and fails).
pub fn t_of(partition: &Partition, s: &Sensitive) -> f64 {
    let p = table_distribution(partition, s);
    let m = p.len();
    let mut q = vec![0.0; m];
    let mut t = f64::NEG_INFINITY;
    for (class, &size) in s.classes.iter().zip(&partition.class_sizes) {
        class_distribution(class, size, &mut q);
        let emd = if s.numeric {
            if m < 2 {
                0.0
            } else {
                let (mut cum, mut sum) = (0.0f64, 0.0f64);
                for i in 0..m {
                    cum += q[i] - p[i];
                    sum += cum.abs();
                }
                (1.0 / (m - 1) as f64) * sum
            }
        } else {
            let mut sum = 0.0f64;
            for i in 0..m {
                sum += (q[i] - p[i]).abs();
            }
            0.5 * sum
        };
        t = t.max(emd);
    }
    t
}

/// The table's t: the largest [`t_of`] over its sensitive attributes, as pycanon's
/// `t_closeness` (Li, Li & Venkatasubramanian 2007).
pub fn t_closeness(partition: &Partition) -> Result<f64> {
    Ok(partition
        .require_sensitive()?
        .iter()
        .map(|s| t_of(partition, s))
        .fold(f64::NEG_INFINITY, f64::max))
}
