//! Differentially private counts, sums, means, histograms and quantiles of a
//! table, grouped, with clamping, per-person contribution bounding and a budget ledger.
//!
//! **Privacy unit.** One person: a row, or with an id column all rows sharing an id, of which at
//! most K (the contribution bound) are kept, chosen by a seeded shuffle. Neighbouring datasets add or
//! remove one person. Groups come from the public group keys (releasing the groups seen in
//! the data would not be private); rows of other groups are dropped.
//!
//! **Sensitivities** (of the whole release, all groups and bins together: a person's K rows may
//! fall in different groups). Counts and histogram cells: K (L1 and L2). Sums of values clamped
//! to [lo, hi]: K·max(|lo|, |hi|). Means: a sum of values centred on the middle of the range,
//! K·(hi - lo)/2, and a count, K, each with half of ε (and of δ). Quantiles: the exponential
//! mechanism over `grid` evenly spaced candidates on [lo, hi] with utility
//! -|#{x < c} - q·n|, sensitivity K (each group's selection uses the full ε; a person's rows
//! change the utilities of the groups they are in by at most K in total, so the release is ε-DP).
//!
//! **Noise.** Laplace: counts and histograms get exact discrete Laplace noise of scale K/ε on the
//! integers; sums and means get [`LaplaceMechanism`] noise. Gaussian: [`GaussianMechanism`]
//! (analytic calibration). All samplers are `assay_privacy::mechanisms`' exact ones.
//!
//! **Errors stated.** Each value carries the half-width of the central interval holding the
//! noise with the `confidence` probability (so [value - w, value + w] covers the exact
//! statistic of the bounded, clamped data with that probability; sampling error, clamping bias
//! and dropped rows are not included). Means: the interval of (S ± w_S)/(C ± w_C) over both
//! noises' intervals at confidence 1 - (1 - c)/2 each (union bound), clipped to [lo, hi].
//! Quantiles: no noise interval exists; the stated `rank_error` is the exponential mechanism's
//! utility bound (2K/ε)(ln G + ln(1/(1 - c))): with probability ≥ c the released grid point's
//! rank is within that many rows of the best grid point's.
//!
//! **Refusals.** [`plan`] refuses, before any data is read: ε outside [2^-30, 65536] and δ
//! outside [2^-1022, 1) with the Gaussian mechanism (the range of `assay_privacy::params`), a δ
//! with Laplace, a missing value column or clamping range, a contribution bound without an id
//! column (or the reverse), group-by columns without their public keys, and a histogram of more
//! than [`MAX_HISTOGRAM_CELLS`] cells. [`release`] refuses a δ not below 1/n once n is known.
//! Nothing here touches a budget ledger: a front end checks and charges
//! `assay_privacy::ledger` around [`release`].

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use rand::seq::SliceRandom;

use assay_data::column::view;
use assay_data::csv::TextType;
use assay_data::source::ColumnRequest;
use assay_data::DataError;
use assay_privacy::mechanisms::{
    exponential_mechanism, rng, DiscreteLaplaceMechanism, GaussianMechanism, LaplaceMechanism,
};
use assay_privacy::params::{check_delta, check_epsilon};

use crate::input::TableInput;
use crate::reports::dp::{CellPrecision, EpsilonDelta, LedgerState, QueryCell, QueryNoise};
use crate::reports::finite;
use assay_privacy::ledger::{Budget, DatasetId, Ledger};

type Rng = rand_chacha::ChaCha20Rng;

/// The most histogram cells (groups × bins) one release may have.
pub const MAX_HISTOGRAM_CELLS: usize = 10_000_000;

/// The released statistic.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Statistic {
    /// Number of rows (per group).
    Count,
    /// Sum of a clamped column.
    Sum,
    /// Mean of a clamped column (noisy sum over noisy count, ε and δ split in half).
    Mean,
    /// Counts of a clamped column in equal-width bins over the clamping range.
    Histogram,
    /// A quantile of a clamped column (exponential mechanism over a grid on the range).
    Quantile,
}

impl Statistic {
    /// Its name (`count`, `sum`, `mean`, `histogram`, `quantile`).
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Count => "count",
            Statistic::Sum => "sum",
            Statistic::Mean => "mean",
            Statistic::Histogram => "histogram",
            Statistic::Quantile => "quantile",
        }
    }
}

/// The noise of counts, sums and means (quantiles always use the exponential mechanism).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Mechanism {
    /// Laplace noise, pure ε-DP (counts: exact discrete Laplace on the integers).
    Laplace,
    /// Gaussian noise with the analytic calibration of Balle and Wang (2018), (ε, δ)-DP.
    Gaussian,
}

/// What to release.
#[derive(Clone, Debug)]
pub struct QueryOptions {
    /// The statistic.
    pub statistic: Statistic,
    /// The value column (every statistic but the count).
    pub column: Option<String>,
    /// Group-by columns.
    pub group_by: Vec<String>,
    /// The public list of groups, one value per group-by column joined by `|`.
    pub group_keys: Vec<String>,
    /// The clamping range [lo, hi] of the value column.
    pub clamp: Option<(f64, f64)>,
    /// Histogram bins.
    pub bins: usize,
    /// The quantile, in [0, 1].
    pub quantile: f64,
    /// Candidate points of the quantile's exponential mechanism.
    pub grid: usize,
    /// The column that identifies a person (several rows may share one).
    pub id: Option<String>,
    /// The most rows kept per person (with `id`).
    pub contribution_bound: Option<u64>,
    /// ε of the release.
    pub epsilon: f64,
    /// δ of the release (the Gaussian mechanism only).
    pub delta: Option<f64>,
    /// The noise.
    pub mechanism: Mechanism,
    /// Probability of the stated noise intervals.
    pub confidence: f64,
    /// Seed of the noise and of the contribution bounding (`None`: from the operating system).
    pub seed: Option<u64>,
}

