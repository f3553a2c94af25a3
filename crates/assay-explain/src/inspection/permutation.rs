//! Permutation importance (Breiman 2001), as scikit-learn's
//! `sklearn.inspection.permutation_importance`, extended to feature groups, fairness
//! disparities and sensitive-group disaggregation.
//!
//! For a feature (or a [`FeatureGroups`] group, whose columns are permuted together with one
//! row permutation), repeat `r` replaces the feature's columns of row `i` by those of row
//! `π_r(i)` and scores the model on the result; the importance of the repeat is
//!
//! ```text
//! importance_r = baseline score − score with the feature permuted
//! ```
//!
//! for every [`Scorer`], so a positive importance means that breaking the feature's link to
//! the other features and the target *lowers* the score. The scores are "higher is better"
//! (scikit-learn's scorer convention: log-loss enters as its negative,
//! [`Scorer::NegLogLoss`]), except for the fairness disparities, whose score is the disparity
//! itself: there a **positive importance means that permuting the feature shrinks the gap**,
//! i.e. the feature drives the disparity; a negative one that the feature masks a larger gap.
//!
//! Summary over the `n_repeats` repeats: mean, standard deviation with `ddof = 0` (numpy's
//! `std`, as scikit-learn), every repeat, and an interval given by the repeats' own
//! `(1 − level)/2` and `(1 + level)/2` quantiles (numpy's `percentile`, linear interpolation):
//! a description of the spread of the permutations, not a confidence interval for a
//! population quantity, and with few repeats it is just the range.
//!
//! Randomness: the permutation of repeat `r` of feature `j` is a Fisher–Yates shuffle driven
//! by ChaCha20 keyed by `(seed, j, r)`, so results do not depend on thread scheduling or on
//! which other features are computed. They cannot equal scikit-learn's (numpy's Mersenne
//! Twister; scikit-learn also reshuffles the already shuffled column, and uses the same
//! sequence of shuffles for every feature). [`permutation_importance_with_permutations`]
//! takes explicit permutations, which reproduces scikit-learn exactly when given the
//! permutations it applied.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

use crate::error::{check_len, ExplainError};
use crate::groups::FeatureGroups;
use crate::predict::Predict;

/// What a permutation changes (every score is computed from the model output `p` per row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scorer {
    /// Weighted share of rows whose predicted label (`p > threshold`) equals `y`
    /// (scikit-learn `accuracy`).
    Accuracy,
    /// Mean over the classes present in `y` (positive total weight) of the weighted recall of
    /// that class (scikit-learn `balanced_accuracy`, `adjusted = False`).
    BalancedAccuracy,
    /// Area under the ROC curve of `p` as the score of class 1, ties between scores handled
    /// by the trapezoid rule, weighted (scikit-learn `roc_auc`). Both classes must be present.
    RocAuc,
    /// Negative mean log-loss of `p` as the probability of class 1, `p` and `1 − p` clipped to
    /// `[ε, 1 − ε]` with `ε` = `f64::EPSILON` (scikit-learn `neg_log_loss`).
    NegLogLoss,
    /// Coefficient of determination of `p` for a numeric `y`, weighted; 1 when `y` is
    /// constant and predicted exactly, 0 when constant and not (scikit-learn `r2`,
    /// `force_finite = True`).
    R2,
    /// Demographic-parity difference (fairlearn): the largest minus the smallest weighted
    /// selection rate (share of `p > threshold`) over the sensitive groups present. Needs
    /// group codes.
    DemographicParityDifference,
    /// Equalized-odds difference (fairlearn): the larger of the spreads (max − min over the
    /// groups present) of the true-positive rate and of the false-positive rate of the
    /// predicted labels. Every group must have both labels. Needs group codes.
    EqualizedOddsDifference,
}

impl Scorer {
    /// Name (scikit-learn's scorer name where there is one).
    pub fn key(self) -> &'static str {
        match self {
            Scorer::Accuracy => "accuracy",
            Scorer::BalancedAccuracy => "balanced_accuracy",
            Scorer::RocAuc => "roc_auc",
            Scorer::NegLogLoss => "neg_log_loss",
            Scorer::R2 => "r2",
            Scorer::DemographicParityDifference => "demographic_parity_difference",
            Scorer::EqualizedOddsDifference => "equalized_odds_difference",
        }
    }

    /// Whether the score is a disparity between sensitive groups (importance > 0: the
    /// feature drives the gap).
    pub fn is_disparity(self) -> bool {
        matches!(
            self,
            Scorer::DemographicParityDifference | Scorer::EqualizedOddsDifference
        )
    }

    fn needs_binary_labels(self) -> bool {
        !matches!(self, Scorer::R2 | Scorer::DemographicParityDifference)
    }
}

