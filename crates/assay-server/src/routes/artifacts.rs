//! Artifacts and audit evidence of a model version:
//! `/v1/models/{model}/versions/{version}/artifacts` and `.../evidence`, and `/v1/evidence/{id}`.
//!
//! **Uploads** are raw bodies (`PUT .../artifacts/{name}`, any content type) under the artifact
//! body limit ([`ServerConfig::artifact_body_limit`]) instead of the JSON one. A signed upload
//! carries two headers, both hex: `x-assay-signature` (the 64-byte Ed25519 signature over the
//! 32 raw bytes of the SHA-256 digest of the body) and `x-assay-public-key` (the signer's
//! 32-byte public key); the signature is verified before anything is written (see
//! [`assay_govern::artifacts`]). **Downloads** return the bytes as `application/octet-stream`
//! with the digest (and signature, if any) in the same headers plus `x-assay-sha256`.
//!
//! **Evidence** is the JSON report of an assay command with its policy verdict; `assay ... --submit
//! URL` posts it with a model owner's (typically a CI service account's) token.
//!
//! Writes by model owners are limited to models they own ([`check_model_owner`]).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use assay_govern::artifacts::{self, Artifact, ArtifactSignature};
use assay_govern::evidence::{self, Evidence, EvidenceSpec};
use assay_govern::users::Principal;

use super::{check_model_owner, RouteSpec, OWNERS, READERS};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::json::{too_large, ApiJson, ApiPath, BodyLimit};
use crate::state::AppState;

/// Header carrying an upload's Ed25519 signature (hex) over the SHA-256 digest of the body.
pub const SIGNATURE_HEADER: &str = "x-assay-signature";
/// Header carrying the signer's Ed25519 public key (hex).
pub const PUBLIC_KEY_HEADER: &str = "x-assay-public-key";
/// Response header carrying a downloaded artifact's SHA-256 (hex).
pub const SHA256_HEADER: &str = "x-assay-sha256";

pub(crate) fn routes(config: &ServerConfig) -> Vec<RouteSpec> {
    vec![
        RouteSpec::new(
            Method::GET,
            "/v1/models/{model}/versions/{version}/artifacts",
            "listArtifacts",
            list_artifacts,
        )
        .doc(
            "artifacts",
            "A version's artifacts (metadata: digest, size, signature)",
        )
        .allow(READERS)
        .json_response::<Vec<Artifact>>(StatusCode::OK),
        RouteSpec::new(
            Method::PUT,
            "/v1/models/{model}/versions/{version}/artifacts/{name}",
            "uploadArtifact",
            upload_artifact,
        )
        .doc(
            "artifacts",
            "Upload an artifact (raw body); optional Ed25519 signature over its SHA-256 digest in \
             the x-assay-signature and x-assay-public-key headers (hex), verified before storing",
        )
        .allow(OWNERS)
        .bytes_request(config.artifact_body_limit)
        .json_response::<Artifact>(StatusCode::CREATED),
        RouteSpec::new(
            Method::GET,
            "/v1/models/{model}/versions/{version}/artifacts/{name}",
            "downloadArtifact",
            download_artifact,
        )
        .doc(
            "artifacts",
            "Download an artifact's bytes (digest in x-assay-sha256, signature headers if signed)",
        )
        .allow(READERS)
        .bytes_response(),
        RouteSpec::new(
            Method::GET,
            "/v1/models/{model}/versions/{version}/evidence",
            "listEvidence",
            list_evidence,
        )
        .doc(
            "evidence",
            "A version's audit evidence, oldest first (without the reports)",
        )
        .allow(READERS)
        .json_response::<Vec<Evidence>>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/models/{model}/versions/{version}/evidence",
            "submitEvidence",
            submit_evidence,
        )
        .doc(
            "evidence",
            "Attach an assay report (fairness, mitigate, explain, dp, mia, anonymize, pii, other) \
             with its policy verdict; completes the model's review schedule of the same kind",
        )
        .allow(OWNERS)
        .json_request::<EvidenceSpec>()
        // Reports (an explanation of many rows, a fairness sweep) outgrow the JSON default;
        // the envelope's limit follows the stored report's, so that a body which could never
        // be stored is refused on the byte stream instead of parsed first.
        .body_limit(config.evidence_body_limit)
        .json_response::<Evidence>(StatusCode::CREATED),
        RouteSpec::new(
            Method::GET,
            "/v1/evidence/{id}",
            "getEvidence",
            get_evidence,
        )
        .doc("evidence", "One piece of evidence, with its report")
        .allow(READERS)
        .json_response::<Evidence>(StatusCode::OK),
    ]
}

