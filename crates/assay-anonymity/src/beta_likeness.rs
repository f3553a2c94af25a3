//! β-likeness (Cao & Karras 2012, "Publishing microdata with a robust privacy guarantee",
//! PVLDB 5(11)): the relative gain of an adversary's belief in each sensitive value,
//! `(q_i - p_i) / p_i`, must stay below β in every equivalence class.

use crate::equivalence::{Partition, Sensitive};
use crate::error::Result;
use crate::t_closeness::{class_distribution, table_distribution};

/// Basic β of one sensitive attribute: the largest `(q_i - p_i) / p_i` over classes and values
/// (Cao & Karras 2012, Definition 2), as pycanon's `basic_beta_likeness`.
pub fn basic_beta_of(partition: &Partition, s: &Sensitive) -> f64 {
    let p = table_distribution(partition, s);
    let mut q = vec![0.0; p.len()];
    let mut beta = f64::NEG_INFINITY;
    for (class, &size) in s.classes.iter().zip(&partition.class_sizes) {
        class_distribution(class, size, &mut q);
        for (qi, pi) in q.iter().zip(&p) {
            beta = beta.max((qi - pi) / pi);
        }
    }
    beta
}

/// Enhanced β of one sensitive attribute as pycanon's `enhanced_beta_likeness` computes it:
/// `max_i min(β_basic, -ln p_i)` (Cao & Karras 2012, Definition 3 bounds the gain in value i by
/// `min(β, -ln p_i)`).
pub fn enhanced_beta_of(partition: &Partition, s: &Sensitive) -> f64 {
    let basic = basic_beta_of(partition, s);
    table_distribution(partition, s)
        .iter()
        .map(|&p| basic.min(-p.ln()))
        .fold(f64::NEG_INFINITY, f64::max)
}

/// The table's basic β: the largest over its sensitive attributes.
pub fn basic_beta_likeness(partition: &Partition) -> Result<f64> {
    Ok(partition
        .require_sensitive()?
        .iter()
        .map(|s| basic_beta_of(partition, s))
        .fold(f64::NEG_INFINITY, f64::max))
}

/// The table's enhanced β: the largest over its sensitive attributes.
pub fn enhanced_beta_likeness(partition: &Partition) -> Result<f64> {
    Ok(partition
        .require_sensitive()?
        .iter()
        .map(|s| enhanced_beta_of(partition, s))
        .fold(f64::NEG_INFINITY, f64::max))
}
