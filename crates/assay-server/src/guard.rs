//! The per-route guard: refusal of credentials in the query string, authentication, rate
//! limits (failed authentication per client address and prefix, [`crate::auth_limit`]; other
//! requests per account, or per address on public routes), role check, and an audit entry for
//! every denied or rejected attempt (denied authentication aggregated per prefix and window
//! under a flood, [`crate::denials`]).
//!
//! Runs as a `route_layer`, so the matched route template is known and unknown paths never
//! reach the database (they are plain 404s).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};

use assay_govern::audit::{self, NewEntry};
use assay_govern::users::{self, Principal, TOKEN_PREFIX};

use crate::auth_limit::{retry_after_secs, Network};
use crate::denials::{now_ms, Noted, Summary};
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
        return failed_authentication(&state, &attempt, resp).await;
    }

    let roles = match access {
        Access::Public => {
            if let Some(resp) = rate_limited(&state, &method, &req, client_key(client)) {
                return resp;
            }
            return next.run(req).await;
        }
        Access::Roles(roles) => roles,
    };
    // Authenticate first, then limit: failures are limited per address and prefix (random
    // tokens gain nothing), successes per account, so a flood of bad tokens from an address
    // never locks out a valid token used from the same address.
    let principal = match authenticate(&state, bearer.as_deref()).await {
        Ok(p) => p,
        Err(e) => return failed_authentication(&state, &attempt, e.into_response()).await,
    };
    if let Some(resp) = rate_limited(&state, &method, &req, format!("u:{}", principal.name)) {
        return resp;
    }
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

/// The general limiter's key for a request without an account: its client address.
fn client_key(client: Option<SocketAddr>) -> String {
    match client {
        Some(addr) => format!("a:{}", addr.ip().to_canonical()),
        None => "a:unknown".to_string(),
    }
}

/// Every this many checks the general limiter forgets keys whose budget has fully recovered.
const PRUNE_EVERY: u64 = 1024;

/// The general per-account (or, on public routes, per-address) rate limit: `Some(429)` when
/// `key` is over it.
fn rate_limited(state: &AppState, method: &Method, req: &Request, key: String) -> Option<Response> {
    let limiter = state.limiter.as_ref()?;
    if state.limiter_checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
        limiter.retain_recent();
    }
    let now = DefaultClock::default().now();
    let wait = limiter.check_key(&key).err()?.wait_time_from(now);
    tracing::warn!(%method, path = %req.uri().path(), key = %key, "rate limited");
    Some(too_many(
        "too many requests for this account; retry later",
        wait,
    ))
}

/// A 429 with `Retry-After` (whole seconds, rounded up).
fn too_many(message: &str, wait: Duration) -> Response {
    let mut resp =
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message).into_response();
    resp.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(retry_after_secs(wait)),
    );
    resp
}

/// A failed authentication: counted against the client's address and prefix (over the limit,
/// `resp` becomes a 429 with `Retry-After`), then recorded in the audit log, one entry each or
/// counted into its prefix's window summary ([`crate::denials`]).
async fn failed_authentication(state: &AppState, attempt: &Attempt, resp: Response) -> Response {
    let ip = attempt.client.map(|c| c.ip().to_canonical());
    let resp = match state.failures.fail(ip) {
        Ok(()) => resp,
        Err(wait) => too_many(
            &format!(
                "too many failed authentications from this address or its network; retry after \
                 {} s (requests with a valid token are still served)",
                retry_after_secs(wait)
            ),
            wait,
        ),
    };
    let network = state
        .failures
        .network(ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
    let reason = rejection_reason(&resp);
    let (noted, start_flusher) = state.denials.note(
        network,
        ip,
        resp.status().as_u16(),
        &reason,
        Instant::now(),
        now_ms(),
    );
    if start_flusher {
        tokio::spawn(flush_denials(state.clone()));
    }
    match noted {
        Noted::Record => record(state, attempt, "auth.denied", resp).await,
        Noted::Counted => resp,
    }
}

/// Writes the summaries of ended windows until no window is left open
/// ([`crate::denials::DenialLog::take_due`]); started by the first denial after a quiet spell.
async fn flush_denials(state: AppState) {
    let mut tick = tokio::time::interval(state.denials.tick());
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let (due, keep) = state.denials.take_due(Instant::now(), false);
        write_summaries(&state, due).await;
        if !keep {
            return;
        }
    }
}

/// Writes every pending summary, ended windows or not (at shutdown).
pub(crate) async fn flush_all_denials(state: &AppState) {
    let (due, _) = state.denials.take_due(Instant::now(), true);
    write_summaries(state, due).await;
}

/// Appends one `auth.denied` entry per summary (subject `client/<prefix>`).
async fn write_summaries(state: &AppState, due: Vec<(Network, Summary)>) {
    for (network, summary) in due {
        tracing::warn!(network = %network, count = summary.count,
            rate_limited = summary.rate_limited, "denied attempts aggregated");
        let details = match serde_json::to_value(&summary) {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(error = %e, "could not serialise a denial summary");
                continue;
            }
        };
        let entry = NewEntry {
            actor: "anonymous",
            action: "auth.denied",
            subject: &format!("client/{network}"),
            details: &details,
        };
        if let Err(e) = audit::append(&state.db, &entry).await {
            tracing::error!(error = %e, "could not record aggregated denials in the audit log");
        }
    }
}

/// The reason a response carries for the audit log ([`Rejection`]), or an empty string.
fn rejection_reason(resp: &Response) -> String {
    resp.extensions()
        .get::<Rejection>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
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
    let reason = rejection_reason(&resp);
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
