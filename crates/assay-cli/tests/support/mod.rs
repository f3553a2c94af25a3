//! Scaffolding shared by the tests that run the real `assay serve` binary over HTTP
//! (`serve_crash.rs`, `policy_bypass.rs`, `claimed_verdict.rs`, ...): the storage backends (SQLite always, PostgreSQL when
//! `ASSAY_TEST_POSTGRES_URL` is set), starting and stopping the server, and a JSON client.

#![allow(dead_code)]

pub mod cli;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{json, Value};

/// A storage backend: a SQLite file or a PostgreSQL URL.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

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

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The database target (`--db`) for `backend`: a file in `dir` or a fresh PostgreSQL database.
pub fn db_target(backend: &Backend, dir: &Path) -> String {
    match backend {
        Backend::Sqlite => dir.join("govern.db").to_str().unwrap().to_string(),
        Backend::Postgres(url) => {
            runtime().block_on(assay_govern::testing::fresh_postgres_database(url))
        }
    }
}

/// A running `assay serve` process.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Kept open so that the server never writes to a closed pipe.
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    /// Starts `assay serve` on `db` (rate limit off, a free loopback port); bootstraps the admin
    /// `root` into `dir/token` on an empty database. Logs go to `dir/serve-N.log`.
    pub fn start(db: &str, dir: &Path) -> Server {
        Self::start_with(db, dir, &[])
    }

    /// [`Server::start`] with further `assay serve` arguments.
    pub fn start_with(db: &str, dir: &Path, extra: &[&str]) -> Server {
        static N: AtomicUsize = AtomicUsize::new(0);
        let log = dir.join(format!("serve-{}.log", N.fetch_add(1, Ordering::Relaxed)));
        let token = dir.join("token");
        let mut child = Command::new(env!("CARGO_BIN_EXE_assay"))
            .args(["serve", "--db", db, "--listen", "127.0.0.1:0"])
            .args(["--rate-limit", "0", "--bootstrap-admin", "root"])
            .arg("--bootstrap-token-file")
            .arg(&token)
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let Some(addr) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "assay serve did not start ({line:?}): {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        Server {
            base: addr.to_string(),
            child,
            _stdout: stdout,
        }
    }

    /// SIGKILL, no chance to clean up.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM (graceful shutdown), then waits for the process.
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            self.child.kill().unwrap();
        }
        let status = self.child.wait().unwrap();
        assert!(!ok || status.success(), "assay serve exited with {status}");
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// Sends a JSON request; `Err` only for transport failures (connection refused or reset).
pub fn call(
    agent: &ureq::Agent,
    base: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> Result<(u16, Value), ureq::Error> {
    let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
    let mut req = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header("authorization", format!("Bearer {token}"));
    if bytes.is_some() {
        req = req.header("content-type", "application/json");
    }
    let resp = agent.run(req.body(bytes.unwrap_or_default()).unwrap())?;
    let status = resp.status().as_u16();
    let text = resp.into_body().read_to_string()?;
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok((status, value))
}

/// [`call`] that must reach the server and get `want`.
pub fn expect(
    base: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
    want: u16,
) -> Value {
    let (status, v) = call(&agent(), base, method, path, token, body)
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    assert_eq!(status, want, "{method} {path}: {v}");
    v
}

/// Every audit entry, through the API.
pub fn audit_entries(base: &str, token: &str) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        let after = all.len();
        let page = expect(
            base,
            "GET",
            &format!("/v1/audit?after={after}&limit=1000"),
            token,
            None,
            200,
        );
        let page = page.as_array().unwrap().clone();
        if page.is_empty() {
            return all;
        }
        all.extend(page);
    }
}

/// The bootstrap admin's token that [`Server::start`] wrote into `dir`.
pub fn root_token(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("token"))
        .unwrap()
        .trim()
        .to_string()
}

/// Creates an account with `role` and `teams` as `root`; returns a fresh token for it.
pub fn account(base: &str, root: &str, name: &str, role: &str, teams: &[&str]) -> String {
    let body = json!({"name": name, "kind": "user", "role": role, "teams": teams});
    expect(base, "POST", "/v1/users", root, Some(&body), 201);
    let path = format!("/v1/users/{name}/tokens");
    let t = expect(
        base,
        "POST",
        &path,
        root,
        Some(&json!({"label": "test"})),
        201,
    );
    t["token"].as_str().unwrap().to_string()
}
