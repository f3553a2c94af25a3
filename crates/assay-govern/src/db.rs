//! The database handle: SQLite by default, PostgreSQL for `postgres://` URLs.
//!
//! **Pool abstraction.** [`Db`] wraps a small private enum over `SqlitePool` and `PgPool` rather
//! than `sqlx::AnyPool`: each backend keeps its typed connect options (SQLite's WAL journal,
//! `synchronous=FULL` and busy timeout cannot be set through `Any`), its own migration
//! directory (identity columns differ), and its own serialisation primitive for appends
//! (`BEGIN IMMEDIATE` on SQLite, a transaction-scoped advisory lock on PostgreSQL). Queries are
//! written once with `$N` placeholders, which both drivers accept, and run on either pool by the
//! crate-internal `on_pool!` macro, which type-checks the body against each backend.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::GovernError;

/// Migrations for SQLite, embedded at compile time.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
/// Migrations for PostgreSQL, embedded at compile time.
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long an SQLite writer waits for the write lock before failing with `SQLITE_BUSY`.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$p` bound to whichever concrete pool `$db` holds.
macro_rules! on_pool {
    ($db:expr, $p:ident => $body:expr) => {
        match &$db.pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// The storage backend a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite database file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A connection pool to the governance database (cheap to clone; clones share the pool).
#[derive(Debug, Clone)]
pub struct Db {
    pub(crate) pool: Pool,
    /// Serialises this process's SQLite write transactions in FIFO order before they ask for
    /// SQLite's own lock: SQLite's busy handler retries by sleeping (up to 100 ms a try), which
    /// would cap concurrent writers far below what one queue of short transactions sustains.
    pub(crate) write_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// Key of the PostgreSQL advisory lock that serialises write transactions ("assayAUD").
pub(crate) const PG_WRITE_LOCK: i64 = 0x6173_7361_7941_5544;

/// Runs `$body` inside one write transaction bound to `$tx`, and commits it.
///
/// Every write of the governance store goes through here, so that a change and the audit
/// entries describing it commit together or not at all, and writes are totally ordered: on
/// SQLite the process-wide FIFO lock and `BEGIN IMMEDIATE` (the database write lock from the
/// start, no upgrade deadlocks); on PostgreSQL a transaction-scoped advisory lock. An early
/// return through `?` inside `$body` drops the transaction, which rolls it back.
macro_rules! write_tx {
    ($db:expr, $tx:ident => $body:expr) => {{
        let db: &$crate::db::Db = $db;
        match &db.pool {
            $crate::db::Pool::Sqlite(p) => {
                let _queue = db.write_lock.lock().await;
                #[allow(unused_mut)]
                let mut $tx = p.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::db::Pool::Postgres(p) => {
                #[allow(unused_mut)]
                let mut $tx = p.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind($crate::db::PG_WRITE_LOCK)
                    .execute(&mut *$tx)
                    .await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    }};
}
pub(crate) use write_tx;

/// Whether `target` names a PostgreSQL database (`postgres://` or `postgresql://`).
pub fn is_postgres_url(target: &str) -> bool {
    target.starts_with("postgres://") || target.starts_with("postgresql://")
}

impl Db {
    /// Opens (creating it if needed) the database `target` and applies the embedded migrations.
    ///
    /// A `postgres://` or `postgresql://` URL connects to PostgreSQL; anything else is a SQLite
    /// file path (an optional `sqlite://` prefix is stripped), opened in WAL mode with
    /// `synchronous=FULL`, so that a committed write survives a crash or power loss, and foreign
    /// keys enforced.
    pub async fn open(target: &str) -> Result<Db, GovernError> {
        let db = Self::connect(target, true).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Opens an existing database without creating or migrating it (for read-only tools such as
    /// `assay log verify`); a missing SQLite file is an error.
    pub async fn open_existing(target: &str) -> Result<Db, GovernError> {
        Self::connect(target, false).await
    }

    async fn connect(target: &str, create: bool) -> Result<Db, GovernError> {
        if is_postgres_url(target) {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .connect(target)
                .await?;
            return Ok(Db {
                pool: Pool::Postgres(pool),
                write_lock: Default::default(),
            });
        }
        let path = target.strip_prefix("sqlite://").unwrap_or(target);
        if path.is_empty() || path.contains("://") {
            return Err(GovernError::InvalidTarget {
                target: target.to_string(),
                reason: "expected a SQLite file path or a postgres:// URL".into(),
            });
        }
        if !create && !Path::new(path).is_file() {
            return Err(GovernError::InvalidTarget {
                target: target.to_string(),
                reason: "no such database file".into(),
            });
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(SQLITE_BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Db {
            pool: Pool::Sqlite(pool),
            write_lock: Default::default(),
        })
    }

    /// Applies any embedded migrations not yet applied to this database.
    pub async fn migrate(&self) -> Result<(), GovernError> {
        match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// Which backend this handle uses.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes every connection of the pool (waits for checked-out connections to return).
    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }
}

/// Milliseconds since the Unix epoch (UTC) now; the clock's value before 1970 is taken as 0.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
