//! Artifacts and evidence on SQLite (a temporary file per test) and, when
//! `ASSAY_TEST_POSTGRES_URL` is set, on PostgreSQL (a fresh database per scenario): signed
//! uploads, forged signatures and traversal names refused with nothing written, duplicates,
//! downloads, evidence submission completing review schedules, and the audit chain verifying.

#[macro_use]
mod support;

use assay_govern::ai_act::RiskAnswers;
use assay_govern::artifacts::{self, ArtifactSignature};
use assay_govern::audit;
use assay_govern::db::Db;
use assay_govern::evidence::{self, EvidenceKind, EvidenceSpec, Verdict};
use assay_govern::inventory::{self, ModelSpec, VersionSpec};
use assay_govern::schedules::{self, ScheduleSpec, DAY_MS};
use assay_govern::users::{self, AccountKind, NewUser, Role};
use assay_govern::GovernError;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::json;
use sha2::{Digest, Sha256};
use support::{assert_chain_ok, audit_len};

const MODEL_BYTES: &[u8] = b"\x00\x01binary model bytes\xff";

/// An owner account, model `credit` and version `1` whose registered digest is that of
/// [`MODEL_BYTES`].
async fn setup(db: &Db) {
    users::create(
        db,
        "bootstrap",
        &NewUser {
            name: "alice".into(),
            kind: AccountKind::User,
            role: Role::ModelOwner,
            teams: vec![],
        },
    )
    .await
    .unwrap();
    inventory::create_model(
        db,
        "alice",
        &ModelSpec {
            name: "credit".into(),
            purpose: "credit scoring".into(),
            intended_use: String::new(),
            out_of_scope_uses: vec![],
            owner: None,
            data_sources: vec![],
            upstream: vec![],
            downstream: vec![],
            risk: RiskAnswers::default(),
        },
    )
    .await
    .unwrap();
    inventory::create_version(
        db,
        "alice",
        "credit",
        &VersionSpec {
            version: "1".into(),
            artifact_sha256: hex::encode(Sha256::digest(MODEL_BYTES)),
            description: String::new(),
            training_data: vec![],
        },
    )
    .await
    .unwrap();
}

fn sign(key: &SigningKey, bytes: &[u8]) -> ArtifactSignature {
    let digest = Sha256::digest(bytes);
    ArtifactSignature {
        signature: hex::encode(key.sign(&digest).to_bytes()),
        public_key: hex::encode(key.verifying_key().to_bytes()),
    }
}

/// A signed upload is verified, stored, listed, downloadable and flagged as the version's
/// registered artifact; an unsigned one with another digest is not.
async fn signed_upload(db: &Db) {
    setup(db).await;
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let sig = sign(&key, MODEL_BYTES);
    let before = audit_len(db).await;
    let a = artifacts::upload(
        db,
        "alice",
        "credit",
        "1",
        "model.json",
        MODEL_BYTES,
        Some(&sig),
    )
    .await
    .unwrap();
    assert_eq!(a.sha256, hex::encode(Sha256::digest(MODEL_BYTES)));
    assert_eq!(a.size, MODEL_BYTES.len() as i64);
    assert!(a.signed && a.matches_version);
    assert_eq!(a.signature.as_deref(), Some(sig.signature.as_str()));
    assert_eq!(a.public_key.as_deref(), Some(sig.public_key.as_str()));
    assert_eq!(a.uploaded_by, "alice");
    assert_eq!(audit_len(db).await, before + 1);
    let last = audit::entries(db, before, 10).await.unwrap();
    assert_eq!(last[0].action, "artifact.upload");
    assert_eq!(last[0].subject, "model/credit/1/artifact/model.json");

    // Uppercase hex is accepted and stored normalised.
    let card = b"# model card";
    let mut upper = sign(&key, card);
    upper.signature = upper.signature.to_uppercase();
    let c = artifacts::upload(
        db,
        "alice",
        "credit",
        "1",
        "CARD_v1.0+x-y.md",
        card,
        Some(&upper),
    )
    .await
    .unwrap();
    assert!(c.signed && !c.matches_version);
    assert_eq!(
        c.signature.as_deref(),
        Some(sign(&key, card).signature.as_str())
    );
    let u = artifacts::upload(db, "alice", "credit", "1", "notes.txt", b"plain", None)
        .await
        .unwrap();
    assert!(!u.signed && u.signature.is_none() && !u.matches_version);

    let list = artifacts::list(db, "credit", "1").await.unwrap();
    let names: Vec<_> = list.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["CARD_v1.0+x-y.md", "model.json", "notes.txt"]);
    assert_eq!(list[1], a);
    let (meta, bytes) = artifacts::download(db, "credit", "1", "model.json")
        .await
        .unwrap();
    assert_eq!(meta, a);
    assert_eq!(bytes, MODEL_BYTES);
    assert!(matches!(
        artifacts::download(db, "credit", "1", "missing.bin").await,
        Err(GovernError::NotFound(_))
    ));
    assert!(matches!(
        artifacts::list(db, "credit", "2").await,
        Err(GovernError::NotFound(_))
    ));
    assert_chain_ok(db).await;
}

