//! The cap of every count flag (issue #15, finding 9: `--bins 4000000000`, `--grid`,
//! `--bootstrap` aborted the process on a 32 GB allocation). Each flag's value parser is
//! [`assay_data::bounds::count_at_most`] with one of these caps, so a larger value is a usage
//! error (exit code 2) naming the flag and the cap, before any input is read or any lock is
//! taken. Caps that a library also enforces are that library's constant. Each cap is far above
//! any useful setting and low enough that the memory and time it implies stay bounded.

/// `fairness --bootstrap`: replicates (each keeps one value per statistic).
pub const BOOTSTRAP: usize = assay_fairness::assess::MAX_BOOTSTRAP;
/// `--batch-size`: rows per record batch (allocated up front).
pub const BATCH_SIZE: usize = assay_data::source::MAX_BATCH_SIZE;
/// `dp query --bins`: histogram bins per group (each released as a noisy count).
pub const HISTOGRAM_BINS: usize = 1_000_000;
/// `dp query --grid`: candidate points of the quantile's exponential mechanism.
pub const QUANTILE_GRID: usize = 1_000_000;
/// Repetitions of a permutation (`explain --repeats`).
pub const REPEATS: usize = assay_explain::inspection::permutation::MAX_REPEATS;

// explain and fairness refuse the same number of sensitive groups.
const _: () = assert!(
    assay_explain::inspection::permutation::MAX_GROUPS
        == assay_fairness::accumulate::MAX_FEATURE_VALUES
);
/// Grid points, bins and thresholds searched (`--grid-resolution`, `--ale-bins`,
/// `--grid-size`, `--num-class-thresh`, `--num-roc-margin`).
pub const GRID: usize = 100_000;
/// Rows or samples drawn, explained or written (`--ice-curves`, `--background`,
/// `--explain-rows`, `--samples`, `--rows-out`, `--per-group`, `--sample`, `--max-rows`,
/// `--canaries`, `--guesses`, `--expected-batch-size`, `example --rows`).
pub const ROWS: usize = 100_000_000;
/// Results asked for and features changed (`--count`, `--max-changes`, `--lime-features`).
pub const RESULTS: usize = 10_000;
/// Iterations of an optimiser (`--max-iter`).
pub const ITERATIONS: usize = 1_000_000;
/// Trees of a boosted ensemble (`--trees`).
pub const TREES: usize = 100_000;
/// Leaves of one tree (`--max-leaves`) and the leaf size (`--min-samples-leaf`).
pub const LEAVES: usize = 1 << 20;
/// Depth of one tree (`--max-depth`, `--depth`).
pub const DEPTH: usize = 64;
/// Quantile bins per feature of the boosted trees (`--max-bins`; the learner allows 2 to 255).
pub const MAX_BINS: usize = 255;
/// Shadow models of a membership-inference attack (`--shadows`).
pub const SHADOWS: usize = 10_000;
/// Units of the hidden layer (`dp train --hidden`).
pub const HIDDEN: usize = 100_000;

pub use assay_data::bounds::count_at_most as at_most;
