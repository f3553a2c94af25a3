//! Reductions (Agarwal et al. 2018, 2019): fairness-constrained learning as a sequence of
//! cost-sensitive problems solved by a [`crate::BaseLearner`], as Fairlearn's `reductions`.
//!
//! * [`moments`]: the constraints ([`Constraint`]: demographic parity, equalized odds, true- and
//!   false-positive-rate parity, error-rate parity with difference or ratio bounds, and bounded
//!   group loss for regression) and the objective ([`ErrorRate`]), with Fairlearn's `gamma`,
//!   `signed_weights` and `project_lambda`.
//! * [`exponentiated_gradient`]: [`ExponentiatedGradient`] (Agarwal et al. 2018, Algorithm 1,
//!   as Fairlearn's `ExponentiatedGradient`), giving a randomized classifier
//!   ([`ExponentiatedGradientResult`]).
//! * [`grid_search`]: [`GridSearch`] (Agarwal et al. 2018, section 3.4, as Fairlearn's
//!   `GridSearch`), giving one deterministic predictor per grid point and the selected one
//!   ([`GridSearchResult`]).
//!
//! With no sample weights every number is Fairlearn 0.15's (checked against it in
//! `tests/reductions_reference.rs`).

pub mod exponentiated_gradient;
pub mod grid_search;
pub mod moments;

pub use exponentiated_gradient::{ExponentiatedGradient, ExponentiatedGradientResult};
pub use grid_search::{GridSearch, GridSearchResult};
pub use moments::{Constraint, ConstraintLabel, ErrorRate, ParityBound, RegressionLoss};

#[cfg(test)]
mod tests;
