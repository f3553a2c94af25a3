//! The audit trail over HTTP: read entries, verify the chain, sign checkpoints. Nothing here (or
//! anywhere in the API) edits or deletes an entry.

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::Json;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use assay_govern::audit::{self, to_hex, ChainReport, Entry};
use assay_govern::checkpoint;

use super::{RouteSpec, ADMIN, ADMIN_AUDITOR};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::json::ApiQuery;
use crate::state::AppState;

/// One audit entry as returned by the API (hashes in lowercase hex).
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// Time, milliseconds since the Unix epoch.
    pub time_ms: i64,
    /// Who acted (`anonymous` for unauthenticated attempts).
    pub actor: String,
    /// What was done (`model.create`, `auth.denied`, ...).
    pub action: String,
    /// The object acted on.
    pub subject: String,
    /// Details, as the JSON text that was hashed.
    pub details: String,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

impl From<Entry> for AuditEntry {
    fn from(e: Entry) -> AuditEntry {
        AuditEntry {
            seq: e.seq,
            time_ms: e.time_ms,
            actor: e.actor,
            action: e.action,
            subject: e.subject,
            details: e.details,
            prev_hash: to_hex(&e.prev_hash),
            hash: to_hex(&e.hash),
        }
    }
}

/// Query of `GET /v1/audit`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Entries with a greater sequence number (default 0: from the start).
    #[serde(default)]
    pub after: u64,
    /// At most this many (default 100, at most 1000).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Result of verifying the chain.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct VerifyReport {
    /// Whether every entry verified.
    pub ok: bool,
    /// Entries verified before the first problem.
    pub verified: u64,
    /// Sequence number of the last entry.
    pub head_seq: Option<u64>,
    /// Hash of the last entry.
    pub head_hash: Option<String>,
    /// The first entry that does not verify.
    pub problem_seq: Option<u64>,
    /// What is wrong with it.
    pub problem: Option<String>,
}

impl From<ChainReport> for VerifyReport {
    fn from(r: ChainReport) -> VerifyReport {
        VerifyReport {
            ok: r.is_ok(),
            verified: r.verified,
            head_seq: r.head.map(|h| h.0),
            head_hash: r.head.map(|h| to_hex(&h.1)),
            problem_seq: r.problem.as_ref().map(|p| p.seq),
            problem: r.problem.as_ref().map(|p| p.kind.to_string()),
        }
    }
}

/// A signed checkpoint (`assay.checkpoint/1`), as written by `assay log verify --checkpoint`.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct CheckpointDoc {
    /// Always `assay.checkpoint/1`.
    pub format: String,
    /// Covered entry.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
    /// Ed25519 signature, hex.
    pub signature: String,
    /// Ed25519 public key, hex.
    pub public_key: String,
}

pub(crate) fn routes(_: &ServerConfig) -> Vec<RouteSpec> {
    vec![
        RouteSpec::new(Method::GET, "/v1/audit", "listAudit", list)
            .doc(
                "audit",
                "Audit entries in order (paged by `after` and `limit`)",
            )
            .allow(ADMIN_AUDITOR)
            .json_response::<Vec<AuditEntry>>(StatusCode::OK),
        RouteSpec::new(Method::GET, "/v1/audit/verify", "verifyAudit", verify)
            .doc("audit", "Verify the whole hash chain")
            .allow(ADMIN_AUDITOR)
            .json_response::<VerifyReport>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/audit/checkpoints",
            "createCheckpoint",
            create_checkpoint,
        )
        .doc("audit", "Sign a checkpoint of the chain's head (Ed25519)")
        .allow(ADMIN)
        .json_response::<CheckpointDoc>(StatusCode::CREATED),
    ]
}

async fn list(
    State(s): State<AppState>,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let limit = page.limit.unwrap_or(100).clamp(1, 1000);
    let entries = audit::entries(&s.db, page.after, limit).await?;
    Ok(Json(entries.into_iter().map(AuditEntry::from).collect()))
}

async fn verify(State(s): State<AppState>) -> Result<Json<VerifyReport>, ApiError> {
    Ok(Json(audit::verify(&s.db).await?.into()))
}

async fn create_checkpoint(
    State(s): State<AppState>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let Some(key) = &s.checkpoint_key else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "the server has no checkpoint key (start it with --checkpoint-key FILE)",
        ));
    };
    match checkpoint::create(&s.db, key).await? {
        Ok(cp) => {
            let doc: serde_json::Value = serde_json::from_str(&cp.to_json()).map_err(|e| {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
            })?;
            Ok((StatusCode::CREATED, Json(doc)))
        }
        Err(report) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!(
                "the audit chain does not verify ({}); no checkpoint signed",
                VerifyReport::from(report)
                    .problem
                    .unwrap_or_else(|| "empty log".into())
            ),
        )),
    }
}
