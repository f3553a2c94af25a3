//! Reductions (Agarwal et al. 2018, 2019): fairness-constrained learning as a sequence of
//! cost-sensitive problems solved by a [`crate::BaseLearner`], as Fairlearn's `reductions`.
