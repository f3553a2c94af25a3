//! Tabular data in: CSV, Parquet and Arrow IPC files read as streams of Arrow
//! [`RecordBatch`](arrow_array::RecordBatch)es with bounded memory, the roles
//! columns play in an assessment, and seeded synthetic data sets.
//!
//! Every error names the file, and where known the column, row and what was
//! expected ([`DataError`]). Nothing in this crate prints or exits.
//!
//! It also holds the file plumbing every writer shares: [`atomic`] (outputs replaced
//! atomically, one temporary-name scheme, leftovers of dead writers cleaned, permissions kept),
//! [`lock`] (lock files a dead holder cannot leave locked) and [`process`] (is a pid running).

pub mod atomic;
pub mod bounds;
pub mod column;
pub mod csv;
pub mod datasets;
pub mod error;
pub mod groups;
mod guard;
pub mod idx;
mod ipc;
pub mod lock;
pub mod npy;
pub mod process;
pub mod provenance;
pub mod roles;
pub mod sink;
pub mod source;
pub mod synthetic;
pub mod zip;

pub use error::DataError;
pub use roles::{Binning, ColumnRoles};
pub use source::{open, BatchStream, Format, ReadOptions};
