//! The report of `assay model inspect --format json`: a model file's format, the columns it
//! reads, its outputs and classes, and its structure.

pub use assay_model::inspect::{Detail, InputSummary, ModelSummary};
