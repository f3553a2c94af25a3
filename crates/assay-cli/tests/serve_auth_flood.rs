//! Issue #15, finding 3, against the real `assay serve` binary on SQLite and PostgreSQL: a
//! client presenting a new token on every request is limited per address (429 with
//! `Retry-After` after the burst), the audit chain grows by a bounded number of entries however
//! fast it floods (the first denials of a window one entry each, the rest one counted entry per
//! address prefix and window, with no denial left uncounted), and a client with a valid token
//! from the same address is served throughout. Before, the rate limit was keyed on the token
//! string, so every random token was a fresh budget: every request got 401 and appended its own
//! audit entry (866 entries/s in the probe).

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{agent, audit_entries, backends, db_target, root_token, Backend, Server};

/// Flood threads.
const THREADS: usize = 4;

/// What the flood saw.
#[derive(Default, Debug)]
struct Flood {
    sent: u64,
    unauthorized: u64,
    limited: u64,
    /// Every 429 carried a `Retry-After` of at least one second.
    retry_after_ok: bool,
}

/// `THREADS` threads sending `GET /v1/models` with a never-issued token each for `secs`, while
/// this thread calls `GET /v1/me` with the valid `root` token every 50 ms and requires 200 each
/// time. Returns the flood's tally, the legitimate calls made, and the flood's duration.
fn flood(base: &str, root: &str, secs: f64) -> (Flood, u32, Duration) {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (base, stop) = (base.to_string(), stop.clone());
            std::thread::spawn(move || {
                let agent = agent();
                let mut f = Flood {
                    retry_after_ok: true,
                    ..Flood::default()
                };
                let mut i: u64 = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    // A different well-formed token on every request.
                    let token = format!("assay_{:043}", i * 7919 + t as u64 * 1_000_003);
                    let req = ureq::http::Request::builder()
                        .method("GET")
                        .uri(format!("{base}/v1/models"))
                        .header("authorization", format!("Bearer {token}"))
                        .body(Vec::new())
                        .unwrap();
                    let resp = agent.run(req).expect("the server stays reachable");
                    f.sent += 1;
                    match resp.status().as_u16() {
                        401 => f.unauthorized += 1,
                        429 => {
                            f.limited += 1;
                            let secs = resp
                                .headers()
                                .get("retry-after")
                                .and_then(|v| v.to_str().ok())
                                .and_then(|v| v.parse::<u64>().ok());
                            f.retry_after_ok &= secs.is_some_and(|s| s >= 1);
                        }
                        other => panic!("flood request got {other}"),
                    }
                }
                f
            })
        })
        .collect();
    let legit = agent();
    let mut served = 0;
    while started.elapsed().as_secs_f64() < secs {
        let (status, v) = support::call(&legit, base, "GET", "/v1/me", root, None).unwrap();
        assert_eq!(
            status, 200,
            "a valid token was refused during the flood: {v}"
        );
        served += 1;
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    let mut total = Flood {
        retry_after_ok: true,
        ..Flood::default()
    };
    for t in threads {
        let f = t.join().unwrap();
        total.sent += f.sent;
        total.unauthorized += f.unauthorized;
        total.limited += f.limited;
        total.retry_after_ok &= f.retry_after_ok;
    }
    (total, served, started.elapsed())
}

/// The `auth.denied` entries after position `from`: (entries, denials they account for).
fn denials(entries: &[Value], from: usize) -> (Vec<Value>, u64) {
    let mut list = Vec::new();
    let mut accounted = 0;
    for e in &entries[from..] {
        if e["action"] != "auth.denied" {
            continue;
        }
        let details: Value = serde_json::from_str(e["details"].as_str().unwrap()).unwrap();
        accounted += if details["aggregated"] == true {
            assert_eq!(e["subject"], "client/127.0.0.0/24", "{e}");
            details["count"].as_u64().unwrap()
        } else {
            1
        };
        list.push(e.clone());
    }
    (list, accounted)
}

/// Runs one flood against a server started with `extra` arguments; checks the per-address
/// limit (at most `burst + rate * time` 401s, then 429 with `Retry-After`) and returns the
/// flood, its duration, and the audit log's length before it.
fn run_flood(base: &str, root: &str, secs: f64) -> (Flood, Duration, usize) {
    let before = audit_entries(base, root).len();
    let (f, served, took) = flood(base, root, secs);
    assert!(served >= 10, "legitimate calls made: {served}");
    assert!(f.sent >= 100, "the flood must be a flood: {f:?}");
    assert_eq!(f.unauthorized + f.limited, f.sent);
    // Default per-address limit: a burst of 10, then 30 a minute (one per 2 s).
    let allowed = 10 + (took.as_secs_f64() / 2.0).ceil() as u64 + 1;
    assert!(
        f.unauthorized <= allowed,
        "{} failures answered 401 in {took:?}, the limit allows {allowed}: {f:?}",
        f.unauthorized
    );
    assert!(f.retry_after_ok, "a 429 without Retry-After: {f:?}");
    (f, took, before)
}

fn scenario(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = db_target(backend, dir.path());
    let server = Server::start_with(&db, dir.path(), &[]);
    let root = root_token(dir.path());
    let (f, took, before) = run_flood(&server.base, &root, 3.0);
    // Default aggregation: the first 10 denials of the 60 s window one by one; the rest are
    // still being counted (the window is open).
    let (during, _) = denials(&audit_entries(&server.base, &root), before);
    assert!(
        during.len() <= 10,
        "{} audit entries for {} denials in {took:?}",
        during.len(),
        f.sent
    );
    // A graceful stop writes the open window's count: one more entry, and every denial is
    // accounted for.
    server.stop();
    let server = Server::start_with(&db, dir.path(), &[]);
    let entries = audit_entries(&server.base, &root);
    let (after, accounted) = denials(&entries, before);
    assert!(after.len() <= 11, "{backend:?}: {} entries", after.len());
    assert_eq!(accounted, f.sent, "{backend:?}: every denial counted once");
    let (status, v) = support::call(
        &agent(),
        &server.base,
        "GET",
        "/v1/audit/verify",
        &root,
        None,
    )
    .unwrap();
    assert_eq!((status, &v["ok"]), (200, &Value::Bool(true)), "{v}");
    server.stop();
}

#[test]
fn random_token_flood_is_limited_per_address_and_audited_in_bounded_entries() {
    for backend in backends() {
        scenario(&backend);
    }
}

/// Several windows: with a 1 s window and 2 individual entries, at most 3 entries per window
/// while the flood lasts, each window's summary written when it ends, nothing lost.
#[test]
fn each_window_adds_a_bounded_number_of_entries() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_target(&Backend::Sqlite, dir.path());
    let args = [
        "--denial-audit-window",
        "1",
        "--denial-audit-individual",
        "2",
    ];
    let server = Server::start_with(&db, dir.path(), &args);
    let root = root_token(dir.path());
    let (f, took, before) = run_flood(&server.base, &root, 3.5);
    // Let the last window end and its summary be written (the flusher looks every 250 ms).
    std::thread::sleep(Duration::from_millis(1600));
    let (entries, accounted) = denials(&audit_entries(&server.base, &root), before);
    let windows = took.as_secs_f64().ceil() as usize + 1;
    assert!(
        entries.len() <= 3 * windows,
        "{} entries for {} denials over {took:?}",
        entries.len(),
        f.sent
    );
    assert_eq!(accounted, f.sent, "every denial counted once");
    server.stop();
}
