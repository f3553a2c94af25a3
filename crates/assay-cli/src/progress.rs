//! Progress shown on standard error while long work runs: a row counter with its rate for
//! streaming commands. Drawn only when standard error is a terminal (indicatif hides it
//! otherwise), so pipelines and CI logs stay clean.

use indicatif::{ProgressBar, ProgressStyle};

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
