//! Durability and tamper evidence of `assay serve`, on the real binary:
//!
//! - the server is killed with SIGKILL while several clients stream writes; after a restart on
//!   the same database every acknowledged (201) write is there, every write that is there is
//!   complete (the row and its audit entry, exactly once), and `assay log verify` passes;
//! - the append-only triggers refuse to edit an audit row; once an attacker with raw access
//!   drops them and edits a row, `assay log verify` exits 1 naming that entry.
//!
//! Both run on SQLite and, when `ASSAY_TEST_POSTGRES_URL` is set, on a fresh PostgreSQL database.

mod support;
use support::cli::stdout;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{
    agent, audit_entries, backends, call, db_target, expect, root_token, runtime, Backend, Server,
};

/// Client threads writing concurrently.
const WRITERS: usize = 4;
/// Acknowledged writes (models and versions) before the kill.
const ACKED_BEFORE_KILL: usize = 300;

fn model_spec(name: &str) -> Value {
    json!({
        "name": name,
        "purpose": "credit scoring",
        "intended_use": "consumer loans under 50k EUR",
        "data_sources": ["core-banking"],
        "risk": {"annex_iii_area": "essential_services", "profiles_natural_persons": true},
    })
}

fn version_spec(version: &str) -> Value {
    json!({"version": version, "artifact_sha256": "ab".repeat(32)})
}

fn log_verify(db: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["log", "verify", "--db", db])
        .output()
        .unwrap()
}

/// What the writers saw acknowledged.
#[derive(Default)]
struct Acked {
    models: Vec<String>,
    versions: Vec<(String, String)>,
}

/// One writer: registers models `crash-W-I` and a version of each, recording every 201, until
/// a request fails in transport (the server is gone). Returns whether its last request was cut
/// off in flight, and any unexpected status.
fn writer(
    w: usize,
    base: String,
    token: String,
    acked: Arc<Mutex<Acked>>,
    count: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) -> Result<bool, String> {
    let agent = agent();
    for i in 0.. {
        if stop.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let name = format!("crash-{w}-{i}");
        match call(
            &agent,
            &base,
            "POST",
            "/v1/models",
            &token,
            Some(&model_spec(&name)),
        ) {
            Ok((201, _)) => {
                acked.lock().unwrap().models.push(name.clone());
                count.fetch_add(1, Ordering::SeqCst);
            }
            Ok((s, v)) => return Err(format!("POST /v1/models {name}: {s} {v}")),
            Err(_) => return Ok(true),
        }
        let version = format!("1.{i}");
        let path = format!("/v1/models/{name}/versions");
        match call(
            &agent,
            &base,
            "POST",
            &path,
            &token,
            Some(&version_spec(&version)),
        ) {
            Ok((201, _)) => {
                acked.lock().unwrap().versions.push((name, version));
                count.fetch_add(1, Ordering::SeqCst);
            }
            Ok((s, v)) => return Err(format!("POST {path}: {s} {v}")),
            Err(_) => return Ok(true),
        }
    }
    unreachable!()
}

fn sigkill_during_writes_loses_no_acknowledged_write(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = db_target(backend, dir.path());
    let server = Server::start(&db, dir.path());
    let token = root_token(dir.path());

    let acked = Arc::new(Mutex::new(Acked::default()));
    let count = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (base, token) = (server.base.clone(), token.clone());
            let (acked, count, stop) = (acked.clone(), count.clone(), stop.clone());
            std::thread::spawn(move || writer(w, base, token, acked, count, stop))
        })
        .collect();
    let started = Instant::now();
    while count.load(Ordering::SeqCst) < ACKED_BEFORE_KILL {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "only {} writes acknowledged in 300 s",
            count.load(Ordering::SeqCst)
        );
        assert!(
            threads.iter().all(|t| !t.is_finished()),
            "a writer stopped before the kill"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // Writes are still streaming: kill the server under them.
    server.kill();
    stop.store(true, Ordering::Relaxed);
    let mut cut_off = 0;
    for t in threads {
        match t.join().unwrap() {
            Ok(in_flight) => cut_off += usize::from(in_flight),
            Err(e) => panic!("unexpected answer before the kill: {e}"),
        }
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    eprintln!(
        "{backend:?}: killed after {} acknowledged models and {} versions; {cut_off} of \
         {WRITERS} writers had a request in flight",
        acked.models.len(),
        acked.versions.len()
    );

    // Restart on the same database (accounts exist: no new bootstrap, the token still works).
    let server = Server::start(&db, dir.path());
    let base = server.base.clone();
    let models: BTreeSet<String> = expect(&base, "GET", "/v1/models", &token, None, 200)
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .filter(|n| n.starts_with("crash-"))
        .collect();
    for m in &acked.models {
        assert!(models.contains(m), "acknowledged model {m} lost");
        expect(&base, "GET", &format!("/v1/models/{m}"), &token, None, 200);
    }
    let mut versions = BTreeSet::new();
    for m in &models {
        for v in expect(
            &base,
            "GET",
            &format!("/v1/models/{m}/versions"),
            &token,
            None,
            200,
        )
        .as_array()
        .unwrap()
        {
            versions.insert((m.clone(), v["version"].as_str().unwrap().to_string()));
        }
    }
    for (m, v) in &acked.versions {
        assert!(
            versions.contains(&(m.clone(), v.clone())),
            "acknowledged version {m} {v} lost"
        );
        expect(
            &base,
            "GET",
            &format!("/v1/models/{m}/versions/{v}"),
            &token,
            None,
            200,
        );
    }
    // At most one unacknowledged model per writer can have committed before the kill.
    assert!(models.len() <= acked.models.len() + WRITERS);
    eprintln!(
        "{backend:?}: after the restart {} models and {} versions are present",
        models.len(),
        versions.len()
    );

    // Every write present is complete: its audit entry is there, exactly once, and no entry
    // describes a write that is not there.
    let entries = audit_entries(&base, &token);
    let mut created: BTreeMap<String, usize> = BTreeMap::new();
    let mut versioned: BTreeMap<(String, String), usize> = BTreeMap::new();
    for e in &entries {
        let subject = e["subject"].as_str().unwrap();
        match e["action"].as_str().unwrap() {
            "model.create" => {
                let m = subject.strip_prefix("model/").unwrap().to_string();
                *created.entry(m).or_default() += 1;
            }
            "version.create" => {
                let (m, v) = subject
                    .strip_prefix("model/")
                    .unwrap()
                    .split_once('/')
                    .unwrap();
                *versioned.entry((m.to_string(), v.to_string())).or_default() += 1;
            }
            _ => {}
        }
    }
    assert!(created.values().all(|&n| n == 1), "duplicate model.create");
    assert!(
        versioned.values().all(|&n| n == 1),
        "duplicate version.create"
    );
    assert_eq!(
        created.keys().cloned().collect::<BTreeSet<_>>(),
        models,
        "model rows and model.create entries differ"
    );
    assert_eq!(
        versioned.keys().cloned().collect::<BTreeSet<_>>(),
        versions,
        "version rows and version.create entries differ"
    );
    let report = expect(&base, "GET", "/v1/audit/verify", &token, None, 200);
    assert_eq!(report["ok"], json!(true), "{report}");
    assert_eq!(report["head_seq"], json!(entries.len()), "{report}");

    // The restarted server takes writes again, appended to the same chain.
    expect(
        &base,
        "POST",
        "/v1/models",
        &token,
        Some(&model_spec("after-restart")),
        201,
    );
    server.stop();

    let o = log_verify(&db);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout(&o).contains(&format!("{} entries", entries.len() + 1)),
        "{}",
        stdout(&o)
    );
}

