//! Policy gates: thresholds a CI pipeline can fail on.
//!
//! ```toml
//! # Every rule names a disparity (or `FEATURE:disparity` for one feature's
//! # marginal groups, or `overall.METRIC`) and a `min` and/or `max` bound.
//! on_interval = false          # default for the rules below
//!
//! [[rule]]
//! metric = "disparate_impact_ratio"
//! min = 0.8
//!
//! [[rule]]
//! metric = "equalized_odds_difference"
//! max = 0.1
//! on_interval = true           # the whole confidence interval must be within the bound
//! ```

use std::path::Path;

use assay_data::bounds::{field_error, Range};
use serde::{Deserialize, Serialize};

use crate::intervals::Interval;
use crate::model::Assessment;

/// Longest metric name a rule may give (issue #15: names of megabytes were accepted, and
/// copied into every message and report).
pub const MAX_METRIC_NAME: usize = 256;

/// A policy: a list of rules.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Default for rules that do not set `on_interval`.
    #[serde(default)]
    pub on_interval: bool,
    /// The rules.
    #[serde(rename = "rule", default)]
    pub rules: Vec<Rule>,
}

/// One bound on one figure.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A disparity key, `FEATURE:disparity`, or `overall.METRIC`.
    pub metric: String,
    /// Lower bound (inclusive).
    pub min: Option<f64>,
    /// Upper bound (inclusive).
    pub max: Option<f64>,
    /// Require the bound on the confidence interval, not only the estimate.
    pub on_interval: Option<bool>,
}

/// The verdict on one rule.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuleResult {
    /// The figure checked.
    pub metric: String,
    /// The bound, e.g. `>= 0.8`.
    pub bound: String,
    /// The point estimate.
    pub value: Option<f64>,
    /// The interval, when one exists.
    pub interval: Option<Interval>,
    /// Whether the bound had to hold on the interval.
    pub on_interval: bool,
    /// Whether the rule holds.
    pub passed: bool,
    /// Why it failed, in words.
    pub message: Option<String>,
}

/// The verdict on a policy.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PolicyResult {
    /// The policy file.
    pub path: String,
    /// Whether every rule holds.
    pub passed: bool,
    /// Number of rules that do not hold.
    pub violations: usize,
    /// Verdict per rule.
    pub rules: Vec<RuleResult>,
}

impl Policy {
    /// Reads and checks a policy file.
    pub fn from_file(path: &Path) -> Result<Policy, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read policy: {e}", path.display()))?;
        let p: Policy = toml::from_str(&text)
            .map_err(|e| format!("{}: invalid policy: {e}", path.display()))?;
        if p.rules.is_empty() {
            return Err(format!("{}: the policy has no [[rule]]", path.display()));
        }
        p.validate(&path.display().to_string())?;
        Ok(p)
    }

    /// Checks every rule: a bound is given, each bound is a finite number, and `min <= max`.
    /// Errors name the file, the rule (number and metric) and the field.
    pub fn validate(&self, path: &str) -> Result<(), String> {
        for (i, r) in self.rules.iter().enumerate() {
            if r.metric.len() > MAX_METRIC_NAME {
                return Err(format!(
                    "{path}: rule {}: field 'metric' is {} bytes long, above the cap of {MAX_METRIC_NAME} (no figure has such a name)",
                    i + 1,
                    r.metric.len()
                ));
            }
            let place = format!("{path}: rule {} ('{}')", i + 1, r.metric);
            if r.min.is_none() && r.max.is_none() {
                return Err(format!("{place}: has neither min nor max"));
            }
            for (field, value) in [("min", r.min), ("max", r.max)] {
                if let Some(e) = value.and_then(|x| field_error(&place, field, x, Range::Finite)) {
                    return Err(e);
                }
            }
            if let (Some(lo), Some(hi)) = (r.min, r.max) {
                if lo > hi {
                    return Err(format!(
                        "{place}: field 'min' ({lo}) is greater than field 'max' ({hi}); no value could pass"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Checks every rule against an assessment. Unknown figure names are
    /// reported as failures (a typo must not pass a gate silently).
    pub fn evaluate(&self, a: &Assessment, path: &str) -> PolicyResult {
        let rules: Vec<RuleResult> = self.rules.iter().map(|r| self.check(r, a)).collect();
        let violations = rules.iter().filter(|r| !r.passed).count();
        PolicyResult {
            path: path.to_string(),
            passed: violations == 0,
            violations,
            rules,
        }
    }

    fn check(&self, r: &Rule, a: &Assessment) -> RuleResult {
        let on_interval = r.on_interval.unwrap_or(self.on_interval);
        let mut bound = Vec::new();
        if let Some(m) = r.min {
            bound.push(format!(">= {m}"));
        }
        if let Some(m) = r.max {
            bound.push(format!("<= {m}"));
        }
        let mut res = RuleResult {
            metric: r.metric.clone(),
            bound: bound.join(" and "),
            value: None,
            interval: None,
            on_interval,
            passed: false,
            message: None,
        };
        let found = if let Some(m) = r.metric.strip_prefix("overall.") {
            a.overall
                .metrics
                .get(m)
                .map(|v| (*v, a.overall.intervals.get(m).copied()))
        } else {
            a.disparity(&r.metric).map(|d| (d.value, d.interval))
        };
        let Some((value, interval)) = found else {
            res.message = Some(format!("unknown figure '{}'", r.metric));
            return res;
        };
        res.value = value;
        res.interval = interval;
        let Some(v) = value else {
            res.message = Some("undefined in this data".into());
            return res;
        };
        let (lo, hi) = if on_interval {
            match interval {
                Some(i) => (i.lower, i.upper),
                None => {
                    res.message = Some("no confidence interval to check (bootstrap disabled or too few defined replicates)".into());
                    return res;
                }
            }
        } else {
            (v, v)
        };
        let mut why = Vec::new();
        // Written so that a NaN anywhere fails the rule (a comparison with NaN is false).
        if let Some(m) = r.min {
            let holds = lo >= m;
            if !holds {
                why.push(if on_interval {
                    format!("lower bound {lo:.4} < {m}")
                } else {
                    format!("{lo:.4} < {m}")
                });
            }
        }
        if let Some(m) = r.max {
            let holds = hi <= m;
            if !holds {
                why.push(if on_interval {
                    format!("upper bound {hi:.4} > {m}")
                } else {
                    format!("{hi:.4} > {m}")
                });
            }
        }
        res.passed = why.is_empty();
        if !why.is_empty() {
            res.message = Some(why.join("; "));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Policy, String> {
        let p: Policy = toml::from_str(text).map_err(|e| e.to_string())?;
        p.validate("p.toml").map(|_| p)
    }

    #[test]
    fn bounds_must_be_finite_and_ordered() {
        let rule = |b: &str| format!("[[rule]]\nmetric = \"m\"\n{b}\n");
        assert!(parse(&rule("min = 0.8")).is_ok());
        assert!(parse(&rule("min = -0.1\nmax = 0.1")).is_ok());
        for (b, want) in [
            ("min = nan", "p.toml: rule 1 ('m'): field 'min' is NaN"),
            ("max = +inf", "p.toml: rule 1 ('m'): field 'max' is inf"),
            (
                "min = 1\nmax = 0",
                "field 'min' (1) is greater than field 'max' (0)",
            ),
            (
                "on_interval = true",
                "p.toml: rule 1 ('m'): has neither min nor max",
            ),
        ] {
            let e = parse(&rule(b)).unwrap_err();
            assert!(e.contains(want), "{b}: {e}");
        }
    }
}
