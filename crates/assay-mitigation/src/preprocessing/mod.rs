//! Pre-processing: methods that change the training data (weights, rows or feature values)
//! before a model is fitted.