impl Default for QueryOptions {
    /// A count, Laplace noise, ε = 1, 10 bins, the median on a 1,001-point grid, 95 %
    /// intervals.
    fn default() -> QueryOptions {
        QueryOptions {
            statistic: Statistic::Count,
            column: None,
            group_by: Vec::new(),
            group_keys: Vec::new(),
            clamp: None,
            bins: 10,
            quantile: 0.5,
            grid: 1001,
            id: None,
            contribution_bound: None,
            epsilon: 1.0,
            delta: None,
            mechanism: Mechanism::Laplace,
            confidence: 0.95,
            seed: None,
        }
    }
}

/// A field of [`QueryOptions`], named in errors (a front end maps it to its own flag).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Field {
    /// [`QueryOptions::epsilon`].
    Epsilon,
    /// [`QueryOptions::delta`].
    Delta,
    /// [`QueryOptions::mechanism`].
    Mechanism,
    /// [`QueryOptions::column`].
    Column,
    /// [`QueryOptions::clamp`].
    Clamp,
    /// [`QueryOptions::id`].
    Id,
    /// [`QueryOptions::contribution_bound`].
    ContributionBound,
    /// [`QueryOptions::group_by`].
    GroupBy,
    /// [`QueryOptions::group_keys`].
    GroupKeys,
    /// [`QueryOptions::bins`].
    Bins,
    /// [`QueryOptions::quantile`].
    Quantile,
    /// [`QueryOptions::grid`].
    Grid,
    /// [`QueryOptions::confidence`].
    Confidence,
}

impl Field {
    /// The field's name (`epsilon`, `contribution_bound`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Field::Epsilon => "epsilon",
            Field::Delta => "delta",
            Field::Mechanism => "mechanism",
            Field::Column => "column",
            Field::Clamp => "clamp",
            Field::Id => "id",
            Field::ContributionBound => "contribution_bound",
            Field::GroupBy => "group_by",
            Field::GroupKeys => "group_keys",
            Field::Bins => "bins",
            Field::Quantile => "quantile",
            Field::Grid => "grid",
            Field::Confidence => "confidence",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a query was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// An option is invalid (alone or with the others).
    #[error("{field}: {message}")]
    Invalid {
        /// The option at fault.
        field: Field,
        /// What is wrong.
        message: String,
    },
    /// The table could not be read, or a cell does not hold what its role needs.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A mechanism refused its parameters or input.
    #[error("{0}")]
    Mechanism(String),
    /// The privacy ledger could not be locked, read, checked against its budget or saved.
    #[error("{0}")]
    Ledger(String),
}

fn invalid(field: Field, message: impl Into<String>) -> QueryError {
    QueryError::Invalid {
        field,
        message: message.into(),
    }
}

fn mechanism_error(e: impl ToString) -> QueryError {
    QueryError::Mechanism(e.to_string())
}

/// A validated query: the options and what was derived from them.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The options.
    pub options: QueryOptions,
    /// The contribution bound K (1 without an id column).
    pub k: u64,
    /// δ (0 for the Laplace mechanism).
    pub delta: f64,
    /// The groups released, in order, without repeats (one empty key when ungrouped).
    pub keys: Vec<String>,
}

impl Plan {
    /// The query as one line: `sum(income) by region,sex`.
    pub fn describe(&self) -> String {
        let o = &self.options;
        format!(
            "{}{}{}",
            o.statistic.name(),
            o.column
                .as_deref()
                .map(|c| format!("({c})"))
                .unwrap_or_default(),
            if o.group_by.is_empty() {
                String::new()
            } else {
                format!(" by {}", o.group_by.join(","))
            }
        )
    }

    /// The mechanism's name as recorded in reports and ledgers: `exponential` for quantiles,
    /// else `laplace` or `gaussian`.
    pub fn mechanism_name(&self) -> &'static str {
        match (self.options.statistic, self.options.mechanism) {
            (Statistic::Quantile, _) => "exponential",
            (_, Mechanism::Laplace) => "laplace",
            (_, Mechanism::Gaussian) => "gaussian",
        }
    }
}