/// Forged, mismatched and malformed signatures are refused and nothing is written.
async fn forged_signature(db: &Db) {
    setup(db).await;
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let other = SigningKey::from_bytes(&[9u8; 32]);
    let before = audit_len(db).await;
    let good = sign(&key, MODEL_BYTES);
    let mut flipped = good.clone();
    let mut sig = hex::decode(&flipped.signature).unwrap();
    sig[5] ^= 1;
    flipped.signature = hex::encode(sig);
    let cases = [
        // Signed by another key than the one presented.
        ArtifactSignature {
            signature: sign(&other, MODEL_BYTES).signature,
            public_key: good.public_key.clone(),
        },
        // A signature over different content.
        sign(&key, b"other bytes"),
        // One bit flipped.
        flipped,
        // The signature over the hex digest text instead of the digest bytes.
        ArtifactSignature {
            signature: hex::encode(
                key.sign(hex::encode(Sha256::digest(MODEL_BYTES)).as_bytes())
                    .to_bytes(),
            ),
            public_key: good.public_key.clone(),
        },
        // Malformed hex and wrong lengths.
        ArtifactSignature {
            signature: "zz".repeat(64),
            public_key: good.public_key.clone(),
        },
        ArtifactSignature {
            signature: good.signature[..126].to_string(),
            public_key: good.public_key.clone(),
        },
        ArtifactSignature {
            signature: good.signature.clone(),
            public_key: good.public_key[..62].to_string(),
        },
        // The identity point as the key (small order: verify_strict refuses it).
        ArtifactSignature {
            signature: good.signature.clone(),
            public_key: format!("01{}", "00".repeat(31)),
        },
    ];
    for (i, s) in cases.iter().enumerate() {
        let r = artifacts::upload(
            db,
            "alice",
            "credit",
            "1",
            "model.bin",
            MODEL_BYTES,
            Some(s),
        )
        .await;
        assert!(matches!(r, Err(GovernError::Invalid(_))), "case {i}: {r:?}");
    }
    assert!(artifacts::list(db, "credit", "1").await.unwrap().is_empty());
    assert_eq!(
        audit_len(db).await,
        before,
        "a refused upload appended to the log"
    );
    // The genuine signature still works afterwards.
    artifacts::upload(
        db,
        "alice",
        "credit",
        "1",
        "model.bin",
        MODEL_BYTES,
        Some(&good),
    )
    .await
    .unwrap();
    assert_chain_ok(db).await;
}

