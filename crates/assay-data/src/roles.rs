//! The roles columns play in an assessment: label, prediction, score,
//! sensitive features, sample weight, and how numeric sensitive features are
//! binned. Given on the command line or in a TOML file such as
//!
//! ```toml
//! label = "qualified"
//! prediction = "shortlisted"   # or: score = "score" with threshold = 0.5
//! sensitive = ["gender", "race"]
//! weight = "w"                 # optional
//! positive = "1"               # optional: the positive label/prediction value
//! [bins]
//! age = [25, 45]               # optional: groups <25, [25, 45), >=45
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::bounds::{field_error, Range};
use crate::error::{DataError, Result};

/// Cut points that turn a numeric sensitive feature into ordered groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Binning {
    /// The column binned.
    pub column: String,
    /// Strictly increasing cut points; `k` edges make `k + 1` bins, each
    /// closed on the left: `(-inf, e0)`, `[e0, e1)`, ..., `[e_{k-1}, inf)`.
    pub edges: Vec<f64>,
}

/// An error about the role or option `name`.
fn option(name: &'static str, message: impl Into<String>) -> DataError {
    DataError::Option {
        option: name,
        message: message.into(),
    }
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

impl Binning {
    /// Parses `column=e0,e1,...` as given to `--bins`.
    pub fn parse(spec: &str) -> Result<Binning> {
        let (col, edges) = spec.split_once('=').ok_or_else(|| DataError::Option {
            option: "bins",
            message: format!("'{spec}': expected COLUMN=EDGE,EDGE,... (for example age=25,45)"),
        })?;
        let edges = edges
            .split(',')
            .map(|e| {
                e.trim().parse::<f64>().map_err(|_| DataError::Option {
                    option: "bins",
                    message: format!("'{spec}': '{e}' is not a number"),
                })
            })
            .collect::<Result<Vec<f64>>>()?;
        Binning::new(col.trim(), edges)
    }

    /// Checks that the edges are finite and strictly increasing.
    pub fn new(column: &str, edges: Vec<f64>) -> Result<Binning> {
        if edges.is_empty() {
            return Err(DataError::Config(format!(
                "bins for '{column}': give at least one edge"
            )));
        }
        if edges.iter().any(|e| !e.is_finite()) || edges.windows(2).any(|w| w[0] >= w[1]) {
            return Err(DataError::Config(format!(
                "bins for '{column}': edges must be finite and strictly increasing, got {edges:?}"
            )));
        }
        Ok(Binning {
            column: column.to_string(),
            edges,
        })
    }

    /// The bin index of `x` (0..=edges.len()).
    pub fn bin(&self, x: f64) -> usize {
        self.edges.partition_point(|e| *e <= x)
    }

    /// Human-readable label of bin `i`, such as `<25`, `[25, 45)` or `>=45`.
    /// Labels are prefixed with the bin number so that they sort in order.
    pub fn label(&self, i: usize) -> String {
        let k = self.edges.len();
        if i == 0 {
            format!("<{}", fmt_num(self.edges[0]))
        } else if i == k {
            format!(">={}", fmt_num(self.edges[k - 1]))
        } else {
            format!(
                "[{}, {})",
                fmt_num(self.edges[i - 1]),
                fmt_num(self.edges[i])
            )
        }
    }
}

/// Which column plays which role.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnRoles {
    /// The true outcome (binary).
    pub label: String,
    /// The model's decision (binary); optional when a score and threshold are given.
    pub prediction: Option<String>,
    /// A score (probability or any number).
    pub score: Option<String>,
    /// Turns the score into a prediction: `score >= threshold`.
    pub threshold: Option<f64>,
    /// Sensitive features; several make intersectional groups.
    pub sensitive: Vec<String>,
    /// Optional sample-weight column.
    pub weight: Option<String>,
    /// The positive label/prediction value when it is not 1/true.
    pub positive: Option<String>,
    /// Binning of numeric sensitive features.
    pub bins: Vec<Binning>,
    /// Other outcome columns (a historical decision, a second label, another model's output):
    /// not model inputs, so never scanned as proxies.
    pub outcomes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    label: Option<String>,
    prediction: Option<String>,
    score: Option<String>,
    threshold: Option<f64>,
    #[serde(default)]
    sensitive: Vec<String>,
    weight: Option<String>,
    positive: Option<toml::Value>,
    #[serde(default)]
    bins: BTreeMap<String, Vec<f64>>,
    #[serde(default)]
    outcomes: Vec<String>,
}

