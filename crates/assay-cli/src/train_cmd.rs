//! `assay train`: fit a model on a table and save it, with its feature schema, as JSON.
//!
//! The table is streamed once through assay-data; numeric feature columns are kept as numbers
//! (optionally standardised), categorical ones are one-hot encoded over their sorted categories
//! (logistic regression) or coded by their position in them (gradient-boosted trees, decision
//! tree), and both are recorded in the saved model so prediction applies the same encoding.

use assay_data::bounds::parse_finite;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use assay_core::models::Trained;
use assay_core::train::{self, TrainError};
use assay_model::learners::schema::Unknown;
use assay_model::learners::{Criterion, DecisionTree, GradientBoosting, LogisticRegression, Loss};

use crate::counts;
use crate::design::{load_design, parse_impute, DesignSpec};
use crate::input::InputArgs;

/// The learners `assay train` can fit.
#[derive(Clone, Copy, ValueEnum)]
pub enum Learner {
    /// L2-regularised logistic regression (scikit-learn's `LogisticRegression(penalty="l2",
    /// solver="lbfgs")` optimum): binary, or multinomial for three or more classes.
    Logistic,
    /// Histogram-based gradient-boosted trees (Friedman 2001; leaf-wise growth as in LightGBM,
    /// Ke et al. 2017): binary log-loss, or squared error with --loss squared-error. Missing
    /// numeric cells are allowed and routed by learned default directions; categorical columns
    /// are coded by their position in the sorted categories.
    Gbdt,
    /// A CART classification tree (Breiman et al. 1984), fitted as scikit-learn's
    /// `DecisionTreeClassifier`: exact best splits by Gini or entropy, binary (two classes, or
    /// --positive). Every feature cell needs a value; categorical columns are coded by their
    /// position in the sorted categories.
    Tree,
}

/// `--handle-unknown`.
#[derive(Clone, Copy, ValueEnum)]
pub enum HandleUnknown {
    /// Unseen categories are an error naming the column and row.
    Error,
    /// Unseen categories are encoded as all zeros (one-hot) or as missing (trees).
    Ignore,
}

/// The impurity criterion of `--learner tree`.
#[derive(Clone, Copy, ValueEnum)]
pub enum TreeCriterion {
    /// Gini impurity.
    Gini,
    /// Shannon entropy.
    Entropy,
}

/// The loss of `--learner gbdt`.
#[derive(Clone, Copy, ValueEnum)]
pub enum GbdtLoss {
    /// Binary log-loss (two classes, or --positive).
    Logistic,
    /// Squared error on a numeric label (regression).
    SquaredError,
}

