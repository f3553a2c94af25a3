//! The privacy budget ledger: a persistent record, per dataset, of what each release spent.
//!
//! A dataset is identified by the SHA-256 of its file's bytes (so renaming or copying the file
//! does not reset its budget; changing its contents makes it a different dataset) and carries
//! the name it was first charged under. Each dataset has a total budget (ε, δ), set on its
//! first charge and fixed afterwards. Every release records its (ε, δ), the query, the
//! mechanism and the time.
//!
//! **Composition.** The ledger totals releases by *basic composition*: the spent ε is the sum of
//! the releases' ε and the spent δ the sum of their δ. This is valid for any mechanisms, adaptively
//! chosen, but loose for many Gaussian releases (an RDP or PLD accountant would charge less).
//! A charge is refused, and nothing is recorded, when either total would exceed the budget
//! (with a relative tolerance of 1e-9 for the rounding of decimal ε values, so that ten charges
//! of 0.1 fit a budget of 1).
//!
//! **File.** JSON (`assay.ledger/1`), rewritten atomically by `assay_data::atomic` (a
//! temporary `.<ledger>.assay-tmp-<pid>-<n>` in the same directory, synced, renamed over the
//! ledger with the ledger's permissions; temporary files of writers that died are removed).
//! [`Ledger::lock`] takes the exclusive lock file `<ledger>.lock` (`assay_data::lock`) that a
//! writer holds from reading the ledger to saving it, so that two processes cannot both spend
//! the same remaining budget. A lock whose recorded holder is no longer running is taken over;
//! [`LedgerLock::taken_over_from`] says so, for the caller to warn.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Schema name of the ledger file.
pub const SCHEMA: &str = "assay.ledger/1";

/// Relative slack when comparing totals with the budget.
const TOLERANCE: f64 = 1e-9;

/// An error of the ledger.
#[derive(Debug, Error)]
pub enum LedgerError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The ledger file is not an `assay.ledger/1` document.
    #[error("{path}: not an assay ledger: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Another running process holds the ledger's lock.
    #[error("the ledger is in use: {0}")]
    Locked(String),
    /// A budget or a charge is not a valid (ε, δ).
    #[error("{0}")]
    Invalid(String),
    /// The dataset has no budget yet and none was given.
    #[error("dataset '{name}' ({sha256}) has no budget in the ledger yet: give one (--budget EPSILON[,DELTA])")]
    NoBudget {
        /// Dataset name.
        name: String,
        /// Its SHA-256.
        sha256: String,
    },
    /// A different budget was given for a dataset that already has one.
    #[error("dataset '{name}' already has the budget epsilon = {have_eps}, delta = {have_delta} in the ledger; it cannot be changed to epsilon = {want_eps}, delta = {want_delta}")]
    BudgetMismatch {
        /// Dataset name.
        name: String,
        /// The recorded budget's ε.
        have_eps: f64,
        /// The recorded budget's δ.
        have_delta: f64,
        /// The given ε.
        want_eps: f64,
        /// The given δ.
        want_delta: f64,
    },
    /// The charge would exceed the budget: refused, nothing released.
    #[error("privacy budget exhausted for dataset '{name}': spent epsilon = {spent_eps}, delta = {spent_delta} of epsilon = {budget_eps}, delta = {budget_delta}; this release asks for epsilon = {eps}, delta = {delta}. Nothing was released")]
    Exhausted {
        /// Dataset name.
        name: String,
        /// ε spent so far.
        spent_eps: f64,
        /// δ spent so far.
        spent_delta: f64,
        /// Budget ε.
        budget_eps: f64,
        /// Budget δ.
        budget_delta: f64,
        /// Requested ε.
        eps: f64,
        /// Requested δ.
        delta: f64,
    },
}

/// A privacy budget or cost (ε, δ).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// ε ≥ 0.
    pub epsilon: f64,
    /// δ in [0, 1).
    pub delta: f64,
}

impl Budget {
    fn check(&self, what: &str) -> Result<(), LedgerError> {
        if !(self.epsilon.is_finite()
            && self.epsilon >= 0.0
            && self.delta >= 0.0
            && self.delta < 1.0)
        {
            return Err(LedgerError::Invalid(format!(
                "{what} must have a finite epsilon >= 0 and delta in [0, 1), got epsilon = {}, delta = {}",
                self.epsilon, self.delta
            )));
        }
        Ok(())
    }
}

