//! Mondrian multidimensional partitioning (LeFevre, DeWitt & Ramakrishnan 2006, "Mondrian
//! multidimensional k-anonymity", ICDE), strict and top-down: a partition is cut at the median
//! of the quasi-identifier with the widest normalised range (range in the partition over range
//! in the table), into the records `<= median` and `> median` (or `< median` and `>= median`,
//! whichever is nearer half), and a cut is allowed only if both halves satisfy every
//! requirement: at least k records, at least l distinct values of each sensitive attribute,
//! and each sensitive attribute's distribution within Earth Mover's Distance t of the table's
//! (the ground distances of [`crate::t_closeness`]). If no quasi-identifier can be cut the
//! partition is an equivalence class.
//!
//! Categorical quasi-identifiers are cut as ordered codes: their values are ordered by their
//! chain of ancestors in the column's tree hierarchy when one is given (so that siblings are
//! neighbours), else by their characters. A class's categorical value is then the lowest common
//! ancestor in the tree, or without a tree the value itself, or `{a|b|...}` for the values of the
//! code range (`*` for all of them). A numeric value is the class's range `[lo-hi]` (the
//! value itself when lo = hi).
//!
//! The cuts work on one array of record indices, cut in place (`select_nth_unstable`
//! and a two-pointer partition); nothing is allocated per record.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::hierarchy::{format_number, Hierarchies, Hierarchy, HierarchyError};
use crate::loss::{self, Loss};

/// An error anonymizing a table.
#[derive(Debug, thiserror::Error)]
pub enum AnonymizeError {
    /// k is below 1 or above the number of records.
    #[error("k = {k} is impossible for a table of {records} records (k must be between 1 and the number of records)")]
    InvalidK {
        /// The k asked for.
        k: u64,
        /// Records in the table.
        records: u64,
    },
    /// The requirements cannot be met even by one class holding the whole table.
    #[error("the requirements cannot be met even with every record in one class: {0}")]
    Unsatisfiable(String),
    /// A hierarchy does not cover a value or is invalid.
    #[error(transparent)]
    Hierarchy(#[from] HierarchyError),
    /// A quasi-identifier that needs a hierarchy has none.
    #[error("no hierarchy for quasi-identifier '{column}'{}", match .path { Some(p) => format!(" in {}", p.display()), None => " (give one with --hierarchies FILE.toml)".to_string() })]
    MissingHierarchy {
        /// The column.
        column: String,
        /// The hierarchy file, if one was given.
        path: Option<PathBuf>,
    },
    /// The generalization lattice is too large to search.
    #[error("the generalization lattice has {0} nodes, more than the 1,000,000 searched")]
    LatticeTooLarge(u128),
    /// A bad argument (columns of different lengths, a bad t or l, ...).
    #[error("{0}")]
    Invalid(String),
}

/// The privacy requirements, all checked together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Criteria {
    /// k-anonymity: at least k records per class.
    pub k: u64,
    /// Distinct l-diversity: at least l distinct values of each sensitive attribute per class.
    pub l: Option<u64>,
    /// t-closeness: every class's distribution of each sensitive attribute within EMD t.
    pub t: Option<f64>,
}

/// A sensitive attribute as codes of its values in ascending order (numerically when every
/// value is a number, equal numbers being one value; else by characters), as
/// [`crate::equivalence`] orders them for t-closeness.
#[derive(Debug, Clone)]
pub struct SensitiveCodes {
    /// Column name.
    pub name: String,
    /// Code of each record's value.
    pub codes: Vec<u32>,
    /// Distinct values.
    pub m: usize,
    /// Whether the attribute is numeric (ordered distance).
    pub numeric: bool,
}

