//! Pre-processing: methods that change the training data (weights, rows or feature values)
//! before a model is fitted.
//!
//! * [`reweighing`]: Kamiran & Calders (2012) reweighing, as AIF360's `Reweighing`, for any
//!   number of groups and label values.
//! * [`resampling`]: Kamiran & Calders' (2012) uniform sampling — every (group, label) cell
//!   resampled, seeded, to its expected size under independence — and their preferential
//!   sampling (the same sizes, borderline rows of a ranker removed or duplicated).
//! * [`correlation_remover`]: Fairlearn's `CorrelationRemover(alpha)` with the one-hot encoded
//!   group as the sensitive features; the fitted state is serializable.
//! * [`disparate_impact_remover`]: Feldman et al. (2015) repair, exactly as AIF360's
//!   `DisparateImpactRemover(repair_level)` (BlackBoxAuditing's numeric repairer).

pub mod correlation_remover;
pub mod disparate_impact_remover;
pub mod resampling;
pub mod reweighing;

pub use correlation_remover::{CorrelationRemover, FittedCorrelationRemover};
pub use disparate_impact_remover::DisparateImpactRemover;
pub use resampling::{preferential_resample, uniform_resample, ResampleCell, Resampled};
pub use reweighing::{reweigh, ReweighCell, Reweighed};

use crate::error::{check_len, MitigationError};
use crate::groups::Groups;

/// Checks that `groups` has `n` rows and that every code names a group.
pub(crate) fn check_groups(groups: &Groups, n: usize) -> Result<(), MitigationError> {
    check_len("groups", n, groups.len())?;
    let k = groups.n_groups();
    if let Some(row) = groups.codes.iter().position(|&c| c as usize >= k) {
        return Err(MitigationError::Data(format!(
            "row {row}: group code {} has no name ({k} groups)",
            groups.codes[row]
        )));
    }
    Ok(())
}

/// The distinct label values in ascending order and every row's index into them; an error for
/// a label that is not a finite number.
pub(crate) fn label_codes(labels: &[f64]) -> Result<(Vec<f64>, Vec<u32>), MitigationError> {
    if let Some(row) = labels.iter().position(|v| !v.is_finite()) {
        return Err(MitigationError::Data(format!(
            "row {row}: label {} is not a finite number; remove or fill missing labels",
            labels[row]
        )));
    }
    let mut values = labels.to_vec();
    values.sort_by(f64::total_cmp);
    // -0.0 and 0.0 are one label
    values.dedup_by(|a, b| a == b);
    let codes = labels
        .iter()
        .map(|v| {
            values
                .binary_search_by(|probe| probe.partial_cmp(v).expect("finite labels"))
                .expect("every label is among the values") as u32
        })
        .collect();
    Ok((values, codes))
}
