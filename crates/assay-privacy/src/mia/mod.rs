//! Membership-inference audits: does a trained model reveal which examples it was trained on?
//!
//! [`metrics`] is the ROC analysis of membership scores (AUC, balanced accuracy, TPR at 0.1 %
//! and 1 % FPR, log-FPR curve points) equal to scikit-learn's `roc_curve`/`roc_auc_score` (see
//! `tests/reference/mia_metrics_golden.py`); [`attacks`] turns a model's confidence on the true
//! label into membership scores (loss and confidence thresholds, the shadow-model attack,
//! online and offline LiRA); [`shadow`] draws the shadow models' training sets and trains them
//! in parallel through a caller-supplied closure, so that this crate does not depend on any
//! learner: the CLI (`assay mia`) trains them with `assay_model`'s learners or DP-SGD;
//! [`attribute`] measures attribute-inference risk.

pub mod attacks;
pub mod attribute;
pub mod metrics;
pub mod shadow;

pub use metrics::{evaluate, AttackMetrics};
