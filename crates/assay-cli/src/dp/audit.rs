//! `assay dp audit`: a one-run empirical privacy audit of `assay dp train`'s DP-SGD
//! (`assay_privacy::audit`, Steinke, Nasr and Jagielski 2023).
//!
//! The training flags are those of `assay dp train`. m canaries (rows with their own feature
//! column, label 1) are each added with probability ½, the model is trained once, the
//! `--guesses` lowest-loss canaries are guessed "in" and as many highest-loss ones "out", and
//! the number of correct guesses becomes a lower bound on ε at confidence 1 − β. A bound above
//! the claimed ε (the accountants' ε of the run, or --claimed-epsilon) means the training does
//! not give the privacy it claims: exit status 1.
//!
//! `--no-noise` trains *without* noise while still claiming the accountant's ε for the
//! calibrated σ: a deliberately broken DP-SGD, to see the audit catch it.
//!
//! The canaries widen every row by m columns, so at most `--max-rows` real rows (the first
//! ones) are used.

use assay_data::bounds::parse_finite;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;

use assay_privacy::audit::{audit_dpsgd, AuditConfig};
use assay_privacy::dpsgd::Config;

use super::args::Format;
use assay_core::reports::dp::{AuditReport, DpReport, DP_SCHEMA};
use assay_core::reports::Unbounded;

use super::train::{message, TrainArgs};
use assay_core::dp_train;

use crate::counts;

/// Flags of `assay dp audit`.
#[derive(Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub train: TrainArgs,
    /// Number of canaries m (each included with probability ½).
    #[arg(long, value_parser = counts::at_most(counts::ROWS), default_value_t = 1000, help_heading = "Audit")]
    pub canaries: usize,
    /// Guesses on each side (the k lowest-loss canaries guessed in, the k highest out)
    /// [default: m / 10].
    #[arg(long, value_parser = counts::at_most(counts::ROWS), help_heading = "Audit")]
    pub guesses: Option<usize>,
    /// The value of each canary's own feature.
    #[arg(long, value_parser = parse_finite, default_value_t = 3.0, help_heading = "Audit")]
    pub canary_value: f64,
    /// 1 − confidence of the lower bound.
    #[arg(long, value_parser = parse_finite, default_value_t = 0.05, help_heading = "Audit")]
    pub beta: f64,
    /// The ε claimed for the run [default: the smaller of the RDP and PLD accountants' ε].
    #[arg(long, value_parser = parse_finite, help_heading = "Audit")]
    pub claimed_epsilon: Option<f64>,
    /// Train without noise (a deliberately broken DP-SGD) while claiming the ε of the
    /// calibrated or given noise multiplier.
    #[arg(long, help_heading = "Audit")]
    pub no_noise: bool,
    /// Real rows used at most (the first ones).
    #[arg(long, value_parser = counts::at_most(counts::ROWS), default_value_t = 5000, help_heading = "Audit")]
    pub max_rows: usize,
    /// Seed of the canaries' inclusion.
    #[arg(long, default_value_t = 1, help_heading = "Audit")]
    pub audit_seed: u64,
}

/// Runs `assay dp audit`.
pub fn run(a: AuditArgs) -> Result<ExitCode, String> {
    let start = Instant::now();
    let t = &a.train;
    t.submit.require_json(matches!(t.format, Format::Json))?;
    if t.test.is_some() || t.out.is_some() {
        return Err("assay dp audit takes no --test or --out".into());
    }
    let (mut train, _) = t.designs()?;
    // The first rows only.
    let n = train.n.min(a.max_rows.max(1));
    train.x.truncate(n * train.d);
    train.y.truncate(n);
    train.n = n;
    let plan = dp_train::plan(&t.options(), n).map_err(message)?;
    let (pr, q, steps) = (&plan.privacy, plan.sampling_rate, plan.steps);
    let claimed = a.claimed_epsilon.unwrap_or_else(|| pr.epsilon());
    let cfg = Config {
        noise_multiplier: if a.no_noise { 0.0 } else { pr.noise_multiplier },
        ..plan.config.clone()
    };
    let k = a.guesses.unwrap_or(a.canaries / 10);
    let audit = AuditConfig {
        canaries: a.canaries,
        guesses_in: k,
        guesses_out: k,
        canary_value: a.canary_value,
        delta: t.delta,
        beta: a.beta,
        seed: a.audit_seed,
    };
    let o = audit_dpsgd(&train.x, &train.y, train.d, &cfg, &audit).map_err(|e| e.to_string())?;
    let violated = o.epsilon_lower_bound > claimed;
    let seconds = start.elapsed().as_secs_f64();
    match t.format {
        Format::Text => {
            outln!(
                "audit of DP-SGD on {n} rows of {} with {} canaries ({} included): {} of {} guesses correct",
                t.data.display(),
                o.canaries,
                o.included,
                o.correct,
                o.guesses
            );
            outln!(
                "  epsilon lower bound {:.4} at confidence {} (delta {}); claimed epsilon {:.4}{}",
                o.epsilon_lower_bound,
                1.0 - a.beta,
                t.delta,
                claimed,
                if a.no_noise {
                    " (trained WITHOUT noise)"
                } else {
                    ""
                }
            );
            outln!(
                "  {}; {seconds:.2} s",
                if violated {
                    "VIOLATION: the training is not as private as claimed"
                } else {
                    "consistent with the claim (an audit can refute a claim, never prove it)"
                }
            );
        }
        Format::Json => {
            let provenance = crate::provenance::of(None, &[t.data.as_path()])?;
            let doc = DpReport::Audit(AuditReport {
                schema: DP_SCHEMA.into(),
                provenance,
                method: "one-run audit, Steinke, Nasr and Jagielski 2023".into(),
                rows: n,
                sampling_rate: q,
                steps,
                noise_multiplier: cfg.noise_multiplier,
                noise: !a.no_noise,
                delta: t.delta,
                beta: a.beta,
                claimed_epsilon: Unbounded(claimed),
                canaries: o.canaries,
                included: o.included,
                guesses: o.guesses,
                correct: o.correct,
                epsilon_lower_bound: o.epsilon_lower_bound,
                violated,
                seconds,
            });
            outln!(
                "{}",
                serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
            );
            let verdict = crate::registry::submit::Verdict::of(Some(!violated));
            t.submit.upload_report("dp", verdict, &doc)?;
        }
    }
    Ok(if violated {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
