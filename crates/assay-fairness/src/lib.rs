//! Fairness assessment: disaggregated and intersectional metrics, disparity
//! measures with uncertainty, the data scan that shows where bias comes from,
//! and policy gates. Definitions follow Fairlearn's `MetricFrame` and
//! scikit-learn (see [`metrics`]).
//!
//! The entry point is [`assess::assess`], which reads a stream of record
//! batches once and returns an [`model::Assessment`].

pub mod accumulate;
pub mod assess;
pub mod bootstrap;
pub mod disparities;
pub mod expected;
pub mod extract;
pub mod intervals;
pub mod metrics;
pub mod model;
mod pass;
pub mod policy;
pub mod scan;
mod score_bins;
pub mod stats;
pub mod units;
pub mod verdicts;

pub use assess::{assess, AssessOptions, FairnessError};
pub use model::Assessment;
pub use policy::Policy;
