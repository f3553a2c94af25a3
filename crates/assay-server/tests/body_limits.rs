//! Issue #15, finding 4: request bodies are limited on the byte stream, before parsing. An
//! evidence body larger than the stored report's limit is refused with 413 after at most about
//! the limit has arrived; before, the evidence route accepted 64 MiB (the artifact limit), so a
//! 57 MiB body was read and parsed completely (about 1 GB of memory) before the 16 MiB report
//! limit was checked.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use assay_server::config::DEFAULT_EVIDENCE_BODY_LIMIT;
use common::{Backend, TestServer};

/// How much a chunked body may stream at most (the writer stops here if never answered).
const STREAM_CAP: usize = 160 << 20;
/// Slack for what sits in socket buffers and in flight when the server answers.
const SLACK: usize = 8 << 20;

/// Streams a chunked JSON-looking body of up to [`STREAM_CAP`] bytes to `path` and returns
/// the status, the response body, and how many body bytes had been written when the response's
/// status line arrived.
fn stream_until_answered(s: &TestServer, path: &str, token: &str) -> (u16, String, usize) {
    let addr = s.base.strip_prefix("http://").unwrap();
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sent = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicBool::new(false));
    let (sent_w, answered_w) = (sent.clone(), answered.clone());
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    let feeder = std::thread::spawn(move || {
        writer.write_all(head.as_bytes()).unwrap();
        let prefix = br#"{"kind":"fairness","verdict":"none","report":{"pad":""#;
        let chunk = vec![b'a'; 64 << 10];
        let mut first = true;
        while !answered_w.load(Ordering::SeqCst) && sent_w.load(Ordering::SeqCst) < STREAM_CAP {
            let data: &[u8] = if first { prefix } else { &chunk };
            first = false;
            let framed = [format!("{:x}\r\n", data.len()).as_bytes(), data, b"\r\n"].concat();
            if writer.write_all(&framed).is_err() {
                return; // the server closed the connection after answering
            }
            sent_w.fetch_add(data.len(), Ordering::SeqCst);
        }
    });
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let at_answer = sent.load(Ordering::SeqCst);
    answered.store(true, Ordering::SeqCst);
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {status_line:?}"));
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap();
            }
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).unwrap();
    // Unblocks the feeder if it is stuck writing to a server that stopped reading.
    let _ = reader.get_ref().shutdown(std::net::Shutdown::Both);
    feeder.join().unwrap();
    (
        status,
        String::from_utf8_lossy(&body).into_owned(),
        at_answer,
    )
}

#[test]
fn oversized_evidence_is_refused_on_the_stream_before_parsing() {
    let s = TestServer::start(&Backend::Sqlite);
    let (status, body, at_answer) = stream_until_answered(
        &s,
        "/v1/models/credit/versions/v1/evidence",
        &s.admin.clone(),
    );
    assert_eq!(status, 413, "{body}");
    assert!(
        body.contains(&format!("limit of {DEFAULT_EVIDENCE_BODY_LIMIT} bytes")),
        "the 413 names the limit: {body}"
    );
    assert!(
        at_answer < DEFAULT_EVIDENCE_BODY_LIMIT + SLACK,
        "answered only after {at_answer} bytes: the body was read beyond its limit of \
         {DEFAULT_EVIDENCE_BODY_LIMIT}"
    );
    // The refusal is audited like every rejected request.
    let e = s.last_entry();
    assert_eq!(e["action"], "request.rejected", "{e}");
    assert!(e["details"].as_str().unwrap().contains("413"), "{e}");
    s.stop();
}

#[test]
fn json_routes_and_a_configured_evidence_limit_are_enforced_the_same_way() {
    let s = TestServer::start_with(&Backend::Sqlite, |c| c.evidence_body_limit = 1 << 20);
    let (status, body, at_answer) = stream_until_answered(
        &s,
        "/v1/models/credit/versions/v1/evidence",
        &s.admin.clone(),
    );
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("limit of 1048576 bytes (1 MiB)"), "{body}");
    assert!(at_answer < (1 << 20) + SLACK, "{at_answer}");
    // An ordinary JSON route, under the 1 MiB JSON default.
    let (status, body, at_answer) = stream_until_answered(&s, "/v1/models", &s.admin.clone());
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("limit of 1048576 bytes"), "{body}");
    assert!(at_answer < (1 << 20) + SLACK, "{at_answer}");
    s.stop();
}
