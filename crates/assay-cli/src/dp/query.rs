//! `assay dp query`: differentially private counts, sums, means, histograms and quantiles of a
//! table, grouped, with clamping, per-person contribution bounding and a budget ledger.
//!
//! **Privacy unit.** One person: a row, or with `--id` all rows sharing an id, of which at most
//! K (`--contribution-bound`) are kept, chosen by a seeded shuffle. Neighbouring datasets add or
//! remove one person. Groups come from the public `--group-keys` (releasing the groups seen in
//! the data would not be private); rows of other groups are dropped.
//!
//! **Sensitivities** (of the whole release, all groups and bins together: a person's K rows may
//! fall in different groups). Counts and histogram cells: K (L1 and L2). Sums of values clamped
//! to [lo, hi]: K·max(|lo|, |hi|). Means: a sum of values centred on the middle of the range,
//! K·(hi - lo)/2, and a count, K, each with half of ε (and of δ). Quantiles: the exponential
//! mechanism over `--grid` evenly spaced candidates on [lo, hi] with utility
//! -|#{x < c} - q·n|, sensitivity K (each group's selection uses the full ε; a person's rows
//! change the utilities of the groups they are in by at most K in total, so the release is ε-DP).
//!
//! **Noise.** Laplace: counts and histograms get exact discrete Laplace noise of scale K/ε on the
//! integers; sums and means get [`LaplaceMechanism`] noise. Gaussian: [`GaussianMechanism`]
//! (analytic calibration). All samplers are `assay_privacy::mechanisms`' exact ones.
//!
//! **Errors stated.** Each value carries the half-width of the central interval holding the
//! noise with the `--confidence` probability (so [value - w, value + w] covers the exact
//! statistic of the bounded, clamped data with that probability; sampling error, clamping bias
//! and dropped rows are not included). Means: the interval of (S ± w_S)/(C ± w_C) over both
//! noises' intervals at confidence 1 - (1 - c)/2 each (union bound), clipped to [lo, hi].
//! Quantiles: no noise interval exists; the stated `rank_error` is the exponential mechanism's
//! utility bound (2K/ε)(ln G + ln(1/(1 - c))): with probability ≥ c the released grid point's
//! rank is within that many rows of the best grid point's.
//!
//! **Refusals.** ε outside [2^-30, 65536] and δ outside [2^-1022, 1/n) with the Gaussian
//! mechanism (the range of `assay_privacy::params`, checked before the ledger is locked), a δ
//! with Laplace, missing clamping bounds, K < 1, and a release that would exceed the ledger's budget are all input
//! errors (exit 2): nothing is computed or printed, and the ledger is unchanged. A budget
//! refusal is a usage error rather than a policy failure (exit 1) because the request, not the
//! data, is at fault: the same query with a smaller ε may be run.
//!
//! **Ledger.** `--ledger` needs `--dataset-id`, the declared identity the budget is kept under
//! (see `assay_privacy::ledger`). Its lock is taken first (a lock left by a dead process is
//! taken over with a warning); the ledger is validated and its hash chain verified on load;
//! the budget is checked before the data is read and the release charged and saved before
//! anything is printed.

use std::collections::HashMap;
use std::process::ExitCode;

use assay_core::reports::dp::{
    CellPrecision, EpsilonDelta, LedgerState, QueryCell, QueryNoise, QueryReport, QUERY_SCHEMA,
};
use assay_core::reports::finite;
use rand::seq::SliceRandom;

use assay_data::column::view;
use assay_data::csv::TextType;
use assay_data::source::ColumnRequest;
use assay_privacy::ledger::{Budget, DatasetId, Ledger};
use assay_privacy::mechanisms::{
    exponential_mechanism, rng, DiscreteLaplaceMechanism, GaussianMechanism, LaplaceMechanism,
};
use assay_privacy::params::{check_delta, check_epsilon};

