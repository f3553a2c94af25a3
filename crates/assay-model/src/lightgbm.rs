//! Loader for LightGBM text models (`Booster.save_model("m.txt")`, LightGBM 3.x and 4.x).
//!
//! No Rust crate reads this format with the per-node statistics and missing-value bits kept, so
//! the parser is hand-written. The format is LightGBM's own `GBDT::SaveModelToString` /
//! `Tree::ToString` (`src/boosting/gbdt_model_text.cpp`, `src/io/tree.cpp`), documented only by
//! that source:
//!
//! ```text
//! tree
//! version=v4
//! num_class=1
//! num_tree_per_iteration=1
//! max_feature_idx=8
//! objective=binary sigmoid:1
//! feature_names=age fnlwgt ...
//! feature_infos=[17:90] ... -1:0:1:3:4:5:2
//!
//! Tree=0
//! num_leaves=15
//! num_cat=1
//! split_feature=8 2 ...        (num_leaves - 1 internal nodes)
//! threshold=0 12.500000000000002 ...
//! decision_type=1 2 ...        (bit 0 categorical, bit 1 default left, bits 2-3 missing type)
//! left_child=1 3 8 4 -1 ...    (negative: leaf ~v)
//! right_child=...
//! leaf_value=... leaf_weight=... leaf_count=...
//! internal_value=... internal_weight=... internal_count=...
//! cat_boundaries=0 1           (categorical nodes: threshold = index into these)
//! cat_threshold=33             (32-bit bitset words)
//! shrinkage=0.1
//!
//! end of trees
//! ```
//!
//! Internal node `i` becomes node `i` of the [`Tree`], leaf `j` becomes node
//! `num_leaves - 1 + j`. Leaf values already include the shrinkage; the raw score is their sum
//! (no base score: `boost_from_average` is folded into the first tree).

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use crate::error::ModelError;
use crate::tree::{
    Arithmetic, CategorySet, Decision, Link, MissingType, Objective, Source, Tree, TreeEnsemble,
};

/// Loads a LightGBM text model file.
pub fn load(path: impl AsRef<Path>) -> Result<TreeEnsemble, ModelError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
        path: name.clone(),
        source,
    })?;
    parse(&text, &name)
}

/// Parses a LightGBM text model from a string; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<TreeEnsemble, ModelError> {
    let sections = split_sections(text, origin)?;
    let header = &sections[0];
    let unsupported = |message: String| ModelError::Unsupported {
        path: origin.to_string(),
        message,
    };

    let n_class: usize = header.scalar_or("num_class", 1)?;
    let per_iteration: usize = header.scalar_or("num_tree_per_iteration", 1)?;
    if n_class != 1 || per_iteration != 1 {
        return Err(unsupported(format!(
            "multi-class model (num_class = {n_class}, num_tree_per_iteration = {per_iteration})"
        )));
    }
    if header.fields.contains_key("average_output") {
        return Err(unsupported("average_output (random forest mode)".into()));
    }
    let n_features = header.scalar::<usize>("max_feature_idx")? + 1;
    let (objective_line, objective_text) = header.required("objective")?;
    let objective = parse_objective(objective_text).map_err(|message| ModelError::Parse {
        path: origin.to_string(),
        line: objective_line,
        message,
    })?;
    let feature_names = header
        .get("feature_names")
        .map(|(_, v)| v.split_whitespace().map(String::from).collect());
    let categorical_features = match header.get("feature_infos") {
        Some((_, v)) => v
            .split_whitespace()
            .enumerate()
            .filter(|(_, info)| !info.starts_with('[') && *info != "none")
            .map(|(i, _)| i)
            .collect(),
        None => Vec::new(),
    };

    let mut trees = Vec::with_capacity(sections.len() - 1);
    for (k, section) in sections[1..].iter().enumerate() {
        if section.index != Some(k) {
            return Err(section.error(section.line, format!("expected Tree={k}")));
        }
        if section.scalar_or::<u8>("is_linear", 0)? != 0 {
            return Err(unsupported(format!(
                "tree {k} is a linear tree (is_linear=1)"
            )));
        }
        trees.push(parse_tree(section)?);
    }

    let ensemble = TreeEnsemble {
        trees,
        n_features,
        feature_names,
        categorical_features,
        base_score: 0.0,
        objective,
        arithmetic: Arithmetic::F64,
        source: Source::LightGBM {
            version: header
                .get("version")
                .map_or(String::new(), |(_, v)| v.to_string()),
        },
    };
    ensemble.validate().map_err(|message| ModelError::Invalid {
        path: origin.to_string(),
        message,
    })?;
    Ok(ensemble)
}

