//! `assay train`: fit a model on a table and save it, with its feature schema, as JSON.
//!
//! The table is streamed once through assay-data; numeric feature columns are kept as numbers
//! (optionally standardised), categorical ones are one-hot encoded over their sorted categories
//! (logistic regression) or coded by their position in them (gradient-boosted trees, decision
//! tree), and both are recorded in the saved model so prediction applies the same encoding.

use assay_data::bounds::parse_finite;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use assay_model::learners::schema::Unknown;
use assay_model::learners::{
    Criterion, DecisionTree, FeatureSpec, GradientBoosting, LearnError, LogisticRegression, Loss,
    Matrix, TrainedGbdt, TrainedLogistic, TrainedTree,
};

use crate::counts;
use crate::design::{load_design, parse_impute, Design, DesignSpec};
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
    /// the model).
    #[arg(long, help_heading = "Learner")]
    pub standardize: bool,
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
    let Design {
        path,
        specs,
        x,
        n,
        d,
        y,
        class_names,
        weights,
        ..
    } = design;
    if !regression && trees && class_names.len() > 2 {
        return Err(format!(
            "{}: column '{}' has {} classes; {} is binary: name the positive one with --positive",
            path.display(),
            a.label,
            class_names.len(),
            if tree { "tree" } else { "gbdt" }
        ));
    }

    let matrix = Matrix::with_rows(&x, n, d).map_err(|e| e.to_string())?;
    let w = weights.as_deref();
    if gbdt {
        return train_gbdt(&a, &path, specs, class_names, &matrix, &y, w, regression);
    }
    if tree {
        return train_tree(&a, &path, specs, class_names, &matrix, &y, w);
    }

    let learner = LogisticRegression {
        c: a.c,
        fit_intercept: !a.no_intercept,
        max_iter: a.max_iter,
        tol: a.tol,
    };
    let fitted = learner.fit(&matrix, &y, w).map_err(|e| match e {
        LearnError::Parameter(m) => m,
        e => format!("{}: {e}", path.display()),
    })?;

    // Training log-loss and accuracy (weighted when there are weights).
    let proba = fitted.predict_proba(&matrix).map_err(|e| e.to_string())?;
    let predicted = fitted.predict_class(&matrix).map_err(|e| e.to_string())?;
    let k_out = fitted.coef.len();
    let (mut loss, mut correct, mut total) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let wi = w.map_or(1.0, |w| w[i]);
        let yi = y[i] as usize;
        let p = if k_out == 1 {
            if yi == 1 {
                proba[i]
            } else {
                1.0 - proba[i]
            }
        } else {
            proba[i * k_out + yi]
        };
        loss -= wi * p.max(f64::MIN_POSITIVE).ln();
        if predicted[i] == yi {
            correct += wi;
        }
        total += wi;
    }

    let model = TrainedLogistic::new(
        a.label.clone(),
        class_names.clone(),
        a.positive.clone(),
        a.weight.clone(),
        specs,
        fitted,
    );
    model.save(&a.out).map_err(|e| e.to_string())?;
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
        "  training log-loss: {:.6}, accuracy: {:.4}{}",
        loss / total,
        correct / total,
        match &a.weight {
            Some(w) => format!(" (weighted by '{w}')"),
            None => String::new(),
        }
    );
    outln!("  model written to {}", a.out.display());
    if !m.converged {
        eprintln!(
            "warning: the fit did not reach tol {:e} in {} iterations; raise --max-iter or --tol",
            a.tol, a.max_iter
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Fits, summarises and saves `--learner gbdt`.
#[allow(clippy::too_many_arguments)]
fn train_gbdt(
    a: &TrainArgs,
    path: &Path,
    specs: Vec<FeatureSpec>,
    class_names: Vec<String>,
    matrix: &Matrix,
    y: &[f64],
    w: Option<&[f64]>,
    regression: bool,
) -> Result<ExitCode, String> {
    let params = GradientBoosting {
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
    };
    let ensemble = params.fit(matrix, y, w).map_err(|e| match e {
        LearnError::Parameter(m) => m,
        e => format!("{}: {e}", path.display()),
    })?;
    let n = matrix.n_rows();
    let pred = ensemble
        .predict(matrix.data(), matrix.n_cols())
        .map_err(|e| e.to_string())?;
    let (mut loss, mut correct, mut total) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let wi = w.map_or(1.0, |w| w[i]);
        if regression {
            loss += wi * (pred[i] - y[i]) * (pred[i] - y[i]);
        } else {
            let p = if y[i] == 1.0 { pred[i] } else { 1.0 - pred[i] };
            loss -= wi * p.max(f64::MIN_POSITIVE).ln();
            if (pred[i] > 0.5) == (y[i] == 1.0) {
                correct += wi;
            }
        }
        total += wi;
    }
    let leaves: usize = ensemble
        .trees
        .iter()
        .map(|t| (0..t.n_nodes()).filter(|&k| t.is_leaf(k)).count())
        .sum();
    let n_trees = ensemble.trees.len();
    let model = TrainedGbdt::new(
        a.label.clone(),
        class_names.clone(),
        a.positive.clone(),
        a.weight.clone(),
        specs,
        params,
        ensemble,
    );
    model.save(&a.out).map_err(|e| e.to_string())?;
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
        outln!(
            "  label '{}': numeric; {} features",
            a.label,
            matrix.n_cols()
        );
    } else {
        outln!(
            "  label '{}': 2 classes ({}); {} features",
            a.label,
            class_names.join(", "),
            matrix.n_cols()
        );
    }
    outln!(
        "  leaves: {leaves} in all, {:.1} per tree",
        leaves as f64 / n_trees.max(1) as f64
    );
    let weighted = match &a.weight {
        Some(w) => format!(" (weighted by '{w}')"),
        None => String::new(),
    };
    if regression {
        outln!(
            "  training mean squared error: {:.6}{weighted}",
            loss / total
        );
    } else {
        outln!(
            "  training log-loss: {:.6}, accuracy: {:.4}{weighted}",
            loss / total,
            correct / total
        );
    }
    outln!("  model written to {}", a.out.display());
    Ok(ExitCode::SUCCESS)
}