impl SensitiveCodes {
    /// Encodes a column.
    pub fn new(name: &str, values: &[String]) -> Self {
        let mut distinct: Vec<&str> = values.iter().map(String::as_str).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let numbers: Option<Vec<f64>> = distinct
            .iter()
            .map(|v| v.trim().parse::<f64>().ok().filter(|x| !x.is_nan()))
            .collect();
        let numeric = numbers.is_some();
        let mut rank: HashMap<&str, u32> = HashMap::new();
        let m = match numbers {
            Some(x) => {
                let mut order: Vec<usize> = (0..distinct.len()).collect();
                order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
                let mut r = 0u32;
                for (i, &o) in order.iter().enumerate() {
                    if i > 0 && x[o] != x[order[i - 1]] {
                        r += 1;
                    }
                    rank.insert(distinct[o], r);
                }
                if distinct.is_empty() {
                    0
                } else {
                    r as usize + 1
                }
            }
            None => {
                for (i, v) in distinct.iter().enumerate() {
                    rank.insert(v, i as u32);
                }
                distinct.len()
            }
        };
        SensitiveCodes {
            name: name.to_string(),
            codes: values.iter().map(|v| rank[v.as_str()]).collect(),
            m,
            numeric,
        }
    }

    /// The distribution over the values of the given records.
    pub fn distribution(&self, rows: impl Iterator<Item = usize>) -> Vec<f64> {
        let mut h = vec![0u64; self.m];
        let mut n = 0u64;
        for r in rows {
            h[self.codes[r] as usize] += 1;
            n += 1;
        }
        h.iter().map(|&c| c as f64 / n.max(1) as f64).collect()
    }
}

/// Earth Mover's Distance between a class's counts `hist` (of `size` records) and the
/// distribution `p`, in [`crate::t_closeness::t_of`]'s order of operations.
pub fn emd(numeric: bool, hist: &[u64], size: u64, p: &[f64]) -> f64 {
    let m = p.len();
    if numeric {
        if m < 2 {
            return 0.0;
        }
        let (mut cum, mut sum) = (0.0f64, 0.0f64);
        for i in 0..m {
            cum += hist[i] as f64 / size as f64 - p[i];
            sum += cum.abs();
        }
        (1.0 / (m - 1) as f64) * sum
    } else {
        let mut sum = 0.0f64;
        for i in 0..m {
            sum += (hist[i] as f64 / size as f64 - p[i]).abs();
        }
        0.5 * sum
    }
}

/// Checks classes against [`Criteria`] (the table's distributions precomputed).
pub(crate) struct Checker<'a> {
    pub criteria: Criteria,
    pub sensitive: &'a [SensitiveCodes],
    pub global: Vec<Vec<f64>>,
}

impl<'a> Checker<'a> {
    pub fn new(criteria: Criteria, sensitive: &'a [SensitiveCodes], records: usize) -> Self {
        let global = sensitive
            .iter()
            .map(|s| s.distribution(0..records))
            .collect();
        Checker {
            criteria,
            sensitive,
            global,
        }
    }

    /// Whether the l and t requirements hold for one sensitive attribute's class counts.
    pub fn ok_hist(&self, s: usize, hist: &[u64], size: u64, global: &[f64]) -> bool {
        if let Some(l) = self.criteria.l {
            if (hist.iter().filter(|&&c| c > 0).count() as u64) < l {
                return false;
            }
        }
        if let Some(t) = self.criteria.t {
            if emd(self.sensitive[s].numeric, hist, size, global) > t {
                return false;
            }
        }
        true
    }

    /// Whether the records `rows` may form a class.
    pub fn ok_rows(&self, rows: &[u32], hist: &mut Vec<u64>) -> bool {
        let size = rows.len() as u64;
        if size < self.criteria.k {
            return false;
        }
        if self.criteria.l.is_none() && self.criteria.t.is_none() {
            return true;
        }
        for (s, sens) in self.sensitive.iter().enumerate() {
            hist.clear();
            hist.resize(sens.m, 0);
            for &r in rows {
                hist[sens.codes[r as usize] as usize] += 1;
            }
            if !self.ok_hist(s, hist, size, &self.global[s]) {
                return false;
            }
        }
        true
    }
}

