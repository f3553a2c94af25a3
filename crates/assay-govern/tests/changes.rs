//! Change management on SQLite (a temporary file per test) and, when `ASSAY_TEST_POSTGRES_URL`
//! is set, on PostgreSQL (a fresh database per scenario): the full flow to production under the
//! default policy, separation of duties (refusals write nothing), concurrent double approvals
//! and applications (exactly once), evidence blocking and re-evaluated at apply time,
//! rejections and withdrawals, and one-action rollback; the audit chain verifies after each.

#[macro_use]
mod support;

use std::sync::Arc;

use assay_govern::ai_act::{ProhibitedPractice, RiskAnswers, RiskTier, TransparencyTrigger};
use assay_govern::audit;
use assay_govern::changes::{self, ChangeFilter, ChangeRequest, ChangeSpec, ChangeStatus};
use assay_govern::db::Db;
use assay_govern::evidence::{self, EvidenceKind, EvidenceSpec, Verdict};
use assay_govern::inventory::{self, ModelSpec, ModelUpdate, Stage, VersionSpec};
use assay_govern::policy::{Decision, Policy};
use assay_govern::users::{self, AccountKind, NewUser, Principal, Role};
use assay_govern::GovernError;
use serde_json::json;
use support::{assert_chain_ok, audit_len};

const DAY_MS: i64 = 86_400_000;

/// The accounts every scenario uses.
struct People {
    /// Model owner; opens requests and owns `credit`.
    olga: Principal,
    /// Another model owner.
    max: Principal,
    /// Reviewer in team `risk`.
    rita: Principal,
    /// Reviewer, no team.
    bob: Principal,
    /// Reviewer, no team.
    carl: Principal,
    /// Admin.
    ada: Principal,
    /// Service account with the reviewer role (CI).
    ci: Principal,
}

async fn account(db: &Db, name: &str, kind: AccountKind, role: Role, teams: &[&str]) -> Principal {
    let u = users::create(
        db,
        "bootstrap",
        &NewUser {
            name: name.into(),
            kind,
            role,
            teams: teams.iter().map(|t| t.to_string()).collect(),
        },
    )
    .await
    .unwrap();
    Principal {
        id: u.id,
        name: u.name,
        kind: u.kind,
        role: u.role,
        teams: u.teams,
    }
}

async fn people(db: &Db) -> People {
    use AccountKind::{Service, User};
    People {
        olga: account(db, "olga", User, Role::ModelOwner, &[]).await,
        max: account(db, "max", User, Role::ModelOwner, &[]).await,
        rita: account(db, "rita", User, Role::Reviewer, &["risk"]).await,
        bob: account(db, "bob", User, Role::Reviewer, &[]).await,
        carl: account(db, "carl", User, Role::Reviewer, &["ops"]).await,
        ada: account(db, "ada", User, Role::Admin, &[]).await,
        ci: account(db, "ci", Service, Role::Reviewer, &["risk"]).await,
    }
}

fn high_risk() -> RiskAnswers {
    RiskAnswers {
        annex_i_safety_component: true,
        ..RiskAnswers::default()
    }
}

/// Registers `model` owned by `owner` with `answers` and versions `v1`..`v{versions}`.
async fn model(db: &Db, owner: &str, model: &str, answers: RiskAnswers, versions: u32) {
    inventory::create_model(
        db,
        owner,
        &ModelSpec {
            name: model.into(),
            purpose: "credit decisions".into(),
            intended_use: String::new(),
            out_of_scope_uses: vec![],
            owner: None,
            data_sources: vec![],
            upstream: vec![],
            downstream: vec![],
            risk: answers,
        },
    )
    .await
    .unwrap();
    for i in 1..=versions {
        inventory::create_version(
            db,
            owner,
            model,
            &VersionSpec {
                version: format!("v{i}"),
                artifact_sha256: format!("{i:064x}"),
                description: String::new(),
                training_data: vec![],
            },
        )
        .await
        .unwrap();
    }
}

fn spec(to: Stage) -> ChangeSpec {
    ChangeSpec {
        to_stage: to,
        impact_assessment: "scores 2% more applicants; disparities within policy".into(),
        rollback_plan: "roll back to the previous production version".into(),
    }
}