/// `objective=` line: a name and `key:value` options, e.g. `binary sigmoid:1`.
fn parse_objective(text: &str) -> Result<Objective, String> {
    let mut tokens = text.split_whitespace();
    let name = tokens.next().ok_or("empty objective")?;
    let options: Vec<&str> = tokens.collect();
    let link = match name {
        "binary" => {
            let scale = options
                .iter()
                .find_map(|o| o.strip_prefix("sigmoid:"))
                .map_or(Ok(1.0), |s| {
                    s.parse::<f64>()
                        .map_err(|_| format!("sigmoid \"{s}\" is not a number"))
                })?;
            Link::Logistic { scale }
        }
        "regression" | "regression_l1" | "huber" | "fair" | "quantile" | "mape" => {
            if options.contains(&"sqrt") {
                return Err(format!(
                    "unsupported objective \"{text}\" (sqrt-transformed regression)"
                ));
            }
            Link::Identity
        }
        _ => {
            return Err(format!(
                "unsupported objective \"{text}\" (binary and regression are supported)"
            ))
        }
    };
    Ok(Objective {
        name: text.to_string(),
        link,
    })
}

fn parse_tree(s: &Section) -> Result<Tree, ModelError> {
    let n_leaves: usize = s.scalar("num_leaves")?;
    if n_leaves == 0 {
        return Err(s.error(s.line, "num_leaves is 0".into()));
    }
    let n_int = n_leaves - 1;
    let n = n_int + n_leaves;
    let leaf_value: Vec<f64> = s.array("leaf_value", n_leaves)?;
    let (mut left, mut right, mut split_feature) = (Vec::new(), Vec::new(), Vec::new());
    let (mut threshold, mut decision_type, mut gain, mut internal_value) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    if n_int > 0 {
        left = s.array::<i32>("left_child", n_int)?;
        right = s.array::<i32>("right_child", n_int)?;
        split_feature = s.array::<u32>("split_feature", n_int)?;
        threshold = s.array::<f64>("threshold", n_int)?;
        decision_type = s.array::<i32>("decision_type", n_int)?;
        gain = s.array::<f64>("split_gain", n_int)?;
        internal_value = s.array::<f64>("internal_value", n_int)?;
    }
    let cover = s.node_stats::<f64>("internal_weight", "leaf_weight", n_int, n_leaves)?;
    let count = s.node_stats::<u64>("internal_count", "leaf_count", n_int, n_leaves)?;

    let num_cat: usize = s.scalar_or("num_cat", 0)?;
    let mut category_sets = Vec::with_capacity(num_cat);
    if num_cat > 0 {
        let bounds: Vec<usize> = s.array("cat_boundaries", num_cat + 1)?;
        let (line, _) = s.required("cat_threshold")?;
        let words: Vec<u32> = s.array("cat_threshold", bounds[num_cat])?;
        for k in 0..num_cat {
            let (a, b) = (bounds[k], bounds[k + 1]);
            if a > b {
                return Err(s.error(line, format!("cat_boundaries decrease at {k}")));
            }
            category_sets.push(CategorySet {
                words: words[a..b].to_vec(),
            });
        }
    }

    let child = |c: i32| if c >= 0 { c } else { n_int as i32 + !c };
    let mut tree = Tree {
        left: left
            .iter()
            .map(|&c| child(c))
            .chain(std::iter::repeat_n(-1, n_leaves))
            .collect(),
        right: right
            .iter()
            .map(|&c| child(c))
            .chain(std::iter::repeat_n(-1, n_leaves))
            .collect(),
        split_feature: split_feature
            .iter()
            .copied()
            .chain(std::iter::repeat_n(0, n_leaves))
            .collect(),
        threshold: threshold
            .iter()
            .copied()
            .chain(std::iter::repeat_n(0.0, n_leaves))
            .collect(),
        default_left: Vec::with_capacity(n),
        missing: Vec::with_capacity(n),
        decision: Vec::with_capacity(n),
        category_set: vec![None; n],
        category_sets,
        value: internal_value.into_iter().chain(leaf_value).collect(),
        cover,
        count,
        gain: gain
            .into_iter()
            .chain(std::iter::repeat_n(0.0, n_leaves))
            .collect(),
        shrinkage: s
            .get("shrinkage")
            .map(|_| s.scalar("shrinkage"))
            .transpose()?,
    };
    let (dt_line, _) = s.get("decision_type").unwrap_or((s.line, ""));
    for (i, &dt) in decision_type.iter().enumerate() {
        tree.default_left.push(dt & 2 != 0);
        tree.missing.push(match (dt >> 2) & 3 {
            0 => MissingType::None,
            1 => MissingType::Zero,
            2 => MissingType::NaN,
            _ => {
                return Err(s.error(
                    dt_line,
                    format!("decision_type {dt} of node {i} has missing type 3"),
                ))
            }
        });
        if dt & 1 != 0 {
            let idx = threshold[i];
            if !(idx >= 0.0 && (idx as usize) < num_cat && idx.fract() == 0.0) {
                return Err(s.error(
                    dt_line,
                    format!("categorical node {i} has category index {idx}, num_cat = {num_cat}"),
                ));
            }
            tree.category_set[i] = Some(idx as u32);
            tree.decision.push(Decision::CategoryInSetLeft);
        } else {
            tree.decision.push(Decision::LessEqual);
        }
    }
    for _ in 0..n_leaves {
        tree.default_left.push(false);
        tree.missing.push(MissingType::None);
        tree.decision.push(Decision::Leaf);
    }
    Ok(tree)
}

