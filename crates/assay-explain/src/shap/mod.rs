//! Shapley-value attributions (Lundberg & Lee 2017, "A Unified Approach to Interpreting Model Predictions").
