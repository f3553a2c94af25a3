//! The saved form of a model trained by `assay train`: the fitted model together with how
//! table columns become the model's feature vector (numeric columns, optionally standardised;
//! categorical columns one-hot encoded over sorted categories, or coded by their position in the
//! sorted categories) and what the classes are called.
//!
//! Three forms share the feature schema: [`TrainedLogistic`] (`assay.logistic/1`),
//! [`TrainedGbdt`] (`assay.gbdt/1`, gradient-boosted trees, [`super::gbdt`]) and [`TrainedTree`]
//! (`assay.tree/1`, a CART decision tree, [`super::tree`]). Encoding a row with
//! [`encode_row`] at prediction time applies exactly the transformation used for training.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{DecisionTree, FittedLogistic, GradientBoosting, LearnError};
use crate::TreeEnsemble;

/// The `format` tag of a saved [`TrainedLogistic`].
pub const FORMAT: &str = "assay.logistic/1";

/// The `format` tag of a saved [`TrainedGbdt`].
pub const GBDT_FORMAT: &str = "assay.gbdt/1";

/// The `format` tag of a saved [`TrainedTree`].
pub const TREE_FORMAT: &str = "assay.tree/1";

/// How one input column becomes one or more features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureSpec {
    /// A numeric column: one feature, `(value − mean) / std` when standardised (StandardScaler's
    /// transform, population standard deviation, 1 when it is zero), the value otherwise.
    Numeric {
        /// Column name in the input table.
        column: String,
        /// Mean subtracted, when standardised.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mean: Option<f64>,
        /// Divisor, when standardised.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        std: Option<f64>,
        /// The value that replaces a missing cell (before standardising), learned in training
        /// (scikit-learn's `SimpleImputer`: the training mean, median or a constant). Without
        /// it a missing cell is an error for learners that cannot route missing values.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        impute: Option<f64>,
    },
    /// A categorical column: one 0/1 feature per category, in this (sorted) order.
    Categorical {
        /// Column name in the input table.
        column: String,
        /// The categories seen in training, sorted.
        categories: Vec<String>,
        /// What a category not seen in training becomes.
        #[serde(default, skip_serializing_if = "Unknown::is_error")]
        unknown: Unknown,
    },
    /// A categorical column as one feature: the category's position in the sorted `categories`
    /// (for tree learners, which split on the codes as numbers).
    Ordinal {
        /// Column name in the input table.
        column: String,
        /// The categories seen in training, sorted; category `categories[k]` is coded `k`.
        categories: Vec<String>,
        /// What a category not seen in training becomes.
        #[serde(default, skip_serializing_if = "Unknown::is_error")]
        unknown: Unknown,
    },
}

/// What a categorical feature does with a category it did not see in training (scikit-learn's
/// `OneHotEncoder(handle_unknown=...)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unknown {
    /// An error naming the column, row and category (the default).
    #[default]
    Error,
    /// One-hot: a row of zeros (`handle_unknown="ignore"`). Ordinal codes: a missing value,
    /// routed by the trees' missing-value rule.
    Ignore,
}

impl Unknown {
    /// Whether this is the default, [`Unknown::Error`].
    pub fn is_error(&self) -> bool {
        *self == Unknown::Error
    }
}

impl FeatureSpec {
    /// The input column.
    pub fn column(&self) -> &str {
        match self {
            FeatureSpec::Numeric { column, .. }
            | FeatureSpec::Categorical { column, .. }
            | FeatureSpec::Ordinal { column, .. } => column,
        }
    }

    /// Number of features this column becomes.
    pub fn width(&self) -> usize {
        match self {
            FeatureSpec::Numeric { .. } | FeatureSpec::Ordinal { .. } => 1,
            FeatureSpec::Categorical { categories, .. } => categories.len(),
        }
    }

    /// Names of the features: the column, or `column=category` for each category of a one-hot
    /// encoded column.
    pub fn feature_names(&self) -> Vec<String> {
        match self {
            FeatureSpec::Numeric { column, .. } | FeatureSpec::Ordinal { column, .. } => {
                vec![column.clone()]
            }
            FeatureSpec::Categorical {
                column, categories, ..
            } => categories.iter().map(|c| format!("{column}={c}")).collect(),
        }
    }
}

/// One input cell, as [`TrainedLogistic::encode_row`] takes it.
#[derive(Debug, Clone, Copy)]
pub enum FeatureValue<'a> {
    /// A number (for a numeric column).
    Num(f64),
    /// A category (for a categorical column).
    Text(&'a str),
}