/// What the scores compare the model output with.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Target per row: 0/1 labels for the classification scores and the equalized-odds
    /// difference, a number for R²; ignored by the demographic-parity difference.
    pub y: &'a [f64],
    /// Row weights (non-negative, positive sum), or `None` for 1 each.
    pub sample_weight: Option<&'a [f64]>,
    /// Sensitive-group code per row (disparity scorers; group disaggregation).
    pub groups: Option<&'a [usize]>,
    /// Predicted label is `p > threshold` (0.5 for a probability; 0 for a margin).
    pub threshold: f64,
}

impl<'a> Target<'a> {
    /// Labels or values `y`, no weights, no groups, threshold 0.5.
    pub fn new(y: &'a [f64]) -> Target<'a> {
        Target {
            y,
            sample_weight: None,
            groups: None,
            threshold: 0.5,
        }
    }
}

/// The score of model outputs `pred` for `target` (see [`Scorer`]). Non-finite outputs are an
/// error, and so are outputs outside `[0, 1]` for [`Scorer::NegLogLoss`].
pub fn score(scorer: Scorer, pred: &[f64], target: &Target) -> Result<f64, ExplainError> {
    let n = pred.len();
    check_len("target", n, target.y.len())?;
    if let Some(i) = pred.iter().position(|v| !v.is_finite()) {
        return Err(ExplainError::Model(format!(
            "output {} for row {i} is not a finite number",
            pred[i]
        )));
    }
    if scorer == Scorer::NegLogLoss {
        if let Some(i) = pred.iter().position(|v| !(0.0..=1.0).contains(v)) {
            return Err(ExplainError::Data(format!(
                "log-loss needs probabilities; the output for row {i} is {}",
                pred[i]
            )));
        }
    }
    let w = |i: usize| target.sample_weight.map_or(1.0, |w| w[i]);
    let label = |i: usize| pred[i] > target.threshold;
    let y1 = |i: usize| target.y[i] == 1.0;
    match scorer {
        Scorer::Accuracy => {
            let (mut num, mut den) = (0.0, 0.0);
            for i in 0..n {
                if label(i) == y1(i) {
                    num += w(i);
                }
                den += w(i);
            }
            Ok(num / den)
        }
        Scorer::BalancedAccuracy => {
            let mut hit = [0.0; 2];
            let mut tot = [0.0; 2];
            for i in 0..n {
                let c = y1(i) as usize;
                tot[c] += w(i);
                if label(i) == y1(i) {
                    hit[c] += w(i);
                }
            }
            let recalls: Vec<f64> = (0..2)
                .filter(|&c| tot[c] > 0.0)
                .map(|c| hit[c] / tot[c])
                .collect();
            Ok(recalls.iter().sum::<f64>() / recalls.len() as f64)
        }
        Scorer::RocAuc => {
            let mut idx: Vec<usize> = (0..n).collect();
            idx.sort_by(|&a, &b| pred[b].total_cmp(&pred[a]));
            let (mut tp, mut fp, mut area) = (0.0, 0.0, 0.0);
            let mut k = 0;
            while k < n {
                let (tp0, fp0) = (tp, fp);
                let s = pred[idx[k]];
                while k < n && pred[idx[k]] == s {
                    if y1(idx[k]) {
                        tp += w(idx[k]);
                    } else {
                        fp += w(idx[k]);
                    }
                    k += 1;
                }
                area += (fp - fp0) * (tp + tp0) / 2.0;
            }
            if tp <= 0.0 || fp <= 0.0 {
                return Err(ExplainError::Data(
                    "ROC AUC needs both classes (positive weight) among the rows scored".into(),
                ));
            }
            Ok(area / (tp * fp))
        }
        Scorer::NegLogLoss => {
            let eps = f64::EPSILON;
            let (mut num, mut den) = (0.0, 0.0);
            for (i, &pi) in pred.iter().enumerate() {
                let q = if y1(i) { pi } else { 1.0 - pi };
                num += w(i) * q.clamp(eps, 1.0 - eps).ln();
                den += w(i);
            }
            Ok(num / den)
        }
        Scorer::R2 => {
            let (mut sw, mut swy) = (0.0, 0.0);
            for i in 0..n {
                sw += w(i);
                swy += w(i) * target.y[i];
            }
            let mean = swy / sw;
            let (mut num, mut den) = (0.0, 0.0);
            for (i, &pi) in pred.iter().enumerate() {
                num += w(i) * (target.y[i] - pi).powi(2);
                den += w(i) * (target.y[i] - mean).powi(2);
            }
            Ok(if den != 0.0 {
                1.0 - num / den
            } else if num == 0.0 {
                1.0
            } else {
                0.0
            })
        }
        Scorer::DemographicParityDifference | Scorer::EqualizedOddsDifference => {
            let g = target.groups.ok_or_else(|| {
                ExplainError::Parameter(format!(
                    "the {} scorer needs sensitive-group codes",
                    scorer.key()
                ))
            })?;
            check_len("group codes", n, g.len())?;
            let mut codes = g.to_vec();
            codes.sort_unstable();
            codes.dedup();
            // per group: [weight, selected] for DP; [pos, tp, neg, fp] for EO
            let mut acc = vec![[0.0f64; 4]; codes.len()];
            for i in 0..n {
                let a = &mut acc[codes.binary_search(&g[i]).expect("code present")];
                let sel = if label(i) { w(i) } else { 0.0 };
                let off = if scorer == Scorer::EqualizedOddsDifference && !y1(i) {
                    2
                } else {
                    0
                };
                a[off] += w(i);
                a[off + 1] += sel;
            }
            let spread = |vals: Vec<f64>| {
                let mx = vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let mn = vals.iter().cloned().fold(f64::INFINITY, f64::min);
                mx - mn
            };
            let groups: Vec<usize> = (0..codes.len()).collect();
            if groups.is_empty() {
                return Err(ExplainError::Empty("disparity rows"));
            }
            for &k in &groups {
                if acc[k][0] <= 0.0
                    || (scorer == Scorer::EqualizedOddsDifference && acc[k][2] <= 0.0)
                {
                    return Err(ExplainError::Data(format!(
                        "sensitive group {} has no weight{} among the rows scored",
                        codes[k],
                        if scorer == Scorer::EqualizedOddsDifference {
                            " in one of the labels"
                        } else {
                            ""
                        }
                    )));
                }
            }
            let rate = |k: usize, a: usize, b: usize| acc[k][b] / acc[k][a];
            if scorer == Scorer::DemographicParityDifference {
                Ok(spread(groups.iter().map(|&k| rate(k, 0, 1)).collect()))
            } else {
                let tpr = spread(groups.iter().map(|&k| rate(k, 0, 1)).collect());
                let fpr = spread(groups.iter().map(|&k| rate(k, 2, 3)).collect());
                Ok(tpr.max(fpr))
            }
        }
    }
}

/// Most distinct sensitive groups the group-aware scorers and the disaggregation accept: the
/// cap `assay-fairness` puts on a sensitive feature's values (`MAX_FEATURE_VALUES`), so that
/// an identifier given as a sensitive feature is refused instead of explained once per row
/// (issue #15: 100,000 groups ran for hours).
pub const MAX_GROUPS: usize = 65_535;

/// Most repetitions of each feature's permutation (every repetition is one scoring of all
/// rows, and their scores are kept).
pub const MAX_REPEATS: usize = 10_000;

fn check_group_count(g: &[usize]) -> Result<(), ExplainError> {
    let mut codes = g.to_vec();
    codes.sort_unstable();
    codes.dedup();
    if codes.len() > MAX_GROUPS {
        return Err(ExplainError::Data(format!(
            "{} distinct sensitive groups, above the cap of {MAX_GROUPS}: this looks like an identifier, not a group; bin a numeric feature",
            codes.len()
        )));
    }
    Ok(())
}

fn check_target(scorer: Scorer, n_rows: usize, target: &Target) -> Result<(), ExplainError> {
    check_len("target", n_rows, target.y.len())?;
    if let Some(w) = target.sample_weight {
        check_len("sample weights", n_rows, w.len())?;
        if let Some(i) = w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(ExplainError::Data(format!(
                "sample weight of row {i} is {}; weights must be finite and non-negative",
                w[i]
            )));
        }
        if w.iter().sum::<f64>() <= 0.0 {
            return Err(ExplainError::Data("sample weights sum to zero".into()));
        }
    }
    if let Some(g) = target.groups {
        check_len("group codes", n_rows, g.len())?;
        check_group_count(g)?;
    }
    if scorer.needs_binary_labels() {
        if let Some(i) = target.y.iter().position(|v| *v != 0.0 && *v != 1.0) {
            return Err(ExplainError::Data(format!(
                "the {} scorer needs 0/1 labels; row {i} has {}",
                scorer.key(),
                target.y[i]
            )));
        }
    } else if let Some(i) = target.y.iter().position(|v| !v.is_finite()) {
        if scorer == Scorer::R2 {
            return Err(ExplainError::Data(format!(
                "target of row {i} is not a finite number"
            )));
        }
    }
    Ok(())
}

