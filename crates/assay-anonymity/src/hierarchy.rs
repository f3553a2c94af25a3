//! User-defined generalization hierarchies (Samarati 2001; Sweeney 2002), read from TOML. Each
//! table key is a column; level 0 is the value itself and the top level is always suppression
//! (`*`). Four kinds:
//!
//! ```toml
//! [age]                      # numbers: intervals of growing width (each a multiple of the last)
//! type = "intervals"
//! widths = [5, 10, 20]       # 37 -> [35-40) -> [30-40) -> [20-40) -> *
//! # origin = 0, min = 0, max = 120 (optional; a number outside [min, max] is not covered)
//!
//! [marital-status]           # categories: a tree, one child -> parent map per level
//! type = "tree"
//! levels = [{ "Married-civ-spouse" = "Married", "Divorced" = "Was-married" },
//!           { "Married" = "Ever-married", "Was-married" = "Ever-married" }]
//!
//! [zip]                      # truncation: trailing characters replaced by '*'
//! type = "truncate"
//! drop = [1, 2, 3]           # 13053 -> 1305* -> 130** -> 13***
//!
//! [birth-date]               # ISO dates: YYYY-MM-DD -> YYYY-MM -> YYYY
//! type = "date"
//! levels = ["month", "year"]
//! ```
//!
//! A value a hierarchy does not cover is an error naming the column, the value and the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assay_data::bounds::{field_error, Range};
use serde::Deserialize;

/// An error in a hierarchy file or a value it does not cover.
#[derive(Debug, thiserror::Error)]
pub enum HierarchyError {
    /// The file cannot be read.
    #[error("{path}: cannot read the hierarchy file: {message}")]
    Read {
        /// The hierarchy file.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
    /// The file is not valid hierarchy TOML.
    #[error("{path}: invalid hierarchy file: {message}")]
    Invalid {
        /// The hierarchy file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A value of the data is not covered by its column's hierarchy.
    #[error("{path}: column '{column}': value '{value}' is not covered by the hierarchy ({why})")]
    NotCovered {
        /// The hierarchy file.
        path: PathBuf,
        /// The column.
        column: String,
        /// The value.
        value: String,
        /// Why.
        why: String,
    },
}

/// The hierarchy of one column.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Hierarchy {
    /// Numbers: half-open intervals `[lo-hi)` of the given widths, then `*`.
    Intervals {
        /// Interval width per level (each a multiple of the one before).
        widths: Vec<f64>,
        /// Where intervals start (default 0).
        #[serde(default)]
        origin: f64,
        /// Smallest covered value.
        min: Option<f64>,
        /// Largest covered value.
        max: Option<f64>,
    },
    /// Categories: one child -> parent map per level, then `*`.
    Tree {
        /// Level i+1's map from the values of level i to their parents.
        levels: Vec<BTreeMap<String, String>>,
    },
    /// Text: the last `drop[i]` characters replaced by `*` at level i+1, then `*`.
    Truncate {
        /// Characters replaced per level (increasing).
        drop: Vec<usize>,
    },
    /// ISO dates `YYYY-MM-DD`: `month` (YYYY-MM) and/or `year` (YYYY), then `*`.
    Date {
        /// The levels, in order.
        levels: Vec<String>,
    },
}

/// The hierarchies of a file, by column.
#[derive(Debug, Clone)]
pub struct Hierarchies {
    /// The file (for messages).
    pub path: PathBuf,
    /// Column -> hierarchy.
    pub columns: BTreeMap<String, Hierarchy>,
}

impl Hierarchies {
    /// Reads and validates a hierarchy TOML file.
    pub fn from_path(path: &Path) -> Result<Self, HierarchyError> {
        let text = std::fs::read_to_string(path).map_err(|e| HierarchyError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Self::from_toml(&text, path)
    }

    /// Parses and validates hierarchy TOML; `path` names the file in messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, HierarchyError> {
        let invalid = |message: String| HierarchyError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let columns: BTreeMap<String, Hierarchy> =
            toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        for (col, h) in &columns {
            match h {
                Hierarchy::Intervals {
                    widths,
                    origin,
                    min,
                    max,
                } => {
                    let place = format!("[{col}]");
                    let fields = [("origin", Some(*origin)), ("min", *min), ("max", *max)];
                    for (field, x) in fields {
                        if let Some(e) =
                            x.and_then(|x| field_error(&place, field, x, Range::Finite))
                        {
                            return Err(invalid(e));
                        }
                    }
                    if let (Some(lo), Some(hi)) = (min, max) {
                        if lo > hi {
                            return Err(invalid(format!(
                                "[{col}]: field 'min' ({lo}) is greater than field 'max' ({hi}), so no value is covered"
                            )));
                        }
                    }
                    for (i, w) in widths.iter().enumerate() {
                        if let Some(e) = field_error(&place, "widths", *w, Range::Positive) {
                            return Err(invalid(e));
                        }
                        if i > 0 {
                            let r = w / widths[i - 1];
                            if (r - r.round()).abs() > 1e-9 || r < 1.0 {
                                return Err(invalid(format!(
                                    "[{col}]: width {w} is not a multiple of the width {} before it (the intervals must nest)",
                                    widths[i - 1]
                                )));
                            }
                        }
                    }
                }
                Hierarchy::Tree { levels } => {
                    for i in 1..levels.len() {
                        for parent in levels[i - 1].values() {
                            if !levels[i].contains_key(parent) {
                                return Err(invalid(format!(
                                    "[{col}]: level {} has no parent for '{parent}' of level {i}",
                                    i + 1
                                )));
                            }
                        }
                    }
                }
                Hierarchy::Truncate { drop } => {
                    if drop.windows(2).any(|w| w[1] <= w[0]) || drop.first() == Some(&0) {
                        return Err(invalid(format!(
                            "[{col}]: drop must be positive and increasing"
                        )));
                    }
                }
                Hierarchy::Date { levels } => {
                    let ok = matches!(
                        levels.iter().map(String::as_str).collect::<Vec<_>>()[..],
                        ["month"] | ["year"] | ["month", "year"]
                    );
                    if !ok {
                        return Err(invalid(format!(
                            "[{col}]: date levels must be [\"month\"], [\"year\"] or [\"month\", \"year\"]"
                        )));
                    }
                }
            }
        }
        Ok(Hierarchies {
            path: path.to_path_buf(),
            columns,
        })
    }

