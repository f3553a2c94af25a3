//! Shared by the domain tests (`artifacts.rs`, `incidents.rs`, `changes.rs`): each scenario is
//! an `async fn(&Db)` run on a fresh SQLite file and, when `ASSAY_TEST_POSTGRES_URL` is set, on
//! a fresh PostgreSQL database ([`scenarios!`]); and the audit-chain checks they end with.

#![allow(dead_code)]

use assay_govern::audit;
use assay_govern::db::Db;

/// A migrated database in a new temporary directory (kept alive by the returned guard).
pub async fn sqlite() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path().join("govern.db").to_str().unwrap())
        .await
        .unwrap();
    (dir, db)
}

/// The number of audit entries (the head's seq).
pub async fn audit_len(db: &Db) -> u64 {
    audit::head(db).await.unwrap().map(|h| h.0).unwrap_or(0)
}

/// The whole chain verifies, every entry of it.
pub async fn assert_chain_ok(db: &Db) {
    let report = audit::verify(db).await.unwrap();
    assert!(report.is_ok(), "audit chain: {report:?}");
    assert_eq!(report.verified, audit_len(db).await);
}

/// Defines one `#[tokio::test]` per scenario on SQLite (module `on_sqlite`) and one test
/// `on_postgres` running them all in sequence, each on its own fresh PostgreSQL database
/// (skipped, saying so, without `ASSAY_TEST_POSTGRES_URL`).
#[macro_export]
macro_rules! scenarios {
    ($what:literal: $($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let (_dir, db) = $crate::support::sqlite().await;
                    super::$name(&db).await;
                }
            )*
        }

        /// The same scenarios on PostgreSQL, one fresh database each.
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn on_postgres() {
            let Some(url) = assay_govern::testing::postgres_url() else {
                eprintln!(
                    "skipping the PostgreSQL {} tests: set ASSAY_TEST_POSTGRES_URL=postgres://... to run them",
                    $what
                );
                return;
            };
            $(
                let db = assay_govern::db::Db::open(
                    &assay_govern::testing::fresh_postgres_database(&url).await,
                )
                .await
                .unwrap();
                $name(&db).await;
                db.close().await;
            )*
        }
    };
}