/// A logistic regression trained by `assay train`, as saved to JSON: the fitted model
/// ([`FittedLogistic`], whose objective is the scikit-learn User Guide's, section 1.1.11
/// "Logistic regression") and the schema that turns table rows into its features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedLogistic {
    /// Always [`FORMAT`].
    pub format: String,
    /// The label column.
    pub label: String,
    /// Names of the classes, in the order of [`FittedLogistic::classes`] (class index `k` is
    /// `class_names[k]`). With a positive value `v` the classes are `["not v", "v"]`.
    pub class_names: Vec<String>,
    /// The label value taken as positive, if one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive: Option<String>,
    /// The sample-weight column used in training, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// The input columns, in feature order.
    pub features: Vec<FeatureSpec>,
    /// The name of every feature (`column` or `column=category`).
    pub feature_names: Vec<String>,
    /// The fitted coefficients.
    pub model: FittedLogistic,
}

impl TrainedLogistic {
    /// Builds the saved form, deriving the feature names from `features`.
    pub fn new(
        label: String,
        class_names: Vec<String>,
        positive: Option<String>,
        weight: Option<String>,
        features: Vec<FeatureSpec>,
        model: FittedLogistic,
    ) -> Self {
        let feature_names = features.iter().flat_map(|f| f.feature_names()).collect();
        TrainedLogistic {
            format: FORMAT.to_string(),
            label,
            class_names,
            positive,
            weight,
            features,
            feature_names,
            model,
        }
    }

    /// Number of features the encoded rows have.
    pub fn n_features(&self) -> usize {
        self.features.iter().map(FeatureSpec::width).sum()
    }

    /// Encodes one row with [`encode_row`] and this model's feature schema.
    pub fn encode_row(&self, values: &[FeatureValue], out: &mut [f64]) -> Result<(), String> {
        encode_row(&self.features, values, out)
    }

    /// Writes the model as pretty JSON to `path`.
    pub fn save(&self, path: &Path) -> Result<(), LearnError> {
        super::write_json(path, self)
    }

    /// Reads a model written by [`TrainedLogistic::save`] and checks it is consistent.
    pub fn load(path: &Path) -> Result<TrainedLogistic, LearnError> {
        let name = path.display().to_string();
        let m: TrainedLogistic = super::read_json(path)?;
        let invalid = |message: String| LearnError::Invalid {
            path: name.clone(),
            message,
        };
        if m.format != FORMAT {
            return Err(invalid(format!(
                "format is '{}', expected '{FORMAT}'",
                m.format
            )));
        }
        m.model.validate().map_err(invalid)?;
        if m.n_features() != m.model.n_features() || m.feature_names.len() != m.n_features() {
            return Err(invalid(format!(
                "the schema has {} features and {} feature names, the coefficients {}",
                m.n_features(),
                m.feature_names.len(),
                m.model.n_features()
            )));
        }
        if m.class_names.len() != m.model.classes.len() {
            return Err(invalid(format!(
                "{} class names for {} classes",
                m.class_names.len(),
                m.model.classes.len()
            )));
        }
        check_categories(&m.features).map_err(invalid)?;
        Ok(m)
    }
}

/// Checks that every categorical spec's categories are sorted and distinct.
fn check_categories(features: &[FeatureSpec]) -> Result<(), String> {
    for f in features {
        if let FeatureSpec::Categorical {
            column, categories, ..
        }
        | FeatureSpec::Ordinal {
            column, categories, ..
        } = f
        {
            if categories.windows(2).any(|w| w[0] >= w[1]) {
                return Err(format!(
                    "the categories of '{column}' are not sorted and distinct"
                ));
            }
        }
    }
    Ok(())
}

