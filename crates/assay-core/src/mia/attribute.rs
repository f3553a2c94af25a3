//! Attribute-inference risk of one categorical column COL (Fredrikson et al. 2015, Yeom et al.
//! 2018). For each target row the attacker knows every other feature and the label, tries each
//! category of COL, and keeps the one with the largest `log p(label | x with COL = v) + log π(v)`,
//! π the categories' frequencies in the holdout table (add-one smoothed; the attacker is assumed
//! to know the population's marginals). Accuracy on the members (training rows) is compared with the majority
//! baseline and with the same attack on non-members: a gap between members and non-members is
//! what the model memorised, the rest is what the population reveals.

use assay_model::learners::FeatureSpec;
use assay_privacy::mia::attacks::{loss_score, phi_from_margin};
use assay_privacy::mia::attribute::{attribute_risk, AttributeRisk};

use super::learner::Fitted;
use super::MiaError;

/// Where a categorical column sits in the design matrix.
pub struct Slot {
    offset: usize,
    k: usize,
    one_hot: bool,
}

/// Finds the categorical column `name` among `specs`.
pub fn slot(specs: &[FeatureSpec], name: &str) -> Result<(Slot, Vec<String>), MiaError> {
    let mut offset = 0;
    for s in specs {
        if s.column() == name {
            return match s {
                FeatureSpec::Categorical { categories, .. } => Ok((
                    Slot {
                        offset,
                        k: categories.len(),
                        one_hot: true,
                    },
                    categories.clone(),
                )),
                FeatureSpec::Ordinal { categories, .. } => Ok((
                    Slot {
                        offset,
                        k: categories.len(),
                        one_hot: false,
                    },
                    categories.clone(),
                )),
                FeatureSpec::Numeric { .. } => Err(MiaError::AttributeNumeric(name.to_string())),
            };
        }
        offset += s.width();
    }
    Err(MiaError::AttributeNotAFeature(name.to_string()))
}

impl Slot {
    /// The category index of a row, `None` for a category not seen in training.
    fn value(&self, row: &[f64]) -> Option<usize> {
        if self.one_hot {
            (0..self.k).find(|&v| row[self.offset + v] == 1.0)
        } else {
            let c = row[self.offset];
            (c.is_finite() && c >= 0.0 && (c as usize) < self.k).then_some(c as usize)
        }
    }

    fn set(&self, row: &mut [f64], v: usize) {
        if self.one_hot {
            row[self.offset..self.offset + self.k].fill(0.0);
            row[self.offset + v] = 1.0;
        } else {
            row[self.offset] = v as f64;
        }
    }
}

/// Add-one-smoothed log frequencies of the categories among the rows of `x`.
pub fn log_prior(slot: &Slot, x: &[f64], d: usize) -> Vec<f64> {
    let mut counts = vec![1.0; slot.k];
    for row in x.chunks(d) {
        if let Some(v) = slot.value(row) {
            counts[v] += 1.0;
        }
    }
    let total: f64 = counts.iter().sum();
    counts.iter().map(|c| (c / total).ln()).collect()
}

/// The attack on the rows of `x` (`d` columns) with labels `y`; rows whose category was not
/// seen in training are left out.
pub fn risk(
    model: &Fitted,
    slot: &Slot,
    x: &[f64],
    y: &[f64],
    d: usize,
    prior: &[f64],
) -> Result<AttributeRisk, MiaError> {
    let (mut cand, mut truth, mut labels) = (Vec::new(), Vec::new(), Vec::new());
    for (row, &yi) in x.chunks(d).zip(y) {
        let Some(t) = slot.value(row) else { continue };
        truth.push(t);
        labels.push(yi);
        for v in 0..slot.k {
            let start = cand.len();
            cand.extend_from_slice(row);
            slot.set(&mut cand[start..], v);
        }
    }
    if truth.is_empty() {
        return Err(MiaError::AttributeUnseen);
    }
    let z = model
        .margins(&cand, truth.len() * slot.k, d)
        .map_err(MiaError::Learner)?;
    let score: Vec<f64> = z
        .iter()
        .enumerate()
        .map(|(j, &m)| loss_score(phi_from_margin(m, labels[j / slot.k] == 1.0)))
        .collect();
    Ok(attribute_risk(&score, slot.k, &truth, Some(prior)))
}
