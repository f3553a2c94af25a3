//! The artifact, evidence, incident and schedule endpoints on SQLite and PostgreSQL: signed
//! uploads verified (forged ones refused with nothing stored and the attempt logged), path
//! traversal in artifact names, the artifact body limit (larger than JSON's), downloads with
//! their digest headers, per-model ownership, evidence completing schedules, the incident
//! lifecycle and the overdue list. The audit chain verifies at the end of each scenario.

mod common;

use common::{backends, model_spec, TestServer};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Model `credit` owned by `owner`, version `1` registered with the digest of `bytes`.
fn fixture(s: &TestServer, owner_token: &str, bytes: &[u8]) {
    let (st, v) = s.call(
        "POST",
        "/v1/models",
        Some(owner_token),
        Some(&model_spec("credit")),
    );
    assert_eq!(st, 201, "{v}");
    let spec = json!({"version": "1", "artifact_sha256": hex::encode(Sha256::digest(bytes))});
    let (st, v) = s.call(
        "POST",
        "/v1/models/credit/versions",
        Some(owner_token),
        Some(&spec),
    );
    assert_eq!(st, 201, "{v}");
}

const ART: &str = "/v1/models/credit/versions/1/artifacts";

#[test]
fn artifacts_signed_forged_traversal_limits() {
    for backend in backends() {
        let s = TestServer::start_with(&backend, |c| c.artifact_body_limit = 4 << 20);
        let owner = s.user("alice", "model_owner", &[]);
        let other = s.user("mallory", "model_owner", &[]);
        let viewer = s.user("vic", "viewer", &[]);
        let bytes: Vec<u8> = (0..2_500_000u32).map(|i| (i % 251) as u8).collect();
        fixture(&s, &owner, &bytes);

        let key = SigningKey::from_bytes(&[3u8; 32]);
        let digest = Sha256::digest(&bytes);
        let sig = hex::encode(key.sign(&digest).to_bytes());
        let pk = hex::encode(key.verifying_key().to_bytes());
        let octet = ("content-type", "application/octet-stream");

        // Forged: signed by another key; one header only; malformed hex. Nothing stored.
        let forged = hex::encode(SigningKey::from_bytes(&[4u8; 32]).sign(&digest).to_bytes());
        let n = s.audit_len();
        for headers in [
            vec![
                octet,
                ("x-assay-signature", forged.as_str()),
                ("x-assay-public-key", pk.as_str()),
            ],
            vec![octet, ("x-assay-signature", sig.as_str())],
            vec![
                octet,
                ("x-assay-signature", "zz"),
                ("x-assay-public-key", pk.as_str()),
            ],
        ] {
            let (st, v) = s.raw(
                "PUT",
                &format!("{ART}/model.bin"),
                Some(&owner),
                Some(&bytes),
                &headers,
            );
            assert_eq!(st, 422, "{v}");
        }
        let (st, v) = s.call("GET", ART, Some(&viewer), None);
        assert_eq!((st, v), (200, json!([])));
        let e = s.last_entry();
        assert_eq!(e["action"], "request.rejected");
        assert_eq!(
            s.audit_len(),
            n + 3,
            "only the three rejections were logged"
        );

        // Traversal and other bad names (percent-encoded in the URL), all refused.
        for name in [
            "..%2Fx",
            "%2Fetc%2Fpasswd",
            "a%5Cb",
            "a%00b",
            "..",
            ".hidden",
            "sp%20ace",
        ] {
            let (st, v) = s.raw(
                "PUT",
                &format!("{ART}/{name}"),
                Some(&owner),
                Some(b"x"),
                &[octet],
            );
            assert_eq!(st, 422, "{name}: {v}");
        }
        let long = "a".repeat(129);
        let (st, _) = s.raw(
            "PUT",
            &format!("{ART}/{long}"),
            Some(&owner),
            Some(b"x"),
            &[octet],
        );
        assert_eq!(st, 422);
        let (_, v) = s.call("GET", ART, Some(&viewer), None);
        assert_eq!(v, json!([]));

        // Ownership: another model owner and a viewer may not upload.
        let (st, _) = s.raw(
            "PUT",
            &format!("{ART}/m.bin"),
            Some(&other),
            Some(b"x"),
            &[octet],
        );
        assert_eq!(st, 403);
        let (st, _) = s.raw(
            "PUT",
            &format!("{ART}/m.bin"),
            Some(&viewer),
            Some(b"x"),
            &[octet],
        );
        assert_eq!(st, 403);

        // Genuine signed upload of 2.5 MB: above the 1 MiB JSON limit, below the artifact limit.
        let (st, a) = s.raw(
            "PUT",
            &format!("{ART}/model.bin"),
            Some(&owner),
            Some(&bytes),
            &[
                octet,
                ("x-assay-signature", &sig),
                ("x-assay-public-key", &pk),
            ],
        );
        assert_eq!(st, 201, "{a}");
        assert_eq!(a["sha256"], hex::encode(digest));
        assert_eq!(a["signed"], true);
        assert_eq!(a["matches_version"], true);
        assert_eq!(a["size"], bytes.len());
        let (st, _) = s.raw(
            "PUT",
            &format!("{ART}/model.bin"),
            Some(&owner),
            Some(b"x"),
            &[octet],
        );
        assert_eq!(st, 409);
        let big = vec![0u8; 5 << 20];
        // The server answers 413 as soon as the body passes the limit and closes the
        // connection; the client may still be sending and see a broken pipe instead.
        match s.try_raw_bytes(
            "PUT",
            &format!("{ART}/big.bin"),
            Some(&owner),
            Some(&big),
            &[octet],
        ) {
            Ok((st, body)) => assert_eq!(st, 413, "{}", String::from_utf8_lossy(&body)),
            Err(ureq::Error::Io(e)) => assert!(
                matches!(
                    e.kind(),
                    std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
                ),
                "{e}"
            ),
            Err(e) => panic!("oversized upload: {e}"),
        }
        let (_, list) = s.call("GET", ART, Some(&owner), None);
        assert!(!list.to_string().contains("big.bin"), "{list}");

        // Download: the bytes, with digest and signature headers.
        let resp = common::client()
            .get(format!("{}{ART}/model.bin", s.base))
            .header("authorization", format!("Bearer {viewer}"))
            .call()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let h = |k: &str| resp.headers().get(k).unwrap().to_str().unwrap().to_string();
        assert_eq!(h("x-assay-sha256"), hex::encode(digest));
        assert_eq!(h("x-assay-signature"), sig);
        assert_eq!(h("x-assay-public-key"), pk);
        assert_eq!(h("content-type"), "application/octet-stream");
        let body = resp
            .into_body()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .unwrap();
        assert_eq!(body, bytes);
        let (st, v) = s.call("GET", ART, Some(&viewer), None);
        assert_eq!(st, 200);
        assert_eq!(v.as_array().unwrap().len(), 1);
        let (st, _) = s.call("GET", &format!("{ART}/nope.bin"), Some(&viewer), None);
        assert_eq!(st, 404);
        s.audit_len();
        s.stop();
    }
}