#[test]
fn sigkill_during_writes_sqlite_and_postgres() {
    for b in backends() {
        sigkill_during_writes_loses_no_acknowledged_write(&b);
    }
}

/// Runs `sql` directly on the database, behind the server's back.
fn raw_exec(backend: &Backend, db: &str, sql: &str) -> Result<(), sqlx::Error> {
    runtime().block_on(async {
        match backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&format!("sqlite:{db}")).await?;
                let r = sqlx::raw_sql(sql).execute(&pool).await;
                pool.close().await;
                r.map(|_| ())
            }
            Backend::Postgres(_) => {
                let pool = sqlx::PgPool::connect(db).await?;
                let r = sqlx::raw_sql(sql).execute(&pool).await;
                pool.close().await;
                r.map(|_| ())
            }
        }
    })
}

fn edited_audit_row_fails_verification_at_that_entry(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = db_target(backend, dir.path());
    let server = Server::start(&db, dir.path());
    let token = root_token(dir.path());
    for name in ["alpha", "beta", "gamma"] {
        expect(
            &server.base,
            "POST",
            "/v1/models",
            &token,
            Some(&model_spec(name)),
            201,
        );
        let path = format!("/v1/models/{name}/versions");
        expect(
            &server.base,
            "POST",
            &path,
            &token,
            Some(&version_spec("1.0")),
            201,
        );
    }
    let entries = audit_entries(&server.base, &token);
    let target = entries
        .iter()
        .find(|e| e["action"] == "model.create" && e["subject"] == "model/beta")
        .expect("model.create of beta");
    let seq = target["seq"].as_u64().unwrap();
    assert!(
        seq < entries.len() as u64,
        "the edited entry is not the last"
    );
    server.stop();

    let o = log_verify(&db);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // The append-only triggers refuse the edit (and a delete) while they are in place.
    let edit = format!(
        "UPDATE audit_log SET details = '{{\"name\":\"beta\",\"owner\":\"mallory\"}}' WHERE seq = {seq}"
    );
    for sql in [
        edit.clone(),
        format!("DELETE FROM audit_log WHERE seq = {seq}"),
    ] {
        let err = raw_exec(backend, &db, &sql).expect_err("trigger refuses");
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(log_verify(&db).status.code(), Some(0));

    // An attacker with raw write access drops the triggers and edits the row.
    let drop = match backend {
        Backend::Sqlite => {
            "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;"
        }
        Backend::Postgres(_) => "DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log;",
    };
    raw_exec(backend, &db, drop).unwrap();
    raw_exec(backend, &db, &edit).unwrap();
    let o = log_verify(&db);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("does NOT verify"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(&format!("first bad entry is seq {seq}:")),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains(&format!("({} entries before it verified)", seq - 1)),
        "{}",
        stdout(&o)
    );

    // The server reports the same entry.
    let server = Server::start(&db, dir.path());
    let report = expect(&server.base, "GET", "/v1/audit/verify", &token, None, 200);
    assert_eq!(report["ok"], json!(false), "{report}");
    assert_eq!(report["problem_seq"], json!(seq), "{report}");
    server.stop();
}

#[test]
fn edited_audit_row_fails_verification_sqlite_and_postgres() {
    for b in backends() {
        edited_audit_row_fails_verification_at_that_entry(&b);
    }
}
