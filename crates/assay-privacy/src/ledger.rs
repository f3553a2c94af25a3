//! The privacy budget ledger: a persistent record, per dataset, of what each release spent.
//!
//! **Identity.** A dataset is the identity its user *declares* (`assay dp query --dataset-id
//! NAME`): the budget belongs to the data, not to one encoding of it, so a copy re-encoded (CRLF
//! line ends, another column order, Parquet instead of CSV) shares the budget when it is
//! charged under the same identity. Every release also records the SHA-256 of the file it read
//! (`data_sha256`), and a file that was already charged under one identity cannot be charged
//! under another ([`LedgerError::IdentityConflict`]): a new name does not buy a fresh budget for
//! the same bytes. Each dataset has a total budget (ε, δ), set on its first charge and fixed
//! afterwards. Every release records its (ε, δ), the query, the mechanism and the time.
//!
//! **Composition.** The ledger totals releases by *basic composition*: the spent ε is the sum of
//! the releases' ε and the spent δ the sum of their δ. This is valid for any mechanisms, adaptively
//! chosen, but loose for many Gaussian releases (an RDP or PLD accountant would charge less).
//! A charge is refused, and nothing is recorded, when either total would exceed the budget
//! (with a relative tolerance of 1e-9 for the rounding of decimal ε values, so that ten charges
//! of 0.1 fit a budget of 1).
//!
//! **Integrity** ([`integrity`]). On load every entry is validated (a budget with a finite
//! ε > 0 and δ in [0, 1), releases with finite ε ≥ 0 and δ in [0, 1), well-formed hashes,
//! distinct identities) and each dataset's hash chain is verified: the dataset's header (its
//! identity, name, first file hash and budget) is hashed with SHA-256, and every release stores
//! the hash of the entry before it (`prev`) and the SHA-256 over that and its own content
//! (`hash`). An entry that fails is an error naming the ledger file and the entry
//! ([`LedgerError::Corrupt`], [`LedgerError::Tampered`]), and nothing is charged. The chain
//! detects edits made without recomputing it (a hand edit, a script that changes a number, a
//! bad merge); it is not a signature — whoever can write the file can rebuild the chain, or
//! drop a dataset's latest releases or the whole dataset. Keep the ledger writable only by the
//! releasing process, and keep each dataset's head hash ([`DatasetEntry::head`], reported by
//! `assay dp query`) elsewhere to detect a rebuilt or truncated ledger.
//!
//! **Old ledgers.** An `assay.ledger/1` file (identity = file hash, no chain) is read and
//! migrated, not refused: each dataset's identity becomes the name it was charged under, its
//! releases get that file hash as their `data_sha256`, every value is validated as above, and
//! the chain is computed over the entries as found (there is nothing older to check them
//! against); the next save writes `assay.ledger/2`. [`Ledger::migrated`] says when this
//! happened, so that the caller can say so.
//!
//! **File.** JSON (`assay.ledger/2`), rewritten atomically by `assay_data::atomic` (a
//! temporary `.<ledger>.assay-tmp-<pid>-<n>` in the same directory, synced, renamed over the
//! ledger with the ledger's permissions; temporary files of writers that died are removed).
//! [`Ledger::lock`] takes the exclusive lock file `<ledger>.lock` (`assay_data::lock`) that a
//! writer holds from reading the ledger to saving it, so that two processes cannot both spend
//! the same remaining budget. A lock whose recorded holder is no longer running is taken over;
//! [`LedgerLock::taken_over_from`] says so, for the caller to warn.

mod error;
pub mod integrity;

pub use error::LedgerError;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Schema name of the ledger file.
pub const SCHEMA: &str = "assay.ledger/2";

/// Schema name of the older, unchained ledger file (read and migrated).
pub const LEGACY_SCHEMA: &str = "assay.ledger/1";