/// Importance of one feature (group of columns).
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureImportance {
    /// Feature name.
    pub name: String,
    /// Its columns (permuted together).
    pub columns: Vec<usize>,
    /// Mean of the repeats' importances.
    pub mean: f64,
    /// Standard deviation of the repeats' importances (`ddof = 0`).
    pub std: f64,
    /// Every repeat's importance (baseline score − permuted score).
    pub importances: Vec<f64>,
    /// Quantiles `(1 − level)/2` and `(1 + level)/2` of the repeats' importances.
    pub interval: (f64, f64),
}

/// Permutation importance of every feature.
#[derive(Debug, Clone, PartialEq)]
pub struct PermutationImportance {
    /// The score.
    pub scorer: Scorer,
    /// Score of the unpermuted data.
    pub baseline: f64,
    /// Level of the repeat-quantile interval.
    pub level: f64,
    /// One entry per feature group, in the order of the groups.
    pub features: Vec<FeatureImportance>,
}

/// Settings of seeded permutation importance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PermutationOptions {
    /// Repeats per feature (scikit-learn's `n_repeats`, default 5).
    pub n_repeats: usize,
    /// Seed of the permutations.
    pub seed: u64,
    /// Level of the repeat-quantile interval, in (0, 1) (default 0.95).
    pub level: f64,
}