use super::args::OutputFormat;
use super::query_args::{MechanismArg, QueryArgs, Statistic};

type Rng = rand_chacha::ChaCha20Rng;

/// One released number.
struct Cell {
    group: Option<String>,
    bin: Option<(f64, f64)>,
    value: f64,
    half_width: f64,
    interval: (f64, f64),
    rank_error: Option<f64>,
}

/// The noise used, for the report.
struct NoiseNote {
    text: String,
    json: QueryNoise,
}

fn parse_pair(flag: &str, s: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let bad = || format!("{flag} expects LO,HI (two numbers), got '{s}'");
    if parts.len() != 2 {
        return Err(bad());
    }
    let lo: f64 = parts[0].parse().map_err(|_| bad())?;
    let hi: f64 = parts[1].parse().map_err(|_| bad())?;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(format!("{flag}: need finite LO < HI, got {lo}, {hi}"));
    }
    Ok((lo, hi))
}

fn parse_budget(s: &str) -> Result<Budget, String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let bad = || format!("--budget expects EPSILON[,DELTA], got '{s}'");
    let epsilon: f64 = parts.first().ok_or_else(bad)?.parse().map_err(|_| bad())?;
    let delta: f64 = match parts.get(1) {
        Some(d) => d.parse().map_err(|_| bad())?,
        None => 0.0,
    };
    if parts.len() > 2 || !(epsilon.is_finite() && epsilon > 0.0) || !(0.0..1.0).contains(&delta) {
        return Err(format!(
            "--budget: need epsilon > 0 and delta in [0, 1), got '{s}'"
        ));
    }
    Ok(Budget { epsilon, delta })
}

/// Checks of the flags alone (before any data is read).
struct Plan {
    clamp: Option<(f64, f64)>,
    k: u64,
    delta: f64,
    keys: Vec<String>,
}

