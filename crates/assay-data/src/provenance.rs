//! What a report is about (issue #15, finding 14): the SHA-256 of the model file and of every
//! data file it was computed from, the assay version and the UTC time it was made. Every JSON
//! report of assay carries one [`Provenance`] under the key `provenance`, so that a report
//! attached as audit evidence can be bound to the model version it is about and judged by its
//! own age.
//!
//! The time is RFC 3339 in UTC to the second. When the environment variable
//! `SOURCE_DATE_EPOCH` is set (the reproducible-builds convention: Unix seconds), that time is
//! used instead of the clock, so that the same inputs give byte-identical reports.
//!
//! Digesting reads each file once more, as bytes (not as rows), at disk speed.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use chrono::SecondsFormat;

use crate::DataError;

/// The environment variable that fixes a report's time (Unix seconds).
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// Where a report comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Provenance {
    /// The assay version that made the report.
    pub assay_version: String,
    /// When the report was made: RFC 3339, UTC, seconds (`SOURCE_DATE_EPOCH` when set).
    pub created_at: String,
    /// The model file the report is about; `None` for reports about no model (for example a
    /// fairness assessment of predictions already in the data).
    pub model: Option<FileDigest>,
    /// The data files read, in the order given.
    pub data: Vec<FileDigest>,
    /// The command line that made the report, as a shell would read it back (front ends set
    /// it; `None` for a report made through the library).
    #[serde(default)]
    pub command: Option<String>,
}

/// A file and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FileDigest {
    /// The path as given on the command line.
    pub path: String,
    /// SHA-256 of the file's bytes, 64 lowercase hex digits.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// The file's format, where it is a model (`xgboost`, `logistic`, `onnx`, ...).
    #[serde(default)]
    pub format: Option<String>,
}

impl Provenance {
    /// The provenance of a report made now (or at `SOURCE_DATE_EPOCH`) from `model` and `data`;
    /// an error names a file that cannot be read or a malformed `SOURCE_DATE_EPOCH`.
    pub fn new(model: Option<&Path>, data: &[&Path]) -> Result<Provenance, DataError> {
        Ok(Provenance {
            assay_version: env!("CARGO_PKG_VERSION").to_string(),
            created_at: report_time()?,
            model: model.map(FileDigest::of).transpose()?,
            data: data
                .iter()
                .map(|p| FileDigest::of(p))
                .collect::<Result<_, _>>()?,
            command: None,
        })
    }
}

impl FileDigest {
    /// Reads `path` and digests it.
    pub fn of(path: &Path) -> Result<FileDigest, DataError> {
        let io = |source| DataError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = std::fs::File::open(path).map_err(io)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut bytes = 0u64;
        loop {
            let n = file.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            bytes += n as u64;
        }
        let sha256 = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(FileDigest {
            path: path.display().to_string(),
            sha256,
            bytes,
            format: None,
        })
    }
}

/// `arg` as a POSIX shell reads it back: as it is when it holds only characters a shell leaves
/// alone, else single-quoted (a `'` inside written `'\''`). Used for the command lines that
/// reports record and suggest. (Hand-written: a few lines, no crate needed.)
pub fn shell_quote(arg: &str) -> String {
    let safe = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if safe {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// The time of a report: `SOURCE_DATE_EPOCH` when set (a non-negative integer of seconds,
/// else an error naming it), the clock otherwise; RFC 3339 UTC.
pub fn report_time() -> Result<String, DataError> {
    match std::env::var(SOURCE_DATE_EPOCH) {
        Ok(v) if !v.is_empty() => {
            let secs: i64 = v
                .trim()
                .parse()
                .ok()
                .filter(|s| (0..=253_402_300_799).contains(s))
                .ok_or_else(|| {
                    DataError::Config(format!(
                        "{SOURCE_DATE_EPOCH}={v:?}: expected Unix seconds, an integer from 0 to \
                         253402300799 (9999-12-31T23:59:59Z)"
                    ))
                })?;
            Ok(rfc3339(secs))
        }
        _ => Ok(now_rfc3339()),
    }
}

/// The clock's time as RFC 3339 UTC to the second, `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Unix seconds as RFC 3339 UTC, `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339 section 5.6, with `Z`).
/// Seconds outside chrono's range (beyond year ±262,143) give the epoch; callers pass times
/// already checked to lie in years 0000-9999.
pub fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("--positive"), "--positive");
        assert_eq!(shell_quote(">50K"), "'>50K'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
    }

    use super::*;

    #[test]
    fn rfc3339_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(253_402_300_799), "9999-12-31T23:59:59Z");
        let now = now_rfc3339();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T', "{now}");
    }

    #[test]
    fn digests_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc.csv");
        std::fs::write(&p, b"abc").unwrap();
        let d = FileDigest::of(&p).unwrap();
        assert_eq!(
            d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(d.bytes, 3);
        let e = FileDigest::of(&dir.path().join("missing.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.csv"), "{e}");
    }
}
