//! Writing an output file (a report, a page, a model, a downloaded artifact): always through
//! [`assay_data::atomic::write_atomic`], so that a crash, a kill or a full disk leaves the old
//! file or the new one, never half of one.

use std::path::Path;

/// The format of a command's report on standard output, the same in every command: `text`, a
/// readable summary (`table` is accepted too, as the name some commands used), or `json`, the
/// typed report (`assay_core::reports`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable summary.
    #[value(alias = "table")]
    Text,
    /// The typed report as JSON.
    Json,
}

/// Replaces `path` with `bytes` atomically; an error names the file and what failed.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), String> {
    assay_data::atomic::write_atomic(path, bytes.as_ref())
        .map(|_| ())
        .map_err(|e| e.to_string())
}
