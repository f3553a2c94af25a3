//! The single pass: role columns of each record batch are read, each row's
//! group (the combination of its sensitive-feature values) is found, and the
//! row is added to that group's [`GroupStats`]. Accumulators over different
//! batches merge (by group values), so batches can be processed in any split.

use std::path::PathBuf;

use ahash::AHashMap;
use arrow_array::{Array, RecordBatch};

use assay_data::column::{view, ColumnView};
use assay_data::{Binning, ColumnRoles, DataError};

use crate::extract::{self, fmt_num, BinarySeen, CellError, PositiveSpec};
use crate::stats::GroupStats;

/// Largest number of distinct values one sensitive feature may take.
pub const MAX_FEATURE_VALUES: usize = 65_535;

/// A value of a sensitive feature.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupValue {
    /// A text category.
    Text(String),
    /// A number used as a category.
    Num(f64),
    /// A bin of a binned numeric feature.
    Bin(usize),
}

/// Dictionary of one sensitive feature's values.
#[derive(Debug, Clone)]
pub struct FeatureCoder {
    /// The column.
    pub name: String,
    /// Binning, for binned numeric features.
    pub binning: Option<Binning>,
    text: AHashMap<String, u32>,
    num: AHashMap<u64, u32>,
    /// Values by code.
    pub values: Vec<GroupValue>,
}

impl FeatureCoder {
    fn new(name: &str, binning: Option<Binning>) -> Self {
        let mut c = FeatureCoder {
            name: name.to_string(),
            binning,
            text: Default::default(),
            num: Default::default(),
            values: Vec::new(),
        };
        if let Some(b) = &c.binning {
            c.values = (0..=b.edges.len()).map(GroupValue::Bin).collect();
        }
        c
    }

    fn too_many(&self) -> String {
        format!(
            "more than {MAX_FEATURE_VALUES} distinct values: this looks like an identifier, not a group; bin a numeric feature"
        )
    }

    #[inline]
    fn code_text(&mut self, v: &str) -> Result<u32, String> {
        if let Some(&c) = self.text.get(v) {
            return Ok(c);
        }
        if self.values.len() >= MAX_FEATURE_VALUES {
            return Err(self.too_many());
        }
        let c = self.values.len() as u32;
        self.text.insert(v.to_string(), c);
        self.values.push(GroupValue::Text(v.to_string()));
        Ok(c)
    }

    #[inline]
    fn code_num(&mut self, v: f64) -> Result<u32, String> {
        let v = if v == 0.0 { 0.0 } else { v };
        if let Some(&c) = self.num.get(&v.to_bits()) {
            return Ok(c);
        }
        if self.values.len() >= MAX_FEATURE_VALUES {
            return Err(self.too_many());
        }
        let c = self.values.len() as u32;
        self.num.insert(v.to_bits(), c);
        self.values.push(GroupValue::Num(v));
        Ok(c)
    }

    fn code_value(&mut self, v: &GroupValue) -> Result<u32, String> {
        match v {
            GroupValue::Text(s) => self.code_text(s),
            GroupValue::Num(x) => self.code_num(*x),
            GroupValue::Bin(b) => Ok(*b as u32),
        }
    }

    /// Display string of a value.
    pub fn display(&self, v: &GroupValue) -> String {
        match v {
            GroupValue::Text(s) => s.clone(),
            GroupValue::Num(x) => fmt_num(*x),
            GroupValue::Bin(i) => self
                .binning
                .as_ref()
                .map(|b| b.label(*i))
                .unwrap_or_default(),
        }
    }
}

/// Options of the pass.
#[derive(Debug, Clone)]
pub struct PassOptions {
    /// Column roles.
    pub roles: ColumnRoles,
    /// Skip (and count) rows with invalid role cells instead of failing.
    pub drop_invalid: bool,
    /// The input file, for error messages.
    pub path: PathBuf,
}

/// Counts of rows skipped as invalid (the `drop_invalid` option), by column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dropped {
    /// Rows skipped in total.
    pub rows: u64,
    /// (column, rows with an invalid cell in it); a row may count in several.
    pub by_column: Vec<(String, u64)>,
}