/// Names that could escape a directory, and other bad names, are refused; duplicates conflict;
/// unknown versions are not found; empty content is refused.
async fn bad_names(db: &Db) {
    setup(db).await;
    let before = audit_len(db).await;
    let long = "a".repeat(129);
    for name in [
        "../x",
        "..",
        ".",
        "/etc/passwd",
        "a/b",
        "a\\b",
        "..\\..\\windows",
        "a\0b",
        "",
        long.as_str(),
        ".hidden",
        "new\nline",
        "sp ace",
        "caf\u{e9}",
        "%2e%2e%2fx",
        "a:b",
    ] {
        let r = artifacts::upload(db, "alice", "credit", "1", name, b"x", None).await;
        match r {
            Err(GovernError::Invalid(msg)) => assert!(msg.contains("artifact name"), "{msg}"),
            other => panic!("{name:?}: {other:?}"),
        }
    }
    assert!(artifacts::list(db, "credit", "1").await.unwrap().is_empty());
    assert_eq!(audit_len(db).await, before);
    artifacts::check_artifact_name(&"a".repeat(128)).unwrap();
    artifacts::check_artifact_name("model..v2.onnx").unwrap();

    assert!(matches!(
        artifacts::upload(db, "alice", "credit", "1", "empty.bin", b"", None).await,
        Err(GovernError::Invalid(_))
    ));
    assert!(matches!(
        artifacts::upload(db, "alice", "credit", "9", "m.bin", b"x", None).await,
        Err(GovernError::NotFound(_))
    ));
    assert!(matches!(
        artifacts::upload(db, "alice", "nope", "1", "m.bin", b"x", None).await,
        Err(GovernError::NotFound(_))
    ));
    artifacts::upload(db, "alice", "credit", "1", "m.bin", b"x", None)
        .await
        .unwrap();
    let n = audit_len(db).await;
    assert!(matches!(
        artifacts::upload(db, "alice", "credit", "1", "m.bin", b"y", None).await,
        Err(GovernError::Conflict(_))
    ));
    assert_eq!(audit_len(db).await, n);
    let (_, bytes) = artifacts::download(db, "credit", "1", "m.bin")
        .await
        .unwrap();
    assert_eq!(bytes, b"x");
    assert_chain_ok(db).await;
}