    /// The hierarchy of `column`.
    pub fn get(&self, column: &str) -> Option<&Hierarchy> {
        self.columns.get(column)
    }
}

/// Formats a number without a trailing `.0` for integers.
pub fn format_number(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

impl Hierarchy {
    /// The top level (`*`); levels run from 0 (the value) to `height()`.
    pub fn height(&self) -> usize {
        1 + match self {
            Hierarchy::Intervals { widths, .. } => widths.len(),
            Hierarchy::Tree { levels } => levels.len(),
            Hierarchy::Truncate { drop } => drop.len(),
            Hierarchy::Date { levels } => levels.len(),
        }
    }

    /// Whether the hierarchy generalizes numbers into intervals.
    pub fn is_intervals(&self) -> bool {
        matches!(self, Hierarchy::Intervals { .. })
    }

    /// The generalization of `value` at `level`, or why it is not covered.
    pub fn generalize(&self, value: &str, level: usize) -> Result<String, String> {
        let top = level >= self.height();
        match self {
            Hierarchy::Intervals { min, max, .. } => {
                let x: f64 = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|x: &f64| x.is_finite())
                    .ok_or_else(|| "not a number".to_string())?;
                if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                    return Err(format!(
                        "outside [{}, {}]",
                        min.map_or("-inf".into(), format_number),
                        max.map_or("inf".into(), format_number)
                    ));
                }
                if top {
                    return Ok("*".into());
                }
                if level == 0 {
                    return Ok(value.to_string());
                }
                let (lo, hi) = self.interval(x, level).expect("interval level");
                Ok(format!("[{}-{})", format_number(lo), format_number(hi)))
            }
            Hierarchy::Tree { levels } => {
                let mut v = value;
                for (i, map) in levels.iter().enumerate() {
                    match map.get(v) {
                        Some(p) => v = p,
                        None if i == 0 => return Err("not a leaf of the tree".into()),
                        None => return Err(format!("no parent for '{v}' at level {}", i + 1)),
                    }
                    if i + 1 == level {
                        return Ok(v.to_string());
                    }
                }
                Ok(if level == 0 {
                    value.to_string()
                } else {
                    "*".into()
                })
            }
            Hierarchy::Truncate { drop } => {
                if top {
                    return Ok("*".into());
                }
                if level == 0 {
                    return Ok(value.to_string());
                }
                let d = drop[level - 1];
                let chars: Vec<char> = value.chars().collect();
                let keep = chars.len().saturating_sub(d);
                let mut s: String = chars[..keep].iter().collect();
                s.extend(std::iter::repeat_n('*', chars.len() - keep));
                Ok(s)
            }
            Hierarchy::Date { levels } => {
                let v = value.trim();
                let b = v.as_bytes();
                let ok = b.len() == 10
                    && b[4] == b'-'
                    && b[7] == b'-'
                    && b.iter()
                        .enumerate()
                        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
                if !ok {
                    return Err("not an ISO date YYYY-MM-DD".into());
                }
                if top {
                    return Ok("*".into());
                }
                if level == 0 {
                    return Ok(value.to_string());
                }
                Ok(match levels[level - 1].as_str() {
                    "month" => v[..7].to_string(),
                    _ => v[..4].to_string(),
                })
            }
        }
    }