/// Fits, summarises and saves `--learner tree` (a CART classification tree, [`DecisionTree`]),
/// as `assay.tree/1` ([`TrainedTree`]).
fn train_tree(
    a: &TrainArgs,
    path: &Path,
    specs: Vec<FeatureSpec>,
    class_names: Vec<String>,
    matrix: &Matrix,
    y: &[f64],
    w: Option<&[f64]>,
) -> Result<ExitCode, String> {
    let params = DecisionTree {
        criterion: match a.criterion {
            TreeCriterion::Gini => Criterion::Gini,
            TreeCriterion::Entropy => Criterion::Entropy,
        },
        max_depth: a.max_depth,
        min_samples_leaf: a.min_samples_leaf.unwrap_or(1),
        ..DecisionTree::default()
    };
    let ensemble = params.fit(matrix, y, w).map_err(|e| match e {
        LearnError::Parameter(m) => m,
        e => format!("{}: {e}", path.display()),
    })?;
    let n = matrix.n_rows();
    let pred = ensemble
        .predict(matrix.data(), matrix.n_cols())
        .map_err(|e| e.to_string())?;
    let (mut loss, mut correct, mut total) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let wi = w.map_or(1.0, |w| w[i]);
        let p = if y[i] == 1.0 { pred[i] } else { 1.0 - pred[i] };
        loss -= wi * p.max(f64::MIN_POSITIVE).ln();
        if (pred[i] > 0.5) == (y[i] == 1.0) {
            correct += wi;
        }
        total += wi;
    }
    let t = &ensemble.trees[0];
    let leaves = (0..t.n_nodes()).filter(|&k| t.is_leaf(k)).count();
    let mut depth = vec![0usize; t.n_nodes()];
    for k in 0..t.n_nodes() {
        if !t.is_leaf(k) {
            depth[t.left[k] as usize] = depth[k] + 1;
            depth[t.right[k] as usize] = depth[k] + 1;
        }
    }
    let depth = depth.into_iter().max().unwrap_or(0);
    let n_nodes = t.n_nodes();
    let model = TrainedTree::new(
        a.label.clone(),
        class_names.clone(),
        a.positive.clone(),
        a.weight.clone(),
        specs,
        params,
        ensemble,
    );
    model.save(&a.out).map_err(|e| e.to_string())?;
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
        "  label '{}': 2 classes ({}); {} features",
        a.label,
        class_names.join(", "),
        matrix.n_cols()
    );
    outln!("  nodes: {n_nodes}, leaves: {leaves}, depth: {depth}");
    outln!(
        "  training log-loss: {:.6}, accuracy: {:.4}{}",
        loss / total,
        correct / total,
        match &a.weight {
            Some(w) => format!(" (weighted by '{w}')"),
            None => String::new(),
        }
    );
    outln!("  model written to {}", a.out.display());
    Ok(ExitCode::SUCCESS)
}
