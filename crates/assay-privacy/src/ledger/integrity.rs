//! Integrity of a loaded ledger: every entry's values validated, each dataset's SHA-256 hash
//! chain computed and verified, and `assay.ledger/1` entries migrated.
//!
//! **Chain.** A dataset's header hash is SHA-256 of `assay.ledger/2 dataset\n` followed by the
//! JSON of its identity, name, first file hash and budget (in that order). A release's hash is
//! SHA-256 of `assay.ledger/2 release\n`, its `prev` (the header hash for the first release,
//! else the previous release's hash), a newline and the JSON of its time, query, mechanism, ε,
//! δ and data file hash (in that order). Numbers are written by `serde_json` (shortest
//! round-trip form), so a value read back hashes as it was written.

use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Budget, DatasetEntry, LedgerError, Release};

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex(&h.finalize())
}

#[derive(Serialize)]
struct Header<'a> {
    id: &'a str,
    name: &'a str,
    sha256: &'a str,
    budget: &'a Budget,
}

#[derive(Serialize)]
struct Content<'a> {
    time: &'a str,
    query: &'a str,
    mechanism: &'a str,
    epsilon: f64,
    delta: f64,
    data_sha256: &'a str,
}

/// The header hash of a dataset (its chain's start).
pub fn header_hash(d: &DatasetEntry) -> String {
    let json = serde_json::to_string(&Header {
        id: &d.id,
        name: &d.name,
        sha256: &d.sha256,
        budget: &d.budget,
    })
    .expect("a header serialises");
    sha256_hex(&[b"assay.ledger/2 dataset\n", json.as_bytes()])
}

/// The hash of a release over its `prev` and its content.
pub fn release_hash(r: &Release) -> String {
    let json = serde_json::to_string(&Content {
        time: &r.time,
        query: &r.query,
        mechanism: &r.mechanism,
        epsilon: r.epsilon,
        delta: r.delta,
        data_sha256: &r.data_sha256,
    })
    .expect("a release serialises");
    sha256_hex(&[
        b"assay.ledger/2 release\n",
        r.prev.as_bytes(),
        b"\n",
        json.as_bytes(),
    ])
}

/// `assay.ledger/1` entries in the current form: the identity is the name the dataset was
/// charged under, and each release read the dataset's file.
pub(super) fn migrate(datasets: &mut [DatasetEntry]) {
    for d in datasets {
        if d.id.is_empty() {
            d.id = d.name.clone();
        }
        for r in &mut d.releases {
            if r.data_sha256.is_empty() {
                r.data_sha256 = d.sha256.clone();
            }
        }
    }
}

/// Computes a dataset's chain over its entries as they are.
pub(super) fn seal(d: &mut DatasetEntry) {
    d.hash = header_hash(d);
    let mut prev = d.hash.clone();
    for r in &mut d.releases {
        r.prev = prev;
        r.hash = release_hash(r);
        prev = r.hash.clone();
    }
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn dataset_label(i: usize, d: &DatasetEntry) -> String {
    format!("dataset {} ('{}')", i + 1, d.id)
}

fn release_label(d: &DatasetEntry, j: usize) -> String {
    let r = &d.releases[j];
    format!(
        "dataset '{}', release {} of {} ({}, {})",
        d.id,
        j + 1,
        d.releases.len(),
        r.time,
        r.query
    )
}

/// Checks every value: identities present and distinct, hashes well formed, a budget with a
/// finite ε > 0 and δ in [0, 1), releases with finite ε ≥ 0 and δ in [0, 1).
pub(super) fn validate(path: &Path, datasets: &[DatasetEntry]) -> Result<(), LedgerError> {
    let corrupt = |entry: String, message: String| LedgerError::Corrupt {
        path: path.to_path_buf(),
        entry,
        message,
    };
    let mut seen = std::collections::HashSet::new();
    for (i, d) in datasets.iter().enumerate() {
        let label = dataset_label(i, d);
        if d.id.trim().is_empty() {
            return Err(corrupt(label, "the dataset id is empty".into()));
        }
        if !seen.insert(d.id.as_str()) {
            return Err(corrupt(
                label,
                "a second entry with the same dataset id".into(),
            ));
        }
        if !is_sha256(&d.sha256) {
            return Err(corrupt(
                label,
                format!("sha256 = {:?} is not 64 lower-case hex digits", d.sha256),
            ));
        }
        let b = d.budget;
        if !(b.epsilon.is_finite() && b.epsilon > 0.0) {
            return Err(corrupt(
                label,
                format!("budget epsilon = {} is not a finite number > 0", b.epsilon),
            ));
        }
        if !(b.delta >= 0.0 && b.delta < 1.0) {
            return Err(corrupt(
                label,
                format!("budget delta = {} is not in [0, 1)", b.delta),
            ));
        }
        for (j, r) in d.releases.iter().enumerate() {
            let label = release_label(d, j);
            if !(r.epsilon.is_finite() && r.epsilon >= 0.0) {
                return Err(corrupt(
                    label,
                    format!("epsilon = {} is not a finite number >= 0", r.epsilon),
                ));
            }
            if !(r.delta >= 0.0 && r.delta < 1.0) {
                return Err(corrupt(
                    label,
                    format!("delta = {} is not in [0, 1)", r.delta),
                ));
            }
            if !is_sha256(&r.data_sha256) {
                return Err(corrupt(
                    label,
                    format!(
                        "data_sha256 = {:?} is not 64 lower-case hex digits",
                        r.data_sha256
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Verifies every dataset's chain: the header hash, and each release's `prev` and `hash`.
pub(super) fn verify(path: &Path, datasets: &[DatasetEntry]) -> Result<(), LedgerError> {
    let tampered = |entry: String, message: &str| LedgerError::Tampered {
        path: path.to_path_buf(),
        entry,
        message: message.to_string(),
    };
    for (i, d) in datasets.iter().enumerate() {
        if d.hash != header_hash(d) {
            return Err(tampered(
                dataset_label(i, d),
                "its identity, name, file hash or budget does not match its recorded hash",
            ));
        }
        let mut prev = d.hash.as_str();
        for (j, r) in d.releases.iter().enumerate() {
            if r.prev != prev {
                return Err(tampered(
                    release_label(d, j),
                    "it does not follow the entry before it (an entry was removed, inserted or reordered)",
                ));
            }
            if r.hash != release_hash(r) {
                return Err(tampered(
                    release_label(d, j),
                    "its content does not match its recorded hash",
                ));
            }
            prev = &r.hash;
        }
    }
    Ok(())
}
