//! Progress shown on standard error while long work runs: a row counter with its rate for
//! streaming commands, and one bar per step the library reports through `assay-progress`
//! (bootstrap replicates, feature permutations, shadow models, sweep and grid points,
//! exponentiated-gradient iterations, lattice nodes, DP-SGD steps). Drawn only when standard
//! error is a terminal (indicatif hides it otherwise), so pipelines, JSON on standard output
//! and CI logs stay clean; a bar appears once its step has run for a second. `ASSAY_PROGRESS`
//! chooses: `auto` (the default), `never`, or `plain`: one line on standard error per
//! finished step, for logs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A step's bar is drawn only once it has run this long.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A spinner counting rows: `⠋ 1,234,567 rows scored (412,345/s)`.
pub fn rows(what: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    let template = format!("{{spinner}} {{human_pos}} rows {what} ({{per_sec}}, {{elapsed}})");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// How steps are shown (`ASSAY_PROGRESS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Bars,
    Plain,
    Never,
}

/// Installs the reporter of the library's steps for this process, as `ASSAY_PROGRESS` says
/// (an unknown value is a usage error).
pub fn install() -> Result<(), String> {
    let mode = match std::env::var("ASSAY_PROGRESS").as_deref() {
        Err(_) | Ok("auto") | Ok("") => Mode::Bars,
        Ok("never") => Mode::Never,
        Ok("plain") => Mode::Plain,
        Ok(other) => {
            return Err(format!(
                "ASSAY_PROGRESS={other}: expected auto, never or plain"
            ))
        }
    };
    if mode == Mode::Bars && !console_is_terminal() {
        return Ok(());
    }
    if mode != Mode::Never {
        // Only the first installation counts; there is one per process.
        let _ = assay_progress::set_reporter(Box::new(Reporter {
            mode,
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
        }));
    }
    Ok(())
}

fn console_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

struct Reporter {
    mode: Mode,
    multi: MultiProgress,
}

impl assay_progress::Reporter for Reporter {
    fn begin(&self, what: &str, total: Option<u64>) -> Box<dyn assay_progress::Task> {
        let bar = match total {
            Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::hidden()),
            None => ProgressBar::hidden(),
        };
        let template = if total.is_some() {
            format!("{{bar:30}} {{pos}}/{{len}} {what} ({{elapsed}}, about {{eta}} left)")
        } else {
            format!("{{spinner}} {{pos}} {what} ({{elapsed}})")
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        Box::new(Task {
            what: what.to_string(),
            mode: self.mode,
            multi: self.multi.clone(),
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
        })
    }
}

struct Task {
    what: String,
    mode: Mode,
    multi: MultiProgress,
    bar: ProgressBar,
    started: Instant,
    shown: AtomicBool,
}

impl assay_progress::Task for Task {
    fn advance(&self, n: u64) {
        self.bar.inc(n);
        if self.mode == Mode::Bars
            && self.started.elapsed() >= SHOW_AFTER
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            let bar = self.multi.add(self.bar.clone());
            bar.enable_steady_tick(Duration::from_millis(200));
        }
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        let took = self.started.elapsed();
        match self.mode {
            Mode::Bars => {
                self.bar.finish_and_clear();
                self.multi.remove(&self.bar);
            }
            Mode::Plain => {
                let done = self.bar.position();
                let of = self
                    .bar
                    .length()
                    .map_or(String::new(), |n| format!(" of {n}"));
                eprintln!(
                    "assay: {}: {done}{of} in {:.1} s",
                    self.what,
                    took.as_secs_f64()
                );
            }
            Mode::Never => {}
        }
    }
}
