//! Loader for XGBoost JSON models (`Booster.save_model("m.json")`, XGBoost 2.x and 3.x).
//!
//! The schema is documented at
//! <https://xgboost.readthedocs.io/en/stable/tutorials/saving_model.html> (`doc/model.schema`).
//! The parts used here:
//!
//! * `learner.learner_model_param`: `num_feature`, `num_class`, `num_target` and `base_score`,
//!   all strings. `base_score` is in prediction space (a probability for logistic objectives),
//!   written as `"5E-1"` or, since 3.0, as a vector `"[2.4080956E-1]"`; the margin is
//!   `ProbToMargin(base_score)`, computed in `f32` as XGBoost does (`-logf(1/p - 1)` for the
//!   logistic objectives, the identity for the others).
//! * `learner.objective.name`, `learner.feature_names`, `learner.feature_types` (`"c"` marks a
//!   categorical feature).
//! * `learner.gradient_booster` (`gbtree` only): `model.trees[*]` with per-node arrays
//!   `left_children`, `right_children` (`-1` for leaves), `split_indices`, `split_conditions`
//!   (the threshold, or the leaf value for leaves), `default_left`, `base_weights`,
//!   `sum_hessian`, `loss_changes`, `split_type` (0 numerical, 1 categorical) and, for
//!   categorical nodes, `categories_nodes` / `categories_segments` / `categories_sizes` /
//!   `categories` (the categories that go **right**).
//!
//! Since 3.1 the model also stores the training categories (`model.cats`) to re-code pandas
//! categoricals. Prediction here, like XGBoost's on a numeric array, takes the category codes
//! directly; the re-coding table is not used.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::error::ModelError;
use crate::tree::{
    Arithmetic, CategorySet, Decision, Link, MissingType, Objective, Source, Tree, TreeEnsemble,
};

/// Loads an XGBoost JSON model file.
pub fn load(path: impl AsRef<Path>) -> Result<TreeEnsemble, ModelError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
        path: name.clone(),
        source,
    })?;
    parse(&text, &name)
}

