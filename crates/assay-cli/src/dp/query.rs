//! `assay dp query`: differentially private counts, sums, means, histograms and quantiles of a
//! table ([`assay_core::dp_query`], where the privacy unit, sensitivities, noise and stated
//! errors are documented), with a budget ledger.
//!
//! **Refusals.** Invalid flags, and a release that would exceed the ledger's budget, are input
//! errors (exit 2): nothing is computed or printed, and the ledger is unchanged. A budget
//! refusal is a usage error rather than a policy failure (exit 1) because the request, not the
//! data, is at fault: the same query with a smaller ε may be run.
//!
//! **Ledger.** `--ledger` needs `--dataset-id`, the declared identity the budget is kept under
//! (see `assay_privacy::ledger`). Its lock is taken first (a lock left by a dead process is
//! taken over with a warning); the ledger is validated and its hash chain verified on load;
//! the budget is checked before the data is read and the release charged and saved before
//! anything is printed.

use std::process::ExitCode;

use assay_core::dp_query::{self, Field, LedgerNotice, QueryError, QueryOptions};
use assay_core::reports::dp::{QueryReport, QUERY_SCHEMA};
use assay_privacy::ledger::Budget;

use super::args::Format;
use super::query_args::{QueryArgs, Statistic};

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

/// The flag of an option of the query.
fn flag(field: Field) -> &'static str {
    match field {
        Field::Epsilon => "--epsilon",
        Field::Delta => "--delta",
        Field::Mechanism => "--mechanism",
        Field::Column => "--column",
        Field::Clamp => "--clamp",
        Field::Id => "--id",
        Field::ContributionBound => "--contribution-bound",
        Field::GroupBy => "--group-by",
        Field::GroupKeys => "--group-keys",
        Field::Bins => "--bins",
        Field::Quantile => "--quantile",
        Field::Grid => "--grid",
        Field::Confidence => "--confidence",
    }
}

/// The library's error, with the flag named where it is about one.
fn message(e: QueryError) -> String {
    match e {
        QueryError::Invalid { field, message } => format!("{}: {message}", flag(field)),
        e => e.to_string(),
    }
}

/// The query the flags describe, checked ([`dp_query::plan`]), and the ledger flags checked.
fn plan(a: &QueryArgs) -> Result<dp_query::Plan, String> {
    let contribution_bound = match a.contribution_bound {
        Some(k) if k < 1 => {
            return Err(format!("--contribution-bound must be at least 1, got {k}"))
        }
        k => k.map(|k| k as u64),
    };
    let options = QueryOptions {
        statistic: a.statistic,
        column: a.column.clone(),
        group_by: a.group_by.clone(),
        group_keys: a.group_keys.clone(),
        clamp: a
            .clamp
            .as_deref()
            .map(|s| parse_pair("--clamp", s))
            .transpose()?,
        bins: a.bins,
        quantile: a.quantile,
        grid: a.grid,
        id: a.id.clone(),
        contribution_bound,
        epsilon: a.epsilon,
        delta: a.delta,
        mechanism: a.mechanism,
        confidence: a.confidence,
        seed: a.seed,
    };
    let plan = dp_query::plan(&options).map_err(message)?;
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
    Ok(plan)
}

/// Runs `assay dp query`.
pub fn run_query(a: QueryArgs) -> Result<ExitCode, String> {
    a.submit.require_json(matches!(a.format, Format::Json))?;
    let plan = plan(&a)?;
    let budget = a.budget.as_deref().map(parse_budget).transpose()?;
    let charge = a.ledger.as_deref().map(|path| dp_query::Charge {
        path,
        dataset_id: a
            .dataset_id
            .as_deref()
            .expect("validated: --ledger has --dataset-id"),
        dataset_name: a.dataset_name.as_deref(),
        budget,
    });
    let charged = dp_query::release_charged(
        &a.input.table_input()?,
        &a.data,
        &plan,
        a.epsilon,
        charge.as_ref(),
        |notice| match notice {
            LedgerNotice::TookOverLock { path, pid } => eprintln!(
                "warning: {}: took over the ledger's lock from process {pid}, which is no longer running (it may have been interrupted; its release, if any, is not in the ledger unless it was saved)",
                path.display()
            ),
            LedgerNotice::Migrated { path } => eprintln!(
                "note: {}: an assay.ledger/1 ledger; its entries were validated and are kept under their names as dataset ids, and it is written as a hash-chained assay.ledger/2 ledger if this release is charged",
                path.display()
            ),
        },
    )
    .map_err(message)?;
    let (cells, notes) = (charged.release.cells, charged.release.noise);
    let ledger_json = charged.ledger;
    let query = plan.describe();
    let mechanism = plan.mechanism_name();

    match a.format {
        Format::Json => {
            let results = cells.iter().map(dp_query::Cell::to_report).collect();
            let doc = QueryReport {
                schema: QUERY_SCHEMA.into(),
                statistic: a.statistic.name().into(),
                column: a.column.clone(),
                group_by: a.group_by.clone(),
                clamp: plan.options.clamp.map(|(l, h)| [l, h]),
                quantile: (a.statistic == Statistic::Quantile).then_some(a.quantile),
                epsilon: a.epsilon,
                delta: plan.delta,
                mechanism: mechanism.into(),
                contribution_bound: plan.k,
                id: a.id.clone(),
                confidence: a.confidence,
                noise: notes.iter().map(|n| n.report.clone()).collect(),
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
        Format::Text => {
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
                outln!("noise: {}", n.description);
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