/// The streaming accumulator of per-group statistics.
#[derive(Debug, Clone)]
pub struct Accumulator {
    opts: PassOptions,
    weighted: bool,
    with_scores: bool,
    coders: Vec<FeatureCoder>,
    combo_index: AHashMap<u64, u32>,
    combos: Vec<u64>,
    stats: Vec<GroupStats>,
    rows: u64,
    dropped: Dropped,
    score_range: (f64, f64),
    label_seen: BinarySeen,
    pred_seen: BinarySeen,
    // Reused per-batch buffers.
    label: Vec<bool>,
    pred: Vec<bool>,
    score: Vec<f64>,
    weight: Vec<f64>,
    codes: Vec<Vec<u32>>,
    valid: Vec<bool>,
}

/// The result of the pass: statistics per combination group.
#[derive(Debug, Clone)]
pub struct GroupTable {
    /// Sensitive feature names.
    pub features: Vec<String>,
    /// Display values of each feature, sorted (text lexicographically, numbers and bins in order).
    pub values: Vec<Vec<String>>,
    /// Groups sorted by their value codes: (code per feature, statistics).
    pub groups: Vec<(Vec<u32>, GroupStats)>,
    /// Rows read (including dropped ones).
    pub rows: u64,
    /// Rows skipped as invalid (the `drop_invalid` option).
    pub dropped: Dropped,
    /// Whether a weight column was used.
    pub weighted: bool,
    /// Whether a score column was used.
    pub has_score: bool,
    /// Smallest and largest score seen.
    pub score_range: (f64, f64),
    /// Distinct label values seen.
    pub label_values: Vec<String>,
    /// Distinct prediction values seen (empty when derived from a score).
    pub prediction_values: Vec<String>,
}

impl GroupTable {
    /// Whether every score lies in [0, 1] (so Brier and ECE apply).
    pub fn probability_score(&self) -> bool {
        self.has_score && self.score_range.0 >= 0.0 && self.score_range.1 <= 1.0
    }
}

impl Accumulator {
    /// A new, empty accumulator.
    pub fn new(opts: PassOptions) -> Self {
        let coders = opts
            .roles
            .sensitive
            .iter()
            .map(|s| FeatureCoder::new(s, opts.roles.binning(s).cloned()))
            .collect::<Vec<_>>();
        let k = coders.len();
        Accumulator {
            weighted: opts.roles.weight.is_some(),
            with_scores: opts.roles.score.is_some(),
            opts,
            coders,
            combo_index: Default::default(),
            combos: Vec::new(),
            stats: Vec::new(),
            rows: 0,
            dropped: Dropped::default(),
            score_range: (f64::INFINITY, f64::NEG_INFINITY),
            label_seen: Default::default(),
            pred_seen: Default::default(),
            label: Vec::new(),
            pred: Vec::new(),
            score: Vec::new(),
            weight: Vec::new(),
            codes: vec![Vec::new(); k],
            valid: Vec::new(),
        }
    }

    /// Rows read so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Per-feature codes of the last batch's rows (for the bias scan).
    pub fn last_codes(&self) -> &[Vec<u32>] {
        &self.codes
    }

    /// Validity of the last batch's rows (false for rows dropped).
    pub fn last_valid(&self) -> &[bool] {
        &self.valid
    }

    /// Display values of each feature by code (unsorted; for the bias scan).
    pub fn feature_values(&self) -> Vec<Vec<String>> {
        self.coders
            .iter()
            .map(|c| c.values.iter().map(|v| c.display(v)).collect())
            .collect()
    }

