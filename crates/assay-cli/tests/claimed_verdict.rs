//! Issue #15, finding 2, against the real `assay serve` binary on SQLite and PostgreSQL: the
//! server derives a piece of evidence's verdict from the report it stores and refuses (422,
//! audited) a claimed verdict that disagrees. A claimed `pass` with an empty report, or with a
//! report whose own policy failed, is refused; a report without a policy result is evidence with
//! verdict `none`, which cannot satisfy a rule asking for `pass`. The reports are made by the
//! real `assay fairness`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use support::{account, audit_entries, backends, db_target, expect, root_token, Backend, Server};

/// Runs `assay` with `args`; asserts the exit code.
fn assay(args: &[&str], code: i32) {
    let o = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(code),
        "assay {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The fairness reports of the real CLI on the hiring example: with a policy that fails, one
/// that passes, and none.
struct Reports {
    failed: Value,
    passed: Value,
    no_policy: Value,
}

fn reports(dir: &Path) -> Reports {
    let p = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let data = p("hiring.csv");
    assay(
        &[
            "example",
            "hiring",
            "--rows",
            "2000",
            "--out",
            data.as_str(),
        ],
        0,
    );
    let run = |policy: Option<(&str, f64)>, out: &str, code: i32| -> Value {
        let out = p(out);
        let file: PathBuf;
        let mut args = vec![
            "fairness",
            data.as_str(),
            "--label",
            "qualified",
            "--prediction",
            "shortlisted",
            "--sensitive",
            "gender,race",
            "--json",
            out.as_str(),
        ];
        if let Some((name, min)) = policy {
            file = dir.join(name);
            std::fs::write(
                &file,
                format!("[[rule]]\nmetric = \"disparate_impact_ratio\"\nmin = {min}\n"),
            )
            .unwrap();
            args.extend(["--policy", file.to_str().unwrap()]);
        }
        assay(&args, code);
        serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap()
    };
    let r = Reports {
        failed: run(Some(("fail.toml", 0.8)), "failed.json", 1),
        passed: run(Some(("pass.toml", 0.01)), "passed.json", 0),
        no_policy: run(None, "none.json", 0),
    };
    assert_eq!(r.failed["policy"]["passed"], false);
    assert_eq!(r.passed["policy"]["passed"], true);
    assert!(r.no_policy["policy"].is_null());
    r
}

fn error_message(v: &Value) -> String {
    v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn claims_are_checked(backend: &Backend, r: &Reports) {
    let dir = tempfile::tempdir().unwrap();
    let db = db_target(backend, dir.path());
    let server = Server::start(&db, dir.path());
    let base = server.base.clone();
    let root = root_token(dir.path());
    let olga = account(&base, &root, "olga", "model_owner", &[]);
    let bob = account(&base, &root, "bob", "reviewer", &[]);
    let rita = account(&base, &root, "rita", "reviewer", &["risk"]);

    // A high-risk model (Annex III point 5) with a production request and both approvals.
    let risk = json!({"annex_iii_area": "essential_services", "profiles_natural_persons": true});
    let spec = json!({"name": "credit", "purpose": "credit scoring", "risk": risk});
    expect(&base, "POST", "/v1/models", &olga, Some(&spec), 201);
    let version = json!({"version": "1.0", "artifact_sha256": "ab".repeat(32)});
    expect(
        &base,
        "POST",
        "/v1/models/credit/versions",
        &olga,
        Some(&version),
        201,
    );
    let change = json!({
        "to_stage": "production",
        "impact_assessment": "replaces the manual review of small loans",
        "rollback_plan": "roll back to the previous production version",
    });
    let path = "/v1/models/credit/versions/1.0/changes";
    let c = expect(&base, "POST", path, &olga, Some(&change), 201);
    let id = c["id"].as_i64().unwrap();
    for t in [&bob, &rita] {
        let path = format!("/v1/changes/{id}/approve");
        expect(&base, "POST", &path, t, Some(&json!({})), 200);
    }

    let ev = "/v1/models/credit/versions/1.0/evidence";
    let submit = |verdict: Option<&str>, report: &Value, want: u16| {
        let body = json!({"kind": "fairness", "verdict": verdict, "report": report});
        expect(&base, "POST", ev, &olga, Some(&body), want)
    };
    // Claimed pass with an empty report, or with a report whose own policy failed: 422.
    let v = submit(Some("pass"), &json!({}), 422);
    assert!(
        error_message(&v).contains("claimed pass but the report carries no policy result"),
        "{v}"
    );
    let v = submit(Some("pass"), &r.failed, 422);
    assert!(
        error_message(&v).contains("claimed pass but the report's policy failed"),
        "{v}"
    );
    // A hand-edited result that contradicts its own rules: 422.
    let mut forged = r.failed.clone();
    forged["policy"]["passed"] = json!(true);
    let v = submit(Some("pass"), &forged, 422);
    assert!(error_message(&v).contains("report.policy.passed"), "{v}");
    // A report without a policy result is evidence with verdict none (claimed or not), and
    // does not satisfy the rule asking for a passing fairness report.
    let e = submit(None, &r.no_policy, 201);
    assert_eq!(e["verdict"], "none", "{e}");
    let e = submit(Some("none"), &json!({}), 201);
    assert_eq!(e["verdict"], "none", "{e}");
    let v = submit(Some("pass"), &r.no_policy, 422);
    assert!(error_message(&v).contains("no policy result"), "{v}");
    // A failed report stored as what it is.
    let e = submit(None, &r.failed, 201);
    assert_eq!(e["verdict"], "fail", "{e}");
    let list = expect(&base, "GET", ev, &olga, None, 200);
    let verdicts: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["none", "none", "fail"]);
    let c = expect(&base, "GET", &format!("/v1/changes/{id}"), &olga, None, 200);
    assert_eq!(c["policy"]["satisfied"], false, "{c}");
    let apply = format!("/v1/changes/{id}/apply");
    let v = expect(&base, "POST", &apply, &olga, None, 409);
    assert!(
        error_message(&v).contains("fairness evidence with verdict pass"),
        "{v}"
    );

    // The passing report, claimed as pass, satisfies the rule.
    let e = submit(Some("pass"), &r.passed, 201);
    assert_eq!(e["verdict"], "pass", "{e}");
    let c = expect(&base, "POST", &apply, &olga, None, 200);
    assert_eq!(c["status"], "applied", "{c}");

    // Every refusal is in the audit log, with its reason.
    let entries = audit_entries(&base, &root);
    for reason in [
        "claimed pass but the report carries no policy result",
        "claimed pass but the report's policy failed",
        "report.policy.passed",
    ] {
        assert!(
            entries.iter().any(|e| e["action"] == "request.rejected"
                && e["subject"].as_str().unwrap_or_default().contains(ev)
                && e["details"].as_str().unwrap_or_default().contains(reason)),
            "no audit entry for {reason:?}"
        );
    }
    let report = expect(&base, "GET", "/v1/audit/verify", &root, None, 200);
    assert_eq!(report["ok"], json!(true), "{report}");
    server.stop();
}

#[test]
fn claimed_verdicts_are_derived_from_the_report_sqlite_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let r = reports(dir.path());
    for b in backends() {
        claims_are_checked(&b, &r);
    }
}
