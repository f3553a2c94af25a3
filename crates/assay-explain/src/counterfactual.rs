//! Counterfactual explanations: for one row whose decision is unfavourable, a set of diverse,
//! sparse and close alternative rows that the model decides favourably, in the spirit of DiCE
//! (Mothilal, Sharma & Tan 2020, "Explaining machine learning classifiers through diverse
//! counterfactual explanations"), and recourse summaries by group.
//!
//! The search is model-agnostic and seeded:
//!
//! 1. **Candidates.** Random perturbations of the row that change 1 to `max_changes` mutable
//!    features: a numeric feature takes a value drawn uniformly in its allowed range, a
//!    categorical one another category (DiCE's "random" method). Candidates are scored in large
//!    batches; those the model decides favourably (`score > threshold`) are kept.
//! 2. **Sparsity and proximity** (DiCE's post-hoc sparsity enhancement): every kept candidate
//!    is moved back towards the row one feature at a time, largest change first: a feature is
//!    reset to the row's value if the decision stays favourable, and otherwise, for a numeric
//!    feature, bisected (`bisection_steps` halvings) to the value closest to the row that keeps
//!    it favourable; passes repeat until nothing moves (at most 6). The 200 favourable
//!    candidates closest to the row are improved.
//! 3. **Diversity.** From the distinct improved candidates, `count` are chosen greedily: first
//!    the closest to the row, then repeatedly the one maximising
//!    `diversity_weight · (distance to the nearest chosen) − (distance to the row)`.
//!
//! **Distances** are DiCE's: numeric differences divided by the feature's median absolute
//! deviation over the data (MAD; 1 where the MAD is 0), categorical differences count 1; the
//! distance of two rows is the mean over features. Reported per set: proximity (mean distance to
//! the row), sparsity (mean number of changed features) and diversity (mean pairwise distance).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::error::{check_len, ExplainError};
use crate::predict::Predict;

/// Favourable candidates improved (the closest ones).
const IMPROVE_LIMIT: usize = 200;

/// Most improvement passes over one candidate.
const MAX_PASSES: usize = 6;

/// What a feature may do in a counterfactual.
#[derive(Debug, Clone, PartialEq)]
pub enum FeatureRule {
    /// Never changes (a protected attribute such as race, or age).
    Immutable,
    /// A number in `[low, high]`.
    Numeric {
        /// Smallest allowed value.
        low: f64,
        /// Largest allowed value.
        high: f64,
        /// Round to this many decimals (integers: 0), or `None`.
        decimals: Option<u32>,
    },
    /// One of the category codes `0..n_categories`.
    Categorical {
        /// Number of categories (codes `0..n`).
        n_categories: usize,
    },
}

/// Settings of the search.
#[derive(Debug, Clone, PartialEq)]
pub struct CounterfactualOptions {
    /// Counterfactuals wanted. Default 4.
    pub count: usize,
    /// Random candidates drawn. Default 4,000.
    pub candidates: usize,
    /// Largest number of features changed in a candidate. Default 3.
    pub max_changes: usize,
    /// The favourable decision is `score > threshold`. Default 0.5.
    pub threshold: f64,
    /// Weight of diversity against proximity in the choice. Default 1.
    pub diversity_weight: f64,
    /// Halvings when moving a numeric feature back towards the row. Default 20.
    pub bisection_steps: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for CounterfactualOptions {
    fn default() -> Self {
        CounterfactualOptions {
            count: 4,
            candidates: 4000,
            max_changes: 3,
            threshold: 0.5,
            diversity_weight: 1.0,
            bisection_steps: 20,
            seed: 0,
        }
    }
}

/// One counterfactual.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counterfactual {
    /// The row's values with the changes.
    pub values: Vec<f64>,
    /// The model's score of it.
    pub score: f64,
    /// The changed features (indices).
    pub changed: Vec<usize>,
    /// Its distance to the row.
    pub distance: f64,
}

