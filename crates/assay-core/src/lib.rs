//! The library layer of assay (issue #16): the public Rust API that every front end calls
//! (the `assay` CLI today; the governance server, the Python package and the web UI next).
//! A front end parses its input, calls this crate (or a domain crate it re-exports) and
//! renders the result; it never computes.
//!
//! What lives here is what needs more than one domain crate, or would otherwise be written
//! once per front end:
//!
//! - [`models`]: opening any model file assay reads (XGBoost JSON, LightGBM text, ONNX,
//!   assay's logistic regression, gbdt and tree, and mitigated models) behind the one
//!   [`assay_model::Model`] trait, with the model's own decision rule
//!   ([`assay_model::Model::decide`]), and the views some methods need (the tree ensemble
//!   for TreeSHAP, the logistic regression for linear SHAP).
//! - [`anonymize`]: a table anonymized (Mondrian or the lattice search), written atomically,
//!   re-measured, and the utility of the release measured.
//! - [`dp_train`]: DP-SGD training: sampling rate, σ calibration, ε by RDP and PLD, the
//!   privacy–utility curve and the saved forms of the trained model.
//! - [`explanations`]: explaining any model on a table (permutation importance, PDP/ICE,
//!   ALE, SHAP, LIME, counterfactuals, recourse).
//! - [`input`]: opening a table, joined column-wise with a row-aligned predictions file.
//! - [`design`]: a table read into a model's design matrix in one pass, with the feature
//!   encoding fitted on it (one-hot or ordinal categories, imputation, standardisation), and a
//!   test set encoded the same way.
//! - [`dp_query`]: differentially private counts, sums, means, histograms and quantiles of a
//!   table, grouped, with clamping and per-person contribution bounding.
//! - [`mia`]: membership-inference audits (loss, confidence, shadow models, LiRA, attribute
//!   inference) of a model trained by a learner spec or already fitted.
//! - [`mitigate`]: bias mitigation (pre-, in- and post-processing) with its before/after
//!   assessment, the drivers of the gap, and the accuracy–fairness sweep.
//! - [`scoring`]: a stream scored by a model as it is read (the model's score and decision
//!   added to every batch), for assessments of a model.
//! - [`train`]: a model trained on a design matrix, in its saved form, with its fit summary.
//! - [`pii_columns`]: the PII type of each column of a CSV table, from a sample of its cells.
//! - [`predict`]: a table scored by a model into a table of predictions, streamed.
//! - [`reports`]: the typed reports every command writes, with their JSON Schemas.

//!
//! The domain crates are re-exported ([`data`], [`fairness`], [`model`], [`mitigation`],
//! [`explain`], [`privacy`], [`anonymity`], [`pii`]), so this crate is the one dependency a
//! front end needs. The main flows:
//!
//! Read a table and assess fairness (the seeded hiring example, written as CSV):
//!
//! ```
//! use assay_core::data::roles::ColumnRoles;
//! use assay_core::data::source::{self, ReadOptions};
//! use assay_core::data::synthetic::{write_hiring_csv, HiringConfig};
//! use assay_core::fairness::{assess, AssessOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("hiring.csv");
//! write_hiring_csv(&path, &HiringConfig { rows: 2_000, seed: 1 })?;
//! let stream = source::open(&path, &ReadOptions::default(), None)?;
//! let mut options = AssessOptions::new(ColumnRoles {
//!     label: "qualified".into(),
//!     prediction: Some("shortlisted".into()),
//!     sensitive: vec!["gender".into(), "race".into()],
//!     ..Default::default()
//! });
//! options.bootstrap = 200;
//! let report = assess(stream, &options)?;
//! let gap = report.disparity("demographic_parity_difference").unwrap();
//! assert!(gap.value.unwrap() > 0.0 && gap.interval.is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Open a model and explain it (exact TreeSHAP; the attributions of a row add up to its
//! margin):
//!
//! ```
//! use assay_core::explain::shap::tree_shap;
//! use assay_core::models;
//!
//! let trees = models::tree_ensemble("../../tests/reference/models/xgb_binary.json".as_ref())?;
//! let ensemble = trees.ensemble();
//! let d = ensemble.n_features;
//! let rows: Vec<f64> = (0..2 * d).map(|i| (i % 5) as f64).collect();
//! let shap = tree_shap(ensemble, &rows, 2)?;
//! for r in 0..2 {
//!     let total: f64 = shap.values[r * d..(r + 1) * d].iter().sum::<f64>() + shap.base_value;
//!     assert!((total - ensemble.margin_row(&rows[r * d..(r + 1) * d])).abs() < 1e-6);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Compute the ε of DP-SGD (1,000 steps at sampling rate 0.01, noise multiplier 1.1,
//! δ = 10⁻⁵; Google's `dp_accounting` gives 1.71177 with its RDP accountant):
//!
//! ```
//! use assay_core::privacy::accounting::{epsilon, Accountant};
//!
//! let eps = epsilon(Accountant::Rdp, 0.01, 1.1, 1_000, 1e-5)?;
//! assert!((eps - 1.71177).abs() < 1e-5, "{eps}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Measure k-anonymity and l-diversity of a table:
//!
//! ```
//! use assay_core::anonymity::{measure, Partition};
//! use assay_core::data::source::ReadOptions;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("people.csv");
//! std::fs::write(&path, "age,zip,disease\n30,123,flu\n30,123,cold\n40,456,flu\n40,456,flu\n")?;
//! let qi = ["age".to_string(), "zip".to_string()];
//! let sensitive = ["disease".to_string()];
//! let classes = Partition::from_path(&path, &ReadOptions::default(), &qi, &sensitive)?;
//! let m = measure(&classes)?;
//! assert_eq!((m.k, m.l_distinct), (2, 1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod anonymize;
pub mod design;
pub mod dp_query;
pub mod dp_train;
pub mod error;
pub mod explanations;
pub mod input;
pub mod mia;
pub mod mitigate;
pub mod models;
pub mod pii_columns;
pub mod predict;
pub mod reports;
pub mod scoring;
pub mod train;

pub use error::CoreError;

pub use assay_anonymity as anonymity;
pub use assay_data as data;
pub use assay_explain as explain;
pub use assay_fairness as fairness;
pub use assay_mitigation as mitigation;
pub use assay_model as model;
pub use assay_pii as pii;
pub use assay_privacy as privacy;