/// Relative slack when comparing totals with the budget.
const TOLERANCE: f64 = 1e-9;

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
    /// SHA-256 of the data file the release read (lower-case hex).
    #[serde(default)]
    pub data_sha256: String,
    /// The hash of the entry before this one in the dataset's chain (the dataset's header
    /// hash for its first release).
    #[serde(default)]
    pub prev: String,
    /// SHA-256 over `prev` and this release's content ([`integrity::release_hash`]).
    #[serde(default)]
    pub hash: String,
}

/// A dataset's budget and releases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetEntry {
    /// The declared identity the budget is kept under.
    #[serde(default)]
    pub id: String,
    /// The display name it was first charged under.
    pub name: String,
    /// SHA-256 of the file it was first charged with (lower-case hex).
    pub sha256: String,
    /// The total budget.
    pub budget: Budget,
    /// SHA-256 of the header (identity, name, first file hash, budget): the chain's start
    /// ([`integrity::header_hash`]).
    #[serde(default)]
    pub hash: String,
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

    /// The hash at the end of the dataset's chain (its latest release's, or its header's).
    pub fn head(&self) -> &str {
        self.releases.last().map_or(&self.hash, |r| &r.hash)
    }
}

/// The ledger document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Document {
    schema: String,
    datasets: Vec<DatasetEntry>,
}

/// The longest declared dataset identity, in characters.
pub const MAX_ID_CHARS: usize = 200;

/// A dataset's identity: the declared id, a display name and the SHA-256 of the file at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetId {
    /// The declared identity (what the budget is kept under).
    pub id: String,
    /// Display name.
    pub name: String,
    /// SHA-256 of the data file at hand, lower-case hex.
    pub sha256: String,
}

impl DatasetId {
    /// The identity `id` (1 to [`MAX_ID_CHARS`] characters, no control characters) for the
    /// data file at `path`, displayed as `name` (default: the id).
    pub fn declared(id: &str, path: &Path, name: Option<&str>) -> Result<DatasetId, LedgerError> {
        check_id(id)?;
        Ok(DatasetId {
            id: id.to_string(),
            name: name.unwrap_or(id).to_string(),
            sha256: sha256_file(path)?,
        })
    }
}

/// Checks a declared dataset identity.
fn check_id(id: &str) -> Result<(), LedgerError> {
    let n = id.chars().count();
    if n == 0 || n > MAX_ID_CHARS || id.chars().any(char::is_control) || id.trim() != id {
        return Err(LedgerError::Invalid(format!(
            "a dataset id must have 1 to {MAX_ID_CHARS} characters, no control characters and no surrounding blanks, got {id:?}"
        )));
    }
    Ok(())
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
    Ok(integrity::hex(&h.finalize()))
}

/// A ledger file, loaded in memory.
#[derive(Debug, Clone)]
pub struct Ledger {
    path: PathBuf,
    doc: Document,
    migrated: bool,
}