/// One recorded release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Release {
    /// UTC time, RFC 3339.
    pub time: String,
    /// The query, as the user asked it.
    pub query: String,
    /// The mechanism.
    pub mechanism: String,
    /// ε spent.
    pub epsilon: f64,
    /// δ spent.
    pub delta: f64,
}

/// A dataset's budget and releases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetEntry {
    /// The name it was first charged under.
    pub name: String,
    /// SHA-256 of the file's bytes (lower-case hex): the identity.
    pub sha256: String,
    /// The total budget.
    pub budget: Budget,
    /// The releases, oldest first.
    pub releases: Vec<Release>,
}

impl DatasetEntry {
    /// Spent (ε, δ) by basic composition.
    pub fn spent(&self) -> Budget {
        Budget {
            epsilon: self.releases.iter().map(|r| r.epsilon).sum(),
            delta: self.releases.iter().map(|r| r.delta).sum(),
        }
    }

    /// What is left of the budget (never negative).
    pub fn remaining(&self) -> Budget {
        let s = self.spent();
        Budget {
            epsilon: (self.budget.epsilon - s.epsilon).max(0.0),
            delta: (self.budget.delta - s.delta).max(0.0),
        }
    }
}

/// The ledger document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Document {
    schema: String,
    datasets: Vec<DatasetEntry>,
}

/// A dataset's identity: a display name and the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetId {
    /// Display name.
    pub name: String,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

impl DatasetId {
    /// The identity of the file at `path`, named `name` (default: the file name).
    pub fn of_file(path: &Path, name: Option<&str>) -> Result<DatasetId, LedgerError> {
        let name = name.map(str::to_string).unwrap_or_else(|| {
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string())
        });
        Ok(DatasetId {
            name,
            sha256: sha256_file(path)?,
        })
    }
}

