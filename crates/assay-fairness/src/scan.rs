//! The data scan of a fairness audit: *where bias comes from*.
//!
//! For every scanned (non-role) column of the input, [`ScanAccumulator`] counts
//!
//! * **missing values by sensitive group**: a column that is missing far more
//!   often for one group than another is a common source of disparity
//!   (imputation then treats that group differently);
//! * **proxy strength**: how strongly the column predicts each sensitive
//!   feature, so that a column such as zip code standing in for race is flagged
//!   even when the sensitive feature itself is not a model input.
//!
//! Proxy strength is computed from the contingency table of *column category* ×
//! *sensitive feature value* over the valid rows where the column is not
//! missing, with two standard measures of association:
//!
//! * **Cramér's V** (H. Cramér, *Mathematical Methods of Statistics*, 1946,
//!   §21.9), uncorrected: `V = sqrt(chi2 / (n * (min(r, c) - 1)))` where `chi2`
//!   is Pearson's chi-squared statistic of the `r × c` table and `n` its total,
//!   as `scipy.stats.contingency.association(table, method="cramer",
//!   correction=False)`. See [`cramers_v`].
//! * **Normalised mutual information** with scikit-learn's default arithmetic
//!   normalisation, `NMI = MI(X; Y) / mean(H(X), H(Y))` with natural logarithms,
//!   as `sklearn.metrics.normalized_mutual_info_score` (scikit-learn user guide,
//!   "Mutual Information based scores"). See [`normalized_mutual_info`].
//!
//! Both are 0 for a column independent of the feature and 1 for a column that
//! determines it exactly (a perfect proxy, with as many categories as values).
//!
//! # Categories
//!
//! A column's kind is decided from the first batch in which it has a
//! non-missing value among the valid rows:
//!
//! * **numeric** if it has an Arrow numeric (or temporal) type, or if it is text
//!   and every non-missing cell of that batch parses as a number (CSV input
//!   arrives as text). Values are binned into up to [`NUMERIC_BINS`]
//!   equal-frequency bins whose edges are the deciles of that first batch's
//!   values (numpy's default linear quantiles, equal edges merged). A value `v`
//!   falls in bin `#{edges e : e < v}`, i.e. the bins are right-closed
//!   intervals, as `numpy.searchsorted(edges, v, side="left")`. Text cells of a
//!   numeric column that do not parse in later batches are counted in one extra
//!   "non-numeric" category instead of failing the audit.
//! * **categorical** otherwise: each distinct value is a category, up to
//!   [`MAX_CATEGORIES`]. When more distinct values appear the column becomes
//!   **high_cardinality**: its contingency tables are dropped and its proxy
//!   measures are `None`, but missing values are still counted.
//!
//! Missing means a null cell, a NaN float or an empty string.
//!
//! # Cost
//!
//! Each batch is processed column by column (in parallel with rayon): the
//! column is first mapped to a buffer of category indices (numbers are
//! converted into a reused `f64` buffer and binned by binary search; text is
//! hashed with ahash into the column's own map, and a `String` is allocated only
//! the first time a value is seen; dictionary arrays resolve each dictionary
//! entry once per batch), and then the category and the sensitive codes of each
//! row are counted in dense tables. No allocation happens per row.

use std::collections::HashMap;
use std::fmt::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, DurationMicrosecondType, DurationMillisecondType,
    DurationNanosecondType, DurationSecondType, Float16Type, Float32Type, Float64Type, Int16Type,
    Int32Type, Int64Type, Int8Type, Time32MillisecondType, Time32SecondType, Time64MicrosecondType,
    Time64NanosecondType, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{
    Array, ArrowPrimitiveType, BooleanArray, LargeStringArray, PrimitiveArray, RecordBatch,
    StringArray, StringViewArray,
};
use arrow_schema::{DataType, TimeUnit};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Most distinct values a categorical column may have before it is treated as
/// [`ColumnKind::HighCardinality`] (its proxy strength is then not computed).
pub const MAX_CATEGORIES: usize = 1000;

/// Number of equal-frequency bins numeric columns are cut into (before equal
/// decile edges are merged).
pub const NUMERIC_BINS: usize = 10;

/// Share of a categorical column's rows with distinct values from which it is treated as an
/// identifier ([`ColumnScan::identifier_like`]).
pub const IDENTIFIER_UNIQUE_SHARE: f64 = 0.9;

/// Category index of a missing cell.
const MISSING: u32 = u32::MAX;
/// Row excluded by the `valid` mask.
const SKIP: u32 = u32::MAX - 1;
/// A non-missing cell whose category is not tracked (high cardinality).
const PRESENT: u32 = u32::MAX - 2;
/// Dictionary entry not yet resolved in this batch.
const UNSET: u32 = u32::MAX - 3;

/// The result of the data scan: one entry per scanned column, strongest proxy
/// first (by the largest Cramér's V over the sensitive features), columns
/// without a proxy measure next and high-cardinality columns last.
#[derive(Serialize, Deserialize, schemars::JsonSchema, Clone, Debug)]
pub struct BiasScan {
    /// Per-column results, sorted as described above.
    pub columns: Vec<ColumnScan>,
}

/// How a column was categorised for the contingency tables.
#[derive(Serialize, Deserialize, schemars::JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Numbers, cut into up to [`NUMERIC_BINS`] equal-frequency bins (deciles of
    /// the first batch with values), plus a "non-numeric" category for text
    /// cells that later fail to parse.
    Numeric,
    /// Each distinct value is a category (at most [`MAX_CATEGORIES`]). Also used
    /// for a column that never had a non-missing value.
    Categorical,
    /// More than [`MAX_CATEGORIES`] distinct values: only missing values are
    /// counted and the proxy measures are `None`.
    HighCardinality,
}

/// Missing values of one column within one sensitive group.
#[derive(Serialize, Deserialize, schemars::JsonSchema, Clone, Debug)]
pub struct MissingByGroup {
    /// Sensitive feature name.
    pub feature: String,
    /// The group's value of that feature.
    pub value: String,
    /// Valid rows in the group.
    pub rows: u64,
    /// Of those, rows where the column is missing (null, NaN or empty string).
    pub missing: u64,
    /// `missing / rows`.
    pub share: f64,
}

/// How strongly a column predicts one sensitive feature.
#[derive(Serialize, Deserialize, schemars::JsonSchema, Clone, Debug)]
pub struct ProxyStrength {
    /// Sensitive feature name.
    pub feature: String,
    /// Uncorrected Cramér's V (Cramér 1946) of the column-category × feature-value
    /// table, `sqrt(chi2 / (n * (min(r, c) - 1)))`, as scipy's
    /// `association(method="cramer", correction=False)`. `None` when the table has
    /// fewer than two non-empty rows or columns (scipy divides 0 by 0), when no
    /// row has a value, and for high-cardinality columns.
    pub cramers_v: Option<f64>,
    /// Normalised mutual information `MI / mean(H(column), H(feature))` (natural
    /// logs), as sklearn's `normalized_mutual_info_score` with its default
    /// arithmetic normalisation: 1.0 when both sides are constant, 0.0 when only
    /// one is. `None` when no row has a value and for high-cardinality columns.
    pub nmi: Option<f64>,
    /// Bias-corrected Cramér's V (Bergsma 2013; [`cramers_v_corrected`]): the uncorrected V
    /// grows with the number of categories even for an unrelated column (a column unique per
    /// row has V = 1 against anything), the corrected one does not. Proxies are ranked and
    /// judged by it. `None` where the uncorrected V is, or where the corrected table has no
    /// degrees of freedom left.
    #[serde(default)]
    pub cramers_v_corrected: Option<f64>,
}

