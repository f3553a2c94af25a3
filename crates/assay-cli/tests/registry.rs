//! End-to-end tests of `assay registry`, `assay incident` and `--submit`: each test starts the
//! real `assay serve` binary on a loopback port with a fresh SQLite database, drives it with the
//! CLI (token from `$ASSAY_TOKEN`, never a flag) and checks the server's state through the CLI.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

mod support;
use support::cli::stderr;

/// A running `assay serve` child process, killed on drop.
struct Server {
    child: Child,
    base: String,
    admin: String,
    /// A CA certificate file every CLI run gets in `$ASSAY_CA_CERT` (TLS tests).
    ca: Option<String>,
    dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        Server::start_with(tempfile::tempdir().unwrap(), &[])
    }

    /// Starts the server with extra `assay serve` flags, its files in `dir`.
    fn start_with(dir: tempfile::TempDir, extra: &[&str]) -> Server {
        let token_file = dir.path().join("root.token");
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_assay"))
            .args([
                "serve",
                "--db",
                dir.path().join("govern.db").to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
                "--rate-limit",
                "0",
                "--bootstrap-admin",
                "root",
                "--bootstrap-token-file",
                token_file.to_str().unwrap(),
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start assay serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(addr) = line.strip_prefix("listening on ") {
                        break addr.trim().to_string();
                    }
                }
                _ => {
                    let _ = child.kill();
                    let log =
                        std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
                    panic!("assay serve exited before listening: {log}");
                }
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let admin = std::fs::read_to_string(&token_file)
            .unwrap()
            .trim()
            .to_string();
        Server {
            child,
            base,
            admin,
            ca: None,
            dir,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `assay ARGS` with `token` in `$ASSAY_TOKEN` (none when `None`).
    fn run(&self, token: Option<&str>, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_assay"));
        cmd.args(args)
            .env_remove("ASSAY_TOKEN")
            .env_remove("ASSAY_TOKEN_FILE")
            .env_remove("ASSAY_SERVER")
            .env_remove("ASSAY_CA_CERT");
        if let Some(t) = token {
            cmd.env("ASSAY_TOKEN", t);
        }
        if let Some(ca) = &self.ca {
            cmd.env("ASSAY_CA_CERT", ca);
        }
        cmd.output().expect("run assay")
    }

    /// Runs `assay registry|incident --server BASE ARGS...`, expects exit 0 and returns the
    /// JSON printed.
    fn ok(&self, token: &str, args: &[&str]) -> Value {
        let mut full = vec![args[0], "--server", &self.base];
        full.extend(&args[1..]);
        let o = self.run(Some(token), &full);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: stdout is not JSON ({e}): {}",
                String::from_utf8_lossy(&o.stdout)
            )
        })
    }

    /// Runs `assay registry|incident --server BASE ARGS...` and returns the raw output.
    fn cli(&self, token: Option<&str>, args: &[&str]) -> Output {
        let mut full = vec![args[0], "--server", &self.base];
        full.extend(&args[1..]);
        self.run(token, &full)
    }

    /// An account with `role` and a fresh token for it.
    fn account(&self, name: &str, kind: &str, role: &str) -> String {
        self.member(name, kind, role, "")
    }

    /// An account with `role` in `teams` (comma-separated) and a fresh token for it.
    fn member(&self, name: &str, kind: &str, role: &str, teams: &str) -> String {
        let mut args = vec![
            "registry", "user", "create", name, "--role", role, "--kind", kind,
        ];
        if !teams.is_empty() {
            args.extend(["--teams", teams]);
        }
        let u = self.ok(&self.admin, &args);
        assert_eq!(u["name"], name);
        let t = self.ok(
            &self.admin,
            &["registry", "token", "issue", name, "--label", "test"],
        );
        t["token"].as_str().expect("token shown once").to_string()
    }

    fn evidence_url(&self, model: &str, version: &str) -> String {
        format!(
            "{}/v1/models/{model}/versions/{version}/evidence",
            self.base
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The hiring example, as the fairness tests use it.
fn hiring(s: &Server) -> PathBuf {
    let p = s.path("hiring.csv");
    let o = s.run(
        None,
        &[
            "example",
            "hiring",
            "--rows",
            "2000",
            "--out",
            p.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    p
}

const HIRING_ROLES: [&str; 8] = [
    "--label",
    "qualified",
    "--prediction",
    "shortlisted",
    "--score",
    "score",
    "--sensitive",
    "gender,race",
];

/// Registers model `credit` (owned by `owner_token`'s account) with version `1.0`.
fn credit_1_0(s: &Server, owner: &str) -> Vec<u8> {
    let m = s.ok(
        owner,
        &[
            "registry",
            "model",
            "create",
            "--name",
            "credit",
            "--purpose",
            "credit scoring",
            "--intended-use",
            "consumer loans",
            "--data-sources",
            "core-banking,bureau",
            "--annex-iii-area",
            "essential_services",
            "--profiles-natural-persons",
        ],
    );
    assert_eq!(m["name"], "credit");
    assert_eq!(
        m["data_sources"],
        serde_json::json!(["core-banking", "bureau"])
    );
    let bytes = b"model weights v1.0\n".repeat(100);
    let artifact = s.path("model.bin");
    std::fs::write(&artifact, &bytes).unwrap();
    let v = s.ok(
        owner,
        &[
            "registry",
            "version",
            "create",
            "credit",
            "--version",
            "1.0",
            "--artifact",
            artifact.to_str().unwrap(),
            "--description",
            "first",
        ],
    );
    assert_eq!(v["artifact_sha256"], sha256_hex(&bytes));
    assert_eq!(v["stage"], "development");
    bytes
}

#[test]
fn registry_inventory_artifacts_evidence_and_submit() {
    let s = Server::start();
    let ci = s.account("ci", "service", "model_owner");
    let me = s.ok(&ci, &["registry", "whoami"]);
    assert_eq!(me["name"], "ci");
    let bytes = credit_1_0(&s, &ci);

    // Model read back, through $ASSAY_SERVER instead of --server.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_assay"));
    let o = cmd
        .args(["registry", "model", "get", "credit"])
        .env("ASSAY_SERVER", &s.base)
        .env("ASSAY_TOKEN", &ci)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let m: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(m["owner"], "ci");
    assert_eq!(m["risk"]["annex_iii_area"], "essential_services");
    let list = s.ok(&ci, &["registry", "model", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);

    // A signed artifact upload, verified by the server, and its download.
    let key = s.path("signing.key");
    std::fs::write(&key, "07".repeat(32) + "\n").unwrap();
    let a = s.ok(
        &ci,
        &[
            "registry",
            "artifact",
            "upload",
            "credit",
            "1.0",
            s.path("model.bin").to_str().unwrap(),
            "--sign-key",
            key.to_str().unwrap(),
        ],
    );
    assert_eq!(a["name"], "model.bin");
    assert_eq!(a["sha256"], sha256_hex(&bytes));
    assert_eq!(a["signed"], true);
    assert_eq!(a["matches_version"], true);
    let out = s.path("download.bin");
    let d = s.ok(
        &ci,
        &[
            "registry",
            "artifact",
            "download",
            "credit",
            "1.0",
            "model.bin",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(d["sha256"], sha256_hex(&bytes));
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    let arts = s.ok(&ci, &["registry", "artifact", "list", "credit", "1.0"]);
    assert_eq!(arts.as_array().unwrap().len(), 1);
    // A traversal name is refused by the server: exit 2 with its message.
    let o = s.cli(
        Some(&ci),
        &[
            "registry",
            "artifact",
            "upload",
            "credit",
            "1.0",
            s.path("model.bin").to_str().unwrap(),
            "--name",
            "..",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("HTTP 4"), "{}", stderr(&o));

    // A review schedule that fairness evidence completes.
    let sch = s.ok(
        &ci,
        &[
            "registry",
            "schedule",
            "create",
            "credit",
            "--kind",
            "fairness",
            "--every-days",
            "90",
        ],
    );
    assert_eq!(sch["kind"], "fairness");
    assert!(sch["last_done_ms"].is_null());

    // assay fairness --submit: a failing policy still exits 1, the report goes up with verdict
    // "fail", and the local JSON is written.
    let data = hiring(&s);
    let policy = s.path("p.toml");
    std::fs::write(
        &policy,
        "[[rule]]\nmetric = \"disparate_impact_ratio\"\nmin = 0.8\n",
    )
    .unwrap();
    let report = s.path("fairness.json");
    let url = s.evidence_url("credit", "1.0");
    let mut args = vec!["fairness", data.to_str().unwrap()];
    args.extend(HIRING_ROLES);
    args.extend([
        "--policy",
        policy.to_str().unwrap(),
        "--format",
        "json",
        "--json",
        report.to_str().unwrap(),
        "--submit",
        &url,
    ]);
    let o = s.run(Some(&ci), &args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("submitted fairness evidence"),
        "{}",
        stderr(&o)
    );
    let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(printed["policy"]["passed"], false);
    let local: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(local, printed);

    // Without a policy: verdict none, exit 0.
    let mut args = vec!["fairness", data.to_str().unwrap()];
    args.extend(HIRING_ROLES);
    args.extend(["--format", "json", "--submit", &url]);
    let o = s.run(Some(&ci), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // `registry evidence submit` of the saved report infers the verdict from policy.passed.
    let e = s.ok(
        &ci,
        &[
            "registry",
            "evidence",
            "submit",
            "credit",
            "1.0",
            "--kind",
            "fairness",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(e["verdict"], "fail");

    // dp epsilon --submit (JSON only).
    let dp = [
        "dp",
        "epsilon",
        "--sampling-rate",
        "0.01",
        "--noise-multiplier",
        "1.1",
        "--steps",
        "1000",
        "--delta",
        "1e-5",
    ];
    let mut args = dp.to_vec();
    args.extend(["--format", "json", "--submit", &url]);
    let o = s.run(Some(&ci), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut args = dp.to_vec();
    args.extend(["--submit", &url]);
    let o = s.run(Some(&ci), &args);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--format json"), "{}", stderr(&o));

    // The server holds the evidence, with the verdicts, and the schedule is done.
    let list = s.ok(&ci, &["registry", "evidence", "list", "credit", "1.0"]);
    let got: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("fairness", "fail"),
        ("fairness", "none"),
        ("fairness", "fail"),
        ("dp", "none"),
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    );
    let first = list[0]["id"].as_i64().unwrap().to_string();
    let full = s.ok(&ci, &["registry", "evidence", "get", &first]);
    assert_eq!(full["report"]["schema"], "assay.fairness/1");
    assert_eq!(full["report"], local);
    let schedules = s.ok(&ci, &["registry", "schedule", "list", "credit"]);
    assert!(!schedules[0]["last_done_ms"].is_null(), "{schedules}");
    let overdue = s.ok(&ci, &["registry", "schedule", "overdue", "--fail-if-any"]);
    assert_eq!(overdue, serde_json::json!([]));

    // A failed upload is exit 2 after the local outputs were written.
    let report2 = s.path("fairness2.json");
    for (token, bad_url, needle) in [
        ("not-a-token", url.clone(), "HTTP 401"),
        (ci.as_str(), s.evidence_url("credit", "9.9"), "HTTP 404"),
    ] {
        let _ = std::fs::remove_file(&report2);
        let mut args = vec!["fairness", data.to_str().unwrap()];
        args.extend(HIRING_ROLES);
        args.extend(["--json", report2.to_str().unwrap(), "--submit", &bad_url]);
        let o = s.run(Some(token), &args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{needle}: {}", stderr(&o));
        assert!(report2.exists(), "the local report is written first");
    }
    let list = s.ok(&ci, &["registry", "evidence", "list", "credit", "1.0"]);
    assert_eq!(list.as_array().unwrap().len(), 4, "nothing was added");

    // The audit trail verifies, and lists the writes.
    let v = s.ok(&s.admin, &["registry", "audit", "verify"]);
    assert_eq!(v["ok"], true);
    let entries = s.ok(&s.admin, &["registry", "audit", "list", "--limit", "1000"]);
    assert!(entries
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["actor"] == "ci" && e["action"].as_str().unwrap().starts_with("evidence")));
}

#[test]
fn incident_lifecycle() {
    let s = Server::start();
    let owner = s.account("alice", "user", "model_owner");
    credit_1_0(&s, &owner);
    let opened = s.ok(
        &owner,
        &[
            "incident",
            "open",
            "--title",
            "approval rate gap for women",
            "--severity",
            "sev2",
            "--description",
            "monitoring alert",
            "--version",
            "credit@1.0",
        ],
    );
    let id = opened["id"].as_i64().unwrap().to_string();
    assert_eq!(opened["status"], "open");
    assert_eq!(
        opened["versions"],
        serde_json::json!([{"model": "credit", "version": "1.0"}])
    );
    s.ok(&owner, &["incident", "note", &id, "paged the on-call"]);
    let st = s.ok(
        &owner,
        &[
            "incident",
            "status",
            &id,
            "investigating",
            "--note",
            "looking",
        ],
    );
    assert_eq!(st["status"], "investigating");
    // sev2 cannot be resolved without a post-mortem: the server's message, exit 2.
    let o = s.cli(Some(&owner), &["incident", "status", &id, "resolved"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("post-mortem") || stderr(&o).contains("postmortem"),
        "{}",
        stderr(&o)
    );
    // Status only moves forward.
    let o = s.cli(Some(&owner), &["incident", "status", &id, "open"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let pm = s.path("pm.json");
    std::fs::write(
        &pm,
        r#"{"summary": "gap of 12 points", "root_cause": "drifted bureau feature", "prevention": "monthly fairness audit", "timeline": ["09:00 alert", "10:00 rollback"]}"#,
    )
    .unwrap();
    let with_pm = s.ok(
        &owner,
        &[
            "incident",
            "postmortem",
            &id,
            "--file",
            pm.to_str().unwrap(),
        ],
    );
    assert_eq!(
        with_pm["postmortem"]["root_cause"],
        "drifted bureau feature"
    );
    let resolved = s.ok(&owner, &["incident", "status", &id, "resolved"]);
    assert_eq!(resolved["status"], "resolved");
    assert!(!resolved["resolved_ms"].is_null());

    let shown = s.ok(&owner, &["incident", "show", &id]);
    let kinds: Vec<&str> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"opened"));
    assert!(
        kinds.contains(&"note") && kinds.contains(&"postmortem"),
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "status").count(),
        2,
        "{kinds:?}"
    );
    let resolved = s.ok(&owner, &["incident", "list", "--status", "resolved"]);
    assert_eq!(resolved.as_array().unwrap().len(), 1);
    let open = s.ok(&owner, &["incident", "list", "--status", "open"]);
    assert_eq!(open, serde_json::json!([]));
    let by_model = s.ok(&owner, &["incident", "list", "--model", "credit"]);
    assert_eq!(by_model.as_array().unwrap().len(), 1);

    // A viewer reads but cannot open incidents.
    let viewer = s.account("victor", "user", "viewer");
    s.ok(&viewer, &["incident", "show", &id]);
    let o = s.cli(
        Some(&viewer),
        &["incident", "open", "--title", "x", "--severity", "sev4"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("HTTP 403"), "{}", stderr(&o));
}

#[test]
fn change_requests_and_errors() {
    let s = Server::start();
    let owner = s.account("alice", "user", "model_owner");
    credit_1_0(&s, &owner);
    let c = s.ok(
        &owner,
        &[
            "registry",
            "change",
            "open",
            "credit",
            "1.0",
            "--to",
            "staging",
            "--impact",
            "new applicants only",
            "--rollback-plan",
            "assay registry rollback credit",
        ],
    );
    let id = c["id"].as_i64().unwrap().to_string();
    assert_eq!(c["status"], "open");
    assert_eq!(c["impact_assessment"], "new applicants only");
    let listed = s.ok(&owner, &["registry", "change", "list", "--model", "credit"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // A CI gate: exit 1 while the request is not approved.
    let o = s.cli(
        Some(&owner),
        &["registry", "change", "show", &id, "--expect", "approved"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let shown: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(shown["status"], "open");
    // Separation of duties: the requester cannot approve (the server refuses; exit 2).
    let o = s.cli(Some(&owner), &["registry", "change", "approve", &id]);
    assert_eq!(o.status.code(), Some(2));
    let w = s.ok(&owner, &["registry", "change", "withdraw", &id]);
    assert_eq!(w["status"], "withdrawn");
    s.ok(
        &owner,
        &["registry", "change", "show", &id, "--expect", "withdrawn"],
    );

    // Usage and transport errors are exit 2 with a message.
    let o = s.run(Some(&owner), &["registry", "model", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ASSAY_SERVER"), "{}", stderr(&o));
    let o = s.cli(None, &["registry", "model", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("HTTP 401") && stderr(&o).contains("ASSAY_TOKEN"),
        "{}",
        stderr(&o)
    );
    let o = s.cli(Some(&owner), &["registry", "model", "get", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("HTTP 404"), "{}", stderr(&o));
    // $ASSAY_TOKEN_FILE: the first line of a file (here the bootstrap token file).
    let o = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["registry", "--server", &s.base, "whoami"])
        .env_remove("ASSAY_TOKEN")
        .env("ASSAY_TOKEN_FILE", s.path("root.token"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let me: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(me["name"], "root");
    // The token is never a flag.
    let o = s.cli(Some(&owner), &["registry", "--token", "x", "model", "list"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Registers version `label` of `credit` (artifact bytes derived from the label, in the file
/// [`artifact_of`] names).
fn credit_version(s: &Server, owner: &str, label: &str) {
    let artifact = artifact_of(s, label);
    std::fs::write(&artifact, format!("weights {label}")).unwrap();
    version_of_file(s, owner, label, &artifact);
}

/// The artifact file of version `label` of `credit` (as [`credit_1_0`] and [`credit_version`]
/// write it).
fn artifact_of(s: &Server, label: &str) -> PathBuf {
    match label {
        "1.0" => s.path("model.bin"),
        _ => s.path(&format!("model-{label}.bin")),
    }
}

/// Registers version `label` of `credit` with the model file `artifact`.
fn version_of_file(s: &Server, owner: &str, label: &str, artifact: &std::path::Path) {
    s.ok(
        owner,
        &[
            "registry",
            "version",
            "create",
            "credit",
            "--version",
            label,
            "--artifact",
            artifact.to_str().unwrap(),
        ],
    );
}

/// Submits a passing fairness report for `credit@label` with `assay fairness --submit`: the
/// decisions in the data are declared to be made by the version's artifact (`--predicted-by`),
/// so that the report is bound to the version.
fn passing_fairness(s: &Server, token: &str, data: &std::path::Path, label: &str) {
    let policy = s.path("pass.toml");
    std::fs::write(
        &policy,
        "[[rule]]\nmetric = \"disparate_impact_ratio\"\nmin = 0.01\n",
    )
    .unwrap();
    let url = s.evidence_url("credit", label);
    let artifact = artifact_of(s, label);
    let mut args = vec!["fairness", data.to_str().unwrap()];
    args.extend(HIRING_ROLES);
    args.extend([
        "--predicted-by",
        artifact.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--format",
        "json",
        "--submit",
        &url,
    ]);
    let o = s.run(Some(token), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("verdict pass"), "{}", stderr(&o));
}

/// Promotes `credit@label` to production the way CI would: a change request, two approvals
/// (one from the risk team), the gate, and the application. Returns the applied request.
fn promote(s: &Server, owner: &str, reviewers: [&str; 2], label: &str) -> Value {
    let c = s.ok(
        owner,
        &[
            "registry",
            "change",
            "open",
            "credit",
            label,
            "--to",
            "production",
            "--impact",
            "all new applications",
            "--rollback-plan",
            "assay registry rollback credit",
        ],
    );
    let id = c["id"].as_i64().unwrap().to_string();
    s.ok(
        reviewers[0],
        &["registry", "change", "approve", &id, "--comment", "risk ok"],
    );
    let o = s.cli(
        Some(owner),
        &["registry", "change", "show", &id, "--expect", "approved"],
    );
    assert_eq!(o.status.code(), Some(1), "one approval is not enough");
    s.ok(reviewers[1], &["registry", "change", "approve", &id]);
    s.ok(
        owner,
        &["registry", "change", "show", &id, "--expect", "approved"],
    );
    let applied = s.ok(owner, &["registry", "change", "apply", &id]);
    assert_eq!(applied["status"], "applied");
    applied
}

#[test]
fn change_to_production_with_approvals_evidence_and_rollback() {
    let s = Server::start();
    let owner = s.account("alice", "user", "model_owner");
    let risk = s.member("bob", "user", "reviewer", "risk");
    let other = s.member("carol", "user", "reviewer", "ops");
    let policy = s.ok(&owner, &["registry", "policy"]);
    assert!(policy.is_object(), "{policy}");
    credit_1_0(&s, &owner);
    let data = hiring(&s);

    // Without a passing fairness report the high-risk model cannot reach production.
    let c = s.ok(
        &owner,
        &[
            "registry",
            "change",
            "open",
            "credit",
            "1.0",
            "--to",
            "production",
            "--impact",
            "x",
            "--rollback-plan",
            "y",
        ],
    );
    let id = c["id"].as_i64().unwrap().to_string();
    s.ok(&risk, &["registry", "change", "approve", &id]);
    s.ok(&other, &["registry", "change", "approve", &id]);
    let o = s.cli(Some(&owner), &["registry", "change", "apply", &id]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("HTTP 4"), "{}", stderr(&o));
    s.ok(&owner, &["registry", "change", "withdraw", &id]);

    passing_fairness(&s, &owner, &data, "1.0");
    promote(&s, &owner, [&risk, &other], "1.0");
    let m = s.ok(&owner, &["registry", "model", "get", "credit"]);
    assert_eq!(m["production_version"], "1.0");

    credit_version(&s, &owner, "2.0");
    passing_fairness(&s, &owner, &data, "2.0");
    promote(&s, &owner, [&other, &risk], "2.0");
    let m = s.ok(&owner, &["registry", "model", "get", "credit"]);
    assert_eq!(m["production_version"], "2.0");
    let v1 = s.ok(&owner, &["registry", "version", "get", "credit", "1.0"]);
    assert_ne!(v1["stage"], "production");

    // One action puts 1.0 back.
    let r = s.ok(
        &owner,
        &["registry", "rollback", "credit", "--reason", "incident 1"],
    );
    assert_eq!(r["restored_version"], "1.0");
    assert_eq!(r["demoted_version"], "2.0");
    let m = s.ok(&owner, &["registry", "model", "get", "credit"]);
    assert_eq!(m["production_version"], "1.0");
    let versions = s.ok(&owner, &["registry", "version", "list", "credit"]);
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let applied = s.ok(
        &owner,
        &["registry", "change", "list", "--status", "applied"],
    );
    assert_eq!(applied.as_array().unwrap().len(), 2);
    let v = s.ok(&s.admin, &["registry", "audit", "verify"]);
    assert_eq!(v["ok"], true);
}

#[test]
fn https_with_a_private_ca_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let mut s = Server::start_with(
        dir,
        &[
            "--tls-cert",
            cert_path.to_str().unwrap(),
            "--tls-key",
            key_path.to_str().unwrap(),
        ],
    );
    assert!(s.base.starts_with("https://127.0.0.1:"), "{}", s.base);
    s.base = s.base.replace("127.0.0.1", "localhost");
    let ca = cert_path.to_str().unwrap();
    let me = s.ok(&s.admin, &["registry", "whoami", "--ca-cert", ca]);
    assert_eq!(me["name"], "root");
    // $ASSAY_CA_CERT works as well.
    let o = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["registry", "--server", &s.base, "whoami"])
        .env("ASSAY_TOKEN", &s.admin)
        .env("ASSAY_CA_CERT", ca)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Without the certificate the server is not trusted: exit 2.
    let o = s.cli(Some(&s.admin), &["registry", "whoami"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).is_empty());
    // --submit over https with --submit-ca-cert.
    s.ca = Some(ca.to_string());
    credit_1_0(&s, &s.admin.clone());
    s.ca = None;
    let o = s.run(
        Some(&s.admin),
        &[
            "dp",
            "calibrate",
            "--epsilon",
            "1",
            "--delta",
            "1e-5",
            "--sampling-rate",
            "0.01",
            "--steps",
            "100",
            "--format",
            "json",
            "--submit",
            &s.evidence_url("credit", "1.0"),
            "--submit-ca-cert",
            ca,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn mitigate_explain_and_mia_submit_their_reports() {
    let s = Server::start();
    let owner = s.account("alice", "user", "model_owner");
    credit_1_0(&s, &owner);
    let url = s.evidence_url("credit", "1.0");
    let train = hiring(&s);
    let p = |n: &str| s.path(n).to_str().unwrap().to_string();
    let model_args = [
        "--label",
        "hired",
        "--positive",
        "1",
        "--features",
        "years_experience,career_gap_years,age",
        "--categorical",
        "education",
    ];
    let run = |args: Vec<&str>, code: i32| {
        let o = s.run(Some(&owner), &args);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        o
    };

    let submit = |label: &str, kind: &str, report: &str| {
        s.ok(
            &owner,
            &[
                "registry", "evidence", "submit", "credit", label, "--kind", kind, "--report",
                report,
            ],
        )
    };

    // mitigate without a policy (verdict none). Its report is about the model it writes, not
    // about 1.0's artifact: --submit to 1.0 is refused (exit 2), and the outputs are kept.
    let mut args = vec![
        "mitigate",
        train.to_str().unwrap(),
        "--method",
        "reweighing",
    ];
    args.extend(model_args);
    let (out, json) = (p("mitigated.json"), p("mitigate-report.json"));
    args.extend([
        "--sensitive",
        "gender",
        "--out",
        &out,
        "--json",
        &json,
        "--submit",
        &url,
    ]);
    let o = run(args, 2);
    assert!(
        stderr(&o).contains("not version 1.0 of model credit"),
        "{}",
        stderr(&o)
    );
    // Registered as version 1.1, the mitigated model takes its report.
    version_of_file(&s, &owner, "1.1", Path::new(&out));
    let e = submit("1.1", "mitigate", &json);
    assert_eq!(
        (e["verdict"].as_str(), e["bound"].as_bool()),
        (Some("none"), Some(true))
    );
    // mitigate --sweep with a policy some point passes: verdict pass, as version 1.2.
    let policy = s.path("pass.toml");
    std::fs::write(
        &policy,
        "[[rule]]\nmetric = \"disparate_impact_ratio\"\nmin = 0.01\n",
    )
    .unwrap();
    let mut args = vec![
        "mitigate",
        train.to_str().unwrap(),
        "--method",
        "correlation-remover",
        "--sweep",
        "--sweep-values",
        "0,1",
        "--policy",
        policy.to_str().unwrap(),
    ];
    args.extend(model_args);
    let (out2, json2) = (p("mitigated2.json"), p("mitigate-report2.json"));
    args.extend(["--sensitive", "gender", "--out", &out2, "--json", &json2]);
    run(args, 0);
    version_of_file(&s, &owner, "1.2", Path::new(&out2));
    submit("1.2", "mitigate", &json2);

    // explain of a trained model, registered as version 2.0: verdict none, bound.
    let model = p("model.json");
    let mut args = vec![
        "train",
        "--learner",
        "logistic",
        train.to_str().unwrap(),
        "--standardize",
        "--out",
        &model,
    ];
    args.extend(model_args);
    run(args, 0);
    version_of_file(&s, &owner, "2.0", Path::new(&model));
    run(
        vec![
            "explain",
            train.to_str().unwrap(),
            "--model",
            &model,
            "--method",
            "permutation",
            "--scorer",
            "demographic-parity-difference",
            "--sensitive",
            "gender",
            "--submit",
            &s.evidence_url("credit", "2.0"),
        ],
        0,
    );

    // mia (text output; the JSON report is uploaded all the same). It trains its own target
    // model, so its report names no model file and is stored unbound.
    let holdout = s.path("holdout.csv");
    run(
        vec![
            "example",
            "hiring",
            "--rows",
            "1000",
            "--seed",
            "9",
            "--out",
            holdout.to_str().unwrap(),
        ],
        0,
    );
    let mut args = vec![
        "mia",
        "--train",
        train.to_str().unwrap(),
        "--holdout",
        holdout.to_str().unwrap(),
        "--learner",
        "logistic",
        "--attack",
        "loss",
        "--submit",
        &url,
    ];
    args.extend(model_args);
    run(args, 0);

    let mut got = Vec::new();
    for label in ["1.0", "1.1", "1.2", "2.0"] {
        let list = s.ok(&owner, &["registry", "evidence", "list", "credit", label]);
        for e in list.as_array().unwrap() {
            got.push((
                label,
                e["kind"].as_str().unwrap().to_string(),
                e["verdict"].as_str().unwrap().to_string(),
                e["bound"].as_bool().unwrap(),
            ));
        }
    }
    let want = [
        ("1.0", "mia", "none", false),
        ("1.1", "mitigate", "none", true),
        ("1.2", "mitigate", "pass", true),
        ("2.0", "explain", "none", true),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|&(l, k, v, b)| (l, k.to_string(), v.to_string(), b))
        .collect();
    assert_eq!(got, want);
    // The stored mitigate report is the one written locally.
    let list = s.ok(&owner, &["registry", "evidence", "list", "credit", "1.1"]);
    let id = list[0]["id"].as_i64().unwrap().to_string();
    let e = s.ok(&owner, &["registry", "evidence", "get", &id]);
    let local: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(e["report"], local);
    let list = s.ok(&owner, &["registry", "evidence", "list", "credit", "1.0"]);
    let e = s.ok(
        &owner,
        &["registry", "evidence", "get", &list[0]["id"].to_string()],
    );
    assert_eq!(e["report"]["schema"], "assay.mia/1");
}

/// The request bodies are the server's own types: a flag value the API does not know is
/// refused before anything is sent (exit 2, the flag and value named), with no server needed.
#[test]
fn unknown_enum_values_are_refused_before_sending() {
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "registry",
                "change",
                "open",
                "credit",
                "1.0",
                "--to",
                "prod",
                "--impact",
                "x",
                "--rollback-plan",
                "y",
            ],
            "--to \"prod\"",
        ),
        (
            &["registry", "user", "create", "eve", "--role", "boss"],
            "--role \"boss\"",
        ),
        (
            &[
                "registry",
                "model",
                "create",
                "--name",
                "m",
                "--purpose",
                "p",
                "--annex-iii-area",
                "astrology",
            ],
            "--annex-iii-area \"astrology\"",
        ),
        (
            &["incident", "open", "--title", "t", "--severity", "sev9"],
            "--severity \"sev9\"",
        ),
    ];
    for (args, needle) in cases {
        let o = Command::new(env!("CARGO_BIN_EXE_assay"))
            .args(args)
            .env("ASSAY_SERVER", "http://127.0.0.1:9")
            .env("ASSAY_TOKEN", "assay_unused")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("connect"), "{args:?}: {}", stderr(&o));
    }
}
