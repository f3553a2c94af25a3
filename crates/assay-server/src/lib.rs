//! `assay serve`: the governance system of record over HTTP (issue #8).
//!
//! A JSON API (axum on tokio) over [`assay_govern`]: the model inventory, change management,
//! access control, incidents and review schedules, and the hash-chained audit log. The server
//! describes itself in an OpenAPI 3.1 document built from the same route table that drives
//! routing and authorisation ([`routes::RouteSpec`]), so the document, the router and the
//! permission checks cannot disagree.
//!
//! Request flow (outermost first): structured request log ([`tower_http::trace`]), request
//! timeout, then per route the guard (module `guard`): refusal of credentials in the query string
//! (module `redact`, which also keeps them out of the request log), authentication (API token or
//! OIDC/JWT), rate limits (failed authentication per client address and address prefix, module
//! `auth_limit`; everything else per account, or per client address on public routes), the
//! route's role check, and an audit entry for every denied or rejected attempt (denied
//! authentication counted per prefix and window under a flood, module `denials`); then the
//! handler, whose body extractor enforces the size limit and rejects malformed JSON and unknown
//! fields.
//!
//! This crate never prints or exits; it logs through `tracing` and returns errors.

mod auth_limit;
pub mod config;
mod denials;
pub mod error;
mod guard;
mod json;
pub mod jwt;
pub mod openapi;
mod redact;
pub mod routes;
mod serve;
pub mod state;

pub use config::{AuthFailureLimits, DenialAudit, ServerConfig, TlsFiles};
pub use error::{ApiError, ServerError};
pub use serve::{app, bind, bootstrap_admin, load_or_create_key, write_private_file, BoundServer};
pub use state::AppState;
