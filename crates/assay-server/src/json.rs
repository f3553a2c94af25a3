//! `ApiJson<T>`: axum's JSON body extractor with its rejections turned into [`ApiError`]s
//! (400 malformed JSON, 413 over the size limit, 415 wrong content type, 422 unknown or missing
//! fields), so every error has the same JSON shape and reaches the audit log.
//!
//! Body limits are enforced on the byte stream, before any parsing: the router puts each
//! route's limit into the request ([`BodyLimit`], and axum's `DefaultBodyLimit`), the body is
//! read through a length-limited reader, and the first byte past the limit ends the read with a
//! 413 naming the limit ([`too_large`]); a body is never buffered beyond its limit.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The body limit of the route serving a request, bytes: put into the request's extensions by
/// the router ([`crate::app`]) next to axum's `DefaultBodyLimit`, so that a 413 can name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyLimit(pub(crate) usize);

/// The 413 for a body over `limit` bytes (when known), naming the limit.
pub(crate) fn too_large(limit: Option<BodyLimit>) -> ApiError {
    let message = match limit {
        Some(BodyLimit(n)) => format!(
            "request body larger than this endpoint's limit of {n} bytes ({}); the body was \
             refused as it arrived, before parsing",
            human_bytes(n)
        ),
        None => "request body larger than this endpoint's limit".to_string(),
    };
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
}

/// `n` bytes in KiB/MiB/GiB with up to two decimals.
fn human_bytes(n: usize) -> String {
    const UNITS: [&str; 4] = ["bytes", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} bytes")
    } else {
        let text = format!("{v:.2}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        format!("{text} {}", UNITS[unit])
    }
}

/// A JSON request body of type `T` (request types deny unknown fields).
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let limit = req.extensions().get::<BodyLimit>().copied();
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(json_rejection(rej, limit)),
        }
    }
}

fn json_rejection(rej: JsonRejection, limit: Option<BodyLimit>) -> ApiError {
    let status = rej.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(limit);
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        _ => "bad_request",
    };
    ApiError::new(status, code, rej.body_text())
}

/// Path parameters of type `T`, with parse failures as 400 [`ApiError`]s in the common shape.
pub struct ApiPath<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(rej) => Err(ApiError::bad_request(rej.body_text())),
        }
    }
}

/// Query-string parameters of type `T`, with parse failures as 400 [`ApiError`]s.
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rej) => Err(ApiError::bad_request(rej.body_text())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_large_names_the_limit() {
        let e = too_large(Some(BodyLimit((16 << 20) + (64 << 10))));
        assert_eq!(e.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(
            e.message.contains("16842752 bytes (16.06 MiB)"),
            "{}",
            e.message
        );
        assert_eq!(human_bytes(1 << 20), "1 MiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }
}