/// The scan of one column.
#[derive(Serialize, Deserialize, schemars::JsonSchema, Clone, Debug)]
pub struct ColumnScan {
    /// Column name.
    pub column: String,
    /// How the column was categorised.
    pub kind: ColumnKind,
    /// Valid rows seen.
    pub rows: u64,
    /// Of those, rows where the column is missing (null, NaN or empty string).
    pub missing: u64,
    /// Missing values for every (sensitive feature, value) group with rows, in
    /// feature order then code order.
    pub missing_by_group: Vec<MissingByGroup>,
    /// Proxy strength for each sensitive feature, in feature order.
    pub proxies: Vec<ProxyStrength>,
    /// Why the column looks like an identifier rather than a feature, if it does: "unique in
    /// N% of rows" (a categorical column with a distinct value in at least
    /// [`IDENTIFIER_UNIQUE_SHARE`] of its rows), "an increasing integer sequence" (a row
    /// number), or what its name announces ("a record identifier", "a surname"). Such a column
    /// is listed last and never reported as a proxy: its association with a sensitive feature
    /// is an artefact of its uniqueness, and a model should not use it at all.
    #[serde(default)]
    pub identifier_like: Option<String>,
    /// Distinct non-missing values seen (categorical; [`MAX_CATEGORIES`]` + 1`
    /// for high-cardinality columns, meaning "more than the cap"), or the number
    /// of non-empty categories (bins plus "non-numeric") for numeric columns.
    pub distinct: u64,
}

/// Streaming accumulator for the data scan, fed the same record batches as the
/// fairness pass. See the [module documentation](self) for the definitions.
pub struct ScanAccumulator {
    features: Vec<String>,
    /// Valid rows per feature code, `[feature][code]` (the same for every column).
    group_rows: Vec<Vec<u64>>,
    /// Number of codes seen per feature (max code + 1).
    ncodes: Vec<usize>,
    columns: Vec<ColumnState>,
}

type TextMap = HashMap<Box<str>, u32, ahash::RandomState>;

enum Kind {
    /// No non-missing value seen yet.
    Undecided,
    /// Bin edges (sorted, distinct); categories `0..=edges.len()` are bins and
    /// `edges.len() + 1` is "non-numeric".
    Numeric {
        edges: Vec<f64>,
    },
    Categorical {
        map: TextMap,
    },
    HighCardinality,
}

impl Kind {
    fn categories(&self) -> usize {
        match self {
            Kind::Numeric { edges } => edges.len() + 2,
            Kind::Categorical { map } => map.len(),
            Kind::Undecided | Kind::HighCardinality => 0,
        }
    }
}

struct ColumnState {
    name: String,
    kind: Kind,
    rows: u64,
    missing: u64,
    /// `[feature][code]`.
    group_missing: Vec<Vec<u64>>,
    /// Contingency tables `[feature][code][category]`.
    tables: Vec<Vec<Vec<u64>>>,
    /// Non-missing valid rows per category.
    cat_counts: Vec<u64>,
    /// Numeric: every non-missing value so far an integer above the previous one.
    increasing: bool,
    /// The last value of that sequence.
    last: f64,
    // Reused buffers.
    slots: Vec<u32>,
    nums: Vec<f64>,
    keys: Vec<usize>,
    dict_slots: Vec<u32>,
    text: String,
}

/// One non-missing-or-missing cell, borrowed from the batch.
#[derive(Clone, Copy)]
enum Cell<'a> {
    Missing,
    Num(f64),
    Text(&'a str),
    Bool(bool),
}

enum Text<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

/// The values of a column (or of a dictionary's value array).
enum Leaf<'a> {
    Null,
    /// Numbers converted to f64, NaN for null.
    Num(&'a [f64]),
    Text(Text<'a>),
    Bool(&'a BooleanArray),
}

impl Leaf<'_> {
    #[inline]
    fn cell(&self, j: usize) -> Cell<'_> {
        match self {
            Leaf::Null => Cell::Missing,
            Leaf::Num(v) => {
                let x = v[j];
                if x.is_nan() {
                    Cell::Missing
                } else {
                    Cell::Num(x)
                }
            }
            Leaf::Text(t) => {
                let s = match t {
                    Text::Utf8(a) => (!a.is_null(j)).then(|| a.value(j)),
                    Text::Large(a) => (!a.is_null(j)).then(|| a.value(j)),
                    Text::View(a) => (!a.is_null(j)).then(|| a.value(j)),
                };
                match s {
                    Some(s) if !s.is_empty() => Cell::Text(s),
                    _ => Cell::Missing,
                }
            }
            Leaf::Bool(b) => {
                if b.is_null(j) {
                    Cell::Missing
                } else {
                    Cell::Bool(b.value(j))
                }
            }
        }
    }
}

fn fill<T: ArrowPrimitiveType>(
    nums: &mut Vec<f64>,
    arr: &PrimitiveArray<T>,
    f: impl Fn(T::Native) -> f64,
) {
    nums.clear();
    nums.extend(arr.values().iter().map(|&v| f(v)));
    if let Some(nulls) = arr.nulls() {
        if nulls.null_count() > 0 {
            for (x, ok) in nums.iter_mut().zip(nulls.iter()) {
                if !ok {
                    *x = f64::NAN;
                }
            }
        }
    }
}

/// Views a non-dictionary array as a [`Leaf`], converting numbers into `nums`.
fn leaf<'a>(arr: &'a dyn Array, nums: &'a mut Vec<f64>, column: &str) -> Result<Leaf<'a>, String> {
    macro_rules! prim {
        ($t:ty) => {{
            fill(nums, arr.as_primitive::<$t>(), |v| v as f64);
            Leaf::Num(nums)
        }};
    }
    Ok(match arr.data_type() {
        DataType::Null => Leaf::Null,
        DataType::Boolean => Leaf::Bool(arr.as_boolean()),
        DataType::Utf8 => Leaf::Text(Text::Utf8(arr.as_string::<i32>())),
        DataType::LargeUtf8 => Leaf::Text(Text::Large(arr.as_string::<i64>())),
        DataType::Utf8View => Leaf::Text(Text::View(arr.as_string_view())),
        DataType::Int8 => prim!(Int8Type),
        DataType::Int16 => prim!(Int16Type),
        DataType::Int32 => prim!(Int32Type),
        DataType::Int64 => prim!(Int64Type),
        DataType::UInt8 => prim!(UInt8Type),
        DataType::UInt16 => prim!(UInt16Type),
        DataType::UInt32 => prim!(UInt32Type),
        DataType::UInt64 => prim!(UInt64Type),
        DataType::Float16 => {
            fill(nums, arr.as_primitive::<Float16Type>(), |v| v.to_f64());
            Leaf::Num(nums)
        }
        DataType::Float32 => prim!(Float32Type),
        DataType::Float64 => prim!(Float64Type),
        DataType::Decimal128(_, scale) => {
            let div = 10f64.powi(i32::from(*scale));
            fill(nums, arr.as_primitive::<Decimal128Type>(), |v| {
                v as f64 / div
            });
            Leaf::Num(nums)
        }
        DataType::Date32 => prim!(Date32Type),
        DataType::Date64 => prim!(Date64Type),
        DataType::Time32(TimeUnit::Second) => prim!(Time32SecondType),
        DataType::Time32(TimeUnit::Millisecond) => prim!(Time32MillisecondType),
        DataType::Time64(TimeUnit::Microsecond) => prim!(Time64MicrosecondType),
        DataType::Time64(TimeUnit::Nanosecond) => prim!(Time64NanosecondType),
        DataType::Timestamp(TimeUnit::Second, _) => prim!(TimestampSecondType),
        DataType::Timestamp(TimeUnit::Millisecond, _) => prim!(TimestampMillisecondType),
        DataType::Timestamp(TimeUnit::Microsecond, _) => prim!(TimestampMicrosecondType),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => prim!(TimestampNanosecondType),
        DataType::Duration(TimeUnit::Second) => prim!(DurationSecondType),
        DataType::Duration(TimeUnit::Millisecond) => prim!(DurationMillisecondType),
        DataType::Duration(TimeUnit::Microsecond) => prim!(DurationMicrosecondType),
        DataType::Duration(TimeUnit::Nanosecond) => prim!(DurationNanosecondType),
        other => {
            return Err(format!(
                "bias scan: column '{column}' has type {other}, which the scan does not support \
                 (use text, numbers, booleans or a dictionary of text)"
            ))
        }
    })
}

