//! In-process test server and an HTTP client, shared by the API tests. Every scenario runs on
//! SQLite and, when `ASSAY_TEST_POSTGRES_URL` is set, on a fresh PostgreSQL database too
//! ([`backends`]), so the same suite covers both.

#![allow(dead_code)]

use std::sync::mpsc;
use std::thread::JoinHandle;

use assay_server::ServerConfig;
use serde_json::Value;

/// A storage backend to run a scenario on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// SQLite always; PostgreSQL when `ASSAY_TEST_POSTGRES_URL` is set (skipping it is said once).
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    match assay_govern::testing::postgres_url() {
        Some(url) => v.push(Backend::Postgres(url)),
        None => eprintln!(
            "PostgreSQL scenarios skipped: set ASSAY_TEST_POSTGRES_URL=postgres://... to run them"
        ),
    }
    v
}

/// A running server on a loopback port with a bootstrapped admin.
pub struct TestServer {
    pub base: String,
    pub admin: String,
    pub db_target: String,
    pub backend: Backend,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// Starts a server on `backend` with default settings except: port 0, rate limits off,
    /// every denial its own audit entry.
    pub fn start(backend: &Backend) -> TestServer {
        Self::start_with(backend, |_| {})
    }

    /// Starts a server after `adjust` has changed its configuration.
    pub fn start_with(backend: &Backend, adjust: impl FnOnce(&mut ServerConfig)) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let db_target = match backend {
            Backend::Sqlite => dir.path().join("govern.db").to_str().unwrap().to_string(),
            Backend::Postgres(url) => {
                rt.block_on(assay_govern::testing::fresh_postgres_database(url))
            }
        };
        let mut config = ServerConfig::new(db_target.clone());
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.rate_limit_per_second = 0;
        // The suites count denials one by one; the flood tests turn these back on.
        config.auth_failures = assay_server::AuthFailureLimits::off();
        config.denial_audit = assay_server::DenialAudit::every_one();
        config.checkpoint_key = Some(dir.path().join("checkpoint.key"));
        adjust(&mut config);
        let tls = config.tls.is_some();
        let (tx, rx) = mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            rt.block_on(async move {
                let server = assay_server::bind(config).await.unwrap();
                let token = assay_server::bootstrap_admin(&server.state().db, "root")
                    .await
                    .unwrap()
                    .unwrap();
                tx.send((server.local_addr(), token.token)).unwrap();
                server
                    .run(async move {
                        let _ = stop_rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let (addr, admin) = rx.recv().expect("server started");
        TestServer {
            base: format!("{}://{addr}", if tls { "https" } else { "http" }),
            admin,
            db_target,
            backend: backend.clone(),
            shutdown: Some(stop_tx),
            thread: Some(thread),
            _dir: dir,
        }
    }

    /// Sends a request; returns the status and the body parsed as JSON (`Null` when empty,
    /// a string when not JSON).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
        self.raw(
            method,
            path,
            token,
            bytes.as_deref(),
            &[("content-type", "application/json")],
        )
    }

    /// Sends raw bytes with extra headers.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let (status, bytes) = self.raw_bytes(method, path, token, body, headers);
        let text = String::from_utf8_lossy(&bytes).to_string();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    /// Sends a request and returns the status and the raw response body.
    pub fn raw_bytes(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
        headers: &[(&str, &str)],
    ) -> (u16, Vec<u8>) {
        self.try_raw_bytes(method, path, token, body, headers)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Like [`Self::raw_bytes`], but a transport error is returned, not a panic: a server that
    /// refuses an oversized body answers 413 and closes the connection, and the client may see
    /// that as a broken pipe while it is still sending.
    pub fn try_raw_bytes(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
        headers: &[(&str, &str)],
    ) -> Result<(u16, Vec<u8>), ureq::Error> {
        let agent = client();
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            if body.is_some() || *k != "content-type" {
                req = req.header(*k, *v);
            }
        }
        let req = req
            .body(body.map(|b| b.to_vec()).unwrap_or_default())
            .unwrap();
        let resp = agent.run(req)?;
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .with_config()
            .limit(256 << 20)
            .read_to_vec()?;
        Ok((status, bytes))
    }

    /// Creates an account with `role` (and teams) as the admin; returns its token.
    pub fn user(&self, name: &str, role: &str, teams: &[&str]) -> String {
        self.account(name, "user", role, teams)
    }

    /// Creates a user or service account; returns its token.
    pub fn account(&self, name: &str, kind: &str, role: &str, teams: &[&str]) -> String {
        let body = serde_json::json!({"name": name, "kind": kind, "role": role, "teams": teams});
        let (s, v) = self.call("POST", "/v1/users", Some(&self.admin), Some(&body));
        assert_eq!(s, 201, "create user {name}: {v}");
        let (s, v) = self.call(
            "POST",
            &format!("/v1/users/{name}/tokens"),
            Some(&self.admin),
            Some(&serde_json::json!({"label": "test"})),
        );
        assert_eq!(s, 201, "token for {name}: {v}");
        v["token"].as_str().unwrap().to_string()
    }

    /// Opens the server's database directly (for checks behind the API's back).
    pub fn db(&self) -> assay_govern::db::Db {
        let target = self.db_target.clone();
        run_async(async move { assay_govern::db::Db::open_existing(&target).await.unwrap() })
    }

    /// The audit log's length, after checking through the API that the whole chain verifies.
    pub fn audit_len(&self) -> u64 {
        let (st, v) = self.call("GET", "/v1/audit/verify", Some(&self.admin), None);
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["ok"], serde_json::json!(true), "{v}");
        v["head_seq"].as_u64().unwrap_or(0)
    }

    /// The newest audit entry.
    pub fn last_entry(&self) -> Value {
        let n = self.audit_len();
        let path = format!("/v1/audit?after={}", n - 1);
        let (_, v) = self.call("GET", &path, Some(&self.admin), None);
        v[0].clone()
    }

    /// Stops the server and waits for it.
    pub fn stop(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

/// An HTTP client that returns 4xx/5xx responses instead of errors (TLS: trusts any
/// certificate only when the test asks for it; see `tls_client`).
pub fn client() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Runs a future to completion on a fresh current-thread runtime.
pub fn run_async<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A valid minimal model registration.
pub fn model_spec(name: &str) -> Value {
    serde_json::json!({
        "name": name,
        "purpose": "credit scoring",
        "intended_use": "consumer loans under 50k EUR",
        "out_of_scope_uses": ["mortgages"],
        "data_sources": ["core-banking"],
        "upstream": ["feature-store"],
        "downstream": ["loan-decision-service"],
        "risk": {"annex_iii_area": "essential_services", "profiles_natural_persons": true},
    })
}

/// A valid version registration.
pub fn version_spec(version: &str) -> Value {
    serde_json::json!({
        "version": version,
        "artifact_sha256": "ab".repeat(32),
        "description": "first",
    })
}