/// Checks k against the table and the criteria's ranges.
pub(crate) fn check_criteria(c: &Criteria, records: usize) -> Result<(), AnonymizeError> {
    if c.k < 1 || c.k > records as u64 {
        return Err(AnonymizeError::InvalidK {
            k: c.k,
            records: records as u64,
        });
    }
    if c.l == Some(0) {
        return Err(AnonymizeError::Invalid("l must be at least 1".into()));
    }
    if let Some(t) = c.t {
        if !(0.0..=1.0).contains(&t) {
            return Err(AnonymizeError::Invalid(format!("t = {t} is not in [0, 1]")));
        }
    }
    Ok(())
}

/// An anonymized table: each record's equivalence class (or suppression) and each class's
/// generalized quasi-identifier values.
#[derive(Debug, Clone)]
pub struct Generalization {
    /// Each record's class, `None` when it is suppressed (not released).
    pub class_of: Vec<Option<u32>>,
    /// Per class, the generalized value of each quasi-identifier.
    pub labels: Vec<Vec<String>>,
    /// Records per class.
    pub class_sizes: Vec<u64>,
    /// Information loss.
    pub loss: Loss,
}

impl Generalization {
    /// Builds the result from groups of records with their labels and per-record penalty sum
    /// (over the quasi-identifiers); groups with equal labels are one class.
    pub(crate) fn from_groups(
        records: usize,
        groups: impl Iterator<Item = (Vec<String>, f64, Vec<usize>)>,
        k: u64,
        qis: usize,
    ) -> Self {
        let mut class_of = vec![None; records];
        let mut index: HashMap<Vec<String>, u32> = HashMap::new();
        let mut labels = Vec::new();
        let mut class_sizes = Vec::new();
        let mut penalty = 0.0;
        let mut released = 0usize;
        for (lab, pen, rows) in groups {
            let next = labels.len() as u32;
            let c = *index.entry(lab.clone()).or_insert(next);
            if c == next {
                labels.push(lab);
                class_sizes.push(0u64);
            }
            class_sizes[c as usize] += rows.len() as u64;
            penalty += pen * rows.len() as f64;
            released += rows.len();
            for r in rows {
                class_of[r] = Some(c);
            }
        }
        let suppressed = (records - released) as u64;
        let loss = loss::loss(&class_sizes, suppressed, k, penalty, qis);
        Generalization {
            class_of,
            labels,
            class_sizes,
            loss,
        }
    }
}

/// One quasi-identifier as Mondrian cuts it.
enum Dim<'a> {
    Numeric {
        x: Vec<f64>,
    },
    Categorical {
        x: Vec<f64>,
        values: Vec<String>,
        tree: Option<&'a Hierarchy>,
        leaves: usize,
    },
}

impl Dim<'_> {
    fn x(&self) -> &[f64] {
        match self {
            Dim::Numeric { x } | Dim::Categorical { x, .. } => x,
        }
    }
}

struct Mondrian<'a> {
    dims: Vec<Dim<'a>>,
    span: Vec<f64>,
    checker: Checker<'a>,
}