impl Default for PermutationOptions {
    fn default() -> Self {
        PermutationOptions {
            n_repeats: 5,
            seed: 0,
            level: 0.95,
        }
    }
}

/// numpy's `percentile(v, 100 q)` with the default 'linear' method.
pub fn quantile_linear(values: &[f64], q: f64) -> f64 {
    let mut s = values.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    if n == 1 {
        return s[0];
    }
    let h = (n - 1) as f64 * q;
    let lo = (h.floor() as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    let t = h - lo as f64;
    let (a, b) = (s[lo], s[hi]);
    // numpy's _lerp
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// The row permutation of repeat `repeat` of feature `feature` for `seed` (see the module
/// documentation): `perm[i]` is the row whose values row `i` receives.
pub fn seeded_permutation(n_rows: usize, seed: u64, feature: usize, repeat: usize) -> Vec<usize> {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&(feature as u64).to_le_bytes());
    key[16..24].copy_from_slice(&(repeat as u64).to_le_bytes());
    key[24..].copy_from_slice(b"assayPI1");
    let mut rng = ChaCha20Rng::from_seed(key);
    let mut perm: Vec<usize> = (0..n_rows).collect();
    for i in (1..n_rows).rev() {
        let j = rng.random_range(0..=i);
        perm.swap(i, j);
    }
    perm
}

/// Rows of one model call when scoring permuted rows.
const SCORE_BLOCK_ROWS: usize = 2048;

struct Prepared<'a> {
    model: &'a dyn Predict,
    x: &'a [f64],
    p: usize,
    /// The model's outputs on the unpermuted rows.
    base: Vec<f64>,
}

