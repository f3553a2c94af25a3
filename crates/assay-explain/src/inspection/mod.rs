//! Global inspection of a model: partial dependence, ICE, ALE and permutation importance (as scikit-learn's `sklearn.inspection`).