async fn list_artifacts(
    State(s): State<AppState>,
    ApiPath((model, version)): ApiPath<(String, String)>,
) -> Result<Json<Vec<Artifact>>, ApiError> {
    Ok(Json(artifacts::list(&s.db, &model, &version).await?))
}

/// The value of header `name` as text; `None` when absent.
fn header_text(headers: &HeaderMap, name: &str) -> Result<Option<String>, ApiError> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.trim().to_string()))
            .map_err(|_| ApiError::bad_request(format!("header {name}: not visible ASCII"))),
    }
}

fn body_rejection(rej: BytesRejection, limit: BodyLimit) -> ApiError {
    if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(Some(limit));
    }
    ApiError::new(rej.status(), "bad_request", rej.body_text())
}

async fn upload_artifact(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    Extension(limit): Extension<BodyLimit>,
    ApiPath((model, version, name)): ApiPath<(String, String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Artifact>), ApiError> {
    check_model_owner(&s, &who, &model).await?;
    let signature = match (
        header_text(&headers, SIGNATURE_HEADER)?,
        header_text(&headers, PUBLIC_KEY_HEADER)?,
    ) {
        (None, None) => None,
        (Some(signature), Some(public_key)) => Some(ArtifactSignature {
            signature,
            public_key,
        }),
        _ => {
            return Err(ApiError::invalid(format!(
                "a signed upload needs both {SIGNATURE_HEADER} and {PUBLIC_KEY_HEADER} headers"
            )))
        }
    };
    let body = body.map_err(|rej| body_rejection(rej, limit))?;
    let a = artifacts::upload(
        &s.db,
        &who.name,
        &model,
        &version,
        &name,
        &body,
        signature.as_ref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

fn header_value(s: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(s)
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "bad header"))
}

async fn download_artifact(
    State(s): State<AppState>,
    ApiPath((model, version, name)): ApiPath<(String, String, String)>,
) -> Result<Response, ApiError> {
    let (meta, bytes) = artifacts::download(&s.db, &model, &version, &name).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    // Artifact names are restricted to [A-Za-z0-9._+-], so quoting is safe.
    headers.insert(
        CONTENT_DISPOSITION,
        header_value(&format!("attachment; filename=\"{}\"", meta.name))?,
    );
    headers.insert(
        HeaderName::from_static(SHA256_HEADER),
        header_value(&meta.sha256)?,
    );
    if let (Some(sig), Some(key)) = (&meta.signature, &meta.public_key) {
        headers.insert(
            HeaderName::from_static(SIGNATURE_HEADER),
            header_value(sig)?,
        );
        headers.insert(
            HeaderName::from_static(PUBLIC_KEY_HEADER),
            header_value(key)?,
        );
    }
    Ok((StatusCode::OK, headers, bytes).into_response())
}

async fn list_evidence(
    State(s): State<AppState>,
    ApiPath((model, version)): ApiPath<(String, String)>,
) -> Result<Json<Vec<Evidence>>, ApiError> {
    Ok(Json(evidence::list(&s.db, &model, &version).await?))
}

async fn submit_evidence(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath((model, version)): ApiPath<(String, String)>,
    ApiJson(spec): ApiJson<EvidenceSpec>,
) -> Result<(StatusCode, Json<Evidence>), ApiError> {
    check_model_owner(&s, &who, &model).await?;
    let e = evidence::submit(&s.db, &who.name, &model, &version, &spec).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

async fn get_evidence(
    State(s): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Evidence>, ApiError> {
    Ok(Json(evidence::get(&s.db, id).await?))
}
