//! Issue #15, findings 2 and 14, against the real `assay serve` binary on SQLite and
//! PostgreSQL, with reports made by the real `assay fairness`.
//!
//! Finding 2: the server derives a piece of evidence's verdict from the report it stores and
//! refuses (422, audited) a claimed verdict that disagrees. A claimed `pass` with an empty
//! report, or with a report whose own policy failed, is refused; a report without a policy
//! result is evidence with verdict `none`, which cannot satisfy a rule asking for `pass`.
//!
//! Finding 14: a report records the SHA-256 of its model and data files and its own time. A
//! report about another model is refused; one that records no model is unbound and satisfies no
//! rule; a report older than the rule allows by its own timestamp (`SOURCE_DATE_EPOCH`) does
//! not satisfy it, however recently it was uploaded.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::{account, audit_entries, backends, db_target, expect, root_token, Backend, Server};

/// Runs `assay` with `args` (and `SOURCE_DATE_EPOCH` when given); asserts the exit code.
fn assay(args: &[&str], epoch: Option<i64>, code: i32) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_assay"));
    cmd.args(args).env_remove("SOURCE_DATE_EPOCH");
    if let Some(e) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", e.to_string());
    }
    let o = cmd.output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(code),
        "assay {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The reports of the real CLI on the hiring example, and the digest of the model they judge.
