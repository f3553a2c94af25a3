//! Issue #15: a reader that closes the pipe early (`assay incident list | true`,
//! `| head -1`) is a normal end of every command: exit code 0 and no panic message. Before,
//! `println!` panicked on the broken pipe (exit code 101). Each command here runs as the real
//! binary with its standard output a pipe whose reading end is closed before it writes.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::{root_token, Backend, Server};

/// Runs `cmd` with standard output closed by the reader; expects exit code 0, no panic.
fn closed_stdout(cmd: &mut Command, what: &str) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run assay");
    // Close the only reading end: every write of the child now fails with EPIPE.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(!err.contains("Broken pipe"), "{what}: {err}");
    assert_eq!(out.status.code(), Some(0), "{what}: {err}");
}

fn assay(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_assay"));
    c.args(args)
        .env_remove("ASSAY_TOKEN")
        .env_remove("ASSAY_TOKEN_FILE")
        .env_remove("ASSAY_SERVER");
    c
}

fn hiring(dir: &Path) -> PathBuf {
    let p = dir.join("hiring.csv");
    let o = assay(&[
        "example",
        "hiring",
        "--rows",
        "2000",
        "--out",
        p.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    p
}

#[test]
fn local_commands_end_cleanly_on_a_closed_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let data = hiring(dir.path());
    let d = data.to_str().unwrap();
    let roles = [
        "--label",
        "qualified",
        "--prediction",
        "shortlisted",
        "--score",
        "score",
        "--sensitive",
        "gender,race",
        "--bootstrap",
        "50",
    ];
    for format in ["table", "json", "markdown"] {
        let mut args = vec!["fairness", d, "--format", format];
        args.extend(roles);
        closed_stdout(&mut assay(&args), &format!("fairness --format {format}"));
    }
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!(
            "row {i}: write to person{i}@example.com or call 555-0100\n"
        ));
    }
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, text).unwrap();
    let n = notes.to_str().unwrap();
    closed_stdout(&mut assay(&["pii", "scan", n]), "pii scan");
    closed_stdout(
        &mut assay(&["pii", "scan", n, "--format", "json"]),
        "pii scan --format json",
    );
    closed_stdout(
        &mut assay(&["pii", "mask", n, "--out", "-", "--operator", "*=redact"]),
        "pii mask",
    );
    closed_stdout(
        &mut assay(&[
            "risk",
            "--data",
            d,
            "--quasi-identifiers",
            "gender,race",
            "--sensitive",
            "qualified",
            "--format",
            "json",
        ]),
        "risk",
    );
}

/// The reported case: `assay incident list | true` against a server.
#[test]
fn server_listings_end_cleanly_on_a_closed_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::db_target(&Backend::Sqlite, dir.path());
    let server = Server::start(&db, dir.path());
    let token = root_token(dir.path());
    for args in [
        vec!["incident", "--server", &server.base, "list"],
        vec!["registry", "--server", &server.base, "audit", "list"],
        vec!["registry", "--server", &server.base, "model", "list"],
        vec!["registry", "--server", &server.base, "policy"],
    ] {
        let mut cmd = assay(&args);
        cmd.env("ASSAY_TOKEN", &token);
        closed_stdout(&mut cmd, &args.join(" "));
    }
    server.stop();
}