/// A set of counterfactuals for one row, with DiCE's quality measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counterfactuals {
    /// The model's score of the row itself.
    pub original_score: f64,
    /// The counterfactuals, closest first (empty when none was found).
    pub found: Vec<Counterfactual>,
    /// Mean distance to the row.
    pub proximity: Option<f64>,
    /// Mean number of changed features.
    pub sparsity: Option<f64>,
    /// Mean pairwise distance (needs two or more).
    pub diversity: Option<f64>,
    /// Candidates the model decided favourably before improvement.
    pub favourable_candidates: usize,
}

/// Feature scales for distances: the median absolute deviation of every numeric feature over
/// the rows of `x` (1 where it is 0, and for categorical or immutable features).
pub fn mad_scales(
    x: &[f64],
    n_rows: usize,
    rules: &[FeatureRule],
) -> Result<Vec<f64>, ExplainError> {
    let p = rules.len();
    check_len("data matrix", n_rows * p, x.len())?;
    Ok((0..p)
        .map(|j| {
            if !matches!(rules[j], FeatureRule::Numeric { .. }) {
                return 1.0;
            }
            let mut v: Vec<f64> = (0..n_rows)
                .map(|i| x[i * p + j])
                .filter(|v| v.is_finite())
                .collect();
            if v.is_empty() {
                return 1.0;
            }
            let med = median(&mut v);
            let mut dev: Vec<f64> = v.iter().map(|a| (a - med).abs()).collect();
            let mad = median(&mut dev);
            if mad > 0.0 {
                mad
            } else {
                1.0
            }
        })
        .collect())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// DiCE's distance: mean over features of |difference| / scale (numeric) or 0/1 (categorical).
fn distance(a: &[f64], b: &[f64], rules: &[FeatureRule], scales: &[f64]) -> f64 {
    let p = rules.len().max(1);
    a.iter()
        .zip(b)
        .zip(rules.iter().zip(scales))
        .map(|((x, y), (r, s))| match r {
            FeatureRule::Categorical { .. } => f64::from(u8::from(x != y)),
            _ => (x - y).abs() / s,
        })
        .sum::<f64>()
        / p as f64
}

fn round(v: f64, decimals: Option<u32>) -> f64 {
    match decimals {
        Some(d) => {
            let f = 10f64.powi(d as i32);
            (v * f).round() / f
        }
        None => v,
    }
}

/// Counterfactuals of `row` (see the [module documentation](self)). `scales` are the distance
/// scales ([`mad_scales`]). An error if the row is already decided favourably, or no feature
/// may change.
pub fn counterfactuals(
    model: &dyn Predict,
    row: &[f64],
    rules: &[FeatureRule],
    scales: &[f64],
    options: &CounterfactualOptions,
) -> Result<Counterfactuals, ExplainError> {
    let p = model.n_features();
    check_len("row", p, row.len())?;
    check_len("feature rules", p, rules.len())?;
    check_len("scales", p, scales.len())?;
    if options.count == 0 || options.max_changes == 0 {
        return Err(ExplainError::Parameter(
            "count and max_changes must be at least 1".into(),
        ));
    }
    let mutable: Vec<usize> = (0..p)
        .filter(|&j| match &rules[j] {
            FeatureRule::Immutable => false,
            FeatureRule::Numeric { low, high, .. } => high > low,
            FeatureRule::Categorical { n_categories } => *n_categories > 1,
        })
        .collect();
    if mutable.is_empty() {
        return Err(ExplainError::Parameter(
            "no feature may change: every feature is immutable or has a single allowed value"
                .into(),
        ));
    }
    let original_score = model.predict(row, 1)?[0];
    if original_score > options.threshold {
        return Err(ExplainError::Data(format!(
            "the row is already decided favourably (score {original_score:.4} > {})",
            options.threshold
        )));
    }
    // 1. Random candidates, scored in one batch.
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut cand = Vec::with_capacity(options.candidates * p);
    let mut picks: Vec<usize> = Vec::with_capacity(mutable.len());
    for _ in 0..options.candidates {
        let start = cand.len();
        cand.extend_from_slice(row);
        let k = rng.random_range(1..=options.max_changes.min(mutable.len()));
        picks.clear();
        picks.extend_from_slice(&mutable);
        for t in 0..k {
            let s = rng.random_range(t..picks.len());
            picks.swap(t, s);
            let j = picks[t];
            cand[start + j] = match &rules[j] {
                FeatureRule::Numeric {
                    low,
                    high,
                    decimals,
                } => round(rng.random_range(*low..=*high), *decimals).clamp(*low, *high),
                FeatureRule::Categorical { n_categories } => {
                    // Another category than the row's.
                    let cur = row[j] as usize;
                    let mut c = rng.random_range(0..n_categories - 1);
                    if c >= cur {
                        c += 1;
                    }
                    c as f64
                }
                FeatureRule::Immutable => row[j],
            };
        }
    }
    let scores = model.predict(&cand, options.candidates)?;
    let mut favourable: Vec<usize> = (0..options.candidates)
        .filter(|&i| scores[i] > options.threshold)
        .collect();
    let n_favourable = favourable.len();
    // Only the closest candidates are worth improving (each improvement costs model calls).
    favourable.sort_by(|&a, &b| {
        let d = |i: usize| distance(&cand[i * p..(i + 1) * p], row, rules, scales);
        d(a).total_cmp(&d(b)).then(a.cmp(&b))
    });
    favourable.truncate(IMPROVE_LIMIT);
    // 2. Move each favourable candidate back towards the row.
    let mut improved: Vec<Counterfactual> = Vec::new();
    for &i in &favourable {
        let mut c = cand[i * p..(i + 1) * p].to_vec();
        // Passes until nothing moves (a later feature moving back can let an earlier one move
        // further): every pass tries each changed feature, largest change first.
        for _ in 0..MAX_PASSES {
            let before = c.clone();
            let mut order: Vec<usize> = (0..p).filter(|&j| c[j] != row[j]).collect();
            order.sort_by(|&a, &b| {
                let d = |j: usize| distance(&[c[j]], &[row[j]], &rules[j..=j], &scales[j..=j]);
                d(b).total_cmp(&d(a))
            });
            for j in order {
                let keep = c[j];
                c[j] = row[j];
                if model.predict(&c, 1)?[0] > options.threshold {
                    continue;
                }
                c[j] = keep;
                if let FeatureRule::Numeric {
                    decimals,
                    low,
                    high,
                } = &rules[j]
                {
                    // Bisection between the row's value (unfavourable) and `keep`
                    // (favourable).
                    let (mut bad, mut good) = (row[j], keep);
                    for _ in 0..options.bisection_steps {
                        let mid = round((bad + good) / 2.0, *decimals).clamp(*low, *high);
                        if mid == bad || mid == good {
                            break;
                        }
                        c[j] = mid;
                        if model.predict(&c, 1)?[0] > options.threshold {
                            good = mid;
                        } else {
                            bad = mid;
                        }
                    }
                    c[j] = good;
                }
            }
            if c == before {
                break;
            }
        }
        let score = model.predict(&c, 1)?[0];
        if score > options.threshold && !improved.iter().any(|d| d.values == c) {
            let changed = (0..p).filter(|&j| c[j] != row[j]).collect();
            let dist = distance(&c, row, rules, scales);
            improved.push(Counterfactual {
                values: c,
                score,
                changed,
                distance: dist,
            });
        }
    }
    // 3. A diverse set: the closest first, then the best trade-off of diversity and proximity.
    improved.sort_by(|a, b| a.distance.total_cmp(&b.distance));
    let mut chosen: Vec<Counterfactual> = Vec::new();
    let mut pool = improved;
    while chosen.len() < options.count && !pool.is_empty() {
        let best = if chosen.is_empty() {
            0
        } else {
            let value = |c: &Counterfactual| {
                let nearest = chosen
                    .iter()
                    .map(|s| distance(&c.values, &s.values, rules, scales))
                    .fold(f64::INFINITY, f64::min);
                options.diversity_weight * nearest - c.distance
            };
            (0..pool.len())
                .max_by(|&a, &b| value(&pool[a]).total_cmp(&value(&pool[b])).then(b.cmp(&a)))
                .expect("pool is not empty")
        };
        chosen.push(pool.remove(best));
    }
    chosen.sort_by(|a, b| a.distance.total_cmp(&b.distance));
    let k = chosen.len() as f64;
    let proximity = (k > 0.0).then(|| chosen.iter().map(|c| c.distance).sum::<f64>() / k);
    let sparsity =
        (k > 0.0).then(|| chosen.iter().map(|c| c.changed.len() as f64).sum::<f64>() / k);
    let diversity = (chosen.len() >= 2).then(|| {
        let mut total = 0.0;
        let mut pairs = 0.0;
        for a in 0..chosen.len() {
            for b in a + 1..chosen.len() {
                total += distance(&chosen[a].values, &chosen[b].values, rules, scales);
                pairs += 1.0;
            }
        }
        total / pairs
    });
    Ok(Counterfactuals {
        original_score,
        found: chosen,
        proximity,
        sparsity,
        diversity,
        favourable_candidates: n_favourable,
    })
}

/// Recourse of one group: how far its unfavourably decided rows must move.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRecourse {
    /// The group code.
    pub group: usize,
    /// Unfavourably decided rows examined.
    pub rows: usize,
    /// Of those, rows with at least one counterfactual.
    pub with_recourse: usize,
    /// Mean distance of the closest counterfactual (rows with recourse).
    pub mean_distance: Option<f64>,
    /// Median distance of the closest counterfactual.
    pub median_distance: Option<f64>,
    /// Mean number of features the closest counterfactual changes.
    pub mean_changes: Option<f64>,
}