/// Fills `out` with the dictionary keys of `keys` as indices, `usize::MAX` for null.
fn dict_keys(keys: &dyn Array, out: &mut Vec<usize>, column: &str) -> Result<(), String> {
    fn go<K: ArrowPrimitiveType>(arr: &PrimitiveArray<K>, out: &mut Vec<usize>)
    where
        K::Native: TryInto<usize>,
    {
        out.clear();
        out.extend(
            arr.values()
                .iter()
                .map(|&k| k.try_into().unwrap_or(usize::MAX)),
        );
        if let Some(nulls) = arr.nulls() {
            for (k, ok) in out.iter_mut().zip(nulls.iter()) {
                if !ok {
                    *k = usize::MAX;
                }
            }
        }
    }
    match keys.data_type() {
        DataType::Int8 => go(keys.as_primitive::<Int8Type>(), out),
        DataType::Int16 => go(keys.as_primitive::<Int16Type>(), out),
        DataType::Int32 => go(keys.as_primitive::<Int32Type>(), out),
        DataType::Int64 => go(keys.as_primitive::<Int64Type>(), out),
        DataType::UInt8 => go(keys.as_primitive::<UInt8Type>(), out),
        DataType::UInt16 => go(keys.as_primitive::<UInt16Type>(), out),
        DataType::UInt32 => go(keys.as_primitive::<UInt32Type>(), out),
        DataType::UInt64 => go(keys.as_primitive::<UInt64Type>(), out),
        other => {
            return Err(format!(
                "bias scan: column '{column}' is a dictionary with key type {other}"
            ))
        }
    }
    Ok(())
}

/// Deciles of `vals` (sorted in place) by numpy's default linear method, with
/// equal edges merged. NaN-free input expected.
fn decile_edges(vals: &mut [f64]) -> Vec<f64> {
    vals.sort_unstable_by(f64::total_cmp);
    let n = vals.len();
    let mut edges: Vec<f64> = Vec::with_capacity(NUMERIC_BINS - 1);
    if n == 0 {
        return edges;
    }
    let last = (n - 1) as f64;
    for k in 1..NUMERIC_BINS {
        let q = k as f64 / NUMERIC_BINS as f64;
        // numpy: virtual index (n - 1) * q, floor, then `_lerp`.
        let vi = last * q;
        let e = if vi >= last {
            vals[n - 1]
        } else {
            let prev = vi.floor();
            let i = prev as usize;
            let (a, b) = (vals[i], vals[i + 1]);
            let g = vi - prev;
            if a == b {
                a
            } else {
                let d = b - a;
                if g >= 0.5 {
                    b - d * (1.0 - g)
                } else {
                    a + d * g
                }
            }
        };
        if e.is_nan() {
            continue;
        }
        if edges.last().is_none_or(|&l| e > l) {
            edges.push(e);
        }
    }
    edges
}

#[inline]
fn bin(edges: &[f64], v: f64) -> u32 {
    edges.partition_point(|&e| e < v) as u32
}

/// Category of `s`, inserting it if new; `None` when the map is full.
#[inline]
fn category(map: &mut TextMap, s: &str) -> Option<u32> {
    if let Some(&c) = map.get(s) {
        return Some(c);
    }
    if map.len() >= MAX_CATEGORIES {
        return None;
    }
    let c = map.len() as u32;
    map.insert(s.into(), c);
    Some(c)
}

/// Category index of one cell given the column's kind (which may switch to
/// high cardinality).
#[inline]
fn slot(kind: &mut Kind, cell: Cell<'_>, text: &mut String) -> u32 {
    if let Cell::Missing = cell {
        return MISSING;
    }
    let mut overflow = false;
    let s = match kind {
        Kind::Undecided | Kind::HighCardinality => PRESENT,
        Kind::Numeric { edges } => match cell {
            Cell::Num(v) => bin(edges, v),
            Cell::Bool(b) => bin(edges, if b { 1.0 } else { 0.0 }),
            Cell::Text(t) => match assay_data::csv::parse_f64(t.as_bytes()) {
                Some(v) if v.is_nan() => MISSING,
                Some(v) => bin(edges, v),
                None => edges.len() as u32 + 1,
            },
            Cell::Missing => MISSING,
        },
        Kind::Categorical { map } => {
            let key: &str = match cell {
                Cell::Text(t) => t,
                Cell::Bool(true) => "true",
                Cell::Bool(false) => "false",
                Cell::Num(v) => {
                    text.clear();
                    let _ = write!(text, "{v}");
                    text
                }
                Cell::Missing => return MISSING,
            };
            match category(map, key) {
                Some(c) => c,
                None => {
                    overflow = true;
                    PRESENT
                }
            }
        }
    };
    if overflow {
        *kind = Kind::HighCardinality;
    }
    s
}

impl ColumnState {
    fn new(name: String, nfeatures: usize) -> Self {
        ColumnState {
            name,
            kind: Kind::Undecided,
            rows: 0,
            missing: 0,
            group_missing: vec![Vec::new(); nfeatures],
            tables: vec![Vec::new(); nfeatures],
            cat_counts: Vec::new(),
            increasing: true,
            last: f64::NEG_INFINITY,
            slots: Vec::new(),
            nums: Vec::new(),
            keys: Vec::new(),
            dict_slots: Vec::new(),
            text: String::new(),
        }
    }

    fn update(
        &mut self,
        arr: &dyn Array,
        codes: &[Vec<u32>],
        valid: Option<&[bool]>,
        ncodes: &[usize],
    ) -> Result<(), String> {
        let n = arr.len();
        let mut nums = std::mem::take(&mut self.nums);
        let mut keys = std::mem::take(&mut self.keys);
        let mut slots = std::mem::take(&mut self.slots);
        let res = self.fill_slots(arr, valid, &mut nums, &mut keys, &mut slots);
        if res.is_ok() {
            debug_assert_eq!(slots.len(), n);
            self.count(&slots, codes, ncodes);
        }
        self.nums = nums;
        self.keys = keys;
        self.slots = slots;
        res
    }