async fn fairness(db: &Db, model: &str, version: &str, verdict: Verdict, at_ms: i64) {
    evidence::submit_at(
        db,
        "olga",
        model,
        version,
        &EvidenceSpec {
            kind: EvidenceKind::Fairness,
            verdict: Some(verdict),
            report: assay_govern::testing::bound_fairness_report(
                match verdict {
                    Verdict::Pass => Some(true),
                    Verdict::Fail => Some(false),
                    Verdict::None => None,
                },
                // The artifact digest of version `vN` (see `model`).
                &format!("{:064x}", version[1..].parse::<u64>().unwrap()),
                at_ms,
            ),
        },
        at_ms,
    )
    .await
    .unwrap();
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn stage(db: &Db, model: &str, version: &str) -> Stage {
    inventory::get_version(db, model, version)
        .await
        .unwrap()
        .stage
}

async fn audit_count(db: &Db, action: &str) -> usize {
    audit::entries(db, 0, 100_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == action)
        .count()
}

/// Opens and approves (one reviewer) and applies a change of a minimal-risk model.
async fn promote(db: &Db, p: &People, policy: &Policy, model: &str, version: &str, to: Stage) {
    let c = changes::open(db, policy, &p.olga, model, version, &spec(to))
        .await
        .unwrap();
    let c = changes::approve(db, policy, &p.bob, c.id, "ok")
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Approved);
    let c = changes::apply(db, policy, &p.olga, c.id).await.unwrap();
    assert_eq!(c.status, ChangeStatus::Applied);
}

fn missing(c: &ChangeRequest) -> String {
    c.policy.as_ref().unwrap().missing.join("; ")
}

