//! Errors: [`ApiError`] is what a client sees (a status and a JSON body); [`ServerError`] is
//! why the server could not start.

use assay_govern::GovernError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A failed request: HTTP status, a stable machine-readable code and a message for people.
///
/// Serialised as `{"error": {"status": 422, "code": "invalid", "message": "..."}}`. The message
/// is also attached to the response (as a [`Rejection`] extension) so the guard can record it
/// in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status (4xx for the client's fault, 5xx for the server's).
    pub status: StatusCode,
    /// Stable code: `bad_request`, `unauthenticated`, `forbidden`, `not_found`, `conflict`,
    /// `payload_too_large`, `unsupported_media_type`, `invalid`, `rate_limited`, `internal`.
    pub code: &'static str,
    /// What went wrong, naming the field or object concerned.
    pub message: String,
}

/// The reason of a 4xx/5xx response, for the audit log.
#[derive(Debug, Clone)]
pub struct Rejection(pub String);

#[derive(Serialize, schemars::JsonSchema)]
/// The body of every error response.
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

#[derive(Serialize, schemars::JsonSchema)]
/// An error's fields.
pub struct ErrorDetail {
    /// HTTP status.
    pub status: u16,
    /// Stable machine-readable code.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400: the request cannot be parsed.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 403: authenticated but not allowed.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 422: parsed, but a value is not acceptable.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }
}

impl From<GovernError> for ApiError {
    fn from(e: GovernError) -> ApiError {
        let (status, code) = match &e {
            GovernError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            GovernError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            GovernError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            GovernError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            GovernError::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "internal error");
            // Do not leak database details to clients; the log has them.
            return ApiError::new(status, code, "internal error (see the server log)");
        }
        ApiError::new(status, code, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                status: self.status.as_u16(),
                code: self.code.to_string(),
                message: self.message.clone(),
            },
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        resp.extensions_mut().insert(Rejection(self.message));
        resp
    }
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Govern(#[from] GovernError),
    /// A file (TLS, JWKS, key, policy) could not be read or written, or a socket bound.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A configuration value is wrong.
    #[error("{0}")]
    Config(String),
}