    fn fill_slots(
        &mut self,
        arr: &dyn Array,
        valid: Option<&[bool]>,
        nums: &mut Vec<f64>,
        keys: &mut Vec<usize>,
        slots: &mut Vec<u32>,
    ) -> Result<(), String> {
        let n = arr.len();
        let is_valid = |i: usize| valid.is_none_or(|v| v[i]);
        let (values, dict): (&dyn Array, bool) = match arr.data_type() {
            DataType::Dictionary(_, _) => {
                let d = arr.as_any_dictionary();
                dict_keys(d.keys(), keys, &self.name)?;
                (d.values().as_ref(), true)
            }
            _ => (arr, false),
        };
        if let DataType::Dictionary(_, _) = values.data_type() {
            return Err(format!(
                "bias scan: column '{}' is a dictionary of dictionaries",
                self.name
            ));
        }
        let leaf = leaf(values, nums, &self.name)?;
        let keys: &[usize] = keys;
        let index = |i: usize| if dict { keys[i] } else { i };
        let cell = |i: usize| match index(i) {
            usize::MAX => Cell::Missing,
            j => leaf.cell(j),
        };

        if let Kind::Undecided = self.kind {
            self.decide(n, &is_valid, &cell, &leaf);
        }

        if self.increasing && matches!(self.kind, Kind::Numeric { .. }) {
            // Stops at the first value that breaks the sequence: cheap for other columns.
            for i in (0..n).filter(|&i| is_valid(i)) {
                let v = match cell(i) {
                    Cell::Num(v) => v,
                    Cell::Text(t) => match assay_data::csv::parse_f64(t.as_bytes()) {
                        Some(v) => v,
                        None => {
                            self.increasing = false;
                            break;
                        }
                    },
                    Cell::Missing => continue,
                    Cell::Bool(_) => f64::NAN,
                };
                if !(v.fract() == 0.0 && v > self.last) {
                    self.increasing = false;
                    break;
                }
                self.last = v;
            }
        }
        slots.clear();
        slots.reserve(n);
        let kind = &mut self.kind;
        let text = &mut self.text;
        if dict {
            // Resolve each dictionary entry once per batch.
            let ds = &mut self.dict_slots;
            ds.clear();
            ds.resize(values.len(), UNSET);
            for (i, &key) in keys.iter().enumerate() {
                let s = if !is_valid(i) {
                    SKIP
                } else {
                    match key {
                        usize::MAX => MISSING,
                        j if j >= ds.len() => MISSING,
                        j => {
                            if ds[j] == UNSET {
                                ds[j] = slot(kind, leaf.cell(j), text);
                            }
                            ds[j]
                        }
                    }
                };
                slots.push(s);
            }
        } else {
            for i in 0..n {
                slots.push(if is_valid(i) {
                    slot(kind, leaf.cell(i), text)
                } else {
                    SKIP
                });
            }
        }
        if let Kind::HighCardinality = self.kind {
            self.tables.iter_mut().for_each(|t| *t = Vec::new());
            self.cat_counts = Vec::new();
        }
        Ok(())
    }

    /// Decides the column's kind from this batch if it has a non-missing value.
    fn decide<'a>(
        &mut self,
        n: usize,
        is_valid: &impl Fn(usize) -> bool,
        cell: &impl Fn(usize) -> Cell<'a>,
        leaf: &Leaf<'_>,
    ) {
        let mut any = false;
        let mut numeric = true;
        for i in (0..n).filter(|&i| is_valid(i)) {
            match cell(i) {
                Cell::Missing => {}
                Cell::Num(_) => any = true,
                Cell::Bool(_) => {
                    any = true;
                    numeric = false;
                }
                Cell::Text(s) => {
                    any = true;
                    if assay_data::csv::parse_f64(s.as_bytes()).is_none() {
                        numeric = false;
                    }
                }
            }
            if any && !numeric {
                break;
            }
        }
        if !any {
            return;
        }
        let numeric = match leaf {
            Leaf::Num(_) => true,
            Leaf::Bool(_) | Leaf::Null => false,
            Leaf::Text(_) => numeric,
        };
        self.kind = if numeric {
            let mut vals = Vec::new();
            for i in (0..n).filter(|&i| is_valid(i)) {
                let v = match cell(i) {
                    Cell::Num(v) => v,
                    Cell::Text(s) => assay_data::csv::parse_f64(s.as_bytes()).unwrap_or(f64::NAN),
                    Cell::Missing | Cell::Bool(_) => f64::NAN,
                };
                if !v.is_nan() {
                    vals.push(v);
                }
            }
            let edges = decile_edges(&mut vals);
            Kind::Numeric { edges }
        } else {
            Kind::Categorical {
                map: TextMap::with_hasher(ahash::RandomState::new()),
            }
        };
    }

    fn count(&mut self, slots: &[u32], codes: &[Vec<u32>], ncodes: &[usize]) {
        let ncat = self.kind.categories();
        let tracked = ncat > 0;
        if tracked && self.cat_counts.len() < ncat {
            self.cat_counts.resize(ncat, 0);
        }
        // After a switch to high cardinality within this batch, earlier rows
        // still hold category indices: count them as present.
        let norm = |s: u32| if tracked || s >= PRESENT { s } else { PRESENT };
        for &s in slots {
            match norm(s) {
                SKIP => {}
                MISSING => {
                    self.rows += 1;
                    self.missing += 1;
                }
                PRESENT => self.rows += 1,
                c => {
                    self.rows += 1;
                    self.cat_counts[c as usize] += 1;
                }
            }
        }
        for (f, codes_f) in codes.iter().enumerate() {
            let gm = &mut self.group_missing[f];
            if gm.len() < ncodes[f] {
                gm.resize(ncodes[f], 0);
            }
            let table = &mut self.tables[f];
            if tracked {
                if table.len() < ncodes[f] {
                    table.resize(ncodes[f], Vec::new());
                }
                for row in table.iter_mut() {
                    if row.len() < ncat {
                        row.resize(ncat, 0);
                    }
                }
            }
            for (&s, &code) in slots.iter().zip(codes_f) {
                match norm(s) {
                    SKIP | PRESENT => {}
                    MISSING => gm[code as usize] += 1,
                    c => table[code as usize][c as usize] += 1,
                }
            }
        }
    }

    fn finish(
        self,
        features: &[String],
        feature_values: &[Vec<String>],
        group_rows: &[Vec<u64>],
    ) -> ColumnScan {
        let kind = match self.kind {
            Kind::Numeric { .. } => ColumnKind::Numeric,
            Kind::Undecided | Kind::Categorical { .. } => ColumnKind::Categorical,
            Kind::HighCardinality => ColumnKind::HighCardinality,
        };
        let mut missing_by_group = Vec::new();
        for (f, rows_f) in group_rows.iter().enumerate() {
            for (code, &rows) in rows_f.iter().enumerate() {
                if rows == 0 {
                    continue;
                }
                let missing = self.group_missing[f].get(code).copied().unwrap_or(0);
                missing_by_group.push(MissingByGroup {
                    feature: features[f].clone(),
                    value: value_label(feature_values, f, code),
                    rows,
                    missing,
                    share: missing as f64 / rows as f64,
                });
            }
        }
        let proxies = features
            .iter()
            .zip(&self.tables)
            .map(|(feature, table)| {
                let (cramers_v, nmi, corrected) = if kind == ColumnKind::HighCardinality {
                    (None, None, None)
                } else {
                    (
                        cramers_v(table),
                        normalized_mutual_info(table),
                        cramers_v_corrected(table),
                    )
                };
                ProxyStrength {
                    feature: feature.clone(),
                    cramers_v,
                    nmi,
                    cramers_v_corrected: corrected,
                }
            })
            .collect();
        let distinct = match kind {
            ColumnKind::HighCardinality => MAX_CATEGORIES as u64 + 1,
            _ => self.cat_counts.iter().filter(|&&c| c > 0).count() as u64,
        };
        let present = self.rows - self.missing;
        let identifier_like = if let Some(h) = assay_pii::column_names::hint(&self.name)
            .filter(|h| h.direct && h.entity_type != "DATE_TIME")
        {
            Some(h.meaning.to_string())
        } else if kind == ColumnKind::Numeric && self.increasing && present >= 20 {
            Some("an increasing integer sequence (a row number)".to_string())
        } else if kind == ColumnKind::Categorical
            && present >= 20
            && distinct as f64 >= IDENTIFIER_UNIQUE_SHARE * present as f64
        {
            Some(format!(
                "unique in {:.0}% of its rows",
                100.0 * distinct as f64 / present as f64
            ))
        } else {
            None
        };
        ColumnScan {
            column: self.name,
            kind,
            rows: self.rows,
            missing: self.missing,
            missing_by_group,
            proxies,
            identifier_like,
            distinct,
        }
    }
}