impl Prepared<'_> {
    /// The score with the columns `cols` of row `i` replaced by those of row `perm[i]`. A
    /// row whose permuted cells equal its own (bit for bit: a category drawn onto a row of
    /// the same category, a row drawn onto itself) is the unpermuted row, so its output is
    /// the baseline's: only the rows that changed are scored (the [`Predict`] contract: an
    /// output depends on its row only). For a feature with few distinct values this skips
    /// most of the rows.
    fn permuted_score(
        &self,
        cols: &[usize],
        perm: &[usize],
        scorer: Scorer,
        target: &Target,
    ) -> Result<f64, ExplainError> {
        let p = self.p;
        let x = self.x;
        let changed: Vec<usize> = (0..perm.len())
            .filter(|&i| {
                let src = perm[i];
                cols.iter()
                    .any(|&c| x[src * p + c].to_bits() != x[i * p + c].to_bits())
            })
            .collect();
        let mut pred = self.base.clone();
        // Scored in blocks of rows, one buffer reused: the permuted rows stay in cache
        // instead of a copy of the whole matrix per permutation.
        let block = SCORE_BLOCK_ROWS.min(changed.len());
        let mut m = Vec::with_capacity(block * p);
        for rows in changed.chunks(SCORE_BLOCK_ROWS) {
            m.clear();
            for &i in rows {
                let at = m.len();
                m.extend_from_slice(&x[i * p..(i + 1) * p]);
                for &c in cols {
                    m[at + c] = x[perm[i] * p + c];
                }
            }
            let out = self.model.predict(&m, rows.len())?;
            check_len("model outputs", rows.len(), out.len())?;
            for (&i, v) in rows.iter().zip(out) {
                pred[i] = v;
            }
        }
        score(scorer, &pred, target)
    }
}

fn validate(
    model: &dyn Predict,
    x: &[f64],
    n_rows: usize,
    target: &Target,
    features: &FeatureGroups,
    scorer: Scorer,
    level: f64,
) -> Result<(), ExplainError> {
    check_len("input matrix", n_rows * model.n_features(), x.len())?;
    if n_rows == 0 {
        return Err(ExplainError::Empty("permutation importance data"));
    }
    if features.n_columns() != model.n_features() {
        return Err(ExplainError::Parameter(format!(
            "the feature groups cover {} columns, the model has {}",
            features.n_columns(),
            model.n_features()
        )));
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(ExplainError::Parameter(format!(
            "interval level {level} must be in (0, 1)"
        )));
    }
    check_target(scorer, n_rows, target)
}

fn summarise(
    baseline: f64,
    scorer: Scorer,
    level: f64,
    features: &FeatureGroups,
    permuted: Vec<Vec<f64>>,
) -> PermutationImportance {
    let feats = permuted
        .into_iter()
        .enumerate()
        .map(|(j, scores)| {
            let importances: Vec<f64> = scores.iter().map(|s| baseline - s).collect();
            let r = importances.len() as f64;
            let mean = importances.iter().sum::<f64>() / r;
            let var = importances.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / r;
            FeatureImportance {
                name: features.names[j].clone(),
                columns: features.members[j].clone(),
                mean,
                std: var.sqrt(),
                interval: (
                    quantile_linear(&importances, (1.0 - level) / 2.0),
                    quantile_linear(&importances, (1.0 + level) / 2.0),
                ),
                importances,
            }
        })
        .collect();
    PermutationImportance {
        scorer,
        baseline,
        level,
        features: feats,
    }
}

/// Permutation importance of every feature group of `features` with the given row
/// permutations: repeat `r` of every feature uses `permutations[r]` (`perm[i]` = the row
/// whose values row `i` receives; scikit-learn also uses the same permutations for every
/// feature). The evaluations run in parallel.
#[allow(clippy::too_many_arguments)]
pub fn permutation_importance_with_permutations(
    model: &dyn Predict,
    x: &[f64],
    n_rows: usize,
    target: &Target,
    features: &FeatureGroups,
    scorer: Scorer,
    permutations: &[Vec<usize>],
    level: f64,
) -> Result<PermutationImportance, ExplainError> {
    validate(model, x, n_rows, target, features, scorer, level)?;
    if permutations.is_empty() {
        return Err(ExplainError::Parameter(
            "permutation importance needs at least one permutation".into(),
        ));
    }
    for (r, perm) in permutations.iter().enumerate() {
        check_len("permutation", n_rows, perm.len())?;
        let mut seen = vec![false; n_rows];
        for &i in perm {
            if i >= n_rows || std::mem::replace(&mut seen[i], true) {
                return Err(ExplainError::Parameter(format!(
                    "permutation {r} is not a permutation of 0..{n_rows}"
                )));
            }
        }
    }
    let base = model.predict(x, n_rows)?;
    check_len("model outputs", n_rows, base.len())?;
    let baseline = score(scorer, &base, target)?;
    let prep = Prepared {
        model,
        x,
        p: model.n_features(),
        base,
    };
    let n_rep = permutations.len();
    let step = assay_progress::step(
        "feature permutations",
        Some((features.len() * n_rep) as u64),
    );
    let flat: Vec<f64> = (0..features.len() * n_rep)
        .into_par_iter()
        .map(|t| {
            let s = prep.permuted_score(
                &features.members[t / n_rep],
                &permutations[t % n_rep],
                scorer,
                target,
            );
            step.tick();
            s
        })
        .collect::<Result<_, _>>()?;
    let permuted = flat.chunks(n_rep).map(<[f64]>::to_vec).collect();
    Ok(summarise(baseline, scorer, level, features, permuted))
}

