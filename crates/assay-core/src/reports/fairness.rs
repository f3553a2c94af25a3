//! The report of `assay fairness` (schema `assay.fairness/1`): the [`Assessment`] of the
//! fairness crate, which serialises and deserialises (documented in `docs/fairness.md`).

pub use assay_fairness::model::{
    Assessment, Disparity, FourFifths, GroupResult, InputSummary, Ordered, Settings, WorstGroup,
    SCHEMA as FAIRNESS_SCHEMA,
};
