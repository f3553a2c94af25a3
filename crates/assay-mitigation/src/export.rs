//! ONNX export of a mitigated model ([`MitigatedModel`]) on the raw table columns, where its
//! decision is deterministic. The graph starts with the feature preparation of
//! [`assay_model::onnx::export_prepared`] (inputs named as the columns, plus the sensitive
//! columns, `string` `[N, 1]`, when the decision reads the group) and ends with the outputs
//! `label` and `probabilities` (`[N, 2]`, `double`), as skl2onnx names a classifier's outputs.
//! Operator specs: <https://onnx.ai/onnx/operators/>.
//!
//! * [`Decision::Single`]: the predictor's graph (logistic `MatMul`, `Add` and the logistic
//!   function; trees `ai.onnx.ml` `TreeEnsembleRegressor` and the logistic function; a
//!   constant by `Expand`).
//! * [`Decision::Decorrelated`] (Fairlearn's `CorrelationRemover`): the row's group index
//!   ([`PreparedGraph::group_index`]: `LabelEncoder`, `OneHotEncoder`, `ArgMax`), its row of
//!   the shift matrix (`Gather`), and `alpha · (x − shift) + (1 − alpha) · x` (`Sub`, `Mul`, `Add`, the
//!   operations of [`FittedCorrelationRemover::transform`](crate::preprocessing::FittedCorrelationRemover::transform)
//!   in the same order, in `double`), then the predictor.
//! * [`Decision::Thresholds`] (the threshold optimizer), only when every group's rule is
//!   deterministic (one of its two threshold rules has probability 1, no equalized-odds
//!   mixing): `score > t` is written `σ · score > σ · t` with σ = 1 (`>`) or −1 (`<`), σ and
//!   σ·t gathered per row by group index (`Gather`), `Mul`, `Greater`, `Cast`; the
//!   probabilities are the 0/1 decision, which is also assay's `P(ŷ = 1)` for such a rule.
//! * [`Decision::Mixture`] with one predictor of positive weight `w`: `w` times its 0/1
//!   prediction (logistic: margin > 0; trees: probability > 0.5), assay's score for it.
//!
//! Refused with [`ModelError::Export`]: a mixture of several predictors (exponentiated
//! gradient; `--collapse` keeps one), randomised thresholds, and decision rules this module
//! does not know.

use assay_model::learners::schema::FeatureSpec;
use assay_model::onnx::export_prepared::{PreparedGraph, PreparedOnnx};
use assay_model::ModelError;

use crate::base::Predictor;
use crate::model::{Decision, MitigatedModel};
use crate::postprocessing::threshold_optimizer::{GroupThresholds, Operator};

fn refuse(message: String) -> ModelError {
    ModelError::Export { message }
}

/// A prefit base model ([`Predictor::Score`]) is another file's graph, not assay's to write.
fn prefit_refused() -> ModelError {
    refuse(
        "the model post-processes a prefit model embedded in it; export that model with the \
         tool that trained it"
            .into(),
    )
}

/// `P(class 1)` `[N, 1]` of a predictor on encoded rows `x`.
fn score(g: &mut PreparedGraph, p: &Predictor, x: &str) -> Result<String, ModelError> {
    match p {
        Predictor::Logistic(m) => {
            if m.coef.len() != 1 {
                return Err(refuse(format!(
                    "the logistic predictor has {} decision functions; a mitigated model is binary",
                    m.coef.len()
                )));
            }
            g.logistic_scores(m, x)
        }
        Predictor::Trees(e) => g.tree_scores(e, x),
        Predictor::Constant { value } => Ok(g.constant_rows(*value)),
        Predictor::Score => Err(prefit_refused()),
    }
}

/// The 0/1 prediction `[N, 1]` (`double`) of a predictor, as [`Predictor::predict`].
fn hard(g: &mut PreparedGraph, p: &Predictor, x: &str) -> Result<String, ModelError> {
    match p {
        Predictor::Logistic(m) => {
            let z = g.logistic_decision(m, x)?;
            let zero = g.constant("zero", &[1], vec![0.0]);
            Ok(g.greater(&z, &zero))
        }
        Predictor::Trees(e) => {
            let s = g.tree_scores(e, x)?;
            let half = g.constant("half", &[1], vec![0.5]);
            Ok(g.greater(&s, &half))
        }
        Predictor::Constant { value } => Ok(g.constant_rows(*value)),
        Predictor::Score => Err(prefit_refused()),
    }
}

/// The deterministic rule of each group of `t`: (σ, σ·threshold) such that the decision is
/// `σ · score > σ · threshold`; an error naming the first randomised group.
fn deterministic_rules(t: &GroupThresholds) -> Result<Vec<(f64, f64)>, ModelError> {
    t.groups
        .iter()
        .zip(&t.interpolation)
        .map(|(name, r)| {
            let mixed = r.p_ignore.is_some_and(|p| p != 0.0);
            let op = if mixed {
                None
            } else if r.p0 == 1.0 && r.p1 == 0.0 {
                Some(r.operation0)
            } else if r.p1 == 1.0 && r.p0 == 0.0 {
                Some(r.operation1)
            } else if r.operation0 == r.operation1 && r.p0 + r.p1 == 1.0 {
                Some(r.operation0)
            } else {
                None
            };
            let op = op.ok_or_else(|| {
                refuse(format!(
                    "the thresholds of group '{name}' are randomised (p0 = {}, p1 = {}{}): a \
                     randomised decision cannot be written as a deterministic ONNX graph",
                    r.p0,
                    r.p1,
                    r.p_ignore
                        .map_or(String::new(), |p| format!(", p_ignore = {p}"))
                ))
            })?;
            let sign = match op.operator {
                Operator::Greater => 1.0,
                Operator::Less => -1.0,
            };
            Ok((sign, sign * op.threshold))
        })
        .collect()
}