struct Reports {
    /// SHA-256 of the model file, the version's artifact digest.
    model_sha256: String,
    /// The model, with a policy that fails.
    failed: Value,
    /// The model, with a policy that passes.
    passed: Value,
    /// The model, without a policy.
    no_policy: Value,
    /// The model, passing, made 100 days ago by its own time.
    stale: Value,
    /// Another model (other features), passing.
    other_model: Value,
    /// No model (the predictions in the data), passing.
    no_model: Value,
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
        None,
        0,
    );
    let train = |features: &str, out: &str| {
        let out = p(out);
        let args = [
            "train",
            "--learner",
            "logistic",
            data.as_str(),
            "--standardize",
            "--out",
            out.as_str(),
            "--label",
            "hired",
            "--positive",
            "1",
            "--features",
            features,
        ];
        assay(&args, None, 0);
        out
    };
    let model = train("years_experience,career_gap_years,age", "model.json");
    let other = train("years_experience,age", "other.json");
    for (name, min) in [("fail.toml", 0.8), ("pass.toml", 0.01)] {
        std::fs::write(
            dir.join(name),
            format!("[[rule]]\nmetric = \"disparate_impact_ratio\"\nmin = {min}\n"),
        )
        .unwrap();
    }
    let run = |model: Option<&str>, policy: Option<&str>, epoch, out: &str, code| -> Value {
        let out = p(out);
        let policy = policy.map(p);
        let mut args = vec!["fairness", data.as_str(), "--sensitive", "gender,race"];
        match model {
            Some(m) => args.extend(["--model", m, "--label", "hired", "--positive", "1"]),
            None => args.extend(["--label", "qualified", "--prediction", "shortlisted"]),
        }
        if let Some(f) = policy.as_deref() {
            args.extend(["--policy", f]);
        }
        args.extend(["--json", out.as_str()]);
        assay(&args, epoch, code);
        serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap()
    };
    let stale_at = now_secs() - 100 * 86_400;
    let r = Reports {
        model_sha256: hex::encode(Sha256::digest(std::fs::read(&model).unwrap())),
        failed: run(
            Some(model.as_str()),
            Some("fail.toml"),
            None,
            "failed.json",
            1,
        ),
        passed: run(
            Some(model.as_str()),
            Some("pass.toml"),
            None,
            "passed.json",
            0,
        ),
        no_policy: run(Some(model.as_str()), None, None, "none.json", 0),
        stale: run(
            Some(model.as_str()),
            Some("pass.toml"),
            Some(stale_at),
            "stale.json",
            0,
        ),
        other_model: run(
            Some(other.as_str()),
            Some("pass.toml"),
            None,
            "other.json",
            0,
        ),
        no_model: run(None, Some("pass.toml"), None, "no-model.json", 0),
    };
    assert_eq!(r.failed["policy"]["passed"], false);
    assert_eq!(r.passed["policy"]["passed"], true);
    assert!(r.no_policy["policy"].is_null());
    // Every report records what it is about.
    let prov = &r.passed["provenance"];
    assert_eq!(prov["model"]["sha256"], r.model_sha256.as_str(), "{prov}");
    let data_sha = hex::encode(Sha256::digest(std::fs::read(&data).unwrap()));
    assert_eq!(prov["data"][0]["sha256"], data_sha.as_str(), "{prov}");
    assert_eq!(prov["assay_version"], env!("CARGO_PKG_VERSION"));
    assert!(
        prov["created_at"].as_str().unwrap().ends_with('Z'),
        "{prov}"
    );
    assert!(r.no_model["provenance"]["model"].is_null());
    assert_ne!(
        r.other_model["provenance"]["model"]["sha256"],
        r.model_sha256.as_str()
    );
    // SOURCE_DATE_EPOCH fixes the time: the stale report is dated 100 days back, and the
    // same inputs at the same time give the same report.
    let stale_again = run(
        Some(model.as_str()),
        Some("pass.toml"),
        Some(stale_at),
        "stale2.json",
        0,
    );
    // (The command line names another output file: it is the one field that differs.)
    let without_command = |v: &Value| {
        let mut v = v.clone();
        v["provenance"]["command"] = Value::Null;
        v
    };
    assert_eq!(without_command(&r.stale), without_command(&stale_again));
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

    // A high-risk model (Annex III point 5) whose version 1.0 is the trained model file, with a
    // production request and both approvals.
    let risk = json!({"annex_iii_area": "essential_services", "profiles_natural_persons": true});
    let spec = json!({"name": "credit", "purpose": "credit scoring", "risk": risk});
    expect(&base, "POST", "/v1/models", &olga, Some(&spec), 201);
    let version = json!({"version": "1.0", "artifact_sha256": r.model_sha256});
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
    let missing = || {
        let c = expect(&base, "GET", &format!("/v1/changes/{id}"), &olga, None, 200);
        assert_eq!(c["policy"]["satisfied"], false, "{c}");
        c["policy"]["missing"].to_string()
    };

    // Finding 2. Claimed pass with an empty report, or with a report whose own policy failed:
    // 422.
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
    assert_eq!(e["bound"], true, "{e}");
    let e = submit(Some("none"), &json!({}), 201);
    assert_eq!(e["verdict"], "none", "{e}");
    let v = submit(Some("pass"), &r.no_policy, 422);
    assert!(error_message(&v).contains("no policy result"), "{v}");
    // A failed report stored as what it is.
    let e = submit(None, &r.failed, 201);
    assert_eq!(e["verdict"], "fail", "{e}");
    assert!(missing().contains("the newest has verdict"));
    let apply = format!("/v1/changes/{id}/apply");
    let v = expect(&base, "POST", &apply, &olga, None, 409);
    assert!(
        error_message(&v).contains("fairness evidence with verdict pass"),
        "{v}"
    );

    // Finding 14. A passing report about another model: refused.
    let v = submit(Some("pass"), &r.other_model, 422);
    let msg = error_message(&v);
    assert!(
        msg.contains("report.provenance.model.sha256")
            && msg.contains("not version 1.0 of model credit"),
        "{v}"
    );
    // A passing report 100 days old by its own time (uploaded now): does not satisfy the
    // 90-day rule.
    let e = submit(Some("pass"), &r.stale, 201);
    assert_eq!((&e["verdict"], &e["bound"]), (&json!("pass"), &json!(true)));
    let m = missing();
    assert!(
        m.contains("no older than 90 days") && m.contains("100 days old by its own time"),
        "{m}"
    );
    // A passing report that records no model: stored as unbound, and does not satisfy it.
    let e = submit(Some("pass"), &r.no_model, 201);
    assert_eq!(
        (&e["verdict"], &e["bound"]),
        (&json!("pass"), &json!(false))
    );
    assert!(e["model_sha256"].is_null(), "{e}");
    assert!(missing().contains("100 days old"));
    let v = expect(&base, "POST", &apply, &olga, None, 409);
    assert!(error_message(&v).contains("fairness evidence"), "{v}");

    // The passing, fresh report about this version's model satisfies the rule.
    let e = submit(Some("pass"), &r.passed, 201);
    assert_eq!((&e["verdict"], &e["bound"]), (&json!("pass"), &json!(true)));
    assert_eq!(e["model_sha256"], r.model_sha256.as_str());
    let c = expect(&base, "POST", &apply, &olga, None, 200);
    assert_eq!(c["status"], "applied", "{c}");

    // Every refusal is in the audit log, with its reason.
    let entries = audit_entries(&base, &root);
    for reason in [
        "claimed pass but the report carries no policy result",
        "claimed pass but the report's policy failed",
        "report.policy.passed",
        "not version 1.0 of model credit",
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
fn claimed_verdicts_and_unbound_evidence_sqlite_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let r = reports(dir.path());
    for b in backends() {
        claims_are_checked(&b, &r);
    }
}
