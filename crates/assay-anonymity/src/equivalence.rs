//! Equivalence classes: the records that share every quasi-identifier value (Sweeney 2002,
//! "k-anonymity: a model for protecting privacy"; Samarati 2001), and, per class, how often each
//! value of each sensitive attribute occurs. Every measure of this crate is computed from a
//! [`Partition`] alone.
//!
//! The table is read in one streaming pass. Each quasi-identifier and sensitive cell is turned
//! into a per-column dictionary code (a hash lookup on the borrowed text; only a value seen for
//! the first time allocates); a record's class is found by looking its tuple of codes, kept in
//! one reused buffer, up in a hash map; the pair (class, sensitive code) is counted in another.
//! Nothing is allocated per row.
//!
//! Values are compared as pandas compares them after `read_csv`, because pycanon (the reference
//! implementation) groups a pandas DataFrame: a column whose every value is a number (an Arrow
//! numeric type, or text that parses as a float) is numeric, and its values are equal when
//! their numbers are (`1` and `1.0` are one value) and ordered by number; any other column is
//! text, compared and ordered by its characters (Unicode code points, as `numpy.unique`).
//! Missing values are an error rather than silently dropped (pandas' `groupby` would drop the
//! record from every class while keeping it in the table's distribution).

use std::path::{Path, PathBuf};

use ahash::AHashMap;
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use assay_data::source::{self, ColumnRequest, ReadOptions};

use crate::error::{AnonymityError, Result};

/// The distribution of one sensitive attribute over the table and within each equivalence
/// class: the inputs of l-diversity (Machanavajjhala et al. 2007), t-closeness (Li, Li &
/// Venkatasubramanian 2007), β-likeness (Cao & Karras 2012) and δ-disclosure privacy (Brickell
/// & Shmatikov 2008).
#[derive(Debug, Clone)]
pub struct Sensitive {
    /// Column name.
    pub name: String,
    /// Whether the column is numeric (then t-closeness uses the ordered distance).
    pub numeric: bool,
    /// The distinct values in ascending order (numeric or by characters), as first spelled.
    pub values: Vec<String>,
    /// Records with each value, indexed like `values`.
    pub totals: Vec<u64>,
    /// Per equivalence class: `(value index, records)` for the values present, by value index.
    pub classes: Vec<Vec<(u32, u64)>>,
}

/// A quasi-identifier value of an equivalence class: a number (the column is numeric) or text.
#[derive(Debug, Clone, PartialEq)]
pub enum QiValue {
    /// A value of a numeric column.
    Number(f64),
    /// A value of a text column.
    Text(String),
}

impl QiValue {
    /// A hashable key equal for equal values (`-0` and `0` are one number).
    pub fn key(&self) -> QiKey<'_> {
        match self {
            QiValue::Number(x) => QiKey::Number((x + 0.0).to_bits()),
            QiValue::Text(t) => QiKey::Text(t),
        }
    }
}

impl std::fmt::Display for QiValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QiValue::Number(x) => write!(f, "{x}"),
            QiValue::Text(t) => f.write_str(t),
        }
    }
}

/// The hashable form of a [`QiValue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QiKey<'a> {
    /// The bits of a number.
    Number(u64),
    /// Text.
    Text(&'a str),
}

/// The equivalence classes of a table under a set of quasi-identifiers, with the sensitive
/// attributes' distributions: everything the anonymity measures need (Sweeney 2002).
#[derive(Debug, Clone)]
pub struct Partition {
    /// The file the table came from (for messages).
    pub path: PathBuf,
    /// The quasi-identifier columns.
    pub quasi_identifiers: Vec<String>,
    /// Records in the table.
    pub records: u64,
    /// Size of each equivalence class (in order of first appearance).
    pub class_sizes: Vec<u64>,
    /// Each class's quasi-identifier values, in the order of `quasi_identifiers`.
    pub class_values: Vec<Vec<QiValue>>,
    /// One entry per sensitive attribute, in the order given.
    pub sensitive: Vec<Sensitive>,
}

/// A column's dictionary: each distinct text value gets a code.
#[derive(Default)]
struct Dictionary {
    codes: AHashMap<String, u32>,
    values: Vec<String>,
}

impl Dictionary {
    fn code(&mut self, v: &str) -> u32 {
        if let Some(&c) = self.codes.get(v) {
            return c;
        }
        let c = self.values.len() as u32;
        self.codes.insert(v.to_string(), c);
        self.values.push(v.to_string());
        c
    }

    /// The numbers of the values, if the column is numeric.
    fn numbers(&self) -> Option<Vec<f64>> {
        self.values
            .iter()
            .map(|v| v.trim().parse::<f64>().ok().filter(|x| !x.is_nan()))
            .collect()
    }

