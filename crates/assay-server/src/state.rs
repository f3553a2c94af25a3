//! Shared server state, cloned into every handler.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use assay_govern::db::Db;
use assay_govern::policy::Policy;
use axum::http::Method;
use ed25519_dalek::SigningKey;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::auth_limit::FailureLimiter;
use crate::config::ServerConfig;
use crate::denials::DenialLog;
use crate::jwt::JwtVerifier;
use crate::routes::Access;

/// What handlers and the guard share.
#[derive(Clone)]
pub struct AppState {
    /// The governance database.
    pub db: Db,
    /// The settings the server started with.
    pub config: Arc<ServerConfig>,
    /// The OpenAPI document, built once at start from the route table.
    pub openapi: Arc<serde_json::Value>,
    /// Who may call each route, by (method, route template).
    pub access: Arc<HashMap<(Method, String), Access>>,
    /// Per-account (or, on public routes, per-address) rate limiter; `None` when disabled.
    pub limiter: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    /// Checks made by `limiter` (it is pruned of idle keys every so many).
    pub(crate) limiter_checks: Arc<AtomicU64>,
    /// Limits on failed authentication per client address and prefix.
    pub(crate) failures: Arc<FailureLimiter>,
    /// Denied authentication attempts awaiting aggregation in the audit log.
    pub(crate) denials: Arc<DenialLog>,
    /// OIDC/JWT verifier, when configured.
    pub jwt: Option<Arc<JwtVerifier>>,
    /// Signing key for audit checkpoints, when configured.
    pub checkpoint_key: Option<Arc<SigningKey>>,
    /// The approval policy for change requests (`policy_file`, or the built-in default).
    pub policy: Arc<Policy>,
}

impl AppState {
    /// Builds the state: the access table from [`crate::routes::all`], the rate limiters and the
    /// denial aggregation from the configuration.
    pub fn new(
        db: Db,
        config: ServerConfig,
        jwt: Option<JwtVerifier>,
        checkpoint_key: Option<SigningKey>,
    ) -> AppState {
        let access = crate::routes::all(&config)
            .into_iter()
            .map(|r| ((r.method.clone(), r.path.to_string()), r.access))
            .collect();
        let limiter = NonZeroU32::new(config.rate_limit_per_second).map(|rate| {
            let burst = NonZeroU32::new(config.rate_limit_burst).unwrap_or(rate);
            Arc::new(RateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            ))
        });
        let openapi = Arc::new(crate::openapi::document(&config));
        let failures = Arc::new(FailureLimiter::new(&config.auth_failures));
        let denials = Arc::new(DenialLog::new(config.denial_audit.clone()));
        AppState {
            db,
            openapi,
            config: Arc::new(config),
            access: Arc::new(access),
            limiter,
            limiter_checks: Arc::new(AtomicU64::new(0)),
            failures,
            denials,
            jwt: jwt.map(Arc::new),
            checkpoint_key: checkpoint_key.map(Arc::new),
            policy: Arc::new(Policy::default()),
        }
    }
}