/// Parses an XGBoost JSON model from a string; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<TreeEnsemble, ModelError> {
    let json = |source| ModelError::Json {
        path: origin.to_string(),
        source,
    };
    let unsupported = |message: String| ModelError::Unsupported {
        path: origin.to_string(),
        message,
    };
    let invalid = |message: String| ModelError::Invalid {
        path: origin.to_string(),
        message,
    };

    let file: File = serde_json::from_str(text).map_err(json)?;
    let learner = file.learner;
    let param = &learner.learner_model_param;
    let n_features: usize = parse_param(&param.num_feature, "num_feature").map_err(&invalid)?;
    let n_class: usize = parse_param(&param.num_class, "num_class").map_err(&invalid)?;
    if n_class > 1 {
        return Err(unsupported(format!(
            "multi-class model (num_class = {n_class})"
        )));
    }
    if let Some(t) = &param.num_target {
        let n_target: usize = parse_param(t, "num_target").map_err(&invalid)?;
        if n_target > 1 {
            return Err(unsupported(format!(
                "multi-target model (num_target = {n_target})"
            )));
        }
    }
    let (link, logistic_base) = match learner.objective.name.as_str() {
        "binary:logistic" | "reg:logistic" => (Link::Logistic { scale: 1.0 }, true),
        "reg:squarederror" | "reg:absoluteerror" | "reg:pseudohubererror" => {
            (Link::Identity, false)
        }
        other => return Err(unsupported(format!("objective \"{other}\""))),
    };
    let base = parse_base_score(&param.base_score).map_err(&invalid)?;
    let base_score = if logistic_base {
        if !(base > 0.0 && base < 1.0) {
            return Err(invalid(format!("base_score {base} is not a probability")));
        }
        -(1.0f32 / base - 1.0f32).ln()
    } else {
        base
    } as f64;

    let booster = learner.gradient_booster;
    let booster_name = booster
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("<none>");
    if booster_name != "gbtree" {
        return Err(unsupported(format!(
            "gradient_booster \"{booster_name}\" (only gbtree is supported)"
        )));
    }
    let model: GbTree =
        serde_json::from_value(booster.get("model").cloned().unwrap_or(Value::Null))
            .map_err(json)?;
    if let Some(g) = model.tree_info.iter().find(|&&g| g != 0) {
        return Err(unsupported(format!("tree for output group {g}")));
    }
    let trees = model
        .trees
        .into_iter()
        .enumerate()
        .map(|(i, t)| convert_tree(t).map_err(|e| invalid(format!("tree {i}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;

    let categorical_features = learner
        .feature_types
        .as_ref()
        .map(|types| {
            types
                .iter()
                .enumerate()
                .filter(|(_, t)| *t == "c")
                .map(|(i, _)| i)
                .collect()
        })
        .unwrap_or_default();
    let ensemble = TreeEnsemble {
        trees,
        n_features,
        feature_names: learner.feature_names.filter(|n| !n.is_empty()),
        categorical_features,
        base_score,
        objective: Objective {
            name: learner.objective.name,
            link,
        },
        arithmetic: Arithmetic::F32,
        source: Source::XGBoost {
            version: file.version,
        },
    };
    ensemble.validate().map_err(invalid)?;
    Ok(ensemble)
}

fn parse_param<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("{what} \"{s}\" is not a number"))
}

/// `base_score` as `"5E-1"` or `"[5E-1]"`; a vector must hold one value.
fn parse_base_score(s: &str) -> Result<f32, String> {
    let inner = s.trim().trim_start_matches('[').trim_end_matches(']');
    let values: Vec<&str> = inner.split(',').map(str::trim).collect();
    if values.len() != 1 {
        return Err(format!(
            "base_score \"{s}\" has {} values, expected one",
            values.len()
        ));
    }
    parse_param(values[0], "base_score")
}

/// XGBoost's `OutOfRangeCat()`: categories are below 2^24.
const MAX_CATEGORY: u32 = 1 << 24;

fn convert_tree(t: TreeJson) -> Result<Tree, String> {
    let n: usize = parse_param(&t.tree_param.num_nodes, "num_nodes")?;
    let leaf_size: usize = parse_param(&t.tree_param.size_leaf_vector, "size_leaf_vector")?;
    if leaf_size > 1 {
        return Err(format!(
            "vector leaves (size_leaf_vector = {leaf_size}) are not supported"
        ));
    }
    let split_type = if t.split_type.is_empty() {
        vec![0; n]
    } else {
        t.split_type
    };
    let lens = [
        ("left_children", t.left_children.len()),
        ("right_children", t.right_children.len()),
        ("split_indices", t.split_indices.len()),
        ("split_conditions", t.split_conditions.len()),
        ("default_left", t.default_left.len()),
        ("base_weights", t.base_weights.len()),
        ("sum_hessian", t.sum_hessian.len()),
        ("loss_changes", t.loss_changes.len()),
        ("split_type", split_type.len()),
    ];
    for (name, len) in lens {
        if len != n {
            return Err(format!(
                "{name} has {len} entries, expected num_nodes = {n}"
            ));
        }
    }
    let mut category_set = vec![None; n];
    let mut category_sets = Vec::new();
    let cat_lens = [t.categories_segments.len(), t.categories_sizes.len()];
    if cat_lens.iter().any(|&l| l != t.categories_nodes.len()) {
        return Err(
            "categories_nodes, categories_segments and categories_sizes differ in length".into(),
        );
    }
    for (k, &node) in t.categories_nodes.iter().enumerate() {
        let (start, size) = (t.categories_segments[k], t.categories_sizes[k]);
        let cats = t
            .categories
            .get(start..start + size)
            .ok_or_else(|| format!("category segment {start}+{size} is outside categories"))?;
        if let Some(c) = cats.iter().find(|&&c| c >= MAX_CATEGORY) {
            return Err(format!(
                "node {node} has category {c}, beyond XGBoost's limit of 2^24"
            ));
        }
        if node >= n || split_type[node] != 1 {
            return Err(format!(
                "categories_nodes names node {node}, which is not a categorical split"
            ));
        }
        category_set[node] = Some(category_sets.len() as u32);
        category_sets.push(CategorySet::from_categories(cats));
    }

    let mut tree = Tree {
        left: t.left_children,
        right: t.right_children,
        split_feature: Vec::with_capacity(n),
        threshold: Vec::with_capacity(n),
        default_left: Vec::with_capacity(n),
        missing: Vec::with_capacity(n),
        decision: Vec::with_capacity(n),
        category_set,
        category_sets,
        value: Vec::with_capacity(n),
        cover: Some(t.sum_hessian),
        count: None,
        gain: t.loss_changes,
        shrinkage: None,
    };
    for (i, &kind) in split_type.iter().enumerate() {
        let cond = t.split_conditions[i] as f32 as f64;
        if tree.left[i] < 0 {
            tree.split_feature.push(0);
            tree.threshold.push(0.0);
            tree.default_left.push(false);
            tree.missing.push(MissingType::None);
            tree.decision.push(Decision::Leaf);
            tree.value.push(cond);
        } else {
            let feature = u32::try_from(t.split_indices[i])
                .map_err(|_| format!("node {i} has split index {}", t.split_indices[i]))?;
            tree.split_feature.push(feature);
            tree.threshold.push(cond);
            tree.default_left.push(t.default_left[i].0);
            tree.missing.push(MissingType::NaN);
            tree.decision.push(match kind {
                0 => Decision::LessF32,
                1 => Decision::CategoryInSetRight,
                s => return Err(format!("node {i} has unknown split_type {s}")),
            });
            tree.value.push(t.base_weights[i] as f32 as f64);
        }
    }
    Ok(tree)
}

#[derive(Deserialize)]
struct File {
    learner: Learner,
    #[serde(default)]
    version: Vec<u32>,
}

#[derive(Deserialize)]
struct Learner {
    #[serde(default)]
    feature_names: Option<Vec<String>>,
    #[serde(default)]
    feature_types: Option<Vec<String>>,
    gradient_booster: Value,
    learner_model_param: LearnerModelParam,
    objective: ObjectiveJson,
}

#[derive(Deserialize)]
struct LearnerModelParam {
    base_score: String,
    num_class: String,
    num_feature: String,
    #[serde(default)]
    num_target: Option<String>,
}

#[derive(Deserialize)]
struct ObjectiveJson {
    name: String,
}

#[derive(Deserialize)]
struct GbTree {
    #[serde(default)]
    tree_info: Vec<i64>,
    trees: Vec<TreeJson>,
}

#[derive(Deserialize)]
struct TreeParam {
    num_nodes: String,
    #[serde(default = "one")]
    size_leaf_vector: String,
}

fn one() -> String {
    "1".into()
}

#[derive(Deserialize)]
struct TreeJson {
    tree_param: TreeParam,
    left_children: Vec<i32>,
    right_children: Vec<i32>,
    split_indices: Vec<i64>,
    split_conditions: Vec<f64>,
    default_left: Vec<Flag>,
    base_weights: Vec<f64>,
    sum_hessian: Vec<f64>,
    loss_changes: Vec<f64>,
    #[serde(default)]
    split_type: Vec<u8>,
    #[serde(default)]
    categories: Vec<u32>,
    #[serde(default)]
    categories_nodes: Vec<usize>,
    #[serde(default)]
    categories_segments: Vec<usize>,
    #[serde(default)]
    categories_sizes: Vec<usize>,
}

/// `default_left` entries: integers 0/1 in XGBoost ≥ 1.6, booleans before.
struct Flag(bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(b) => Ok(Flag(b)),
            Value::Number(n) if n.as_u64() == Some(0) || n.as_u64() == Some(1) => {
                Ok(Flag(n.as_u64() == Some(1)))
            }
            other => Err(serde::de::Error::custom(format!(
                "default_left entry {other} is not 0, 1 or a boolean"
            ))),
        }
    }
}