    fn column<'a>(
        &self,
        batch: &'a RecordBatch,
        name: &str,
        role: &str,
    ) -> Result<&'a arrow_array::ArrayRef, DataError> {
        batch.column_by_name(name).ok_or_else(|| {
            let names: Vec<String> = batch
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect();
            DataError::MissingColumn {
                path: self.opts.path.clone(),
                column: name.to_string(),
                role: role.to_string(),
                available: names.join(", "),
                hint: assay_data::source::missing_hint(name, &names),
            }
        })
    }

    fn cell_error(&self, column: &str, base: u64, e: CellError) -> DataError {
        if let Some(option) = e.option {
            return DataError::NeedsOption {
                path: self.opts.path.clone(),
                column: column.to_string(),
                row: e.row.map(|i| base + i as u64 + 1),
                message: e.message,
                option,
            };
        }
        match e.row {
            Some(i) => {
                DataError::bad_value(&self.opts.path, column, base + i as u64 + 1, e.message)
            }
            None => DataError::BadColumn {
                path: self.opts.path.clone(),
                column: column.to_string(),
                message: e.message,
            },
        }
    }

    /// Adds the rows of one batch.
    pub fn update(&mut self, batch: &RecordBatch) -> Result<(), DataError> {
        let n = batch.num_rows();
        let base = self.rows;
        let path = self.opts.path.clone();
        let drop_invalid = self.opts.drop_invalid;
        self.valid.clear();
        self.valid.resize(n, true);
        let roles = self.opts.roles.clone();
        let mut dropped_cols: Vec<(String, u64)> = Vec::new();

        // One closure type per role column: mark the row invalid or fail.
        macro_rules! invalid_fn {
            ($valid:expr, $count:expr) => {
                |i: usize, msg: String| -> Result<(), CellError> {
                    if drop_invalid {
                        $valid[i] = false;
                        *$count += 1;
                        Ok(())
                    } else {
                        Err(CellError {
                            row: Some(i),
                            message: msg,
                            option: None,
                        })
                    }
                }
            };
        }

        // Label.
        let col = view(
            self.column(batch, &roles.label, "label")?,
            &path,
            &roles.label,
        )?;
        let positive = PositiveSpec {
            value: roles.positive.clone(),
        };
        let mut cnt = 0u64;
        let mut label = std::mem::take(&mut self.label);
        let r = extract::read_binary(
            &col,
            &positive,
            &mut self.label_seen,
            &mut label,
            invalid_fn!(self.valid, &mut cnt),
        );
        self.label = label;
        r.map_err(|e| self.cell_error(&roles.label, base, e))?;
        dropped_cols.push((roles.label.clone(), cnt));

        // Score.
        if let Some(sc) = &roles.score {
            let col = view(self.column(batch, sc, "score")?, &path, sc)?;
            let mut cnt = 0u64;
            let mut score = std::mem::take(&mut self.score);
            let r = extract::read_number(
                &col,
                &mut score,
                |v| (!v.is_finite()).then_some("expected a finite score"),
                invalid_fn!(self.valid, &mut cnt),
            );
            self.score = score;
            r.map_err(|e| self.cell_error(sc, base, e))?;
            dropped_cols.push((sc.clone(), cnt));
        } else {
            self.score.clear();
            self.score.resize(n, 0.0);
        }

        // Prediction.
        match (&roles.prediction, roles.threshold) {
            (Some(p), _) => {
                let col = view(self.column(batch, p, "prediction")?, &path, p)?;
                let mut cnt = 0u64;
                let mut pred = std::mem::take(&mut self.pred);
                let r = extract::read_binary(
                    &col,
                    &positive,
                    &mut self.pred_seen,
                    &mut pred,
                    invalid_fn!(self.valid, &mut cnt),
                );
                self.pred = pred;
                r.map_err(|e| self.cell_error(p, base, e))?;
                dropped_cols.push((p.clone(), cnt));
            }
            (None, Some(t)) => {
                self.pred.clear();
                self.pred.extend(self.score.iter().map(|&s| s >= t));
            }
            (None, None) => return Err(DataError::Option {
                option: "prediction",
                message:
                    "no prediction: name a prediction column, or a score column with a threshold"
                        .into(),
            }),
        }

        // Weight.
        if let Some(wc) = &roles.weight {
            let col = view(self.column(batch, wc, "weight")?, &path, wc)?;
            let mut cnt = 0u64;
            let mut weight = std::mem::take(&mut self.weight);
            let r = extract::read_number(
                &col,
                &mut weight,
                |v| {
                    (!(v.is_finite() && v >= 0.0))
                        .then_some("expected a finite, non-negative weight")
                },
                invalid_fn!(self.valid, &mut cnt),
            );
            self.weight = weight;
            r.map_err(|e| self.cell_error(wc, base, e))?;
            dropped_cols.push((wc.clone(), cnt));
        } else {
            self.weight.clear();
            self.weight.resize(n, 1.0);
        }

        // Sensitive features.
        for f in 0..self.coders.len() {
            let name = self.coders[f].name.clone();
            let arr = self.column(batch, &name, "sensitive feature")?.clone();
            let col = view(&arr, &path, &name)?;
            let mut codes = std::mem::take(&mut self.codes[f]);
            codes.clear();
            let mut cnt = 0u64;
            let mut valid = std::mem::take(&mut self.valid);
            let r = code_feature(
                &mut self.coders[f],
                &col,
                &mut codes,
                invalid_fn!(valid, &mut cnt),
            );
            self.valid = valid;
            self.codes[f] = codes;
            r.map_err(|e| self.cell_error(&name, base, e))?;
            dropped_cols.push((name, cnt));
        }

        // Accumulate.
        let k = self.coders.len();
        for i in 0..n {
            if !self.valid[i] {
                continue;
            }
            let mut key = 0u64;
            for f in 0..k {
                key |= (self.codes[f][i] as u64) << (16 * f);
            }
            let g = match self.combo_index.get(&key) {
                Some(&g) => g as usize,
                None => {
                    let g = self.stats.len();
                    self.combo_index.insert(key, g as u32);
                    self.combos.push(key);
                    self.stats.push(GroupStats::new(self.with_scores));
                    g
                }
            };
            let (y, p, s, w) = (self.label[i], self.pred[i], self.score[i], self.weight[i]);
            if self.with_scores {
                self.score_range.0 = self.score_range.0.min(s);
                self.score_range.1 = self.score_range.1.max(s);
            }
            self.stats[g].add(y, p, w, s, self.weighted);
        }

        let dropped_now = self.valid.iter().filter(|v| !**v).count() as u64;
        self.dropped.rows += dropped_now;
        for (c, m) in dropped_cols {
            if m == 0 {
                continue;
            }
            match self.dropped.by_column.iter_mut().find(|(x, _)| *x == c) {
                Some(e) => e.1 += m,
                None => self.dropped.by_column.push((c, m)),
            }
        }
        self.rows += n as u64;
        Ok(())
    }
}