/// Seeded permutation importance of every feature group of `features` (scikit-learn's
/// `permutation_importance`, with this crate's permutations; see the module documentation):
/// deterministic for a seed, parallel over (feature, repeat).
pub fn permutation_importance(
    model: &dyn Predict,
    x: &[f64],
    n_rows: usize,
    target: &Target,
    features: &FeatureGroups,
    scorer: Scorer,
    options: &PermutationOptions,
) -> Result<PermutationImportance, ExplainError> {
    validate(model, x, n_rows, target, features, scorer, options.level)?;
    if options.n_repeats == 0 || options.n_repeats > MAX_REPEATS {
        return Err(ExplainError::Parameter(format!(
            "n_repeats must be between 1 and {MAX_REPEATS}, got {}",
            options.n_repeats
        )));
    }
    let base = model.predict(x, n_rows)?;
    check_len("model outputs", n_rows, base.len())?;
    let baseline = score(scorer, &base, target)?;
    let prep = Prepared {
        model,
        x,
        p: model.n_features(),
        base,
    };
    let n_rep = options.n_repeats;
    let step = assay_progress::step(
        "feature permutations",
        Some((features.len() * n_rep) as u64),
    );
    let flat: Vec<f64> = (0..features.len() * n_rep)
        .into_par_iter()
        .map(|t| {
            let perm = seeded_permutation(n_rows, options.seed, t / n_rep, t % n_rep);
            let s = prep.permuted_score(&features.members[t / n_rep], &perm, scorer, target);
            step.tick();
            s
        })
        .collect::<Result<_, _>>()?;
    let permuted = flat.chunks(n_rep).map(<[f64]>::to_vec).collect();
    Ok(summarise(
        baseline,
        scorer,
        options.level,
        features,
        permuted,
    ))
}

