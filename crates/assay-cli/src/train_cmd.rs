//! `assay train`: fit a model on a table and save it, with its feature schema, as JSON.
//!
//! The table is streamed once through assay-data; numeric feature columns are kept as numbers
//! (optionally standardised), categorical ones are one-hot encoded over their sorted categories
//! (logistic regression) or coded by their position in them (gradient-boosted trees, decision
//! tree), and both are recorded in the saved model so prediction applies the same encoding.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use arrow_array::Array;
use clap::{Args, ValueEnum};

use assay_data::csv::TextType;
use assay_data::source::ColumnRequest;
use assay_data::DataError;
use assay_fairness::extract::{view, ColumnView};
use assay_model::learners::schema::{encode_row, Unknown};
use assay_model::learners::{
    Criterion, DecisionTree, FeatureSpec, FeatureValue, GradientBoosting, LearnError,
    LogisticRegression, Loss, Matrix, TrainedGbdt, TrainedLogistic, TrainedTree,
};

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

/// A parsed `--impute` strategy.
#[derive(Clone, Copy)]
enum Impute {
    Mean,
    Median,
    Constant(f64),
}

fn parse_impute(s: &str) -> Result<Impute, String> {
    match s {
        "mean" => Ok(Impute::Mean),
        "median" => Ok(Impute::Median),
        _ => s
            .strip_prefix("constant=")
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .map(Impute::Constant)
            .ok_or_else(|| {
                format!(
                    "--impute: expected mean, median or constant=V (a finite number), found '{s}'"
                )
            }),
    }
}