/// High-risk model under the default policy: staging with one approval; production with two
/// reviewers, one from `risk`, and a passing fairness report; a second version retires the
/// first; listing and filters.
async fn full_flow(db: &Db) {
    let p = people(db).await;
    let policy = Policy::default();
    model(db, "olga", "credit", high_risk(), 2).await;

    // To staging: one approval.
    let c = changes::open(db, &policy, &p.olga, "credit", "v1", &spec(Stage::Staging))
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Open);
    assert_eq!(
        (c.from_stage, c.to_stage),
        (Stage::Development, Stage::Staging)
    );
    assert_eq!(c.requested_by, "olga");
    assert!(missing(&c).contains("1 more approval"), "{}", missing(&c));
    let c = changes::approve(db, &policy, &p.bob, c.id, "looks fine")
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Approved);
    assert!(c.policy.as_ref().unwrap().satisfied);
    assert_eq!(c.approvals.len(), 1);
    assert_eq!(c.approvals[0].reviewer, "bob");
    assert_eq!(c.approvals[0].decision, Decision::Approve);
    assert_eq!(c.approvals[0].comment, "looks fine");
    let c = changes::apply(db, &policy, &p.olga, c.id).await.unwrap();
    assert_eq!(c.status, ChangeStatus::Applied);
    assert!(c.policy.is_none() && c.decided_ms.is_some());
    assert_eq!(stage(db, "credit", "v1").await, Stage::Staging);

    // To production: two reviewers, one from risk, fresh passing fairness evidence.
    let c = changes::open(
        db,
        &policy,
        &p.olga,
        "credit",
        "v1",
        &spec(Stage::Production),
    )
    .await
    .unwrap();
    assert_eq!(c.from_stage, Stage::Staging);
    let m = missing(&c);
    assert!(m.contains("2 more approvals"), "{m}");
    assert!(m.contains("team risk"), "{m}");
    assert!(m.contains("fairness"), "{m}");
    fairness(db, "credit", "v1", Verdict::Pass, now() - 5 * DAY_MS).await;
    let c = changes::approve(db, &policy, &p.bob, c.id, "")
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Open);
    assert_eq!(
        c.policy.as_ref().unwrap().missing,
        vec![
            "1 more approval (of 2 from reviewer or admin)".to_string(),
            "an approval from a member of team risk".to_string()
        ]
    );
    // Applying early is refused, naming what is missing, and writes nothing.
    let before = audit_len(db).await;
    let e = changes::apply(db, &policy, &p.olga, c.id)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GovernError::Conflict(m) if m.contains("team risk")),
        "{e}"
    );
    assert_eq!(audit_len(db).await, before);
    assert_eq!(stage(db, "credit", "v1").await, Stage::Staging);
    let c = changes::approve(db, &policy, &p.rita, c.id, "risk sign-off")
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Approved, "{}", missing(&c));
    assert_eq!(c.policy.as_ref().unwrap().approvals, 2);
    let c = changes::apply(db, &policy, &p.olga, c.id).await.unwrap();
    assert_eq!(c.status, ChangeStatus::Applied);
    assert_eq!(stage(db, "credit", "v1").await, Stage::Production);
    let m = inventory::get_model(db, "credit").await.unwrap();
    assert_eq!(m.production_version.as_deref(), Some("v1"));

    // Applying again: Conflict.
    let e = changes::apply(db, &policy, &p.olga, c.id)
        .await
        .unwrap_err();
    assert!(matches!(e, GovernError::Conflict(_)), "{e}");
    // A version already in production cannot be "promoted" again.
    let e = changes::open(
        db,
        &policy,
        &p.olga,
        "credit",
        "v1",
        &spec(Stage::Production),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, GovernError::Conflict(_)), "{e}");

    // v2 straight from development to production retires v1.
    let c2 = changes::open(
        db,
        &policy,
        &p.olga,
        "credit",
        "v2",
        &spec(Stage::Production),
    )
    .await
    .unwrap();
    fairness(db, "credit", "v2", Verdict::Pass, now()).await;
    changes::approve(db, &policy, &p.rita, c2.id, "")
        .await
        .unwrap();
    changes::approve(db, &policy, &p.ada, c2.id, "")
        .await
        .unwrap();
    let c2 = changes::apply(db, &policy, &p.max, c2.id).await.unwrap();
    assert_eq!(c2.status, ChangeStatus::Applied);
    assert_eq!(stage(db, "credit", "v2").await, Stage::Production);
    assert_eq!(stage(db, "credit", "v1").await, Stage::Retired);
    assert_eq!(
        inventory::get_model(db, "credit")
            .await
            .unwrap()
            .production_version
            .as_deref(),
        Some("v2")
    );

    // Listing and filters.
    let all = changes::list(db, &policy, &ChangeFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].id, c2.id, "newest first");
    let applied = changes::list(
        db,
        &policy,
        &ChangeFilter {
            status: Some(ChangeStatus::Applied),
            model: Some("credit".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(applied.len(), 3);
    for (status, model, n) in [
        (Some(ChangeStatus::Open), None, 0),
        (None, Some("other"), 0),
        (None, Some("credit"), 3),
    ] {
        let f = ChangeFilter {
            status,
            model: model.map(String::from),
        };
        assert_eq!(changes::list(db, &policy, &f).await.unwrap().len(), n);
    }
    let e = changes::get(db, &policy, 9999).await.unwrap_err();
    assert!(matches!(e, GovernError::NotFound(_)), "{e}");
    assert_eq!(audit_count(db, "change.open").await, 3);
    assert_eq!(audit_count(db, "change.approve").await, 5);
    assert_eq!(audit_count(db, "change.apply").await, 3);
    assert_chain_ok(db).await;
}

/// Invalid requests: missing plans, wrong targets, duplicates, prohibited models, unknown
/// versions.
async fn open_validation(db: &Db) {
    let p = people(db).await;
    let policy = Policy::default();
    model(db, "olga", "credit", RiskAnswers::default(), 1).await;
    model(
        db,
        "olga",
        "scoring",
        RiskAnswers {
            prohibited_practices: vec![ProhibitedPractice::SocialScoring],
            ..RiskAnswers::default()
        },
        1,
    )
    .await;
    let before = audit_len(db).await;
    for (s, what) in [
        (
            ChangeSpec {
                impact_assessment: "  ".into(),
                ..spec(Stage::Production)
            },
            "impact_assessment",
        ),
        (
            ChangeSpec {
                rollback_plan: String::new(),
                ..spec(Stage::Production)
            },
            "rollback_plan",
        ),
        (spec(Stage::Development), "to_stage"),
        (spec(Stage::Retired), "to_stage"),
    ] {
        let e = changes::open(db, &policy, &p.olga, "credit", "v1", &s)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, GovernError::Invalid(m) if m.contains(what)),
            "{what}: {e}"
        );
    }
    for (m, v) in [("credit", "v9"), ("nope", "v1")] {
        let e = changes::open(db, &policy, &p.olga, m, v, &spec(Stage::Staging))
            .await
            .unwrap_err();
        assert!(matches!(e, GovernError::NotFound(_)), "{e}");
    }
    for to in [Stage::Staging, Stage::Production] {
        let e = changes::open(db, &policy, &p.olga, "scoring", "v1", &spec(to))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, GovernError::Forbidden(m) if m.contains("prohibited")),
            "{e}"
        );
    }
    assert_eq!(audit_len(db).await, before, "refusals write nothing");

    // One pending request per version.
    let c = changes::open(db, &policy, &p.olga, "credit", "v1", &spec(Stage::Staging))
        .await
        .unwrap();
    let e = changes::open(
        db,
        &policy,
        &p.max,
        "credit",
        "v1",
        &spec(Stage::Production),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, GovernError::Conflict(m) if m.contains(&c.id.to_string())),
        "{e}"
    );
    assert_chain_ok(db).await;
}

