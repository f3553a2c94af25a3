//! Anonymity measurement of a table, given its quasi-identifiers and sensitive attributes, in
//! the field's vocabulary and with pycanon's figures (Sáinz-Pardo Díaz & López García 2022,
//! "A Python library to check the level of anonymity of a dataset", Scientific Data 9):
//!
//! * [`equivalence`]: one streaming pass groups the records into equivalence classes and counts
//!   the sensitive values per class ([`Partition`]); every measure works on that alone;
//! * [`k_anonymity`] (Sweeney 2002);
//! * [`l_diversity`]: distinct, entropy and recursive (c,l)-diversity (Machanavajjhala et al.
//!   2007);
//! * [`t_closeness`] with the ordered and equal-distance Earth Mover's Distance (Li, Li &
//!   Venkatasubramanian 2007);
//! * [`beta_likeness`]: basic and enhanced β-likeness (Cao & Karras 2012);
//! * [`delta_disclosure`]: δ-disclosure privacy (Brickell & Shmatikov 2008);
//! * [`risk`]: prosecutor, journalist and marketer re-identification risk (El Emam 2013).
//!
//! Anonymization: [`hierarchy`] (generalization hierarchies in TOML), [`mondrian`]
//! (multidimensional partitioning), [`lattice`] (optimal full-domain generalization) and
//! [`loss`] (information loss).
//!
//! [`measure`] computes all of them into one [`Measures`]. Nothing here prints or exits; errors
//! ([`AnonymityError`]) name the file and the column.

#![deny(missing_docs)]

pub mod beta_likeness;
pub mod delta_disclosure;
pub mod equivalence;
pub mod error;
pub mod hierarchy;
pub mod k_anonymity;
pub mod l_diversity;
pub mod lattice;
pub mod loss;
pub mod mondrian;
mod numeric;
pub mod risk;
pub mod t_closeness;

use serde::{Deserialize, Serialize};

pub use equivalence::{Partition, PartitionBuilder, Sensitive};
pub use error::{AnonymityError, Result};
pub use risk::Risk;

/// Every anonymity measure of a table (pycanon's, with `gen=True` for several sensitive
/// attributes), plus the re-identification risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Measures {
    /// The quasi-identifier columns.
    pub quasi_identifiers: Vec<String>,
    /// The sensitive attribute columns.
    pub sensitive: Vec<String>,
    /// Whether each sensitive attribute was measured as numeric (ordered EMD).
    pub numeric_sensitive: Vec<bool>,
    /// k-anonymity (Sweeney 2002).
    pub k: u64,
    /// Distinct l-diversity (Machanavajjhala et al. 2007).
    pub l_distinct: u64,
    /// Entropy l-diversity (Machanavajjhala et al. 2007), as pycanon computes it.
    pub l_entropy: u64,
    /// c of recursive (c,l)-diversity as pycanon reports it (`None` when l = 1).
    pub recursive_c: Option<u64>,
    /// l of recursive (c,l)-diversity as pycanon reports it (the distinct l).
    pub recursive_l: u64,
    /// Recursive (c,l)-diversity by the definition for l = 2 and 3: the smallest c per l
    /// ([`l_diversity::recursive_c`]).
    pub recursive_c_definition: Vec<RecursiveC>,
    /// t-closeness (Li, Li & Venkatasubramanian 2007).
    #[serde(deserialize_with = "nullable_f64")]
    #[schemars(with = "Option<f64>")]
    pub t: f64,
    /// Basic β-likeness (Cao & Karras 2012).
    #[serde(deserialize_with = "nullable_f64")]
    #[schemars(with = "Option<f64>")]
    pub beta_basic: f64,
    /// Enhanced β-likeness as pycanon computes it (Cao & Karras 2012).
    #[serde(deserialize_with = "nullable_f64")]
    #[schemars(with = "Option<f64>")]
    pub beta_enhanced: f64,
    /// δ-disclosure privacy (Brickell & Shmatikov 2008).
    #[serde(deserialize_with = "nullable_f64")]
    #[schemars(with = "Option<f64>")]
    pub delta: f64,
    /// Re-identification risk (El Emam 2013).
    pub risk: Risk,
}

/// The smallest c for which a table is recursive (c,l)-diverse at a given l (Machanavajjhala
/// et al. 2007, Definition 4.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecursiveC {
    /// l.
    pub l: u64,
    /// The smallest integer c, or `None` when some class has fewer than l distinct values.
    pub c: Option<u64>,
}

/// Reads a figure that JSON holds as `null` where it is not finite (infinite β-likeness, say;
/// serde_json writes every non-finite number as `null`) back as NaN.
pub fn nullable_f64<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// The values of l for which [`measure`] reports recursive (c,l)-diversity by the definition.
pub const RECURSIVE_L: [u64; 2] = [2, 3];

/// Computes every measure of `partition`, which needs at least one sensitive attribute.
pub fn measure(partition: &Partition) -> Result<Measures> {
    let (recursive_c, recursive_l) = l_diversity::recursive_c_l_diversity_pycanon(partition)?;
    Ok(Measures {
        quasi_identifiers: partition.quasi_identifiers.clone(),
        sensitive: partition.sensitive.iter().map(|s| s.name.clone()).collect(),
        numeric_sensitive: partition.sensitive.iter().map(|s| s.numeric).collect(),
        k: k_anonymity::k_anonymity(partition),
        l_distinct: l_diversity::l_diversity(partition)?,
        l_entropy: l_diversity::entropy_l_diversity(partition)?,
        recursive_c,
        recursive_l,
        recursive_c_definition: RECURSIVE_L
            .iter()
            .map(|&l| {
                Ok(RecursiveC {
                    l,
                    c: l_diversity::recursive_c(partition, l)?,
                })
            })
            .collect::<Result<_>>()?,
        t: t_closeness::t_closeness(partition)?,
        beta_basic: beta_likeness::basic_beta_likeness(partition)?,
        beta_enhanced: beta_likeness::enhanced_beta_likeness(partition)?,
        delta: delta_disclosure::delta_disclosure(partition)?,
        risk: risk::risk(partition),
    })
}
