//! l-diversity (Machanavajjhala, Kifer, Gehrke & Venkitasubramaniam 2007, "l-diversity: privacy
//! beyond k-anonymity", ACM TKDD 1(1)): every equivalence class must hold "well-represented"
//! sensitive values. Three instances, each computed as pycanon computes it (with its default
//! `gen=True`: several sensitive attributes are measured over the same classes and the weakest
//! attribute decides):
//!
//! * distinct l-diversity: at least l distinct values per class;
//! * entropy l-diversity: the entropy of each class's distribution is at least `ln l`;
//! * recursive (c,l)-diversity: in each class, `r_1 < c (r_l + r_{l+1} + ... + r_m)` for the
//!   value counts `r_1 >= r_2 >= ... >= r_m`.

use crate::equivalence::{Partition, Sensitive};
use crate::error::Result;
use crate::numeric::numpy_sum;

/// Distinct l-diversity of one sensitive attribute: the fewest distinct values in any class
/// (Machanavajjhala et al. 2007, §4.1 "distinct l-diversity").
pub fn distinct_l(sensitive: &Sensitive) -> u64 {
    sensitive
        .classes
        .iter()
        .map(|c| c.len() as u64)
        .min()
        .unwrap_or(0)
}

/// Distinct l-diversity of the table over all its sensitive attributes (the smallest), as
/// pycanon's `l_diversity`.
pub fn l_diversity(partition: &Partition) -> Result<u64> {
    Ok(partition
        .require_sensitive()?
        .iter()
        .map(distinct_l)
        .min()
        .unwrap_or(0))
}

/// Entropy of one class's distribution, `-sum p ln p` over its values in ascending order, with
/// `p = count / class size` and the terms summed in numpy's pairwise order (pycanon's
/// `np.sum(p * np.log(p))`), so that the result is pycanon's to the last bit.
fn class_entropy(class: &[(u32, u64)], size: u64, terms: &mut Vec<f64>) -> f64 {
    terms.clear();
    terms.extend(class.iter().map(|&(_, n)| {
        let p = n as f64 / size as f64;
        p * p.ln()
    }));
    -numpy_sum(terms)
}

/// The smallest class entropy (natural logarithm) of one sensitive attribute
/// (Machanavajjhala et al. 2007, Definition 4.1).
pub fn min_entropy(partition: &Partition, sensitive: &Sensitive) -> f64 {
    let mut terms = Vec::new();
    sensitive
        .classes
        .iter()
        .zip(&partition.class_sizes)
        .map(|(c, &size)| class_entropy(c, size, &mut terms))
        .fold(f64::INFINITY, f64::min)
}

/// Entropy l-diversity of the table: the largest integer l with every class entropy at least
/// `ln l` over every sensitive attribute (Machanavajjhala et al. 2007, Definition 4.1), computed
/// as pycanon's `entropy_l_diversity`: `int(min over classes of e ** H)` in floating point.
///
/// Where a class's distribution is uniform over m values its entropy is `ln m` exactly, but
/// `e ** H` computed in `f64` often lands just below m (for m = 2, 3, 4, 6, 7, 8, 10, ...), and
/// pycanon (and so assay) then reports m - 1; the definition gives m.
pub fn entropy_l_diversity(partition: &Partition) -> Result<u64> {
    let h = partition
        .require_sensitive()?
        .iter()
        .map(|s| min_entropy(partition, s))
        .fold(f64::INFINITY, f64::min);
    Ok(std::f64::consts::E.powf(h) as u64)
}

/// Recursive (c,l)-diversity as pycanon 1.3.6's `recursive_c_l_diversity` reports it: l is the
/// table's distinct l-diversity and c, for each class, `floor(r[0] / (r[l-1] + ... + r[m-1]) + 1)`
/// with the counts `r` sorted **ascending**, the largest over classes and sensitive attributes.
/// `None` when l = 1 (pycanon's NaN). Returns `(c, l)`.
///
/// Machanavajjhala et al. (2007, §4.2) sort the counts in descending order (r_1 the most
/// frequent value); pycanon's ascending sort compares the rarest value with the tail of the
/// frequent ones. [`recursive_c`] implements the paper's definition.
pub fn recursive_c_l_diversity_pycanon(partition: &Partition) -> Result<(Option<u64>, u64)> {
    let l = l_diversity(partition)?;
    if l <= 1 {
        return Ok((None, l));
    }
    let mut c = 0u64;
    let mut r: Vec<u64> = Vec::new();
    for s in &partition.sensitive {
        for class in &s.classes {
            r.clear();
            r.extend(class.iter().map(|&(_, n)| n));
            r.sort_unstable();
            c = c.max(c_of(r[0], &r[l as usize - 1..]));
        }
    }
    Ok((Some(c), l))
}

/// `floor(first / sum(tail) + 1)`: the smallest integer c with `first < c * sum(tail)`, in
/// pycanon's floating-point arithmetic.
fn c_of(first: u64, tail: &[u64]) -> u64 {
    let tail: u64 = tail.iter().sum();
    (first as f64 / tail as f64 + 1.0).floor() as u64
}

/// Recursive (c,l)-diversity by the definition (Machanavajjhala et al. 2007, Definition 4.3):
/// for a given l, the smallest integer c such that every class satisfies
/// `r_1 < c (r_l + ... + r_m)` with its value counts in descending order, over every sensitive
/// attribute. `None` when some class has fewer than l distinct values (no c suffices).
pub fn recursive_c(partition: &Partition, l: u64) -> Result<Option<u64>> {
    let sensitive = partition.require_sensitive()?;
    if l == 0 {
        return Ok(Some(1));
    }
    let mut c = 0u64;
    let mut r: Vec<u64> = Vec::new();
    for s in sensitive {
        for class in &s.classes {
            if (class.len() as u64) < l {
                return Ok(None);
            }
            r.clear();
            r.extend(class.iter().map(|&(_, n)| n));
            r.sort_unstable_by(|a, b| b.cmp(a));
            let first = r[0];
            let tail: u64 = r[l as usize - 1..].iter().sum();
            // Exact integer arithmetic: the smallest c with first < c * tail.
            c = c.max(first / tail + 1);
        }
    }
    Ok(Some(c))
}
