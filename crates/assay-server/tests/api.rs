//! API behaviour on SQLite and PostgreSQL: the inventory, per-model ownership, tokens (expiry,
//! revocation, forgery), bad input (malformed JSON, unknown fields, oversized bodies,
//! SQL-injection strings) answered with a clear 4xx, nothing written and the attempt logged,
//! and the OpenAPI document.

mod common;

use common::{backends, model_spec, version_spec, TestServer};
use serde_json::json;

/// A bad request: what it is, its body, headers, the expected status and a phrase of the error.
type Case<'a> = (&'a str, Vec<u8>, &'a [(&'a str, &'a str)], u16, &'a str);

#[test]
fn inventory_round_trip_and_risk_tier() {
    for b in backends() {
        let s = TestServer::start(&b);
        let owner = s.user("olivia", "model_owner", &[]);
        let (st, m) = s.call(
            "POST",
            "/v1/models",
            Some(&owner),
            Some(&model_spec("credit")),
        );
        assert_eq!(st, 201, "{m}");
        assert_eq!(m["owner"], "olivia");
        assert_eq!(m["risk"]["tier"], "high-risk");
        assert_eq!(m["risk"]["annex_iii_area"], "essential_services");
        assert!(
            m["risk"]["reasons"][0]
                .as_str()
                .unwrap()
                .contains("Article 6(2)"),
            "{m}"
        );
        assert_eq!(m["data_sources"], json!(["core-banking"]));
        let (st, v) = s.call(
            "POST",
            "/v1/models/credit/versions",
            Some(&owner),
            Some(&version_spec("1.0.0")),
        );
        assert_eq!(st, 201, "{v}");
        assert_eq!(v["stage"], "development");
        let (st, v) = s.call("GET", "/v1/models/credit/versions", Some(&owner), None);
        assert_eq!((st, v.as_array().unwrap().len()), (200, 1));
        // Reassessment through PATCH.
        let upd = json!({"risk": {"transparency": ["interacts_with_people"]}});
        let (st, m) = s.call("PATCH", "/v1/models/credit", Some(&owner), Some(&upd));
        assert_eq!(st, 200, "{m}");
        assert_eq!(m["risk"]["tier"], "limited");
        assert_eq!(m["purpose"], "credit scoring");
        // Duplicates are conflicts.
        let (st, _) = s.call(
            "POST",
            "/v1/models",
            Some(&owner),
            Some(&model_spec("credit")),
        );
        assert_eq!(st, 409);
        let e = s.last_entry();
        assert_eq!(
            (e["action"].as_str(), e["actor"].as_str()),
            (Some("request.rejected"), Some("olivia"))
        );
        s.audit_len();
    }
}

#[test]
fn per_model_ownership() {
    for b in backends() {
        let s = TestServer::start(&b);
        let a = s.user("ann", "model_owner", &[]);
        let bob = s.user("bob", "model_owner", &[]);
        assert_eq!(
            s.call("POST", "/v1/models", Some(&a), Some(&model_spec("m")))
                .0,
            201
        );
        let (st, v) = s.call(
            "POST",
            "/v1/models/m/versions",
            Some(&bob),
            Some(&version_spec("1")),
        );
        assert_eq!(st, 403, "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("owned by \"ann\""),
            "{v}"
        );
        let (st, _) = s.call(
            "PATCH",
            "/v1/models/m",
            Some(&bob),
            Some(&json!({"purpose": "x"})),
        );
        assert_eq!(st, 403);
        // Owners cannot register models for someone else, nor hand them over.
        let mut spec = model_spec("n");
        spec["owner"] = json!("ann");
        assert_eq!(s.call("POST", "/v1/models", Some(&bob), Some(&spec)).0, 403);
        assert_eq!(
            s.call(
                "PATCH",
                "/v1/models/m",
                Some(&a),
                Some(&json!({"owner": "bob"}))
            )
            .0,
            403
        );
        // The admin can.
        assert_eq!(
            s.call(
                "PATCH",
                "/v1/models/m",
                Some(&s.admin),
                Some(&json!({"owner": "bob"}))
            )
            .0,
            200
        );
        assert_eq!(
            s.call(
                "POST",
                "/v1/models/m/versions",
                Some(&bob),
                Some(&version_spec("1"))
            )
            .0,
            201
        );
        let e = s.last_entry();
        assert_eq!(e["action"], "version.create");
        // Without per-model ownership any owner may.
        s.stop();
        let s = TestServer::start_with(&b, |c| c.per_model_ownership = false);
        let a = s.user("ann", "model_owner", &[]);
        let bob = s.user("bob", "model_owner", &[]);
        assert_eq!(
            s.call("POST", "/v1/models", Some(&a), Some(&model_spec("m")))
                .0,
            201
        );
        assert_eq!(
            s.call(
                "POST",
                "/v1/models/m/versions",
                Some(&bob),
                Some(&version_spec("1"))
            )
            .0,
            201
        );
    }
}

