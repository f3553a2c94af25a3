//! The backend-independent audit-log test scenarios, run on SQLite by `sqlite.rs` and on
//! PostgreSQL by `postgres.rs`. Each scenario gets a freshly migrated, empty database and a raw
//! second pool that tampers with rows behind the data layer's back.

#![allow(dead_code)]

use assay_govern::audit::{self, entry_hash, to_hex, NewEntry, ProblemKind, GENESIS_HASH};
use assay_govern::checkpoint::{self, Checkpoint};
use assay_govern::db::Db;
use assay_govern::GovernError;
use serde_json::json;

/// A raw pool on the same database, for direct SQL.
pub enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Drops the append-only triggers of migration 0002, as an attacker with raw write access to
/// the database could; the hash chain must still expose what they do next.
const DROP_GUARDS_SQLITE: &str =
    "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;";
const DROP_GUARDS_POSTGRES: &str = "DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log; \
     DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;";

impl Raw {
    /// Runs `sql` with the database's own guard (the triggers) still in place.
    pub async fn try_exec(&self, sql: &str) -> Result<(), sqlx::Error> {
        match self {
            Raw::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
            Raw::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        }
    }

    /// Removes the append-only triggers.
    pub async fn drop_guards(&self) {
        match self {
            Raw::Sqlite(p) => sqlx::raw_sql(DROP_GUARDS_SQLITE)
                .execute(p)
                .await
                .map(|_| ()),
            Raw::Postgres(p) => sqlx::raw_sql(DROP_GUARDS_POSTGRES)
                .execute(p)
                .await
                .map(|_| ()),
        }
        .unwrap();
    }

