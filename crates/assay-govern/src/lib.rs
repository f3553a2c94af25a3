//! Governance data layer for assay (issue #8): the storage every later governance feature
//! (`assay serve`, the registry, change management, access control) builds on.
//!
//! - [`db`]: one database handle, [`db::Db`], over SQLite (default: a file, WAL journal,
//!   `synchronous=FULL`) or PostgreSQL (a `postgres://` URL), with embedded migrations.
//! - [`audit`]: the append-only, hash-chained audit log (Crosby & Wallach, "Efficient Data
//!   Structures for Tamper-Evident Logging", USENIX Security 2009): appends serialised so the
//!   chain never forks, and a verifier that names the first entry that does not verify.
//! - [`checkpoint`]: Ed25519 (RFC 8032) signatures over a log position `(seq, hash)`, exported as
//!   JSON, against which a chain is verified to detect truncation and rewrites.
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
pub mod schedules;
#[doc(hidden)]
pub mod testing;
pub mod users;

pub use error::GovernError;