    /// The interval `[lo, hi)` of `x` at `level` (1..height) of an intervals hierarchy.
    pub fn interval(&self, x: f64, level: usize) -> Option<(f64, f64)> {
        match self {
            Hierarchy::Intervals { widths, origin, .. } if level >= 1 && level <= widths.len() => {
                let w = widths[level - 1];
                let lo = ((x - origin) / w).floor() * w + origin;
                Some((lo, lo + w))
            }
            _ => None,
        }
    }

    /// The leaves of a tree hierarchy (the keys of its first level).
    pub fn leaves(&self) -> Option<Vec<&str>> {
        match self {
            Hierarchy::Tree { levels } => Some(
                levels
                    .first()
                    .map_or(Vec::new(), |m| m.keys().map(String::as_str).collect()),
            ),
            _ => None,
        }
    }
}

/// A column generalized at every level of its hierarchy, for the distinct values of the data:
/// `codes[level][value]` is the generalized value's index in `labels[level]`, and
/// `penalty[level][label]` its normalised certainty penalty (Xu et al. 2006): for intervals
/// the interval's width (clipped to the column's range) over the column's range; otherwise
/// (values covered - 1) / (all values - 1), counting a tree's leaves, or the data's distinct
/// values for truncation and dates. The top level (`*`) costs 1.
#[derive(Debug, Clone)]
pub struct ColumnLevels {
    /// Generalized values per level.
    pub labels: Vec<Vec<String>>,
    /// Per level, the generalized value of each distinct data value.
    pub codes: Vec<Vec<u32>>,
    /// Per level, the penalty of each generalized value.
    pub penalty: Vec<Vec<f64>>,
}