/// Writes `values` (one per entry of `features`) into `out` (one slot per feature, the sum of
/// the specs' widths). An error message (without row or file, for the caller to add) names the
/// column when a value has the wrong kind or a category was not seen in training.
pub fn encode_row(
    features: &[FeatureSpec],
    values: &[FeatureValue],
    out: &mut [f64],
) -> Result<(), String> {
    let mut at = 0;
    for (spec, value) in features.iter().zip(values) {
        match (spec, value) {
            (
                FeatureSpec::Numeric {
                    mean, std, impute, ..
                },
                FeatureValue::Num(v),
            ) => {
                let v = match impute {
                    Some(fill) if v.is_nan() => *fill,
                    _ => *v,
                };
                out[at] = (v - mean.unwrap_or(0.0)) / std.unwrap_or(1.0);
            }
            (
                FeatureSpec::Categorical {
                    column,
                    categories,
                    unknown,
                },
                FeatureValue::Text(t),
            ) => {
                let slots = &mut out[at..at + categories.len()];
                slots.fill(0.0);
                match categories.binary_search_by(|c| c.as_str().cmp(t)) {
                    Ok(k) => slots[k] = 1.0,
                    Err(_) if *unknown == Unknown::Ignore => {}
                    Err(_) => {
                        return Err(format!(
                            "column '{column}': category '{t}' was not seen in training"
                        ))
                    }
                }
            }
            (
                FeatureSpec::Ordinal {
                    column,
                    categories,
                    unknown,
                },
                FeatureValue::Text(t),
            ) => match categories.binary_search_by(|c| c.as_str().cmp(t)) {
                Ok(k) => out[at] = k as f64,
                Err(_) if *unknown == Unknown::Ignore => out[at] = f64::NAN,
                Err(_) => {
                    return Err(format!(
                        "column '{column}': category '{t}' was not seen in training"
                    ))
                }
            },
            (FeatureSpec::Numeric { column, .. }, FeatureValue::Text(t)) => {
                return Err(format!("column '{column}': expected a number, found '{t}'"))
            }
            (
                FeatureSpec::Categorical { column, .. } | FeatureSpec::Ordinal { column, .. },
                FeatureValue::Num(_),
            ) => {
                return Err(format!(
                    "column '{column}': expected a category, found a number"
                ))
            }
        }
        at += spec.width();
    }
    Ok(())
}

/// Gradient-boosted trees trained by `assay train --learner gbdt`, as saved to JSON: the
/// ensemble ([`TreeEnsemble`], evaluated by [`TreeEnsemble::predict`]; learner of
/// [`super::gbdt`], after Friedman 2001, Ke et al. 2017 and Chen & Guestrin 2016), the settings
/// it was trained with and the schema that turns table rows into its features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedGbdt {
    /// Always [`GBDT_FORMAT`].
    pub format: String,
    /// The label column.
    pub label: String,
    /// For binary models, the names of label 0 and label 1 (`["not v", "v"]` with a positive
    /// value `v`); empty for regression.
    pub class_names: Vec<String>,
    /// The label value taken as positive, if one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive: Option<String>,
    /// The sample-weight column used in training, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// The input columns, in feature order.
    pub features: Vec<FeatureSpec>,
    /// The name of every feature (also stored in the ensemble's `feature_names`).
    pub feature_names: Vec<String>,
    /// The settings the ensemble was trained with.
    pub params: GradientBoosting,
    /// The trees.
    pub model: TreeEnsemble,
}

impl TrainedGbdt {
    /// Builds the saved form, deriving the feature names from `features` and storing them in
    /// the ensemble too.
    pub fn new(
        label: String,
        class_names: Vec<String>,
        positive: Option<String>,
        weight: Option<String>,
        features: Vec<FeatureSpec>,
        params: GradientBoosting,
        mut model: TreeEnsemble,
    ) -> Self {
        let feature_names: Vec<String> = features.iter().flat_map(|f| f.feature_names()).collect();
        model.feature_names = Some(feature_names.clone());
        TrainedGbdt {
            format: GBDT_FORMAT.to_string(),
            label,
            class_names,
            positive,
            weight,
            features,
            feature_names,
            params,
            model,
        }
    }

    /// Number of features the encoded rows have.
    pub fn n_features(&self) -> usize {
        self.features.iter().map(FeatureSpec::width).sum()
    }

    /// Encodes one row with [`encode_row`] and this model's feature schema.
    pub fn encode_row(&self, values: &[FeatureValue], out: &mut [f64]) -> Result<(), String> {
        encode_row(&self.features, values, out)
    }

    /// Writes the model as pretty JSON to `path`.
    pub fn save(&self, path: &Path) -> Result<(), LearnError> {
        super::write_json(path, self)
    }

    /// Reads a model written by [`TrainedGbdt::save`] and checks it is consistent (format tag,
    /// every tree valid, schema width equal to the ensemble's features).
    pub fn load(path: &Path) -> Result<TrainedGbdt, LearnError> {
        let name = path.display().to_string();
        let m: TrainedGbdt = super::read_json(path)?;
        let invalid = |message: String| LearnError::Invalid {
            path: name.clone(),
            message,
        };
        if m.format != GBDT_FORMAT {
            return Err(invalid(format!(
                "format is '{}', expected '{GBDT_FORMAT}'",
                m.format
            )));
        }
        m.model.validate().map_err(invalid)?;
        if m.n_features() != m.model.n_features || m.feature_names.len() != m.n_features() {
            return Err(invalid(format!(
                "the schema has {} features and {} feature names, the trees {}",
                m.n_features(),
                m.feature_names.len(),
                m.model.n_features
            )));
        }
        check_categories(&m.features).map_err(invalid)?;
        Ok(m)
    }
}

