//! The append-only, hash-chained audit log (Crosby & Wallach, "Efficient Data Structures for
//! Tamper-Evident Logging", USENIX Security 2009, §3: the hash chain).
//!
//! Every entry stores the hash of the entry before it, and its own hash covers that link, so
//! changing, deleting or reordering any entry breaks the chain from that entry on. Truncation of
//! the newest entries, and a wholesale rewrite with recomputed hashes, are caught by verifying
//! against a signed [`crate::checkpoint::Checkpoint`].
//!
//! # Canonical encoding
//!
//! The hash of entry `e` is SHA-256 (FIPS 180-4) over the concatenation of
//!
//! 1. the 15 ASCII bytes `assay.audit.v1\n` (domain separation; not length-prefixed),
//! 2. `seq` as 8 bytes, unsigned big-endian,
//! 3. `time_ms` (milliseconds since the Unix epoch, UTC) as 8 bytes, two's-complement big-endian,
//! 4. for each of `actor`, `action`, `subject`, `details`, in that order: the length of its UTF-8
//!    bytes as 8 bytes unsigned big-endian, then those bytes (`details` is the JSON text exactly
//!    as stored, not a re-serialisation),
//! 5. `prev_hash` as its 32 raw bytes (the previous entry's hash; 32 zero bytes for seq 1).
//!
//! Sequence numbers start at 1 and have no gaps. Hashes are stored as 64 lowercase hex digits.
//!
//! # Concurrency
//!
//! [`append`] reads the last entry and inserts the next one in one transaction that holds the
//! database's write lock from its start: `BEGIN IMMEDIATE` on SQLite, and
//! `pg_advisory_xact_lock` on PostgreSQL (a row lock with `SELECT ... FOR UPDATE` would not
//! serialise the very first append, when there is no row to lock). `seq` is the primary key, so
//! even a misbehaving writer that bypassed the lock could not fork the chain: its insert fails.
//!
//! There is deliberately no function that updates or deletes an entry.

use sha2::{Digest, Sha256};

use crate::db::{on_pool, write_tx, Db};
use crate::GovernError;

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The `prev_hash` of the first entry: 32 zero bytes.
pub const GENESIS_HASH: Hash = [0u8; 32];

/// Domain-separation prefix of the entry hash (see the module documentation).
const DOMAIN: &[u8] = b"assay.audit.v1\n";

/// Rows read per query while verifying.
const PAGE: i64 = 1000;

/// What a caller records: who did what to which object, with structured details.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry<'a> {
    /// Who acted (user or service account name; `anonymous` for unauthenticated attempts).
    pub actor: &'a str,
    /// What was done, e.g. `model.create`, `change.approve`, `auth.denied`.
    pub action: &'a str,
    /// The object acted on, e.g. `model/credit-scoring/3`.
    pub subject: &'a str,
    /// Structured details (serialised once, compactly, and stored as that text).
    pub details: &'a serde_json::Value,
}

/// One stored log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// Milliseconds since the Unix epoch (UTC) when the entry was appended.
    pub time_ms: i64,
    /// Who acted.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// The object acted on.
    pub subject: String,
    /// The details as stored JSON text.
    pub details: String,
    /// The previous entry's hash ([`GENESIS_HASH`] for seq 1).
    pub prev_hash: Hash,
    /// This entry's hash, [`entry_hash`] of the fields above.
    pub hash: Hash,
}

/// Computes an entry's hash with the canonical encoding of the module documentation.
pub fn entry_hash(
    seq: u64,
    time_ms: i64,
    actor: &str,
    action: &str,
    subject: &str,
    details: &str,
    prev_hash: &Hash,
) -> Hash {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update(seq.to_be_bytes());
    h.update(time_ms.to_be_bytes());
    for field in [actor, action, subject, details] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.update(prev_hash);
    h.finalize().into()
}

impl Entry {
    /// Recomputes this entry's hash from its fields (compare with [`Entry::hash`]).
    pub fn computed_hash(&self) -> Hash {
        entry_hash(
            self.seq,
            self.time_ms,
            &self.actor,
            &self.action,
            &self.subject,
            &self.details,
            &self.prev_hash,
        )
    }
}

/// Lowercase hex of a hash.
pub fn to_hex(hash: &Hash) -> String {
    hex::encode(hash)
}

/// Parses 64 hex digits into a hash; `None` if `s` is anything else.
pub fn from_hex(s: &str) -> Option<Hash> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

type Row = (i64, i64, String, String, String, String, String, String);