impl ColumnLevels {
    /// Generalizes the distinct `values` of `column` with `hierarchy` (from `path`), checking
    /// that every value is covered.
    pub fn new(
        hierarchy: &Hierarchy,
        path: &Path,
        column: &str,
        values: &[String],
    ) -> Result<Self, HierarchyError> {
        let h = hierarchy.height();
        let mut labels = Vec::with_capacity(h + 1);
        let mut codes = Vec::with_capacity(h + 1);
        let mut penalty = Vec::with_capacity(h + 1);
        let numbers: Vec<f64> = if hierarchy.is_intervals() {
            values
                .iter()
                .map(|v| v.trim().parse().unwrap_or(f64::NAN))
                .collect()
        } else {
            Vec::new()
        };
        let (cmin, cmax) = numbers
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let tree_leaves = hierarchy.leaves();
        let domain = tree_leaves.as_ref().map_or(values.len(), Vec::len).max(1);
        for level in 0..=h {
            let mut index: BTreeMap<String, u32> = BTreeMap::new();
            let mut lab: Vec<String> = Vec::new();
            let mut code = Vec::with_capacity(values.len());
            let mut covered: Vec<usize> = Vec::new();
            let mut interval_pen: Vec<f64> = Vec::new();
            for (i, v) in values.iter().enumerate() {
                let g =
                    hierarchy
                        .generalize(v, level)
                        .map_err(|why| HierarchyError::NotCovered {
                            path: path.to_path_buf(),
                            column: column.to_string(),
                            value: v.clone(),
                            why,
                        })?;
                let next = lab.len() as u32;
                let c = *index.entry(g.clone()).or_insert(next);
                if c == next {
                    lab.push(g);
                    covered.push(0);
                    interval_pen.push(
                        match hierarchy.interval(numbers.get(i).copied().unwrap_or(0.0), level) {
                            Some((lo, hi)) if cmax > cmin => {
                                ((hi.min(cmax) - lo.max(cmin)) / (cmax - cmin)).clamp(0.0, 1.0)
                            }
                            _ => 0.0,
                        },
                    );
                }
                covered[c as usize] += 1;
                code.push(c);
            }
            let pen: Vec<f64> = (0..lab.len())
                .map(|c| {
                    if level == 0 {
                        0.0
                    } else if level == h {
                        1.0
                    } else if hierarchy.is_intervals() {
                        interval_pen[c]
                    } else {
                        let n = match &tree_leaves {
                            Some(leaves) => leaves
                                .iter()
                                .filter(|l| {
                                    hierarchy.generalize(l, level).ok().as_deref() == Some(&lab[c])
                                })
                                .count(),
                            None => covered[c],
                        };
                        if domain > 1 {
                            (n.saturating_sub(1)) as f64 / (domain - 1) as f64
                        } else {
                            0.0
                        }
                    }
                })
                .collect();
            labels.push(lab);
            codes.push(code);
            penalty.push(pen);
        }
        Ok(ColumnLevels {
            labels,
            codes,
            penalty,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
[age]
type = "intervals"
widths = [5, 10, 20]
min = 0
max = 120

[ms]
type = "tree"
levels = [{ "Married-civ-spouse" = "Married", "Married-AF-spouse" = "Married", "Divorced" = "Was-married", "Widowed" = "Was-married", "Never-married" = "Never" },
          { "Married" = "Ever", "Was-married" = "Ever", "Never" = "Never" }]

[zip]
type = "truncate"
drop = [1, 2]

[dob]
type = "date"
levels = ["month", "year"]
"#;

    fn h() -> Hierarchies {
        Hierarchies::from_toml(TOML, Path::new("h.toml")).unwrap()
    }

    #[test]
    fn levels_of_each_kind() {
        let h = h();
        let age = h.get("age").unwrap();
        assert_eq!(age.height(), 4);
        let g: Vec<String> = (0..=4).map(|l| age.generalize("37", l).unwrap()).collect();
        assert_eq!(g, ["37", "[35-40)", "[30-40)", "[20-40)", "*"]);
        let ms = h.get("ms").unwrap();
        let g: Vec<String> = (0..=3)
            .map(|l| ms.generalize("Divorced", l).unwrap())
            .collect();
        assert_eq!(g, ["Divorced", "Was-married", "Ever", "*"]);
        let zip = h.get("zip").unwrap();
        let g: Vec<String> = (0..=3)
            .map(|l| zip.generalize("13053", l).unwrap())
            .collect();
        assert_eq!(g, ["13053", "1305*", "130**", "*"]);
        let dob = h.get("dob").unwrap();
        let g: Vec<String> = (0..=3)
            .map(|l| dob.generalize("1980-04-17", l).unwrap())
            .collect();
        assert_eq!(g, ["1980-04-17", "1980-04", "1980", "*"]);
    }

    #[test]
    fn uncovered_values_name_column_value_and_file() {
        let h = h();
        let e = ColumnLevels::new(h.get("ms").unwrap(), &h.path, "ms", &["Separated".into()])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("h.toml") && e.contains("'ms'") && e.contains("'Separated'"),
            "{e}"
        );
        let e = ColumnLevels::new(h.get("age").unwrap(), &h.path, "age", &["130".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("'130'") && e.contains("outside"), "{e}");
        assert!(h.get("dob").unwrap().generalize("17/04/1980", 1).is_err());
    }

    #[test]
    fn invalid_files() {
        let bad = "[a]\ntype = \"intervals\"\nwidths = [5, 7]\n";
        assert!(Hierarchies::from_toml(bad, Path::new("x")).is_err());
        let bad = "[a]\ntype = \"tree\"\nlevels = [{ x = \"p\" }, { q = \"r\" }]\n";
        let e = Hierarchies::from_toml(bad, Path::new("x"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no parent for 'p'"), "{e}");
    }

    #[test]
    fn penalties() {
        let h = h();
        let values: Vec<String> = ["0", "10", "20", "40"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let c = ColumnLevels::new(h.get("age").unwrap(), &h.path, "age", &values).unwrap();
        // level 1: width 5 over a range of 40.
        assert_eq!(c.penalty[1][c.codes[1][0] as usize], 5.0 / 40.0);
        // level 3: [0-20) and [20-40) and [40-60) clipped to 0.
        assert_eq!(c.penalty[3][c.codes[3][1] as usize], 0.5);
        assert_eq!(c.penalty[3][c.codes[3][3] as usize], 0.0);
        assert!(c.penalty[4].iter().all(|&p| p == 1.0));
        let values: Vec<String> = ["Divorced", "Never-married"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let c = ColumnLevels::new(h.get("ms").unwrap(), &h.path, "ms", &values).unwrap();
        // 5 leaves; Was-married covers 2: (2-1)/(5-1); Ever covers 4.
        assert_eq!(c.penalty[1][c.codes[1][0] as usize], 0.25);
        assert_eq!(c.penalty[1][c.codes[1][1] as usize], 0.0);
        assert_eq!(c.penalty[2][c.codes[2][0] as usize], 0.75);
    }
}
