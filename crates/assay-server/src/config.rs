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

/// Limits on FAILED authentication (missing, unknown, revoked, expired or forged credentials,
/// or credentials in the query string), per client address and per address prefix. Requests
/// that authenticate are never counted here, so a legitimate client keeps working from an
/// address that is flooding bad tokens; a failure over a limit is answered 429 with
/// `Retry-After` instead of 401. A rate of 0 turns that limit off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailureLimits {
    /// Sustained failed authentications allowed per client address, per minute.
    pub per_address_per_minute: u32,
    /// Failed authentications an address may make at once before the rate applies.
    pub per_address_burst: u32,
    /// Sustained failed authentications allowed per address prefix (all addresses of one
    /// network, see `ipv4_prefix_len` and `ipv6_prefix_len`), per minute.
    pub per_prefix_per_minute: u32,
    /// Burst of the per-prefix limit.
    pub per_prefix_burst: u32,
    /// Prefix length grouping IPv4 addresses (a /24 by default).
    pub ipv4_prefix_len: u8,
    /// Prefix length grouping IPv6 addresses (a /64 by default: one subscriber's network).
    pub ipv6_prefix_len: u8,
}

impl Default for AuthFailureLimits {
    /// 30 failures a minute per address with bursts of 10; 300 a minute per /24 (IPv4) or /64
    /// (IPv6) with bursts of 50.
    fn default() -> AuthFailureLimits {
        AuthFailureLimits {
            per_address_per_minute: 30,
            per_address_burst: 10,
            per_prefix_per_minute: 300,
            per_prefix_burst: 50,
            ipv4_prefix_len: 24,
            ipv6_prefix_len: 64,
        }
    }
}

impl AuthFailureLimits {
    /// No limit on failed authentication (for tests that walk every denial one by one).
    pub fn off() -> AuthFailureLimits {
        AuthFailureLimits {
            per_address_per_minute: 0,
            per_prefix_per_minute: 0,
            ..AuthFailureLimits::default()
        }
    }
}

/// How denied authentication attempts reach the audit log: the first `individual` per address
/// prefix and window one entry each, then one entry per prefix and window counting the rest
/// (with their reasons, statuses and up to 16 client addresses), so that a flood grows the chain
/// by at most `individual + 1` entries per prefix and window. Denials of authenticated
/// principals (403 and the like) are always recorded one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenialAudit {
    /// The aggregation window.
    pub window: Duration,
    /// Denials per prefix and window recorded one entry each before counting starts.
    pub individual: u32,
}

impl Default for DenialAudit {
    /// A 60 s window; the first 10 denials of each window recorded individually.
    fn default() -> DenialAudit {
        DenialAudit {
            window: Duration::from_secs(60),
            individual: 10,
        }
    }
}

impl DenialAudit {
    /// Every denial one entry, never aggregated.
    pub fn every_one() -> DenialAudit {
        DenialAudit {
            individual: u32::MAX,
            ..DenialAudit::default()
        }
    }
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
    /// Sustained requests per second allowed per authenticated account (or per client address
    /// on the public routes); 0 disables this limit. Failed authentication has its own limits,
    /// [`ServerConfig::auth_failures`].
    pub rate_limit_per_second: u32,
    /// Burst size of the rate limit.
    pub rate_limit_burst: u32,
    /// Limits on failed authentication per client address and address prefix.
    pub auth_failures: AuthFailureLimits,
    /// Aggregation of denied authentication attempts in the audit log.
    pub denial_audit: DenialAudit,
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
    /// per account with bursts of 100, failed authentication limited and its audit entries
    /// aggregated as [`AuthFailureLimits::default`] and [`DenialAudit::default`], 1 MiB JSON bodies, 64 MiB artifacts, evidence bodies of
    /// [`DEFAULT_EVIDENCE_BODY_LIMIT`], 30 s timeout, per-model ownership on.
    pub fn new(db: impl Into<String>) -> ServerConfig {
        ServerConfig {
            db: db.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tls: None,
            rate_limit_per_second: 50,
            rate_limit_burst: 100,
            auth_failures: AuthFailureLimits::default(),
            denial_audit: DenialAudit::default(),
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
