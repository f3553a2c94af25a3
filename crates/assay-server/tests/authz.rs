//! The authorisation matrix: every endpoint of the OpenAPI document, called with every role and
//! without a token, against the independent table `authz.tsv` (on SQLite and PostgreSQL).
//! Also checks that the table and the document list exactly the same endpoints, and that every
//! denial was appended to the audit log.

mod common;

use std::collections::BTreeMap;

use common::{backends, model_spec, version_spec, TestServer};
use serde_json::{json, Value};

const ROLES: [&str; 5] = ["admin", "model_owner", "reviewer", "auditor", "viewer"];

/// (method, path) -> allowed per caller: anonymous, then ROLES in order.
fn table() -> BTreeMap<(String, String), Vec<bool>> {
    let text = include_str!("../authz.tsv");
    let mut t = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols.len(),
            8,
            "authz.tsv line {}: expected 8 columns",
            i + 1
        );
        let allowed = cols[2..]
            .iter()
            .map(|c| match *c {
                "allow" => true,
                "deny" => false,
                other => panic!("authz.tsv line {}: {other:?}", i + 1),
            })
            .collect();
        let key = (cols[0].to_string(), cols[1].to_string());
        assert!(
            t.insert(key, allowed).is_none(),
            "authz.tsv line {}: duplicate",
            i + 1
        );
    }
    t
}

/// Concrete values for path parameters: fixtures the model owner owns, and ids that do not
/// exist (so allowed calls cannot disturb the principals doing the walking).
fn concrete(path: &str) -> String {
    path.replace("{model}", "fixture")
        .replace("{version}", "v1")
        .replace("{name}", "target")
        .replace("{id}", "999999")
}

fn denials(s: &TestServer) -> usize {
    let mut n = 0;
    let mut after = 0;
    loop {
        let (st, v) = s.call(
            "GET",
            &format!("/v1/audit?after={after}&limit=1000"),
            Some(&s.admin),
            None,
        );
        assert_eq!(st, 200, "{v}");
        let page = v.as_array().unwrap();
        if page.is_empty() {
            return n;
        }
        for e in page {
            let a = e["action"].as_str().unwrap();
            if a == "auth.denied" || a == "authz.denied" {
                n += 1;
            }
            after = e["seq"].as_u64().unwrap();
        }
    }
}

#[test]
fn every_endpoint_with_every_role_matches_the_table() {
    let table = table();
    for backend in backends() {
        let s = TestServer::start(&backend);
        let tokens: Vec<String> = ROLES
            .iter()
            .map(|r| s.user(&format!("as-{r}"), r, &["risk"]))
            .collect();
        // Fixtures owned by the model owner; a target account for user routes.
        s.user("target", "viewer", &[]);
        let mut spec = model_spec("fixture");
        spec["owner"] = json!("as-model_owner");
        assert_eq!(
            s.call("POST", "/v1/models", Some(&s.admin), Some(&spec)).0,
            201
        );
        assert_eq!(
            s.call(
                "POST",
                "/v1/models/fixture/versions",
                Some(&s.admin),
                Some(&version_spec("v1"))
            )
            .0,
            201
        );

        let (st, doc) = s.call("GET", "/openapi.json", None, None);
        assert_eq!(st, 200);
        let mut documented = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                documented.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
        let listed: Vec<(String, String)> = table.keys().cloned().collect();
        let mut doc_keys: Vec<(String, String)> = documented
            .iter()
            .map(|(m, p, _)| (m.clone(), p.clone()))
            .collect();
        doc_keys.sort();
        assert_eq!(
            doc_keys, listed,
            "authz.tsv and the OpenAPI document list different endpoints"
        );

        let before = denials(&s);
        let mut expected_denials = 0;
        let mut failures = Vec::new();
        for (method, path, op) in &documented {
            let allowed = &table[&(method.clone(), path.clone())];
            let url = concrete(path);
            let body: Option<Vec<u8>> = match op.get("requestBody") {
                None => None,
                Some(rb) if rb["content"].get("application/octet-stream").is_some() => {
                    Some(b"artifact bytes".to_vec())
                }
                Some(_) => Some(b"{}".to_vec()),
            };
            let headers: &[(&str, &str)] = &[("content-type", "application/json")];
            let callers = std::iter::once(None).chain(tokens.iter().map(|t| Some(t.as_str())));
            for (i, token) in callers.enumerate() {
                let who = if i == 0 { "anonymous" } else { ROLES[i - 1] };
                let (status, v) = s.raw(method, &url, token, body.as_deref(), headers);
                let denied = status == 401 || status == 403;
                if denied {
                    let want = if token.is_none() { 401 } else { 403 };
                    if status != want {
                        failures.push(format!("{method} {path} as {who}: {status}, want {want}"));
                    }
                }
                if allowed[i] == denied {
                    failures.push(format!(
                        "{method} {path} as {who}: got {status} ({}), table says {}",
                        v,
                        if allowed[i] { "allow" } else { "deny" }
                    ));
                }
                if !allowed[i] {
                    expected_denials += 1;
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{:?}:\n{}",
            backend,
            failures.join("\n")
        );
        assert_eq!(
            denials(&s) - before,
            expected_denials,
            "every denied attempt must be in the audit log"
        );
        let (st, v) = s.call("GET", "/v1/audit/verify", Some(&s.admin), None);
        assert_eq!((st, &v["ok"]), (200, &Value::Bool(true)), "{v}");
        s.stop();
    }
}
