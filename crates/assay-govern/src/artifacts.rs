//! Artifacts of a model version: files (the serialised model, a model card, ...) stored in the
//! database itself, so that one durable store holds everything the audit trail refers to.
//!
//! Every artifact is identified by the SHA-256 (FIPS 180-4) of its bytes. An upload may be
//! signed with Ed25519 (RFC 8032); the signature is verified before anything is written.
//!
//! # What is signed
//!
//! The signed message is the **32 raw bytes of the SHA-256 digest of the artifact's content**
//! (not the hex text, not the file itself, no prefix). The signature is the 64-byte Ed25519
//! signature and the public key the 32-byte Ed25519 public key, both given as lowercase or
//! uppercase hex (128 and 64 digits). Verification uses `verify_strict` (rejects small-order
//! keys and non-canonical signatures). For example, with PyNaCl:
//! `SigningKey(seed).sign(hashlib.sha256(data).digest()).signature.hex()`.
//!
//! # Names
//!
//! An artifact name is a single file name: 1–128 bytes from `[A-Za-z0-9._+-]`, not starting
//! with `.`. Path separators (`/`, `\`), `..`, NUL and other control characters are refused,
//! so a name can never escape a directory when an artifact is saved under its name.
//!
//! Every write commits together with its audit entry (see `db::write_tx!`).

use ed25519_dalek::{Signature, VerifyingKey};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{append_in, NewEntry};
use crate::db::{now_ms, on_pool, write_tx, Db};
use crate::GovernError;

/// Longest artifact name, bytes.
pub const MAX_NAME_LEN: usize = 128;

/// An Ed25519 signature over an artifact's SHA-256 digest, as supplied with an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ArtifactSignature {
    /// The 64-byte signature as 128 hex digits.
    pub signature: String,
    /// The signer's 32-byte Ed25519 public key as 64 hex digits.
    pub public_key: String,
}

/// An artifact's metadata as stored and returned by the API (the content is downloaded
/// separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Artifact {
    /// The model's name.
    pub model: String,
    /// The version label.
    pub version: String,
    /// File name, unique per version.
    pub name: String,
    /// SHA-256 of the content, 64 lowercase hex digits.
    pub sha256: String,
    /// Content length, bytes.
    pub size: i64,
    /// Whether the upload carried a signature (always verified when present).
    pub signed: bool,
    /// The Ed25519 signature over the SHA-256 digest bytes, lowercase hex, if signed.
    pub signature: Option<String>,
    /// The signer's public key, lowercase hex, if signed.
    pub public_key: Option<String>,
    /// Whether `sha256` equals the version's registered `artifact_sha256` (i.e. this is the
    /// model artifact the version was registered with).
    pub matches_version: bool,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// Upload time (ms since the Unix epoch).
    pub created_ms: i64,
}

