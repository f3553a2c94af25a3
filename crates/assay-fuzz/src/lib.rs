//! Fuzz targets for every parser and loader of assay, on stable Rust and under plain
//! `cargo test` (no nightly, no libFuzzer).
//!
//! * [`targets`] lists the targets: CSV, Parquet and Arrow IPC input (`assay_data::source`),
//!   ONNX (the runtime and `onnx::to_ensemble`), XGBoost JSON, LightGBM text, assay's model JSON
//!   (`assay.logistic/1`, `assay.gbdt/1`, `assay.tree/1`, `assay.mitigated/1`), the TOML
//!   fairness policy, column roles, generalization hierarchies and governance policy, the DP
//!   ledger, the governance server's JSON request bodies, and the PII scanner's text. Each
//!   target has a seed corpus: fixtures of the repository, inputs generated from them (Parquet,
//!   Arrow IPC, the built-in governance policy) and the files of `corpus/<target>/`, which also
//!   hold the inputs that once failed (regression cases).
//! * [`mutate`] derives new inputs from the seeds with a seeded generator: bit and byte flips,
//!   interesting bytes and tokens (`nan`, `-1`, `1e308`, `4294967296`, ...), inserted, deleted
//!   and duplicated ranges, truncation and splices of two seeds.
//! * [`driver`] runs each case on a worker thread with a per-case time limit and fails the run
//!   naming the target and the saved input when a case panics, exceeds the limit or allocates
//!   beyond the cap that [`alloc::CountingAlloc`] enforces (the test binary installs it as its
//!   global allocator).
//!
//! `cargo test -p assay-fuzz` runs every seed and a few mutations of each (seconds);
//! `ASSAY_FUZZ_SECONDS=60` turns it into a time-bounded run over all targets (the budget split
//! evenly), deterministic for a given `ASSAY_FUZZ_SEED` (default 1). `.ci/run` runs both.

pub mod alloc;
pub mod driver;
pub mod mutate;
pub mod targets;
