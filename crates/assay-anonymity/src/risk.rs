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
//! With a population table (the data set is a sample of it, as ARX's research subset),
//! `F_j` is the number of population records with class j's quasi-identifier values
//! ([`risk_with_population`]); the average journalist risk is then ARX's
//! `max(J / sum_j F_j, (1/n) sum_j f_j / F_j)`. Without one the data set is its own population
//! (`F_j = f_j`, [`risk`]): the journalist figures equal the prosecutor's and the marketer risk
//! is `J / n` (J classes, n records).

use serde::{Deserialize, Serialize};

use ahash::AHashMap;

use crate::equivalence::{Partition, QiKey};
use crate::error::{AnonymityError, Result};

/// Re-identification risk figures of a table (El Emam 2013; ARX's risk model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Risk {
    /// Records in the table (n).
    pub records: u64,
    /// Equivalence classes (J).
    pub classes: u64,
    /// Highest prosecutor risk, `1 / min f_j` (= 1/k).
    #[serde(deserialize_with = "crate::nullable_f64")]
    #[schemars(with = "Option<f64>")]
    pub prosecutor_max: f64,
    /// Average prosecutor risk, `(1/n) sum_j f_j (1/f_j) = J/n`.
    #[serde(deserialize_with = "crate::nullable_f64")]
    #[schemars(with = "Option<f64>")]
    pub prosecutor_avg: f64,
    /// Share of records at the highest risk (in classes of the smallest size).
    #[serde(deserialize_with = "crate::nullable_f64")]
    #[schemars(with = "Option<f64>")]
    pub records_at_max_risk: f64,
    /// Share of records that are unique on the quasi-identifiers (classes of size 1).
    #[serde(deserialize_with = "crate::nullable_f64")]
    #[schemars(with = "Option<f64>")]
    pub uniques: f64,
    /// Records in the population table (`None`: the data set is its own population).
    pub population: Option<u64>,
    /// Highest journalist risk, `1 / min F_j`.
    #[serde(deserialize_with = "crate::nullable_f64")]
    #[schemars(with = "Option<f64>")]
    pub journalist_max: f64,
    /// Average journalist risk, `max(J / sum_j F_j, (1/n) sum_j f_j / F_j)` (ARX).
    #[serde(deserialize_with = "crate::nullable_f64")]
    #[schemars(with = "Option<f64>")]
    pub journalist_avg: f64,
    /// Marketer risk, the expected share of records re-identified, `(1/n) sum_j f_j / F_j`.
    #[serde(deserialize_with = "crate::nullable_f64")]
    #[schemars(with = "Option<f64>")]
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
        population: None,
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

/// The risk figures of `sample` when it is drawn from `population`, a partition of the
/// population table on the same quasi-identifiers (El Emam 2013; ARX's journalist and marketer
/// models): `F_j` is the population class with sample class j's values. Every sample class must
/// occur in the population.
pub fn risk_with_population(sample: &Partition, population: &Partition) -> Result<Risk> {
    if sample.quasi_identifiers != population.quasi_identifiers {
        return Err(AnonymityError::PopulationMismatch {
            path: population.path.clone(),
            message: format!(
                "quasi-identifiers {:?} differ from the sample's {:?}",
                population.quasi_identifiers, sample.quasi_identifiers
            ),
        });
    }
    let index: AHashMap<Vec<QiKey<'_>>, u64> = population
        .class_values
        .iter()
        .zip(&population.class_sizes)
        .map(|(v, &f)| (v.iter().map(|x| x.key()).collect(), f))
        .collect();
    let mut r = risk(sample);
    let n = sample.records as f64;
    let (mut min_f, mut sum_f, mut ratio) = (u64::MAX, 0u64, 0.0f64);
    for (values, &f) in sample.class_values.iter().zip(&sample.class_sizes) {
        let key: Vec<QiKey<'_>> = values.iter().map(|x| x.key()).collect();
        let Some(&pf) = index.get(&key) else {
            let described: Vec<String> = sample
                .quasi_identifiers
                .iter()
                .zip(values)
                .map(|(c, v)| format!("{c}={v}"))
                .collect();
            return Err(AnonymityError::PopulationMismatch {
                path: population.path.clone(),
                message: format!(
                    "no record with {} of the sample {}; the population must contain the sample",
                    described.join(", "),
                    sample.path.display()
                ),
            });
        };
        if pf < f {
            return Err(AnonymityError::PopulationMismatch {
                path: population.path.clone(),
                message: format!(
                    "fewer records ({pf}) than the sample {} ({f}) in a class; the population must contain the sample",
                    sample.path.display()
                ),
            });
        }
        min_f = min_f.min(pf);
        sum_f += pf;
        ratio += f as f64 / pf as f64;
    }
    let j = sample.class_sizes.len() as f64;
    r.population = Some(population.records);
    r.journalist_max = 1.0 / min_f as f64;
    r.journalist_avg = (j / sum_f as f64).max(ratio / n);
    r.marketer = ratio / n;
    Ok(r)
}