fn value_label(feature_values: &[Vec<String>], f: usize, code: usize) -> String {
    feature_values
        .get(f)
        .and_then(|v| v.get(code))
        .cloned()
        .unwrap_or_else(|| code.to_string())
}

impl ScanAccumulator {
    /// Creates an accumulator scanning `columns` (names in the batches) against
    /// the sensitive `features` (names used for labels only; their codes are
    /// passed to [`update`](Self::update)).
    pub fn new(columns: Vec<String>, features: Vec<String>) -> Self {
        let nf = features.len();
        ScanAccumulator {
            group_rows: vec![Vec::new(); nf],
            ncodes: vec![0; nf],
            columns: columns
                .into_iter()
                .map(|c| ColumnState::new(c, nf))
                .collect(),
            features,
        }
    }

    /// Adds one record batch.
    ///
    /// `codes[f][i]` is the code of row `i`'s value of sensitive feature `f`
    /// (dense small integers, stable across batches); rows with
    /// `valid[i] == false` are skipped. Scanned columns may be Utf8, LargeUtf8 or
    /// Utf8View text, any integer, float, decimal or temporal type, Boolean, or a
    /// dictionary of those. Errors name the column (missing from the batch or of
    /// an unsupported type) or the mismatched lengths.
    pub fn update(
        &mut self,
        batch: &RecordBatch,
        codes: &[Vec<u32>],
        valid: Option<&[bool]>,
    ) -> Result<(), String> {
        let n = batch.num_rows();
        if codes.len() != self.features.len() {
            return Err(format!(
                "bias scan: {} code vectors for {} sensitive features",
                codes.len(),
                self.features.len()
            ));
        }
        if let Some((f, c)) = codes.iter().enumerate().find(|(_, c)| c.len() != n) {
            return Err(format!(
                "bias scan: {} codes for sensitive feature '{}' but the batch has {n} rows",
                c.len(),
                self.features[f]
            ));
        }
        if let Some(v) = valid {
            if v.len() != n {
                return Err(format!(
                    "bias scan: validity mask of {} rows for a batch of {n} rows",
                    v.len()
                ));
            }
        }
        let schema = batch.schema();
        let arrays = self
            .columns
            .iter()
            .map(|c| {
                schema
                    .index_of(&c.name)
                    .map(|i| batch.column(i).clone())
                    .map_err(|_| format!("bias scan: column '{}' is not in the batch", c.name))
            })
            .collect::<Result<Vec<_>, String>>()?;

        for (f, codes_f) in codes.iter().enumerate() {
            let rows = &mut self.group_rows[f];
            for (i, &code) in codes_f.iter().enumerate() {
                if valid.is_none_or(|v| v[i]) {
                    let c = code as usize;
                    if c >= rows.len() {
                        rows.resize(c + 1, 0);
                    }
                    rows[c] += 1;
                }
            }
            // Codes of invalid rows are still indexed by the counting loops.
            let max = codes_f.iter().copied().max().map_or(0, |m| m as usize + 1);
            self.ncodes[f] = self.ncodes[f].max(max).max(rows.len());
        }

        let ncodes = &self.ncodes;
        self.columns
            .par_iter_mut()
            .zip(arrays.par_iter())
            .try_for_each(|(col, arr)| col.update(arr.as_ref(), codes, valid, ncodes))
    }

    /// Finishes the scan. `feature_values[f][code]` is the display value of each
    /// code of feature `f` (a code without one is shown as its number).
    pub fn finish(self, feature_values: &[Vec<String>]) -> BiasScan {
        let features = self.features;
        let group_rows = self.group_rows;
        let mut columns: Vec<ColumnScan> = self
            .columns
            .into_par_iter()
            .map(|c| c.finish(&features, feature_values, &group_rows))
            .collect();
        columns.sort_by(|a, b| {
            let rank = |c: &ColumnScan| {
                (
                    (
                        c.identifier_like.is_some(),
                        c.kind == ColumnKind::HighCardinality,
                    ),
                    c.strongest_proxy(),
                )
            };
            let (ha, va) = rank(a);
            let (hb, vb) = rank(b);
            ha.cmp(&hb).then_with(|| {
                vb.unwrap_or(f64::NEG_INFINITY)
                    .total_cmp(&va.unwrap_or(f64::NEG_INFINITY))
            })
        });
        BiasScan { columns }
    }
}

impl ColumnScan {
    /// The largest bias-corrected Cramér's V over the sensitive features (`None` if none is
    /// defined).
    pub fn strongest_proxy(&self) -> Option<f64> {
        self.proxies
            .iter()
            .filter_map(|p| p.cramers_v_corrected)
            .reduce(f64::max)
    }
}

/// Row sums, column sums and total of a (possibly ragged) table of counts.
fn margins(table: &[Vec<u64>]) -> (Vec<u64>, Vec<u64>, u64) {
    let ncols = table.iter().map(Vec::len).max().unwrap_or(0);
    let mut cols = vec![0u64; ncols];
    let rows: Vec<u64> = table
        .iter()
        .map(|r| {
            for (c, &x) in cols.iter_mut().zip(r) {
                *c += x;
            }
            r.iter().sum()
        })
        .collect();
    let n = rows.iter().sum();
    (rows, cols, n)
}