#[test]
fn evidence_and_schedules() {
    for backend in backends() {
        let s = TestServer::start(&backend);
        let owner = s.user("alice", "model_owner", &[]);
        let reviewer = s.user("rita", "reviewer", &["risk"]);
        let viewer = s.user("vic", "viewer", &[]);
        let other = s.user("mallory", "model_owner", &[]);
        fixture(&s, &owner, b"model");
        // The CI service account that `--submit` uses owns the model's evidence uploads.
        let ci = s.account("ci-bot", "service", "model_owner", &[]);
        let (st, v) = s.call(
            "PATCH",
            "/v1/models/credit",
            Some(&s.admin),
            Some(&json!({"owner": "ci-bot"})),
        );
        assert_eq!(st, 200, "{v}");

        let sched = json!({"kind": "fairness", "every_days": 90, "first_due_ms": 1_000});
        let (st, _) = s.call(
            "POST",
            "/v1/models/credit/schedules",
            Some(&other),
            Some(&sched),
        );
        assert_eq!(st, 403);
        let (st, _) = s.call(
            "POST",
            "/v1/models/credit/schedules",
            Some(&reviewer),
            Some(&sched),
        );
        assert_eq!(st, 403);
        let (st, f) = s.call(
            "POST",
            "/v1/models/credit/schedules",
            Some(&ci),
            Some(&sched),
        );
        assert_eq!(st, 201, "{f}");
        let mia = json!({"kind": "mia", "every_days": 30, "first_due_ms": 2_000});
        let (st, m) = s.call(
            "POST",
            "/v1/models/credit/schedules",
            Some(&s.admin),
            Some(&mia),
        );
        assert_eq!(st, 201, "{m}");
        let (st, _) = s.call(
            "POST",
            "/v1/models/credit/schedules",
            Some(&s.admin),
            Some(&mia),
        );
        assert_eq!(st, 409);
        let (st, o) = s.call("GET", "/v1/schedules/overdue", Some(&viewer), None);
        assert_eq!(st, 200);
        assert_eq!(o.as_array().unwrap().len(), 2, "{o}");
        assert!(o[0]["days_overdue"].as_i64().unwrap() > 19_000);
        assert_eq!(o[0]["kind"], "fairness");

        // Evidence from the CI account completes the fairness schedule.
        let mut report = assay_govern::testing::fairness_report(Some(true));
        report["gate"] = json!({"passed": true});
        let body = json!({"kind": "fairness", "verdict": "pass", "report": report});
        let ev = "/v1/models/credit/versions/1/evidence";
        for (tok, want) in [(&viewer, 403), (&reviewer, 403), (&owner, 403)] {
            let (st, v) = s.call("POST", ev, Some(tok), Some(&body));
            assert_eq!(st, want, "{v}");
        }
        let (st, e) = s.call("POST", ev, Some(&ci), Some(&body));
        assert_eq!(st, 201, "{e}");
        assert_eq!(e["submitted_by"], "ci-bot");
        assert_eq!(e["report"], report);
        let mut extra = body.clone();
        extra["extra"] = json!(1);
        let (st, _) = s.call("POST", ev, Some(&ci), Some(&extra));
        assert_eq!(st, 422);
        let (st, _) = s.call(
            "POST",
            ev,
            Some(&ci),
            Some(&json!({"kind": "vibes", "verdict": "pass", "report": {}})),
        );
        assert_eq!(st, 422);
        // A large report (3 MB, above the 1 MiB JSON default) fits the evidence limit.
        let rows: Vec<u32> = (0..600_000).collect();
        let big = json!({"kind": "explain", "verdict": "none", "report": {"rows": rows}});
        let (st, v) = s.call("POST", ev, Some(&ci), Some(&big));
        assert_eq!(st, 201, "{v}");
        let (st, list) = s.call("GET", ev, Some(&viewer), None);
        assert_eq!(st, 200);
        assert_eq!(list.as_array().unwrap().len(), 2);
        assert!(list[0].get("report").is_none());
        let (st, got) = s.call(
            "GET",
            &format!("/v1/evidence/{}", e["id"]),
            Some(&viewer),
            None,
        );
        assert_eq!((st, &got), (200, &e));
        let (st, _) = s.call("GET", "/v1/evidence/424242", Some(&viewer), None);
        assert_eq!(st, 404);

        let (_, o) = s.call("GET", "/v1/schedules/overdue", Some(&viewer), None);
        assert_eq!(o.as_array().unwrap().len(), 1, "{o}");
        assert_eq!(o[0]["kind"], "mia");
        let done = format!("/v1/schedules/{}/complete", m["id"]);
        let (st, _) = s.call("POST", &done, Some(&viewer), None);
        assert_eq!(st, 403);
        let (st, c) = s.call("POST", &done, Some(&reviewer), None);
        assert_eq!(st, 200, "{c}");
        assert!(c["last_done_ms"].as_i64().is_some());
        let (_, o) = s.call("GET", "/v1/schedules/overdue", Some(&viewer), None);
        assert_eq!(o, json!([]));
        let (st, l) = s.call("GET", "/v1/models/credit/schedules", Some(&viewer), None);
        assert_eq!(st, 200);
        assert_eq!(l.as_array().unwrap().len(), 2);
        let (st, _) = s.call(
            "POST",
            "/v1/schedules/99999/complete",
            Some(&reviewer),
            None,
        );
        assert_eq!(st, 404);
        s.audit_len();
        s.stop();
    }
}