/// Nobody decides their own request or their own model's; service accounts and roles the
/// policy does not name cannot decide; refusals write nothing.
async fn separation_of_duties(db: &Db) {
    let p = people(db).await;
    let policy = Policy::default();
    // `credit` is owned by rita, a reviewer; ada (admin) opens the request.
    model(db, "rita", "credit", RiskAnswers::default(), 1).await;
    let c = changes::open(
        db,
        &policy,
        &p.ada,
        "credit",
        "v1",
        &spec(Stage::Production),
    )
    .await
    .unwrap();
    let before = audit_len(db).await;
    for (who, what) in [
        (&p.ada, "opened change request"),
        (&p.rita, "owns model"),
        (&p.ci, "service accounts"),
        (&p.olga, "role model_owner"),
    ] {
        for d in [Decision::Approve, Decision::Reject] {
            let e = changes::decide(db, &policy, who, c.id, d, "mine")
                .await
                .unwrap_err();
            assert!(
                matches!(&e, GovernError::Forbidden(m) if m.contains(what)),
                "{}: {e}",
                who.name
            );
        }
    }
    assert_eq!(audit_len(db).await, before, "refusals write nothing");
    let c = changes::get(db, &policy, c.id).await.unwrap();
    assert!(c.approvals.is_empty());
    assert_eq!(c.status, ChangeStatus::Open);
    // Someone else may.
    let c = changes::approve(db, &policy, &p.bob, c.id, "")
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Approved);

    // A policy that lets service accounts approve does.
    let lenient = Policy::from_toml_str(
        "[[rules]]\nmin_approvals = 1\nservice_accounts_may_approve = true\n",
    )
    .unwrap();
    model(db, "olga", "other", RiskAnswers::default(), 1).await;
    let c = changes::open(db, &lenient, &p.olga, "other", "v1", &spec(Stage::Staging))
        .await
        .unwrap();
    let c = changes::approve(db, &lenient, &p.ci, c.id, "automated")
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Approved);
    assert_chain_ok(db).await;
}

/// 16 simultaneous approvals by the same reviewer: exactly one succeeds; 16 simultaneous
/// applications: exactly one succeeds.
async fn concurrent_double_approval(db: &Db) {
    let p = people(db).await;
    let policy = Arc::new(Policy::default());
    model(db, "olga", "credit", high_risk(), 1).await;
    let c = changes::open(
        db,
        &policy,
        &p.olga,
        "credit",
        "v1",
        &spec(Stage::Production),
    )
    .await
    .unwrap();
    let bob = Arc::new(p.bob.clone());
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (db, policy, bob) = (db.clone(), policy.clone(), bob.clone());
        tasks.push(tokio::spawn(async move {
            changes::approve(&db, &policy, &bob, c.id, &format!("attempt {i}")).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(GovernError::Conflict(m)) => assert!(m.contains("already decided"), "{m}"),
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(ok, 1);
    let c = changes::get(db, &policy, c.id).await.unwrap();
    assert_eq!(c.approvals.len(), 1);
    assert_eq!(c.status, ChangeStatus::Open);
    assert_eq!(audit_count(db, "change.approve").await, 1);

    // Distinct reviewers at once: each counted once.
    fairness(db, "credit", "v1", Verdict::Pass, now()).await;
    let mut tasks = Vec::new();
    for who in [
        p.rita.clone(),
        p.carl.clone(),
        p.rita.clone(),
        p.carl.clone(),
    ] {
        let (db, policy) = (db.clone(), policy.clone());
        tasks.push(tokio::spawn(async move {
            changes::approve(&db, &policy, &who, c.id, "").await
        }));
    }
    let ok = futures_ok(tasks).await;
    assert_eq!(ok, 2);
    let c = changes::get(db, &policy, c.id).await.unwrap();
    assert_eq!(c.approvals.len(), 3);
    assert_eq!(c.status, ChangeStatus::Approved, "{}", missing(&c));

    let olga = Arc::new(p.olga.clone());
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (db, policy, olga) = (db.clone(), policy.clone(), olga.clone());
        tasks.push(tokio::spawn(async move {
            changes::apply(&db, &policy, &olga, c.id).await
        }));
    }
    assert_eq!(futures_ok(tasks).await, 1);
    assert_eq!(audit_count(db, "change.apply").await, 1);
    assert_eq!(stage(db, "credit", "v1").await, Stage::Production);
    let c = changes::get(db, &policy, c.id).await.unwrap();
    assert_eq!(c.status, ChangeStatus::Applied);
    assert_chain_ok(db).await;
}

/// Counts the tasks that succeeded; every failure must be a Conflict.
async fn futures_ok(
    tasks: Vec<tokio::task::JoinHandle<Result<ChangeRequest, GovernError>>>,
) -> usize {
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(GovernError::Conflict(_)) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    ok
}

/// Missing, failing or stale evidence keeps a fully approved request open and blocks apply;
/// the policy is evaluated again at apply time.
async fn evidence_blocks(db: &Db) {
    let p = people(db).await;
    let policy = Policy::default();
    model(db, "olga", "credit", high_risk(), 2).await;
    let c = changes::open(
        db,
        &policy,
        &p.olga,
        "credit",
        "v1",
        &spec(Stage::Production),
    )
    .await
    .unwrap();
    changes::approve(db, &policy, &p.bob, c.id, "")
        .await
        .unwrap();
    let c = changes::approve(db, &policy, &p.rita, c.id, "")
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Open, "no evidence yet");
    assert!(
        missing(&c).contains("no fairness evidence"),
        "{}",
        missing(&c)
    );
    let e = changes::apply(db, &policy, &p.olga, c.id)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GovernError::Conflict(m) if m.contains("fairness")),
        "{e}"
    );

    fairness(db, "credit", "v1", Verdict::Pass, now() - 91 * DAY_MS).await;
    let c = changes::get(db, &policy, c.id).await.unwrap();
    assert!(missing(&c).contains("91 days old"), "{}", missing(&c));
    assert!(changes::apply(db, &policy, &p.olga, c.id).await.is_err());
    fairness(db, "credit", "v1", Verdict::Fail, now()).await;
    let c = changes::get(db, &policy, c.id).await.unwrap();
    assert!(missing(&c).contains("verdict fail"), "{}", missing(&c));
    assert!(changes::apply(db, &policy, &p.olga, c.id).await.is_err());
    assert_eq!(stage(db, "credit", "v1").await, Stage::Development);

    // Evidence arriving later satisfies the policy for the open request.
    fairness(db, "credit", "v1", Verdict::Pass, now()).await;
    let c = changes::get(db, &policy, c.id).await.unwrap();
    assert!(c.policy.as_ref().unwrap().satisfied, "{}", missing(&c));
    let c = changes::apply(db, &policy, &p.olga, c.id).await.unwrap();
    assert_eq!(c.status, ChangeStatus::Applied);

    // Approved with evidence that is about to age out: apply re-evaluates and refuses.
    let strict = Policy::from_toml_str(
        r#"
        [[rules]]
        min_approvals = 1
        [[rules.evidence]]
        kind = "fairness"
        max_age_days = 1
        "#,
    )
    .unwrap();
    fairness(db, "credit", "v2", Verdict::Pass, now() - DAY_MS + 1_500).await;
    let c = changes::open(db, &strict, &p.olga, "credit", "v2", &spec(Stage::Staging))
        .await
        .unwrap();
    let c = changes::approve(db, &strict, &p.bob, c.id, "")
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Approved, "{}", missing(&c));
    tokio::time::sleep(std::time::Duration::from_millis(2_000)).await;
    let e = changes::apply(db, &strict, &p.olga, c.id)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GovernError::Conflict(m) if m.contains("no older than 1 days")),
        "{e}"
    );
    assert_eq!(stage(db, "credit", "v2").await, Stage::Development);
    assert_chain_ok(db).await;
}

