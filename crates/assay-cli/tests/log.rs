//! `assay log verify`: exit 0 on an intact chain (alone and against a checkpoint), 1 naming the
//! first bad entry after a row is edited directly in the database or the log is truncated, or
//! when the checkpoint is signed by another key, and 2 on usage errors.

use std::path::Path;
use std::process::Output;

use assay_govern::audit::{self, NewEntry};
use assay_govern::checkpoint;
use assay_govern::db::Db;
use serde_json::json;

mod support;
use support::cli::{assay, stdout};

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

/// Ten entries and a checkpoint at seq 10 written to `cp.json`; returns (db path, checkpoint
/// path, hex public key).
async fn setup(dir: &Path) -> (String, String, String) {
    let path = dir.join("govern.db").to_str().unwrap().to_string();
    let db = Db::open(&path).await.unwrap();
    for i in 0..10 {
        audit::append(
            &db,
            &NewEntry {
                actor: "alice",
                action: "model.update",
                subject: "model/credit",
                details: &json!({ "i": i }),
            },
        )
        .await
        .unwrap();
    }
    let key = checkpoint::generate_key();
    let cp = checkpoint::create(&db, &key).await.unwrap().unwrap();
    let cp_path = dir.join("cp.json");
    cp.write_file(&cp_path).unwrap();
    db.close().await;
    let public: String = key
        .verifying_key()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (path, cp_path.to_str().unwrap().to_string(), public)
}

async fn raw_exec(path: &str, sql: &str) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{path}"))
        .await
        .unwrap();
    // An attacker with raw write access first drops the append-only triggers.
    sqlx::raw_sql(
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

#[tokio::test]
async fn verifies_intact_chain_and_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let (db, cp, public) = setup(dir.path()).await;
    let o = assay(&["log", "verify", "--db", &db]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("10 entries"), "{}", stdout(&o));
    let o = assay(&[
        "log",
        "verify",
        "--db",
        &db,
        "--checkpoint",
        &cp,
        "--public-key",
        &public,
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout(&o).contains("checkpoint at seq 10"),
        "{}",
        stdout(&o)
    );

    // Signed by a key other than the pinned one.
    let other = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let o = assay(&[
        "log",
        "verify",
        "--db",
        &db,
        "--checkpoint",
        &cp,
        "--public-key",
        other,
    ]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("other than the trusted"),
        "{}",
        stdout(&o)
    );
}

#[tokio::test]
async fn edited_row_fails_at_that_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _, _) = setup(dir.path()).await;
    raw_exec(
        &db,
        r#"UPDATE audit_log SET details = '{"i":99}' WHERE seq = 4"#,
    )
    .await;
    let o = assay(&["log", "verify", "--db", &db]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("seq 4:"), "{}", stdout(&o));
}

#[tokio::test]
async fn truncation_caught_only_with_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let (db, cp, _) = setup(dir.path()).await;
    raw_exec(&db, "DELETE FROM audit_log WHERE seq > 7").await;
    assert_eq!(code(&assay(&["log", "verify", "--db", &db])), 0);
    let o = assay(&["log", "verify", "--db", &db, "--checkpoint", &cp]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("seq 8:"), "{}", stdout(&o));
}

#[tokio::test]
async fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (db, cp, _) = setup(dir.path()).await;
    let missing = dir.path().join("missing.db");
    assert_eq!(
        code(&assay(&[
            "log",
            "verify",
            "--db",
            missing.to_str().unwrap()
        ])),
        2
    );
    assert!(!missing.exists());
    let nocp = dir.path().join("none.json");
    assert_eq!(
        code(&assay(&[
            "log",
            "verify",
            "--db",
            &db,
            "--checkpoint",
            nocp.to_str().unwrap()
        ])),
        2
    );
    assert_eq!(
        code(&assay(&[
            "log",
            "verify",
            "--db",
            &db,
            "--checkpoint",
            &cp,
            "--public-key",
            "xyz"
        ])),
        2
    );
    assert_eq!(code(&assay(&["log", "verify"])), 2);
}

/// Issue #15, finding 15: a private key passed to `--public-key` (the checkpoint's own signing
/// key, 64 hex digits like a public key) is refused with exit 2, and neither stdout nor stderr
/// contains it. Before, a seed that is not a curve point was echoed whole in the error
/// (`--public-key "…": expected an Ed25519 public key as 64 hex digits`).
#[tokio::test]
async fn private_key_as_public_key_is_refused_and_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("govern.db").to_str().unwrap().to_string();
    let db = Db::open(&path).await.unwrap();
    audit::append(
        &db,
        &NewEntry {
            actor: "alice",
            action: "model.update",
            subject: "model/credit",
            details: &json!({}),
        },
    )
    .await
    .unwrap();
    let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
    // Deterministic seeds: one that is not an Ed25519 point (the case echoed before) and one
    // that is.
    let seeds: Vec<String> = (1..=255u8).map(|i| hex(&[i; 32])).collect();
    let not_point = seeds
        .iter()
        .find(|s| checkpoint::parse_public_key(s).is_err())
        .unwrap();
    let point = seeds
        .iter()
        .find(|s| checkpoint::parse_public_key(s).is_ok())
        .unwrap();
    for (i, seed) in [not_point, point].into_iter().enumerate() {
        let key = checkpoint::parse_signing_key(seed).unwrap();
        let cp = checkpoint::create(&db, &key).await.unwrap().unwrap();
        let cp_path = dir.path().join(format!("cp{i}.json"));
        cp.write_file(&cp_path).unwrap();
        for given in [seed.clone(), seed.to_uppercase()] {
            let o = assay(&[
                "log",
                "verify",
                "--db",
                &path,
                "--checkpoint",
                cp_path.to_str().unwrap(),
                "--public-key",
                &given,
            ]);
            let all = format!("{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
            assert_eq!(code(&o), 2, "{all}");
            assert!(
                !all.to_lowercase().contains(&seed[..16]),
                "the private key is echoed: {all}"
            );
            assert!(all.contains("PRIVATE key"), "{all}");
        }
    }
    db.close().await;
}
