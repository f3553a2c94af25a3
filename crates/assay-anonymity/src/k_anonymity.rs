//! k-anonymity (Samarati 2001; Sweeney 2002, "k-anonymity: a model for protecting privacy",
//! IJUFKS 10(5)): a table is k-anonymous when every record shares its quasi-identifier values
//! with at least k - 1 others, so the table's k is the size of its smallest equivalence class.

use crate::equivalence::Partition;

/// The table's k: the size of the smallest equivalence class (Sweeney 2002), as pycanon's
/// `k_anonymity`.
pub fn k_anonymity(partition: &Partition) -> u64 {
    partition.class_sizes.iter().copied().min().unwrap_or(0)
}