pub(crate) const SELECT_LAST: &str = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
pub(crate) const INSERT: &str =
    "INSERT INTO audit_log (seq, time_ms, actor, action, subject, details, prev_hash, hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const SELECT_PAGE: &str = "SELECT seq, time_ms, actor, action, subject, details, prev_hash, hash \
     FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2";

pub(crate) fn parse_last(last: Option<(i64, String)>) -> Result<(u64, Hash), GovernError> {
    match last {
        None => Ok((0, GENESIS_HASH)),
        Some((seq, hash)) => {
            let s = u64::try_from(seq).map_err(|_| GovernError::CorruptRow {
                seq,
                reason: "negative sequence number".into(),
            })?;
            let h = from_hex(&hash).ok_or_else(|| GovernError::CorruptRow {
                seq,
                reason: "hash is not 64 hex digits".into(),
            })?;
            Ok((s, h))
        }
    }
}

/// Appends `$new` (a `&NewEntry`) inside the open write transaction `$tx` (see
/// `db::write_tx!`) and evaluates to the [`Entry`]; it commits with the transaction.
macro_rules! append_in {
    ($tx:ident, $new:expr) => {{
        let new: &$crate::audit::NewEntry<'_> = $new;
        let details = serde_json::to_string(new.details)?;
        let time_ms = $crate::db::now_ms();
        let last: Option<(i64, String)> = sqlx::query_as($crate::audit::SELECT_LAST)
            .fetch_optional(&mut *$tx)
            .await?;
        let (last_seq, prev_hash) = $crate::audit::parse_last(last)?;
        let seq = last_seq + 1;
        let hash = $crate::audit::entry_hash(
            seq,
            time_ms,
            new.actor,
            new.action,
            new.subject,
            &details,
            &prev_hash,
        );
        sqlx::query($crate::audit::INSERT)
            .bind(seq as i64)
            .bind(time_ms)
            .bind(new.actor)
            .bind(new.action)
            .bind(new.subject)
            .bind(&details)
            .bind($crate::audit::to_hex(&prev_hash))
            .bind($crate::audit::to_hex(&hash))
            .execute(&mut *$tx)
            .await?;
        $crate::audit::Entry {
            seq,
            time_ms,
            actor: new.actor.to_string(),
            action: new.action.to_string(),
            subject: new.subject.to_string(),
            details,
            prev_hash,
            hash,
        }
    }};
}
pub(crate) use append_in;

/// Appends one entry at the end of the chain and returns it once it is committed (durably, on
/// SQLite with `synchronous=FULL`). Concurrent appends are serialised (see the module
/// documentation), so the chain never forks.
pub async fn append(db: &Db, new: &NewEntry<'_>) -> Result<Entry, GovernError> {
    let entry = write_tx!(db, tx => append_in!(tx, new));
    Ok(entry)
}

/// Reads up to `limit` entries with `seq > after`, in order, as stored (unverified).
pub async fn entries(db: &Db, after: u64, limit: u32) -> Result<Vec<Entry>, GovernError> {
    let rows: Vec<Row> = on_pool!(db, p => sqlx::query_as(SELECT_PAGE)
        .bind(after as i64)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
    rows.into_iter().map(row_to_entry).collect()
}

fn row_to_entry(r: Row) -> Result<Entry, GovernError> {
    let (seq, time_ms, actor, action, subject, details, prev, hash) = r;
    let corrupt = |reason: &str| GovernError::CorruptRow {
        seq,
        reason: reason.to_string(),
    };
    Ok(Entry {
        seq: u64::try_from(seq).map_err(|_| corrupt("negative sequence number"))?,
        time_ms,
        actor,
        action,
        subject,
        details,
        prev_hash: from_hex(&prev).ok_or_else(|| corrupt("prev_hash is not 64 hex digits"))?,
        hash: from_hex(&hash).ok_or_else(|| corrupt("hash is not 64 hex digits"))?,
    })
}

/// The last entry of the chain as `(seq, hash)`, `None` when the log is empty (unverified).
pub async fn head(db: &Db) -> Result<Option<(u64, Hash)>, GovernError> {
    let last: Option<(i64, String)> =
        on_pool!(db, p => sqlx::query_as(SELECT_LAST).fetch_optional(p).await?);
    Ok(match last {
        None => None,
        some => Some(parse_last(some)?),
    })
}

/// Why an entry does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// No entry has this sequence number although later ones exist (deleted or renumbered).
    MissingEntry,
    /// A stored sequence number is below 1.
    InvalidSeq,
    /// The entry's `prev_hash` is not the previous entry's hash (reordered, inserted or the
    /// previous entry was replaced).
    BrokenLink,
    /// The stored hash is not the hash of the entry's fields (the entry was edited).
    BadHash,
    /// A stored hash is not 64 hex digits.
    Malformed,
    /// The log ends before the checkpoint's sequence number (entries were removed from the end).
    Truncated,
    /// The chain verifies on its own but its hash at the checkpoint differs from the signed one
    /// (entries up to the checkpoint were rewritten and re-hashed).
    CheckpointMismatch,
}

