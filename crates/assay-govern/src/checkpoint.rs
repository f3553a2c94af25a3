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

/// Why a key's text was refused. The messages describe the text's shape only: they never
/// contain the text itself, so that a private key given by mistake (where a public key belongs,
/// or in the wrong format) is not echoed into terminals, logs and CI output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not 64 characters long (after trimming surrounding whitespace).
    #[error("expected 64 hex digits, got {0} characters (the text is not shown)")]
    WrongLength(usize),
    /// 64 characters, but not all hex digits.
    #[error("expected 64 hex digits, found a character that is not one (the text is not shown)")]
    NotHex,
    /// 64 hex digits that are not a point of the Ed25519 curve, so not a public key.
    #[error(
        "64 hex digits, but not an Ed25519 public key (not a curve point); \
         a private key given by mistake? (the text is not shown)"
    )]
    NotAPoint,
    /// The text is a private key (a PEM `PRIVATE KEY` block, a 128-hex-digit seed and public key
    /// pair, or the signing key of the very key expected) where a public key belongs.
    #[error(
        "this is a PRIVATE key, not a public key (it is not shown); pass the 64-hex-digit \
         public key instead, and treat the private key as exposed if it was typed on a \
         command line or in a shared file"
    )]
    PrivateKey,
}

/// Decodes exactly 32 bytes from 64 hex digits (surrounding whitespace ignored).
fn hex32(text: &str) -> Result<[u8; 32], KeyError> {
    let t = text.trim();
    if t.chars().count() != 64 {
        return Err(KeyError::WrongLength(t.chars().count()));
    }
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(t, &mut bytes).map_err(|_| KeyError::NotHex)?;
    Ok(bytes)
}

/// Whether `text` has the shape of a private key in a format people commonly paste: a PEM
/// private-key block, or 128 hex digits holding an Ed25519 seed followed by its own public key
/// (the NaCl/libsodium "secret key" layout).
fn looks_private(text: &str) -> bool {
    let t = text.trim();
    if t.contains("PRIVATE KEY") {
        return true;
    }
    let mut pair = [0u8; 64];
    if t.len() == 128 && hex::decode_to_slice(t, &mut pair).is_ok() {
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&pair[..32]);
        return SigningKey::from_bytes(&seed).verifying_key().as_bytes()[..] == pair[32..];
    }
    false
}

/// Parses a signing-key file's text: the 32-byte Ed25519 seed as 64 hex digits (surrounding
/// whitespace ignored), the format `assay serve --checkpoint-key` writes and
/// `assay registry artifact upload --sign-key` reads. The error never contains the text.
pub fn parse_signing_key(text: &str) -> Result<SigningKey, KeyError> {
    Ok(SigningKey::from_bytes(&hex32(text)?))
}

/// Parses an Ed25519 public key given as 64 hex digits. A text that is recognisably a private
/// key is refused as [`KeyError::PrivateKey`]; no error contains the text.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, KeyError> {
    if looks_private(text) {
        return Err(KeyError::PrivateKey);
    }
    let bytes = hex32(text)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::NotAPoint)
}

/// Parses the public key a checkpoint must be signed with ([`parse_public_key`]), and refuses
/// the signing key of the checkpoint's own public key given in its place (64 hex digits either
/// way, so only the derivation tells them apart): [`KeyError::PrivateKey`].
pub fn parse_trusted_key(text: &str, checkpoint: &Checkpoint) -> Result<VerifyingKey, KeyError> {
    if let Ok(seed) = hex32(text) {
        if SigningKey::from_bytes(&seed).verifying_key().as_bytes() == &checkpoint.public_key {
            return Err(KeyError::PrivateKey);
        }
    }
    parse_public_key(text)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A signing key whose seed is not an Ed25519 point and one whose seed is, both
    /// deterministic.
    fn seeds() -> (SigningKey, SigningKey) {
        let mut not_point = None;
        let mut point = None;
        for i in 1..=255u8 {
            let seed = [i; 32];
            match VerifyingKey::from_bytes(&seed) {
                Ok(_) => point = point.or(Some(SigningKey::from_bytes(&seed))),
                Err(_) => not_point = not_point.or(Some(SigningKey::from_bytes(&seed))),
            }
        }
        (not_point.unwrap(), point.unwrap())
    }

    fn assert_not_echoed(err: &KeyError, secret: &[u8]) {
        let msg = err.to_string();
        let lower = hex::encode(secret);
        assert!(!msg.to_lowercase().contains(&lower[..16]), "{msg}");
    }

    #[test]
    fn private_keys_given_as_public_keys_are_refused_without_echo() {
        let (a, b) = seeds();
        for key in [&a, &b] {
            let seed_hex = hex::encode(key.to_bytes());
            let cp = Checkpoint::sign(3, [7u8; 32], key);
            // The checkpoint's own signing key in place of its public key.
            let err = parse_trusted_key(&seed_hex, &cp).unwrap_err();
            assert_eq!(err, KeyError::PrivateKey);
            assert_not_echoed(&err, &key.to_bytes());
            // Seed followed by public key (NaCl layout), and upper case with whitespace.
            let pair = format!("{seed_hex}{}", hex::encode(key.verifying_key().as_bytes()));
            assert_eq!(parse_public_key(&pair).unwrap_err(), KeyError::PrivateKey);
            let err = parse_public_key(&format!("  {}\n", pair.to_uppercase())).unwrap_err();
            assert_eq!(err, KeyError::PrivateKey);
            // A PEM block.
            let pem = format!("-----BEGIN PRIVATE KEY-----\n{seed_hex}\n-----END PRIVATE KEY-----");
            assert_eq!(parse_public_key(&pem).unwrap_err(), KeyError::PrivateKey);
        }
        // Without a checkpoint to compare with, a seed that is not a curve point is refused
        // and not echoed either.
        let err = parse_public_key(&hex::encode(a.to_bytes())).unwrap_err();
        assert_eq!(err, KeyError::NotAPoint);
        assert_not_echoed(&err, &a.to_bytes());
        // Wrong length and non-hex texts are described, not repeated.
        let err = parse_signing_key(&format!("{}00", hex::encode(a.to_bytes()))).unwrap_err();
        assert_eq!(err, KeyError::WrongLength(66));
        assert_not_echoed(&err, &a.to_bytes());
        let mut bad = hex::encode(b.to_bytes());
        bad.replace_range(0..1, "z");
        let err = parse_signing_key(&bad).unwrap_err();
        assert_eq!(err, KeyError::NotHex);
        assert_not_echoed(&err, &b.to_bytes()[1..]);
    }

    #[test]
    fn public_and_signing_keys_still_parse() {
        let (a, b) = seeds();
        for key in [&a, &b] {
            let public = hex::encode(key.verifying_key().as_bytes());
            let cp = Checkpoint::sign(1, [0u8; 32], key);
            assert_eq!(parse_public_key(&public).unwrap(), key.verifying_key());
            assert_eq!(
                parse_trusted_key(&format!(" {public}\n"), &cp).unwrap(),
                key.verifying_key()
            );
            let seed = hex::encode(key.to_bytes());
            assert_eq!(parse_signing_key(&seed).unwrap().to_bytes(), key.to_bytes());
        }
    }
}
