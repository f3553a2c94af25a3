//! `assay serve`: runs the governance API (crate assay-server) until SIGINT or SIGTERM.
//! Prints `listening on http(s)://ADDR` on stdout once the socket is bound (port 0 picks a free
//! one); logs are JSON lines on stderr (`RUST_LOG` filters them, default `info`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use assay_server::config::JwtConfig;
use assay_server::{AuthFailureLimits, DenialAudit, ServerConfig, TlsFiles};
use clap::Args;

/// Arguments of `assay serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The governance database: a SQLite file path (created if missing) or a postgres:// URL.
    #[arg(long)]
    pub db: String,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// TLS certificate chain (PEM); with --tls-key serves HTTPS.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Requests per second allowed per account (or per client address on the public routes); 0 turns this limit off (failed authentication keeps its own limits).
    #[arg(long, default_value_t = 50)]
    pub rate_limit: u32,
    /// Burst allowed above the rate.
    #[arg(long, default_value_t = 100)]
    pub rate_burst: u32,
    /// Failed authentications allowed per client address per minute; more are answered 429 with Retry-After (valid tokens are still served); 0 turns this limit off.
    #[arg(long, default_value_t = AuthFailureLimits::default().per_address_per_minute)]
    pub auth_fail_rate: u32,
    /// Failed authentications a client address may make at once before --auth-fail-rate applies.
    #[arg(long, default_value_t = AuthFailureLimits::default().per_address_burst)]
    pub auth_fail_burst: u32,
    /// Failed authentications allowed per address prefix (--ipv4-prefix, --ipv6-prefix) per minute; 0 turns this limit off.
    #[arg(long, default_value_t = AuthFailureLimits::default().per_prefix_per_minute)]
    pub auth_fail_prefix_rate: u32,
    /// Burst of the per-prefix limit.
    #[arg(long, default_value_t = AuthFailureLimits::default().per_prefix_burst)]
    pub auth_fail_prefix_burst: u32,
    /// Prefix length grouping IPv4 client addresses for the per-prefix limit and the denial audit.
    #[arg(long, default_value_t = AuthFailureLimits::default().ipv4_prefix_len, value_parser = clap::value_parser!(u8).range(0..=32))]
    pub ipv4_prefix: u8,
    /// Prefix length grouping IPv6 client addresses.
    #[arg(long, default_value_t = AuthFailureLimits::default().ipv6_prefix_len, value_parser = clap::value_parser!(u8).range(0..=128))]
    pub ipv6_prefix: u8,
    /// Denied authentication attempts recorded one audit entry each per address prefix and window; the rest of the window is counted into one entry.
    #[arg(long, default_value_t = DenialAudit::default().individual)]
    pub denial_audit_individual: u32,
    /// The denial-audit window, seconds.
    #[arg(long, default_value_t = DenialAudit::default().window.as_secs(), value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub denial_audit_window: u64,
    /// Largest JSON body, bytes.
    #[arg(long, default_value_t = 1 << 20)]
    pub max_body: usize,
    /// Largest artifact upload, bytes.
    #[arg(long, default_value_t = 64 << 20)]
    pub max_artifact: usize,
    /// Largest evidence submission (JSON envelope and report), bytes; refused with 413 as the body arrives, before parsing.
    #[arg(long, default_value_t = assay_server::config::DEFAULT_EVIDENCE_BODY_LIMIT)]
    pub max_evidence: usize,
    /// Request timeout, seconds.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Accept OIDC/JWT bearer tokens verified against this JWKS file (needs --jwt-issuer and --jwt-audience).
    #[arg(long, requires_all = ["jwt_issuer", "jwt_audience"])]
    pub jwks: Option<PathBuf>,
    /// Required `iss` of JWTs.
    #[arg(long)]
    pub jwt_issuer: Option<String>,
    /// Required `aud` of JWTs.
    #[arg(long)]
    pub jwt_audience: Option<String>,
    /// Let model owners change any model, not just those they own.
    #[arg(long)]
    pub no_per_model_ownership: bool,
    /// Ed25519 key for signing audit checkpoints (64 hex digits; created if missing, mode 0600).
    #[arg(long)]
    pub checkpoint_key: Option<PathBuf>,
    /// Sign a checkpoint this often, seconds (needs --checkpoint-key).
    #[arg(long, requires = "checkpoint_key")]
    pub checkpoint_every: Option<u64>,
    /// Approval policy (TOML); the built-in default otherwise.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// On an empty database, create this admin account and write its first token to --bootstrap-token-file.
    #[arg(long, requires = "bootstrap_token_file")]
    pub bootstrap_admin: Option<String>,
    /// Where the bootstrap token is written (mode 0600; never printed).
    #[arg(long)]
    pub bootstrap_token_file: Option<PathBuf>,
}

/// Runs `assay serve`.
pub fn run(a: ServeArgs) -> Result<ExitCode, String> {
    let mut config = ServerConfig::new(a.db.clone());
    config.listen = a.listen;
    config.tls = a
        .tls_cert
        .clone()
        .zip(a.tls_key.clone())
        .map(|(cert, key)| TlsFiles { cert, key });
    config.rate_limit_per_second = a.rate_limit;
    config.rate_limit_burst = a.rate_burst;
    config.auth_failures = AuthFailureLimits {
        per_address_per_minute: a.auth_fail_rate,
        per_address_burst: a.auth_fail_burst,
        per_prefix_per_minute: a.auth_fail_prefix_rate,
        per_prefix_burst: a.auth_fail_prefix_burst,
        ipv4_prefix_len: a.ipv4_prefix,
        ipv6_prefix_len: a.ipv6_prefix,
    };
    config.denial_audit = DenialAudit {
        window: Duration::from_secs(a.denial_audit_window),
        individual: a.denial_audit_individual,
    };
    config.json_body_limit = a.max_body;
    config.artifact_body_limit = a.max_artifact;
    config.evidence_body_limit = a.max_evidence;
    config.request_timeout = Duration::from_secs(a.timeout.max(1));
    config.jwt = a.jwks.clone().map(|jwks_file| JwtConfig {
        jwks_file,
        issuer: a.jwt_issuer.clone().unwrap_or_default(),
        audience: a.jwt_audience.clone().unwrap_or_default(),
    });
    config.per_model_ownership = !a.no_per_model_ownership;
    config.checkpoint_key = a.checkpoint_key.clone();
    config.checkpoint_every = a.checkpoint_every.map(|s| Duration::from_secs(s.max(1)));
    config.policy_file = a.policy.clone();
    let tls = config.tls.is_some();

    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async move {
        let server = assay_server::bind(config)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(name) = &a.bootstrap_admin {
            let path = a.bootstrap_token_file.as_ref().expect("clap requires it");
            if let Some(t) = assay_server::bootstrap_admin(&server.state().db, name)
                .await
                .map_err(|e| e.to_string())?
            {
                assay_server::write_private_file(path, &t.token, true)
                    .map_err(|e| format!("--bootstrap-token-file {}: {e}", path.display()))?;
            }
        }
        let scheme = if tls { "https" } else { "http" };
        outln!("listening on {scheme}://{}", server.local_addr());
        use std::io::Write;
        let _ = std::io::stdout().flush();
        server
            .run(shutdown_signal())
            .await
            .map_err(|e| e.to_string())?;
        Ok(ExitCode::SUCCESS)
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
