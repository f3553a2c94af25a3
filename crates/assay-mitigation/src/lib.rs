//! Bias mitigation, in the vocabulary of Fairlearn and AIF360:
//!
//! * [`preprocessing`] changes the training data: reweighing (Kamiran & Calders 2012),
//!   group- and label-balanced resampling, Fairlearn's `CorrelationRemover`, and the
//!   disparate-impact remover (Feldman et al. 2015).
//! * [`reductions`] turns a fairness-constrained classification or regression problem into a
//!   sequence of cost-sensitive (weighted) ones solved by a [`BaseLearner`]: exponentiated
//!   gradient and grid search (Agarwal et al. 2018, 2019), as Fairlearn's `reductions`.
//! * [`postprocessing`] changes the decisions of a fitted scorer: the threshold optimizer
//!   (Hardt, Price & Srebro 2016, as Fairlearn's `ThresholdOptimizer`), reject-option
//!   classification (Kamiran, Karim & Zhang 2012) and per-group calibration (Platt 1999;
//!   isotonic regression, Zadrozny & Elkan 2002).
//!
//! Everything here works on dense feature matrices ([`assay_model::learners::Matrix`]),
//! labels, scores and sensitive [`Groups`]; reading tables, saving models and reporting belong
//! to the CLI. Every random procedure takes a seed. Nothing here prints.

pub mod base;
pub mod error;
pub mod export;
pub mod groups;
pub mod model;
pub mod postprocessing;
pub mod preprocessing;
pub mod reductions;

pub use base::{BaseLearner, BaseOutputs, Fitter, Predictor};
pub use error::MitigationError;
pub use groups::Groups;
pub use model::{Decision, MitigatedModel};
