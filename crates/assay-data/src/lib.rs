//! Tabular data in: CSV, Parquet and Arrow IPC files read as streams of Arrow
//! [`RecordBatch`](arrow_array::RecordBatch)es with bounded memory, the roles
//! columns play in an assessment, and seeded synthetic data sets.
//!
//! Every error names the file, and where known the column, row and what was
//! expected ([`DataError`]). Nothing in this crate prints or exits.

pub mod bounds;
pub mod csv;
pub mod datasets;
pub mod error;
pub mod roles;
pub mod source;
pub mod synthetic;
pub mod zip;

pub use error::DataError;
pub use roles::{Binning, ColumnRoles};
pub use source::{open, BatchStream, Format, ReadOptions};