/// A rejection closes a request; withdrawals by the requester or an admin only.
async fn reject_and_withdraw(db: &Db) {
    let p = people(db).await;
    let policy = Policy::default();
    model(db, "olga", "credit", RiskAnswers::default(), 1).await;
    let c = changes::open(db, &policy, &p.olga, "credit", "v1", &spec(Stage::Staging))
        .await
        .unwrap();
    let c = changes::reject(db, &policy, &p.bob, c.id, "impact assessment too thin")
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Rejected);
    assert_eq!(c.approvals[0].decision, Decision::Reject);
    for r in [
        changes::approve(db, &policy, &p.rita, c.id, "").await,
        changes::apply(db, &policy, &p.olga, c.id).await,
        changes::withdraw(db, &policy, &p.olga, c.id).await,
    ] {
        assert!(matches!(r, Err(GovernError::Conflict(_))), "{r:?}");
    }
    // A new request may be opened after a rejection.
    let c = changes::open(db, &policy, &p.olga, "credit", "v1", &spec(Stage::Staging))
        .await
        .unwrap();
    let e = changes::withdraw(db, &policy, &p.max, c.id)
        .await
        .unwrap_err();
    assert!(matches!(e, GovernError::Forbidden(_)), "{e}");
    let c = changes::withdraw(db, &policy, &p.olga, c.id).await.unwrap();
    assert_eq!(c.status, ChangeStatus::Withdrawn);
    let c = changes::open(db, &policy, &p.olga, "credit", "v1", &spec(Stage::Staging))
        .await
        .unwrap();
    let c = changes::withdraw(db, &policy, &p.ada, c.id).await.unwrap();
    assert_eq!(c.status, ChangeStatus::Withdrawn);
    assert_eq!(stage(db, "credit", "v1").await, Stage::Development);
    assert_eq!(audit_count(db, "change.withdraw").await, 2);
    assert_eq!(audit_count(db, "change.reject").await, 1);
    assert_chain_ok(db).await;
}

