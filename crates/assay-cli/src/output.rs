//! Writing an output file (a report, a page, a model, a downloaded artifact): always through
//! [`assay_data::atomic::write_atomic`], so that a crash, a kill or a full disk leaves the old
//! file or the new one, never half of one.

use std::path::Path;

/// Replaces `path` with `bytes` atomically; an error names the file and what failed.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), String> {
    assay_data::atomic::write_atomic(path, bytes.as_ref())
        .map(|_| ())
        .map_err(|e| e.to_string())
}
