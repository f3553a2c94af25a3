//! Input checks and serialisation helpers shared by the post-processing methods.

use crate::error::{check_len, MitigationError};
use crate::groups::Groups;

/// Checks that every score is finite; the error names the first bad row.
pub(crate) fn check_scores(scores: &[f64]) -> Result<(), MitigationError> {
    if scores.is_empty() {
        return Err(MitigationError::Empty);
    }
    match scores.iter().position(|s| !s.is_finite()) {
        None => Ok(()),
        Some(row) => Err(MitigationError::Data(format!(
            "row {row}: score {} is not a finite number",
            scores[row]
        ))),
    }
}

/// Checks that every label is 0 or 1; the error names the first bad row.
pub(crate) fn check_labels(y: &[f64]) -> Result<(), MitigationError> {
    match y.iter().position(|&v| v != 0.0 && v != 1.0) {
        None => Ok(()),
        Some(row) => Err(MitigationError::Data(format!(
            "row {row}: label {} is not 0 or 1 (post-processing needs binary labels)",
            y[row]
        ))),
    }
}

/// Checks sample weights: one per row, finite and non-negative, with a positive total.
pub(crate) fn check_weights(weights: &[f64], n: usize) -> Result<(), MitigationError> {
    check_len("sample weights", n, weights.len())?;
    if let Some(row) = weights.iter().position(|w| !w.is_finite() || *w < 0.0) {
        return Err(MitigationError::Data(format!(
            "row {row}: sample weight {} is not a finite non-negative number",
            weights[row]
        )));
    }
    if weights.iter().sum::<f64>() <= 0.0 {
        return Err(MitigationError::Data(
            "sample weights sum to zero: no row counts".into(),
        ));
    }
    Ok(())
}

/// Checks the shared inputs of a fit: scores, 0/1 labels, groups and optional weights of
/// the same length, every group code named.
pub(crate) fn check_fit_inputs(
    scores: &[f64],
    y: &[f64],
    groups: &Groups,
    sample_weight: Option<&[f64]>,
) -> Result<(), MitigationError> {
    check_scores(scores)?;
    check_len("labels", scores.len(), y.len())?;
    check_len("groups", scores.len(), groups.codes.len())?;
    check_labels(y)?;
    if let Some(w) = sample_weight {
        check_weights(w, scores.len())?;
    }
    check_codes(&groups.codes, groups.names.len())
}

/// Checks that every group code indexes a named group.
pub(crate) fn check_codes(codes: &[u32], n_groups: usize) -> Result<(), MitigationError> {
    match codes.iter().position(|&c| c as usize >= n_groups) {
        None => Ok(()),
        Some(row) => Err(MitigationError::Data(format!(
            "row {row}: group code {} is not one of the {n_groups} fitted groups",
            codes[row]
        ))),
    }
}

/// `rule(&rules[group], score)` for one row: the per-group rule of a fitted post-processor
/// (thresholds, calibrators) applied to a finite score; an error for a non-finite score or a
/// group code outside the `rules.len()` fitted groups.
pub(crate) fn apply_one<T>(
    rules: &[T],
    score: f64,
    group: u32,
    rule: impl Fn(&T, f64) -> f64,
) -> Result<f64, MitigationError> {
    if !score.is_finite() {
        return Err(MitigationError::Data(format!(
            "score {score} is not a finite number"
        )));
    }
    match rules.get(group as usize) {
        Some(r) => Ok(rule(r, score)),
        None => Err(MitigationError::Data(format!(
            "group code {group} is not one of the {} fitted groups",
            rules.len()
        ))),
    }
}

/// [`apply_one`] for every row, after checking all scores, lengths and codes (errors name the
/// row).
pub(crate) fn apply_all<T>(
    rules: &[T],
    scores: &[f64],
    group_codes: &[u32],
    rule: impl Fn(&T, f64) -> f64,
) -> Result<Vec<f64>, MitigationError> {
    check_scores(scores)?;
    crate::error::check_len("groups", scores.len(), group_codes.len())?;
    check_codes(group_codes, rules.len())?;
    Ok(scores
        .iter()
        .zip(group_codes)
        .map(|(&s, &g)| rule(&rules[g as usize], s))
        .collect())
}

/// Maps the groups of new data to the codes of the fitted groups by name; the error names
/// every group that was not seen at fit time.
pub(crate) fn recode_groups(
    fitted: &[String],
    groups: &Groups,
) -> Result<Vec<u32>, MitigationError> {
    let mut map = Vec::with_capacity(groups.names.len());
    for name in &groups.names {
        map.push(fitted.iter().position(|f| f == name).map(|i| i as u32));
    }
    let mut out = Vec::with_capacity(groups.codes.len());
    let mut used_unseen = vec![false; groups.names.len()];
    for (row, &c) in groups.codes.iter().enumerate() {
        match map.get(c as usize) {
            Some(Some(code)) => out.push(*code),
            Some(None) => {
                used_unseen[c as usize] = true;
                out.push(u32::MAX);
            }
            None => {
                return Err(MitigationError::Data(format!(
                    "row {row}: group code {c} has no name ({} groups)",
                    groups.names.len()
                )))
            }
        }
    }
    let missing: Vec<&str> = groups
        .names
        .iter()
        .zip(&used_unseen)
        .filter(|(_, &u)| u)
        .map(|(n, _)| n.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(MitigationError::Data(format!(
            "group(s) {} were not seen when fitting (fitted groups: {})",
            quote_list(&missing),
            quote_list(&fitted.iter().map(String::as_str).collect::<Vec<_>>())
        )));
    }
    Ok(out)
}

/// `'a', 'b', 'c'`.
pub(crate) fn quote_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Serde for a threshold that may be ±∞: finite values are JSON numbers, infinities the
/// strings `"inf"` / `"-inf"` (JSON has no infinity, and serde_json writes it as `null`).
pub(crate) mod extended_f64 {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Number(f64),
        Text(String),
    }

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else if v.is_nan() {
            s.serialize_str("nan")
        } else if *v > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_str("-inf")
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match Repr::deserialize(d)? {
            Repr::Number(v) => Ok(v),
            Repr::Text(t) => match t.as_str() {
                "inf" | "+inf" | "Infinity" => Ok(f64::INFINITY),
                "-inf" | "-Infinity" => Ok(f64::NEG_INFINITY),
                other => Err(serde::de::Error::custom(format!(
                    "expected a number, \"inf\" or \"-inf\", found \"{other}\""
                ))),
            },
        }
    }
}