/// SHA-256 of a file's bytes, lower-case hex.
pub fn sha256_file(path: &Path) -> Result<String, LedgerError> {
    let io = |source| LedgerError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = File::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// A ledger file, loaded in memory.
#[derive(Debug, Clone)]
pub struct Ledger {
    path: PathBuf,
    doc: Document,
}

impl Ledger {
    /// Loads the ledger at `path`; a missing file is an empty ledger (created on [`Ledger::save`]).
    pub fn open(path: &Path) -> Result<Ledger, LedgerError> {
        let doc = match std::fs::read_to_string(path) {
            Ok(text) => {
                let doc: Document =
                    serde_json::from_str(&text).map_err(|e| LedgerError::Parse {
                        path: path.to_path_buf(),
                        message: e.to_string(),
                    })?;
                if doc.schema != SCHEMA {
                    return Err(LedgerError::Parse {
                        path: path.to_path_buf(),
                        message: format!("schema is '{}', expected '{SCHEMA}'", doc.schema),
                    });
                }
                doc
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Document {
                schema: SCHEMA.to_string(),
                datasets: Vec::new(),
            },
            Err(source) => {
                return Err(LedgerError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        Ok(Ledger {
            path: path.to_path_buf(),
            doc,
        })
    }

    /// The datasets.
    pub fn datasets(&self) -> &[DatasetEntry] {
        &self.doc.datasets
    }

    /// The entry of a dataset, if it was ever charged.
    pub fn entry(&self, id: &DatasetId) -> Option<&DatasetEntry> {
        self.doc.datasets.iter().find(|d| d.sha256 == id.sha256)
    }

    /// Checks that `cost` fits the dataset's budget (`budget` sets it on the first charge and
    /// must equal the recorded one afterwards) without recording anything.
    pub fn check(
        &self,
        id: &DatasetId,
        budget: Option<Budget>,
        cost: Budget,
    ) -> Result<(), LedgerError> {
        cost.check("a charge")?;
        if let Some(b) = budget {
            b.check("a budget")?;
        }
        let (entry_budget, spent, name) = match (self.entry(id), budget) {
            (Some(e), Some(b)) if e.budget != b => {
                return Err(LedgerError::BudgetMismatch {
                    name: e.name.clone(),
                    have_eps: e.budget.epsilon,
                    have_delta: e.budget.delta,
                    want_eps: b.epsilon,
                    want_delta: b.delta,
                })
            }
            (Some(e), _) => (e.budget, e.spent(), e.name.clone()),
            (None, Some(b)) => (
                b,
                Budget {
                    epsilon: 0.0,
                    delta: 0.0,
                },
                id.name.clone(),
            ),
            (None, None) => {
                return Err(LedgerError::NoBudget {
                    name: id.name.clone(),
                    sha256: id.sha256.clone(),
                })
            }
        };
        let over = |spent: f64, c: f64, b: f64| spent + c > b * (1.0 + TOLERANCE);
        if over(spent.epsilon, cost.epsilon, entry_budget.epsilon)
            || over(spent.delta, cost.delta, entry_budget.delta)
        {
            return Err(LedgerError::Exhausted {
                name,
                spent_eps: spent.epsilon,
                spent_delta: spent.delta,
                budget_eps: entry_budget.epsilon,
                budget_delta: entry_budget.delta,
                eps: cost.epsilon,
                delta: cost.delta,
            });
        }
        Ok(())
    }

    /// Records a release of cost `cost` (checked as in [`Ledger::check`]) in memory; call
    /// [`Ledger::save`] to persist it. Returns the dataset's entry after the charge.
    pub fn charge(
        &mut self,
        id: &DatasetId,
        budget: Option<Budget>,
        cost: Budget,
        query: &str,
        mechanism: &str,
    ) -> Result<&DatasetEntry, LedgerError> {
        self.check(id, budget, cost)?;
        let release = Release {
            time: rfc3339_now(),
            query: query.to_string(),
            mechanism: mechanism.to_string(),
            epsilon: cost.epsilon,
            delta: cost.delta,
        };
        let idx = match self.doc.datasets.iter().position(|d| d.sha256 == id.sha256) {
            Some(i) => i,
            None => {
                self.doc.datasets.push(DatasetEntry {
                    name: id.name.clone(),
                    sha256: id.sha256.clone(),
                    budget: budget.expect("checked: a new dataset has a budget"),
                    releases: Vec::new(),
                });
                self.doc.datasets.len() - 1
            }
        };
        let e = &mut self.doc.datasets[idx];
        e.releases.push(release);
        Ok(e)
    }

    /// Writes the ledger atomically (`assay_data::atomic`: temporary file in the same
    /// directory, synced, renamed over the ledger, its permissions kept).
    pub fn save(&self) -> Result<(), LedgerError> {
        let mut text = serde_json::to_string_pretty(&self.doc).map_err(|e| LedgerError::Parse {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        text.push('\n');
        assay_data::atomic::write_atomic(&self.path, text.as_bytes()).map_err(file_error)?;
        Ok(())
    }
}

/// An exclusive lock on a ledger file, released (the lock file removed) on drop.
#[derive(Debug)]
pub struct LedgerLock {
    lock: assay_data::lock::LockFile,
}

impl LedgerLock {
    /// The process that held this ledger's lock and died without releasing it, if the lock was
    /// taken over from one (the caller should warn: that process may have been interrupted
    /// between its budget check and its charge).
    pub fn taken_over_from(&self) -> Option<u32> {
        self.lock.taken_over_from()
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        self.lock.path()
    }
}

impl Ledger {
    /// Takes the lock of the ledger at `path` (the file `<path>.lock`), waiting up to `wait`
    /// for another running holder; a lock left by a holder that is no longer running is taken
    /// over.
    pub fn lock(path: &Path, wait: std::time::Duration) -> Result<LedgerLock, LedgerError> {
        let mut name = path.as_os_str().to_owned();
        name.push(".lock");
        let lock = PathBuf::from(name);
        match assay_data::lock::LockFile::acquire(&lock, wait) {
            Ok(lock) => Ok(LedgerLock { lock }),
            Err(assay_data::lock::LockError::File(e)) => Err(file_error(e)),
            Err(e) => Err(LedgerError::Locked(e.to_string())),
        }
    }
}

/// A file error of `assay_data` as a ledger error (what was being done kept in the message).
fn file_error(e: assay_data::atomic::FileError) -> LedgerError {
    LedgerError::Io {
        source: std::io::Error::new(
            e.source.kind(),
            format!("cannot {}: {}", e.action, e.source),
        ),
        path: e.path,
    }
}

/// The current UTC time as RFC 3339 (seconds).
fn rfc3339_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    rfc3339(secs)
}

/// Unix seconds as RFC 3339 UTC (Hinnant's civil-from-days).
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