/// The fill value of a numeric column: its mean, median (of the present values; the average
/// of the two middle values for an even count, as numpy) or a constant. `None` when every cell
/// is missing.
fn fill_value(v: &[f64], how: Impute) -> Option<f64> {
    let mut present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if present.is_empty() {
        return None;
    }
    Some(match how {
        Impute::Constant(c) => c,
        Impute::Mean => present.iter().sum::<f64>() / present.len() as f64,
        Impute::Median => {
            present.sort_by(f64::total_cmp);
            let m = present.len() / 2;
            if present.len() % 2 == 1 {
                present[m]
            } else {
                (present[m - 1] + present[m]) / 2.0
            }
        }
    })
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
    #[arg(long, default_value_t = 100, help_heading = "Learner")]
    pub max_iter: usize,
    /// Convergence tolerance on the max-norm of the gradient of the mean-loss objective.
    #[arg(long, default_value_t = 1e-10, help_heading = "Learner")]
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
    #[arg(long, default_value_t = 100, help_heading = "Gradient boosting")]
    pub trees: usize,
    /// gbdt: learning rate (shrinkage of every leaf value).
    #[arg(long, default_value_t = 0.1, help_heading = "Gradient boosting")]
    pub learning_rate: f64,
    /// gbdt, tree: maximum tree depth (default: no limit).
    #[arg(long, help_heading = "Gradient boosting")]
    pub max_depth: Option<usize>,
    /// gbdt: maximum leaves per tree, grown best-first (0: no limit; then set --max-depth).
    #[arg(long, default_value_t = 31, help_heading = "Gradient boosting")]
    pub max_leaves: usize,
    /// gbdt: minimum hessian sum in a leaf.
    #[arg(long, default_value_t = 1e-3, help_heading = "Gradient boosting")]
    pub min_child_weight: f64,
    /// gbdt, tree: minimum training rows in a leaf [default: 20 for gbdt, 1 for tree].
    #[arg(long, help_heading = "Gradient boosting")]
    pub min_samples_leaf: Option<usize>,
    /// gbdt: L2 penalty on leaf values.
    #[arg(long, default_value_t = 0.0, help_heading = "Gradient boosting")]
    pub lambda: f64,
    /// gbdt: maximum bins per feature (2 to 255; missing values get one more).
    #[arg(long, default_value_t = 255, help_heading = "Gradient boosting")]
    pub max_bins: usize,
    /// gbdt: fraction of rows each tree is grown on.
    #[arg(long, default_value_t = 1.0, help_heading = "Gradient boosting")]
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

/// A categorical column's values as codes into a dictionary in first-seen order.
#[derive(Default)]
struct Codes {
    index: HashMap<String, u32>,
    values: Vec<String>,
    codes: Vec<u32>,
}

impl Codes {
    fn push(&mut self, v: &str) {
        let code = match self.index.get(v) {
            Some(&c) => c,
            None => {
                let c = self.values.len() as u32;
                self.index.insert(v.to_string(), c);
                self.values.push(v.to_string());
                c
            }
        };
        self.codes.push(code);
    }

    /// The values sorted (numerically when all are numbers) and every code mapped into them.
    fn sorted(self, numeric_order: bool) -> (Vec<String>, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        let nums: Option<Vec<f64>> = numeric_order
            .then(|| self.values.iter().map(|v| v.parse().ok()).collect())
            .flatten();
        match &nums {
            Some(n) => order.sort_by(|&a, &b| n[a as usize].total_cmp(&n[b as usize])),
            None => order.sort_by(|&a, &b| self.values[a as usize].cmp(&self.values[b as usize])),
        }
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let mut values = self.values;
        let sorted = order
            .iter()
            .map(|&o| std::mem::take(&mut values[o as usize]))
            .collect();
        let codes = self.codes.iter().map(|&c| remap[c as usize]).collect();
        (sorted, codes)
    }
}

fn missing(path: &Path, column: &str, row: u64, role: &str) -> String {
    DataError::bad_value(
        path,
        column,
        row,
        format!("missing value; the {role} needs a value in every row"),
    )
    .to_string()
}

/// The cell as text (numbers in Rust's shortest form, booleans as `true`/`false`).
fn text_at(v: &ColumnView, i: usize) -> Option<String> {
    match v {
        ColumnView::Text(a) => a.is_valid(i).then(|| a.value(i).to_string()),
        ColumnView::Num(a) => a.is_valid(i).then(|| a.value(i).to_string()),
        ColumnView::Bool(a) => a.is_valid(i).then(|| a.value(i).to_string()),
    }
}

/// The cell as a finite number, or an error naming file, column and row.
fn num_at(
    v: &ColumnView,
    i: usize,
    path: &Path,
    column: &str,
    row: u64,
    role: &str,
) -> Result<f64, String> {
    let x = match v {
        ColumnView::Num(a) if a.is_valid(i) => a.value(i),
        ColumnView::Num(_) => return Err(missing(path, column, row, role)),
        ColumnView::Text(a) if a.is_null(i) => return Err(missing(path, column, row, role)),
        ColumnView::Bool(a) if a.is_null(i) => return Err(missing(path, column, row, role)),
        ColumnView::Text(a) => {
            return Err(DataError::bad_value(
                path,
                column,
                row,
                format!("expected a number for the {role}, found '{}'", a.value(i)),
            )
            .to_string())
        }
        ColumnView::Bool(_) => {
            return Err(DataError::bad_value(
                path,
                column,
                row,
                format!("expected a number for the {role}, found a boolean"),
            )
            .to_string())
        }
    };
    if !x.is_finite() {
        return Err(DataError::bad_value(
            path,
            column,
            row,
            format!("expected a finite number for the {role}, found {x}"),
        )
        .to_string());
    }
    Ok(x)
}

/// Whether the cell is null.
fn is_null(v: &ColumnView, i: usize) -> bool {
    match v {
        ColumnView::Text(a) => a.is_null(i),
        ColumnView::Num(a) => a.is_null(i),
        ColumnView::Bool(a) => a.is_null(i),
    }
}

/// One feature column as read.
enum Column {
    Num(Vec<f64>),
    Cat(Codes),
}

/// One feature column after the pass: numbers, or sorted categories and a code per row.
enum Stored {
    Num(Vec<f64>),
    Cat(Vec<String>, Vec<u32>),
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
    let mut names: Vec<String> = a.features.clone();
    for c in &a.categorical {
        if !names.contains(c) {
            names.push(c.clone());
        }
    }
    if names.is_empty() {
        return Err("name the feature columns with --features (and/or --categorical)".into());
    }
    if let Some(dup) = names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].contains(n))
    {
        return Err(format!("column '{}' is named twice in --features", dup.1));
    }
    if names.contains(&a.label) {
        return Err(format!(
            "the label column '{}' cannot also be a feature",
            a.label
        ));
    }
    let is_cat: Vec<bool> = names.iter().map(|n| a.categorical.contains(n)).collect();
    let mut requests: Vec<ColumnRequest> = names
        .iter()
        .zip(&is_cat)
        .map(|(n, &cat)| ColumnRequest {
            name: n.clone(),
            text_as: if cat {
                TextType::Utf8
            } else {
                TextType::Float64
            },
            role: if cat {
                "categorical feature"
            } else {
                "feature"
            }
            .into(),
        })
        .collect();
    requests.push(ColumnRequest {
        name: a.label.clone(),
        text_as: TextType::Utf8,
        role: "label".into(),
    });
    if let Some(w) = &a.weight {
        requests.push(ColumnRequest {
            name: w.clone(),
            text_as: TextType::Float64,
            role: "weight".into(),
        });
    }
    let stream = a.input.open(&a.data, &requests, false)?;
    let path = stream.path().to_path_buf();

    let mut columns: Vec<Column> = is_cat
        .iter()
        .map(|&cat| {
            if cat {
                Column::Cat(Codes::default())
            } else {
                Column::Num(Vec::new())
            }
        })
        .collect();
    let mut label = Codes::default();
    let mut weights: Vec<f64> = Vec::new();
    let mut n_rows: u64 = 0;
    for batch in stream {
        let batch = batch.map_err(|e| e.to_string())?;
        let get = |name: &str| -> Result<ColumnView, String> {
            let arr = batch
                .column_by_name(name)
                .ok_or_else(|| format!("{}: no column named '{name}'", path.display()))?;
            view(arr, &path, name).map_err(|e| e.to_string())
        };
        let rows = batch.num_rows();
        for (name, col) in names.iter().zip(&mut columns) {
            let v = get(name)?;
            for i in 0..rows {
                let row = n_rows + i as u64 + 1;
                match col {
                    Column::Num(out) if (gbdt || impute.is_some()) && is_null(&v, i) => {
                        out.push(f64::NAN)
                    }
                    Column::Num(out) => out.push(num_at(&v, i, &path, name, row, "feature")?),
                    Column::Cat(codes) => match text_at(&v, i) {
                        Some(t) => codes.push(&t),
                        None => return Err(missing(&path, name, row, "categorical feature")),
                    },
                }
            }
        }
        let v = get(&a.label)?;
        for i in 0..rows {
            let row = n_rows + i as u64 + 1;
            match text_at(&v, i) {
                Some(t) => label.push(&t),
                None => return Err(missing(&path, &a.label, row, "label")),
            }
        }
        if let Some(w) = &a.weight {
            let v = get(w)?;
            for i in 0..rows {
                let row = n_rows + i as u64 + 1;
                let x = num_at(&v, i, &path, w, row, "weight")?;
                if x < 0.0 {
                    return Err(DataError::bad_value(
                        &path,
                        w,
                        row,
                        format!("expected a non-negative weight, found {x}"),
                    )
                    .to_string());
                }
                weights.push(x);
            }
        }
        n_rows += rows as u64;
    }
    if n_rows == 0 {
        return Err(format!("{}: no data rows to train on", path.display()));
    }
    let n = n_rows as usize;

    let regression = gbdt && matches!(a.loss, GbdtLoss::SquaredError);
    // Labels: class indices, or numbers for regression.
    let (class_names, y): (Vec<String>, Vec<f64>) = match &a.positive {
        _ if regression => {
            let values = label
                .values
                .iter()
                .map(|v| {
                    v.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
                        format!(
                            "{}: column '{}': the squared-error loss needs numeric labels, found '{v}'",
                            path.display(),
                            a.label
                        )
                    })
                })
                .collect::<Result<Vec<f64>, String>>()?;
            (
                vec![],
                label.codes.iter().map(|&c| values[c as usize]).collect(),
            )
        }
        Some(pos) => {
            let Some(&code) = label.index.get(pos) else {
                return Err(format!(
                    "{}: column '{}': no row has the positive value '{pos}' (values: {})",
                    path.display(),
                    a.label,
                    label
                        .values
                        .iter()
                        .take(10)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            let y = label
                .codes
                .iter()
                .map(|&c| f64::from(u8::from(c == code)))
                .collect();
            (vec![format!("not {pos}"), pos.clone()], y)
        }
        None => {
            let (values, codes) = label.sorted(true);
            (values, codes.iter().map(|&c| f64::from(c)).collect())
        }
    };
    if !regression && trees && class_names.len() > 2 {
        return Err(format!(
            "{}: column '{}' has {} classes; {} is binary: name the positive one with --positive",
            path.display(),
            a.label,
            class_names.len(),
            if tree { "tree" } else { "gbdt" }
        ));
    }
    if !regression && (class_names.len() < 2 || y.iter().all(|&v| v == y[0])) {
        return Err(format!(
            "{}: column '{}': the label needs at least two classes, all rows have '{}'",
            path.display(),
            a.label,
            class_names[y[0] as usize]
        ));
    }

    // Feature schema and the encoded design matrix.
    let mut specs = Vec::with_capacity(names.len());
    let mut stored: Vec<Stored> = Vec::with_capacity(names.len());
    for (name, col) in names.iter().zip(columns) {
        match col {
            Column::Num(mut v) => {
                let fill = match impute {
                    Some(how) => Some(fill_value(&v, how).ok_or_else(|| {
                        format!(
                            "{}: column '{name}' has no value to learn --impute from (every cell is missing)",
                            path.display()
                        )
                    })?),
                    None => None,
                };
                if let Some(f) = fill {
                    v.iter_mut().filter(|x| x.is_nan()).for_each(|x| *x = f);
                }
                let (mean, std) = if a.standardize {
                    let mean = v.iter().sum::<f64>() / n as f64;
                    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
                    let std = var.sqrt();
                    (Some(mean), Some(if std > 0.0 { std } else { 1.0 }))
                } else {
                    (None, None)
                };
                specs.push(FeatureSpec::Numeric {
                    column: name.clone(),
                    mean,
                    std,
                    impute: fill,
                });
                stored.push(Stored::Num(v));
            }
            Column::Cat(codes) => {
                let (cats, codes) = codes.sorted(false);
                specs.push(if trees {
                    FeatureSpec::Ordinal {
                        column: name.clone(),
                        categories: cats.clone(),
                        unknown,
                    }
                } else {
                    FeatureSpec::Categorical {
                        column: name.clone(),
                        categories: cats.clone(),
                        unknown,
                    }
                });
                stored.push(Stored::Cat(cats, codes));
            }
        }
    }
    let d: usize = specs.iter().map(FeatureSpec::width).sum();
    let mut x = vec![0.0; n * d];
    let mut cells: Vec<FeatureValue> = Vec::with_capacity(names.len());
    for i in 0..n {
        cells.clear();
        cells.extend(stored.iter().map(|s| match s {
            Stored::Num(v) => FeatureValue::Num(v[i]),
            Stored::Cat(cats, codes) => FeatureValue::Text(&cats[codes[i] as usize]),
        }));
        encode_row(&specs, &cells, &mut x[i * d..(i + 1) * d])
            .map_err(|e| format!("{}: row {}: {e}", path.display(), i + 1))?;
    }
    drop(cells);
    drop(stored);
    let matrix = Matrix::with_rows(&x, n, d).map_err(|e| e.to_string())?;
    let w = a.weight.as_ref().map(|_| &weights[..]);
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
    println!(
        "trained logistic regression (L2, C = {}) on {n} rows of {}",
        a.c,
        path.display()
    );
    println!(
        "  label '{}': {} classes ({}); {d} features",
        a.label,
        class_names.len(),
        class_names.join(", ")
    );
    println!(
        "  Newton iterations: {}, final gradient max-norm: {:.3e} ({})",
        m.n_iter,
        m.gradient_max_norm,
        if m.converged {
            "converged"
        } else {
            "NOT converged"
        }
    );
    println!(
        "  training log-loss: {:.6}, accuracy: {:.4}{}",
        loss / total,
        correct / total,
        match &a.weight {
            Some(w) => format!(" (weighted by '{w}')"),
            None => String::new(),
        }
    );
    println!("  model written to {}", a.out.display());
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
    println!(
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
        println!(
            "  label '{}': numeric; {} features",
            a.label,
            matrix.n_cols()
        );
    } else {
        println!(
            "  label '{}': 2 classes ({}); {} features",
            a.label,
            class_names.join(", "),
            matrix.n_cols()
        );
    }
    println!(
        "  leaves: {leaves} in all, {:.1} per tree",
        leaves as f64 / n_trees.max(1) as f64
    );
    let weighted = match &a.weight {
        Some(w) => format!(" (weighted by '{w}')"),
        None => String::new(),
    };
    if regression {
        println!(
            "  training mean squared error: {:.6}{weighted}",
            loss / total
        );
    } else {
        println!(
            "  training log-loss: {:.6}, accuracy: {:.4}{weighted}",
            loss / total,
            correct / total
        );
    }
    println!("  model written to {}", a.out.display());
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
    println!(
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
    println!(
        "  label '{}': 2 classes ({}); {} features",
        a.label,
        class_names.join(", "),
        matrix.n_cols()
    );
    println!("  nodes: {n_nodes}, leaves: {leaves}, depth: {depth}");
    println!(
        "  training log-loss: {:.6}, accuracy: {:.4}{}",
        loss / total,
        correct / total,
        match &a.weight {
            Some(w) => format!(" (weighted by '{w}')"),
            None => String::new(),
        }
    );
    println!("  model written to {}", a.out.display());
    Ok(ExitCode::SUCCESS)
}
