//! Signed checkpoints of the audit log: an Ed25519 signature (RFC 8032, PureEd25519) over a log
//! position `(seq, hash)`.
//!
//! A checkpoint exported to a file kept outside the database (or published) commits the log's
//! operator to every entry up to `seq`: anyone holding it can later detect truncation (the log
//! ends before `seq`) and rewrites (any change to entries up to `seq`, even with all hashes
//! recomputed, changes the hash at `seq`). This is the "commitment" of Crosby & Wallach 2009,
//! §3, with a signature in place of their authenticator.
//!
//! The signed message is the 20 ASCII bytes `assay.checkpoint.v1\n`, then `seq` as 8 bytes
//! unsigned big-endian, then the 32 raw bytes of the entry hash.
//!
//! The JSON file (`assay.checkpoint/1`) holds `seq` as a number and `hash`, `signature` and
//! `public_key` as lowercase hex.

use std::path::Path;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::audit::{self, from_hex, to_hex, ChainReport, Hash};
use crate::db::{now_ms, on_pool, Db};
use crate::GovernError;

/// Domain-separation prefix of the signed message.
const DOMAIN: &[u8] = b"assay.checkpoint.v1\n";

/// The `format` tag of an exported checkpoint file.
pub const FORMAT: &str = "assay.checkpoint/1";

/// A signed statement that the log's entry `seq` has hash `hash`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The sequence number of the covered entry (the log's head when the checkpoint was made).
    pub seq: u64,
    /// The hash of entry `seq`, which covers every entry before it.
    pub hash: Hash,
    /// The Ed25519 signature over [`message`]`(seq, hash)`.
    pub signature: [u8; 64],
    /// The Ed25519 public key that made the signature.
    pub public_key: [u8; 32],
}

/// The bytes a checkpoint signs (see the module documentation).
pub fn message(seq: u64, hash: &Hash) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + 8 + 32);
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(hash);
    m
}

/// Parses a signing-key file's text: the 32-byte Ed25519 seed as 64 hex digits (surrounding
/// whitespace ignored), the format `assay serve --checkpoint-key` writes and
/// `assay registry artifact upload --sign-key` reads. `None` when it is anything else.
pub fn parse_signing_key(text: &str) -> Option<SigningKey> {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut seed).ok()?;
    Some(SigningKey::from_bytes(&seed))
}