    /// Ranks of the codes in value order (equal numbers share a rank), the number of ranks, the
    /// first spelling of each rank and whether the column is numeric.
    fn ranks(&self) -> (Vec<u32>, Vec<String>, bool) {
        let numbers = self.numbers().filter(|_| !self.values.is_empty());
        let numeric = numbers.is_some();
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        match &numbers {
            Some(x) => order.sort_by(|&a, &b| {
                x[a as usize]
                    .partial_cmp(&x[b as usize])
                    .expect("no NaN")
                    .then(a.cmp(&b))
            }),
            None => order.sort_by(|&a, &b| self.values[a as usize].cmp(&self.values[b as usize])),
        }
        let mut rank = vec![0u32; self.values.len()];
        let mut spelled: Vec<String> = Vec::new();
        for (i, &c) in order.iter().enumerate() {
            let same = i > 0
                && match &numbers {
                    Some(x) => x[c as usize] == x[order[i - 1] as usize],
                    None => false, // text codes are distinct by construction
                };
            if !same {
                spelled.push(self.values[c as usize].clone());
            }
            rank[c as usize] = spelled.len() as u32 - 1;
        }
        (rank, spelled, numeric)
    }
}

/// Builds a [`Partition`] from record batches, one batch at a time.
pub struct PartitionBuilder {
    path: PathBuf,
    qi: Vec<String>,
    sa: Vec<String>,
    qi_dicts: Vec<Dictionary>,
    sa_dicts: Vec<Dictionary>,
    /// Raw class of each tuple of quasi-identifier codes.
    classes: AHashMap<Box<[u32]>, u32>,
    raw_sizes: Vec<u64>,
    /// Per sensitive attribute: records per (raw class << 32 | sensitive code).
    counts: Vec<AHashMap<u64, u64>>,
    key: Vec<u32>,
    rows: u64,
}

impl PartitionBuilder {
    /// A builder for the table in `path` (used in messages) with these quasi-identifiers and
    /// sensitive attributes; checks that there is at least one quasi-identifier and that no
    /// column is named twice.
    pub fn new(path: &Path, quasi_identifiers: &[String], sensitive: &[String]) -> Result<Self> {
        if quasi_identifiers.is_empty() {
            return Err(AnonymityError::NoQuasiIdentifiers {
                path: path.to_path_buf(),
            });
        }
        let all: Vec<&String> = quasi_identifiers.iter().chain(sensitive).collect();
        for (i, c) in all.iter().enumerate() {
            if all[..i].contains(c) {
                return Err(AnonymityError::RepeatedColumn {
                    path: path.to_path_buf(),
                    column: c.to_string(),
                });
            }
        }
        Ok(PartitionBuilder {
            path: path.to_path_buf(),
            qi: quasi_identifiers.to_vec(),
            sa: sensitive.to_vec(),
            qi_dicts: quasi_identifiers
                .iter()
                .map(|_| Dictionary::default())
                .collect(),
            sa_dicts: sensitive.iter().map(|_| Dictionary::default()).collect(),
            classes: AHashMap::new(),
            raw_sizes: Vec::new(),
            counts: sensitive.iter().map(|_| AHashMap::new()).collect(),
            key: vec![0; quasi_identifiers.len()],
            rows: 0,
        })
    }

    /// The named column of `batch` as text (numbers cast to their decimal text, which parses
    /// back to the same number), checked for missing values.
    fn text_column(&self, batch: &RecordBatch, name: &str) -> Result<ArrayRef> {
        let col = batch
            .column_by_name(name)
            .ok_or_else(|| AnonymityError::MissingColumn {
                path: self.path.clone(),
                column: name.to_string(),
            })?;
        if col.null_count() > 0 {
            let i = (0..col.len()).find(|&i| col.is_null(i)).unwrap_or(0);
            return Err(AnonymityError::MissingValue {
                path: self.path.clone(),
                column: name.to_string(),
                row: self.rows + i as u64 + 1,
            });
        }
        let text = match col.data_type() {
            DataType::Utf8 => col.clone(),
            t => arrow_cast::cast(col, &DataType::Utf8).map_err(|e| {
                AnonymityError::UnsupportedType {
                    path: self.path.clone(),
                    column: name.to_string(),
                    data_type: t.to_string(),
                    message: e.to_string(),
                }
            })?,
        };
        Ok(text)
    }

