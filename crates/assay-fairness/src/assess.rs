//! The assessment: one streaming pass over the input, then metrics,
//! disparities, intervals, worst groups, the bias scan and the policy.

use rayon::prelude::*;

use assay_data::{BatchStream, ColumnRoles, DataError};

use crate::accumulate::GroupTable;
use crate::bootstrap::{Cell, Resampler, SCORE_BINS};
use crate::disparities;
use crate::intervals::{self, Interval};
use crate::metrics::Metric;
use crate::model::*;
pub use crate::pass::column_requests;
use crate::pass::pass;
use crate::scan::BiasScan;
use crate::score_bins::{rep_score, score_bins};
use crate::units::{sorted_scores, unit_auc, AucSweep, UnitKind, UnitSums, Units};

/// An error of the assessment.
#[derive(Debug, thiserror::Error)]
pub enum FairnessError {
    /// Reading or interpreting the input failed.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The input cannot be assessed (for example a single group).
    #[error("{0}")]
    Input(String),
}

/// Options of an assessment.
#[derive(Debug, Clone)]
pub struct AssessOptions {
    /// Column roles.
    pub roles: ColumnRoles,
    /// Skip rows with invalid role cells (and report how many) instead of failing.
    pub drop_invalid: bool,
    /// Confidence level of the intervals (default 0.95).
    pub confidence: f64,
    /// Bootstrap replicates (default 1000; 0 turns bootstrap intervals off).
    pub bootstrap: usize,
    /// Bootstrap seed.
    pub seed: u64,
    /// Groups with fewer rows are flagged and left out of disparities (default 30).
    pub min_group_size: u64,
    /// Keep small groups in disparities.
    pub include_small_groups: bool,
    /// The positive prediction is the favourable outcome (hired, approved).
    pub positive_is_favorable: bool,
    /// Run the bias scan over the other columns of the input.
    pub scan: bool,
}

impl AssessOptions {
    /// Defaults for the given roles.
    pub fn new(roles: ColumnRoles) -> Self {
        AssessOptions {
            roles,
            drop_invalid: false,
            confidence: 0.95,
            bootstrap: 1000,
            seed: 0,
            min_group_size: 30,
            include_small_groups: false,
            positive_is_favorable: true,
            scan: true,
        }
    }
}

/// Which statistics the replicate vector holds, and where.
struct Layout {
    metrics: Vec<Metric>,
    n_units: usize,
    overall: usize,
    /// Intersectional groups compared in `disparities`.
    eligible: Vec<usize>,
    /// Each feature's marginal groups compared in `disparities_by_feature`.
    eligible_marginal: Vec<Vec<usize>>,
    specs: Vec<disparities::Spec>,
}

impl Layout {
    fn metric_index(&self, u: usize, mi: usize) -> usize {
        u * self.metrics.len() + mi
    }
    fn disparity_index(&self, feature: Option<usize>, d: usize) -> usize {
        let base = self.n_units * self.metrics.len();
        match feature {
            None => base + d,
            Some(f) => base + (f + 1) * self.specs.len() + d,
        }
    }
    /// The groups compared: intersectional (`None`) or one feature's marginals.
    fn compared(&self, feature: Option<usize>) -> &[usize] {
        match feature {
            None => &self.eligible,
            Some(f) => &self.eligible_marginal[f],
        }
    }

    /// All statistics from per-unit sums. With `fixed = None` the
    /// disparities are point estimates and where each was attained is
    /// returned; with `fixed`, each disparity is evaluated on that same
    /// comparison (bootstrap replicates).
    fn statistics(
        &self,
        sums: &[UnitSums],
        out: &mut Vec<f64>,
        fixed: Option<&[disparities::Attained]>,
    ) -> Vec<disparities::Attained> {
        out.clear();
        for s in sums {
            for &m in &self.metrics {
                out.push(s.metric(m));
            }
        }
        let nm = self.metrics.len();
        let unit_values = out.clone();
        let mi = |m: Metric| self.metrics.iter().position(|x| *x == m);
        let overall = |m: Metric| {
            mi(m)
                .map(|i| unit_values[self.overall * nm + i])
                .unwrap_or(f64::NAN)
        };
        let mut attained = Vec::new();
        let features = std::iter::once(None).chain((0..self.eligible_marginal.len()).map(Some));
        for (block, feature) in features.enumerate() {
            let units = self.compared(feature);
            let values = |m: Metric| -> Vec<f64> {
                match mi(m) {
                    Some(i) => units.iter().map(|&u| unit_values[u * nm + i]).collect(),
                    None => vec![f64::NAN; units.len()],
                }
            };
            for (d, spec) in self.specs.iter().enumerate() {
                match fixed {
                    None => {
                        let (v, at) = disparities::evaluate(spec, &values, &overall);
                        out.push(v);
                        attained.push(at);
                    }
                    Some(f) => {
                        let at = f[block * self.specs.len() + d];
                        out.push(disparities::evaluate_fixed(spec, at, &values, &overall));
                    }
                }
            }
        }
        attained
    }
}