/// Parses an Ed25519 public key given as 64 hex digits; `None` when it is not one.
pub fn parse_public_key(text: &str) -> Option<VerifyingKey> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut bytes).ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// Generates a fresh Ed25519 signing key from the operating system's random number generator.
pub fn generate_key() -> SigningKey {
    SigningKey::generate(&mut rand_core::OsRng)
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckpointFile {
    format: String,
    seq: u64,
    hash: String,
    signature: String,
    public_key: String,
}

fn bad(msg: impl Into<String>) -> GovernError {
    GovernError::Checkpoint(msg.into())
}

impl Checkpoint {
    /// Signs `(seq, hash)` with `key`.
    pub fn sign(seq: u64, hash: Hash, key: &SigningKey) -> Checkpoint {
        let signature = key.sign(&message(seq, &hash)).to_bytes();
        Checkpoint {
            seq,
            hash,
            signature,
            public_key: key.verifying_key().to_bytes(),
        }
    }

    /// Checks the signature against the checkpoint's own public key and, when given, that this
    /// key is the `trusted` one (a checkpoint verifies only its integrity, not who made it,
    /// unless the verifier pins the key). Uses strict verification (RFC 8032 §5.1.7 with
    /// canonical `S` and no small-order keys).
    pub fn verify_signature(&self, trusted: Option<&VerifyingKey>) -> Result<(), GovernError> {
        let key = VerifyingKey::from_bytes(&self.public_key)
            .map_err(|_| bad("public key is not a valid Ed25519 point"))?;
        if let Some(t) = trusted {
            if t.as_bytes() != key.as_bytes() {
                return Err(bad("signed by a key other than the trusted one"));
            }
        }
        let sig = Signature::from_bytes(&self.signature);
        key.verify_strict(&message(self.seq, &self.hash), &sig)
            .map_err(|_| bad("signature does not verify"))?;
        // `verify` too, so that a future relaxation of either check cannot pass silently.
        key.verify(&message(self.seq, &self.hash), &sig)
            .map_err(|_| bad("signature does not verify"))
    }

    /// The checkpoint as `assay.checkpoint/1` JSON.
    pub fn to_json(&self) -> String {
        let file = CheckpointFile {
            format: FORMAT.to_string(),
            seq: self.seq,
            hash: to_hex(&self.hash),
            signature: hex::encode(self.signature),
            public_key: hex::encode(self.public_key),
        };
        serde_json::to_string_pretty(&file).expect("plain struct serialises")
    }

    /// Parses `assay.checkpoint/1` JSON (unknown fields rejected; the signature is not checked
    /// here, see [`Checkpoint::verify_signature`]).
    pub fn from_json(text: &str) -> Result<Checkpoint, GovernError> {
        let file: CheckpointFile =
            serde_json::from_str(text).map_err(|e| bad(format!("not {FORMAT} JSON: {e}")))?;
        if file.format != FORMAT {
            return Err(bad(format!(
                "format is {:?}, expected {FORMAT:?}",
                file.format
            )));
        }
        if file.seq == 0 {
            return Err(bad("seq must be at least 1"));
        }
        let hash = from_hex(&file.hash).ok_or_else(|| bad("hash is not 64 hex digits"))?;
        let mut signature = [0u8; 64];
        hex::decode_to_slice(&file.signature, &mut signature)
            .map_err(|_| bad("signature is not 128 hex digits"))?;
        let mut public_key = [0u8; 32];
        hex::decode_to_slice(&file.public_key, &mut public_key)
            .map_err(|_| bad("public_key is not 64 hex digits"))?;
        Ok(Checkpoint {
            seq: file.seq,
            hash,
            signature,
            public_key,
        })
    }

    /// Writes the checkpoint's JSON to `path`.
    pub fn write_file(&self, path: &Path) -> Result<(), GovernError> {
        std::fs::write(path, self.to_json() + "\n").map_err(|source| GovernError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// Reads a checkpoint from a JSON file.
    pub fn read_file(path: &Path) -> Result<Checkpoint, GovernError> {
        let text = std::fs::read_to_string(path).map_err(|source| GovernError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text)
    }
}

/// Verifies the whole chain and, if it verifies and is not empty, signs its head with `key`,
/// records the checkpoint in the `checkpoints` table and returns it. A chain that does not
/// verify is never signed: the report is returned as the error value instead.
pub async fn create(
    db: &Db,
    key: &SigningKey,
) -> Result<Result<Checkpoint, ChainReport>, GovernError> {
    let report = audit::verify(db).await?;
    let Some((seq, hash)) = report.head.filter(|_| report.is_ok()) else {
        return Ok(Err(report));
    };
    let cp = Checkpoint::sign(seq, hash, key);
    on_pool!(db, p => sqlx::query(
        "INSERT INTO checkpoints (seq, hash, signature, public_key, created_ms) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING")
        .bind(seq as i64)
        .bind(to_hex(&cp.hash))
        .bind(hex::encode(cp.signature))
        .bind(hex::encode(cp.public_key))
        .bind(now_ms())
        .execute(p)
        .await
        .map(|_| ())?);
    Ok(Ok(cp))
}

/// Verifies the checkpoint's signature (against `trusted` when given), then the chain, requiring
/// the entry at the checkpoint's `seq` to exist with the signed hash. The report names the first
/// entry that does not verify; a rewrite that recomputed every hash up to the checkpoint is
/// reported at the checkpoint's `seq` ([`audit::ProblemKind::CheckpointMismatch`]), a log that
/// ends early at the first missing seq ([`audit::ProblemKind::Truncated`]). A checkpoint whose
/// signature does not verify is an error, not a report.
pub async fn verify_against(
    db: &Db,
    checkpoint: &Checkpoint,
    trusted: Option<&VerifyingKey>,
) -> Result<ChainReport, GovernError> {
    checkpoint.verify_signature(trusted)?;
    audit::verify_anchored(db, Some((checkpoint.seq, checkpoint.hash))).await
}