#[test]
fn incident_lifecycle() {
    for backend in backends() {
        let s = TestServer::start(&backend);
        let owner = s.user("alice", "model_owner", &[]);
        let reviewer = s.user("rita", "reviewer", &["risk"]);
        let viewer = s.user("vic", "viewer", &[]);
        let auditor = s.user("aud", "auditor", &[]);
        fixture(&s, &owner, b"model");
        let spec = json!({
            "title": "Approval gap for group B",
            "severity": "sev2",
            "description": "seen in the weekly report",
            "versions": [{"model": "credit", "version": "1"}],
        });
        for tok in [&viewer, &auditor] {
            let (st, _) = s.call("POST", "/v1/incidents", Some(tok), Some(&spec));
            assert_eq!(st, 403);
        }
        let mut bad = spec.clone();
        bad["versions"] = json!([{"model": "credit", "version": "9"}]);
        let (st, _) = s.call("POST", "/v1/incidents", Some(&reviewer), Some(&bad));
        assert_eq!(st, 422);
        let (st, inc) = s.call("POST", "/v1/incidents", Some(&reviewer), Some(&spec));
        assert_eq!(st, 201, "{inc}");
        assert_eq!(inc["status"], "open");
        assert_eq!(inc["events"][0]["kind"], "opened");
        let base = format!("/v1/incidents/{}", inc["id"]);

        let (st, d) = s.call(
            "POST",
            &format!("{base}/events"),
            Some(&owner),
            Some(&json!({"text": "rolled back to 0"})),
        );
        assert_eq!(st, 201, "{d}");
        let status = |st: &str| json!({"status": st});
        let (st, _) = s.call(
            "POST",
            &format!("{base}/status"),
            Some(&viewer),
            Some(&status("investigating")),
        );
        assert_eq!(st, 403);
        let (st, d) = s.call(
            "POST",
            &format!("{base}/status"),
            Some(&owner),
            Some(&status("mitigated")),
        );
        assert_eq!(st, 200, "{d}");
        let (st, _) = s.call(
            "POST",
            &format!("{base}/status"),
            Some(&owner),
            Some(&status("open")),
        );
        assert_eq!(st, 409);
        let (st, v) = s.call(
            "POST",
            &format!("{base}/status"),
            Some(&owner),
            Some(&status("resolved")),
        );
        assert_eq!(st, 422, "{v}");
        assert!(v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("post-mortem"));
        let pm = json!({
            "summary": "group B approvals fell", "root_cause": "stale feature",
            "prevention": "freshness check", "timeline": ["t0 alert"],
        });
        let (st, d) = s.call(
            "PUT",
            &format!("{base}/postmortem"),
            Some(&reviewer),
            Some(&pm),
        );
        assert_eq!(st, 200, "{d}");
        let (st, d) = s.call(
            "POST",
            &format!("{base}/status"),
            Some(&reviewer),
            Some(&status("resolved")),
        );
        assert_eq!(st, 200, "{d}");
        assert!(d["resolved_ms"].as_i64().is_some());

        let (st, g) = s.call("GET", &base, Some(&viewer), None);
        assert_eq!(st, 200);
        let kinds: Vec<_> = g["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].clone())
            .collect();
        assert_eq!(
            kinds,
            [
                json!("opened"),
                json!("note"),
                json!("status"),
                json!("postmortem"),
                json!("status")
            ]
        );
        assert_eq!(g["postmortem"], pm);
        let (st, l) = s.call(
            "GET",
            "/v1/incidents?status=resolved&model=credit",
            Some(&viewer),
            None,
        );
        assert_eq!(st, 200, "{l}");
        assert_eq!(l.as_array().unwrap().len(), 1);
        let (st, l) = s.call("GET", "/v1/incidents?status=open", Some(&viewer), None);
        assert_eq!((st, l), (200, json!([])));
        let (st, _) = s.call("GET", "/v1/incidents?status=closed", Some(&viewer), None);
        assert_eq!(st, 400);
        let (st, _) = s.call("GET", "/v1/incidents/77777", Some(&viewer), None);
        assert_eq!(st, 404);
        s.audit_len();
        s.stop();
    }
}