impl ColumnRoles {
    /// Reads roles from a TOML file.
    pub fn from_toml_file(path: &Path) -> Result<ColumnRoles> {
        let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let f: RolesFile = toml::from_str(&text)
            .map_err(|e| DataError::Config(format!("{}: {e}", path.display())))?;
        let file = path.display().to_string();
        if let Some(e) = f
            .threshold
            .and_then(|t| field_error(&file, "threshold", t, Range::Finite))
        {
            return Err(DataError::Config(e));
        }
        let bins = f
            .bins
            .into_iter()
            .map(|(c, e)| {
                Binning::new(&c, e).map_err(|e| DataError::Config(format!("{file}: [bins] {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ColumnRoles {
            label: f.label.unwrap_or_default(),
            prediction: f.prediction,
            score: f.score,
            threshold: f.threshold,
            sensitive: f.sensitive,
            weight: f.weight,
            positive: f.positive.map(|v| match v {
                toml::Value::String(s) => s,
                other => other.to_string(),
            }),
            bins,
            outcomes: f.outcomes,
        })
    }

    /// Fills every role unset here from `other` (command-line flags override a file).
    pub fn or(mut self, other: ColumnRoles) -> ColumnRoles {
        if self.label.is_empty() {
            self.label = other.label;
        }
        self.prediction = self.prediction.or(other.prediction);
        self.score = self.score.or(other.score);
        self.threshold = self.threshold.or(other.threshold);
        if self.sensitive.is_empty() {
            self.sensitive = other.sensitive;
        }
        self.weight = self.weight.or(other.weight);
        self.positive = self.positive.or(other.positive);
        if self.outcomes.is_empty() {
            self.outcomes = other.outcomes;
        }
        for b in other.bins {
            if !self.bins.iter().any(|x| x.column == b.column) {
                self.bins.push(b);
            }
        }
        self
    }

    /// Checks that the roles are complete and consistent.
    pub fn validate(&self) -> Result<()> {
        if self.label.is_empty() {
            return Err(option("label", "no label column was named"));
        }
        if self.prediction.is_none() && (self.score.is_none() || self.threshold.is_none()) {
            return Err(option(
                "prediction",
                "no prediction: name a prediction column, or a score column with a threshold",
            ));
        }
        if let Some(e) = self
            .threshold
            .and_then(|t| field_error("roles", "threshold", t, Range::Finite))
        {
            return Err(DataError::Config(e));
        }
        if self.threshold.is_some() && self.score.is_none() {
            return Err(option("threshold", "needs a score column"));
        }
        if self.prediction.is_some() && self.threshold.is_some() {
            return Err(option(
                "prediction",
                "give either a prediction column or a threshold (which derives the prediction from the score), not both",
            ));
        }
        if self.sensitive.is_empty() {
            return Err(option(
                "sensitive",
                "no sensitive feature was named (several may be given)",
            ));
        }
        if self.sensitive.len() > 4 {
            return Err(DataError::Config(format!(
                "{} sensitive features given; at most 4 are supported",
                self.sensitive.len()
            )));
        }
        for (i, s) in self.sensitive.iter().enumerate() {
            if self.sensitive[..i].contains(s) {
                return Err(DataError::Config(format!(
                    "sensitive feature '{s}' given twice"
                )));
            }
        }
        for b in &self.bins {
            if !self.sensitive.contains(&b.column) {
                return Err(option(
                    "bins",
                    format!("'{}' is not a sensitive feature", b.column),
                ));
            }
        }
        Ok(())
    }

    /// The binning of sensitive feature `column`, if any.
    pub fn binning(&self, column: &str) -> Option<&Binning> {
        self.bins.iter().find(|b| b.column == column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_left_closed() {
        let b = Binning::parse("age=25,45").unwrap();
        assert_eq!(b.bin(24.9), 0);
        assert_eq!(b.bin(25.0), 1);
        assert_eq!(b.bin(44.0), 1);
        assert_eq!(b.bin(45.0), 2);
        assert_eq!(b.label(0), "<25");
        assert_eq!(b.label(1), "[25, 45)");
        assert_eq!(b.label(2), ">=45");
        assert!(Binning::parse("age=45,25").is_err());
        assert!(Binning::parse("age").is_err());
    }

    #[test]
    fn validate_requires_prediction_or_threshold() {
        let mut r = ColumnRoles {
            label: "y".into(),
            sensitive: vec!["g".into()],
            ..Default::default()
        };
        assert!(r.validate().is_err());
        r.score = Some("s".into());
        assert!(r.validate().is_err());
        r.threshold = Some(0.5);
        assert!(r.validate().is_ok());
    }
}