/// A CART decision tree trained by `assay train --learner tree`, as saved to JSON (`assay.tree/1`):
/// the tree as a one-tree, identity-link [`TreeEnsemble`] whose prediction is `P(class 1)`
/// (learner of [`super::tree`], after Breiman et al. 1984 and scikit-learn's
/// `DecisionTreeClassifier`), the settings it was fitted with and the schema that turns table
/// rows into its features.
///
/// The fields are those of [`TrainedGbdt`] except `params`, so a loader reads both the same way
/// (feature schema, class names, ensemble). It is a distinct format rather than an
/// `assay.gbdt/1` file because `TrainedGbdt::params` is a required [`GradientBoosting`]: a tree
/// saved there would have to claim boosting settings (trees, learning rate, bins) it was not
/// fitted with, and a reader could not tell the two learners apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedTree {
    /// Always [`TREE_FORMAT`].
    pub format: String,
    /// The label column.
    pub label: String,
    /// The names of label 0 and label 1 (`["not v", "v"]` with a positive value `v`).
    pub class_names: Vec<String>,
    /// The label value taken as positive, if one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive: Option<String>,
    /// The sample-weight column used in training, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// The input columns, in feature order.
    pub features: Vec<FeatureSpec>,
    /// The name of every feature (also stored in the ensemble's `feature_names`).
    pub feature_names: Vec<String>,
    /// The settings the tree was fitted with.
    pub params: DecisionTree,
    /// The tree.
    pub model: TreeEnsemble,
}

impl TrainedTree {
    /// Builds the saved form, deriving the feature names from `features` and storing them in
    /// the ensemble too.
    pub fn new(
        label: String,
        class_names: Vec<String>,
        positive: Option<String>,
        weight: Option<String>,
        features: Vec<FeatureSpec>,
        params: DecisionTree,
        mut model: TreeEnsemble,
    ) -> Self {
        let feature_names: Vec<String> = features.iter().flat_map(|f| f.feature_names()).collect();
        model.feature_names = Some(feature_names.clone());
        TrainedTree {
            format: TREE_FORMAT.to_string(),
            label,
            class_names,
            positive,
            weight,
            features,
            feature_names,
            params,
            model,
        }
    }

    /// Number of features the encoded rows have.
    pub fn n_features(&self) -> usize {
        self.features.iter().map(FeatureSpec::width).sum()
    }

    /// Encodes one row with [`encode_row`] and this model's feature schema.
    pub fn encode_row(&self, values: &[FeatureValue], out: &mut [f64]) -> Result<(), String> {
        encode_row(&self.features, values, out)
    }

    /// Writes the model as pretty JSON to `path`.
    pub fn save(&self, path: &Path) -> Result<(), LearnError> {
        super::write_json(path, self)
    }

    /// Reads a model written by [`TrainedTree::save`] and checks it is consistent (format tag,
    /// exactly one valid tree, schema width equal to the ensemble's features, two class names).
    pub fn load(path: &Path) -> Result<TrainedTree, LearnError> {
        let name = path.display().to_string();
        let m: TrainedTree = super::read_json(path)?;
        let invalid = |message: String| LearnError::Invalid {
            path: name.clone(),
            message,
        };
        if m.format != TREE_FORMAT {
            return Err(invalid(format!(
                "format is '{}', expected '{TREE_FORMAT}'",
                m.format
            )));
        }
        m.model.validate().map_err(invalid)?;
        if m.model.trees.len() != 1 {
            return Err(invalid(format!(
                "a decision tree has one tree, found {}",
                m.model.trees.len()
            )));
        }
        if m.n_features() != m.model.n_features || m.feature_names.len() != m.n_features() {
            return Err(invalid(format!(
                "the schema has {} features and {} feature names, the tree {}",
                m.n_features(),
                m.feature_names.len(),
                m.model.n_features
            )));
        }
        if m.class_names.len() != 2 {
            return Err(invalid(format!(
                "{} class names, expected 2",
                m.class_names.len()
            )));
        }
        check_categories(&m.features).map_err(invalid)?;
        Ok(m)
    }
}