/// Permutation importance disaggregated by sensitive group: for every group code present in
/// `target.groups` (ascending), [`permutation_importance`] on that group's rows only (rows
/// permuted among themselves, scored on themselves, with their weights), as if
/// scikit-learn's `permutation_importance` were called on the subset. Disparity scorers are
/// not meaningful within one group and are refused.
pub fn permutation_importance_by_group(
    model: &dyn Predict,
    x: &[f64],
    n_rows: usize,
    target: &Target,
    features: &FeatureGroups,
    scorer: Scorer,
    options: &PermutationOptions,
) -> Result<Vec<(usize, PermutationImportance)>, ExplainError> {
    if scorer.is_disparity() {
        return Err(ExplainError::Parameter(format!(
            "the {} scorer compares groups; it cannot be computed within one group",
            scorer.key()
        )));
    }
    let g = target.groups.ok_or_else(|| {
        ExplainError::Parameter("disaggregation by group needs sensitive-group codes".into())
    })?;
    check_len("group codes", n_rows, g.len())?;
    let p = model.n_features();
    check_len("input matrix", n_rows * p, x.len())?;
    check_len("target", n_rows, target.y.len())?;
    if let Some(w) = target.sample_weight {
        check_len("sample weights", n_rows, w.len())?;
    }
    check_group_count(g)?;
    // The rows of every group in one pass (a scan of all rows per group was quadratic).
    let mut by_code: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (i, &code) in g.iter().enumerate() {
        by_code.entry(code).or_default().push(i);
    }
    let mut out = Vec::with_capacity(by_code.len());
    for (code, rows) in by_code {
        let xs: Vec<f64> = rows
            .iter()
            .flat_map(|&i| x[i * p..(i + 1) * p].iter().copied())
            .collect();
        let ys: Vec<f64> = rows.iter().map(|&i| target.y[i]).collect();
        let ws: Option<Vec<f64>> = target
            .sample_weight
            .map(|w| rows.iter().map(|&i| w[i]).collect());
        let gs: Vec<usize> = vec![code; rows.len()];
        let sub = Target {
            y: &ys,
            sample_weight: ws.as_deref(),
            groups: Some(&gs),
            threshold: target.threshold,
        };
        let r = permutation_importance(model, &xs, rows.len(), &sub, features, scorer, options)
            .map_err(|e| match e {
                ExplainError::Data(m) => ExplainError::Data(format!("group {code}: {m}")),
                other => other,
            })?;
        out.push((code, r));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A row-wise model that counts the rows it is asked to score.
    struct Counting {
        rows: AtomicUsize,
    }

    impl Predict for Counting {
        fn n_features(&self) -> usize {
            3
        }

        fn predict(&self, x: &[f64], n_rows: usize) -> Result<Vec<f64>, ExplainError> {
            self.rows.fetch_add(n_rows, Ordering::Relaxed);
            Ok(x.chunks(3)
                .map(|r| 1.0 / (1.0 + (-(r[0] - 0.8 * r[1] + 0.3 * r[2])).exp()))
                .collect())
        }
    }

    /// The score of every permutation the plain way: the whole permuted matrix scored.
    fn rescore_all(
        model: &dyn Predict,
        x: &[f64],
        cols: &[usize],
        perm: &[usize],
        scorer: Scorer,
        target: &Target,
    ) -> f64 {
        let p = model.n_features();
        let mut m = x.to_vec();
        for (i, &src) in perm.iter().enumerate() {
            for &c in cols {
                m[i * p + c] = x[src * p + c];
            }
        }
        score(scorer, &model.predict(&m, perm.len()).unwrap(), target).unwrap()
    }

    #[test]
    fn only_rows_a_permutation_changes_are_scored_and_the_scores_are_unchanged() {
        // Column 0 numeric, column 1 binary, column 2 with three levels.
        let n = 2000;
        let x: Vec<f64> = (0..n)
            .flat_map(|i| {
                [
                    (i as f64 * 0.37).sin(),
                    f64::from(u8::from(i % 7 < 2)),
                    (i % 3) as f64,
                ]
            })
            .collect();
        let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 5 < 2))).collect();
        let g: Vec<usize> = (0..n).map(|i| i % 2).collect();
        let target = Target {
            y: &y,
            sample_weight: None,
            groups: Some(&g),
            threshold: 0.5,
        };
        let features = FeatureGroups {
            names: vec!["a".into(), "b".into(), "c".into()],
            members: vec![vec![0], vec![1], vec![2]],
        };
        let options = PermutationOptions {
            n_repeats: 4,
            seed: 11,
            level: 0.95,
        };
        for scorer in [Scorer::Accuracy, Scorer::DemographicParityDifference] {
            let model = Counting {
                rows: AtomicUsize::new(0),
            };
            let r = permutation_importance(&model, &x, n, &target, &features, scorer, &options)
                .unwrap();
            // Baseline once, then at most every row for the numeric column, and fewer than
            // every row for the binary column (≈ 2·(2/7)·(5/7) of them change) and the
            // three-level one (≈ 2/3).
            let scored = model.rows.load(Ordering::Relaxed);
            let plain = n * (1 + 3 * options.n_repeats);
            assert!(scored < plain * 3 / 4, "{scored} rows scored of {plain}");
            let baseline = score(scorer, &model.predict(&x, n).unwrap(), &target).unwrap();
            assert_eq!(r.baseline, baseline);
            for (j, f) in r.features.iter().enumerate() {
                for (rep, imp) in f.importances.iter().enumerate() {
                    let perm = seeded_permutation(n, options.seed, j, rep);
                    let s = rescore_all(&model, &x, &f.columns, &perm, scorer, &target);
                    assert_eq!(imp.to_bits(), (baseline - s).to_bits());
                }
            }
        }
    }
}
