//! Rendering of an [`Assessment`] for people and machines.
//!
//! * [`terminal`]: a compact report of tables for a terminal;
//! * [`markdown`]: the same content as GitHub-flavoured Markdown, for a pull
//!   request comment or a compliance file;
//! * [`html`]: one self-contained HTML5 document (inline CSS and SVG charts,
//!   no script, no external resource) written for a risk or compliance
//!   reader who is not a data scientist;
//! * [`json`]: the assessment as pretty-printed JSON (schema
//!   `assay.fairness/1`).
//!
//! Every renderer is a pure function returning a `String`: this crate never
//! prints. All text that comes from the data (group values, column names,
//! paths) is escaped for the output format (see [`escape`]).
//!
//! Figures read the same everywhere: estimates with three decimals followed
//! by their confidence interval with two, as `0.301 [0.27, 0.33]`.

#![warn(missing_docs)]

pub mod escape;
pub mod explain;
mod facts;
mod format;
mod html;
mod markdown;
pub mod mia;
pub mod mitigation;
mod svg;
mod terminal;

pub use assay_fairness::Assessment;

/// The `id` of every section of the HTML report, in order.
pub const HTML_SECTIONS: [&str; 11] = {
    let mut ids = [""; 11];
    let mut i = 0;
    while i < 11 {
        ids[i] = html::SECTIONS[i].0;
        i += 1;
    }
    ids
};

/// Options of the terminal report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TerminalOptions {
    /// Colour and bold text with ANSI escape sequences.
    pub color: bool,
    /// Wrap tables and text to this many columns; `None` leaves lines as
    /// long as their content.
    pub width: Option<u16>,
}

/// The terminal report: a headline with the verdict (policy, four-fifths
/// rule), then tables of the intersectional groups, the key disparities,
/// the worst-off group per metric, the strongest proxy columns, the policy
/// rules and the notes.
pub fn terminal(a: &Assessment, opts: &TerminalOptions) -> String {
    terminal::render(a, opts)
}

/// The Markdown report: the content of [`terminal`] as GitHub-flavoured
/// Markdown tables.
pub fn markdown(a: &Assessment) -> String {
    markdown::render(a)
}

/// The HTML report: one self-contained HTML5 document with the sections
/// listed in [`HTML_SECTIONS`] (a summary in plain words, groups with
/// charts, per-feature results, disparities, worst-off groups, the data
/// scan, the policy, the method and the notes).
pub fn html(a: &Assessment) -> String {
    html::render(a)
}

/// The assessment as pretty-printed JSON.
pub fn json(a: &Assessment) -> String {
    serde_json::to_string_pretty(a).expect("an assessment always serialises to JSON")
}