/// Flags of `assay train`.
#[derive(Args)]
pub struct TrainArgs {
    /// The learner to fit.
    #[arg(long, value_enum)]
    pub learner: Learner,
    /// Training data: CSV, Parquet or Arrow IPC.
    pub data: PathBuf,
    /// The label column. Its distinct values (sorted, numerically when they all are numbers)
    /// are the classes; with --positive, the label is "equals that value".
    #[arg(long, help_heading = "Columns")]
    pub label: String,
    /// Feature columns, comma-separated. Numeric unless also named in --categorical.
    #[arg(long, value_delimiter = ',', help_heading = "Columns")]
    pub features: Vec<String>,
    /// Categorical feature columns, one-hot encoded over their sorted categories (added to the
    /// features if not listed there).
    #[arg(long, value_delimiter = ',', help_heading = "Columns")]
    pub categorical: Vec<String>,
    /// Column of non-negative sample weights.
    #[arg(long, help_heading = "Columns")]
    pub weight: Option<String>,
    /// The label value that is the positive class (binary: label == value).
    #[arg(long, help_heading = "Columns")]
    pub positive: Option<String>,
    /// Inverse regularisation strength (scikit-learn's C): loss × C + ½‖β‖².
    #[arg(
        value_parser = parse_finite,
        long = "c",
        value_name = "C",
        default_value_t = 1.0,
        help_heading = "Learner"
    )]
    pub c: f64,
    /// Fit no intercept.
    #[arg(long, help_heading = "Learner")]
    pub no_intercept: bool,
    /// Standardise the numeric features (mean 0, population standard deviation 1; recorded in
    /// the model). Off by default here, as in scikit-learn.
    #[arg(long, overrides_with = "no_standardize", help_heading = "Learner")]
    pub standardize: bool,
    /// Keep the numeric features as they are (the default of `assay train`).
    #[arg(long, overrides_with = "standardize", help_heading = "Learner")]
    pub no_standardize: bool,
    /// Fill missing numeric cells with a value learned in training and stored in the model: the
    /// training `mean`, `median`, or `constant=V` (scikit-learn's `SimpleImputer`; applied before
    /// --standardize). Without it a missing numeric cell is an error, except for gbdt, which
    /// routes missing values itself.
    #[arg(long, value_name = "STRATEGY", help_heading = "Features")]
    pub impute: Option<String>,
    /// What a category not seen in training becomes when the model scores: `error` (default) or
    /// `ignore` (one-hot: all zeros, as scikit-learn's `handle_unknown="ignore"`; trees: a missing
    /// value). Stored in the model.
    #[arg(long, value_enum, default_value = "error", help_heading = "Features")]
    pub handle_unknown: HandleUnknown,
    /// Maximum Newton iterations.
    #[arg(long, value_parser = counts::at_most(counts::ITERATIONS), default_value_t = 100, help_heading = "Learner")]
    pub max_iter: usize,
    /// Convergence tolerance on the max-norm of the gradient of the mean-loss objective.
    #[arg(long, value_parser = parse_finite, default_value_t = 1e-10, help_heading = "Learner")]
    pub tol: f64,
    /// gbdt: the loss.
    #[arg(
        long,
        value_enum,
        default_value = "logistic",
        help_heading = "Gradient boosting"
    )]
    pub loss: GbdtLoss,
    /// gbdt: number of trees.
    #[arg(long, value_parser = counts::at_most(counts::TREES), default_value_t = 100, help_heading = "Gradient boosting")]
    pub trees: usize,
    /// gbdt: learning rate (shrinkage of every leaf value).
    #[arg(long, value_parser = parse_finite, default_value_t = 0.1, help_heading = "Gradient boosting")]
    pub learning_rate: f64,
    /// gbdt, tree: maximum tree depth (default: no limit).
    #[arg(long, value_parser = counts::at_most(counts::DEPTH), help_heading = "Gradient boosting")]
    pub max_depth: Option<usize>,
    /// gbdt: maximum leaves per tree, grown best-first (0: no limit; then set --max-depth).
    #[arg(long, value_parser = counts::at_most(counts::LEAVES), default_value_t = 31, help_heading = "Gradient boosting")]
    pub max_leaves: usize,
    /// gbdt: minimum hessian sum in a leaf.
    #[arg(long, value_parser = parse_finite, default_value_t = 1e-3, help_heading = "Gradient boosting")]
    pub min_child_weight: f64,
    /// gbdt, tree: minimum training rows in a leaf [default: 20 for gbdt, 1 for tree].
    #[arg(long, value_parser = counts::at_most(counts::ROWS), help_heading = "Gradient boosting")]
    pub min_samples_leaf: Option<usize>,
    /// gbdt: L2 penalty on leaf values.
    #[arg(long, value_parser = parse_finite, default_value_t = 0.0, help_heading = "Gradient boosting")]
    pub lambda: f64,
    /// gbdt: maximum bins per feature (2 to 255; missing values get one more).
    #[arg(long, value_parser = counts::at_most(counts::MAX_BINS), default_value_t = 255, help_heading = "Gradient boosting")]
    pub max_bins: usize,
    /// gbdt: fraction of rows each tree is grown on.
    #[arg(long, value_parser = parse_finite, default_value_t = 1.0, help_heading = "Gradient boosting")]
    pub subsample: f64,
    /// gbdt: seed of the row subsampling.
    #[arg(long, default_value_t = 0, help_heading = "Gradient boosting")]
    pub seed: u64,
    /// tree: the impurity criterion.
    #[arg(
        long,
        value_enum,
        default_value = "gini",
        help_heading = "Decision tree"
    )]
    pub criterion: TreeCriterion,
    /// Where to write the model (JSON).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Runs `assay train`.