/// Recourse summaries by group ("how far must a woman's profile move to be selected, compared
/// with a man's?"): for up to `per_group` unfavourably decided rows of each group (the first
/// ones in row order), the distance and sparsity of the closest counterfactual
/// ([`counterfactuals`] with `options`, each row seeded with `options.seed + row index`).
#[allow(clippy::too_many_arguments)]
pub fn recourse_by_group(
    model: &dyn Predict,
    x: &[f64],
    n_rows: usize,
    groups: &[usize],
    rules: &[FeatureRule],
    scales: &[f64],
    per_group: usize,
    options: &CounterfactualOptions,
) -> Result<Vec<GroupRecourse>, ExplainError> {
    let p = model.n_features();
    check_len("data matrix", n_rows * p, x.len())?;
    check_len("groups", n_rows, groups.len())?;
    let scores = model.predict(x, n_rows)?;
    let mut codes: Vec<usize> = groups.to_vec();
    codes.sort_unstable();
    codes.dedup();
    let single = CounterfactualOptions {
        count: 1,
        ..options.clone()
    };
    let mut out = Vec::with_capacity(codes.len());
    for g in codes {
        let rows: Vec<usize> = (0..n_rows)
            .filter(|&i| groups[i] == g && scores[i] <= options.threshold)
            .take(per_group)
            .collect();
        let mut dist = Vec::new();
        let mut changes = Vec::new();
        for &i in &rows {
            let opts = CounterfactualOptions {
                seed: options.seed.wrapping_add(i as u64),
                ..single.clone()
            };
            let r = counterfactuals(model, &x[i * p..(i + 1) * p], rules, scales, &opts)?;
            if let Some(c) = r.found.first() {
                dist.push(c.distance);
                changes.push(c.changed.len() as f64);
            }
        }
        let k = dist.len();
        out.push(GroupRecourse {
            group: g,
            rows: rows.len(),
            with_recourse: k,
            mean_distance: (k > 0).then(|| dist.iter().sum::<f64>() / k as f64),
            median_distance: (k > 0).then(|| median(&mut dist.clone())),
            mean_changes: (k > 0).then(|| changes.iter().sum::<f64>() / k as f64),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predict::FnPredict;

    /// A logistic model on two numeric features and one categorical (code 0/1/2).
    fn model() -> impl Predict {
        FnPredict::new(4, |x: &[f64], n| {
            Ok((0..n)
                .map(|i| {
                    let r = &x[i * 4..i * 4 + 4];
                    let z = 0.8 * r[0] - 0.5 * r[1] + [0.0, 1.0, -1.0][r[2] as usize] - 3.0;
                    1.0 / (1.0 + (-z).exp())
                })
                .collect())
        })
    }

    fn rules() -> Vec<FeatureRule> {
        vec![
            FeatureRule::Numeric {
                low: 0.0,
                high: 10.0,
                decimals: None,
            },
            FeatureRule::Numeric {
                low: 0.0,
                high: 5.0,
                decimals: None,
            },
            FeatureRule::Categorical { n_categories: 3 },
            FeatureRule::Immutable,
        ]
    }

    #[test]
    fn counterfactuals_flip_respect_rules_and_are_minimal_along_single_features() {
        let m = model();
        let row = [1.0, 2.0, 0.0, 7.0];
        let scales = [1.0, 1.0, 1.0, 1.0];
        let r = counterfactuals(
            &m,
            &row,
            &rules(),
            &scales,
            &CounterfactualOptions::default(),
        )
        .unwrap();
        assert!(r.original_score < 0.5);
        assert!(!r.found.is_empty());
        for c in &r.found {
            assert!(c.score > 0.5);
            assert_eq!(c.values[3], 7.0, "immutable feature changed");
            assert!((0.0..=10.0).contains(&c.values[0]) && (0.0..=5.0).contains(&c.values[1]));
            assert!(c.values[2] == 0.0 || c.values[2] == 1.0 || c.values[2] == 2.0);
            // Only feature 0 changed: the decision boundary is analytic,
            // 0.8·x0 − 1 − 3 = 0 ⇒ x0 = 5; bisection lands within 10 / 2^20 above it.
            if c.changed == vec![0] {
                assert!(
                    c.values[0] > 5.0 && c.values[0] - 5.0 < 2e-5,
                    "{}",
                    c.values[0]
                );
            }
            // Sparsity enhancement: no changed feature can simply be reset.
            for &j in &c.changed {
                let mut back = c.values.clone();
                back[j] = row[j];
                assert!(
                    m.predict(&back, 1).unwrap()[0] <= 0.5,
                    "feature {j} need not change"
                );
            }
        }
        assert!(r.found.windows(2).all(|w| w[0].distance <= w[1].distance));
        let again = counterfactuals(
            &m,
            &row,
            &rules(),
            &scales,
            &CounterfactualOptions::default(),
        )
        .unwrap();
        assert_eq!(r, again, "seeded search is deterministic");
        assert!(r.diversity.unwrap() > 0.0);
    }

    #[test]
    fn favourable_rows_and_frozen_features_are_errors() {
        let m = model();
        let scales = [1.0; 4];
        assert!(counterfactuals(
            &m,
            &[9.0, 0.0, 1.0, 0.0],
            &rules(),
            &scales,
            &CounterfactualOptions::default()
        )
        .is_err());
        let frozen = vec![FeatureRule::Immutable; 4];
        assert!(counterfactuals(
            &m,
            &[1.0, 2.0, 0.0, 7.0],
            &frozen,
            &scales,
            &CounterfactualOptions::default()
        )
        .is_err());
    }

    #[test]
    fn recourse_is_farther_for_the_group_further_from_the_boundary() {
        let m = model();
        // Group 0 starts at x0 = 4 (one unit from the boundary), group 1 at x0 = 1 (four).
        let mut x = Vec::new();
        let mut g = Vec::new();
        for i in 0..10 {
            x.extend_from_slice(&[4.0, 1.0 + 0.01 * i as f64, 0.0, 0.0]);
            g.push(0);
            x.extend_from_slice(&[1.0, 1.0 + 0.01 * i as f64, 0.0, 0.0]);
            g.push(1);
        }
        let rules = vec![
            FeatureRule::Numeric {
                low: 0.0,
                high: 10.0,
                decimals: None,
            },
            FeatureRule::Immutable,
            FeatureRule::Immutable,
            FeatureRule::Immutable,
        ];
        let scales = mad_scales(&x, 20, &rules).unwrap();
        let r = recourse_by_group(
            &m,
            &x,
            20,
            &g,
            &rules,
            &scales,
            5,
            &CounterfactualOptions::default(),
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].with_recourse, 5);
        assert!(r[1].mean_distance.unwrap() > 2.0 * r[0].mean_distance.unwrap());
    }
}