fn validate(a: &QueryArgs) -> Result<Plan, String> {
    // The range the library's samplers handle exactly, checked here, before the ledger's lock
    // is taken; a mean spends half of ε (and of δ) on each of its two releases.
    let halves = a.statistic == Statistic::Mean;
    check_epsilon(a.epsilon).map_err(|e| format!("--epsilon: {e}"))?;
    if halves {
        check_epsilon(a.epsilon / 2.0).map_err(|e| {
            format!("--epsilon: --statistic mean spends half of it on the sum and half on the count: {e}")
        })?;
    }
    let delta = match (a.mechanism, a.delta) {
        (MechanismArg::Gaussian, None) => {
            return Err("--mechanism gaussian needs --delta (in (0, 1/n))".into())
        }
        (MechanismArg::Gaussian, Some(d)) => {
            check_delta(d).map_err(|e| format!("--delta: {e}"))?;
            if halves {
                check_delta(d / 2.0).map_err(|e| {
                    format!("--delta: --statistic mean spends half of it on the sum and half on the count: {e}")
                })?;
            }
            d
        }
        (MechanismArg::Laplace, Some(d)) => {
            return Err(format!(
                "--delta {d} is only used by --mechanism gaussian; the Laplace mechanism is pure epsilon-DP"
            ))
        }
        (MechanismArg::Laplace, None) => 0.0,
    };
    if a.statistic == Statistic::Quantile && a.mechanism == MechanismArg::Gaussian {
        return Err(
            "quantiles use the exponential mechanism (pure epsilon-DP); use --mechanism laplace"
                .into(),
        );
    }
    let needs_column = a.statistic != Statistic::Count;
    if needs_column && a.column.is_none() {
        return Err(format!("--statistic {} needs --column", a.statistic.name()));
    }
    let clamp = match &a.clamp {
        Some(s) => Some(parse_pair("--clamp", s)?),
        None if needs_column => {
            return Err(format!(
            "--statistic {} needs clamping bounds --clamp LO,HI (the sensitivity depends on them)",
            a.statistic.name()
        ))
        }
        None => None,
    };
    let k = match (a.contribution_bound, &a.id) {
        (Some(k), _) if k < 1 => {
            return Err(format!("--contribution-bound must be at least 1, got {k}"))
        }
        (Some(_), None) => {
            return Err(
                "--contribution-bound needs --id COLUMN (without it each row is one person)".into(),
            )
        }
        (None, Some(_)) => {
            return Err("--id needs --contribution-bound K (the most rows kept per person)".into())
        }
        (Some(k), Some(_)) => k as u64,
        (None, None) => 1,
    };
    if a.group_by.is_empty() != a.group_keys.is_empty() {
        return Err(if a.group_by.is_empty() {
            "--group-keys needs --group-by".into()
        } else {
            "--group-by needs --group-keys: the public list of groups to release (the groups present in the data are not private)".into()
        });
    }
    let mut keys = a.group_keys.clone();
    for key in &keys {
        if key.split('|').count() != a.group_by.len() {
            return Err(format!(
                "--group-keys: '{key}' does not have {} value(s) separated by '|' (one per --group-by column)",
                a.group_by.len()
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    keys.retain(|k| seen.insert(k.clone()));
    if keys.is_empty() {
        keys.push(String::new());
    }
    if a.statistic == Statistic::Histogram {
        if a.bins == 0 {
            return Err("--bins must be at least 1".into());
        }
        let cells = keys.len().saturating_mul(a.bins);
        if cells > crate::counts::HISTOGRAM_CELLS {
            return Err(format!(
                "--bins {} for {} groups makes {cells} histogram cells, above the cap of {}",
                a.bins,
                keys.len(),
                crate::counts::HISTOGRAM_CELLS
            ));
        }
    }
    if a.statistic == Statistic::Quantile {
        if !(0.0..=1.0).contains(&a.quantile) {
            return Err(format!("--quantile must be in [0, 1], got {}", a.quantile));
        }
        if a.grid < 2 {
            return Err("--grid must be at least 2".into());
        }
    }
    if !(a.confidence > 0.0 && a.confidence < 1.0) {
        return Err(format!(
            "--confidence must be in (0, 1), got {}",
            a.confidence
        ));
    }
    if a.budget.is_some() && a.ledger.is_none() {
        return Err("--budget needs --ledger FILE".into());
    }
    match (&a.ledger, &a.dataset_id) {
        (Some(_), None) => return Err(
            "--ledger needs --dataset-id NAME: the identity the budget is kept under (the same for every copy or encoding of the data)".into(),
        ),
        (None, Some(_)) => return Err("--dataset-id needs --ledger FILE".into()),
        _ => {}
    }
    Ok(Plan {
        clamp,
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

fn read(a: &QueryArgs, plan: &Plan) -> Result<Rows, String> {
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
    if let Some(c) = &a.column {
        add(c, TextType::Float64, "value column");
    }
    for g in &a.group_by {
        add(g, TextType::Utf8, "group-by column");
    }
    if let Some(i) = &a.id {
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
    let stream = a.input.open(&a.data, &requests, requests.is_empty())?;
    let mut row0 = 0u64;
    for batch in stream {
        let batch = batch.map_err(|e| e.to_string())?;
        let col = |name: &str| -> Result<_, String> {
            let arr = batch
                .column_by_name(name)
                .ok_or_else(|| format!("{}: no column '{name}'", a.data.display()))?;
            view(arr, &a.data, name).map_err(|e| e.to_string())
        };
        let value = a.column.as_deref().map(col).transpose()?;
        let groups = a
            .group_by
            .iter()
            .map(|g| col(g))
            .collect::<Result<Vec<_>, _>>()?;
        let ids = a.id.as_deref().map(col).transpose()?;
        for i in 0..batch.num_rows() {
            let row = row0 + i as u64;
            rows.n_read += 1;
            let key = groups
                .iter()
                .map(|g| g.text(i).unwrap_or_default())
                .collect::<Vec<_>>()
                .join("|");
            let Some(&g) = index.get(key.as_str()) else {
                continue;
            };
            let v = match (&value, &a.column) {
                (Some(v), Some(name)) => v
                    .number(i, &a.data, name, row + 1, "value column")
                    .map_err(|e| e.to_string())?,
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
    let pick = |v: &[f64]| {
        v.iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(x, _)| *x)
            .collect()
    };
    Rows {
        group: rows
            .group
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(g, _)| *g)
            .collect(),
        value: pick(&rows.value),
        id: Vec::new(),
        n_read: rows.n_read,
    }
}

/// Noise for integer counts of sensitivity `k`.
enum CountNoise {
    /// Exact discrete Laplace of scale k/ε on the integers.
    Laplace(DiscreteLaplaceMechanism),
    Gaussian(GaussianMechanism),
}

impl CountNoise {
    fn new(k: u64, epsilon: f64, delta: f64, mech: MechanismArg) -> Result<Self, String> {
        Ok(match mech {
            MechanismArg::Laplace => CountNoise::Laplace(
                DiscreteLaplaceMechanism::new(k, epsilon).map_err(|e| e.to_string())?,
            ),
            MechanismArg::Gaussian => CountNoise::Gaussian(
                GaussianMechanism::new(k as f64, epsilon, delta).map_err(|e| e.to_string())?,
            ),
        })
    }

    fn release(&self, rng: &mut Rng, c: u64) -> Result<f64, String> {
        match self {
            CountNoise::Laplace(m) => m.release(rng, c as i64).map(|v| v as f64),
            CountNoise::Gaussian(m) => m.release(rng, c as f64),
        }
        .map_err(|e| e.to_string())
    }

    fn half_width(&self, confidence: f64) -> f64 {
        match self {
            CountNoise::Laplace(m) => m.interval_half_width(confidence),
            CountNoise::Gaussian(m) => m.interval_half_width(confidence),
        }
    }

    fn note(&self) -> NoiseNote {
        match self {
            CountNoise::Laplace(m) => NoiseNote {
                text: format!(
                    "discrete Laplace on the integers, scale {} (sensitivity {} / epsilon {})",
                    m.scale(),
                    m.sensitivity(),
                    m.epsilon()
                ),
                json: QueryNoise::DiscreteLaplace {
                    scale: m.scale(),
                    sensitivity: m.sensitivity(),
                },
            },
            CountNoise::Gaussian(m) => gaussian_note(m),
        }
    }
}

fn gaussian_note(m: &GaussianMechanism) -> NoiseNote {
    NoiseNote {
        text: format!(
            "Gaussian (analytic calibration), sigma {} (L2 sensitivity {}, epsilon {}, delta {})",
            m.sigma(),
            m.sensitivity(),
            m.epsilon(),
            m.delta()
        ),
        json: QueryNoise::Gaussian {
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
    fn new(s: f64, epsilon: f64, delta: f64, mech: MechanismArg) -> Result<Self, String> {
        Ok(match mech {
            MechanismArg::Laplace => {
                RealNoise::Laplace(LaplaceMechanism::new(s, epsilon).map_err(|e| e.to_string())?)
            }
            MechanismArg::Gaussian => RealNoise::Gaussian(
                GaussianMechanism::new(s, epsilon, delta).map_err(|e| e.to_string())?,
            ),
        })
    }
    fn release(&self, rng: &mut Rng, v: f64) -> Result<f64, String> {
        match self {
            RealNoise::Laplace(m) => m.release(rng, v),
            RealNoise::Gaussian(m) => m.release(rng, v),
        }
        .map_err(|e| e.to_string())
    }
    fn half_width(&self, c: f64) -> f64 {
        match self {
            RealNoise::Laplace(m) => m.interval_half_width(c),
            RealNoise::Gaussian(m) => m.interval_half_width(c),
        }
    }
    fn note(&self) -> NoiseNote {
        match self {
            RealNoise::Laplace(m) => NoiseNote {
                text: format!(
                    "Laplace on a 2^k grid, scale {} (sensitivity {} / epsilon {})",
                    m.scale(),
                    m.sensitivity(),
                    m.epsilon()
                ),
                json: QueryNoise::Laplace {
                    scale: m.scale(),
                    sensitivity: m.sensitivity(),
                    granularity: m.granularity(),
                },
            },
            RealNoise::Gaussian(m) => gaussian_note(m),
        }
    }
}

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

/// Computes the release (all noise drawn here).
fn release(
    a: &QueryArgs,
    plan: &Plan,
    rows: &Rows,
    rng: &mut Rng,
) -> Result<(Vec<Cell>, Vec<NoiseNote>), String> {
    let ng = plan.keys.len();
    let label = |g: usize| (!a.group_by.is_empty()).then(|| plan.keys[g].clone());
    let (eps, delta, k, conf) = (a.epsilon, plan.delta, plan.k, a.confidence);
    let clamp = |v: f64| {
        let (lo, hi) = plan.clamp.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
        v.clamp(lo, hi)
    };
    let mut counts = vec![0u64; ng];
    for &g in &rows.group {
        counts[g] += 1;
    }
    let mut cells = Vec::new();
    let mut notes = Vec::new();
    match a.statistic {
        Statistic::Count => {
            let noise = CountNoise::new(k, eps, delta, a.mechanism)?;
            let w = noise.half_width(conf);
            for (g, &c) in counts.iter().enumerate() {
                cells.push(plain(label(g), noise.release(rng, c)?, w));
            }
            notes.push(noise.note());
        }
        Statistic::Sum => {
            let (lo, hi) = plan.clamp.expect("validated");
            let noise = RealNoise::new(k as f64 * lo.abs().max(hi.abs()), eps, delta, a.mechanism)?;
            let mut sums = vec![0.0; ng];
            for (&g, &v) in rows.group.iter().zip(&rows.value) {
                sums[g] += clamp(v);
            }
            let w = noise.half_width(conf);
            for (g, &s) in sums.iter().enumerate() {
                cells.push(plain(label(g), noise.release(rng, s)?, w));
            }
            notes.push(noise.note());
        }
        Statistic::Mean => {
            let (lo, hi) = plan.clamp.expect("validated");
            let (mid, half) = (lo + (hi - lo) / 2.0, (hi - lo) / 2.0);
            let sum_noise = RealNoise::new(k as f64 * half, eps / 2.0, delta / 2.0, a.mechanism)?;
            let count_noise = CountNoise::new(k, eps / 2.0, delta / 2.0, a.mechanism)?;
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
            let (lo, hi) = plan.clamp.expect("validated");
            let b = a.bins;
            let width = (hi - lo) / b as f64;
            let mut h = vec![0u64; ng * b];
            for (&g, &v) in rows.group.iter().zip(&rows.value) {
                let j = (((clamp(v) - lo) / width).floor() as usize).min(b - 1);
                h[g * b + j] += 1;
            }
            let noise = CountNoise::new(k, eps, delta, a.mechanism)?;
            let w = noise.half_width(conf);
            for g in 0..ng {
                for j in 0..b {
                    let mut c = plain(label(g), noise.release(rng, h[g * b + j])?, w);
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
            let (lo, hi) = plan.clamp.expect("validated");
            let gsize = a.grid;
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
                let target = a.quantile * xs.len() as f64;
                let utilities: Vec<f64> = grid
                    .iter()
                    .map(|&c| -((xs.partition_point(|&x| x < c) as f64) - target).abs())
                    .collect();
                let j = exponential_mechanism(rng, &utilities, eps, k as f64)
                    .map_err(|e| e.to_string())?;
                cells.push(Cell {
                    group: label(g),
                    bin: None,
                    value: grid[j],
                    half_width: f64::NAN,
                    interval: (f64::NAN, f64::NAN),
                    rank_error: Some(rank_error),
                });
            }
            notes.push(NoiseNote {
                text: format!(
                    "exponential mechanism over {gsize} grid points on [{lo}, {hi}], utility -|rank - q n|, sensitivity {k}; rank error <= {rank_error:.3} rows beyond the best grid point with probability {conf}"
                ),
                json: QueryNoise::ExponentialMechanism {
                    grid_points: gsize,
                    sensitivity: k,
                    rank_error,
                },
            });
        }
    }
    Ok((cells, notes))
}

/// Runs `assay dp query`.
pub fn run_query(a: QueryArgs) -> Result<ExitCode, String> {
    a.submit
        .require_json(matches!(a.format, OutputFormat::Json))?;
    let plan = validate(&a)?;
    let cost = Budget {
        epsilon: a.epsilon,
        delta: plan.delta,
    };
    let budget = a.budget.as_deref().map(parse_budget).transpose()?;
    // The ledger is checked before any data is read, and charged before anything is printed.
    // Held from reading the ledger to saving it (released on return).
    let _lock = match &a.ledger {
        Some(path) => {
            let lock = Ledger::lock(path, std::time::Duration::from_secs(10))
                .map_err(|e| e.to_string())?;
            if let Some(pid) = lock.taken_over_from() {
                eprintln!(
                    "warning: {}: took over the ledger's lock from process {pid}, which is no longer running (it may have been interrupted; its release, if any, is not in the ledger unless it was saved)",
                    lock.path().display()
                );
            }
            Some(lock)
        }
        None => None,
    };
    let mut ledger = match &a.ledger {
        Some(path) => {
            let l = Ledger::open(path).map_err(|e| e.to_string())?;
            if l.migrated() {
                eprintln!(
                    "note: {}: an assay.ledger/1 ledger; its entries were validated and are kept under their names as dataset ids, and it is written as a hash-chained assay.ledger/2 ledger if this release is charged",
                    path.display()
                );
            }
            let declared = a
                .dataset_id
                .as_deref()
                .expect("validated: --ledger has --dataset-id");
            let id = DatasetId::declared(declared, &a.data, a.dataset_name.as_deref())
                .map_err(|e| e.to_string())?;
            l.check(&id, budget, cost).map_err(|e| e.to_string())?;
            Some((l, id))
        }
        None => None,
    };
    let rows = read(&a, &plan)?;
    if plan.delta > 0.0 && plan.delta >= 1.0 / rows.n_read.max(1) as f64 {
        return Err(format!(
            "--delta {} is not below 1/n = 1/{}: a delta that large allows releasing a person's record outright",
            plan.delta, rows.n_read
        ));
    }
    let mut r = rng(a.seed);
    let rows = bound_contributions(rows, plan.k, &mut r);
    let (cells, notes) = release(&a, &plan, &rows, &mut r)?;

    let query = format!(
        "{}{}{}",
        a.statistic.name(),
        a.column
            .as_deref()
            .map(|c| format!("({c})"))
            .unwrap_or_default(),
        if a.group_by.is_empty() {
            String::new()
        } else {
            format!(" by {}", a.group_by.join(","))
        }
    );
    let mechanism = match (a.statistic, a.mechanism) {
        (Statistic::Quantile, _) => "exponential",
        (_, MechanismArg::Laplace) => "laplace",
        (_, MechanismArg::Gaussian) => "gaussian",
    };
    let ledger_json = match &mut ledger {
        Some((l, id)) => {
            let e = l
                .charge(id, budget, cost, &query, mechanism)
                .map_err(|e| e.to_string())?
                .clone();
            l.save().map_err(|e| e.to_string())?;
            let (s, rem) = (e.spent(), e.remaining());
            Some(LedgerState {
                dataset_id: e.id.clone(),
                dataset: e.name.clone(),
                sha256: e.sha256.clone(),
                data_sha256: e.releases.last().map(|r| r.data_sha256.clone()),
                head: e.head().to_string(),
                budget: EpsilonDelta {
                    epsilon: e.budget.epsilon,
                    delta: e.budget.delta,
                },
                spent: EpsilonDelta {
                    epsilon: s.epsilon,
                    delta: s.delta,
                },
                remaining: EpsilonDelta {
                    epsilon: rem.epsilon,
                    delta: rem.delta,
                },
                composition: "basic (sums of epsilon and delta)".into(),
            })
        }
        None => None,
    };

    match a.format {
        OutputFormat::Json => {
            let results: Vec<QueryCell> = cells
                .iter()
                .map(|c| QueryCell {
                    value: c.value,
                    group: c.group.clone(),
                    bin: c.bin.map(|(l, h)| [l, h]),
                    precision: match c.rank_error {
                        Some(rank_error) => CellPrecision::Rank { rank_error },
                        None => CellPrecision::Noise {
                            half_width: finite(c.half_width),
                            interval: [finite(c.interval.0), finite(c.interval.1)],
                        },
                    },
                })
                .collect();
            let doc = QueryReport {
                schema: QUERY_SCHEMA.into(),
                statistic: a.statistic.name().into(),
                column: a.column.clone(),
                group_by: a.group_by.clone(),
                clamp: plan.clamp.map(|(l, h)| [l, h]),
                quantile: (a.statistic == Statistic::Quantile).then_some(a.quantile),
                epsilon: a.epsilon,
                delta: plan.delta,
                mechanism: mechanism.into(),
                contribution_bound: plan.k,
                id: a.id.clone(),
                confidence: a.confidence,
                noise: notes.iter().map(|n| n.json.clone()).collect(),
                results,
                ledger: ledger_json.clone(),
            };
            outln!(
                "{}",
                serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
            );
            a.submit
                .upload_report("dp", crate::registry::submit::Verdict::None, &doc)?;
        }
        OutputFormat::Text => {
            outln!(
                "{query}: epsilon = {}{}, {mechanism}, contribution bound {} per {}",
                a.epsilon,
                if plan.delta > 0.0 {
                    format!(", delta = {}", plan.delta)
                } else {
                    String::new()
                },
                plan.k,
                a.id.as_deref()
                    .map(|i| format!("'{i}'"))
                    .unwrap_or_else(|| "row".into())
            );
            let pct = a.confidence * 100.0;
            for c in &cells {
                let mut line = String::new();
                if let Some(g) = &c.group {
                    line.push_str(&format!("{g}  "));
                }
                if let Some((l, h)) = c.bin {
                    line.push_str(&format!("[{l}, {h})  "));
                }
                line.push_str(&format!("{}", c.value));
                match c.rank_error {
                    Some(r) => line.push_str(&format!("  (rank error <= {r:.3} rows, {pct}%)")),
                    None if a.statistic == Statistic::Mean => line.push_str(&format!(
                        "  ({pct}% interval [{}, {}])",
                        c.interval.0, c.interval.1
                    )),
                    None => line.push_str(&format!("  +/- {} ({pct}% of the noise)", c.half_width)),
                }
                outln!("{line}");
            }
            for n in &notes {
                outln!("noise: {}", n.text);
            }
            if let Some(l) = &ledger_json {
                // Numbers as JSON writes them (1.0, not 1), as before the report was typed.
                let n = |v: f64| serde_json::Value::from(v);
                outln!(
                    "ledger: dataset '{}' spent epsilon {} of {}, delta {} of {} (basic composition); chain head {}",
                    l.dataset_id,
                    n(l.spent.epsilon),
                    n(l.budget.epsilon),
                    n(l.spent.delta),
                    n(l.budget.delta),
                    l.head
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