#[test]
fn bad_input_is_a_clear_4xx_nothing_written_and_logged() {
    for b in backends() {
        let s = TestServer::start_with(&b, |c| c.json_body_limit = 4096);
        let owner = s.user("olivia", "model_owner", &[]);
        let json_ct: &[(&str, &str)] = &[("content-type", "application/json")];
        let count_models = |s: &TestServer| {
            let (_, v) = s.call("GET", "/v1/models", Some(&s.admin), None);
            v.as_array().unwrap().len()
        };
        let cases: Vec<Case> = vec![
            ("malformed JSON", b"{\"name\": ".to_vec(), json_ct, 400, ""),
            (
                "unknown field",
                serde_json::to_vec(&{
                    let mut m = model_spec("x");
                    m["colour"] = json!("red");
                    m
                })
                .unwrap(),
                json_ct,
                422,
                "unknown field `colour`",
            ),
            (
                "wrong type",
                br#"{"name": 5, "purpose": "p"}"#.to_vec(),
                json_ct,
                422,
                "invalid type",
            ),
            (
                "missing content type",
                serde_json::to_vec(&model_spec("x")).unwrap(),
                &[],
                415,
                "",
            ),
            (
                "oversized",
                {
                    let mut m = model_spec("x");
                    m["purpose"] = json!("p".repeat(10_000));
                    serde_json::to_vec(&m).unwrap()
                },
                json_ct,
                413,
                "",
            ),
            (
                "SQL injection in a name",
                serde_json::to_vec(&model_spec("x'; DROP TABLE models; --")).unwrap(),
                json_ct,
                422,
                "model name",
            ),
            (
                "path traversal in a name",
                serde_json::to_vec(&model_spec("../../etc/passwd")).unwrap(),
                json_ct,
                422,
                "model name",
            ),
            (
                "bad digest",
                serde_json::to_vec(
                    &json!({"name": "y", "purpose": "p", "risk": {"annex_iii_area": "astrology"}}),
                )
                .unwrap(),
                json_ct,
                422,
                "unknown variant",
            ),
        ];
        for (what, body, headers, want, needle) in cases {
            let before = s.audit_len();
            let (st, v) = s.raw("POST", "/v1/models", Some(&owner), Some(&body), headers);
            assert_eq!(st, want, "{what}: {v}");
            let msg = v["error"]["message"]
                .as_str()
                .unwrap_or_else(|| panic!("{what}: no JSON error: {v}"));
            assert!(msg.contains(needle), "{what}: {msg}");
            assert_eq!(count_models(&s), 0, "{what}: something was written");
            assert_eq!(
                s.audit_len(),
                before + 1,
                "{what}: the attempt was not logged"
            );
            let e = s.last_entry();
            assert_eq!(e["action"], "request.rejected", "{what}");
            assert_eq!(e["actor"], "olivia", "{what}");
        }
        // SQL-injection text in free-text fields is stored verbatim, as data.
        let mut m = model_spec("ok");
        m["purpose"] = json!("'); DELETE FROM audit_log; --");
        let (st, v) = s.call("POST", "/v1/models", Some(&owner), Some(&m));
        assert_eq!(st, 201, "{v}");
        let (_, v) = s.call("GET", "/v1/models/ok", Some(&owner), None);
        assert_eq!(v["purpose"], "'); DELETE FROM audit_log; --");
        s.audit_len();
        // Bad version digest.
        let (st, v) = s.call(
            "POST",
            "/v1/models/ok/versions",
            Some(&owner),
            Some(&json!({"version": "1", "artifact_sha256": "XYZ"})),
        );
        assert_eq!(st, 422, "{v}");
        let (_, v) = s.call("GET", "/v1/models/ok/versions", Some(&owner), None);
        assert_eq!(v, json!([]));
    }
}