impl Mondrian<'_> {
    /// Cuts the whole table top-down (an explicit stack rather than recursion, so that no
    /// input can overflow the call stack); returns the final partitions as (offset, length)
    /// ranges of `idx`.
    fn partition(&self, idx: &mut [u32], hist: &mut Vec<u64>) -> Vec<(usize, usize)> {
        let mut leaves = Vec::new();
        let mut stack = vec![(0usize, idx.len())];
        while let Some((o, n)) = stack.pop() {
            match self.cut(&mut idx[o..o + n], hist) {
                Some(c) => {
                    stack.push((o + c, n - c));
                    stack.push((o, c));
                }
                None => leaves.push((o, n)),
            }
        }
        leaves
    }

    /// Cuts one partition in place if some allowed cut exists: the records of the left half
    /// first, and its size returned.
    fn cut(&self, idx: &mut [u32], hist: &mut Vec<u64>) -> Option<usize> {
        let n = idx.len();
        let k = self.checker.criteria.k as usize;
        if n >= 2 * k {
            let mut order: Vec<(f64, usize)> = Vec::with_capacity(self.dims.len());
            for (d, dim) in self.dims.iter().enumerate() {
                let x = dim.x();
                let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                for &r in idx.iter() {
                    let v = x[r as usize];
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
                if hi > lo && self.span[d] > 0.0 {
                    order.push(((hi - lo) / self.span[d], d));
                }
            }
            order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(_, d) in &order {
                let x = self.dims[d].x();
                let mid = n / 2;
                idx.select_nth_unstable_by(mid, |&a, &b| x[a as usize].total_cmp(&x[b as usize]));
                let m = x[idx[mid] as usize];
                let lt = idx.iter().filter(|&&r| x[r as usize] < m).count();
                let le = idx.iter().filter(|&&r| x[r as usize] <= m).count();
                let mut cands = [(le, false), (lt, true)];
                if lt.abs_diff(mid) < le.abs_diff(mid) {
                    cands.swap(0, 1);
                }
                for (c, strict) in cands {
                    if c < k || n - c < k {
                        continue;
                    }
                    // Two-pointer partition: records going left first.
                    let left = |r: u32| {
                        let v = x[r as usize];
                        if strict {
                            v < m
                        } else {
                            v <= m
                        }
                    };
                    let (mut i, mut j) = (0usize, n);
                    while i < j {
                        if left(idx[i]) {
                            i += 1;
                        } else {
                            j -= 1;
                            idx.swap(i, j);
                        }
                    }
                    debug_assert_eq!(i, c);
                    if self.checker.ok_rows(&idx[..c], hist)
                        && self.checker.ok_rows(&idx[c..], hist)
                    {
                        return Some(c);
                    }
                }
            }
        }
        None
    }

    /// The generalized value and penalty of quasi-identifier `d` over `rows`.
    fn label(&self, d: usize, rows: &[u32]) -> (String, f64) {
        let x = self.dims[d].x();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for &r in rows {
            lo = lo.min(x[r as usize]);
            hi = hi.max(x[r as usize]);
        }
        match &self.dims[d] {
            Dim::Numeric { .. } => {
                let s = if lo == hi {
                    format_number(lo)
                } else {
                    format!("[{}-{}]", format_number(lo), format_number(hi))
                };
                (s, loss::numeric_penalty(lo, hi, 0.0, self.span[d]))
            }
            Dim::Categorical {
                values,
                tree,
                leaves,
                ..
            } => {
                let (a, b) = (lo as usize, hi as usize);
                match tree {
                    Some(h) => {
                        let level = (0..=h.height())
                            .find(|&l| {
                                h.generalize(&values[a], l).ok() == h.generalize(&values[b], l).ok()
                            })
                            .unwrap_or(h.height());
                        let anc = h
                            .generalize(&values[a], level)
                            .unwrap_or_else(|_| "*".into());
                        let covered = if level == 0 {
                            1
                        } else {
                            h.leaves()
                                .unwrap_or_default()
                                .iter()
                                .filter(|l| {
                                    h.generalize(l, level).ok().as_deref() == Some(anc.as_str())
                                })
                                .count()
                        };
                        (anc, loss::categorical_penalty(covered, *leaves))
                    }
                    None => {
                        let s = if a == b {
                            values[a].clone()
                        } else if a == 0 && b + 1 == values.len() {
                            "*".to_string()
                        } else {
                            format!("{{{}}}", values[a..=b].join("|"))
                        };
                        (s, loss::categorical_penalty(b - a + 1, *leaves))
                    }
                }
            }
        }
    }
}

