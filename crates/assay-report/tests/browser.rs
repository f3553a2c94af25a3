//! The HTML report in a real browser: headless Chromium loads it from a
//! file, and the parsed DOM and a screenshot are checked.
//!
//! Skipped (with a message) when Chromium is not installed, except on CI
//! (`CI=true`), which installs it: there a missing browser fails the test.
//! Set `ASSAY_REPORT_SCREENSHOT=path.png` to keep the screenshot.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use assay_report::{html, HTML_SECTIONS};

/// The Chromium binary on PATH, if any.
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|bin| {
        Command::new(bin)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Runs headless Chromium with the isolation flags and `extra`, killing it
/// (only the process started here) if it takes longer than two minutes.
fn run(bin: &str, profile: &Path, extra: &[String], url: &str) -> Output {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start chromium");
    // Drain both pipes while waiting: a full pipe would block the browser.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        match child.try_wait().expect("wait for chromium") {
            Some(status) => break status,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within two minutes");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

#[test]
fn renders_in_headless_chromium() {
    let Some(bin) = chromium() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("chromium is not installed, but CI=true requires the browser test to run");
        }
        assay_data::datasets::skip("chromium not installed");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("report.html");
    std::fs::write(&page, html(common::hiring())).expect("write report");
    let url = format!("file://{}", page.display());

    let dom = run(
        bin,
        &dir.path().join("profile-dom"),
        &["--dump-dom".into()],
        &url,
    );
    assert!(
        dom.status.success(),
        "chromium --dump-dom failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    for id in HTML_SECTIONS {
        assert!(
            dom.contains(&format!("<section id=\"{id}\">")),
            "section {id} missing from the DOM"
        );
    }
    for element in ["<svg", "<circle", "<line", "<rect", "<text", "<table"] {
        assert!(dom.contains(element), "{element} missing from the DOM");
    }
    assert!(dom.matches("<svg").count() >= 9);
    assert!(dom.contains("Female × Black"));

    let png = dir.path().join("report.png");
    let shot = run(
        bin,
        &dir.path().join("profile-shot"),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,4000".into(),
        ],
        &url,
    );
    assert!(
        shot.status.success(),
        "chromium --screenshot failed: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    assert!(
        bytes.len() > 20 * 1024,
        "screenshot is only {} bytes: blank page?",
        bytes.len()
    );
    if let Ok(keep) = std::env::var("ASSAY_REPORT_SCREENSHOT") {
        std::fs::copy(&png, keep).expect("copy screenshot");
    }
}
