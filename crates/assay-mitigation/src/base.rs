//! Base learners of the reductions and the predictors they fit.
//!
//! A reduction calls [`BaseLearner::fit`] with relabelled, reweighted data many times; each
//! fit gives a [`Predictor`], which is what a mitigated model keeps and saves.

use serde::{Deserialize, Serialize};

use assay_model::learners::{
    FittedLogistic, GradientBoosting, LogisticDesign, LogisticRegression, Loss, Matrix,
};
use assay_model::TreeEnsemble;

use crate::error::{check_len, MitigationError};

/// A learner that fits binary classifiers (labels 0/1) or regressors with sample weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "learner", rename_all = "snake_case")]
pub enum BaseLearner {
    /// assay's L2-regularised logistic regression (scikit-learn's `LogisticRegression` optimum).
    Logistic(LogisticRegression),
    /// assay's histogram gradient-boosted trees (binary log-loss, or squared error for
    /// regression).
    Gbdt(GradientBoosting),
}

/// A fitted base predictor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "predictor", rename_all = "snake_case")]
pub enum Predictor {
    /// A logistic regression: score `P(y = 1 | x)`, class 1 when the margin is positive.
    Logistic(FittedLogistic),
    /// A tree ensemble: score its transformed output; class 1 when the score exceeds 0.5
    /// (binary log-loss) — for squared error the score is the prediction.
    Trees(TreeEnsemble),
    /// The same value for every row: what a reduction keeps when all relabelled training rows
    /// have one label (as Fairlearn's `_ConstantPredictor`).
    Constant {
        /// The predicted value (0 or 1 for classifiers).
        value: f64,
    },
    /// A prefit model, trained outside the mitigation (Fairlearn's `prefit=True`): its
    /// probability of the positive class is the one column of the matrix it is given (the
    /// mitigated model computes it from the table with the embedded model,
    /// [`crate::model::EmbeddedModel`]); class 1 when it exceeds 0.5, the model's own
    /// deterministic decision rule.
    Score,
}

impl BaseLearner {
    /// Fits the learner to `x`, labels `y` (0/1 for classification; any finite numbers for a
    /// squared-error gbdt) and non-negative `weights`. When every row with positive weight has
    /// the same label, the result is [`Predictor::Constant`] (the learners need two classes).
    pub fn fit(
        &self,
        x: &Matrix,
        y: &[f64],
        weights: &[f64],
    ) -> Result<Predictor, MitigationError> {
        self.fitter(x)?.fit(y, weights, None)
    }

    /// The learner bound to the design matrix `x` for a reduction's many fits on it (see
    /// [`Fitter`]).
    pub fn fitter<'a>(&'a self, x: &'a Matrix<'a>) -> Result<Fitter<'a>, MitigationError> {
        Ok(Fitter {
            x,
            learner: match self {
                BaseLearner::Logistic(l) => Bound::Logistic(l, LogisticDesign::new(x)?),
                BaseLearner::Gbdt(g) => Bound::Gbdt(g),
            },
        })
    }
}

/// A [`BaseLearner`] bound to one design matrix, which a reduction fits dozens of times with new
/// labels and weights: the matrix is checked and prepared once (for the logistic regression,
/// [`LogisticDesign`]), and a logistic fit may start from the previous one
/// ([`Fitter::fit`]). Shared between threads (a grid search fits its points in parallel).
pub struct Fitter<'a> {
    x: &'a Matrix<'a>,
    learner: Bound<'a>,
}

/// A learner with what it prepared from the bound matrix.
enum Bound<'a> {
    Logistic(&'a LogisticRegression, LogisticDesign<'a>),
    Gbdt(&'a GradientBoosting),
}

impl Fitter<'_> {
    /// [`BaseLearner::fit`] on the bound matrix. A logistic regression starts Newton's method
    /// from `start` when it is a logistic predictor of the same shape (the optimum is unique,
    /// so only the number of iterations depends on it:
    /// [`LogisticRegression::fit_design`]); other learners ignore it.
    pub fn fit(
        &self,
        y: &[f64],
        weights: &[f64],
        start: Option<&Predictor>,
    ) -> Result<Predictor, MitigationError> {
        let x = self.x;
        check_len("labels", x.n_rows(), y.len())?;
        check_len("weights", x.n_rows(), weights.len())?;
        let classifier = match &self.learner {
            Bound::Logistic(..) => true,
            Bound::Gbdt(g) => g.loss == Loss::BinaryLogistic,
        };
        if classifier {
            let mut labels = y
                .iter()
                .zip(weights)
                .filter(|(_, &w)| w > 0.0)
                .map(|(&v, _)| v);
            if let Some(first) = labels.next() {
                if labels.all(|v| v == first) {
                    return Ok(Predictor::Constant { value: first });
                }
            }
        }
        Ok(match &self.learner {
            Bound::Logistic(l, design) => {
                let start = match start {
                    Some(Predictor::Logistic(m)) => Some(m),
                    _ => None,
                };
                Predictor::Logistic(l.fit_design(design, y, Some(weights), start)?)
            }
            Bound::Gbdt(g) => Predictor::Trees(g.fit(x, y, Some(weights))?),
        })
    }
}

