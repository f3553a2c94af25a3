//! The assessment result: the documented, versioned JSON schema
//! `assay.fairness/1`, rendered by `assay-report` for people and emitted
//! as-is with `--format json`.

use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::intervals::Interval;

/// Schema identifier of [`Assessment`] JSON.
pub const SCHEMA: &str = "assay.fairness/1";

/// A map serialised as a JSON object that keeps insertion order.
#[derive(Debug, Clone, PartialEq)]
pub struct Ordered<V>(pub Vec<(String, V)>);

impl<V> Default for Ordered<V> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<V> Ordered<V> {
    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    /// Appends an entry.
    pub fn push(&mut self, key: impl Into<String>, v: V) {
        self.0.push((key.into(), v));
    }
    /// Iterates over entries.
    pub fn iter(&self) -> impl Iterator<Item = &(String, V)> {
        self.0.iter()
    }
}

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Entries<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered<V>, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((k, v)) = map.next_entry::<String, V>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(Entries(std::marker::PhantomData))
    }
}

impl<V: JsonSchema> JsonSchema for Ordered<V> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Ordered_{}", V::schema_name()).into()
    }

    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let v = g.subschema_for::<V>();
        schemars::json_schema!({
            "description": "A JSON object whose keys keep the order in which assay wrote them",
            "type": "object",
            "additionalProperties": v
        })
    }
}

/// Reads a string that must be one of `allowed`, returning the `'static` one (for fields that
/// hold one of a few names this crate writes).
pub(crate) fn one_of<'de, D: Deserializer<'de>>(
    d: D,
    allowed: &[&'static str],
) -> Result<&'static str, D::Error> {
    let s = String::deserialize(d)?;
    allowed
        .iter()
        .find(|a| **a == s)
        .copied()
        .ok_or_else(|| serde::de::Error::custom(format!("expected one of {allowed:?}, got {s:?}")))
}

/// One of a few names this crate writes, held as `&'static str`. (A type alias, so that
/// serde's derive does not take the field for text borrowed from the input.)
pub type StaticName = &'static str;

/// The names [`WorstGroup::direction`] takes (for its JSON Schema).
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Direction {
    Lowest,
    Highest,
}

fn direction<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    one_of(d, &["lowest", "highest"])
}

/// What was read and how.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct InputSummary {
    /// The data file.
    pub path: String,
    /// Rows read.
    pub rows: u64,
    /// Rows used (read minus dropped).
    pub rows_used: u64,
    /// Rows skipped as invalid (the `drop_invalid` option).
    pub rows_dropped: u64,
    /// Invalid cells by column among dropped rows.
    pub dropped_by_column: Ordered<u64>,
    /// Label column.
    pub label: String,
    /// The positive value named, if any.
    pub positive: Option<String>,
    /// Label values seen.
    pub label_values: Vec<String>,
    /// Prediction column, if given.
    pub prediction: Option<String>,
    /// Score column, if given.
    pub score: Option<String>,
    /// Threshold turning the score into a prediction.
    pub threshold: Option<f64>,
    /// Sensitive features.
    pub sensitive: Vec<String>,
    /// Weight column, if any.
    pub weight: Option<String>,
    /// Whether the score lies in [0, 1] (Brier and ECE are reported only then).
    pub probability_score: bool,
}

/// Settings of the assessment.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Settings {
    /// Confidence level of every interval.
    pub confidence: f64,
    /// Bootstrap replicates (0: no bootstrap intervals).
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Groups with fewer rows are flagged and excluded from disparities.
    pub min_group_size: u64,
    /// Whether small groups are nevertheless included in disparities.
    pub include_small_groups: bool,
    /// Whether the positive prediction is the favourable outcome.
    pub positive_is_favorable: bool,
}