/// Uncorrected Cramér's V of a table of counts (Cramér 1946, §21.9):
/// `V = sqrt(chi2 / (n * (min(r, c) - 1)))`, where `chi2 = Σ (O - E)² / E` is
/// Pearson's statistic with `E = row_sum · col_sum / n`, over the `r` non-empty
/// rows and `c` non-empty columns. Equals
/// `scipy.stats.contingency.association(table, method="cramer", correction=False)`.
///
/// `None` when the table is empty or has fewer than two non-empty rows or
/// columns (scipy then computes 0/0). Rows may have different lengths (missing
/// cells are zero).
pub fn cramers_v(table: &[Vec<u64>]) -> Option<f64> {
    let (rows, cols, n) = margins(table);
    let r = rows.iter().filter(|&&x| x > 0).count();
    let c = cols.iter().filter(|&&x| x > 0).count();
    if n == 0 || r < 2 || c < 2 {
        return None;
    }
    let nf = n as f64;
    let mut chi2 = 0.0;
    for (row, &ri) in table.iter().zip(&rows) {
        if ri == 0 {
            continue;
        }
        for (j, &cj) in cols.iter().enumerate() {
            if cj == 0 {
                continue;
            }
            let o = row.get(j).copied().unwrap_or(0) as f64;
            let e = ri as f64 * cj as f64 / nf;
            chi2 += (o - e) * (o - e) / e;
        }
    }
    Some((chi2 / (nf * (r.min(c) - 1) as f64)).sqrt())
}

/// Bias-corrected Cramér's V of a table of counts (Bergsma, "A bias-correction for Cramér's V
/// and Tschuprow's T", Journal of the Korean Statistical Society 42, 2013): with `φ² = χ²/n`
/// over the `r` non-empty rows and `k` non-empty columns,
/// `φ̃² = max(0, φ² − (k−1)(r−1)/(n−1))`, `k̃ = k − (k−1)²/(n−1)`, `r̃ = r − (r−1)²/(n−1)` and
/// `Ṽ = sqrt(φ̃² / min(k̃−1, r̃−1))`. The uncorrected V of a column with a distinct value per
/// row is 1 against any feature; Ṽ is 0 there, since `φ²` equals its expectation under
/// independence. `None` where [`cramers_v`] is, and when `n < 2` or `min(k̃−1, r̃−1) ≤ 0`.
pub fn cramers_v_corrected(table: &[Vec<u64>]) -> Option<f64> {
    let v = cramers_v(table)?;
    let (rows, cols, n) = margins(table);
    let r = rows.iter().filter(|&&x| x > 0).count() as f64;
    let k = cols.iter().filter(|&&x| x > 0).count() as f64;
    let n = n as f64;
    if n < 2.0 {
        return None;
    }
    // φ² from the uncorrected V: χ² / n = V² (min(r, k) − 1).
    let phi2 = v * v * (r.min(k) - 1.0);
    let phi2c = (phi2 - (k - 1.0) * (r - 1.0) / (n - 1.0)).max(0.0);
    let kc = k - (k - 1.0).powi(2) / (n - 1.0);
    let rc = r - (r - 1.0).powi(2) / (n - 1.0);
    let d = (kc - 1.0).min(rc - 1.0);
    (d > 0.0).then(|| (phi2c / d).sqrt())
}

/// Entropy (natural log) of counts, as sklearn's `_entropy`.
fn entropy(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let lt = (total as f64).ln();
    let tf = total as f64;
    -counts
        .iter()
        .filter(|&&x| x > 0)
        .map(|&x| (x as f64 / tf) * ((x as f64).ln() - lt))
        .sum::<f64>()
}