impl Predictor {
    /// Scores of the rows of `x`: `P(y = 1 | x)` for classifiers, predictions for regressors.
    pub fn score(&self, x: &Matrix) -> Result<Vec<f64>, MitigationError> {
        Ok(match self {
            Predictor::Logistic(m) => m.predict_proba(x)?,
            Predictor::Trees(e) => e
                .predict(x.data(), x.n_cols())
                .map_err(|e| MitigationError::Data(e.to_string()))?,
            Predictor::Constant { value } => vec![*value; x.n_rows()],
            Predictor::Score => prefit_scores(x)?,
        })
    }

    /// Hard predictions (0/1) of a classifier, as scikit-learn's `predict`: class 1 when the
    /// logistic margin is positive, or when a tree ensemble's probability exceeds 0.5.
    pub fn predict(&self, x: &Matrix) -> Result<Vec<f64>, MitigationError> {
        Ok(match self {
            Predictor::Logistic(m) => m
                .decision_function(x)?
                .into_iter()
                .map(|z| f64::from(u8::from(z > 0.0)))
                .collect(),
            Predictor::Trees(_) | Predictor::Score => self
                .score(x)?
                .into_iter()
                .map(|p| f64::from(u8::from(p > 0.5)))
                .collect(),
            Predictor::Constant { value } => vec![*value; x.n_rows()],
        })
    }
}

/// Everything the evaluation of a mitigation reads from the base predictor on one matrix,
/// computed in one scoring ([`Predictor::outputs`]): each field equals what its own method
/// gives, bit for bit, so a post-processing method (the threshold optimizer, the reject
/// option, calibration) and the unmitigated model's decisions share one pass over the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseOutputs {
    /// [`Predictor::score`].
    pub score: Vec<f64>,
    /// [`Predictor::predict`].
    pub predict: Vec<f64>,
    /// [`crate::model::calibration_input`]: the decision function (the logistic margin, the
    /// tree ensemble's raw margin, a prefit model's probability); `None` for a constant
    /// predictor, which has none.
    pub decision_function: Option<Vec<f64>>,
}

impl Predictor {
    /// [`Predictor::score`], [`Predictor::predict`] and the decision function of the rows of
    /// `x`, from one evaluation of the model: the logistic margin `z` (then `1 / (1 + e^{−z})`
    /// and `z > 0`), the tree ensemble's margin (then its inverse link,
    /// [`TreeEnsemble::link`], and `score > 0.5`).
    pub fn outputs(&self, x: &Matrix) -> Result<BaseOutputs, MitigationError> {
        let threshold = |score: &[f64]| -> Vec<f64> {
            score
                .iter()
                .map(|&p| f64::from(u8::from(p > 0.5)))
                .collect()
        };
        Ok(match self {
            Predictor::Logistic(m) => {
                let z = m.decision_function(x)?;
                BaseOutputs {
                    score: z.iter().map(|&v| assay_numerics::sigmoid(v)).collect(),
                    predict: z.iter().map(|&v| f64::from(u8::from(v > 0.0))).collect(),
                    decision_function: Some(z),
                }
            }
            Predictor::Trees(e) => {
                let margin = e
                    .predict_margin(x.data(), x.n_cols())
                    .map_err(|e| MitigationError::Data(e.to_string()))?;
                let score: Vec<f64> = margin.iter().map(|&m| e.link(m)).collect();
                BaseOutputs {
                    predict: threshold(&score),
                    score,
                    decision_function: Some(margin),
                }
            }
            Predictor::Constant { value } => BaseOutputs {
                score: vec![*value; x.n_rows()],
                predict: vec![*value; x.n_rows()],
                decision_function: None,
            },
            Predictor::Score => {
                let score = prefit_scores(x)?;
                BaseOutputs {
                    predict: threshold(&score),
                    decision_function: Some(score.clone()),
                    score,
                }
            }
        })
    }
}

/// The prefit model's probabilities: the one column of `x`, each a probability.
fn prefit_scores(x: &Matrix) -> Result<Vec<f64>, MitigationError> {
    if x.n_cols() != 1 {
        return Err(MitigationError::Data(format!(
            "a prefit model's scores are one column; the matrix has {}",
            x.n_cols()
        )));
    }
    match x.data().iter().find(|p| !(0.0..=1.0).contains(*p)) {
        Some(p) => Err(MitigationError::Data(format!(
            "the prefit model's score {p} is not a probability"
        ))),
        None => Ok(x.data().to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_label_gives_a_constant() {
        let x = [0.0, 1.0, 2.0];
        let m = Matrix::new(&x, 1).unwrap();
        let p = BaseLearner::Logistic(LogisticRegression::default())
            .fit(&m, &[1.0, 0.0, 1.0], &[1.0, 0.0, 2.0])
            .unwrap();
        assert_eq!(p, Predictor::Constant { value: 1.0 });
        assert_eq!(p.predict(&m).unwrap(), vec![1.0; 3]);
    }

    #[test]
    fn logistic_predicts_by_margin() {
        let x = [0.0, 1.0, 2.0, 3.0];
        let m = Matrix::new(&x, 1).unwrap();
        let p = BaseLearner::Logistic(LogisticRegression::default())
            .fit(&m, &[0.0, 0.0, 1.0, 1.0], &[1.0; 4])
            .unwrap();
        assert_eq!(p.predict(&m).unwrap(), vec![0.0, 0.0, 1.0, 1.0]);
    }
}
