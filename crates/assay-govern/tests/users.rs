//! Accounts on SQLite and, when `ASSAY_TEST_POSTGRES_URL` is set, on PostgreSQL: the server
//! never disables its last enabled admin, even when two admins disable each other at the same
//! moment (issue #15, finding 10: both used to succeed, 14 of 15 trials over HTTP).

#[macro_use]
mod support;

use assay_govern::audit;
use assay_govern::db::Db;
use assay_govern::users::{self, AccountKind, NewUser, Role};
use assay_govern::GovernError;
use support::{assert_chain_ok, audit_len};

/// Concurrent cross-disables per scenario (each one would have locked the server out before).
const TRIALS: usize = 25;

async fn create(db: &Db, name: &str, role: Role) {
    users::create(
        db,
        "bootstrap",
        &NewUser {
            name: name.into(),
            kind: AccountKind::User,
            role,
            teams: vec![],
        },
    )
    .await
    .unwrap();
}

async fn enabled_admins(db: &Db) -> Vec<String> {
    users::list(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.role == Role::Admin && !u.disabled)
        .map(|u| u.name)
        .collect()
}

async fn count(db: &Db, action: &str) -> usize {
    audit::entries(db, 0, 100_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == action)
        .count()
}

/// Sequentially: the last enabled admin cannot be disabled (409 over HTTP), whoever asks;
/// other accounts and admins that are not the last can; refusals write nothing.
async fn last_admin_is_never_disabled(db: &Db) {
    create(db, "ann", Role::Admin).await;
    create(db, "bea", Role::Admin).await;
    create(db, "rev", Role::Reviewer).await;
    users::set_disabled(db, "ann", "rev", true).await.unwrap();
    users::set_disabled(db, "ann", "bea", true).await.unwrap();
    assert_eq!(enabled_admins(db).await, ["ann"]);
    let before = audit_len(db).await;
    // bea's request was let in before she was disabled; it must still be refused.
    let e = users::set_disabled(db, "bea", "ann", true)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GovernError::Conflict(m) if m.contains("\"ann\"") && m.contains("last enabled admin")),
        "{e}"
    );
    assert_eq!(audit_len(db).await, before, "a refusal writes nothing");
    assert_eq!(enabled_admins(db).await, ["ann"]);
    // Disabling an already disabled admin, or enabling one, is not a removal.
    users::set_disabled(db, "ann", "bea", true).await.unwrap();
    users::set_disabled(db, "ann", "bea", false).await.unwrap();
    users::set_disabled(db, "bea", "ann", true).await.unwrap();
    assert_eq!(enabled_admins(db).await, ["bea"]);
    let e = users::set_disabled(db, "x", "nobody", true)
        .await
        .unwrap_err();
    assert!(matches!(e, GovernError::NotFound(_)), "{e}");
    assert_chain_ok(db).await;
}

/// Two admins disable each other at the same moment, [`TRIALS`] times: every time exactly one
/// succeeds, the other is a `Conflict` naming the last enabled admin, one admin stays enabled,
/// and the audit log holds exactly the successful disable.
async fn concurrent_cross_disable(db: &Db) {
    create(db, "ann", Role::Admin).await;
    create(db, "bea", Role::Admin).await;
    for trial in 0..TRIALS {
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let tasks: Vec<_> = [("ann", "bea"), ("bea", "ann")]
            .into_iter()
            .map(|(actor, target)| {
                let (db, barrier) = (db.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    users::set_disabled(&db, actor, target, true).await
                })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(u) => {
                    assert!(u.disabled);
                    ok += 1;
                }
                Err(GovernError::Conflict(m)) => {
                    assert!(m.contains("last enabled admin"), "trial {trial}: {m}")
                }
                Err(e) => panic!("trial {trial}: unexpected error {e}"),
            }
        }
        assert_eq!(ok, 1, "trial {trial}: exactly one disable succeeds");
        let left = enabled_admins(db).await;
        assert_eq!(left.len(), 1, "trial {trial}: {left:?}");
        assert_eq!(count(db, "user.disable").await, trial + 1);
        // The survivor re-enables the other for the next trial.
        let other = if left[0] == "ann" { "bea" } else { "ann" };
        users::set_disabled(db, &left[0], other, false)
            .await
            .unwrap();
    }
    assert_eq!(count(db, "user.enable").await, TRIALS);
    assert_chain_ok(db).await;
}

scenarios!(
    "account":
    last_admin_is_never_disabled,
    concurrent_cross_disable,
);
