//! Robustness of models to adversarial and random perturbations (issue #19).
//!
//! [`smoothing`] certifies a classifier's prediction within an L2 radius by randomized
//! smoothing (Cohen, Rosenfeld and Kolter, "Certified adversarial robustness via randomized
//! smoothing", ICML 2019): the PREDICT and CERTIFY procedures, their Clopper–Pearson bound and
//! binomial test, certified accuracy against radius and the average certified radius. It asks
//! only for a function that classifies a batch of inputs, so it serves any model assay loads.
//!
//! Like every domain crate, this one never prints or exits; randomness is seeded and drawn per
//! (sample, coordinate) position, so results do not depend on the batch size.

pub mod smoothing;