impl std::fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ProblemKind::MissingEntry => "entry missing",
            ProblemKind::InvalidSeq => "invalid sequence number",
            ProblemKind::BrokenLink => "prev_hash does not match the previous entry's hash",
            ProblemKind::BadHash => "hash does not match the entry's contents",
            ProblemKind::Malformed => "stored hash is not 64 hex digits",
            ProblemKind::Truncated => "log ends before the checkpoint",
            ProblemKind::CheckpointMismatch => "hash differs from the signed checkpoint",
        })
    }
}

/// The first entry that does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Sequence number of the first entry that does not verify.
    pub seq: u64,
    /// What is wrong with it.
    pub kind: ProblemKind,
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries that verified, i.e. the length of the verified prefix.
    pub verified: u64,
    /// The last verified entry as `(seq, hash)`; `None` if none verified.
    pub head: Option<(u64, Hash)>,
    /// The first entry that does not verify; `None` when the whole chain verifies.
    pub problem: Option<Problem>,
}

impl ChainReport {
    /// Whether the chain (and the checkpoint, if one was given) verified.
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// Walks the whole chain from seq 1 and reports the first entry that does not verify: a gap in
/// the sequence numbers, a `prev_hash` that is not the previous hash, or a stored hash that is
/// not the hash of the entry's fields.
pub async fn verify(db: &Db) -> Result<ChainReport, GovernError> {
    verify_anchored(db, None).await
}

/// As [`verify`], and additionally requires the entry at `anchor.0` to exist with hash
/// `anchor.1` (a signed checkpoint's position).
pub(crate) async fn verify_anchored(
    db: &Db,
    anchor: Option<(u64, Hash)>,
) -> Result<ChainReport, GovernError> {
    let mut expected_seq: u64 = 1;
    let mut prev: Hash = GENESIS_HASH;
    let mut report = ChainReport {
        verified: 0,
        head: None,
        problem: None,
    };
    let fail = |mut report: ChainReport,
                seq: u64,
                kind: ProblemKind|
     -> Result<ChainReport, GovernError> {
        report.problem = Some(Problem { seq, kind });
        Ok(report)
    };
    loop {
        let after = expected_seq - 1;
        let rows: Vec<Row> = on_pool!(db, p => sqlx::query_as(SELECT_PAGE)
            .bind(after as i64)
            .bind(PAGE)
            .fetch_all(p)
            .await?);
        if after == 0 {
            // Rows numbered below 1 are never written by `append`.
            let low: Option<(i64,)> = on_pool!(db, p => sqlx::query_as(
                "SELECT seq FROM audit_log WHERE seq < 1 ORDER BY seq LIMIT 1")
                .fetch_optional(p)
                .await?);
            if low.is_some() {
                return fail(report, 1, ProblemKind::InvalidSeq);
            }
        }
        let n = rows.len();
        for (seq, time_ms, actor, action, subject, details, prev_hex, hash_hex) in rows {
            let seq = seq as u64; // > after >= 0
            if seq != expected_seq {
                return fail(report, expected_seq, ProblemKind::MissingEntry);
            }
            let (Some(prev_hash), Some(hash)) = (from_hex(&prev_hex), from_hex(&hash_hex)) else {
                return fail(report, seq, ProblemKind::Malformed);
            };
            if prev_hash != prev {
                return fail(report, seq, ProblemKind::BrokenLink);
            }
            let computed = entry_hash(
                seq, time_ms, &actor, &action, &subject, &details, &prev_hash,
            );
            if computed != hash {
                return fail(report, seq, ProblemKind::BadHash);
            }
            if let Some((a_seq, a_hash)) = anchor {
                if a_seq == seq && a_hash != hash {
                    return fail(report, seq, ProblemKind::CheckpointMismatch);
                }
            }
            report.verified += 1;
            report.head = Some((seq, hash));
            prev = hash;
            expected_seq += 1;
        }
        if (n as i64) < PAGE {
            break;
        }
    }
    if let Some((a_seq, _)) = anchor {
        if report.verified < a_seq {
            return fail(report, expected_seq, ProblemKind::Truncated);
        }
    }
    Ok(report)
}