/// Rollback: one action restores the previous production version and demotes the current one
/// to staging; a second rollback goes one further back; errors without a previous version.
async fn rollback(db: &Db) {
    let p = people(db).await;
    let policy = Policy::default();
    model(db, "olga", "credit", RiskAnswers::default(), 3).await;
    let e = changes::rollback(db, &p.olga, "credit", "incident 7")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GovernError::Conflict(m) if m.contains("no version in production")),
        "{e}"
    );
    let e = changes::rollback(db, &p.olga, "nope", "x")
        .await
        .unwrap_err();
    assert!(matches!(e, GovernError::NotFound(_)), "{e}");
    let e = changes::rollback(db, &p.olga, "credit", " ")
        .await
        .unwrap_err();
    assert!(matches!(e, GovernError::Invalid(_)), "{e}");

    promote(db, &p, &policy, "credit", "v1", Stage::Production).await;
    let e = changes::rollback(db, &p.olga, "credit", "incident 7")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GovernError::Conflict(m) if m.contains("no previous")),
        "{e}"
    );
    promote(db, &p, &policy, "credit", "v2", Stage::Production).await;
    assert_eq!(stage(db, "credit", "v1").await, Stage::Retired);

    let before = audit_len(db).await;
    let r = changes::rollback(db, &p.olga, "credit", "incident 7: drift")
        .await
        .unwrap();
    assert_eq!(audit_len(db).await, before + 1, "one action, one entry");
    assert_eq!(r.restored_version, "v1");
    assert_eq!(r.demoted_version, "v2");
    assert_eq!(r.reason, "incident 7: drift");
    assert_eq!(stage(db, "credit", "v1").await, Stage::Production);
    assert_eq!(stage(db, "credit", "v2").await, Stage::Staging);
    assert_eq!(
        inventory::get_model(db, "credit")
            .await
            .unwrap()
            .production_version
            .as_deref(),
        Some("v1")
    );
    // Back to the first deployment: nothing before it.
    let e = changes::rollback(db, &p.olga, "credit", "again")
        .await
        .unwrap_err();
    assert!(matches!(e, GovernError::Conflict(_)), "{e}");

    // v2 (fixed) goes back through a change request, then v3; two rollbacks go v3 -> v2 -> v1.
    promote(db, &p, &policy, "credit", "v2", Stage::Production).await;
    promote(db, &p, &policy, "credit", "v3", Stage::Production).await;
    let r = changes::rollback(db, &p.ada, "credit", "v3 broke")
        .await
        .unwrap();
    assert_eq!(
        (r.restored_version.as_str(), r.demoted_version.as_str()),
        ("v2", "v3")
    );
    let r = changes::rollback(db, &p.ada, "credit", "v2 too")
        .await
        .unwrap();
    assert_eq!(
        (r.restored_version.as_str(), r.demoted_version.as_str()),
        ("v1", "v2")
    );
    assert_eq!(stage(db, "credit", "v1").await, Stage::Production);
    assert_eq!(stage(db, "credit", "v2").await, Stage::Staging);
    assert_eq!(stage(db, "credit", "v3").await, Stage::Staging);
    let production: Vec<_> = inventory::list_versions(db, "credit")
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.stage == Stage::Production)
        .collect();
    assert_eq!(production.len(), 1, "one production version per model");
    assert_eq!(audit_count(db, "model.rollback").await, 3);
    assert_chain_ok(db).await;
}

/// Answers that make a model limited-risk (Article 50(1)).
fn limited() -> RiskAnswers {
    RiskAnswers {
        transparency: vec![TransparencyTrigger::InteractsWithPeople],
        ..RiskAnswers::default()
    }
}

/// A partial update that only gives new questionnaire answers.
fn answers(a: RiskAnswers) -> ModelUpdate {
    ModelUpdate {
        risk: Some(a),
        ..ModelUpdate::default()
    }
}

