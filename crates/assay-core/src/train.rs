//! Training a model on a design matrix ([`crate::design`]) and summarising the fit: assay's
//! logistic regression (L2, Newton; scikit-learn's `LogisticRegression`), histogram
//! gradient-boosted trees (LightGBM/XGBoost-style) and a CART decision tree, each returned
//! in its saved form ([`Trained`]: the model with its feature schema and class names) with
//! the training loss and accuracy.

use assay_model::learners::{
    DecisionTree, GradientBoosting, LearnError, LogisticRegression, Loss, Matrix, TrainedGbdt,
    TrainedLogistic, TrainedTree,
};

use crate::design::Design;
use crate::models::Trained;

/// The learner and its settings.
#[derive(Clone, Debug)]
pub enum Learner {
    /// L2-regularised logistic regression (binary or multinomial).
    Logistic(LogisticRegression),
    /// Histogram gradient-boosted trees (binary log-loss or squared error).
    Gbdt(GradientBoosting),
    /// A CART classification tree (binary).
    Tree(DecisionTree),
}

/// The columns the saved model records.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    /// The label column.
    pub label: String,
    /// The positive label value, when one was named.
    pub positive: Option<String>,
    /// The weight column, when one was used.
    pub weight: Option<String>,
}

/// How the fit went on the training rows (weighted when there are weights).
#[derive(Clone, Debug, PartialEq)]
pub struct FitSummary {
    /// Training rows.
    pub rows: usize,
    /// Encoded features.
    pub features: usize,
    /// Mean log-loss (classification) or mean squared error (regression).
    pub loss: f64,
    /// Accuracy (classification; the predicted class, `p > 0.5` for binary trees).
    pub accuracy: Option<f64>,
    /// Trees (gradient boosting, decision tree).
    pub trees: Option<usize>,
    /// Leaves in all trees.
    pub leaves: Option<usize>,
    /// Nodes of the decision tree.
    pub nodes: Option<usize>,
    /// Depth of the decision tree.
    pub depth: Option<usize>,
}

/// Why a model could not be trained.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A tree learner was given more than two classes.
    #[error("{path}: the label has {classes} classes; the {learner} is binary")]
    NotBinary {
        /// The training table.
        path: String,
        /// Its classes.
        classes: usize,
        /// The learner ("tree" or "gbdt").
        learner: &'static str,
    },
    /// A setting of the learner is invalid (the message names it).
    #[error("{0}")]
    Parameter(String),
    /// The learner failed on the data.
    #[error("{path}: {message}")]
    Fit {
        /// The training table.
        path: String,
        /// The cause.
        message: String,
    },
}

fn fit_error(d: &Design) -> impl Fn(LearnError) -> TrainError + '_ {
    move |e| match e {
        LearnError::Parameter(m) => TrainError::Parameter(m),
        e => TrainError::Fit {
            path: d.path.display().to_string(),
            message: e.to_string(),
        },
    }
}

/// Weighted mean log-loss and accuracy of binary probabilities `p` of class 1.
fn binary_fit(p: &[f64], y: &[f64], w: Option<&[f64]>) -> (f64, f64) {
    let (mut loss, mut correct, mut total) = (0.0, 0.0, 0.0);
    for i in 0..y.len() {
        let wi = w.map_or(1.0, |w| w[i]);
        let pi = if y[i] == 1.0 { p[i] } else { 1.0 - p[i] };
        loss -= wi * pi.max(f64::MIN_POSITIVE).ln();
        if (p[i] > 0.5) == (y[i] == 1.0) {
            correct += wi;
        }
        total += wi;
    }
    (loss / total, correct / total)
}

