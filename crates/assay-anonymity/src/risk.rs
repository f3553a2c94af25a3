//! Re-identification risk of a table from the sizes of its equivalence classes, in the three
//! attacker models of El Emam (2013, *Guide to the De-Identification of Personal Health
//! Information*, ch. 14-16; El Emam & Dankar 2008, "Protecting privacy using k-anonymity",
//! JAMIA 15(5)) that ARX reports (Prasser, Kohlmayer et al. 2014):
//!
//! * prosecutor: the attacker knows the target is in the table; a record in a class of size
//!   `f_j` is re-identified with probability `1/f_j`;
//! * journalist: the attacker knows the target is in a population table of which the data is a
//!   sample; the risk is `1/F_j` with `F_j` the size of the record's class in the population;
//! * marketer: the attacker re-identifies as many records as possible; the expected share
//!   matched correctly is `(1/n) sum_j f_j / F_j`.
//!
//! Without a separate population table the data set is its own population (`F_j = f_j`), as in
//! ARX when no research subset is defined; then the journalist figures equal the prosecutor's
//! and the marketer risk is `J / n` (J classes, n records).

use serde::Serialize;

use crate::equivalence::Partition;

/// Re-identification risk figures of a table (El Emam 2013; ARX's risk model).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Risk {
    /// Records in the table (n).
    pub records: u64,
    /// Equivalence classes (J).
    pub classes: u64,
    /// Highest prosecutor risk, `1 / min f_j` (= 1/k).
    pub prosecutor_max: f64,
    /// Average prosecutor risk, `(1/n) sum_j f_j (1/f_j) = J/n`.
    pub prosecutor_avg: f64,
    /// Share of records at the highest risk (in classes of the smallest size).
    pub records_at_max_risk: f64,
    /// Share of records that are unique on the quasi-identifiers (classes of size 1).
    pub uniques: f64,
    /// Highest journalist risk, `1 / min F_j` (the data set as its own population).
    pub journalist_max: f64,
    /// Average journalist risk, `(1/n) sum_j f_j / F_j` over the sample's classes.
    pub journalist_avg: f64,
    /// Marketer risk, the expected share of records re-identified, `(1/n) sum_j f_j / F_j`.
    pub marketer: f64,
}

/// The risk figures of `partition`, taking the data set as its own population (El Emam 2013).
pub fn risk(partition: &Partition) -> Risk {
    let n = partition.records;
    let j = partition.class_sizes.len() as u64;
    let k = partition.class_sizes.iter().copied().min().unwrap_or(0);
    let at_k: u64 = partition.class_sizes.iter().filter(|&&f| f == k).sum();
    let uniques = partition.class_sizes.iter().filter(|&&f| f == 1).count() as u64;
    let nf = n as f64;
    let avg = j as f64 / nf;
    Risk {
        records: n,
        classes: j,
        prosecutor_max: 1.0 / k as f64,
        prosecutor_avg: avg,
        records_at_max_risk: at_k as f64 / nf,
        uniques: uniques as f64 / nf,
        journalist_max: 1.0 / k as f64,
        journalist_avg: avg,
        marketer: avg,
    }
}