/// Evidence is stored with the SHA-256 of its text, listed per version, returned with its
/// report, and completes the model's schedule of the same kind (and no other).
async fn evidence_flow(db: &Db) {
    setup(db).await;
    let t0 = 1_700_000_000_000_i64;
    let fair = schedules::create_at(
        db,
        "alice",
        "credit",
        &ScheduleSpec {
            kind: "fairness".into(),
            every_days: 90,
            first_due_ms: Some(t0),
        },
        t0 - DAY_MS,
    )
    .await
    .unwrap();
    let mia = schedules::create_at(
        db,
        "alice",
        "credit",
        &ScheduleSpec {
            kind: "mia".into(),
            every_days: 30,
            first_due_ms: Some(t0),
        },
        t0 - DAY_MS,
    )
    .await
    .unwrap();
    let at = t0 + 5 * DAY_MS;
    assert_eq!(schedules::overdue(db, at).await.unwrap().len(), 2);

    let mut report = assay_govern::testing::fairness_report(Some(true));
    report["metrics"] = json!({"dp_diff": 0.03});
    report["x"] = json!([1, 2]);
    let spec = EvidenceSpec {
        kind: EvidenceKind::Fairness,
        verdict: Some(Verdict::Pass),
        report: report.clone(),
    };
    let e = evidence::submit_at(db, "ci-bot", "credit", "1", &spec, at)
        .await
        .unwrap();
    assert_eq!(e.kind, EvidenceKind::Fairness);
    assert_eq!(e.verdict, Verdict::Pass);
    assert_eq!(e.report.as_ref(), Some(&report));
    assert_eq!(
        e.sha256,
        hex::encode(Sha256::digest(serde_json::to_string(&report).unwrap()))
    );
    assert_eq!(e.created_ms, at);
    let got = evidence::get(db, e.id).await.unwrap();
    assert_eq!(got, e);

    let f = schedules::get(db, fair.id).await.unwrap();
    assert_eq!(f.last_done_ms, Some(at));
    assert_eq!(f.next_due_ms, at + 90 * DAY_MS);
    assert_eq!(schedules::get(db, mia.id).await.unwrap(), mia);
    let overdue = schedules::overdue(db, at + DAY_MS).await.unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].schedule.kind, "mia");
    assert_eq!(overdue[0].days_overdue, 6);
    let tail = audit::entries(db, audit_len(db).await - 2, 10)
        .await
        .unwrap();
    assert_eq!(tail[0].action, "evidence.submit");
    assert_eq!(tail[1].action, "schedule.complete");

    let e2 = evidence::submit_at(
        db,
        "ci-bot",
        "credit",
        "1",
        &EvidenceSpec {
            kind: EvidenceKind::Dp,
            verdict: None,
            report: json!({"epsilon": 1.0}),
        },
        at + 1,
    )
    .await
    .unwrap();
    let list = evidence::list(db, "credit", "1").await.unwrap();
    assert_eq!(list.iter().map(|e| e.id).collect::<Vec<_>>(), [e.id, e2.id]);
    assert!(list.iter().all(|e| e.report.is_none()));
    let latest = evidence::latest(db, "credit", "1", EvidenceKind::Fairness)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.id, e.id);
    assert!(evidence::latest(db, "credit", "1", EvidenceKind::Mia)
        .await
        .unwrap()
        .is_none());

    // Refused: a report that is not an object, an unknown version, unknown ids.
    let n = audit_len(db).await;
    for report in [json!([1, 2]), json!("text"), json!(null)] {
        let r = evidence::submit(
            db,
            "ci-bot",
            "credit",
            "1",
            &EvidenceSpec {
                kind: EvidenceKind::Other,
                verdict: Some(Verdict::Fail),
                report,
            },
        )
        .await;
        assert!(matches!(r, Err(GovernError::Invalid(_))), "{r:?}");
    }
    assert!(matches!(
        evidence::submit(db, "ci-bot", "credit", "7", &spec).await,
        Err(GovernError::NotFound(_))
    ));
    assert_eq!(audit_len(db).await, n);
    assert!(matches!(
        evidence::get(db, 9999).await,
        Err(GovernError::NotFound(_))
    ));
    // Request bodies deny unknown fields and unknown kinds/verdicts.
    assert!(serde_json::from_value::<EvidenceSpec>(
        json!({"kind": "fairness", "verdict": "pass", "report": {}, "extra": 1})
    )
    .is_err());
    assert!(serde_json::from_value::<EvidenceSpec>(
        json!({"kind": "astrology", "verdict": "pass", "report": {}})
    )
    .is_err());
    assert!(serde_json::from_value::<EvidenceSpec>(
        json!({"kind": "pii", "verdict": "maybe", "report": {}})
    )
    .is_err());
    assert_chain_ok(db).await;
}