/// Checks an artifact name: a single file name of 1–[`MAX_NAME_LEN`] bytes from
/// `[A-Za-z0-9._+-]`, not starting with `.` (so never `.`, `..` or a hidden file).
pub fn check_artifact_name(name: &str) -> Result<(), GovernError> {
    let bad = |why: &str| {
        Err(GovernError::Invalid(format!(
            "artifact name {name:?}: {why} (expected a file name of 1-{MAX_NAME_LEN} characters \
             from A-Z a-z 0-9 . _ + -, not starting with '.')"
        )))
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > MAX_NAME_LEN {
        return bad("too long");
    }
    if name.contains('/') || name.contains('\\') {
        return bad("contains a path separator");
    }
    if name.bytes().any(|b| b.is_ascii_control()) {
        return bad("contains a control character");
    }
    if name.starts_with('.') {
        return bad("starts with '.'");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'))
    {
        return bad("contains a character outside the allowed set");
    }
    Ok(())
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Verifies `sig` over the 32 raw bytes of `digest` (see the module documentation); returns
/// the signature and key normalised to lowercase hex.
pub fn verify_signature(
    digest: &[u8; 32],
    sig: &ArtifactSignature,
) -> Result<(String, String), GovernError> {
    let mut sig_bytes = [0u8; 64];
    hex::decode_to_slice(sig.signature.trim(), &mut sig_bytes).map_err(|_| {
        GovernError::Invalid(
            "signature: expected 128 hex digits (a 64-byte Ed25519 signature)".into(),
        )
    })?;
    let mut key_bytes = [0u8; 32];
    hex::decode_to_slice(sig.public_key.trim(), &mut key_bytes).map_err(|_| {
        GovernError::Invalid(
            "public key: expected 64 hex digits (a 32-byte Ed25519 public key)".into(),
        )
    })?;
    let key = VerifyingKey::from_bytes(&key_bytes)
        .map_err(|_| GovernError::Invalid("public key: not a valid Ed25519 point".into()))?;
    let signature = Signature::from_bytes(&sig_bytes);
    key.verify_strict(digest, &signature).map_err(|_| {
        GovernError::Invalid(
            "signature does not verify: expected an Ed25519 signature by the given public key \
             over the 32-byte SHA-256 digest of the artifact"
                .into(),
        )
    })?;
    Ok((hex::encode(sig_bytes), hex::encode(key_bytes)))
}

type ArtifactRow = (
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    String,
    i64,
    String,
);

const SELECT_ARTIFACT: &str = "SELECT m.name, v.version, a.name, a.sha256, a.size, a.signature, \
     a.public_key, a.uploaded_by, a.created_ms, v.artifact_sha256 FROM artifacts a \
     JOIN model_versions v ON v.id = a.version_id JOIN models m ON m.id = v.model_id";

fn row_to_artifact(r: ArtifactRow) -> Artifact {
    let (model, version, name, sha256, size, signature, public_key, uploaded_by, created_ms, vsha) =
        r;
    Artifact {
        model,
        version,
        matches_version: sha256 == vsha,
        name,
        sha256,
        size,
        signed: signature.is_some(),
        signature,
        public_key,
        uploaded_by,
        created_ms,
    }
}

/// Stores `bytes` as artifact `name` of `model`'s `version`.
///
/// With `signature`, the Ed25519 signature must verify over the SHA-256 digest of `bytes` (see
/// the module documentation), or nothing is written ([`GovernError::Invalid`]). A name already
/// used for this version is a [`GovernError::Conflict`]; artifacts are never replaced.
pub async fn upload(
    db: &Db,
    actor: &str,
    model: &str,
    version: &str,
    name: &str,
    bytes: &[u8],
    signature: Option<&ArtifactSignature>,
) -> Result<Artifact, GovernError> {
    check_artifact_name(name)?;
    if bytes.is_empty() {
        return Err(GovernError::Invalid("artifact is empty".into()));
    }
    let digest: [u8; 32] = Sha256::digest(bytes).into();
    let sha256 = hex::encode(digest);
    let sig = signature
        .map(|s| verify_signature(&digest, s))
        .transpose()?;
    let now = now_ms();
    write_tx!(db, tx => {
        let v: Option<(i64, String)> = sqlx::query_as(
            "SELECT v.id, v.artifact_sha256 FROM model_versions v JOIN models m \
             ON m.id = v.model_id WHERE m.name = $1 AND v.version = $2",
        )
        .bind(model)
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((version_id, version_sha)) = v else {
            return Err(GovernError::NotFound(format!("version {version:?} of model {model:?}")));
        };
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM artifacts WHERE version_id = $1 AND name = $2")
                .bind(version_id)
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            return Err(GovernError::Conflict(format!(
                "artifact {name:?} of version {version:?} of model {model:?} already exists"
            )));
        }
        sqlx::query(
            "INSERT INTO artifacts (version_id, name, sha256, size, signature, public_key, \
             content, uploaded_by, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(version_id)
        .bind(name)
        .bind(&sha256)
        .bind(bytes.len() as i64)
        .bind(sig.as_ref().map(|s| s.0.as_str()))
        .bind(sig.as_ref().map(|s| s.1.as_str()))
        .bind(bytes)
        .bind(actor)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let details = serde_json::json!({
            "sha256": sha256,
            "size": bytes.len(),
            "signature": sig.as_ref().map(|s| &s.0),
            "public_key": sig.as_ref().map(|s| &s.1),
            "matches_version": sha256 == version_sha,
        });
        append_in!(tx, &NewEntry {
            actor,
            action: "artifact.upload",
            subject: &format!("model/{model}/{version}/artifact/{name}"),
            details: &details,
        });
    });
    get(db, model, version, name).await
}

/// Metadata of every artifact of a version, by name.
pub async fn list(db: &Db, model: &str, version: &str) -> Result<Vec<Artifact>, GovernError> {
    crate::inventory::version_id(db, model, version).await?;
    let sql = format!("{SELECT_ARTIFACT} WHERE m.name = $1 AND v.version = $2 ORDER BY a.name");
    let rows: Vec<ArtifactRow> = on_pool!(db, p => sqlx::query_as(&sql)
        .bind(model)
        .bind(version)
        .fetch_all(p)
        .await?);
    Ok(rows.into_iter().map(row_to_artifact).collect())
}

/// Metadata of one artifact.
pub async fn get(db: &Db, model: &str, version: &str, name: &str) -> Result<Artifact, GovernError> {
    let sql = format!("{SELECT_ARTIFACT} WHERE m.name = $1 AND v.version = $2 AND a.name = $3");
    let row: Option<ArtifactRow> = on_pool!(db, p => sqlx::query_as(&sql)
        .bind(model)
        .bind(version)
        .bind(name)
        .fetch_optional(p)
        .await?);
    row.map(row_to_artifact).ok_or_else(|| {
        GovernError::NotFound(format!(
            "artifact {name:?} of version {version:?} of model {model:?}"
        ))
    })
}

/// Metadata and content of one artifact. The content's SHA-256 is checked against the stored
/// digest, so a row altered behind the API's back is reported rather than served.
pub async fn download(
    db: &Db,
    model: &str,
    version: &str,
    name: &str,
) -> Result<(Artifact, Vec<u8>), GovernError> {
    let meta = get(db, model, version, name).await?;
    let row: Option<(Vec<u8>,)> = on_pool!(db, p => sqlx::query_as(
        "SELECT a.content FROM artifacts a JOIN model_versions v ON v.id = a.version_id \
         JOIN models m ON m.id = v.model_id WHERE m.name = $1 AND v.version = $2 AND a.name = $3",
    )
    .bind(model)
    .bind(version)
    .bind(name)
    .fetch_optional(p)
    .await?);
    let Some((content,)) = row else {
        return Err(GovernError::NotFound(format!(
            "artifact {name:?} of version {version:?} of model {model:?}"
        )));
    };
    if sha256_hex(&content) != meta.sha256 {
        return Err(GovernError::Conflict(format!(
            "artifact {name:?}: stored content does not match its recorded SHA-256"
        )));
    }
    Ok((meta, content))
}
