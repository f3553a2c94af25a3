//! The change-management endpoints on SQLite and PostgreSQL: a high-risk model to production
//! under the default policy, separation of duties over HTTP (403, logged as `authz.denied`,
//! nothing else written), 16 simultaneous approvals by one reviewer (one 200, fifteen 409),
//! per-model ownership, filters, withdrawal, one-action rollback, and a policy file. The audit
//! chain verifies at the end of each scenario.

mod common;

use common::{backends, model_spec, version_spec, TestServer};
use serde_json::{json, Value};

fn change(to: &str) -> Value {
    json!({
        "to_stage": to,
        "impact_assessment": "approval rate +2%; disparities within policy",
        "rollback_plan": "POST /v1/models/credit/rollback",
    })
}

fn post(s: &TestServer, path: &str, token: &str, body: Value) -> (u16, Value) {
    s.call("POST", path, Some(token), Some(&body))
}

/// A POST without a body (apply, withdraw).
fn act(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    s.call("POST", path, Some(token), None)
}

fn fairness_pass(s: &TestServer, model: &str, version: &str) {
    let (st, v) = post(
        s,
        &format!("/v1/models/{model}/versions/{version}/evidence"),
        &s.admin,
        json!({
            "kind": "fairness",
            "verdict": "pass",
            // Bound to the versions' artifact (`version_spec`), made now.
            "report": assay_govern::testing::bound_fairness_report(
                Some(true),
                &"ab".repeat(32),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_millis() as i64,
            ),
        }),
    );
    assert_eq!(st, 201, "{v}");
}