/// Anonymizes a table with Mondrian. `qi` are the quasi-identifier columns (name, values),
/// `sensitive` the encoded sensitive attributes (needed for l and t); `hierarchies` gives
/// categorical columns their tree (other kinds are not used by Mondrian; numeric columns are
/// cut by value). No record is suppressed.
pub fn mondrian(
    qi: &[(&str, &[String])],
    sensitive: &[SensitiveCodes],
    criteria: Criteria,
    hierarchies: Option<&Hierarchies>,
) -> Result<Generalization, AnonymizeError> {
    let records = qi.first().map_or(0, |c| c.1.len());
    if qi.is_empty() {
        return Err(AnonymizeError::Invalid("no quasi-identifiers".into()));
    }
    if qi.iter().any(|c| c.1.len() != records) || sensitive.iter().any(|s| s.codes.len() != records)
    {
        return Err(AnonymizeError::Invalid(
            "columns of different lengths".into(),
        ));
    }
    if (criteria.l.is_some() || criteria.t.is_some()) && sensitive.is_empty() {
        return Err(AnonymizeError::Invalid(
            "l and t need a sensitive attribute".into(),
        ));
    }
    check_criteria(&criteria, records)?;
    let mut dims = Vec::with_capacity(qi.len());
    let mut span = Vec::with_capacity(qi.len());
    for &(name, values) in qi {
        let tree = hierarchies
            .and_then(|h| h.get(name))
            .filter(|h| matches!(h, Hierarchy::Tree { .. }));
        let numbers: Option<Vec<f64>> = if tree.is_some() {
            None
        } else {
            values
                .iter()
                .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
                .collect()
        };
        match numbers {
            Some(x) => {
                let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                span.push(hi - lo);
                dims.push(Dim::Numeric { x });
            }
            None => {
                let mut distinct: Vec<&str> = values.iter().map(String::as_str).collect();
                distinct.sort_unstable();
                distinct.dedup();
                let leaves = match tree {
                    Some(h) => {
                        let path = &hierarchies.expect("tree").path;
                        let mut keyed = Vec::with_capacity(distinct.len());
                        for v in &distinct {
                            let mut chain = Vec::new();
                            for l in (0..h.height()).rev() {
                                chain.push(h.generalize(v, l).map_err(|why| {
                                    HierarchyError::NotCovered {
                                        path: path.clone(),
                                        column: name.to_string(),
                                        value: v.to_string(),
                                        why,
                                    }
                                })?);
                            }
                            keyed.push((chain, *v));
                        }
                        keyed.sort();
                        distinct = keyed.into_iter().map(|(_, v)| v).collect();
                        h.leaves().map_or(distinct.len(), |l| l.len())
                    }
                    None => distinct.len(),
                };
                let code: HashMap<&str, usize> =
                    distinct.iter().enumerate().map(|(i, v)| (*v, i)).collect();
                span.push(distinct.len().saturating_sub(1) as f64);
                dims.push(Dim::Categorical {
                    x: values.iter().map(|v| code[v.as_str()] as f64).collect(),
                    values: distinct.iter().map(|s| s.to_string()).collect(),
                    tree,
                    leaves,
                });
            }
        }
    }
    let checker = Checker::new(criteria, sensitive, records);
    let mut hist = Vec::new();
    let mut idx: Vec<u32> = (0..records as u32).collect();
    if !checker.ok_rows(&idx, &mut hist) {
        return Err(AnonymizeError::Unsatisfiable(format!(
            "the table as one class fails k = {}{}{}",
            criteria.k,
            criteria.l.map_or(String::new(), |l| format!(", l = {l}")),
            criteria.t.map_or(String::new(), |t| format!(", t = {t}")),
        )));
    }
    let m = Mondrian {
        dims,
        span,
        checker,
    };
    let leaves = m.partition(&mut idx, &mut hist);
    let groups = leaves.into_iter().map(|(o, n)| {
        let rows = &idx[o..o + n];
        let mut labels = Vec::with_capacity(qi.len());
        let mut pen = 0.0;
        for d in 0..qi.len() {
            let (s, p) = m.label(d, rows);
            labels.push(s);
            pen += p;
        }
        (labels, pen, rows.iter().map(|&r| r as usize).collect())
    });
    Ok(Generalization::from_groups(
        records,
        groups,
        criteria.k,
        qi.len(),
    ))
}
