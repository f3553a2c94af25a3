//! δ-disclosure privacy (Brickell & Shmatikov 2008, "The cost of privacy: destruction of
//! data-mining utility in anonymized data publishing", KDD): a table is δ-disclosure private
//! when, for every equivalence class and every sensitive value present in it,
//! `|ln(q_i / p_i)| < δ`, with `q` the class's distribution and `p` the table's.

use crate::equivalence::{Partition, Sensitive};
use crate::error::Result;
use crate::t_closeness::table_distribution;

/// δ of one sensitive attribute: the largest `|ln(q_i / p_i)|` over classes and the values
/// present in each (Brickell & Shmatikov 2008, Definition 4), as pycanon computes it.
pub fn delta_of(partition: &Partition, s: &Sensitive) -> f64 {
    let p = table_distribution(partition, s);
    let mut delta = f64::NEG_INFINITY;
    for (class, &size) in s.classes.iter().zip(&partition.class_sizes) {
        for &(v, n) in class {
            let q = n as f64 / size as f64;
            delta = delta.max((q / p[v as usize]).ln().abs());
        }
    }
    delta
}

/// The table's δ: the largest [`delta_of`] over its sensitive attributes, as pycanon's
/// `delta_disclosure` (Brickell & Shmatikov 2008). The table satisfies δ'-disclosure privacy
/// for every δ' greater than this value.
pub fn delta_disclosure(partition: &Partition) -> Result<f64> {
    Ok(partition
        .require_sensitive()?
        .iter()
        .map(|s| delta_of(partition, s))
        .fold(f64::NEG_INFINITY, f64::max))
}
