//! Incidents and review schedules on SQLite (a temporary file per test) and, when
//! `ASSAY_TEST_POSTGRES_URL` is set, on PostgreSQL (a fresh database per scenario): the
//! incident lifecycle (forward-only status, timeline, post-mortem required for sev1/sev2),
//! filters, and overdue schedules computed at a given time. The audit chain verifies at the end.

#[macro_use]
mod support;

use assay_govern::ai_act::RiskAnswers;
use assay_govern::db::Db;
use assay_govern::incidents::{
    self, IncidentFilter, IncidentSpec, IncidentStatus, NoteSpec, PostMortem, Severity,
    StatusChange, VersionRef,
};
use assay_govern::inventory::{self, ModelSpec, VersionSpec};
use assay_govern::schedules::{self, ScheduleSpec, DAY_MS};
use assay_govern::users::{self, AccountKind, NewUser, Role};
use assay_govern::GovernError;
use serde_json::json;
use support::{assert_chain_ok, audit_len};

/// An owner and models `credit` (versions 1, 2) and `churn` (version 1).
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
    for (model, versions) in [("credit", &["1", "2"][..]), ("churn", &["1"][..])] {
        inventory::create_model(
            db,
            "alice",
            &ModelSpec {
                name: model.into(),
                purpose: "test".into(),
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
        for v in versions {
            inventory::create_version(
                db,
                "alice",
                model,
                &VersionSpec {
                    version: v.to_string(),
                    artifact_sha256: "ab".repeat(32),
                    description: String::new(),
                    training_data: vec![],
                },
            )
            .await
            .unwrap();
        }
    }
}

fn vref(model: &str, version: &str) -> VersionRef {
    VersionRef {
        model: model.into(),
        version: version.into(),
    }
}

fn pm() -> PostMortem {
    PostMortem {
        summary: "approval rate for group B fell by 20 points".into(),
        root_cause: "a feature pipeline dropped a column".into(),
        prevention: "schema check in CI; fairness gate on every release".into(),
        timeline: vec!["09:00 alert".into(), "09:30 rollback".into()],
    }
}

fn status(s: IncidentStatus) -> StatusChange {
    StatusChange {
        status: s,
        note: String::new(),
        postmortem: None,
    }
}

/// Open → note → investigating → mitigated → (refused without a post-mortem) → resolved with
/// a post-mortem in the same call; backwards and repeated moves refused.
async fn lifecycle(db: &Db) {
    setup(db).await;
    let inc = incidents::open(
        db,
        "alice",
        &IncidentSpec {
            title: "Disparate impact in production".into(),
            severity: Severity::Sev1,
            description: "reported by the risk team".into(),
            versions: vec![
                vref("credit", "2"),
                vref("credit", "1"),
                vref("credit", "2"),
            ],
        },
    )
    .await
    .unwrap();
    let id = inc.incident.id;
    assert_eq!(inc.incident.status, IncidentStatus::Open);
    assert_eq!(
        inc.incident.versions,
        [vref("credit", "1"), vref("credit", "2")]
    );
    assert_eq!(inc.incident.opened_by, "alice");
    assert!(inc.incident.postmortem.is_none() && inc.incident.resolved_ms.is_none());
    assert_eq!(inc.events.len(), 1);
    assert_eq!(inc.events[0].kind, "opened");

    let d = incidents::add_note(
        db,
        "bob",
        id,
        &NoteSpec {
            text: "paging on-call".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(d.events.last().unwrap().kind, "note");
    assert_eq!(d.events.last().unwrap().text, "paging on-call");
    assert_eq!(d.events.last().unwrap().actor, "bob");

    let d = incidents::set_status(
        db,
        "bob",
        id,
        &StatusChange {
            status: IncidentStatus::Investigating,
            note: "looking at the feature pipeline".into(),
            postmortem: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(d.incident.status, IncidentStatus::Investigating);
    assert_eq!(
        d.events.last().unwrap().text,
        "open -> investigating: looking at the feature pipeline"
    );
    incidents::set_status(db, "bob", id, &status(IncidentStatus::Mitigated))
        .await
        .unwrap();

    let n = audit_len(db).await;
    for s in [
        IncidentStatus::Open,
        IncidentStatus::Investigating,
        IncidentStatus::Mitigated,
    ] {
        let r = incidents::set_status(db, "bob", id, &status(s)).await;
        assert!(matches!(r, Err(GovernError::Conflict(_))), "{s:?}: {r:?}");
    }
    // sev1 cannot be resolved without a post-mortem.
    let r = incidents::set_status(db, "bob", id, &status(IncidentStatus::Resolved)).await;
    assert!(
        matches!(r, Err(GovernError::Invalid(ref m)) if m.contains("post-mortem")),
        "{r:?}"
    );
    // An incomplete post-mortem is refused.
    let mut bad = pm();
    bad.root_cause = "  ".into();
    let r = incidents::set_status(
        db,
        "bob",
        id,
        &StatusChange {
            status: IncidentStatus::Resolved,
            note: String::new(),
            postmortem: Some(bad),
        },
    )
    .await;
    assert!(matches!(r, Err(GovernError::Invalid(_))), "{r:?}");
    assert_eq!(
        audit_len(db).await,
        n,
        "refused changes appended to the log"
    );
    assert_eq!(
        incidents::get(db, id).await.unwrap().incident.status,
        IncidentStatus::Mitigated
    );

    let d = incidents::set_status(
        db,
        "bob",
        id,
        &StatusChange {
            status: IncidentStatus::Resolved,
            note: "fixed in version 3".into(),
            postmortem: Some(pm()),
        },
    )
    .await
    .unwrap();
    assert_eq!(d.incident.status, IncidentStatus::Resolved);
    assert_eq!(d.incident.postmortem, Some(pm()));
    assert!(d.incident.resolved_ms.is_some());
    let kinds: Vec<_> = d.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["opened", "note", "status", "status", "postmortem", "status"]
    );
    let r = incidents::set_status(db, "bob", id, &status(IncidentStatus::Resolved)).await;
    assert!(matches!(r, Err(GovernError::Conflict(_))));
    // Follow-up notes and a revised post-mortem are still possible.
    incidents::add_note(
        db,
        "alice",
        id,
        &NoteSpec {
            text: "follow-up done".into(),
        },
    )
    .await
    .unwrap();
    let mut revised = pm();
    revised.prevention.push_str("; quarterly audit");
    let d = incidents::set_postmortem(db, "alice", id, &revised)
        .await
        .unwrap();
    assert_eq!(d.incident.postmortem, Some(revised));
    assert_eq!(d.events.last().unwrap().text, "post-mortem replaced");
    assert_chain_ok(db).await;
}

/// A sev2 with a post-mortem recorded beforehand resolves; sev3/sev4 need none; statuses can
/// skip forward; list filters by status and model; bad input is refused with nothing written.
async fn filters_and_rules(db: &Db) {
    setup(db).await;
    let open = |title: &str, severity, versions: Vec<VersionRef>| IncidentSpec {
        title: title.into(),
        severity,
        description: String::new(),
        versions,
    };
    let a = incidents::open(
        db,
        "alice",
        &open("a", Severity::Sev2, vec![vref("credit", "1")]),
    )
    .await
    .unwrap()
    .incident
    .id;
    let b = incidents::open(
        db,
        "alice",
        &open("b", Severity::Sev4, vec![vref("churn", "1")]),
    )
    .await
    .unwrap()
    .incident
    .id;
    let c = incidents::open(db, "alice", &open("c", Severity::Sev3, vec![]))
        .await
        .unwrap()
        .incident
        .id;
    incidents::set_postmortem(db, "alice", a, &pm())
        .await
        .unwrap();
    incidents::set_status(db, "alice", a, &status(IncidentStatus::Resolved))
        .await
        .unwrap();
    incidents::set_status(db, "alice", b, &status(IncidentStatus::Resolved))
        .await
        .unwrap();
    incidents::set_status(db, "alice", c, &status(IncidentStatus::Mitigated))
        .await
        .unwrap();

    let ids = |v: Vec<incidents::Incident>| v.into_iter().map(|i| i.id).collect::<Vec<_>>();
    let all = incidents::list(db, &IncidentFilter::default())
        .await
        .unwrap();
    assert_eq!(all.iter().map(|i| i.id).collect::<Vec<_>>(), [c, b, a]);
    assert_eq!(all[2].versions, [vref("credit", "1")]);
    assert!(all[0].versions.is_empty());
    let resolved = IncidentFilter {
        status: Some(IncidentStatus::Resolved),
        model: None,
    };
    assert_eq!(ids(incidents::list(db, &resolved).await.unwrap()), [b, a]);
    let churn = IncidentFilter {
        status: None,
        model: Some("churn".into()),
    };
    assert_eq!(ids(incidents::list(db, &churn).await.unwrap()), [b]);
    let both = IncidentFilter {
        status: Some(IncidentStatus::Open),
        model: Some("credit".into()),
    };
    assert!(incidents::list(db, &both).await.unwrap().is_empty());
    // SQL in a filter value is data.
    let inj = IncidentFilter {
        status: None,
        model: Some("x' OR '1'='1".into()),
    };
    assert!(incidents::list(db, &inj).await.unwrap().is_empty());
    assert!(serde_json::from_value::<IncidentFilter>(json!({"status": "closed"})).is_err());

    let n = audit_len(db).await;
    for spec in [
        open("", Severity::Sev3, vec![]),
        open(&"t".repeat(201), Severity::Sev3, vec![]),
        open("x", Severity::Sev3, vec![vref("credit", "9")]),
        open("x", Severity::Sev3, vec![vref("nope", "1")]),
    ] {
        let r = incidents::open(db, "alice", &spec).await;
        assert!(matches!(r, Err(GovernError::Invalid(_))), "{r:?}");
    }
    let r = incidents::add_note(db, "alice", a, &NoteSpec { text: " ".into() }).await;
    assert!(matches!(r, Err(GovernError::Invalid(_))));
    for r in [
        incidents::add_note(db, "alice", 999, &NoteSpec { text: "x".into() }).await,
        incidents::set_status(db, "alice", 999, &status(IncidentStatus::Resolved)).await,
        incidents::set_postmortem(db, "alice", 999, &pm()).await,
        incidents::get(db, 999).await,
    ] {
        assert!(matches!(r, Err(GovernError::NotFound(_))), "{r:?}");
    }
    assert_eq!(audit_len(db).await, n);
    assert!(
        serde_json::from_value::<IncidentSpec>(json!({"title": "t", "severity": "sev5"})).is_err()
    );
    assert!(serde_json::from_value::<IncidentSpec>(
        json!({"title": "t", "severity": "sev1", "status": "resolved"})
    )
    .is_err());
    assert_chain_ok(db).await;
}

/// Schedules: created with a due time, overdue lists computed at a given `now` (no sleeping),
/// completion moving the due time one period on, duplicates and bad periods refused.
async fn overdue_schedules(db: &Db) {
    setup(db).await;
    let t0 = 1_750_000_000_000_i64;
    let spec = |kind: &str, every_days, first_due_ms| ScheduleSpec {
        kind: kind.into(),
        every_days,
        first_due_ms,
    };
    let fair = schedules::create_at(db, "alice", "credit", &spec("fairness", 90, None), t0)
        .await
        .unwrap();
    assert_eq!(fair.next_due_ms, t0 + 90 * DAY_MS);
    assert_eq!(fair.last_done_ms, None);
    assert_eq!(fair.model, "credit");
    let expl = schedules::create_at(
        db,
        "alice",
        "credit",
        &spec("explain", 30, Some(t0 + 10 * DAY_MS)),
        t0,
    )
    .await
    .unwrap();
    let churn = schedules::create_at(db, "alice", "churn", &spec("fairness", 7, None), t0)
        .await
        .unwrap();

    assert!(schedules::overdue(db, t0).await.unwrap().is_empty());
    // Exactly at the due time it is not yet overdue.
    assert!(schedules::overdue(db, t0 + 7 * DAY_MS)
        .await
        .unwrap()
        .is_empty());
    let o = schedules::overdue(db, t0 + 7 * DAY_MS + 1).await.unwrap();
    assert_eq!(o.len(), 1);
    assert_eq!((o[0].schedule.id, o[0].days_overdue), (churn.id, 0));
    let now = t0 + 100 * DAY_MS + 5;
    let o = schedules::overdue(db, now).await.unwrap();
    let got: Vec<_> = o.iter().map(|o| (o.schedule.id, o.days_overdue)).collect();
    assert_eq!(got, [(churn.id, 93), (expl.id, 90), (fair.id, 10)]);
    let v = serde_json::to_value(&o[0]).unwrap();
    assert_eq!(v["days_overdue"], 93);
    assert_eq!(v["kind"], "fairness");
    assert_eq!(v["model"], "churn");

    let done = schedules::complete_at(db, "bob", expl.id, now)
        .await
        .unwrap();
    assert_eq!(done.last_done_ms, Some(now));
    assert_eq!(done.next_due_ms, now + 30 * DAY_MS);
    let o = schedules::overdue(db, now).await.unwrap();
    assert_eq!(
        o.iter().map(|o| o.schedule.id).collect::<Vec<_>>(),
        [churn.id, fair.id]
    );
    assert_eq!(
        schedules::overdue(db, now + 31 * DAY_MS)
            .await
            .unwrap()
            .len(),
        3
    );

    let list = schedules::list(db, "credit").await.unwrap();
    assert_eq!(
        list.iter().map(|s| s.kind.as_str()).collect::<Vec<_>>(),
        ["explain", "fairness"]
    );

    let n = audit_len(db).await;
    for (s, want_conflict) in [
        (spec("fairness", 30, None), true),
        (spec("x", 0, None), false),
        (spec("x", 3651, None), false),
        (spec("../x", 30, None), false),
        (spec("", 30, None), false),
        (spec("x", 30, Some(-1)), false),
    ] {
        let r = schedules::create_at(db, "alice", "credit", &s, t0).await;
        if want_conflict {
            assert!(matches!(r, Err(GovernError::Conflict(_))), "{r:?}");
        } else {
            assert!(matches!(r, Err(GovernError::Invalid(_))), "{s:?}: {r:?}");
        }
    }
    assert!(matches!(
        schedules::create_at(db, "alice", "nope", &spec("x", 1, None), t0).await,
        Err(GovernError::NotFound(_))
    ));
    assert!(matches!(
        schedules::complete(db, "bob", 999).await,
        Err(GovernError::NotFound(_))
    ));
    assert!(matches!(
        schedules::list(db, "nope").await,
        Err(GovernError::NotFound(_))
    ));
    assert_eq!(audit_len(db).await, n);
    assert!(serde_json::from_value::<ScheduleSpec>(
        json!({"kind": "fairness", "every_days": 90, "cron": "x"})
    )
    .is_err());
    assert_chain_ok(db).await;
}

scenarios!(
    "incident":lifecycle, filters_and_rules, overdue_schedules);
