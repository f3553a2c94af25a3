//! Post-processing: methods that change the decisions of a fitted scorer, using the sensitive
//! feature at decision time.