impl Ledger {
    /// Loads the ledger at `path` (validated and its chains verified, an `assay.ledger/1` file
    /// migrated); a missing file is an empty ledger (created on [`Ledger::save`]).
    pub fn open(path: &Path) -> Result<Ledger, LedgerError> {
        let parse = |message: String| LedgerError::Parse {
            path: path.to_path_buf(),
            message,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Ledger {
                    path: path.to_path_buf(),
                    doc: Document {
                        schema: SCHEMA.to_string(),
                        datasets: Vec::new(),
                    },
                    migrated: false,
                })
            }
            Err(source) => {
                return Err(LedgerError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let mut doc: Document = serde_json::from_str(&text).map_err(|e| parse(e.to_string()))?;
        let migrated = match doc.schema.as_str() {
            SCHEMA => false,
            LEGACY_SCHEMA => {
                integrity::migrate(&mut doc.datasets);
                doc.schema = SCHEMA.to_string();
                true
            }
            other => {
                return Err(parse(format!(
                    "schema is '{other}', expected '{SCHEMA}' (or the older '{LEGACY_SCHEMA}')"
                )))
            }
        };
        integrity::validate(path, &doc.datasets)?;
        if migrated {
            doc.datasets.iter_mut().for_each(integrity::seal);
        }
        integrity::verify(path, &doc.datasets)?;
        Ok(Ledger {
            path: path.to_path_buf(),
            doc,
            migrated,
        })
    }

    /// Whether the file was an `assay.ledger/1` ledger, migrated in memory (written as
    /// `assay.ledger/2` by the next [`Ledger::save`]).
    pub fn migrated(&self) -> bool {
        self.migrated
    }

    /// The datasets.
    pub fn datasets(&self) -> &[DatasetEntry] {
        &self.doc.datasets
    }

    /// The entry of a dataset, if it was ever charged.
    pub fn entry(&self, id: &DatasetId) -> Option<&DatasetEntry> {
        self.doc.datasets.iter().find(|d| d.id == id.id)
    }

    /// Checks that `cost` fits the dataset's budget (`budget` sets it on the first charge and
    /// must equal the recorded one afterwards) without recording anything. The file at hand
    /// must not have been charged under another identity.
    pub fn check(
        &self,
        id: &DatasetId,
        budget: Option<Budget>,
        cost: Budget,
    ) -> Result<(), LedgerError> {
        cost.check("a charge")?;
        if let Some(b) = budget {
            b.check("a budget")?;
            if b.epsilon <= 0.0 {
                return Err(LedgerError::Invalid(format!(
                    "a budget must have epsilon > 0, got {}",
                    b.epsilon
                )));
            }
        }
        check_id(&id.id)?;
        if let Some(other) = self.doc.datasets.iter().find(|d| {
            d.id != id.id
                && (d.sha256 == id.sha256 || d.releases.iter().any(|r| r.data_sha256 == id.sha256))
        }) {
            return Err(LedgerError::IdentityConflict {
                sha256: id.sha256.clone(),
                have: other.id.clone(),
                want: id.id.clone(),
            });
        }
        let (entry_budget, spent, name) = match (self.entry(id), budget) {
            (Some(e), Some(b)) if e.budget != b => {
                return Err(LedgerError::BudgetMismatch {
                    name: e.id.clone(),
                    have_eps: e.budget.epsilon,
                    have_delta: e.budget.delta,
                    want_eps: b.epsilon,
                    want_delta: b.delta,
                })
            }
            (Some(e), _) => (e.budget, e.spent(), e.id.clone()),
            (None, Some(b)) => (
                b,
                Budget {
                    epsilon: 0.0,
                    delta: 0.0,
                },
                id.id.clone(),
            ),
            (None, None) => {
                return Err(LedgerError::NoBudget {
                    name: id.id.clone(),
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

    /// Records a release of cost `cost` (checked as in [`Ledger::check`]) in memory, chained to
    /// the dataset's latest entry; call [`Ledger::save`] to persist it. Returns the dataset's
    /// entry after the charge.
    pub fn charge(
        &mut self,
        id: &DatasetId,
        budget: Option<Budget>,
        cost: Budget,
        query: &str,
        mechanism: &str,
    ) -> Result<&DatasetEntry, LedgerError> {
        self.check(id, budget, cost)?;
        let idx = match self.doc.datasets.iter().position(|d| d.id == id.id) {
            Some(i) => i,
            None => {
                let mut e = DatasetEntry {
                    id: id.id.clone(),
                    name: id.name.clone(),
                    sha256: id.sha256.clone(),
                    budget: budget.expect("checked: a new dataset has a budget"),
                    hash: String::new(),
                    releases: Vec::new(),
                };
                e.hash = integrity::header_hash(&e);
                self.doc.datasets.push(e);
                self.doc.datasets.len() - 1
            }
        };
        let e = &mut self.doc.datasets[idx];
        let mut release = Release {
            time: assay_data::provenance::now_rfc3339(),
            query: query.to_string(),
            mechanism: mechanism.to_string(),
            epsilon: cost.epsilon,
            delta: cost.delta,
            data_sha256: id.sha256.clone(),
            prev: e.head().to_string(),
            hash: String::new(),
        };
        release.hash = integrity::release_hash(&release);
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