    /// Adds the records of one batch.
    pub fn add_batch(&mut self, batch: &RecordBatch) -> Result<()> {
        let mut qi_cols = Vec::with_capacity(self.qi.len());
        for name in &self.qi {
            qi_cols.push(self.text_column(batch, name)?);
        }
        let mut sa_cols = Vec::with_capacity(self.sa.len());
        for name in &self.sa {
            sa_cols.push(self.text_column(batch, name)?);
        }
        let qi_text: Vec<_> = qi_cols.iter().map(|a| a.as_string::<i32>()).collect();
        let sa_text: Vec<_> = sa_cols.iter().map(|a| a.as_string::<i32>()).collect();
        for row in 0..batch.num_rows() {
            for (j, col) in qi_text.iter().enumerate() {
                self.key[j] = self.qi_dicts[j].code(col.value(row));
            }
            let class = match self.classes.get(&self.key[..]) {
                Some(&c) => c,
                None => {
                    let c = self.raw_sizes.len() as u32;
                    self.classes.insert(self.key.clone().into_boxed_slice(), c);
                    self.raw_sizes.push(0);
                    c
                }
            };
            self.raw_sizes[class as usize] += 1;
            for (j, col) in sa_text.iter().enumerate() {
                let code = self.sa_dicts[j].code(col.value(row));
                *self.counts[j]
                    .entry(((class as u64) << 32) | code as u64)
                    .or_insert(0) += 1;
            }
        }
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// The partition: classes whose quasi-identifier values are equal as numbers are merged,
    /// and sensitive values are put in ascending order.
    pub fn finish(self) -> Result<Partition> {
        if self.rows == 0 {
            return Err(AnonymityError::EmptyTable { path: self.path });
        }
        // Canonical code of each quasi-identifier value (equal numbers share one).
        let qi_ranks: Vec<(Vec<u32>, Vec<String>, bool)> =
            self.qi_dicts.iter().map(Dictionary::ranks).collect();
        let mut raw_keys: Vec<(&[u32], u32)> =
            self.classes.iter().map(|(k, &c)| (&k[..], c)).collect();
        raw_keys.sort_unstable_by_key(|&(_, c)| c);
        let mut finals: AHashMap<Vec<u32>, u32> = AHashMap::new();
        let mut raw_to_final = vec![0u32; raw_keys.len()];
        let mut class_sizes: Vec<u64> = Vec::new();
        let mut class_values: Vec<Vec<QiValue>> = Vec::new();
        for (key, raw) in raw_keys {
            let ckey: Vec<u32> = key
                .iter()
                .zip(&qi_ranks)
                .map(|(&c, (rank, _, _))| rank[c as usize])
                .collect();
            let next = class_sizes.len() as u32;
            let f = *finals.entry(ckey.clone()).or_insert(next);
            if f == next {
                class_sizes.push(0);
                class_values.push(
                    ckey.iter()
                        .zip(&qi_ranks)
                        .map(|(&r, (_, spelled, numeric))| {
                            let v = &spelled[r as usize];
                            match v.trim().parse::<f64>() {
                                Ok(x) if *numeric => QiValue::Number(x),
                                _ => QiValue::Text(v.clone()),
                            }
                        })
                        .collect(),
                );
            }
            class_sizes[f as usize] += self.raw_sizes[raw as usize];
            raw_to_final[raw as usize] = f;
        }
        let mut sensitive = Vec::with_capacity(self.sa.len());
        for ((name, dict), counts) in self.sa.iter().zip(&self.sa_dicts).zip(&self.counts) {
            let (rank, values, numeric) = dict.ranks();
            let mut totals = vec![0u64; values.len()];
            let mut classes: Vec<Vec<(u32, u64)>> = vec![Vec::new(); class_sizes.len()];
            for (&packed, &n) in counts {
                let raw = (packed >> 32) as usize;
                let r = rank[(packed & 0xffff_ffff) as usize];
                totals[r as usize] += n;
                classes[raw_to_final[raw] as usize].push((r, n));
            }
            for c in &mut classes {
                c.sort_unstable();
                let mut merged: Vec<(u32, u64)> = Vec::with_capacity(c.len());
                for &(r, n) in c.iter() {
                    match merged.last_mut() {
                        Some(last) if last.0 == r => last.1 += n,
                        _ => merged.push((r, n)),
                    }
                }
                *c = merged;
            }
            sensitive.push(Sensitive {
                name: name.clone(),
                numeric,
                values,
                totals,
                classes,
            });
        }
        Ok(Partition {
            path: self.path,
            quasi_identifiers: self.qi,
            records: self.rows,
            class_sizes,
            class_values,
            sensitive,
        })
    }
}

impl Partition {
    /// Reads `path` (CSV, Parquet or Arrow IPC, through [`assay_data::source::open`]) and
    /// groups its records into equivalence classes on `quasi_identifiers`, counting the values
    /// of each of `sensitive` per class. CSV columns are read as text and typed as described in
    /// the module documentation.
    pub fn from_path(
        path: &Path,
        opts: &ReadOptions,
        quasi_identifiers: &[String],
        sensitive: &[String],
    ) -> Result<Partition> {
        let mut builder = PartitionBuilder::new(path, quasi_identifiers, sensitive)?;
        let requests: Vec<ColumnRequest> = quasi_identifiers
            .iter()
            .map(|c| (c, "quasi-identifier"))
            .chain(sensitive.iter().map(|c| (c, "sensitive attribute")))
            .map(|(c, role)| ColumnRequest {
                name: c.clone(),
                text_as: assay_data::csv::TextType::Utf8,
                role: role.to_string(),
            })
            .collect();
        for batch in source::open(path, opts, Some(&requests))? {
            builder.add_batch(&batch?)?;
        }
        builder.finish()
    }

    /// Number of equivalence classes.
    pub fn classes(&self) -> usize {
        self.class_sizes.len()
    }

    /// The sensitive attributes, or an error if there are none.
    pub(crate) fn require_sensitive(&self) -> Result<&[Sensitive]> {
        if self.sensitive.is_empty() {
            return Err(AnonymityError::NoSensitiveAttributes {
                path: self.path.clone(),
            });
        }
        Ok(&self.sensitive)
    }
}