/// Normalised mutual information of a table of counts, with scikit-learn's
/// default arithmetic normalisation: `NMI = MI / ((H(rows) + H(cols)) / 2)`,
/// natural logarithms, as `sklearn.metrics.normalized_mutual_info_score`
/// (scikit-learn user guide, "Mutual Information based scores").
///
/// Degenerate cases follow sklearn: 1.0 when both sides have a single
/// non-empty category (both entropies 0, "a perfect match"), 0.0 when the
/// mutual information is 0 (in particular when only one side is constant).
/// `None` for an empty table, where sklearn's 1.0 would wrongly read as a
/// perfect proxy. Each term of the MI sum below machine epsilon is zeroed and
/// the sum clipped at 0, as sklearn's `mutual_info_score` does.
pub fn normalized_mutual_info(table: &[Vec<u64>]) -> Option<f64> {
    let (rows, cols, n) = margins(table);
    if n == 0 {
        return None;
    }
    let r = rows.iter().filter(|&&x| x > 0).count();
    let c = cols.iter().filter(|&&x| x > 0).count();
    if r == 1 && c == 1 {
        return Some(1.0);
    }
    if r == 1 || c == 1 {
        return Some(0.0);
    }
    let nf = n as f64;
    let ln_n = nf.ln();
    let mut mi = 0.0;
    for (row, &pi) in table.iter().zip(&rows) {
        for (&nij, &pj) in row.iter().zip(&cols) {
            if nij == 0 {
                continue;
            }
            let cnm = nij as f64 / nf;
            let outer = (u128::from(pi) * u128::from(pj)) as f64;
            let log_outer = -outer.ln() + ln_n + ln_n;
            let term = cnm * ((nij as f64).ln() - ln_n) + cnm * log_outer;
            if term.abs() >= f64::EPSILON {
                mi += term;
            }
        }
    }
    let mi = mi.max(0.0);
    if mi == 0.0 {
        return Some(0.0);
    }
    let norm = (entropy(&rows) + entropy(&cols)) / 2.0;
    Some(mi / norm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::builder::StringDictionaryBuilder;
    use arrow_array::{ArrayRef, Float64Array, Int64Array};
    use arrow_schema::{Field, Schema};
    use std::sync::Arc;

    fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
        let fields: Vec<Field> = cols
            .iter()
            .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
            .collect();
        RecordBatch::try_new(
            Arc::new(Schema::new(fields)),
            cols.into_iter().map(|(_, a)| a).collect(),
        )
        .unwrap()
    }

    fn col<'a>(scan: &'a BiasScan, name: &str) -> &'a ColumnScan {
        scan.columns.iter().find(|c| c.column == name).unwrap()
    }

    fn labels(v: &[&str]) -> Vec<Vec<String>> {
        vec![v.iter().map(|s| s.to_string()).collect()]
    }

    #[test]
    fn identifiers_are_not_proxies() {
        // 200 rows, feature g in {0, 1} at random; "case" is unique per row (uncorrected
        // V = 1 against anything), "seq" a row number, "applicant_id" named as an id, "mild" a
        // real but weak proxy, "strong" equals g in 90% of rows.
        let n = 200usize;
        let g: Vec<u32> = (0..n)
            .map(|i| (assay_numerics::random::splitmix64(i as u64) % 2) as u32)
            .collect();
        let case: Vec<String> = (0..n).map(|i| format!("13{i:06}CF10A")).collect();
        let seq: Vec<i64> = (1..=n as i64).collect();
        let ids: Vec<i64> = (0..n as i64).map(|i| (i * 7919) % 1000).collect();
        let strong: Vec<&str> = g
            .iter()
            .enumerate()
            .map(|(i, &c)| if (c == 0) != (i % 10 == 0) { "x" } else { "y" })
            .collect();
        let b = batch(vec![
            ("case", Arc::new(StringArray::from(case)) as ArrayRef),
            ("seq", Arc::new(Int64Array::from(seq)) as ArrayRef),
            ("applicant_id", Arc::new(Int64Array::from(ids)) as ArrayRef),
            ("strong", Arc::new(StringArray::from(strong)) as ArrayRef),
        ]);
        let cols = ["case", "seq", "applicant_id", "strong"];
        let mut acc = ScanAccumulator::new(
            cols.iter().map(|c| c.to_string()).collect(),
            vec!["g".into()],
        );
        acc.update(&b, &[g], None).unwrap();
        let scan = acc.finish(&labels(&["m", "f"]));
        let case = col(&scan, "case");
        assert!((case.proxies[0].cramers_v.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(
            case.proxies[0].cramers_v_corrected, None,
            "no degrees of freedom left"
        );
        assert_eq!(
            case.identifier_like.as_deref(),
            Some("unique in 100% of its rows")
        );
        assert_eq!(
            col(&scan, "seq").identifier_like.as_deref(),
            Some("an increasing integer sequence (a row number)")
        );
        assert_eq!(
            col(&scan, "applicant_id").identifier_like.as_deref(),
            Some("a record identifier")
        );
        let strong = col(&scan, "strong");
        assert_eq!(strong.identifier_like, None);
        assert!(strong.proxies[0].cramers_v_corrected.unwrap() > 0.7);
        // Identifier-like columns come last, whatever their V.
        assert_eq!(scan.columns[0].column, "strong");
    }

    #[test]
    fn bias_correction_of_cramers_v() {
        // Independent by construction: the uncorrected V of a 10 x 2 table of 40 rows is
        // well above 0 by chance, the corrected one is 0.
        let t: Vec<Vec<u64>> = vec![
            vec![2, 2, 3, 1, 2, 2, 1, 3, 2, 2],
            vec![2, 2, 1, 3, 2, 2, 3, 1, 2, 2],
        ];
        let v = cramers_v(&t).unwrap();
        let c = cramers_v_corrected(&t).unwrap();
        assert!(v > 0.2, "{v}");
        assert_eq!(c, 0.0);
        // dython 0.7.12: cramers_v(x, y, bias_correction=True) on the rows of this 2 x 3 table
        // (no Yates correction beyond 2 x 2) gives 0.4615763967262574.
        let t = vec![vec![10, 30, 8], vec![20, 5, 8]];
        let c = cramers_v_corrected(&t).unwrap();
        let expect = 0.4615763967262574;
        assert!((c - expect).abs() < 1e-14, "{c} vs {expect}");
    }

    #[test]
    fn perfect_proxy_and_independent_column() {
        // 400 rows, feature g in {0, 1}; "proxy" equals g, "indep" is
        // balanced within each group.
        let n = 400;
        let g: Vec<u32> = (0..n).map(|i| (i % 2) as u32).collect();
        let proxy: Vec<&str> = g
            .iter()
            .map(|&c| if c == 0 { "z1" } else { "z2" })
            .collect();
        let indep: Vec<&str> = (0..n).map(|i| ["a", "b", "c", "d"][(i / 2) % 4]).collect();
        let b = batch(vec![
            ("proxy", Arc::new(StringArray::from(proxy)) as ArrayRef),
            ("indep", Arc::new(StringArray::from(indep)) as ArrayRef),
        ]);
        let mut acc = ScanAccumulator::new(vec!["indep".into(), "proxy".into()], vec!["g".into()]);
        acc.update(&b, &[g], None).unwrap();
        let scan = acc.finish(&labels(&["m", "f"]));
        assert_eq!(scan.columns[0].column, "proxy", "strongest proxy first");
        let p = &col(&scan, "proxy").proxies[0];
        assert!((p.cramers_v.unwrap() - 1.0).abs() < 1e-12);
        assert!((p.nmi.unwrap() - 1.0).abs() < 1e-12);
        let q = &col(&scan, "indep").proxies[0];
        assert!(q.cramers_v.unwrap().abs() < 1e-12);
        assert!(q.nmi.unwrap().abs() < 1e-12);
        assert_eq!(col(&scan, "indep").distinct, 4);
        assert_eq!(col(&scan, "indep").kind, ColumnKind::Categorical);
    }

    #[test]
    fn known_table_values() {
        // scipy.stats.contingency.association([[10, 20], [30, 5]], method="cramer",
        // correction=False) and sklearn's normalized_mutual_info_score of the
        // same labels.
        let t = vec![vec![10, 20], vec![30, 5]];
        assert!((cramers_v(&t).unwrap() - 0.5367450401216932).abs() < 1e-14);
        assert!((normalized_mutual_info(&t).unwrap() - 0.22362671695857878).abs() < 1e-14);
        // Both are symmetric in the table's orientation.
        let tt = vec![vec![10, 30], vec![20, 5]];
        assert!((cramers_v(&tt).unwrap() - 0.5367450401216932).abs() < 1e-14);
        assert!((normalized_mutual_info(&tt).unwrap() - 0.22362671695857878).abs() < 1e-14);
    }

    #[test]
    fn degenerate_tables() {
        assert_eq!(cramers_v(&[]), None);
        assert_eq!(normalized_mutual_info(&[]), None);
        assert_eq!(cramers_v(&[vec![0, 0]]), None);
        // Both constant: sklearn's "perfect match".
        assert_eq!(normalized_mutual_info(&[vec![5]]), Some(1.0));
        assert_eq!(cramers_v(&[vec![5]]), None);
        // One side constant: MI = 0.
        assert_eq!(normalized_mutual_info(&[vec![3, 4]]), Some(0.0));
        assert_eq!(cramers_v(&[vec![3, 4]]), None);
        // Empty rows and columns are ignored.
        let a = vec![vec![4, 0, 1], vec![0, 0, 0], vec![2, 0, 6]];
        let b = vec![vec![4, 1], vec![2, 6]];
        assert_eq!(cramers_v(&a), cramers_v(&b));
        assert_eq!(normalized_mutual_info(&a), normalized_mutual_info(&b));
    }

    #[test]
    fn numeric_binning() {
        // Deciles of 1..=100 (numpy linear): 10.9, 20.8, ..., 90.1.
        let mut v: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let e = decile_edges(&mut v);
        let want = [10.9, 20.8, 30.7, 40.6, 50.5, 60.4, 70.3, 80.2, 90.1];
        assert_eq!(e.len(), 9);
        for (a, b) in e.iter().zip(want) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        assert_eq!(bin(&e, 1.0), 0);
        assert_eq!(bin(&e, 10.9), 0, "right-closed");
        assert_eq!(bin(&e, 11.0), 1);
        assert_eq!(bin(&e, 100.0), 9);
        assert_eq!(bin(&e, 1e9), 9);
        // Ties collapse bins: 70% zeros, then 70..=99. numpy.unique(numpy.quantile(...))
        // gives [0.0, 20.9999999999998, 79.2, 89.10000000000001].
        let mut z: Vec<f64> = (0..100)
            .map(|i| if i < 70 { 0.0 } else { f64::from(i) })
            .collect();
        let e = decile_edges(&mut z);
        assert_eq!(e, vec![0.0, 20.9999999999998, 79.2, 89.10000000000001]);
        assert_eq!(bin(&e, 0.0), 0);
        assert_eq!(bin(&e, 70.0), 2);

        // Through the accumulator: ints are numeric; text that parses is numeric
        // and a later non-numeric cell goes to its own category.
        let ints: Vec<i64> = (1..=100).collect();
        let txt: Vec<String> = (1..=100).map(|i| i.to_string()).collect();
        let g = vec![vec![0u32; 100]];
        let b1 = batch(vec![
            ("i", Arc::new(Int64Array::from(ints)) as ArrayRef),
            ("t", Arc::new(StringArray::from(txt)) as ArrayRef),
        ]);
        let b2 = batch(vec![
            (
                "i",
                Arc::new(Int64Array::from(vec![Some(5), None])) as ArrayRef,
            ),
            (
                "t",
                Arc::new(StringArray::from(vec!["oops", "NaN"])) as ArrayRef,
            ),
        ]);
        let mut acc = ScanAccumulator::new(vec!["i".into(), "t".into()], vec!["g".into()]);
        acc.update(&b1, &g, None).unwrap();
        acc.update(&b2, &[vec![0, 0]], None).unwrap();
        let scan = acc.finish(&labels(&["all"]));
        let i = col(&scan, "i");
        assert_eq!(
            (i.kind, i.distinct, i.rows, i.missing),
            (ColumnKind::Numeric, 10, 102, 1)
        );
        let t = col(&scan, "t");
        assert_eq!(
            (t.kind, t.distinct, t.rows, t.missing),
            (ColumnKind::Numeric, 11, 102, 1)
        );
        // One group only: V undefined, NMI 0 (one side constant).
        assert_eq!(t.proxies[0].cramers_v, None);
        assert_eq!(t.proxies[0].nmi, Some(0.0));
    }

    #[test]
    fn missing_by_group() {
        // Group a: 4 rows, 1 null + 1 NaN; group b: 3 rows, 1 empty string
        // in the text column; the invalid row is ignored.
        let x = Float64Array::from(vec![
            Some(1.0),
            None,
            Some(f64::NAN),
            Some(2.0),
            Some(3.0),
            Some(4.0),
            Some(5.0),
            None,
        ]);
        let s = StringArray::from(vec![
            Some("u"),
            Some("v"),
            Some("u"),
            Some("v"),
            Some(""),
            Some("u"),
            Some("v"),
            None,
        ]);
        let g = vec![vec![0, 0, 0, 0, 1, 1, 1, 1]];
        let valid = [true, true, true, true, true, true, true, false];
        let b = batch(vec![
            ("x", Arc::new(x) as ArrayRef),
            ("s", Arc::new(s) as ArrayRef),
        ]);
        let mut acc = ScanAccumulator::new(vec!["x".into(), "s".into()], vec!["grp".into()]);
        acc.update(&b, &g, Some(&valid)).unwrap();
        let scan = acc.finish(&labels(&["a", "b"]));
        let x = col(&scan, "x");
        assert_eq!((x.rows, x.missing), (7, 2));
        let m: Vec<(&str, u64, u64)> = x
            .missing_by_group
            .iter()
            .map(|m| (m.value.as_str(), m.rows, m.missing))
            .collect();
        assert_eq!(m, vec![("a", 4, 2), ("b", 3, 0)]);
        assert_eq!(x.missing_by_group[0].share, 0.5);
        let s = col(&scan, "s");
        assert_eq!((s.rows, s.missing, s.distinct), (7, 1, 2));
        assert_eq!(s.missing_by_group[1].missing, 1);
        assert_eq!(s.missing_by_group[1].feature, "grp");
    }

    #[test]
    fn high_cardinality_switch() {
        let n = MAX_CATEGORIES + 50;
        let ids: Vec<String> = (0..n).map(|i| format!("id{i}")).collect();
        let mut ids: Vec<Option<String>> = ids.into_iter().map(Some).collect();
        ids[3] = None;
        let few: Vec<&str> = (0..n).map(|i| if i % 2 == 0 { "x" } else { "y" }).collect();
        let b = batch(vec![
            ("id", Arc::new(StringArray::from(ids)) as ArrayRef),
            ("few", Arc::new(StringArray::from(few)) as ArrayRef),
        ]);
        let g = vec![(0..n as u32).map(|i| i % 3).collect::<Vec<u32>>()];
        let mut acc = ScanAccumulator::new(vec!["id".into(), "few".into()], vec!["g".into()]);
        acc.update(&b, &g, None).unwrap();
        acc.update(&b, &g, None).unwrap();
        let scan = acc.finish(&[]);
        let id = col(&scan, "id");
        assert_eq!(id.kind, ColumnKind::HighCardinality);
        assert_eq!((id.rows, id.missing), (2 * n as u64, 2));
        assert_eq!(id.distinct, MAX_CATEGORIES as u64 + 1);
        assert_eq!(id.proxies[0].cramers_v, None);
        assert_eq!(id.proxies[0].nmi, None);
        assert_eq!(
            scan.columns.last().unwrap().column,
            "id",
            "high cardinality last"
        );
        // Values without labels are shown as codes.
        assert_eq!(id.missing_by_group[0].value, "0");
        assert_eq!(col(&scan, "few").kind, ColumnKind::Categorical);
    }

    #[test]
    fn dictionary_and_boolean_columns() {
        let mut d = StringDictionaryBuilder::<Int32Type>::new();
        for i in 0..60 {
            if i % 10 == 9 {
                d.append_null();
            } else {
                d.append_value(if i % 2 == 0 { "even" } else { "odd" });
            }
        }
        let dict = d.finish();
        let bools = BooleanArray::from((0..60).map(|i| Some(i % 2 == 0)).collect::<Vec<_>>());
        let g = vec![(0..60u32).map(|i| i % 2).collect::<Vec<u32>>()];
        let b = batch(vec![
            ("d", Arc::new(dict) as ArrayRef),
            ("b", Arc::new(bools) as ArrayRef),
        ]);
        let mut acc = ScanAccumulator::new(vec!["d".into(), "b".into()], vec!["g".into()]);
        acc.update(&b, &g, None).unwrap();
        let scan = acc.finish(&labels(&["e", "o"]));
        let d = col(&scan, "d");
        assert_eq!(
            (d.kind, d.distinct, d.missing),
            (ColumnKind::Categorical, 2, 6)
        );
        assert!((d.proxies[0].cramers_v.unwrap() - 1.0).abs() < 1e-12);
        let bc = col(&scan, "b");
        assert_eq!((bc.kind, bc.distinct), (ColumnKind::Categorical, 2));
        assert!((bc.proxies[0].nmi.unwrap() - 1.0).abs() < 1e-12);
        // Serialises with snake_case kinds.
        let json = serde_json::to_string(&scan).unwrap();
        assert!(json.contains("\"kind\":\"categorical\""));
    }

    #[test]
    fn errors_name_the_problem() {
        let b = batch(vec![(
            "a",
            Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef,
        )]);
        let mut acc = ScanAccumulator::new(vec!["zzz".into()], vec!["g".into()]);
        let e = acc.update(&b, &[vec![0, 0]], None).unwrap_err();
        assert!(e.contains("zzz"), "{e}");
        let mut acc = ScanAccumulator::new(vec!["a".into()], vec!["g".into()]);
        let e = acc.update(&b, &[vec![0]], None).unwrap_err();
        assert!(e.contains("'g'"), "{e}");
    }
}
