//! Explanations of model outputs, in the vocabulary of SHAP, LIME and scikit-learn's
//! `inspection`:
//!
//! * [`shap`]: Shapley-value attributions (Lundberg & Lee 2017): exact TreeSHAP for tree
//!   ensembles (path-dependent and interventional, with interaction values; Lundberg et al.
//!   2020), KernelSHAP for any model (exact coalition enumeration or paired sampling with the
//!   Shapley kernel), and LinearSHAP for linear models.
//! * [`lime`]: local surrogate models for tabular data (Ribeiro, Singh & Guestrin 2016), as the
//!   `lime` package's `LimeTabularExplainer`.
//! * [`inspection`]: global views: partial dependence and ICE curves (Friedman 2001; Goldstein
//!   et al. 2015, with scikit-learn's grid rules), accumulated local effects (Apley & Zhu 2020)
//!   and permutation importance (Breiman 2001; scikit-learn's `permutation_importance`).
//!
//! Model-agnostic explainers call a [`Predict`] (a batched scorer of dense rows); TreeSHAP
//! reads an [`assay_model::TreeEnsemble`]. [`FeatureGroups`] explain several encoded columns
//! (the one-hot columns of one raw feature) as one feature. Every random procedure takes a
//! seed. Nothing here prints.

pub mod counterfactual;
pub mod error;
pub mod groups;
pub mod inspection;
pub mod lime;
pub mod predict;
pub mod shap;

pub use error::ExplainError;
pub use groups::FeatureGroups;
pub use predict::Predict;
