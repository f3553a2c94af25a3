//! The per-route guard: refusal of credentials in the query string, rate limit,
//! authentication, role check, and an audit entry for every denied or rejected attempt.
//!
//! Runs as a `route_layer`, so the matched route template is known and unknown paths never
//! reach the database (they are plain 404s).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use assay_govern::audit::{self, NewEntry};
use assay_govern::users::{self, Principal, TOKEN_PREFIX};

use crate::error::{ApiError, Rejection};
use crate::routes::Access;
use crate::state::AppState;

/// What the guard knows of a request for the audit log.
struct Attempt {
    actor: String,
    subject: String,
    client: Option<SocketAddr>,
}

pub(crate) async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let template = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let access = state
        .access
        .get(&(method.clone(), template.clone()))
        .copied()
        .unwrap_or(Access::Roles(&[]));
    let bearer = bearer_token(&req);

    let mut attempt = Attempt {
        actor: "anonymous".into(),
        subject: format!("http/{method} {}", req.uri().path()),
        client,
    };
    // Credentials go in the Authorization header only: one in the URL is already in logs,
    // proxies and browser history, so the request is refused (whatever else it carries) and the
    // client told where the token belongs. The audit entry names the parameter, not its value.
    if let Some(param) = crate::redact::credential_param(req.uri().query()) {
        let resp = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            format!(
                "credentials in the query string are refused ({param}): send the \
                 token in the Authorization header as `Authorization: Bearer <token>`; a token \
                 put in a URL should be considered exposed and revoked"
            ),
        )
        .into_response();
        return record(&state, &attempt, "auth.denied", resp).await;
    }

    if let Some(limiter) = &state.limiter {
        let key = match (&bearer, client) {
            (Some(t), _) => format!("t:{}", hex::encode(&Sha256::digest(t.as_bytes())[..16])),
            (None, Some(addr)) => format!("a:{}", addr.ip()),
            (None, None) => "a:unknown".to_string(),
        };
        if limiter.check_key(&key).is_err() {
            tracing::warn!(%method, path = %req.uri().path(), key = %key, "rate limited");
            let mut resp = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests for this token; retry later",
            )
            .into_response();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            return resp;
        }
    }

    let roles = match access {
        Access::Public => return next.run(req).await,
        Access::Roles(roles) => roles,
    };
    let principal = match authenticate(&state, bearer.as_deref()).await {
        Ok(p) => p,
        Err(e) => {
            return record(&state, &attempt, "auth.denied", e.into_response()).await;
        }
    };
    attempt.actor = principal.name.clone();
    if !roles.contains(&principal.role) {
        let resp = ApiError::forbidden(format!(
            "role {} may not call {method} {template}",
            principal.role.as_str()
        ))
        .into_response();
        return record(&state, &attempt, "authz.denied", resp).await;
    }
    req.extensions_mut().insert(principal);
    let resp = next.run(req).await;
    let status = resp.status();
    if status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS {
        let action = match status {
            StatusCode::UNAUTHORIZED => "auth.denied",
            StatusCode::FORBIDDEN => "authz.denied",
            _ => "request.rejected",
        };
        return record(&state, &attempt, action, resp).await;
    }
    resp
}

fn bearer_token(req: &Request) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

async fn authenticate(state: &AppState, bearer: Option<&str>) -> Result<Principal, ApiError> {
    let unauth = |m: String| ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", m);
    let Some(token) = bearer else {
        return Err(unauth(
            "missing bearer token (Authorization: Bearer <token>)".into(),
        ));
    };
    if token.starts_with(TOKEN_PREFIX) {
        return Ok(users::authenticate_token(&state.db, token).await?);
    }
    let Some(jwt) = &state.jwt else {
        return Err(unauth("unknown token".into()));
    };
    let subject = jwt
        .verify(token)
        .map_err(|e| unauth(format!("JWT rejected: {e}")))?;
    Ok(users::principal_by_name(&state.db, &subject).await?)
}

/// Appends the denied or rejected attempt to the audit log (failure to log is itself logged;
/// the client still gets its 4xx). Takes the response by value: its body is `Send` but not
/// `Sync`, so holding a reference across the append would make the guard's future non-`Send`.
async fn record(state: &AppState, attempt: &Attempt, action: &str, resp: Response) -> Response {
    let reason = resp
        .extensions()
        .get::<Rejection>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let status = resp.status().as_u16();
    let details = serde_json::json!({
        "status": status,
        "reason": reason,
        "client": attempt.client.map(|c| c.ip().to_string()),
    });
    tracing::info!(actor = %attempt.actor, action, subject = %attempt.subject,
        status, reason = %reason, "request denied or rejected");
    let entry = NewEntry {
        actor: &attempt.actor,
        action,
        subject: &attempt.subject,
        details: &details,
    };
    if let Err(e) = audit::append(&state.db, &entry).await {
        tracing::error!(error = %e, "could not record a denied attempt in the audit log");
    }
    resp
}
