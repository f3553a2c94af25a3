//! The audit-log scenarios of `common` on SQLite files in a temporary directory.

mod common;

use std::str::FromStr;

use assay_govern::audit::{entry_hash, from_hex, to_hex, GENESIS_HASH};
use assay_govern::db::{Backend, Db};
use common::{Harness, Raw};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

async fn harness() -> (tempfile::TempDir, Harness) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("govern.db");
    let db = Db::open(path.to_str().unwrap()).await.unwrap();
    assert_eq!(db.backend(), Backend::Sqlite);
    let raw = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::from_str("sqlite:")
                .unwrap()
                .filename(&path),
        )
        .await
        .unwrap();
    let h = Harness {
        db,
        raw: Raw::Sqlite(raw),
        dir: dir.path().to_path_buf(),
    };
    (dir, h)
}

macro_rules! scenario {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let (_dir, h) = harness().await;
            common::$name(&h).await;
        }
    )*};
}

scenario!(
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

/// Known-answer test of the canonical encoding, computed independently with Python's hashlib
/// (`struct.pack('>Q'/'>q')` for the integers, 8-byte big-endian lengths before each string).
#[test]
fn entry_hash_known_answers() {
    let h1 = entry_hash(
        1,
        1_764_136_800_000,
        "alice",
        "model.create",
        "model/credit",
        r#"{"tier":"high"}"#,
        &GENESIS_HASH,
    );
    assert_eq!(
        to_hex(&h1),
        "09937ed06cdca76f1d2e6de64610013eb16494e8f55be8ff7e772977bf9ea3c5"
    );
    let h2 = entry_hash(
        2,
        -5,
        "bob",
        "change.approve",
        "change/7",
        r#"{"é":[1,2]}"#,
        &h1,
    );
    assert_eq!(
        to_hex(&h2),
        "2f128b67ba82763ea837272c942e57890c1504c32f5b6b64629e83f92a6b05dc"
    );
    assert_eq!(from_hex(&to_hex(&h2)), Some(h2));
    assert_eq!(from_hex("abc"), None);
    // Length prefixes keep field boundaries: moving a byte between fields changes the hash.
    let a = entry_hash(1, 0, "ab", "c", "", "{}", &GENESIS_HASH);
    let b = entry_hash(1, 0, "a", "bc", "", "{}", &GENESIS_HASH);
    assert_ne!(a, b);
}

#[tokio::test]
async fn sqlite_is_wal_and_migrated() {
    let (_dir, h) = harness().await;
    let Raw::Sqlite(raw) = &h.raw else {
        unreachable!()
    };
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(raw)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(raw)
            .await
            .unwrap();
    let names: Vec<&str> = tables.iter().map(|t| t.0.as_str()).collect();
    for t in ["audit_log", "checkpoints", "model_versions", "models"] {
        assert!(names.contains(&t), "{t} missing from {names:?}");
    }
    // Reopening applies no migration twice.
    Db::open(h.dir.join("govern.db").to_str().unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn open_existing_refuses_missing_file_and_bad_targets() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.db");
    assert!(Db::open_existing(missing.to_str().unwrap()).await.is_err());
    assert!(!missing.exists());
    assert!(Db::open("mysql://localhost/x").await.is_err());
    assert!(Db::open("").await.is_err());
}