#[test]
fn tokens_expired_revoked_forged_and_disabled_accounts() {
    for b in backends() {
        let s = TestServer::start(&b);
        let t = s.user("vic", "viewer", &[]);
        assert_eq!(s.call("GET", "/v1/me", Some(&t), None).0, 200);
        let check_denied = |token: &str, reason: &str| {
            let before = s.audit_len();
            let (st, v) = s.call("GET", "/v1/models", Some(token), None);
            assert_eq!(st, 401, "{reason}: {v}");
            assert!(
                v["error"]["message"].as_str().unwrap().contains(reason),
                "{v}"
            );
            assert_eq!(s.audit_len(), before + 1);
            let e = s.last_entry();
            assert_eq!(e["action"], "auth.denied");
            assert!(e["details"].as_str().unwrap().contains(reason), "{e}");
        };
        // Forged: right shape, never issued; and a token with one character changed.
        check_denied(
            "assay_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "unknown token",
        );
        let mut forged = t.clone().into_bytes();
        let last = forged.len() - 1;
        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
        check_denied(&String::from_utf8(forged).unwrap(), "unknown token");
        check_denied("not-a-token", "unknown token");
        // Expired: a token issued with a 0-day lifetime expires at once.
        let (st, v) = s.call(
            "POST",
            "/v1/users/vic/tokens",
            Some(&s.admin),
            Some(&json!({"label": "short", "ttl_days": 0})),
        );
        assert_eq!(st, 201, "{v}");
        check_denied(v["token"].as_str().unwrap(), "expired token");
        // Revoked.
        let (_, v) = s.call(
            "POST",
            "/v1/users/vic/tokens",
            Some(&s.admin),
            Some(&json!({"label": "r"})),
        );
        let (id, tok) = (
            v["id"].as_i64().unwrap(),
            v["token"].as_str().unwrap().to_string(),
        );
        assert_eq!(s.call("GET", "/v1/me", Some(&tok), None).0, 200);
        assert_eq!(
            s.call("DELETE", &format!("/v1/tokens/{id}"), Some(&s.admin), None)
                .0,
            204
        );
        check_denied(&tok, "revoked token");
        // Disabled account.
        assert_eq!(
            s.call("POST", "/v1/users/vic/disable", Some(&s.admin), None)
                .0,
            200
        );
        check_denied(&t, "disabled account");
        assert_eq!(
            s.call("POST", "/v1/users/vic/enable", Some(&s.admin), None)
                .0,
            200
        );
        assert_eq!(s.call("GET", "/v1/me", Some(&t), None).0, 200);
        // Tokens are stored only as hashes.
        let db = s.db();
        let rows: Vec<(String,)> = common::run_async(async {
            match &b {
                common::Backend::Sqlite => {
                    let p = sqlx::SqlitePool::connect(&format!("sqlite:{}", s.db_target))
                        .await
                        .unwrap();
                    sqlx::query_as("SELECT token_hash FROM api_tokens")
                        .fetch_all(&p)
                        .await
                        .unwrap()
                }
                common::Backend::Postgres(_) => {
                    let p = sqlx::PgPool::connect(&s.db_target).await.unwrap();
                    sqlx::query_as("SELECT token_hash FROM api_tokens")
                        .fetch_all(&p)
                        .await
                        .unwrap()
                }
            }
        });
        drop(db);
        assert!(rows
            .iter()
            .all(|(h,)| h.len() == 64 && !h.starts_with("assay_")));
        assert!(rows
            .iter()
            .any(|(h,)| *h == assay_govern::users::token_hash(&t)));
    }
}

#[test]
fn openapi_document_is_public_and_complete() {
    let s = TestServer::start(&common::Backend::Sqlite);
    let (st, doc) = s.call("GET", "/openapi.json", None, None);
    assert_eq!(st, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let create = &doc["paths"]["/v1/models"]["post"];
    assert_eq!(create["operationId"], "createModel");
    let schema_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap();
    let name = schema_ref.strip_prefix("#/components/schemas/").unwrap();
    assert!(
        doc["components"]["schemas"][name]["properties"]["risk"].is_object(),
        "{doc}"
    );
    assert_eq!(doc["paths"]["/health"]["get"]["security"], json!([]));
    // Every $ref resolves.
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling $ref {name}"
        );
    }
    // Health without a token; everything else needs one.
    assert_eq!(s.call("GET", "/health", None, None).0, 200);
    assert_eq!(s.call("GET", "/v1/models", None, None).0, 401);
}

#[test]
fn rate_limit_per_token() {
    let s = TestServer::start_with(&common::Backend::Sqlite, |c| {
        c.rate_limit_per_second = 1;
        c.rate_limit_burst = 5;
    });
    let t = s.user("vic", "viewer", &[]);
    let statuses: Vec<u16> = (0..12)
        .map(|_| s.call("GET", "/v1/me", Some(&t), None).0)
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(statuses[0], 200);
    // Another token has its own budget.
    let (st, v) = s.call("GET", "/v1/me", Some(&s.admin), None);
    assert!(st == 200 || st == 429, "{v}");
}
