//! Global inspection of a model: partial dependence, ICE, ALE and permutation importance (as scikit-learn's `sklearn.inspection`).
//!
//! * [`partial_dependence`](partial_dependence::partial_dependence): partial dependence
//!   (Friedman 2001) and ICE curves (Goldstein et al. 2015) with scikit-learn's grid rules,
//!   1-D or several features (cartesian grid), optionally weighted.
//! * [`accumulated_local_effects`]: first-order ALE of a
//!   numeric feature (Apley & Zhu 2020, as ALEPlot), and
//!   [`accumulated_local_effects_2d`]: second-order ALE of
//!   two numeric features. ALE of categorical features (ALEPlot orders levels by MDS) is not
//!   implemented.
//! * [`permutation_importance`]: permutation importance
//!   (Breiman 2001; scikit-learn's `permutation_importance`) of features or feature groups for
//!   accuracy, balanced accuracy, ROC AUC, log-loss, R² and the fairness disparities
//!   (demographic-parity and equalized-odds difference), overall or within each sensitive
//!   group.
//! * [`mean_abs_by_group`]: mean |attribution| by feature and
//!   by group, and the features whose attributions differ most between groups.

pub mod ale;
pub mod attribution;
pub mod partial_dependence;
pub mod permutation;

pub use ale::{
    accumulated_local_effects, accumulated_local_effects_2d, accumulated_local_effects_with_edges,
    ale_edges, Ale, Ale2,
};
pub use attribution::{mean_abs_by_group, MeanAbsByGroup};
pub use partial_dependence::{
    grid_axis, partial_dependence, GridSpec, PartialDependence, PdFeature, PdKind,
};
pub use permutation::{
    permutation_importance, permutation_importance_by_group,
    permutation_importance_with_permutations, score, seeded_permutation, FeatureImportance,
    PermutationImportance, PermutationOptions, Scorer, Target,
};