/// Checks the options alone (before any data is read) and derives the plan.
pub fn plan(o: &QueryOptions) -> Result<Plan, QueryError> {
    // The range the library's samplers handle exactly; a mean spends half of ε (and of δ) on
    // each of its two releases.
    let halves = o.statistic == Statistic::Mean;
    let split = "a mean spends half of it on the sum and half on the count";
    check_epsilon(o.epsilon).map_err(|e| invalid(Field::Epsilon, e.to_string()))?;
    if halves {
        check_epsilon(o.epsilon / 2.0)
            .map_err(|e| invalid(Field::Epsilon, format!("{split}: {e}")))?;
    }
    let delta = match (o.mechanism, o.delta) {
        (Mechanism::Gaussian, None) => {
            return Err(invalid(
                Field::Delta,
                "the gaussian mechanism needs a delta (in (0, 1/n))",
            ))
        }
        (Mechanism::Gaussian, Some(d)) => {
            check_delta(d).map_err(|e| invalid(Field::Delta, e.to_string()))?;
            if halves {
                check_delta(d / 2.0)
                    .map_err(|e| invalid(Field::Delta, format!("{split}: {e}")))?;
            }
            d
        }
        (Mechanism::Laplace, Some(d)) => {
            return Err(invalid(
                Field::Delta,
                format!("{d} is only used by the gaussian mechanism; the laplace mechanism is pure epsilon-DP"),
            ))
        }
        (Mechanism::Laplace, None) => 0.0,
    };
    if o.statistic == Statistic::Quantile && o.mechanism == Mechanism::Gaussian {
        return Err(invalid(
            Field::Mechanism,
            "quantiles use the exponential mechanism (pure epsilon-DP); use the laplace mechanism",
        ));
    }
    let needs_column = o.statistic != Statistic::Count;
    if needs_column && o.column.is_none() {
        return Err(invalid(
            Field::Column,
            format!("the {} needs a value column", o.statistic.name()),
        ));
    }
    match o.clamp {
        Some((lo, hi)) if !(lo.is_finite() && hi.is_finite() && lo < hi) => {
            return Err(invalid(
                Field::Clamp,
                format!("need finite LO < HI, got {lo}, {hi}"),
            ))
        }
        None if needs_column => {
            return Err(invalid(
                Field::Clamp,
                format!(
                    "the {} needs clamping bounds LO,HI (the sensitivity depends on them)",
                    o.statistic.name()
                ),
            ))
        }
        _ => {}
    }
    let k = match (o.contribution_bound, &o.id) {
        (Some(0), _) => {
            return Err(invalid(
                Field::ContributionBound,
                "must be at least 1, got 0",
            ))
        }
        (Some(_), None) => {
            return Err(invalid(
                Field::Id,
                "a contribution bound needs an id column (without it each row is one person)",
            ))
        }
        (None, Some(_)) => {
            return Err(invalid(
                Field::ContributionBound,
                "an id column needs a contribution bound K (the most rows kept per person)",
            ))
        }
        (Some(k), Some(_)) => k,
        (None, None) => 1,
    };
    if o.group_by.is_empty() != o.group_keys.is_empty() {
        return Err(if o.group_by.is_empty() {
            invalid(Field::GroupBy, "group keys need the group-by columns")
        } else {
            invalid(Field::GroupKeys, "group-by columns need the public list of groups to release (the groups present in the data are not private)")
        });
    }
    let mut keys = o.group_keys.clone();
    for key in &keys {
        if key.split('|').count() != o.group_by.len() {
            return Err(invalid(
                Field::GroupKeys,
                format!(
                    "'{key}' does not have {} value(s) separated by '|' (one per group-by column)",
                    o.group_by.len()
                ),
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    keys.retain(|k| seen.insert(k.clone()));
    if keys.is_empty() {
        keys.push(String::new());
    }
    if o.statistic == Statistic::Histogram {
        if o.bins == 0 {
            return Err(invalid(Field::Bins, "must be at least 1"));
        }
        let cells = keys.len().saturating_mul(o.bins);
        if cells > MAX_HISTOGRAM_CELLS {
            return Err(invalid(
                Field::Bins,
                format!(
                    "{} bins for {} groups make {cells} histogram cells, above the cap of {MAX_HISTOGRAM_CELLS}",
                    o.bins,
                    keys.len(),
                ),
            ));
        }
    }
    if o.statistic == Statistic::Quantile {
        if !(0.0..=1.0).contains(&o.quantile) {
            return Err(invalid(
                Field::Quantile,
                format!("must be in [0, 1], got {}", o.quantile),
            ));
        }
        if o.grid < 2 {
            return Err(invalid(Field::Grid, "must be at least 2"));
        }
    }
    if !(o.confidence > 0.0 && o.confidence < 1.0) {
        return Err(invalid(
            Field::Confidence,
            format!("must be in (0, 1), got {}", o.confidence),
        ));
    }
    Ok(Plan {
        options: o.clone(),
        k,
        delta,
        keys,
    })
}

/// The rows kept: (group index, value, id).
struct Rows {
    group: Vec<usize>,
    value: Vec<f64>,
    id: Vec<String>,
    /// Rows read (before dropping other groups and bounding).
    n_read: usize,
}

fn read(input: &TableInput, data: &Path, plan: &Plan) -> Result<Rows, QueryError> {
    let o = &plan.options;
    let mut requests: Vec<ColumnRequest> = Vec::new();
    let mut add = |name: &str, t: TextType, role: &str| {
        if !requests.iter().any(|r| r.name == name) {
            requests.push(ColumnRequest {
                name: name.to_string(),
                text_as: t,
                role: role.to_string(),
            });
        }
    };
    if let Some(c) = &o.column {
        add(c, TextType::Float64, "value column");
    }
    for g in &o.group_by {
        add(g, TextType::Utf8, "group-by column");
    }
    if let Some(i) = &o.id {
        add(i, TextType::Utf8, "id column");
    }
    let index: HashMap<&str, usize> = plan
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let mut rows = Rows {
        group: Vec::new(),
        value: Vec::new(),
        id: Vec::new(),
        n_read: 0,
    };
    let stream = input.open(data, &requests, requests.is_empty())?;
    let mut row0 = 0u64;
    let mut key = String::new();
    for batch in stream {
        let batch = batch?;
        let col = |name: &str| -> Result<_, DataError> {
            let arr = batch
                .column_by_name(name)
                .ok_or_else(|| DataError::BadColumn {
                    path: data.to_path_buf(),
                    column: name.to_string(),
                    message: "no such column".into(),
                })?;
            view(arr, data, name)
        };
        let value = o.column.as_deref().map(col).transpose()?;
        let groups = o
            .group_by
            .iter()
            .map(|g| col(g))
            .collect::<Result<Vec<_>, _>>()?;
        let ids = o.id.as_deref().map(col).transpose()?;
        for i in 0..batch.num_rows() {
            let row = row0 + i as u64;
            rows.n_read += 1;
            key.clear();
            for (j, g) in groups.iter().enumerate() {
                if j > 0 {
                    key.push('|');
                }
                if let Some(t) = g.text(i) {
                    key.push_str(&t);
                }
            }
            let Some(&g) = index.get(key.as_str()) else {
                continue;
            };
            let v = match (&value, &o.column) {
                (Some(v), Some(name)) => v.number(i, data, name, row + 1, "value column")?,
                _ => 0.0,
            };
            rows.group.push(g);
            rows.value.push(v);
            if let Some(ids) = &ids {
                rows.id.push(ids.text(i).unwrap_or_default());
            }
        }
        row0 += batch.num_rows() as u64;
    }
    Ok(rows)
}

/// Keeps at most `k` rows per id, chosen by a shuffle.
fn bound_contributions(rows: Rows, k: u64, rng: &mut Rng) -> Rows {
    if rows.id.is_empty() {
        return rows;
    }
    let mut order: Vec<usize> = (0..rows.group.len()).collect();
    order.shuffle(rng);
    let mut seen: HashMap<&str, u64> = HashMap::new();
    let mut keep = vec![false; order.len()];
    for &i in &order {
        let c = seen.entry(rows.id[i].as_str()).or_insert(0);
        if *c < k {
            *c += 1;
            keep[i] = true;
        }
    }
    let kept = |i: &usize| keep[*i];
    Rows {
        group: (0..rows.group.len())
            .filter(kept)
            .map(|i| rows.group[i])
            .collect(),
        value: (0..rows.value.len())
            .filter(kept)
            .map(|i| rows.value[i])
            .collect(),
        id: Vec::new(),
        n_read: rows.n_read,
    }
}

/// The noise of one release, described for people ([`Noise::description`]) and for the
/// report ([`Noise::report`]).
#[derive(Clone, Debug)]
pub struct Noise {
    /// One line for people.
    pub description: String,
    /// The report's record of it.
    pub report: QueryNoise,
}

/// Noise for integer counts of sensitivity `k`.
enum CountNoise {
    /// Exact discrete Laplace of scale k/ε on the integers.
    Laplace(DiscreteLaplaceMechanism),
    Gaussian(GaussianMechanism),
}

impl CountNoise {
    fn new(k: u64, epsilon: f64, delta: f64, mech: Mechanism) -> Result<Self, QueryError> {
        Ok(match mech {
            Mechanism::Laplace => CountNoise::Laplace(
                DiscreteLaplaceMechanism::new(k, epsilon).map_err(mechanism_error)?,
            ),
            Mechanism::Gaussian => CountNoise::Gaussian(
                GaussianMechanism::new(k as f64, epsilon, delta).map_err(mechanism_error)?,
            ),
        })
    }

    fn release(&self, rng: &mut Rng, c: u64) -> Result<f64, QueryError> {
        match self {
            CountNoise::Laplace(m) => m.release(rng, c as i64).map(|v| v as f64),
            CountNoise::Gaussian(m) => m.release(rng, c as f64),
        }
        .map_err(mechanism_error)
    }

    fn half_width(&self, confidence: f64) -> f64 {
        match self {
            CountNoise::Laplace(m) => m.interval_half_width(confidence),
            CountNoise::Gaussian(m) => m.interval_half_width(confidence),
        }
    }

    fn note(&self) -> Noise {
        match self {
            CountNoise::Laplace(m) => Noise {
                description: format!(
                    "discrete Laplace on the integers, scale {} (sensitivity {} / epsilon {})",
                    m.scale(),
                    m.sensitivity(),
                    m.epsilon()
                ),
                report: QueryNoise::DiscreteLaplace {
                    scale: m.scale(),
                    sensitivity: m.sensitivity(),
                },
            },
            CountNoise::Gaussian(m) => gaussian_note(m),
        }
    }
}

fn gaussian_note(m: &GaussianMechanism) -> Noise {
    Noise {
        description: format!(
            "Gaussian (analytic calibration), sigma {} (L2 sensitivity {}, epsilon {}, delta {})",
            m.sigma(),
            m.sensitivity(),
            m.epsilon(),
            m.delta()
        ),
        report: QueryNoise::Gaussian {
            calibration: "analytic (Balle and Wang 2018)".into(),
            sigma: m.sigma(),
            sensitivity: m.sensitivity(),
            granularity: m.granularity(),
        },
    }
}

/// Noise for real values of sensitivity `s`.
enum RealNoise {
    Laplace(LaplaceMechanism),
    Gaussian(GaussianMechanism),
}

impl RealNoise {
    fn new(s: f64, epsilon: f64, delta: f64, mech: Mechanism) -> Result<Self, QueryError> {
        Ok(match mech {
            Mechanism::Laplace => {
                RealNoise::Laplace(LaplaceMechanism::new(s, epsilon).map_err(mechanism_error)?)
            }
            Mechanism::Gaussian => RealNoise::Gaussian(
                GaussianMechanism::new(s, epsilon, delta).map_err(mechanism_error)?,
            ),
        })
    }

    fn release(&self, rng: &mut Rng, v: f64) -> Result<f64, QueryError> {
        match self {
            RealNoise::Laplace(m) => m.release(rng, v),
            RealNoise::Gaussian(m) => m.release(rng, v),
        }
        .map_err(mechanism_error)
    }

    fn half_width(&self, c: f64) -> f64 {
        match self {
            RealNoise::Laplace(m) => m.interval_half_width(c),
            RealNoise::Gaussian(m) => m.interval_half_width(c),
        }
    }

    fn note(&self) -> Noise {
        match self {
            RealNoise::Laplace(m) => Noise {
                description: format!(
                    "Laplace on a 2^k grid, scale {} (sensitivity {} / epsilon {})",
                    m.scale(),
                    m.sensitivity(),
                    m.epsilon()
                ),
                report: QueryNoise::Laplace {
                    scale: m.scale(),
                    sensitivity: m.sensitivity(),
                    granularity: m.granularity(),
                },
            },
            RealNoise::Gaussian(m) => gaussian_note(m),
        }
    }
}

/// One released number.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The group's key, for grouped queries.
    pub group: Option<String>,
    /// The histogram bin [lo, hi).
    pub bin: Option<(f64, f64)>,
    /// The noisy value.
    pub value: f64,
    /// Half-width of the noise interval at the confidence level (NaN for quantiles).
    pub half_width: f64,
    /// The interval (NaN for quantiles).
    pub interval: (f64, f64),
    /// A quantile's rank-error bound at the confidence level.
    pub rank_error: Option<f64>,
}

impl Cell {
    fn plain(group: Option<String>, value: f64, w: f64) -> Cell {
        Cell {
            group,
            bin: None,
            value,
            half_width: w,
            interval: (value - w, value + w),
            rank_error: None,
        }
    }

    /// The cell as the report records it.
    pub fn to_report(&self) -> QueryCell {
        QueryCell {
            value: self.value,
            group: self.group.clone(),
            bin: self.bin.map(|(l, h)| [l, h]),
            precision: match self.rank_error {
                Some(rank_error) => CellPrecision::Rank { rank_error },
                None => CellPrecision::Noise {
                    half_width: finite(self.half_width),
                    interval: [finite(self.interval.0), finite(self.interval.1)],
                },
            },
        }
    }
}

/// A release: the noisy numbers and the noise that made them.
#[derive(Clone, Debug)]
pub struct Release {
    /// The released numbers (per group, and per bin for histograms).
    pub cells: Vec<Cell>,
    /// The noise of each release (two for a mean: the sum's, then the count's).
    pub noise: Vec<Noise>,
    /// Rows read from the table.
    pub rows_read: usize,
}

/// Reads `data` once and releases the planned statistic. Every random draw (the contribution
/// bounding, then the noise) comes from one ChaCha20 stream seeded by the options' seed.
pub fn release(input: &TableInput, data: &Path, plan: &Plan) -> Result<Release, QueryError> {
    let rows = read(input, data, plan)?;
    if plan.delta > 0.0 && plan.delta >= 1.0 / rows.n_read.max(1) as f64 {
        return Err(invalid(
            Field::Delta,
            format!(
                "{} is not below 1/n = 1/{}: a delta that large allows releasing a person's record outright",
                plan.delta, rows.n_read
            ),
        ));
    }
    let mut r = rng(plan.options.seed);
    let rows = bound_contributions(rows, plan.k, &mut r);
    let (cells, noise) = noise_cells(plan, &rows, &mut r)?;
    Ok(Release {
        cells,
        noise,
        rows_read: rows.n_read,
    })
}

/// Computes the release from the kept rows (all noise drawn here).
fn noise_cells(
    plan: &Plan,
    rows: &Rows,
    rng: &mut Rng,
) -> Result<(Vec<Cell>, Vec<Noise>), QueryError> {
    let o = &plan.options;
    let ng = plan.keys.len();
    let label = |g: usize| (!o.group_by.is_empty()).then(|| plan.keys[g].clone());
    let (eps, delta, k, conf) = (o.epsilon, plan.delta, plan.k, o.confidence);
    let clamp = |v: f64| {
        let (lo, hi) = o.clamp.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
        v.clamp(lo, hi)
    };
    let range = || o.clamp.expect("planned: the statistic has clamping bounds");
    let mut counts = vec![0u64; ng];
    for &g in &rows.group {
        counts[g] += 1;
    }
    let mut cells = Vec::new();
    let mut notes = Vec::new();
    match o.statistic {
        Statistic::Count => {
            let noise = CountNoise::new(k, eps, delta, o.mechanism)?;
            let w = noise.half_width(conf);
            for (g, &c) in counts.iter().enumerate() {
                cells.push(Cell::plain(label(g), noise.release(rng, c)?, w));
            }
            notes.push(noise.note());
        }
        Statistic::Sum => {
            let (lo, hi) = range();
            let noise = RealNoise::new(k as f64 * lo.abs().max(hi.abs()), eps, delta, o.mechanism)?;
            let mut sums = vec![0.0; ng];
            for (&g, &v) in rows.group.iter().zip(&rows.value) {
                sums[g] += clamp(v);
            }
            let w = noise.half_width(conf);
            for (g, &s) in sums.iter().enumerate() {
                cells.push(Cell::plain(label(g), noise.release(rng, s)?, w));
            }
            notes.push(noise.note());
        }
        Statistic::Mean => {
            let (lo, hi) = range();
            let (mid, half) = (lo + (hi - lo) / 2.0, (hi - lo) / 2.0);
            let sum_noise = RealNoise::new(k as f64 * half, eps / 2.0, delta / 2.0, o.mechanism)?;
            let count_noise = CountNoise::new(k, eps / 2.0, delta / 2.0, o.mechanism)?;
            let mut sums = vec![0.0; ng];
            for (&g, &v) in rows.group.iter().zip(&rows.value) {
                sums[g] += clamp(v) - mid;
            }
            let each = 1.0 - (1.0 - conf) / 2.0;
            let (ws, wc) = (sum_noise.half_width(each), count_noise.half_width(each));
            for g in 0..ng {
                let s = sum_noise.release(rng, sums[g])?;
                let c = count_noise.release(rng, counts[g])?;
                let value = if c > 0.0 {
                    (mid + s / c).clamp(lo, hi)
                } else {
                    mid
                };
                let interval = if c - wc > 0.0 {
                    let r = [
                        (s - ws) / (c - wc),
                        (s - ws) / (c + wc),
                        (s + ws) / (c - wc),
                        (s + ws) / (c + wc),
                    ];
                    let a = r.iter().cloned().fold(f64::INFINITY, f64::min);
                    let b = r.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    ((mid + a).clamp(lo, hi), (mid + b).clamp(lo, hi))
                } else {
                    (lo, hi)
                };
                cells.push(Cell {
                    group: label(g),
                    bin: None,
                    value,
                    half_width: (interval.1 - interval.0) / 2.0,
                    interval,
                    rank_error: None,
                });
            }
            notes.push(sum_noise.note());
            notes.push(count_noise.note());
        }
        Statistic::Histogram => {
            let (lo, hi) = range();
            let b = o.bins;
            let width = (hi - lo) / b as f64;
            let mut h = vec![0u64; ng * b];
            for (&g, &v) in rows.group.iter().zip(&rows.value) {
                let j = (((clamp(v) - lo) / width).floor() as usize).min(b - 1);
                h[g * b + j] += 1;
            }
            let noise = CountNoise::new(k, eps, delta, o.mechanism)?;
            let w = noise.half_width(conf);
            for g in 0..ng {
                for j in 0..b {
                    let mut c = Cell::plain(label(g), noise.release(rng, h[g * b + j])?, w);
                    let right = if j + 1 == b {
                        hi
                    } else {
                        lo + width * (j + 1) as f64
                    };
                    c.bin = Some((lo + width * j as f64, right));
                    cells.push(c);
                }
            }
            notes.push(noise.note());
        }
        Statistic::Quantile => {
            let (lo, hi) = range();
            let gsize = o.grid;
            let grid: Vec<f64> = (0..gsize)
                .map(|j| {
                    if j + 1 == gsize {
                        hi
                    } else {
                        lo + (hi - lo) * j as f64 / (gsize - 1) as f64
                    }
                })
                .collect();
            let mut per: Vec<Vec<f64>> = vec![Vec::new(); ng];
            for (&g, &v) in rows.group.iter().zip(&rows.value) {
                per[g].push(clamp(v));
            }
            let rank_error =
                2.0 * k as f64 / eps * ((gsize as f64).ln() + (1.0 / (1.0 - conf)).ln());
            for (g, mut xs) in per.into_iter().enumerate() {
                xs.sort_by(|x, y| x.total_cmp(y));
                let target = o.quantile * xs.len() as f64;
                let utilities: Vec<f64> = grid
                    .iter()
                    .map(|&c| -((xs.partition_point(|&x| x < c) as f64) - target).abs())
                    .collect();
                let j = exponential_mechanism(rng, &utilities, eps, k as f64)
                    .map_err(mechanism_error)?;
                cells.push(Cell {
                    group: label(g),
                    bin: None,
                    value: grid[j],
                    half_width: f64::NAN,
                    interval: (f64::NAN, f64::NAN),
                    rank_error: Some(rank_error),
                });
            }
            notes.push(Noise {
                description: format!(
                    "exponential mechanism over {gsize} grid points on [{lo}, {hi}], utility -|rank - q n|, sensitivity {k}; rank error <= {rank_error:.3} rows beyond the best grid point with probability {conf}"
                ),
                report: QueryNoise::ExponentialMechanism {
                    grid_points: gsize,
                    sensitivity: k,
                    rank_error,
                },
            });
        }
    }
    Ok((cells, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    fn refused(o: QueryOptions) -> Field {
        match plan(&o) {
            Err(QueryError::Invalid { field, .. }) => field,
            other => panic!("{o:?} was not refused: {other:?}"),
        }
    }

    #[test]
    fn invalid_options_name_their_field() {
        let base = QueryOptions::default;
        let sum = || QueryOptions {
            statistic: Statistic::Sum,
            column: Some("v".into()),
            clamp: Some((0.0, 1.0)),
            ..base()
        };
        assert_eq!(
            refused(QueryOptions {
                epsilon: 0.0,
                ..base()
            }),
            Field::Epsilon
        );
        assert_eq!(
            refused(QueryOptions {
                mechanism: Mechanism::Gaussian,
                ..base()
            }),
            Field::Delta
        );
        assert_eq!(
            refused(QueryOptions {
                delta: Some(1e-6),
                ..base()
            }),
            Field::Delta
        );
        assert_eq!(
            refused(QueryOptions {
                column: None,
                ..sum()
            }),
            Field::Column
        );
        assert_eq!(
            refused(QueryOptions {
                clamp: None,
                ..sum()
            }),
            Field::Clamp
        );
        assert_eq!(
            refused(QueryOptions {
                clamp: Some((2.0, 1.0)),
                ..sum()
            }),
            Field::Clamp
        );
        assert_eq!(
            refused(QueryOptions {
                contribution_bound: Some(2),
                ..base()
            }),
            Field::Id
        );
        assert_eq!(
            refused(QueryOptions {
                id: Some("p".into()),
                ..base()
            }),
            Field::ContributionBound
        );
        assert_eq!(
            refused(QueryOptions {
                group_by: vec!["g".into()],
                ..base()
            }),
            Field::GroupKeys
        );
        assert_eq!(
            refused(QueryOptions {
                group_by: vec!["g".into()],
                group_keys: vec!["a|b".into()],
                ..base()
            }),
            Field::GroupKeys
        );
        assert_eq!(
            refused(QueryOptions {
                statistic: Statistic::Histogram,
                bins: MAX_HISTOGRAM_CELLS + 1,
                ..sum()
            }),
            Field::Bins
        );
        assert_eq!(
            refused(QueryOptions {
                statistic: Statistic::Quantile,
                quantile: 1.5,
                ..sum()
            }),
            Field::Quantile
        );
        assert_eq!(
            refused(QueryOptions {
                statistic: Statistic::Quantile,
                mechanism: Mechanism::Gaussian,
                delta: Some(1e-6),
                ..sum()
            }),
            Field::Mechanism
        );
        assert_eq!(
            refused(QueryOptions {
                confidence: 1.0,
                ..base()
            }),
            Field::Confidence
        );
        let e = plan(&QueryOptions {
            statistic: Statistic::Mean,
            epsilon: 1.5e-9,
            ..sum()
        })
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("epsilon: a mean spends half of it"), "{e}");
    }

    #[test]
    fn a_seeded_release_is_reproducible_and_near_the_truth() {
        let mut text = String::from("g,v\n");
        for i in 0..1000 {
            text.push_str(&format!(
                "{},{}\n",
                if i % 4 == 0 { "a" } else { "b" },
                i % 10
            ));
        }
        let (_d, path) = table(&text);
        let o = QueryOptions {
            statistic: Statistic::Count,
            group_by: vec!["g".into()],
            group_keys: vec!["a".into(), "b".into(), "c".into()],
            epsilon: 10.0,
            seed: Some(7),
            ..QueryOptions::default()
        };
        let p = plan(&o).unwrap();
        let input = TableInput::default();
        let r1 = release(&input, &path, &p).unwrap();
        let r2 = release(&input, &path, &p).unwrap();
        assert_eq!(r1.cells, r2.cells, "the same seed gives the same release");
        assert_eq!(r1.rows_read, 1000);
        let truth = [250.0, 750.0, 0.0];
        for (c, t) in r1.cells.iter().zip(truth) {
            // Discrete Laplace of scale 1/10: the 95 % half-width is below 1.
            assert!(
                c.half_width < 1.0 && (c.value - t).abs() <= c.half_width,
                "{c:?}"
            );
            assert_eq!(c.value.fract(), 0.0, "counts stay integers");
        }
        assert_eq!(r1.cells[2].group.as_deref(), Some("c"));
        assert!(matches!(
            r1.noise[0].report,
            QueryNoise::DiscreteLaplace { .. }
        ));
    }

    #[test]
    fn contributions_are_bounded_per_person() {
        // Person p has 50 rows, q one: with K = 2 at most 3 rows are counted.
        let mut text = String::from("id\n");
        for _ in 0..50 {
            text.push_str("p\n");
        }
        text.push_str("q\n");
        let (_d, path) = table(&text);
        let o = QueryOptions {
            id: Some("id".into()),
            contribution_bound: Some(2),
            epsilon: 50.0,
            seed: Some(1),
            ..QueryOptions::default()
        };
        let p = plan(&o).unwrap();
        let r = release(&TableInput::default(), &path, &p).unwrap();
        assert!(
            (r.cells[0].value - 3.0).abs() <= r.cells[0].half_width,
            "{:?}",
            r.cells
        );
        assert_eq!(p.describe(), "count");
        assert_eq!(p.mechanism_name(), "laplace");
    }

    #[test]
    fn histogram_bins_cover_the_clamping_range_and_delta_is_below_one_over_n() {
        let (_d, path) = table("v\n0.1\n0.6\n5\n-3\n");
        let o = QueryOptions {
            statistic: Statistic::Histogram,
            column: Some("v".into()),
            clamp: Some((0.0, 1.0)),
            bins: 2,
            epsilon: 20.0,
            seed: Some(3),
            ..QueryOptions::default()
        };
        let r = release(&TableInput::default(), &path, &plan(&o).unwrap()).unwrap();
        let bins: Vec<_> = r.cells.iter().map(|c| c.bin.unwrap()).collect();
        assert_eq!(bins, [(0.0, 0.5), (0.5, 1.0)]);
        // -3 is clamped into the first bin, 5 into the last.
        for (c, t) in r.cells.iter().zip([2.0, 2.0]) {
            assert!((c.value - t).abs() <= c.half_width, "{c:?}");
        }
        let gaussian = QueryOptions {
            mechanism: Mechanism::Gaussian,
            delta: Some(0.3),
            ..o
        };
        let e = release(&TableInput::default(), &path, &plan(&gaussian).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("not below 1/n = 1/4"), "{e}");
    }

    #[test]
    fn releases_are_charged_to_the_ledger_until_its_budget_is_spent() {
        let (dir, path) = table("v\n1\n2\n3\n");
        let ledger = dir.path().join("ledger.json");
        let o = QueryOptions {
            epsilon: 0.6,
            seed: Some(1),
            ..QueryOptions::default()
        };
        let p = plan(&o).unwrap();
        let input = TableInput::default();
        let charge = Charge {
            path: &ledger,
            dataset_id: "toy",
            dataset_name: None,
            budget: Some(Budget {
                epsilon: 1.0,
                delta: 0.0,
            }),
        };
        let mut heard = Vec::new();
        let first =
            release_charged(&input, &path, &p, 0.6, Some(&charge), |n| heard.push(n)).unwrap();
        let state = first.ledger.unwrap();
        assert_eq!(state.dataset_id, "toy");
        assert!((state.spent.epsilon - 0.6).abs() < 1e-12);
        assert!((state.remaining.epsilon - 0.4).abs() < 1e-12);
        assert!(heard.is_empty());
        // A second release of ε = 0.6 would exceed the budget: refused, the ledger unchanged.
        let before = std::fs::read(&ledger).unwrap();
        let e = release_charged(&input, &path, &p, 0.6, Some(&charge), |_| {})
            .err()
            .unwrap();
        assert!(matches!(e, QueryError::Ledger(_)), "{e}");
        assert_eq!(std::fs::read(&ledger).unwrap(), before);
        // Without a ledger nothing is charged.
        let free = release_charged(&input, &path, &p, 0.6, None, |_| {}).unwrap();
        assert!(free.ledger.is_none());
        assert_eq!(free.release.cells, first.release.cells);
    }
}

/// Where a release is charged: a privacy ledger file ([`assay_privacy::ledger`]), the
/// dataset's declared id (the identity its budget is kept under) with an optional name, and the
/// budget to set for a dataset the ledger does not know yet.
#[derive(Clone, Debug)]
pub struct Charge<'a> {
    /// The ledger file.
    pub path: &'a Path,
    /// The dataset's declared id.
    pub dataset_id: &'a str,
    /// A readable name of the dataset.
    pub dataset_name: Option<&'a str>,
    /// The budget of a new dataset.
    pub budget: Option<Budget>,
}

/// Something a front end should tell its user about the ledger.
#[derive(Clone, Debug, PartialEq)]
pub enum LedgerNotice {
    /// The ledger's lock was left by a process that is no longer running, and was taken over.
    TookOverLock {
        /// The lock file.
        path: std::path::PathBuf,
        /// The dead process.
        pid: u32,
    },
    /// The ledger was an `assay.ledger/1` one; it is rewritten as a hash-chained
    /// `assay.ledger/2` ledger when the release is charged.
    Migrated {
        /// The ledger file.
        path: std::path::PathBuf,
    },
}

/// A release, charged to a ledger when one was named.
pub struct Charged {
    /// The release.
    pub release: Release,
    /// The ledger's state after the charge.
    pub ledger: Option<LedgerState>,
}

/// Releases `plan` on `data` ([`release`]) at the cost `(ε, plan's δ)`, charged to `charge`'s
/// ledger: its lock is taken first (held until the ledger is saved), the ledger validated and
/// its hash chain verified, the budget checked before the data is read, and the release
/// charged and saved before it is returned. A refusal leaves the ledger unchanged. `notify`
/// hears what the user should be told about the ledger as it happens (also before a refusal).
pub fn release_charged(
    input: &TableInput,
    data: &Path,
    plan: &Plan,
    epsilon: f64,
    charge: Option<&Charge>,
    mut notify: impl FnMut(LedgerNotice),
) -> Result<Charged, QueryError> {
    let Some(c) = charge else {
        return Ok(Charged {
            release: release(input, data, plan)?,
            ledger: None,
        });
    };
    let ledger_error = |e: assay_privacy::ledger::LedgerError| QueryError::Ledger(e.to_string());
    let cost = Budget {
        epsilon,
        delta: plan.delta,
    };
    // Held from reading the ledger to saving it (released on return).
    let lock = Ledger::lock(c.path, std::time::Duration::from_secs(10)).map_err(ledger_error)?;
    if let Some(pid) = lock.taken_over_from() {
        notify(LedgerNotice::TookOverLock {
            path: lock.path().to_path_buf(),
            pid,
        });
    }
    let mut ledger = Ledger::open(c.path).map_err(ledger_error)?;
    if ledger.migrated() {
        notify(LedgerNotice::Migrated {
            path: c.path.to_path_buf(),
        });
    }
    let id = DatasetId::declared(c.dataset_id, data, c.dataset_name).map_err(ledger_error)?;
    ledger.check(&id, c.budget, cost).map_err(ledger_error)?;
    let released = release(input, data, plan)?;
    let e = ledger
        .charge(&id, c.budget, cost, &plan.describe(), plan.mechanism_name())
        .map_err(ledger_error)?
        .clone();
    ledger.save().map_err(ledger_error)?;
    drop(lock);
    let (spent, remaining) = (e.spent(), e.remaining());
    let pair = |b: Budget| EpsilonDelta {
        epsilon: b.epsilon,
        delta: b.delta,
    };
    Ok(Charged {
        release: released,
        ledger: Some(LedgerState {
            dataset_id: e.id.clone(),
            dataset: e.name.clone(),
            sha256: e.sha256.clone(),
            data_sha256: e.releases.last().map(|r| r.data_sha256.clone()),
            head: e.head().to_string(),
            budget: pair(e.budget),
            spent: pair(spent),
            remaining: pair(remaining),
            composition: "basic (sums of epsilon and delta)".into(),
        }),
    })
}
