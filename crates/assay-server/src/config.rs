//! Server settings (`assay serve` flags).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Default largest evidence submission: the largest report the governance layer stores
/// ([`assay_govern::evidence::MAX_REPORT_BYTES`], 16 MiB) plus 64 KiB for the envelope.
pub const DEFAULT_EVIDENCE_BODY_LIMIT: usize =
    assay_govern::evidence::MAX_REPORT_BYTES + (64 << 10);

/// A PEM certificate chain and private key for TLS (rustls).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// Certificate chain, PEM.
    pub cert: PathBuf,
    /// Private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// OIDC/JWT bearer tokens verified against a JWKS file (RFC 7517) of the identity provider.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// The JWKS document (`{"keys": [...]}`), as published at the provider's `jwks_uri`.
    pub jwks_file: PathBuf,
    /// Required `iss` claim.
    pub issuer: String,
    /// Required `aud` claim.
    pub audience: String,
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// SQLite file path or `postgres://` URL.
    pub db: String,
    /// Address to listen on (port 0 picks a free port; see [`crate::BoundServer::local_addr`]).
    pub listen: SocketAddr,
    /// Serve HTTPS with these files; plain HTTP when absent.
    pub tls: Option<TlsFiles>,
    /// Sustained requests per second allowed per token (or per client address for requests
    /// without a token); 0 disables rate limiting.
    pub rate_limit_per_second: u32,
    /// Burst size of the rate limit.
    pub rate_limit_burst: u32,
    /// Largest JSON request body, bytes.
    pub json_body_limit: usize,
    /// Largest artifact upload, bytes.
    pub artifact_body_limit: usize,
    /// Largest evidence submission (the JSON envelope with its report), bytes; checked on the
    /// byte stream before the JSON is parsed. The default is the report limit
    /// ([`assay_govern::evidence::MAX_REPORT_BYTES`]) plus 64 KiB for the envelope.
    pub evidence_body_limit: usize,
    /// Requests taking longer are answered 408 and abandoned.
    pub request_timeout: Duration,
    /// OIDC/JWT verification, when configured.
    pub jwt: Option<JwtConfig>,
    /// When true, model owners may change only the models they own (admins may change all).
    pub per_model_ownership: bool,
    /// Ed25519 signing key for audit checkpoints (32-byte seed as 64 hex digits); created with a
    /// fresh random key, readable by its owner only, when the file does not exist.
    pub checkpoint_key: Option<PathBuf>,
    /// Sign a checkpoint of the audit log this often (needs `checkpoint_key`).
    pub checkpoint_every: Option<Duration>,
    /// Approval policy (TOML); the built-in default when absent.
    pub policy_file: Option<PathBuf>,
}

impl ServerConfig {
    /// Defaults for everything but the database: loopback port 8080, plain HTTP, 50 requests/s
    /// per token with bursts of 100, 1 MiB JSON bodies, 64 MiB artifacts, evidence bodies of
    /// [`DEFAULT_EVIDENCE_BODY_LIMIT`], 30 s timeout, per-model ownership on.
    pub fn new(db: impl Into<String>) -> ServerConfig {
        ServerConfig {
            db: db.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tls: None,
            rate_limit_per_second: 50,
            rate_limit_burst: 100,
            json_body_limit: 1 << 20,
            artifact_body_limit: 64 << 20,
            evidence_body_limit: DEFAULT_EVIDENCE_BODY_LIMIT,
            request_timeout: Duration::from_secs(30),
            jwt: None,
            per_model_ownership: true,
            checkpoint_key: None,
            checkpoint_every: None,
            policy_file: None,
        }
    }
}