/// The mitigated model as an ONNX graph on the raw table columns (see [the module
/// documentation](self)). The bytes depend only on the model.
pub fn to_prepared_onnx(m: &MitigatedModel) -> Result<PreparedOnnx, ModelError> {
    if m.base_model.is_some() {
        return Err(prefit_refused());
    }
    let mut g = PreparedGraph::new(&m.features)?;
    let x = g.encoded().to_string();
    let d: usize = m.features.iter().map(FeatureSpec::width).sum();
    if !g.unimputed().is_empty() {
        let list = g.unimputed_list();
        g.caveat(if m.routes_missing() {
            format!(
                "a missing cell in {list} reaches the trees as NaN in the graph, and takes the \
                 missing-value branch, as assay routes it"
            )
        } else {
            format!(
                "a missing cell in {list} reaches the predictor as NaN in the graph (NaN \
                 probabilities); assay refuses the row (the model is scored without imputation)"
            )
        });
    }
    let p1 = match &m.decision {
        Decision::Single { predictor } => score(&mut g, predictor, &x)?,
        Decision::Mixture {
            weights,
            predictors,
        } => {
            let used: Vec<(f64, &Predictor)> = weights
                .iter()
                .zip(predictors)
                .filter(|(w, _)| **w > 0.0)
                .map(|(w, p)| (*w, p))
                .collect();
            match used.as_slice() {
                [(w, p)] => {
                    let h = hard(&mut g, p, &x)?;
                    let w = g.constant("weight", &[1], vec![*w]);
                    g.op("Mul", &[&w, &h], "mixture")
                }
                _ => {
                    return Err(refuse(format!(
                        "the model is a randomized mixture of {} predictors (exponentiated \
                         gradient): its decision is drawn at random per row and cannot be written \
                         as a deterministic ONNX graph; rerun assay mitigate with --collapse to \
                         keep one deterministic predictor, and export that",
                        used.len()
                    )))
                }
            }
        }
        Decision::Thresholds { base, thresholds } => {
            let rules = deterministic_rules(thresholds)?;
            let s = score(&mut g, base, &x)?;
            let group = g.group_index(&m.sensitive, &m.groups)?;
            let k = rules.len();
            let signs = g.constant("signs", &[k, 1], rules.iter().map(|r| r.0).collect());
            let limits = g.constant("thresholds", &[k, 1], rules.iter().map(|r| r.1).collect());
            let sign = g.op("Gather", &[&signs, &group], "sign");
            let limit = g.op("Gather", &[&limits, &group], "threshold");
            let signed = g.op("Mul", &[&s, &sign], "signed");
            if matches!(base, Predictor::Trees(_)) {
                g.caveat(
                    "the threshold optimizer's rule is applied to the base score as the graph \
                     computes it, from the trees' float32 margin (the TreeEnsembleRegressor \
                     spec), so a score within about 1e-7 of a group's threshold may fall on the \
                     other side"
                        .to_string(),
                );
            }
            g.greater(&signed, &limit)
        }
        Decision::Decorrelated { remover, predictor } => {
            if remover.n_features != d || remover.group_names != m.groups {
                return Err(refuse(format!(
                    "the correlation remover was fitted on {} features and groups [{}]; the \
                     model has {d} features and groups [{}]",
                    remover.n_features,
                    remover.group_names.join(", "),
                    m.groups.join(", ")
                )));
            }
            let group = g.group_index(&m.sensitive, &m.groups)?;
            let k = remover.group_names.len();
            let shift = g.constant("shift", &[k, d], remover.shift.clone());
            let rows = g.op("Gather", &[&shift, &group], "shiftrows");
            let alpha = g.constant("alpha", &[1], vec![remover.alpha]);
            let keep = g.constant("keep", &[1], vec![1.0 - remover.alpha]);
            let diff = g.op("Sub", &[&x, &rows], "removed");
            let a = g.op("Mul", &[&alpha, &diff], "alphapart");
            let b = g.op("Mul", &[&keep, &x], "keeppart");
            let t = g.op("Add", &[&a, &b], "decorrelated");
            if m.features.iter().any(|f| {
                matches!(
                    f,
                    FeatureSpec::Ordinal { unknown, .. } if !unknown.is_error()
                )
            }) {
                g.caveat(
                    "an unseen category (a missing code) passes through the correlation remover \
                     as NaN in the graph; assay refuses such a row"
                        .to_string(),
                );
            }
            score(&mut g, predictor, &t)?
        }
        #[allow(unreachable_patterns)]
        _ => {
            return Err(refuse(format!(
                "ONNX export of the decision rule of '{}' is not implemented; export supports \
                 single predictors, correlation removal, deterministic thresholds and collapsed \
                 mixtures",
                m.method
            )))
        }
    };
    let doc = format!(
        "Mitigated model ({}) exported by assay, on the raw table columns: the saved feature \
         preparation, then the mitigated decision rule.",
        m.method
    );
    let metadata = vec![
        ("method".to_string(), m.method.clone()),
        (
            "sensitive".to_string(),
            serde_json::to_string(&m.sensitive).unwrap_or_default(),
        ),
    ];
    g.finish_binary(&p1, &m.class_names, &doc, metadata)
}