/// Issue #15, finding 1: with a production request of a high-risk model open and one approval,
/// the owner empties the questionnaire (the tier would become minimal, which needs one
/// approval). The downgrade is refused while the request is pending, naming it; apply still
/// needs everything the high-risk rule asks for; restoring the answers is allowed; once the
/// request is closed the model may be reassessed, and the audit log holds the tier history.
async fn tier_lowered_mid_request(db: &Db) {
    let p = people(db).await;
    let policy = Policy::default();
    model(db, "olga", "credit", high_risk(), 1).await;
    let c = changes::open(
        db,
        &policy,
        &p.olga,
        "credit",
        "v1",
        &spec(Stage::Production),
    )
    .await
    .unwrap();
    let c = changes::approve(db, &policy, &p.bob, c.id, "one approval")
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Open);
    assert_eq!(c.risk_tier_at_open, RiskTier::HighRisk);

    // The downgrade is refused, by the owner and by an admin alike, and writes nothing.
    let before = audit_len(db).await;
    for who in ["olga", "ada"] {
        let e = inventory::update_model(db, who, "credit", &answers(RiskAnswers::default()))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, GovernError::Conflict(m)
                if m.contains(&format!("change request {}", c.id))
                    && m.contains("high-risk") && m.contains("minimal")),
            "{who}: {e}"
        );
    }
    assert_eq!(audit_len(db).await, before, "refusals write nothing");
    let m = inventory::get_model(db, "credit").await.unwrap();
    assert_eq!(m.risk.tier, RiskTier::HighRisk);
    let c = changes::get(db, &policy, c.id).await.unwrap();
    assert_eq!(c.risk_tiers, [RiskTier::HighRisk]);
    assert_eq!(c.policy.as_ref().unwrap().risk_tier, RiskTier::HighRisk);

    // Apply is refused, naming every unmet requirement of the high-risk rule.
    let e = changes::apply(db, &policy, &p.olga, c.id)
        .await
        .unwrap_err();
    let GovernError::Conflict(msg) = &e else {
        panic!("{e}")
    };
    for want in ["1 more approval (of 2", "team risk", "fairness evidence"] {
        assert!(msg.contains(want), "{want}: {msg}");
    }
    assert_eq!(stage(db, "credit", "v1").await, Stage::Development);

    // The same answers again (no change of tier) and other fields are not frozen.
    let m = inventory::update_model(
        db,
        "olga",
        "credit",
        &ModelUpdate {
            purpose: Some("credit decisions, reviewed".into()),
            risk: Some(high_risk()),
            ..ModelUpdate::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(m.risk.tier, RiskTier::HighRisk);

    // Once the request is closed, the model may be reassessed; the log records the change.
    changes::withdraw(db, &policy, &p.olga, c.id).await.unwrap();
    let m = inventory::update_model(db, "olga", "credit", &answers(RiskAnswers::default()))
        .await
        .unwrap();
    assert_eq!(m.risk.tier, RiskTier::Minimal);
    let updates: Vec<_> = audit::entries(db, 0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "model.update")
        .collect();
    assert_eq!(updates.len(), 2);
    let details: serde_json::Value = serde_json::from_str(&updates[1].details).unwrap();
    assert_eq!(
        details["risk_tier"],
        json!({"from": "high-risk", "to": "minimal"}),
        "{details}"
    );
    assert_chain_ok(db).await;
}

/// The reverse direction fails closed: a minimal-risk request approved by one reviewer, then
/// reassessed as high-risk (raising is always allowed), needs the high-risk rule at apply.
async fn tier_raised_mid_request(db: &Db) {
    let p = people(db).await;
    let policy = Policy::default();
    model(db, "olga", "credit", RiskAnswers::default(), 1).await;
    let c = changes::open(
        db,
        &policy,
        &p.olga,
        "credit",
        "v1",
        &spec(Stage::Production),
    )
    .await
    .unwrap();
    let c = changes::approve(db, &policy, &p.bob, c.id, "")
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Approved);
    let m = inventory::update_model(db, "olga", "credit", &answers(high_risk()))
        .await
        .unwrap();
    assert_eq!(m.risk.tier, RiskTier::HighRisk);
    let c = changes::get(db, &policy, c.id).await.unwrap();
    assert_eq!(c.risk_tier_at_open, RiskTier::Minimal);
    assert_eq!(c.risk_tiers, [RiskTier::HighRisk, RiskTier::Minimal]);
    let eval = c.policy.as_ref().unwrap();
    assert!(!eval.satisfied);
    assert_eq!(eval.risk_tier, RiskTier::HighRisk);
    assert_eq!(eval.required_approvals, 2);
    let e = changes::apply(db, &policy, &p.olga, c.id)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GovernError::Conflict(m) if m.contains("team risk") && m.contains("fairness")
            && m.contains("since the request was opened: high-risk, minimal")),
        "{e}"
    );
    // The reassessment is in the log, with the request it affected.
    let entries = audit::entries(db, 0, 100_000).await.unwrap();
    let update = entries
        .iter()
        .rfind(|e| e.action == "model.update")
        .unwrap();
    let details: serde_json::Value = serde_json::from_str(&update.details).unwrap();
    assert_eq!(
        details["risk_tier"],
        json!({"from": "minimal", "to": "high-risk"})
    );
    assert_eq!(details["pending_changes"], json!([c.id]));
    fairness(db, "credit", "v1", Verdict::Pass, now()).await;
    changes::approve(db, &policy, &p.rita, c.id, "risk sign-off")
        .await
        .unwrap();
    let c = changes::apply(db, &policy, &p.olga, c.id).await.unwrap();
    assert_eq!(c.status, ChangeStatus::Applied);
    let entries = audit::entries(db, 0, 100_000).await.unwrap();
    let applied = entries
        .iter()
        .rfind(|e| e.action == "change.apply")
        .unwrap();
    let details: serde_json::Value = serde_json::from_str(&applied.details).unwrap();
    assert_eq!(details["risk_tiers"], json!(["high-risk", "minimal"]));
    assert_eq!(details["risk_tier"], "high-risk");
    assert_chain_ok(db).await;
}