/// Most bootstrap replicates an assessment draws: each replicate keeps one value per
/// statistic, so the count bounds memory (issue #15: 4,000,000,000 aborted on the allocation).
pub const MAX_BOOTSTRAP: usize = 100_000;

fn check_bootstrap(opts: &AssessOptions) -> Result<(), FairnessError> {
    assay_data::bounds::check_count(opts.bootstrap, MAX_BOOTSTRAP)
        .map(|_| ())
        .map_err(|e| {
            FairnessError::Data(DataError::Option {
                option: "bootstrap",
                message: format!("{e} replicates"),
            })
        })
}

/// Runs a fairness assessment on a stream of record batches.
pub fn assess(stream: BatchStream, opts: &AssessOptions) -> Result<Assessment, FairnessError> {
    opts.roles.validate()?;
    if !(opts.confidence > 0.0 && opts.confidence < 1.0) {
        return Err(FairnessError::Data(DataError::Option {
            option: "confidence",
            message: format!("{} must be between 0 and 1", opts.confidence),
        }));
    }
    check_bootstrap(opts)?;
    let path = stream.path().display().to_string();
    let (table, scan) = pass(stream, opts)?;
    assess_table(table, scan, opts, path)
}

/// Builds the assessment from the pass's group table.
pub fn assess_table(
    table: GroupTable,
    scan: Option<BiasScan>,
    opts: &AssessOptions,
    path: String,
) -> Result<Assessment, FairnessError> {
    check_bootstrap(opts)?;
    let rows_used = table.rows - table.dropped.rows;
    if rows_used == 0 {
        return Err(FairnessError::Input(format!(
            "{path}: no rows to assess ({} read, {} dropped)",
            table.rows, table.dropped.rows
        )));
    }
    for (f, name) in table.features.iter().enumerate() {
        let present: Vec<usize> = {
            let mut v: Vec<usize> = table.groups.iter().map(|(c, _)| c[f] as usize).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        if present.len() < 2 {
            return Err(FairnessError::Input(format!(
                "{path}: column '{name}': the sensitive feature has a single group ('{}') in {rows_used} rows; expected at least two",
                present.first().map(|&v| table.values[f][v].clone()).unwrap_or_default()
            )));
        }
    }
    let mut notes: Vec<String> = Vec::new();
    if let Some(p) = &opts.roles.positive {
        let same = |v: &String| {
            v == p
                || matches!((v.parse::<f64>(), p.trim().parse::<f64>()), (Ok(a), Ok(b)) if a == b)
        };
        // Boolean columns record no text values; their positive value was checked on reading.
        if !table.label_values.is_empty() && !table.label_values.iter().any(same) {
            return Err(FairnessError::Data(DataError::Option {
                option: "positive",
                message: format!(
                    "{path}: column '{}': '{p}' never occurs in the label (values seen: {})",
                    opts.roles.label,
                    table.label_values.join(", ")
                ),
            }));
        }
    }
    let prob = table.probability_score();
    let mut metrics: Vec<Metric> = Metric::ALL
        .into_iter()
        .filter(|m| !m.needs_score() || table.has_score)
        .collect();
    if table.has_score && !prob {
        metrics.retain(|m| !m.needs_probability());
        notes.push(format!(
            "The score lies in [{}, {}], not [0, 1]: Brier score and calibration error are not reported.",
            table.score_range.0, table.score_range.1
        ));
    }

    let units = Units::build(&table);
    let n_units = units.units.len();
    let rows = if table.has_score {
        sorted_scores(&table)
    } else {
        Vec::new()
    };
    let auc = if table.has_score {
        unit_auc(&rows, &units)
    } else {
        vec![f64::NAN; n_units]
    };
    let sums: Vec<UnitSums> = units
        .units
        .iter()
        .zip(&auc)
        .map(|(u, a)| UnitSums::of(u, *a))
        .collect();

    let is_eligible =
        |u: usize| opts.include_small_groups || units.units[u].stats.count() >= opts.min_group_size;
    let eligible: Vec<usize> = (0..table.groups.len())
        .filter(|&u| is_eligible(u))
        .collect();
    let eligible_marginal: Vec<Vec<usize>> = units
        .marginal_ranges
        .iter()
        .map(|r| r.clone().filter(|&u| is_eligible(u)).collect())
        .collect();
    let small: Vec<usize> = (0..table.groups.len())
        .filter(|&u| !is_eligible(u))
        .collect();
    if !small.is_empty() {
        notes.push(format!(
            "{} of {} intersectional groups have fewer than {} rows: they are reported but flagged as too small to trust, and left out of disparities (use --include-small-groups to keep them).",
            small.len(),
            table.groups.len(),
            opts.min_group_size
        ));
    }
    if eligible.len() < 2 {
        notes.push(format!(
            "Fewer than two intersectional groups have at least {} rows: intersectional disparities are undefined.",
            opts.min_group_size
        ));
    }
    let layout = Layout {
        metrics: metrics.clone(),
        n_units,
        overall: units.overall(),
        eligible,
        eligible_marginal,
        specs: disparities::specs(&metrics),
    };
    let mut point = Vec::new();
    let attained = layout.statistics(&sums, &mut point, None);

    // Bootstrap.
    let mut reps_t: Vec<Vec<f64>> = Vec::new();
    let mut shift = vec![0.0; point.len()];
    if opts.bootstrap > 0 {
        let count_cells: Vec<Cell> = table
            .groups
            .iter()
            .flat_map(|(_, st)| {
                st.cells.iter().map(|c| Cell {
                    n: c.n,
                    w: c.w,
                    w2: c.w2,
                })
            })
            .collect();
        let (bins, coarse) = if table.has_score {
            score_bins(&rows, table.groups.len())
        } else {
            (Vec::new(), false)
        };
        drop(rows);
        let bin_cells: Vec<Cell> = bins.iter().map(|b| b.cell).collect();
        // Bins of each unit, ordered by representative score.
        let mut unit_bins: Vec<Vec<u32>> = vec![Vec::new(); n_units];
        for (i, b) in bins.iter().enumerate() {
            for &u in &units.of_combo[b.g as usize] {
                unit_bins[u].push(i as u32);
            }
        }
        for ub in unit_bins.iter_mut() {
            ub.sort_by(|&a, &b| {
                rep_score(&bins[a as usize]).total_cmp(&rep_score(&bins[b as usize]))
            });
        }
        let replicate = |cw: &[f64], bw: Option<&[f64]>| -> Vec<UnitSums> {
            units
                .units
                .iter()
                .enumerate()
                .map(|(u, unit)| {
                    let mut s = UnitSums::default();
                    for &g in &unit.members {
                        s.conf.tn += cw[4 * g];
                        s.conf.fp += cw[4 * g + 1];
                        s.conf.fn_ += cw[4 * g + 2];
                        s.conf.tp += cw[4 * g + 3];
                    }
                    s.auc = f64::NAN;
                    if let Some(bw) = bw {
                        let mut sweep = AucSweep::default();
                        for &bi in &unit_bins[u] {
                            let b = &bins[bi as usize];
                            let f = if b.cell.w > 0.0 {
                                bw[bi as usize] / b.cell.w
                            } else {
                                0.0
                            };
                            let w = f * b.cell.w;
                            s.brier += f * b.wloss;
                            s.wscore += w;
                            let e = &mut s.ece[b.ece as usize];
                            e[0] += w;
                            e[1] += f * b.ws;
                            e[2] += if b.y { w } else { 0.0 };
                            sweep.add(rep_score(b), w, b.y);
                        }
                        s.auc = sweep.finish();
                    }
                    s
                })
                .collect()
        };
        // The un-resampled, binned statistics: the bootstrap's own centre.
        if coarse {
            let cw: Vec<f64> = count_cells.iter().map(|c| c.w).collect();
            let bw: Vec<f64> = bin_cells.iter().map(|c| c.w).collect();
            let mut binned = Vec::new();
            layout.statistics(&replicate(&cw, Some(&bw)), &mut binned, Some(&attained));
            for (i, s) in shift.iter_mut().enumerate() {
                let d = point[i] - binned[i];
                *s = if d.is_finite() { d } else { 0.0 };
            }
            notes.push(format!(
                "Some groups have more than {SCORE_BINS} distinct scores: for the bootstrap intervals of the score metrics, scores are grouped into {SCORE_BINS} quantile bins per group and label (point estimates are exact)."
            ));
        }
        if table.weighted {
            notes.push("Weighted data: bootstrap intervals approximate each resampled cell's weight sum by a normal draw (exact without weights).".into());
        }
        let rs = Resampler::new(opts.seed, table.weighted);
        let has_score = table.has_score;
        let step = assay_progress::step("bootstrap replicates", Some(opts.bootstrap as u64));
        let reps: Vec<Vec<f64>> = (0..opts.bootstrap)
            .into_par_iter()
            .map(|r| {
                let mut rng = rs.rng(r);
                let (mut cw, mut bw) = (Vec::new(), Vec::new());
                rs.draw(&mut rng, &count_cells, &mut cw);
                if has_score {
                    rs.draw(&mut rng, &bin_cells, &mut bw);
                }
                let sums = replicate(&cw, has_score.then_some(&bw[..]));
                let mut out = Vec::new();
                layout.statistics(&sums, &mut out, Some(&attained));
                step.tick();
                out
            })
            .collect();
        drop(step);
        reps_t = (0..point.len())
            .map(|i| reps.iter().map(|r| r[i]).collect())
            .collect();
    }
    let boot_interval = |i: usize| -> Option<Interval> {
        if reps_t.is_empty() {
            return None;
        }
        let mut v = reps_t[i].clone();
        intervals::percentile(&mut v, opts.confidence, shift[i])
    };
    let opt = |x: f64| if x.is_nan() { None } else { Some(x) };

    // Groups.
    let total_rows = rows_used as f64;
    let group_result = |u: usize| -> GroupResult {
        let unit = &units.units[u];
        let st = &unit.stats;
        let mut m = Ordered::default();
        let mut iv = Ordered::default();
        for (mi, &metric) in metrics.iter().enumerate() {
            let v = point[layout.metric_index(u, mi)];
            m.push(metric.key(), opt(v));
            let interval = if metric.is_proportion() {
                let cells: &[usize] = match metric {
                    Metric::Tpr | Metric::Fnr => &[2, 3],
                    Metric::Fpr | Metric::Tnr => &[0, 1],
                    Metric::Precision => &[1, 3],
                    _ => &[0, 1, 2, 3],
                };
                intervals::wilson(v, st.effective_n(cells), opts.confidence)
            } else {
                boot_interval(layout.metric_index(u, mi))
            };
            if let Some(i) = interval {
                iv.push(metric.key(), i);
            }
        }
        let count = st.count();
        GroupResult {
            group: unit.group.clone(),
            count,
            share: count as f64 / total_rows,
            weight: st.confusion().total(),
            small: matches!(unit.kind, UnitKind::Combo(_) | UnitKind::Marginal(_))
                && count < opts.min_group_size,
            eligible: !matches!(unit.kind, UnitKind::Overall) && is_eligible(u),
            metrics: m,
            intervals: iv,
        }
    };
    let groups: Vec<GroupResult> = (0..table.groups.len()).map(group_result).collect();
    let mut marginals = Ordered::default();
    for (f, r) in units.marginal_ranges.iter().enumerate() {
        marginals.push(
            table.features[f].clone(),
            r.clone().map(group_result).collect(),
        );
    }
    let overall = group_result(units.overall());

    let disparity = |feature: Option<usize>, d: usize| -> Disparity {
        let idx = layout.disparity_index(feature, d);
        let block = feature.map_or(0, |f| f + 1);
        let compared = layout.compared(feature);
        let between = match attained[block * layout.specs.len() + d] {
            disparities::Attained::Undefined => Vec::new(),
            disparities::Attained::Pair { hi, lo, .. } => vec![
                units.units[compared[hi]].group.clone(),
                units.units[compared[lo]].group.clone(),
            ],
            disparities::Attained::Overall { g, .. } => {
                vec![units.units[compared[g]].group.clone()]
            }
        };
        let interval = boot_interval(idx);
        let reference = layout.specs[d].kind.reference();
        Disparity {
            value: opt(point[idx]),
            interval,
            reference,
            // A zero-width interval (every replicate the same, as zero counts make it: a
            // group with no false positive has FPR 0 in every replicate) is not evidence.
            significant: interval
                .filter(|i| i.upper > i.lower)
                .map(|i| i.lower > reference || i.upper < reference),
            between,
        }
    };
    let mut disp = Ordered::default();
    for (d, spec) in layout.specs.iter().enumerate() {
        disp.push(spec.name.clone(), disparity(None, d));
    }
    let mut by_feature = Ordered::default();
    let mut feature_notes = Vec::new();
    for (f, fname) in table.features.iter().enumerate() {
        let mut o = Ordered::default();
        for (d, spec) in layout.specs.iter().enumerate() {
            o.push(spec.name.clone(), disparity(Some(f), d));
        }
        feature_notes.extend(crate::verdicts::reconcile(&mut o, &format!("By {fname}: ")));
        by_feature.push(fname.clone(), o);
    }
    let top = crate::verdicts::reconcile(&mut disp, "");
    // With one sensitive feature its disparities are the intersectional ones: one note each.
    feature_notes.retain(|n: &String| !top.iter().any(|t| n.ends_with(t.as_str())));
    notes.extend(top);
    notes.extend(feature_notes);

    // Worst groups and the four-fifths rule, over eligible intersectional groups.
    let mut worst = Ordered::default();
    for (mi, &m) in metrics.iter().enumerate() {
        let Some(higher_better) = m.higher_is_better(opts.positive_is_favorable) else {
            continue;
        };
        let best = layout
            .eligible
            .iter()
            .map(|&u| (u, point[layout.metric_index(u, mi)]))
            .filter(|(_, v)| !v.is_nan())
            .min_by(|a, b| {
                if higher_better {
                    a.1.total_cmp(&b.1)
                } else {
                    b.1.total_cmp(&a.1)
                }
            });
        if let Some((u, v)) = best {
            worst.push(
                m.key(),
                WorstGroup {
                    group: units.units[u].group.clone(),
                    value: v,
                    direction: if higher_better { "lowest" } else { "highest" },
                },
            );
        }
    }
    let sel: Vec<(usize, f64)> = layout
        .eligible
        .iter()
        .map(|&u| (u, point[layout.metric_index(u, 0)]))
        .filter(|(_, v)| !v.is_nan())
        .collect();
    let lo = sel.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    let hi = sel.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    let di = disp.get("disparate_impact_ratio").and_then(|d| d.value);
    let four_fifths = FourFifths {
        ratio: di,
        passes: di.map(|r| r >= 0.8),
        lowest: lo.map(|(u, _)| units.units[*u].group.clone()),
        highest: hi.map(|(u, _)| units.units[*u].group.clone()),
    };

    let mut dropped_by_column = Ordered::default();
    for (c, n) in &table.dropped.by_column {
        dropped_by_column.push(c.clone(), *n);
    }
    if table.dropped.rows > 0 {
        notes.push(format!(
            "{} of {} rows were skipped with --drop-invalid because a role column held an invalid cell.",
            table.dropped.rows, table.rows
        ));
    }
    let roles = &opts.roles;
    Ok(Assessment {
        schema: SCHEMA.to_string(),
        assay_version: env!("CARGO_PKG_VERSION").to_string(),
        input: InputSummary {
            path,
            rows: table.rows,
            rows_used,
            rows_dropped: table.dropped.rows,
            dropped_by_column,
            label: roles.label.clone(),
            positive: roles.positive.clone(),
            label_values: table.label_values.clone(),
            prediction: roles.prediction.clone(),
            score: roles.score.clone(),
            threshold: roles.threshold,
            sensitive: roles.sensitive.clone(),
            weight: roles.weight.clone(),
            probability_score: prob,
        },
        settings: Settings {
            confidence: opts.confidence,
            bootstrap: opts.bootstrap,
            seed: opts.seed,
            min_group_size: opts.min_group_size,
            include_small_groups: opts.include_small_groups,
            positive_is_favorable: opts.positive_is_favorable,
        },
        overall,
        groups,
        marginals,
        disparities: disp,
        disparities_by_feature: by_feature,
        four_fifths,
        worst_groups: worst,
        scan,
        policy: None,
        provenance: None,
        notes,
    })
}