    /// Runs `sql` after dropping the triggers (tampering as someone with raw write access).
    pub async fn exec(&self, sql: &str) {
        self.drop_guards().await;
        match self {
            Raw::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
            Raw::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Overwrites one row's details, prev_hash and hash.
    pub async fn rewrite(&self, seq: u64, details: &str, prev: &str, hash: &str) {
        let sql = "UPDATE audit_log SET details = $1, prev_hash = $2, hash = $3 WHERE seq = $4";
        self.drop_guards().await;
        match self {
            Raw::Sqlite(p) => sqlx::query(sql)
                .bind(details)
                .bind(prev)
                .bind(hash)
                .bind(seq as i64)
                .execute(p)
                .await
                .map(|_| ()),
            Raw::Postgres(p) => sqlx::query(sql)
                .bind(details)
                .bind(prev)
                .bind(hash)
                .bind(seq as i64)
                .execute(p)
                .await
                .map(|_| ()),
        }
        .unwrap();
    }
}

pub struct Harness {
    pub db: Db,
    pub raw: Raw,
    pub dir: std::path::PathBuf,
}

pub async fn append_n(db: &Db, actor: &str, n: u64) {
    for i in 0..n {
        audit::append(
            db,
            &NewEntry {
                actor,
                action: "model.update",
                subject: "model/credit",
                details: &json!({ "i": i, "note": "x" }),
            },
        )
        .await
        .unwrap();
    }
}

pub async fn append_verify(h: &Harness) {
    let empty = audit::verify(&h.db).await.unwrap();
    assert!(empty.is_ok());
    assert_eq!((empty.verified, empty.head), (0, None));

    let mut last = None;
    for i in 0..5u64 {
        let e = audit::append(
            &h.db,
            &NewEntry {
                actor: "alice",
                action: "model.create",
                subject: &format!("model/{i}"),
                details: &json!({ "i": i, "tier": "high-risk" }),
            },
        )
        .await
        .unwrap();
        assert_eq!(e.seq, i + 1);
        assert_eq!(e.hash, e.computed_hash());
        last = Some(e);
    }
    let last = last.unwrap();
    let report = audit::verify(&h.db).await.unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.verified, 5);
    assert_eq!(report.head, Some((5, last.hash)));
    assert_eq!(audit::head(&h.db).await.unwrap(), Some((5, last.hash)));

    let entries = audit::entries(&h.db, 0, 100).await.unwrap();
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[0].prev_hash, GENESIS_HASH);
    for w in entries.windows(2) {
        assert_eq!(w[1].prev_hash, w[0].hash);
    }
    assert_eq!(entries[4], last);
    assert_eq!(entries[2].details, r#"{"i":2,"tier":"high-risk"}"#);
    assert_eq!(audit::entries(&h.db, 3, 1).await.unwrap()[0].seq, 4);
}

async fn expect_problem(h: &Harness, seq: u64, kind: ProblemKind) {
    let report = audit::verify(&h.db).await.unwrap();
    let p = report.problem.as_ref().expect("tampering not detected");
    assert_eq!((p.seq, &p.kind), (seq, &kind), "{report:?}");
    assert_eq!(report.verified, seq - 1);
}

pub async fn tamper_details(h: &Harness) {
    append_n(&h.db, "alice", 10).await;
    h.raw
        .exec(r#"UPDATE audit_log SET details = '{"i":3,"note":"y"}' WHERE seq = 4"#)
        .await;
    expect_problem(h, 4, ProblemKind::BadHash).await;
}

pub async fn tamper_actor(h: &Harness) {
    append_n(&h.db, "alice", 10).await;
    h.raw
        .exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 9")
        .await;
    expect_problem(h, 9, ProblemKind::BadHash).await;
}

pub async fn tamper_delete(h: &Harness) {
    append_n(&h.db, "alice", 10).await;
    h.raw.exec("DELETE FROM audit_log WHERE seq = 6").await;
    expect_problem(h, 6, ProblemKind::MissingEntry).await;
}

pub async fn tamper_delete_first(h: &Harness) {
    append_n(&h.db, "alice", 3).await;
    h.raw.exec("DELETE FROM audit_log WHERE seq = 1").await;
    expect_problem(h, 1, ProblemKind::MissingEntry).await;
}

pub async fn tamper_reorder(h: &Harness) {
    append_n(&h.db, "alice", 10).await;
    h.raw
        .exec("UPDATE audit_log SET seq = -1 WHERE seq = 3")
        .await;
    h.raw
        .exec("UPDATE audit_log SET seq = 3 WHERE seq = 4")
        .await;
    h.raw
        .exec("UPDATE audit_log SET seq = 4 WHERE seq = -1")
        .await;
    expect_problem(h, 3, ProblemKind::BrokenLink).await;
}

pub async fn tamper_negative_seq(h: &Harness) {
    append_n(&h.db, "alice", 3).await;
    h.raw
        .exec("INSERT INTO audit_log SELECT 0, time_ms, actor, action, subject, details, prev_hash, hash FROM audit_log WHERE seq = 1")
        .await;
    expect_problem(h, 1, ProblemKind::InvalidSeq).await;
}

pub async fn tamper_malformed(h: &Harness) {
    append_n(&h.db, "alice", 3).await;
    h.raw
        .exec("UPDATE audit_log SET hash = 'zz' WHERE seq = 2")
        .await;
    expect_problem(h, 2, ProblemKind::Malformed).await;
}

pub async fn concurrent_appends(h: &Harness) {
    let mut tasks = Vec::new();
    for t in 0..8 {
        let db = h.db.clone();
        tasks.push(tokio::spawn(async move {
            append_n(&db, &format!("writer-{t}"), 50).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let report = audit::verify(&h.db).await.unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.verified, 400);
    let all = audit::entries(&h.db, 0, 1000).await.unwrap();
    assert_eq!(all.len(), 400);
    for t in 0..8 {
        let actor = format!("writer-{t}");
        assert_eq!(all.iter().filter(|e| e.actor == actor).count(), 50);
    }
}

pub async fn checkpoint_roundtrip(h: &Harness) {
    let key = checkpoint::generate_key();
    // Nothing to sign in an empty log.
    assert!(checkpoint::create(&h.db, &key).await.unwrap().is_err());

    append_n(&h.db, "alice", 10).await;
    let cp = checkpoint::create(&h.db, &key).await.unwrap().unwrap();
    assert_eq!(cp.seq, 10);
    assert_eq!(Some((cp.seq, cp.hash)), audit::head(&h.db).await.unwrap());
    let path = h.dir.join("checkpoint.json");
    cp.write_file(&path).unwrap();
    let read = Checkpoint::read_file(&path).unwrap();
    assert_eq!(read, cp);
    read.verify_signature(Some(&key.verifying_key())).unwrap();

    // Entries after the checkpoint are fine.
    append_n(&h.db, "bob", 5).await;
    let r = checkpoint::verify_against(&h.db, &read, Some(&key.verifying_key()))
        .await
        .unwrap();
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(r.verified, 15);

    // A forged or altered checkpoint is rejected.
    let mut forged = read.clone();
    forged.hash[0] ^= 1;
    assert!(matches!(
        checkpoint::verify_against(&h.db, &forged, None).await,
        Err(GovernError::Checkpoint(_))
    ));
    let other = checkpoint::generate_key();
    assert!(matches!(
        read.verify_signature(Some(&other.verifying_key())),
        Err(GovernError::Checkpoint(_))
    ));
    let resigned = Checkpoint::sign(read.seq, read.hash, &other);
    resigned.verify_signature(None).unwrap();
    assert!(resigned
        .verify_signature(Some(&key.verifying_key()))
        .is_err());
}

pub async fn checkpoint_detects_rewrite(h: &Harness) {
    let key = checkpoint::generate_key();
    append_n(&h.db, "alice", 10).await;
    let cp = checkpoint::create(&h.db, &key).await.unwrap().unwrap();
    append_n(&h.db, "alice", 5).await;

    // Rewrite entry 3 and re-hash everything after it, so the chain is consistent on its own.
    let entries = audit::entries(&h.db, 0, 100).await.unwrap();
    let mut prev = entries[1].hash;
    for e in &entries[2..] {
        let details = if e.seq == 3 {
            r#"{"i":2,"note":"rewritten"}"#.to_string()
        } else {
            e.details.clone()
        };
        let hash = entry_hash(
            e.seq, e.time_ms, &e.actor, &e.action, &e.subject, &details, &prev,
        );
        h.raw
            .rewrite(e.seq, &details, &to_hex(&prev), &to_hex(&hash))
            .await;
        prev = hash;
    }
    let plain = audit::verify(&h.db).await.unwrap();
    assert!(
        plain.is_ok(),
        "the rewrite should be self-consistent: {plain:?}"
    );

    let r = checkpoint::verify_against(&h.db, &cp, None).await.unwrap();
    let p = r.problem.expect("rewrite not detected");
    assert_eq!((p.seq, p.kind), (10, ProblemKind::CheckpointMismatch));
    // And a checkpoint-guarded chain will not be re-signed over a tampered log either.
    h.raw
        .exec("UPDATE audit_log SET action = 'x' WHERE seq = 12")
        .await;
    let refused = checkpoint::create(&h.db, &key).await.unwrap().unwrap_err();
    assert_eq!(refused.problem.unwrap().seq, 12);
}

pub async fn checkpoint_detects_truncation(h: &Harness) {
    let key = checkpoint::generate_key();
    append_n(&h.db, "alice", 10).await;
    let cp = checkpoint::create(&h.db, &key).await.unwrap().unwrap();
    h.raw.exec("DELETE FROM audit_log WHERE seq > 7").await;
    assert!(audit::verify(&h.db).await.unwrap().is_ok());
    let r = checkpoint::verify_against(&h.db, &cp, None).await.unwrap();
    let p = r.problem.expect("truncation not detected");
    assert_eq!((p.seq, p.kind), (8, ProblemKind::Truncated));
    assert_eq!(r.verified, 7);
}

/// The database itself refuses to update or delete audit entries (migration 0002's triggers).
pub async fn triggers_refuse_edits(h: &Harness) {
    append_n(&h.db, "alice", 3).await;
    for sql in [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 3",
    ] {
        let err = h.raw.try_exec(sql).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert!(audit::verify(&h.db).await.unwrap().is_ok());
}