/// Under a policy whose rules do not simply grow with the tier, a request must satisfy the
/// rule of every tier the model had while it was pending: opened as minimal (one approval),
/// reassessed as limited (an approval from team ops) and then high-risk (two approvals), it
/// needs two approvals one of which from ops.
async fn every_tier_since_open_counts(db: &Db) {
    let p = people(db).await;
    let policy = Policy::from_toml_str(
        r#"
        [[rules]]
        tiers = ["prohibited"]
        forbidden = true
        [[rules]]
        tiers = ["high-risk"]
        min_approvals = 2
        [[rules]]
        tiers = ["limited"]
        min_approvals = 1
        required_teams = ["ops"]
        [[rules]]
        tiers = ["minimal"]
        min_approvals = 1
        "#,
    )
    .unwrap();
    model(db, "olga", "chat", RiskAnswers::default(), 1).await;
    let c = changes::open(db, &policy, &p.olga, "chat", "v1", &spec(Stage::Production))
        .await
        .unwrap();
    changes::approve(db, &policy, &p.bob, c.id, "")
        .await
        .unwrap();
    inventory::update_model(db, "olga", "chat", &answers(limited()))
        .await
        .unwrap();
    inventory::update_model(db, "olga", "chat", &answers(high_risk()))
        .await
        .unwrap();
    // Two approvals satisfy the high-risk rule, not the limited one.
    let c = changes::approve(db, &policy, &p.rita, c.id, "")
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Open, "{}", missing(&c));
    assert!(missing(&c).contains("team ops"), "{}", missing(&c));
    assert_eq!(
        c.risk_tiers,
        [RiskTier::HighRisk, RiskTier::Limited, RiskTier::Minimal]
    );
    let e = changes::apply(db, &policy, &p.olga, c.id)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GovernError::Conflict(m) if m.contains("team ops")),
        "{e}"
    );
    let c = changes::approve(db, &policy, &p.carl, c.id, "ops sign-off")
        .await
        .unwrap();
    assert_eq!(c.status, ChangeStatus::Approved, "{}", missing(&c));
    let c = changes::apply(db, &policy, &p.olga, c.id).await.unwrap();
    assert_eq!(c.status, ChangeStatus::Applied);
    assert_chain_ok(db).await;
}

/// The owner cannot change while a request is pending (the dodge: hand the model to someone
/// else, then decide the request as its former owner).
async fn owner_frozen_mid_request(db: &Db) {
    let p = people(db).await;
    let policy = Policy::default();
    // `credit` is owned by rita, a reviewer; ada (admin) opens the request.
    model(db, "rita", "credit", RiskAnswers::default(), 1).await;
    let c = changes::open(
        db,
        &policy,
        &p.ada,
        "credit",
        "v1",
        &spec(Stage::Production),
    )
    .await
    .unwrap();
    let before = audit_len(db).await;
    let e = inventory::update_model(
        db,
        "ada",
        "credit",
        &ModelUpdate {
            owner: Some("olga".into()),
            ..ModelUpdate::default()
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, GovernError::Conflict(m) if m.contains(&format!("change request {}", c.id)) && m.contains("owner")),
        "{e}"
    );
    assert_eq!(audit_len(db).await, before);
    let e = changes::approve(db, &policy, &p.rita, c.id, "")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GovernError::Forbidden(m) if m.contains("owns model")),
        "{e}"
    );
    // Closed, the owner may change.
    changes::withdraw(db, &policy, &p.ada, c.id).await.unwrap();
    let m = inventory::update_model(
        db,
        "ada",
        "credit",
        &ModelUpdate {
            owner: Some("olga".into()),
            ..ModelUpdate::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(m.owner, "olga");
    assert_chain_ok(db).await;
}

scenarios!(
    "change-management":
    full_flow,
    open_validation,
    separation_of_duties,
    concurrent_double_approval,
    evidence_blocks,
    reject_and_withdraw,
    rollback,
    tier_lowered_mid_request,
    tier_raised_mid_request,
    every_tier_since_open_counts,
    owner_frozen_mid_request,
);