/// Metrics of one group (or of everyone).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct GroupResult {
    /// Feature → value; empty for the overall row.
    pub group: Ordered<String>,
    /// Rows.
    pub count: u64,
    /// Share of rows.
    pub share: f64,
    /// Sum of weights (equals `count` when unweighted).
    pub weight: f64,
    /// Fewer rows than the minimum group size: reported, not trusted.
    pub small: bool,
    /// Whether the group takes part in disparities and worst groups
    /// (not small, or small groups included on request; false for the overall row).
    pub eligible: bool,
    /// Metric key → value (`null` where undefined).
    pub metrics: Ordered<Option<f64>>,
    /// Metric key → confidence interval.
    pub intervals: Ordered<Interval>,
}

/// One disparity figure with its bootstrap interval.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Disparity {
    /// Point estimate (`null` where undefined).
    pub value: Option<f64>,
    /// Bootstrap interval, when computed.
    pub interval: Option<Interval>,
    /// Parity value: 0 for differences, 1 for ratios.
    pub reference: f64,
    /// Whether the interval excludes the parity value: `null` without an interval, and when the
    /// interval has zero width (every bootstrap replicate gave the same value, which zero
    /// counts cause, for example a group without a false positive): such an interval is not
    /// evidence, and the figure is not estimable.
    pub significant: Option<bool>,
    /// The groups the estimate compares: for a difference or ratio between
    /// groups, the group with the highest value and the one with the lowest;
    /// for a comparison to the overall value, the group furthest from it.
    /// The interval is that same comparison's.
    pub between: Vec<Ordered<String>>,
}

/// The worst group for a metric.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct WorstGroup {
    /// The group.
    pub group: Ordered<String>,
    /// Its value.
    pub value: f64,
    /// `lowest` or `highest`.
    #[serde(deserialize_with = "direction")]
    #[schemars(with = "Direction")]
    pub direction: StaticName,
}

/// The four-fifths rule: the lowest group selection rate is at least 80% of the highest.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct FourFifths {
    /// min/max selection rate over groups.
    pub ratio: Option<f64>,
    /// Whether ratio ≥ 0.8.
    pub passes: Option<bool>,
    /// Group with the lowest selection rate.
    pub lowest: Option<Ordered<String>>,
    /// Group with the highest selection rate.
    pub highest: Option<Ordered<String>>,
}

/// A complete fairness assessment.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Assessment {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// assay version that produced it.
    pub assay_version: String,
    /// What the assessment is about: model and data digests and its time (set by the caller
    /// that knows the files, e.g. `assay fairness`; `None` from [`crate::assess`] alone).
    pub provenance: Option<assay_data::provenance::Provenance>,
    /// Input.
    pub input: InputSummary,
    /// Settings.
    pub settings: Settings,
    /// Metrics over all rows.
    pub overall: GroupResult,
    /// Intersectional groups (combinations of all sensitive features).
    pub groups: Vec<GroupResult>,
    /// Each feature's own (marginal) groups.
    pub marginals: Ordered<Vec<GroupResult>>,
    /// Disparities between the intersectional groups.
    pub disparities: Ordered<Disparity>,
    /// Disparities between each feature's marginal groups.
    pub disparities_by_feature: Ordered<Ordered<Disparity>>,
    /// The four-fifths rule on the intersectional groups.
    pub four_fifths: FourFifths,
    /// Metric → worst intersectional group.
    pub worst_groups: Ordered<WorstGroup>,
    /// Where bias may come from.
    pub scan: Option<crate::scan::BiasScan>,
    /// Policy verdict, when a policy was given.
    pub policy: Option<crate::policy::PolicyResult>,
    /// Caveats worth reading.
    pub notes: Vec<String>,
}

impl Assessment {
    /// A disparity by name (`name` or `feature:name`).
    pub fn disparity(&self, name: &str) -> Option<&Disparity> {
        match name.split_once(':') {
            Some((f, n)) => self.disparities_by_feature.get(f)?.get(n),
            None => self.disparities.get(name),
        }
    }
}