/// The header (`index == None`) or one `Tree=k` section: its `key=value` lines.
struct Section<'a> {
    origin: &'a str,
    /// Line of the section's first line.
    line: usize,
    index: Option<usize>,
    /// Key → (line, value). Lines without `=` are stored with an empty value.
    fields: HashMap<&'a str, (usize, &'a str)>,
}

impl<'a> Section<'a> {
    fn error(&self, line: usize, message: String) -> ModelError {
        let message = match self.index {
            Some(k) => format!("tree {k}: {message}"),
            None => message,
        };
        ModelError::Parse {
            path: self.origin.to_string(),
            line,
            message,
        }
    }

    fn get(&self, key: &str) -> Option<(usize, &'a str)> {
        self.fields.get(key).copied()
    }

    fn required(&self, key: &str) -> Result<(usize, &'a str), ModelError> {
        self.get(key)
            .ok_or_else(|| self.error(self.line, format!("missing {key}=")))
    }

    fn scalar<T: FromStr>(&self, key: &str) -> Result<T, ModelError> {
        let (line, v) = self.required(key)?;
        v.trim()
            .parse()
            .map_err(|_| self.error(line, format!("{key} \"{v}\" is not a valid number")))
    }

    fn scalar_or<T: FromStr>(&self, key: &str, default: T) -> Result<T, ModelError> {
        match self.get(key) {
            Some(_) => self.scalar(key),
            None => Ok(default),
        }
    }

    fn array<T: FromStr>(&self, key: &str, expected: usize) -> Result<Vec<T>, ModelError> {
        let (line, v) = self.required(key)?;
        let values = v
            .split_whitespace()
            .map(|x| {
                x.parse::<T>()
                    .map_err(|_| self.error(line, format!("{key}: \"{x}\" is not a valid number")))
            })
            .collect::<Result<Vec<T>, _>>()?;
        if values.len() != expected {
            return Err(self.error(
                line,
                format!("{key} has {} values, expected {expected}", values.len()),
            ));
        }
        Ok(values)
    }

    /// Per-node statistics from an internal and a leaf array, or `None` when the file lacks them.
    fn node_stats<T: FromStr>(
        &self,
        internal: &str,
        leaf: &str,
        n_int: usize,
        n_leaves: usize,
    ) -> Result<Option<Vec<T>>, ModelError> {
        let has = |k: &str| self.get(k).is_some_and(|(_, v)| !v.trim().is_empty());
        if !has(leaf) || (n_int > 0 && !has(internal)) {
            return Ok(None);
        }
        let mut out = if n_int > 0 {
            self.array(internal, n_int)?
        } else {
            Vec::new()
        };
        out.extend(self.array(leaf, n_leaves)?);
        Ok(Some(out))
    }
}

/// Splits the text into the header and the tree sections, up to `end of trees`.
fn split_sections<'a>(text: &'a str, origin: &'a str) -> Result<Vec<Section<'a>>, ModelError> {
    let parse_error = |line: usize, message: String| ModelError::Parse {
        path: origin.to_string(),
        line,
        message,
    };
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    match lines.find(|(_, l)| !l.trim().is_empty()) {
        Some((_, "tree")) => {}
        Some((line, other)) => {
            return Err(parse_error(
                line,
                format!("expected \"tree\" (a LightGBM text model), found \"{other}\""),
            ));
        }
        None => return Err(parse_error(1, "empty file".into())),
    }
    let mut sections = vec![Section {
        origin,
        line: 1,
        index: None,
        fields: HashMap::new(),
    }];
    for (line, l) in lines {
        if l == "end of trees" {
            return Ok(sections);
        }
        if l.trim().is_empty() {
            continue;
        }
        let (key, value) = l.split_once('=').unwrap_or((l, ""));
        if key == "Tree" {
            let index = value
                .parse()
                .map_err(|_| parse_error(line, format!("bad tree header \"{l}\"")))?;
            sections.push(Section {
                origin,
                line,
                index: Some(index),
                fields: HashMap::new(),
            });
            continue;
        }
        let section = sections.last_mut().expect("the header section exists");
        if section.fields.insert(key, (line, value)).is_some() {
            return Err(parse_error(
                line,
                format!("{key} appears twice in the section"),
            ));
        }
    }
    Err(parse_error(
        text.lines().count(),
        "file ends before \"end of trees\"".into(),
    ))
}