fn code_feature(
    coder: &mut FeatureCoder,
    col: &ColumnView,
    out: &mut Vec<u32>,
    mut invalid: impl FnMut(usize, String) -> Result<(), CellError>,
) -> Result<(), CellError> {
    // Every coding error is a feature with too many values: binning fixes it.
    let at = |i: usize, m: String| CellError::needs("bins", Some(i), m);
    match (col, &coder.binning) {
        (ColumnView::Num(a), Some(b)) => {
            for i in 0..a.len() {
                let v = a.value(i);
                if a.is_null(i) || v.is_nan() {
                    invalid(i, "empty or NaN cell in a sensitive feature".into())?;
                    out.push(0);
                } else {
                    out.push(b.bin(v) as u32);
                }
            }
        }
        (ColumnView::Text(a), Some(b)) => {
            for i in 0..a.len() {
                if a.is_null(i) {
                    invalid(i, "empty cell in a sensitive feature".into())?;
                    out.push(0);
                    continue;
                }
                match a.value(i).trim().parse::<f64>() {
                    Ok(v) if !v.is_nan() => out.push(b.bin(v) as u32),
                    _ => {
                        return Err(at(
                            i,
                            format!("binning needs numbers, found '{}'", a.value(i)),
                        ))
                    }
                }
            }
        }
        (ColumnView::Bool(_), Some(_)) => {
            return Err(CellError::needs(
                "bins",
                None,
                "binning needs a numeric column, found booleans".into(),
            ))
        }
        (ColumnView::Num(a), None) => {
            for i in 0..a.len() {
                let v = a.value(i);
                if a.is_null(i) || v.is_nan() {
                    invalid(i, "empty or NaN cell in a sensitive feature".into())?;
                    out.push(0);
                } else {
                    out.push(coder.code_num(v).map_err(|m| at(i, m))?);
                }
            }
        }
        (ColumnView::Text(a), None) => {
            for i in 0..a.len() {
                if a.is_null(i) {
                    invalid(i, "empty cell in a sensitive feature".into())?;
                    out.push(0);
                } else {
                    out.push(coder.code_text(a.value(i)).map_err(|m| at(i, m))?);
                }
            }
        }
        (ColumnView::Bool(a), None) => {
            for i in 0..a.len() {
                if a.is_null(i) {
                    invalid(i, "empty cell in a sensitive feature".into())?;
                    out.push(0);
                } else {
                    let s = if a.value(i) { "true" } else { "false" };
                    out.push(coder.code_text(s).map_err(|m| at(i, m))?);
                }
            }
        }
    }
    Ok(())
}

