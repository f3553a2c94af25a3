//! Counterfactuals and recourse: the feature rules from the table and the options, and the
//! report of the results (category codes shown as their text).

use crate::reports::explain::{
    Change, Counterfactual, CounterfactualResult, GroupRecourse, RecourseResult,
};

use assay_explain::counterfactual::{
    counterfactuals, mad_scales, recourse_by_group, CounterfactualOptions, FeatureRule,
};
use assay_explain::Predict;

use super::table::RawTable;
use super::{ExplainOptions, ExplanationError};

/// The rule of every input column: immutable (named by --immutable, or a sensitive column),
/// numeric within --range or the data's range (at the data's precision), or categorical.
pub fn rules(a: &ExplainOptions, t: &RawTable) -> Result<Vec<FeatureRule>, ExplanationError> {
    let p = t.columns.len();
    for name in a.immutable.iter() {
        if !t.columns.iter().any(|c| &c.name == name) {
            return Err(ExplanationError::option(
                "immutable",
                format!("'{name}' is not an input of the model"),
            ));
        }
    }
    for (c, lo, hi) in &a.ranges {
        if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
            return Err(ExplanationError::option(
                "range",
                format!("{c}: need finite LOW <= HIGH, got {lo}, {hi}"),
            ));
        }
        if !t
            .columns
            .iter()
            .any(|k| &k.name == c && k.categories.is_none())
        {
            return Err(ExplanationError::option(
                "range",
                format!("'{c}' is not a numeric input of the model"),
            ));
        }
    }
    let ranges = &a.ranges;
    Ok(t.columns
        .iter()
        .enumerate()
        .map(|(j, c)| {
            if a.immutable.contains(&c.name) || a.sensitive.contains(&c.name) {
                return FeatureRule::Immutable;
            }
            match &c.categories {
                Some(cats) => FeatureRule::Categorical {
                    n_categories: cats.len(),
                },
                None => {
                    let values = (0..t.n).map(|i| t.x[i * p + j]).filter(|v| v.is_finite());
                    let (lo, hi) = values
                        .clone()
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                            (l.min(v), h.max(v))
                        });
                    // Counterfactual values keep the data's precision: the most decimals (up to
                    // 6) any value of the column has.
                    let decimals = values
                        .clone()
                        .map(|v| {
                            (0..=6u32)
                                .find(|&d| {
                                    let f = 10f64.powi(d as i32);
                                    (v * f).round() / f == v
                                })
                                .unwrap_or(6)
                        })
                        .max()
                        .unwrap_or(0);
                    let (lo, hi) = ranges
                        .iter()
                        .find(|r| r.0 == c.name)
                        .map_or((lo, hi), |r| (r.1, r.2));
                    if lo.is_finite() && hi.is_finite() {
                        FeatureRule::Numeric {
                            low: lo,
                            high: hi,
                            decimals: Some(decimals),
                        }
                    } else {
                        FeatureRule::Immutable
                    }
                }
            }
        })
        .collect())
}

/// Counterfactuals of `--row`.
pub fn counterfactual(
    a: &ExplainOptions,
    t: &RawTable,
    model: &dyn Predict,
) -> Result<CounterfactualResult, ExplanationError> {
    let row = a.row.ok_or_else(|| {
        ExplanationError::option(
            "row",
            "a counterfactual explains one row: name it (1-based)",
        )
    })?;
    if row == 0 || row > t.n {
        return Err(ExplanationError::option(
            "row",
            format!("{row} is not a row of the data (rows 1 to {})", t.n),
        ));
    }
    let p = t.columns.len();
    let rules = rules(a, t)?;
    let scales = mad_scales(&t.x, t.n, &rules).map_err(|e| e.to_string())?;
    let x = &t.x[(row - 1) * p..row * p];
    let opts = CounterfactualOptions {
        count: a.count,
        max_changes: a.max_changes,
        seed: a.seed,
        ..CounterfactualOptions::default()
    };
    let r = counterfactuals(model, x, &rules, &scales, &opts)
        .map_err(|e| format!("{}: row {row}: {e}", t.path.display()))?;
    let found = r
        .found
        .iter()
        .map(|c| Counterfactual {
            score: c.score,
            distance: c.distance,
            changes: c
                .changed
                .iter()
                .map(|&j| Change {
                    feature: t.columns[j].name.clone(),
                    from: t.shown(j, x[j]),
                    to: t.shown(j, c.values[j]),
                })
                .collect(),
        })
        .collect();
    Ok(CounterfactualResult {
        row,
        original_score: r.original_score,
        immutable: t
            .columns
            .iter()
            .zip(&rules)
            .filter(|(_, r)| matches!(r, FeatureRule::Immutable))
            .map(|(c, _)| c.name.clone())
            .collect(),
        counterfactuals: found,
        proximity: r.proximity,
        sparsity: r.sparsity,
        diversity: r.diversity,
        favourable_candidates: r.favourable_candidates,
    })
}

/// Recourse by `--sensitive` group.
pub fn recourse(
    a: &ExplainOptions,
    t: &RawTable,
    model: &dyn Predict,
) -> Result<RecourseResult, ExplanationError> {
    let groups = t.groups.as_ref().ok_or_else(|| {
        ExplanationError::option(
            "sensitive",
            "recourse compares the groups of the sensitive columns; name them",
        )
    })?;
    let (codes, names) = super::table::group_codes(groups);
    let rules = rules(a, t)?;
    let scales = mad_scales(&t.x, t.n, &rules).map_err(|e| e.to_string())?;
    let opts = CounterfactualOptions {
        max_changes: a.max_changes,
        seed: a.seed,
        candidates: 1000,
        ..CounterfactualOptions::default()
    };
    let r = recourse_by_group(
        model,
        &t.x,
        t.n,
        &codes,
        &rules,
        &scales,
        a.per_group,
        &opts,
    )
    .map_err(|e| format!("{}: {e}", t.path.display()))?;
    Ok(RecourseResult {
        groups: r
            .iter()
            .map(|g| GroupRecourse {
                group: names[g.group].clone(),
                rows_examined: g.rows,
                with_recourse: g.with_recourse,
                mean_distance: g.mean_distance,
                median_distance: g.median_distance,
                mean_changes: g.mean_changes,
            })
            .collect(),
        per_group: a.per_group,
        distance: "mean over features of |change| / MAD (numeric) or 1 per changed category (DiCE)"
            .into(),
    })
}
