//! The library layer of assay (issue #16): the public Rust API that every front end calls
//! (the `assay` CLI today; the governance server, the Python package and the web UI next).
//! A front end parses its input, calls this crate (or a domain crate it re-exports) and
//! renders the result; it never computes.
//!
//! What lives here is what needs more than one domain crate, or would otherwise be written
//! once per front end:
//!
//! - [`models`]: opening any model file assay reads (XGBoost JSON, LightGBM text, ONNX,
//!   assay's logistic regression, gbdt and tree, and mitigated models) behind the one
//!   [`assay_model::Model`] trait, with the model's own decision rule
//!   ([`assay_model::Model::decide`]), and the views some methods need (the tree ensemble
//!   for TreeSHAP, the logistic regression for linear SHAP).
//! - [`reports`]: the typed reports every command writes, with their JSON Schemas.

pub mod error;
pub mod models;
pub mod reports;

pub use error::CoreError;