#[test]
fn change_management_over_http() {
    for backend in backends() {
        let s = TestServer::start(&backend);
        let olga = s.user("olga", "model_owner", &[]);
        let max = s.user("max", "model_owner", &[]);
        let rita = s.user("rita", "reviewer", &["risk"]);
        let bob = s.user("bob", "reviewer", &[]);
        let viewer = s.user("vera", "viewer", &[]);
        let ci = s.account("ci", "service", "reviewer", &["risk"]);

        // A high-risk model (Annex III, profiling) owned by olga, with two versions.
        let (st, v) = post(&s, "/v1/models", &olga, model_spec("credit"));
        assert_eq!(st, 201, "{v}");
        for ver in ["v1", "v2"] {
            let (st, v) = post(&s, "/v1/models/credit/versions", &olga, version_spec(ver));
            assert_eq!(st, 201, "{v}");
        }

        // Bad requests: unknown field, empty plan, wrong owner.
        let mut bad = change("production");
        bad["extra"] = json!(1);
        let url = "/v1/models/credit/versions/v1/changes";
        assert_eq!(post(&s, url, &olga, bad).0, 422);
        let mut bad = change("production");
        bad["rollback_plan"] = json!("");
        assert_eq!(post(&s, url, &olga, bad).0, 422);
        assert_eq!(post(&s, url, &max, change("production")).0, 403);

        let (st, c) = post(&s, url, &olga, change("production"));
        assert_eq!(st, 201, "{c}");
        assert_eq!(c["status"], json!("open"));
        assert_eq!(c["from_stage"], json!("development"));
        let id = c["id"].as_i64().unwrap();
        let missing = c["policy"]["missing"].as_array().unwrap();
        assert_eq!(missing.len(), 3, "{c}");
        // One pending request per version.
        assert_eq!(post(&s, url, &olga, change("staging")).0, 409);

        // Roles: the owner's role cannot decide; a service account cannot approve.
        let approve = format!("/v1/changes/{id}/approve");
        assert_eq!(post(&s, &approve, &olga, json!({})).0, 403);
        let before = s.audit_len();
        let (st, v) = post(&s, &approve, &ci, json!({}));
        assert_eq!(st, 403, "{v}");
        assert_eq!(s.audit_len(), before + 1, "only the denial is logged");
        assert_eq!(s.last_entry()["action"], json!("authz.denied"));

        // 16 simultaneous approvals by bob: exactly one is recorded.
        let results: Vec<u16> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..16)
                .map(|i| {
                    let (s, bob, approve) = (&s, &bob, &approve);
                    scope.spawn(move || {
                        post(s, approve, bob, json!({"comment": format!("attempt {i}")})).0
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(
            results.iter().filter(|&&c| c == 200).count(),
            1,
            "{results:?}"
        );
        assert_eq!(
            results.iter().filter(|&&c| c == 409).count(),
            15,
            "{results:?}"
        );
        let (st, c) = s.call("GET", &format!("/v1/changes/{id}"), Some(&viewer), None);
        assert_eq!(st, 200);
        assert_eq!(c["approvals"].as_array().unwrap().len(), 1, "{c}");

        // Not yet: no risk approval, no evidence.
        let apply = format!("/v1/changes/{id}/apply");
        let (st, v) = act(&s, &apply, &olga);
        assert_eq!(st, 409, "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("team risk"),
            "{v}"
        );
        let (st, c) = post(&s, &approve, &rita, json!({"comment": "risk sign-off"}));
        assert_eq!(st, 200, "{c}");
        assert_eq!(c["status"], json!("open"), "evidence still missing: {c}");
        fairness_pass(&s, "credit", "v1");
        let (st, c) = s.call("GET", &format!("/v1/changes/{id}"), Some(&olga), None);
        assert_eq!(st, 200);
        assert_eq!(c["policy"]["satisfied"], json!(true), "{c}");
        assert_eq!(act(&s, &apply, &max).0, 403, "not max's model");
        let (st, c) = act(&s, &apply, &olga);
        assert_eq!(st, 200, "{c}");
        assert_eq!(c["status"], json!("applied"));
        assert_eq!(act(&s, &apply, &olga).0, 409);
        let (_, m) = s.call("GET", "/v1/models/credit", Some(&viewer), None);
        assert_eq!(m["production_version"], json!("v1"));

        // Separation of duties: the admin opens v2's request on olga's model; neither the
        // admin (requester) nor olga (owner) may decide it.
        let (st, c2) = post(
            &s,
            "/v1/models/credit/versions/v2/changes",
            &s.admin,
            change("production"),
        );
        assert_eq!(st, 201, "{c2}");
        let id2 = c2["id"].as_i64().unwrap();
        let before = s.audit_len();
        let (st, v) = post(
            &s,
            &format!("/v1/changes/{id2}/approve"),
            &s.admin,
            json!({}),
        );
        assert_eq!(st, 403, "{v}");
        assert!(v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("separation of duties"));
        assert_eq!(s.audit_len(), before + 1);
        assert_eq!(s.last_entry()["action"], json!("authz.denied"));
        for who in [&rita, &bob] {
            let (st, v) = post(&s, &format!("/v1/changes/{id2}/approve"), who, json!({}));
            assert_eq!(st, 200, "{v}");
        }
        fairness_pass(&s, "credit", "v2");
        let (st, v) = act(&s, &format!("/v1/changes/{id2}/apply"), &olga);
        assert_eq!(st, 200, "{v}");

        // Listing with filters.
        let (st, list) = s.call(
            "GET",
            "/v1/changes?status=applied&model=credit",
            Some(&viewer),
            None,
        );
        assert_eq!(st, 200, "{list}");
        assert_eq!(list.as_array().unwrap().len(), 2);
        let (st, _) = s.call("GET", "/v1/changes?status=bogus", Some(&viewer), None);
        assert_eq!(st, 400);
        let (st, _) = s.call("GET", "/v1/changes/999999", Some(&viewer), None);
        assert_eq!(st, 404);

        // Rollback in one action, then nothing further back.
        let (st, r) = post(
            &s,
            "/v1/models/credit/rollback",
            &olga,
            json!({"reason": "incident 12: score drift"}),
        );
        assert_eq!(st, 200, "{r}");
        assert_eq!(r["restored_version"], json!("v1"));
        assert_eq!(r["demoted_version"], json!("v2"));
        assert_eq!(s.last_entry()["action"], json!("model.rollback"));
        let (_, m) = s.call("GET", "/v1/models/credit", Some(&viewer), None);
        assert_eq!(m["production_version"], json!("v1"));
        let (st, _) = post(
            &s,
            "/v1/models/credit/rollback",
            &olga,
            json!({"reason": "again"}),
        );
        assert_eq!(st, 409);
        assert_eq!(
            post(
                &s,
                "/v1/models/credit/rollback",
                &max,
                json!({"reason": "x"})
            )
            .0,
            403
        );

        // Withdrawal: the requester only.
        let (st, c3) = post(
            &s,
            "/v1/models/credit/versions/v2/changes",
            &olga,
            change("production"),
        );
        assert_eq!(st, 201, "{c3}");
        let withdraw = format!("/v1/changes/{}/withdraw", c3["id"]);
        assert_eq!(act(&s, &withdraw, &max).0, 403);
        let (st, c3) = act(&s, &withdraw, &olga);
        assert_eq!(st, 200, "{c3}");
        assert_eq!(c3["status"], json!("withdrawn"));

        s.audit_len();
        s.stop();
    }
}

#[test]
fn policy_file_is_loaded_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.toml");
    std::fs::write(
        &path,
        "[[rules]]\nmin_approvals = 1\nservice_accounts_may_approve = true\n",
    )
    .unwrap();
    for backend in backends() {
        let p = path.clone();
        let s = TestServer::start_with(&backend, move |c| c.policy_file = Some(p));
        let olga = s.user("olga", "model_owner", &[]);
        let ci = s.account("ci", "service", "reviewer", &[]);
        assert_eq!(post(&s, "/v1/models", &olga, model_spec("credit")).0, 201);
        assert_eq!(
            post(&s, "/v1/models/credit/versions", &olga, version_spec("v1")).0,
            201
        );
        let (st, c) = post(
            &s,
            "/v1/models/credit/versions/v1/changes",
            &olga,
            change("production"),
        );
        assert_eq!(st, 201, "{c}");
        let (st, c) = post(
            &s,
            &format!("/v1/changes/{}/approve", c["id"]),
            &ci,
            json!({}),
        );
        assert_eq!(st, 200, "{c}");
        assert_eq!(c["status"], json!("approved"), "{c}");
        s.audit_len();
        s.stop();
    }

    // A policy that could never be satisfied stops the server from starting.
    std::fs::write(&path, "[[rules]]\nmin_approvals = 0\n").unwrap();
    let mut config =
        assay_server::ServerConfig::new(dir.path().join("govern.db").to_str().unwrap().to_string());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.policy_file = Some(path);
    let err = common::run_async(assay_server::bind(config))
        .err()
        .expect("bind refuses the policy");
    assert!(err.to_string().contains("min_approvals"), "{err}");
}
