//! `assay mia --model FILE`: a target model saved by `assay train` (assay.logistic/1 or
//! assay.gbdt/1), with its feature encoding and the settings the shadow models reuse.

use std::path::Path;

use assay_core::models::{self, Trained};
use assay_model::learners::{FeatureSpec, TrainedGbdt, TrainedLogistic};

use super::MiaLearner;
use assay_core::mia::learner::{Fitted, Spec};

/// A saved binary model.
pub enum Saved {
    Logistic(TrainedLogistic),
    Gbdt(TrainedGbdt),
}

/// Loads `path` as assay.gbdt/1 or assay.logistic/1 (binary), through
/// [`assay_core::models::trained`].
pub fn load(path: &Path) -> Result<Saved, String> {
    let not_binary_assay = |why: String| {
        format!(
            "{}: not an assay.gbdt/1 or assay.logistic/1 model saved by `assay train` ({why})",
            path.display()
        )
    };
    match models::trained(path) {
        Ok(Trained::Gbdt(m)) => Ok(Saved::Gbdt(m)),
        Ok(Trained::Logistic(m)) if m.model.coef.len() == 1 => Ok(Saved::Logistic(m)),
        Ok(Trained::Logistic(_)) => Err(format!(
            "{}: a multinomial logistic regression; assay mia audits binary models",
            path.display()
        )),
        Ok(Trained::Tree(_)) => Err(not_binary_assay(
            "a decision tree: audit it by training with --learner".into(),
        )),
        Err(e) => Err(not_binary_assay(e.to_string())),
    }
}

impl Saved {
    /// The label column and positive value.
    pub fn label(&self) -> (&str, Option<&str>) {
        match self {
            Saved::Logistic(m) => (&m.label, m.positive.as_deref()),
            Saved::Gbdt(m) => (&m.label, m.positive.as_deref()),
        }
    }

    /// The feature encoding and the class names.
    pub fn encoding(&self) -> (&[FeatureSpec], &[String]) {
        match self {
            Saved::Logistic(m) => (&m.features, &m.class_names),
            Saved::Gbdt(m) => (&m.features, &m.class_names),
        }
    }

    /// The learner that trained it.
    pub fn learner(&self) -> MiaLearner {
        match self {
            Saved::Logistic(_) => MiaLearner::Logistic,
            Saved::Gbdt(_) => MiaLearner::Gbdt,
        }
    }

    /// The schema name.
    pub fn kind(&self) -> &'static str {
        match self {
            Saved::Logistic(_) => "assay.logistic/1",
            Saved::Gbdt(_) => "assay.gbdt/1",
        }
    }

    /// Shadow models with the saved settings.
    #[allow(clippy::type_complexity)]
    pub fn spec(&self) -> (Spec, String, Vec<(String, String)>) {
        match self {
            Saved::Logistic(m) => {
                let p = m.model.params;
                (
                    Spec::Logistic(p),
                    String::new(),
                    vec![(
                        "learner".into(),
                        format!("logistic, C = {} (the model's settings)", p.c),
                    )],
                )
            }
            Saved::Gbdt(m) => {
                let p = m.params;
                (
                    Spec::Gbdt(p),
                    String::new(),
                    vec![(
                        "learner".into(),
                        format!(
                            "gbdt, {} trees, learning rate {}, depth {}, leaves {}, min rows per leaf {}, lambda {} (the model's settings)",
                            p.n_trees,
                            p.learning_rate,
                            p.max_depth.map_or("unlimited".into(), |d| d.to_string()),
                            p.max_leaves.map_or("unlimited".into(), |d| d.to_string()),
                            p.min_samples_leaf,
                            p.lambda
                        ),
                    )],
                )
            }
        }
    }

    /// The fitted model.
    pub fn into_fitted(self) -> Fitted {
        match self {
            Saved::Logistic(m) => Fitted::Logistic(m.model),
            Saved::Gbdt(m) => Fitted::Gbdt(m.model),
        }
    }
}