pub fn run(a: TrainArgs) -> Result<ExitCode, String> {
    let tree = matches!(a.learner, Learner::Tree);
    // Tree learners: categorical columns as ordinal codes.
    let trees = tree || matches!(a.learner, Learner::Gbdt);
    // Only gradient boosting reads empty numeric cells as missing values.
    let gbdt = matches!(a.learner, Learner::Gbdt);
    if trees && a.standardize {
        return Err("--standardize applies to --learner logistic only".into());
    }
    let impute = a.impute.as_deref().map(parse_impute).transpose()?;
    let unknown = match a.handle_unknown {
        HandleUnknown::Error => Unknown::Error,
        HandleUnknown::Ignore => Unknown::Ignore,
    };
    let regression = gbdt && matches!(a.loss, GbdtLoss::SquaredError);
    let design = load_design(
        &a.input,
        &a.data,
        &DesignSpec {
            features: &a.features,
            categorical: &a.categorical,
            label: &a.label,
            positive: a.positive.as_deref(),
            weight: a.weight.as_deref(),
            extra: &[],
            ordinal: trees,
            allow_missing: gbdt,
            impute,
            standardize: a.standardize,
            unknown,
            regression,
        },
    )?;
    let path = design.path.clone();
    let (n, d) = (design.n, design.d);
    let class_names = design.class_names.clone();
    let learner = match a.learner {
        Learner::Logistic => train::Learner::Logistic(LogisticRegression {
            c: a.c,
            fit_intercept: !a.no_intercept,
            max_iter: a.max_iter,
            tol: a.tol,
        }),
        Learner::Gbdt => train::Learner::Gbdt(GradientBoosting {
            loss: if regression {
                Loss::SquaredError
            } else {
                Loss::BinaryLogistic
            },
            n_trees: a.trees,
            learning_rate: a.learning_rate,
            max_depth: a.max_depth,
            max_leaves: (a.max_leaves > 0).then_some(a.max_leaves),
            min_child_weight: a.min_child_weight,
            min_samples_leaf: a.min_samples_leaf.unwrap_or(20),
            lambda: a.lambda,
            max_bins: a.max_bins,
            subsample: a.subsample,
            seed: a.seed,
        }),
        Learner::Tree => train::Learner::Tree(DecisionTree {
            criterion: match a.criterion {
                TreeCriterion::Gini => Criterion::Gini,
                TreeCriterion::Entropy => Criterion::Entropy,
            },
            max_depth: a.max_depth,
            min_samples_leaf: a.min_samples_leaf.unwrap_or(1),
            ..DecisionTree::default()
        }),
    };
    let columns = train::Columns {
        label: a.label.clone(),
        positive: a.positive.clone(),
        weight: a.weight.clone(),
    };
    let (trained, fit) = train::train(design, &learner, &columns).map_err(|e| match e {
        TrainError::NotBinary {
            path,
            classes,
            learner,
        } => format!(
            "{path}: column '{}' has {classes} classes; {learner} is binary: name the positive one with --positive",
            a.label
        ),
        e => e.to_string(),
    })?;
    let saved = match &trained {
        Trained::Logistic(m) => m.save(&a.out),
        Trained::Gbdt(m) => m.save(&a.out),
        Trained::Tree(m) => m.save(&a.out),
    };
    saved.map_err(|e| e.to_string())?;
    let weighted = match &a.weight {
        Some(w) => format!(" (weighted by '{w}')"),
        None => String::new(),
    };
    let accuracy = fit.accuracy.unwrap_or(f64::NAN);
    match (&trained, &learner) {
        (Trained::Logistic(model), _) => {
            let m = &model.model;
            outln!(
                "trained logistic regression (L2, C = {}) on {n} rows of {}",
                a.c,
                path.display()
            );
            outln!(
                "  label '{}': {} classes ({}); {d} features",
                a.label,
                class_names.len(),
                class_names.join(", ")
            );
            outln!(
                "  Newton iterations: {}, final gradient max-norm: {:.3e} ({})",
                m.n_iter,
                m.gradient_max_norm,
                if m.converged {
                    "converged"
                } else {
                    "NOT converged"
                }
            );
            outln!(
                "  training log-loss: {:.6}, accuracy: {:.4}{weighted}",
                fit.loss,
                accuracy
            );
            outln!("  model written to {}", a.out.display());
            if !m.converged {
                eprintln!(
                    "warning: the fit did not reach tol {:e} in {} iterations; raise --max-iter or --tol",
                    a.tol, a.max_iter
                );
            }
        }
        (Trained::Gbdt(_), _) => {
            let n_trees = fit.trees.unwrap_or(0);
            let leaves = fit.leaves.unwrap_or(0);
            outln!(
                "trained gradient-boosted trees ({}, {n_trees} trees, learning rate {}) on {n} rows of {}",
                if regression {
                    "squared error"
                } else {
                    "log-loss"
                },
                a.learning_rate,
                path.display()
            );
            if regression {
                outln!("  label '{}': numeric; {d} features", a.label);
            } else {
                outln!(
                    "  label '{}': 2 classes ({}); {d} features",
                    a.label,
                    class_names.join(", ")
                );
            }
            outln!(
                "  leaves: {leaves} in all, {:.1} per tree",
                leaves as f64 / n_trees.max(1) as f64
            );
            if regression {
                outln!("  training mean squared error: {:.6}{weighted}", fit.loss);
            } else {
                outln!(
                    "  training log-loss: {:.6}, accuracy: {:.4}{weighted}",
                    fit.loss,
                    accuracy
                );
            }
            outln!("  model written to {}", a.out.display());
        }
        (Trained::Tree(_), train::Learner::Tree(params)) => {
            outln!(
                "trained decision tree ({}, max depth {}, min samples per leaf {}) on {n} rows of {}",
                match params.criterion {
                    Criterion::Gini => "gini",
                    Criterion::Entropy => "entropy",
                },
                params
                    .max_depth
                    .map_or_else(|| "none".to_string(), |d| d.to_string()),
                params.min_samples_leaf,
                path.display()
            );
            outln!(
                "  label '{}': 2 classes ({}); {d} features",
                a.label,
                class_names.join(", ")
            );
            outln!(
                "  nodes: {}, leaves: {}, depth: {}",
                fit.nodes.unwrap_or(0),
                fit.leaves.unwrap_or(0),
                fit.depth.unwrap_or(0)
            );
            outln!(
                "  training log-loss: {:.6}, accuracy: {:.4}{weighted}",
                fit.loss,
                accuracy
            );
            outln!("  model written to {}", a.out.display());
        }
        (Trained::Tree(_), _) => unreachable!("a tree comes from the tree learner"),
    }
    Ok(ExitCode::SUCCESS)
}