impl Accumulator {
    fn decode(&self, key: u64) -> Vec<u32> {
        (0..self.coders.len())
            .map(|f| ((key >> (16 * f)) & 0xffff) as u32)
            .collect()
    }

    /// Merges an accumulator of other rows of the same input (same roles),
    /// matching groups by their values.
    pub fn merge(&mut self, other: Accumulator) -> Result<(), DataError> {
        let maps: Vec<Vec<u32>> = other
            .coders
            .iter()
            .enumerate()
            .map(|(f, oc)| {
                oc.values
                    .iter()
                    .map(|v| self.coders[f].code_value(v))
                    .collect::<Result<Vec<u32>, String>>()
            })
            .collect::<Result<_, String>>()
            .map_err(DataError::Config)?;
        for (okey, st) in other.combos.iter().zip(&other.stats) {
            let codes = other.decode(*okey);
            let mut key = 0u64;
            for (f, c) in codes.iter().enumerate() {
                key |= (maps[f][*c as usize] as u64) << (16 * f);
            }
            match self.combo_index.get(&key) {
                Some(&g) => self.stats[g as usize].merge(st),
                None => {
                    self.combo_index.insert(key, self.stats.len() as u32);
                    self.combos.push(key);
                    self.stats.push(st.clone());
                }
            }
        }
        self.rows += other.rows;
        self.dropped.rows += other.dropped.rows;
        for (c, m) in other.dropped.by_column {
            match self.dropped.by_column.iter_mut().find(|(x, _)| *x == c) {
                Some(e) => e.1 += m,
                None => self.dropped.by_column.push((c, m)),
            }
        }
        let column = |c: &str, m: String| DataError::BadColumn {
            path: self.opts.path.clone(),
            column: c.to_string(),
            message: m,
        };
        self.label_seen
            .merge(&other.label_seen)
            .map_err(|m| column(&self.opts.roles.label, m))?;
        if let Some(p) = &self.opts.roles.prediction {
            self.pred_seen
                .merge(&other.pred_seen)
                .map_err(|m| column(p, m))?;
        }
        self.score_range.0 = self.score_range.0.min(other.score_range.0);
        self.score_range.1 = self.score_range.1.max(other.score_range.1);
        Ok(())
    }

    /// Finishes the pass: groups sorted by their values, codes renumbered in that order.
    pub fn finish(self) -> GroupTable {
        let mut values = Vec::new();
        let mut remap: Vec<Vec<u32>> = Vec::new();
        for c in &self.coders {
            let mut order: Vec<usize> = (0..c.values.len()).collect();
            order.sort_by(|&a, &b| match (&c.values[a], &c.values[b]) {
                (GroupValue::Num(x), GroupValue::Num(y)) => x.total_cmp(y),
                (GroupValue::Bin(x), GroupValue::Bin(y)) => x.cmp(y),
                (va, vb) => c.display(va).cmp(&c.display(vb)),
            });
            let mut m = vec![0u32; c.values.len()];
            for (new, &old) in order.iter().enumerate() {
                m[old] = new as u32;
            }
            // Bins that no row fell into are not groups.
            values.push(
                order
                    .iter()
                    .map(|&o| c.display(&c.values[o]))
                    .collect::<Vec<_>>(),
            );
            remap.push(m);
        }
        let decoded: Vec<Vec<u32>> = self.combos.iter().map(|k| self.decode(*k)).collect();
        let mut groups: Vec<(Vec<u32>, GroupStats)> = decoded
            .into_iter()
            .zip(self.stats)
            .map(|(dk, st)| {
                let codes: Vec<u32> = dk
                    .iter()
                    .enumerate()
                    .map(|(f, c)| remap[f][*c as usize])
                    .collect();
                (codes, st)
            })
            .collect();
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        GroupTable {
            features: self.coders.iter().map(|c| c.name.clone()).collect(),
            values,
            groups,
            rows: self.rows,
            dropped: self.dropped,
            weighted: self.weighted,
            has_score: self.with_scores,
            score_range: self.score_range,
            label_values: self.label_seen.values().to_vec(),
            prediction_values: self.pred_seen.values().to_vec(),
        }
    }
}
