//! Issue #15, finding 1, against the real `assay serve` binary on SQLite and PostgreSQL: a model
//! owner cannot take a high-risk model to production with one approval and no evidence by
//! emptying its risk questionnaire while the change request is open (the tier would become
//! minimal, which needs one approval), applying, and restoring the answers. And the reverse
//! direction, a minimal model reassessed as high-risk after its approval, still fails closed.

mod support;

use serde_json::{json, Value};
use support::{account, audit_entries, backends, db_target, expect, root_token, Backend, Server};

/// Answers that make a model high-risk (Annex III point 5, profiling natural persons).
fn high_risk() -> Value {
    json!({"annex_iii_area": "essential_services", "profiles_natural_persons": true})
}

/// Registers `name` with `risk` answers and version `1.0`, and opens a change request moving it
/// to production; returns the request.
fn model_with_request(base: &str, owner: &str, name: &str, risk: Value) -> Value {
    let spec = json!({"name": name, "purpose": "credit scoring", "risk": risk});
    expect(base, "POST", "/v1/models", owner, Some(&spec), 201);
    let version = json!({"version": "1.0", "artifact_sha256": "ab".repeat(32)});
    let path = format!("/v1/models/{name}/versions");
    expect(base, "POST", &path, owner, Some(&version), 201);
    let change = json!({
        "to_stage": "production",
        "impact_assessment": "replaces the manual review of small loans",
        "rollback_plan": "roll back to the previous production version",
    });
    let path = format!("/v1/models/{name}/versions/1.0/changes");
    expect(base, "POST", &path, owner, Some(&change), 201)
}

fn error_message(v: &Value) -> String {
    v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn bypass_is_refused(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = db_target(backend, dir.path());
    let server = Server::start(&db, dir.path());
    let base = server.base.clone();
    let root = root_token(dir.path());
    let olga = account(&base, &root, "olga", "model_owner", &[]);
    let bob = account(&base, &root, "bob", "reviewer", &[]);

    // A high-risk model, a production request, one ordinary approval.
    let c = model_with_request(&base, &olga, "credit", high_risk());
    let id = c["id"].as_i64().unwrap();
    let approve = format!("/v1/changes/{id}/approve");
    let c = expect(&base, "POST", &approve, &bob, Some(&json!({})), 200);
    assert_eq!(c["status"], "open", "{c}");

    // Empty the questionnaire: refused while the request is pending, naming it.
    let patch = |token: &str, risk: Value, want: u16| {
        let body = json!({"risk": risk});
        expect(
            &base,
            "PATCH",
            "/v1/models/credit",
            token,
            Some(&body),
            want,
        )
    };
    let v = patch(&olga, json!({}), 409);
    let msg = error_message(&v);
    assert!(
        msg.contains(&format!("change request {id}")) && msg.contains("from high-risk to minimal"),
        "{v}"
    );
    let m = expect(&base, "GET", "/v1/models/credit", &olga, None, 200);
    assert_eq!(m["risk"]["tier"], "high-risk", "{m}");

    // Apply: refused, naming every unmet requirement of the high-risk rule.
    let apply = format!("/v1/changes/{id}/apply");
    let v = expect(&base, "POST", &apply, &olga, None, 409);
    let msg = error_message(&v);
    for want in [
        "as a high-risk model",
        "1 more approval (of 2 from reviewer or admin)",
        "an approval from a member of team risk",
        "fairness evidence with verdict pass",
    ] {
        assert!(msg.contains(want), "{want}: {v}");
    }
    let version = expect(
        &base,
        "GET",
        "/v1/models/credit/versions/1.0",
        &olga,
        None,
        200,
    );
    assert_eq!(version["stage"], "development", "{version}");

    // "Patch back": the high-risk answers again are accepted (the tier does not change).
    let m = patch(&olga, high_risk(), 200);
    assert_eq!(m["risk"]["tier"], "high-risk", "{m}");
    let c = expect(&base, "GET", &format!("/v1/changes/{id}"), &olga, None, 200);
    assert_eq!(c["status"], "open", "{c}");
    assert_eq!(c["risk_tier_at_open"], "high-risk", "{c}");
    assert_eq!(c["risk_tiers"], json!(["high-risk"]), "{c}");
    assert_eq!(c["policy"]["satisfied"], false, "{c}");

    // The reverse direction fails closed: a minimal model approved by one reviewer, then
    // reassessed as high-risk (always allowed), needs the high-risk rule at apply.
    let c = model_with_request(&base, &olga, "chat", json!({}));
    let id2 = c["id"].as_i64().unwrap();
    assert_eq!(c["risk_tier_at_open"], "minimal", "{c}");
    let path = format!("/v1/changes/{id2}/approve");
    let c = expect(&base, "POST", &path, &bob, Some(&json!({})), 200);
    assert_eq!(c["status"], "approved", "{c}");
    let body = json!({"risk": high_risk()});
    let m = expect(&base, "PATCH", "/v1/models/chat", &olga, Some(&body), 200);
    assert_eq!(m["risk"]["tier"], "high-risk", "{m}");
    let v = expect(
        &base,
        "POST",
        &format!("/v1/changes/{id2}/apply"),
        &olga,
        None,
        409,
    );
    let msg = error_message(&v);
    for want in [
        "since the request was opened: high-risk, minimal",
        "1 more approval (of 2",
        "team risk",
        "fairness evidence",
    ] {
        assert!(msg.contains(want), "{want}: {v}");
    }
    let c = expect(
        &base,
        "GET",
        &format!("/v1/changes/{id2}"),
        &olga,
        None,
        200,
    );
    assert_eq!(c["risk_tiers"], json!(["high-risk", "minimal"]), "{c}");
    assert_eq!(c["policy"]["risk_tier"], "high-risk", "{c}");
    let version = expect(
        &base,
        "GET",
        "/v1/models/chat/versions/1.0",
        &olga,
        None,
        200,
    );
    assert_eq!(version["stage"], "development", "{version}");

    // The audit log: the refused downgrade, both refused applications, and the tier history.
    let entries = audit_entries(&base, &root);
    let rejected = |subject: &str, what: &str| {
        entries
            .iter()
            .filter(|e| {
                e["action"] == "request.rejected"
                    && e["subject"].as_str().unwrap_or_default().contains(subject)
                    && e["details"].as_str().unwrap_or_default().contains(what)
            })
            .count()
    };
    assert_eq!(
        rejected("/v1/models/credit", "from high-risk to minimal"),
        1
    );
    assert_eq!(
        rejected("/apply", "does not satisfy the approval policy"),
        2
    );
    assert!(!entries.iter().any(|e| e["action"] == "change.apply"));
    let tiers: Vec<Value> = entries
        .iter()
        .filter(|e| e["action"] == "model.update")
        .map(|e| serde_json::from_str::<Value>(e["details"].as_str().unwrap()).unwrap())
        .map(|d| d["risk_tier"].clone())
        .collect();
    assert_eq!(
        tiers,
        [
            json!({"from": "high-risk", "to": "high-risk"}),
            json!({"from": "minimal", "to": "high-risk"}),
        ]
    );
    let report = expect(&base, "GET", "/v1/audit/verify", &root, None, 200);
    assert_eq!(report["ok"], json!(true), "{report}");
    server.stop();
}

#[test]
fn policy_bypass_by_reassessment_is_refused_sqlite_and_postgres() {
    for b in backends() {
        bypass_is_refused(&b);
    }
}
