//! The audit-log scenarios of `common` on PostgreSQL, run when `ASSAY_TEST_POSTGRES_URL` names
//! a server where the tests may create databases (one fresh database per scenario); skipped
//! with a message otherwise.

mod common;

use assay_govern::db::{Backend, Db};
use common::{Harness, Raw};

const VAR: &str = "ASSAY_TEST_POSTGRES_URL";

async fn fresh(url: &str, dir: &std::path::Path) -> Harness {
    let url = &assay_govern::testing::fresh_postgres_database(url).await;
    let raw = sqlx::PgPool::connect(url).await.unwrap();
    let db = Db::open(url).await.unwrap();
    assert_eq!(db.backend(), Backend::Postgres);
    Harness {
        db,
        raw: Raw::Postgres(raw),
        dir: dir.to_path_buf(),
    }
}

/// All scenarios in one test, in sequence, because they share the one database.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_scenarios() {
    let Ok(url) = std::env::var(VAR) else {
        eprintln!("skipping the PostgreSQL tests: set {VAR}=postgres://... to run them");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    macro_rules! run {
        ($($name:ident),* $(,)?) => {$(
            let h = fresh(&url, dir.path()).await;
            common::$name(&h).await;
            h.db.close().await;
        )*};
    }
    run!(
        append_verify,
        tamper_details,
        tamper_actor,
        tamper_delete,
        tamper_delete_first,
        tamper_reorder,
        tamper_negative_seq,
        tamper_malformed,
        concurrent_appends,
        checkpoint_roundtrip,
        checkpoint_detects_rewrite,
        checkpoint_detects_truncation,
        triggers_refuse_edits,
    );
}