/// Trains `learner` on `design` and returns the saved form of the model with its fit summary.
pub fn train(
    design: Design,
    learner: &Learner,
    columns: &Columns,
) -> Result<(Trained, FitSummary), TrainError> {
    let regression = matches!(learner, Learner::Gbdt(g) if g.loss == Loss::SquaredError);
    let tree_learner = match learner {
        Learner::Gbdt(_) => Some("gbdt"),
        Learner::Tree(_) => Some("tree"),
        Learner::Logistic(_) => None,
    };
    if let Some(name) = tree_learner {
        if !regression && design.class_names.len() > 2 {
            return Err(TrainError::NotBinary {
                path: design.path.display().to_string(),
                classes: design.class_names.len(),
                learner: name,
            });
        }
    }
    let err = fit_error(&design);
    let (n, d) = (design.n, design.d);
    let matrix = Matrix::with_rows(&design.x, n, d).map_err(&err)?;
    let w = design.weights.as_deref();
    let y = &design.y;
    let mut summary = FitSummary {
        rows: n,
        features: d,
        loss: f64::NAN,
        accuracy: None,
        trees: None,
        leaves: None,
        nodes: None,
        depth: None,
    };
    let trained = match learner {
        Learner::Logistic(l) => {
            let fitted = l.fit(&matrix, y, w).map_err(&err)?;
            let proba = fitted.predict_proba(&matrix).map_err(&err)?;
            let predicted = fitted.predict_class(&matrix).map_err(&err)?;
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
            summary.loss = loss / total;
            summary.accuracy = Some(correct / total);
            Trained::Logistic(TrainedLogistic::new(
                columns.label.clone(),
                design.class_names.clone(),
                columns.positive.clone(),
                columns.weight.clone(),
                design.specs.clone(),
                fitted,
            ))
        }
        Learner::Gbdt(params) => {
            let ensemble = params.fit(&matrix, y, w).map_err(&err)?;
            let pred = ensemble
                .predict(matrix.data(), d)
                .map_err(|e| TrainError::Fit {
                    path: design.path.display().to_string(),
                    message: e.to_string(),
                })?;
            if regression {
                let (mut loss, mut total) = (0.0, 0.0);
                for i in 0..n {
                    let wi = w.map_or(1.0, |w| w[i]);
                    loss += wi * (pred[i] - y[i]) * (pred[i] - y[i]);
                    total += wi;
                }
                summary.loss = loss / total;
            } else {
                let (loss, accuracy) = binary_fit(&pred, y, w);
                summary.loss = loss;
                summary.accuracy = Some(accuracy);
            }
            summary.trees = Some(ensemble.trees.len());
            summary.leaves = Some(
                ensemble
                    .trees
                    .iter()
                    .map(|t| (0..t.n_nodes()).filter(|&k| t.is_leaf(k)).count())
                    .sum(),
            );
            Trained::Gbdt(TrainedGbdt::new(
                columns.label.clone(),
                design.class_names.clone(),
                columns.positive.clone(),
                columns.weight.clone(),
                design.specs.clone(),
                *params,
                ensemble,
            ))
        }
        Learner::Tree(params) => {
            let ensemble = params.fit(&matrix, y, w).map_err(&err)?;
            let pred = ensemble
                .predict(matrix.data(), d)
                .map_err(|e| TrainError::Fit {
                    path: design.path.display().to_string(),
                    message: e.to_string(),
                })?;
            let (loss, accuracy) = binary_fit(&pred, y, w);
            summary.loss = loss;
            summary.accuracy = Some(accuracy);
            let t = &ensemble.trees[0];
            let mut depth = vec![0usize; t.n_nodes()];
            for k in 0..t.n_nodes() {
                if !t.is_leaf(k) {
                    depth[t.left[k] as usize] = depth[k] + 1;
                    depth[t.right[k] as usize] = depth[k] + 1;
                }
            }
            summary.trees = Some(1);
            summary.leaves = Some((0..t.n_nodes()).filter(|&k| t.is_leaf(k)).count());
            summary.nodes = Some(t.n_nodes());
            summary.depth = Some(depth.into_iter().max().unwrap_or(0));
            Trained::Tree(TrainedTree::new(
                columns.label.clone(),
                design.class_names.clone(),
                columns.positive.clone(),
                columns.weight.clone(),
                design.specs.clone(),
                *params,
                ensemble,
            ))
        }
    };
    Ok((trained, summary))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use assay_model::learners::{Criterion, FeatureSpec};

    use super::*;

    /// One feature; the label is 1 exactly when it exceeds 0.5 (a tree separates it).
    fn design(classes: usize) -> Design {
        let n = 200;
        let x: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
        let y: Vec<f64> = x.iter().map(|&v| f64::from(u8::from(v > 0.5))).collect();
        Design {
            path: PathBuf::from("t.csv"),
            specs: vec![FeatureSpec::Numeric {
                column: "x".into(),
                mean: None,
                std: None,
                impute: None,
            }],
            x,
            n,
            d: 1,
            y,
            class_names: (0..classes).map(|c| c.to_string()).collect(),
            weights: None,
            extra: Vec::new(),
        }
    }

    fn columns() -> Columns {
        Columns {
            label: "y".into(),
            ..Columns::default()
        }
    }

    #[test]
    fn a_tree_separates_a_threshold_exactly() {
        let tree = Learner::Tree(DecisionTree {
            criterion: Criterion::Gini,
            ..DecisionTree::default()
        });
        let (trained, fit) = train(design(2), &tree, &columns()).unwrap();
        assert!(matches!(trained, Trained::Tree(_)));
        assert_eq!(fit.accuracy, Some(1.0));
        assert_eq!(
            (fit.nodes, fit.leaves, fit.depth),
            (Some(3), Some(2), Some(1))
        );
        // Pure leaves: probabilities 0 and 1, log-loss 0.
        assert!(fit.loss.abs() < 1e-12, "{}", fit.loss);
    }

    #[test]
    fn logistic_and_gbdt_fit_and_summarise() {
        let (trained, fit) = train(
            design(2),
            &Learner::Logistic(LogisticRegression::default()),
            &columns(),
        )
        .unwrap();
        let Trained::Logistic(m) = trained else {
            panic!("not logistic")
        };
        assert_eq!(m.label, "y");
        assert!(fit.accuracy.unwrap() > 0.9 && fit.loss < 0.5, "{fit:?}");
        let (_, fit) = train(
            design(2),
            &Learner::Gbdt(GradientBoosting {
                n_trees: 10,
                min_samples_leaf: 5,
                ..GradientBoosting::default()
            }),
            &columns(),
        )
        .unwrap();
        assert_eq!(fit.trees, Some(10));
        assert!(fit.accuracy.unwrap() > 0.95, "{fit:?}");
    }

    #[test]
    fn tree_learners_are_binary() {
        let e = train(
            design(3),
            &Learner::Tree(DecisionTree::default()),
            &columns(),
        )
        .err()
        .unwrap();
        assert!(matches!(
            e,
            TrainError::NotBinary {
                classes: 3,
                learner: "tree",
                ..
            }
        ));
    }
}
