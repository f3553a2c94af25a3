//! Issue #15, finding 13: a token in the query string is refused (401, telling the client to
//! use `Authorization: Bearer`) and never written to the request log, on matched and unmatched
//! paths alike. Before, `GET /v1/models?access_token=...` with a valid Authorization header
//! succeeded and the request log's `uri` field held the token.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use common::{Backend, TestServer};

/// Everything the server logs in this test binary.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber once (JSON lines at INFO, as `assay serve` logs).
fn captured() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let writer = log.clone();
        tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || writer.clone())
            .init();
        log
    })
}

#[test]
fn tokens_in_query_strings_are_refused_and_redacted_from_the_log() {
    let log = captured();
    let s = TestServer::start(&Backend::Sqlite);
    let secret = "s3cr3t-query-value";
    let admin = s.admin.clone();

    // A valid token in the URL is refused even beside a valid header, and the message says
    // where the token belongs.
    for (path, header) in [
        (format!("/v1/models?access_token={admin}"), None),
        (
            format!("/v1/models?limit=5&token={admin}"),
            Some(admin.as_str()),
        ),
        (format!("/v1/me?t={admin}"), Some(admin.as_str())),
        (format!("/v1/me?api_key={secret}"), None),
        (format!("/v1/me?Password={secret}"), Some(admin.as_str())),
        (format!("/health?secret={secret}"), None),
    ] {
        let (st, v) = s.call("GET", &path, header, None);
        assert_eq!(st, 401, "{path}: {v}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains("Authorization: Bearer"), "{msg}");
        assert!(!msg.contains(secret) && !msg.contains(&admin), "{msg}");
        let e = s.last_entry();
        assert_eq!(e["action"], "auth.denied", "{e}");
        assert!(!e.to_string().contains(secret) && !e.to_string().contains(&admin));
    }
    // Unmatched paths are logged too, and redacted as well.
    let (st, _) = s.call("GET", &format!("/nowhere?password={secret}"), None, None);
    assert_eq!(st, 404);
    // Ordinary parameters still work and are logged as they are.
    let (st, v) = s.call("GET", "/v1/audit?after=0&limit=3", Some(&admin), None);
    assert_eq!(st, 200, "{v}");
    s.stop();

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("/v1/audit?after=0&limit=3"),
        "request log lines are written: {text}"
    );
    assert!(text.contains("access_token=[redacted]"), "{text}");
    assert!(text.contains("/nowhere?password=[redacted]"), "{text}");
    assert!(
        !text.contains(secret),
        "a credential reached the log: {text}"
    );
    // The admin token itself: the random part after its prefix.
    assert!(!text.contains(&admin[admin.len() - 16..]), "{text}");
}
