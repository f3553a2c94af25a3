//! The governance system of record for assay (issue #8), without HTTP: storage, the domain
//! rules and the tamper-evident audit log. `assay serve` (crate assay-server) is the API over it.
//!
//! - [`db`]: one database handle, [`db::Db`], over SQLite (default: a file, WAL journal,
//!   `synchronous=FULL`) or PostgreSQL (a `postgres://` URL), with embedded migrations; every
//!   write is one serialised transaction that also appends its audit entry.
//! - [`audit`]: the append-only, hash-chained audit log (Crosby & Wallach, "Efficient Data
//!   Structures for Tamper-Evident Logging", USENIX Security 2009), and [`checkpoint`]: Ed25519
//!   (RFC 8032) signatures over a log position, against which truncation and rewrites show.
//! - [`users`]: accounts, service accounts, roles and API tokens (stored as SHA-256).
//! - [`inventory`]: models and versions; [`ai_act`]: the EU AI Act risk tier from a
//!   questionnaire; [`artifacts`]: signed, digest-identified files; [`evidence`]: assay reports
//!   with their verdicts, derived from the reports by [`report_verdict`].
//! - [`policy`] and [`changes`]: change requests, approvals under a configurable policy with
//!   separation of duties, exactly-once decisions, one-action rollback.
//! - [`incidents`] and [`schedules`]: incidents with timeline and post-mortem; recurring reviews.
//!
//! This crate never prints or exits; errors are [`GovernError`].

pub mod ai_act;
pub mod artifacts;
pub mod audit;
pub mod changes;
pub mod checkpoint;
pub mod db;
mod error;
pub mod evidence;
pub mod incidents;
pub mod inventory;
pub mod policy;
pub mod report_binding;
pub mod report_verdict;
pub mod schedules;
#[doc(hidden)]
pub mod testing;
pub mod users;

pub use error::GovernError;
