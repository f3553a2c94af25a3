//! Building the router and running the server (plain HTTP, or HTTPS with rustls).

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::{Extension, Router};
use ed25519_dalek::SigningKey;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use assay_govern::checkpoint;
use assay_govern::db::Db;
use assay_govern::policy::Policy;
use assay_govern::users::{self, AccountKind, IssuedToken, NewUser, Role};

use crate::config::ServerConfig;
use crate::error::ServerError;
use crate::json::BodyLimit;
use crate::jwt::JwtVerifier;
use crate::state::AppState;

/// The axum application for `state`: every route of [`crate::routes::all`] behind the guard,
/// with the JSON body limit, the request timeout and request logging.
pub fn app(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    for r in crate::routes::all(&state.config) {
        // The limit is enforced on the byte stream by the body extractors (see `crate::json`);
        // `BodyLimit` lets their 413 name it. Route layers run inside the router's, so a
        // route's own limit replaces the JSON default.
        let handler = match r.body_limit {
            Some(limit) => r
                .handler
                .layer::<_, std::convert::Infallible>(DefaultBodyLimit::max(limit))
                .layer(Extension(BodyLimit(limit))),
            None => r.handler,
        };
        router = router.route(r.path, handler);
    }
    let timeout = state.config.request_timeout;
    router
        .route_layer(from_fn_with_state(state.clone(), crate::guard::guard))
        .layer(DefaultBodyLimit::max(state.config.json_body_limit))
        .layer(Extension(BodyLimit(state.config.json_body_limit)))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(
            // One JSON log line per request at INFO: method, URI (credentials in the query
            // string redacted), status and latency.
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        uri = %crate::redact::redacted_uri(req.uri()),
                        version = ?req.version(),
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// A server bound to its address, not yet serving.
pub struct BoundServer {
    listener: std::net::TcpListener,
    addr: SocketAddr,
    state: AppState,
}

/// Opens the database (migrating it), loads the JWKS and checkpoint key, and binds the socket.
pub async fn bind(config: ServerConfig) -> Result<BoundServer, ServerError> {
    let db = Db::open(&config.db).await?;
    let jwt = config
        .jwt
        .as_ref()
        .map(JwtVerifier::from_config)
        .transpose()?;
    let key = config
        .checkpoint_key
        .as_deref()
        .map(load_or_create_key)
        .transpose()?;
    let listener = std::net::TcpListener::bind(config.listen).map_err(|e| ServerError::Io {
        context: format!("binding {}", config.listen),
        source: e,
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| ServerError::Io {
            context: "configuring the socket".into(),
            source: e,
        })?;
    let addr = listener.local_addr().map_err(|e| ServerError::Io {
        context: "reading the bound address".into(),
        source: e,
    })?;
    let policy = config
        .policy_file
        .as_deref()
        .map(Policy::from_file)
        .transpose()?;
    let mut state = AppState::new(db, config, jwt, key);
    if let Some(policy) = policy {
        state.policy = std::sync::Arc::new(policy);
    }
    Ok(BoundServer {
        listener,
        addr,
        state,
    })
}

impl BoundServer {
    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (database handle included).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then stops accepting, lets requests in flight finish
    /// (at most 10 s under TLS) and writes the audit entries of denials still being counted.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let state = self.state.clone();
        if let (Some(every), Some(key)) =
            (state.config.checkpoint_every, state.checkpoint_key.clone())
        {
            let db = state.db.clone();
            tokio::spawn(periodic_checkpoints(db, key, every));
        }
        let tls = state.config.tls.clone();
        // Denials still being counted are written when serving ends.
        let app = app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        match tls {
            None => {
                let listener = tokio::net::TcpListener::from_std(self.listener).map_err(|e| {
                    ServerError::Io {
                        context: "registering the socket".into(),
                        source: e,
                    }
                })?;
                let served = axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await
                    .map_err(|e| ServerError::Io {
                        context: "serving".into(),
                        source: e,
                    });
                crate::guard::flush_all_denials(&state).await;
                served
            }
            Some(files) => {
                let _ = rustls::crypto::ring::default_provider().install_default();
                let tls =
                    axum_server::tls_rustls::RustlsConfig::from_pem_file(&files.cert, &files.key)
                        .await
                        .map_err(|e| ServerError::Io {
                            context: format!(
                                "loading TLS certificate {} and key {}",
                                files.cert.display(),
                                files.key.display()
                            ),
                            source: e,
                        })?;
                let handle = axum_server::Handle::new();
                let h = handle.clone();
                tokio::spawn(async move {
                    shutdown.await;
                    h.graceful_shutdown(Some(Duration::from_secs(10)));
                });
                let served = axum_server::from_tcp_rustls(self.listener, tls)
                    .map_err(|e| ServerError::Io {
                        context: "registering the socket".into(),
                        source: e,
                    })?
                    .handle(handle)
                    .serve(app)
                    .await
                    .map_err(|e| ServerError::Io {
                        context: "serving".into(),
                        source: e,
                    });
                crate::guard::flush_all_denials(&state).await;
                served
            }
        }
    }
}

async fn periodic_checkpoints(db: Db, key: std::sync::Arc<SigningKey>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        match checkpoint::create(&db, &key).await {
            Ok(Ok(cp)) => tracing::info!(seq = cp.seq, "signed audit checkpoint"),
            Ok(Err(report)) => tracing::error!(
                problem = ?report.problem.map(|p| (p.seq, p.kind.to_string())),
                "audit chain does not verify: checkpoint refused"
            ),
            Err(e) => tracing::error!(error = %e, "checkpoint failed"),
        }
    }
}

/// Reads an Ed25519 signing key (64 hex digits, [`checkpoint::parse_signing_key`]) from
/// `path`, or creates the file with a fresh random key, readable and writable by its owner only.
pub fn load_or_create_key(path: &Path) -> Result<SigningKey, ServerError> {
    match std::fs::read_to_string(path) {
        Ok(text) => checkpoint::parse_signing_key(&text).map_err(|e| {
            ServerError::Config(format!(
                "{}: not an Ed25519 signing key: {e}",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = checkpoint::generate_key();
            write_private_file(path, &hex::encode(key.to_bytes()), false).map_err(|e| {
                ServerError::Io {
                    context: format!("creating key file {}", path.display()),
                    source: e,
                }
            })?;
            Ok(key)
        }
        Err(e) => Err(ServerError::Io {
            context: format!("reading key file {}", path.display()),
            source: e,
        }),
    }
}

/// Writes `line` and a newline to `path`, readable and writable by its owner only (mode 0600),
/// and syncs it: for secrets (signing keys, the bootstrap token). With `replace` false the file
/// must not exist yet.
pub fn write_private_file(path: &Path, line: &str, replace: bool) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if replace {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    writeln!(f, "{line}")?;
    f.sync_all()
}

/// When the database has no accounts yet, creates the admin account `name` and returns its
/// first API token (to be shown once); `None` when accounts already exist.
pub async fn bootstrap_admin(db: &Db, name: &str) -> Result<Option<IssuedToken>, ServerError> {
    if users::count(db).await? > 0 {
        return Ok(None);
    }
    users::create(
        db,
        "bootstrap",
        &NewUser {
            name: name.to_string(),
            kind: AccountKind::User,
            role: Role::Admin,
            teams: vec![],
        },
    )
    .await?;
    let token = users::issue_token(db, "bootstrap", name, "bootstrap", None).await?;
    Ok(Some(token))
}