/// Issue #15, finding 2: the verdict is derived from the report. A claimed `pass` with an empty
/// report or with a report whose policy failed is refused and writes nothing; a report without
/// a policy result is stored with verdict `none`; a report whose policy result contradicts
/// itself, or that is of another kind, is refused. (Before: every claim was stored as sent.)
async fn claimed_verdicts_are_derived(db: &Db) {
    setup(db).await;
    let fairness = |verdict: Verdict, report: serde_json::Value| EvidenceSpec {
        kind: EvidenceKind::Fairness,
        verdict: Some(verdict),
        report,
    };
    let report = assay_govern::testing::fairness_report;
    let n = audit_len(db).await;
    let mut forged = report(Some(false));
    forged["policy"]["passed"] = json!(true);
    for (spec, why) in [
        (fairness(Verdict::Pass, json!({})), "no policy result"),
        (fairness(Verdict::Pass, report(None)), "no policy result"),
        (
            fairness(Verdict::Pass, report(Some(false))),
            "policy failed",
        ),
        (fairness(Verdict::Fail, report(Some(true))), "policy passed"),
        (fairness(Verdict::Pass, forged), "report.policy.passed"),
        (
            EvidenceSpec {
                kind: EvidenceKind::Dp,
                verdict: Some(Verdict::Pass),
                report: report(Some(true)),
            },
            "is fairness evidence, not dp",
        ),
    ] {
        match evidence::submit(db, "ci-bot", "credit", "1", &spec).await {
            Err(GovernError::Invalid(m)) => assert!(m.contains(why), "{why}: {m}"),
            other => panic!("{why}: {other:?}"),
        }
    }
    assert_eq!(
        audit_len(db).await,
        n,
        "a refused submission writes nothing"
    );
    for (claim, passed) in [
        (Verdict::None, None),
        (Verdict::Fail, Some(false)),
        (Verdict::Pass, Some(true)),
    ] {
        let e = evidence::submit(
            db,
            "ci-bot",
            "credit",
            "1",
            &fairness(claim, report(passed)),
        )
        .await
        .unwrap();
        assert_eq!(e.verdict, claim);
    }
    let e = evidence::submit(
        db,
        "ci-bot",
        "credit",
        "1",
        &fairness(Verdict::None, json!({})),
    )
    .await
    .unwrap();
    assert_eq!(e.verdict, Verdict::None);
    // Without a claim the verdict is the derived one.
    let mut unclaimed = fairness(Verdict::None, report(Some(false)));
    unclaimed.verdict = None;
    let e = evidence::submit(db, "ci-bot", "credit", "1", &unclaimed)
        .await
        .unwrap();
    assert_eq!(e.verdict, Verdict::Fail);
    assert_chain_ok(db).await;
}

/// Issue #15, finding 14: evidence is bound to the version's artifact by the model digest its
/// report records. Another model's report is refused and writes nothing; a report recording no
/// model is stored unbound; the report's own time is kept. (Before: every report was stored,
/// none bound, aged by its upload time.)
async fn evidence_is_bound_to_the_model(db: &Db) {
    setup(db).await;
    let artifact = hex::encode(Sha256::digest(MODEL_BYTES));
    let at = 1_700_000_000_000_i64;
    let spec = |report| EvidenceSpec {
        kind: EvidenceKind::Fairness,
        verdict: None,
        report,
    };
    let report = assay_govern::testing::bound_fairness_report;
    let n = audit_len(db).await;
    let other = spec(report(Some(true), &"cd".repeat(32), at));
    match evidence::submit_at(db, "ci-bot", "credit", "1", &other, at + DAY_MS).await {
        Err(GovernError::Invalid(m)) => {
            assert!(m.contains("not version 1 of model credit"), "{m}")
        }
        r => panic!("{r:?}"),
    }
    let future = spec(report(Some(true), &artifact, at + DAY_MS));
    match evidence::submit_at(db, "ci-bot", "credit", "1", &future, at).await {
        Err(GovernError::Invalid(m)) => assert!(m.contains("in the future"), "{m}"),
        r => panic!("{r:?}"),
    }
    assert_eq!(
        audit_len(db).await,
        n,
        "a refused submission writes nothing"
    );
    let e = evidence::submit_at(
        db,
        "ci-bot",
        "credit",
        "1",
        &spec(report(Some(true), &artifact, at)),
        at + 10 * DAY_MS,
    )
    .await
    .unwrap();
    assert!(e.bound);
    assert_eq!(e.model_sha256.as_deref(), Some(artifact.as_str()));
    assert_eq!((e.report_ms, e.created_ms), (Some(at), at + 10 * DAY_MS));
    let unbound = spec(assay_govern::testing::fairness_report(Some(true)));
    let e = evidence::submit(db, "ci-bot", "credit", "1", &unbound)
        .await
        .unwrap();
    assert!(!e.bound && e.model_sha256.is_none() && e.report_ms.is_none());
    assert_eq!(evidence::get(db, e.id).await.unwrap(), e);
    assert_chain_ok(db).await;
}

scenarios!(
    "artifact":signed_upload, forged_signature, bad_names, evidence_flow,
    claimed_verdicts_are_derived, evidence_is_bound_to_the_model);
