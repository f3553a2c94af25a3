//! `assay dp`: differential-privacy accounting on the command line.
//!
//! `assay dp epsilon` reports the ε of T steps of the Poisson-subsampled Gaussian mechanism
//! (`assay_privacy::accounting::epsilon`); `assay dp calibrate` finds the noise multiplier for
//! a target (ε, δ) (`assay_privacy::accounting::calibrate`). Output: one text line or an
//! `assay.dp/1` JSON document. Invalid parameters are input errors (exit 2).

mod args;
mod audit;
mod query;
mod query_args;
mod train;

pub use args::DpArgs;

use std::process::ExitCode;

use assay_core::reports::dp::{
    AccountantInfo, CalibrateReport, DpReport, EpsilonReport, DP_SCHEMA,
};
use assay_core::reports::Unbounded;

use assay_privacy::accounting::{calibrate, epsilon, Accountant};

use args::{AccountantArg, CalibrateArgs, DpCommand, EpsilonArgs, Format};

/// Runs `assay dp`.
pub fn run(a: DpArgs) -> Result<ExitCode, String> {
    match a.command {
        DpCommand::Epsilon(e) => run_epsilon(e),
        DpCommand::Calibrate(c) => run_calibrate(c),
        DpCommand::Query(q) => query::run_query(*q),
        DpCommand::Train(t) => train::run(t),
        DpCommand::Audit(t) => audit::run(t),
    }
}

/// The accountant's settings, for the JSON output.
fn accountant_info(a: AccountantArg, discretization: f64) -> AccountantInfo {
    match a.accountant(discretization) {
        Accountant::Rdp => AccountantInfo {
            name: a.name().into(),
            orders: Some("dp_accounting default (1.1..10.9, 11..63, 128, 256, 512, 1024)".into()),
            value_discretization_interval: None,
        },
        Accountant::Pld { discretization } => AccountantInfo {
            name: a.name().into(),
            orders: None,
            value_discretization_interval: Some(discretization),
        },
    }
}

fn run_epsilon(a: EpsilonArgs) -> Result<ExitCode, String> {
    a.submit.require_json(matches!(a.format, Format::Json))?;
    let eps = epsilon(
        a.accountant.accountant(a.pld_discretization),
        a.sampling_rate,
        a.noise_multiplier,
        a.steps,
        a.delta,
    )
    .map_err(|e| e.to_string())?;
    match a.format {
        Format::Text => outln!(
            "epsilon = {} at delta = {} ({} accountant; sampling rate {}, noise multiplier {}, {} steps)",
            crate::output::up_to_sig(eps, 4),
            a.delta,
            a.accountant.name(),
            a.sampling_rate,
            a.noise_multiplier,
            a.steps
        ),
        Format::Json => {
            let doc = DpReport::Epsilon(EpsilonReport {
                schema: DP_SCHEMA.into(),
                mechanism: "poisson_subsampled_gaussian".into(),
                sampling_rate: a.sampling_rate,
                noise_multiplier: a.noise_multiplier,
                steps: a.steps,
                delta: a.delta,
                accountant: accountant_info(a.accountant, a.pld_discretization),
                epsilon: Unbounded(eps),
            });
            outln!("{}", serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?);
            a.submit.upload_report("dp", crate::registry::submit::Verdict::None, &doc)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_calibrate(a: CalibrateArgs) -> Result<ExitCode, String> {
    a.submit.require_json(matches!(a.format, Format::Json))?;
    let c = calibrate::noise_multiplier(
        a.accountant.accountant(a.pld_discretization),
        a.epsilon,
        a.delta,
        a.sampling_rate,
        a.steps,
        a.tolerance,
    )
    .map_err(|e| e.to_string())?;
    match a.format {
        Format::Text => outln!(
            "noise multiplier = {} (epsilon = {} <= {} at delta = {}; {} accountant; sampling rate {}, {} steps)",
            crate::output::up_to_sig(c.noise_multiplier, 4),
            crate::output::up_to_sig(c.epsilon, 4),
            a.epsilon,
            a.delta,
            a.accountant.name(),
            a.sampling_rate,
            a.steps
        ),
        Format::Json => {
            let doc = DpReport::Calibrate(CalibrateReport {
                schema: DP_SCHEMA.into(),
                mechanism: "poisson_subsampled_gaussian".into(),
                target_epsilon: a.epsilon,
                delta: a.delta,
                sampling_rate: a.sampling_rate,
                steps: a.steps,
                tolerance: a.tolerance,
                accountant: accountant_info(a.accountant, a.pld_discretization),
                noise_multiplier: c.noise_multiplier,
                epsilon: Unbounded(c.epsilon),
            });
            outln!("{}", serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?);
            a.submit.upload_report("dp", crate::registry::submit::Verdict::None, &doc)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
