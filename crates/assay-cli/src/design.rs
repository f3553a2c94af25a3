//! Reading a table into a model's design matrix: the one data path of `assay train` and
//! `assay mitigate`.
//!
//! The table is streamed once through assay-data; numeric feature columns are kept as numbers
//! (optionally imputed and standardised), categorical ones are one-hot encoded over their
//! sorted categories (linear models) or coded by their position in them (trees). The fitted
//! [`FeatureSpec`]s are what a saved model records, and [`encode_table`] applies them to
//! another table (a test set) so that it is encoded exactly as training was.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use arrow_array::Array;

use assay_data::csv::TextType;
use assay_data::source::ColumnRequest;
use assay_data::DataError;
use assay_fairness::extract::{view, ColumnView};
use assay_model::learners::schema::{encode_row, Unknown};
use assay_model::learners::{FeatureSpec, FeatureValue};

use crate::input::InputArgs;

/// A parsed `--impute` strategy.
#[derive(Clone, Copy)]
pub enum Impute {
    Mean,
    Median,
    Constant(f64),
}

pub fn parse_impute(s: &str) -> Result<Impute, String> {
    match s {
        "mean" => Ok(Impute::Mean),
        "median" => Ok(Impute::Median),
        _ => s
            .strip_prefix("constant=")
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .map(Impute::Constant)
            .ok_or_else(|| {
                format!(
                    "--impute: expected mean, median or constant=V (a finite number), found '{s}'"
                )
            }),
    }
}

/// The fill value of a numeric column: its mean, median (of the present values; the average
/// of the two middle values for an even count, as numpy) or a constant. `None` when every cell
/// is missing.
fn fill_value(v: &[f64], how: Impute) -> Option<f64> {
    let mut present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if present.is_empty() {
        return None;
    }
    Some(match how {
        Impute::Constant(c) => c,
        Impute::Mean => present.iter().sum::<f64>() / present.len() as f64,
        Impute::Median => {
            present.sort_by(f64::total_cmp);
            let m = present.len() / 2;
            if present.len() % 2 == 1 {
                present[m]
            } else {
                (present[m - 1] + present[m]) / 2.0
            }
        }
    })
}

/// A categorical column's values as codes into a dictionary in first-seen order.
#[derive(Default)]
pub struct Codes {
    index: HashMap<String, u32>,
    values: Vec<String>,
    codes: Vec<u32>,
}

impl Codes {
    fn push(&mut self, v: &str) {
        let code = match self.index.get(v) {
            Some(&c) => c,
            None => {
                let c = self.values.len() as u32;
                self.index.insert(v.to_string(), c);
                self.values.push(v.to_string());
                c
            }
        };
        self.codes.push(code);
    }

    /// The values sorted (numerically when all are numbers) and every code mapped into them.
    fn sorted(self, numeric_order: bool) -> (Vec<String>, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        let nums: Option<Vec<f64>> = numeric_order
            .then(|| self.values.iter().map(|v| v.parse().ok()).collect())
            .flatten();
        match &nums {
            Some(n) => order.sort_by(|&a, &b| n[a as usize].total_cmp(&n[b as usize])),
            None => order.sort_by(|&a, &b| self.values[a as usize].cmp(&self.values[b as usize])),
        }
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let mut values = self.values;
        let sorted = order
            .iter()
            .map(|&o| std::mem::take(&mut values[o as usize]))
            .collect();
        let codes = self.codes.iter().map(|&c| remap[c as usize]).collect();
        (sorted, codes)
    }
}

pub fn missing(path: &Path, column: &str, row: u64, role: &str) -> String {
    DataError::bad_value(
        path,
        column,
        row,
        format!("missing value; the {role} needs a value in every row"),
    )
    .to_string()
}

/// The cell as text (numbers in Rust's shortest form, booleans as `true`/`false`).
pub fn text_at(v: &ColumnView, i: usize) -> Option<String> {
    match v {
        ColumnView::Text(a) => a.is_valid(i).then(|| a.value(i).to_string()),
        ColumnView::Num(a) => a.is_valid(i).then(|| a.value(i).to_string()),
        ColumnView::Bool(a) => a.is_valid(i).then(|| a.value(i).to_string()),
    }
}

/// The cell as a finite number, or an error naming file, column and row.
pub fn num_at(
    v: &ColumnView,
    i: usize,
    path: &Path,
    column: &str,
    row: u64,
    role: &str,
) -> Result<f64, String> {
    let x = match v {
        ColumnView::Num(a) if a.is_valid(i) => a.value(i),
        ColumnView::Num(_) => return Err(missing(path, column, row, role)),
        ColumnView::Text(a) if a.is_null(i) => return Err(missing(path, column, row, role)),
        ColumnView::Bool(a) if a.is_null(i) => return Err(missing(path, column, row, role)),
        ColumnView::Text(a) => {
            return Err(DataError::bad_value(
                path,
                column,
                row,
                format!("expected a number for the {role}, found '{}'", a.value(i)),
            )
            .to_string())
        }
        ColumnView::Bool(_) => {
            return Err(DataError::bad_value(
                path,
                column,
                row,
                format!("expected a number for the {role}, found a boolean"),
            )
            .to_string())
        }
    };
    if !x.is_finite() {
        return Err(DataError::bad_value(
            path,
            column,
            row,
            format!("expected a finite number for the {role}, found {x}"),
        )
        .to_string());
    }
    Ok(x)
}

/// Whether the cell is null.
pub fn is_null(v: &ColumnView, i: usize) -> bool {
    match v {
        ColumnView::Text(a) => a.is_null(i),
        ColumnView::Num(a) => a.is_null(i),
        ColumnView::Bool(a) => a.is_null(i),
    }
}

/// One feature column as read.
enum Column {
    Num(Vec<f64>),
    Cat(Codes),
}

/// One feature column after the pass: numbers, or sorted categories and a code per row.
enum Stored {
    Num(Vec<f64>),
    Cat(Vec<String>, Vec<u32>),
}

/// What to read from a training table and how to encode it.
pub struct DesignSpec<'a> {
    /// Feature columns (numeric unless in `categorical`), then categorical ones not listed.
    pub features: &'a [String],
    /// Categorical feature columns.
    pub categorical: &'a [String],
    /// The label column.
    pub label: &'a str,
    /// The label value taken as positive (binary: label == value).
    pub positive: Option<&'a str>,
    /// The column of non-negative sample weights.
    pub weight: Option<&'a str>,
    /// Further columns read as text, one value per row (sensitive features); a missing cell is
    /// an error.
    pub extra: &'a [String],
    /// Categorical columns as ordinal codes (trees) instead of one-hot.
    pub ordinal: bool,
    /// Empty numeric cells are kept as missing values (NaN) instead of an error.
    pub allow_missing: bool,
    /// Imputation of missing numeric cells, learned on this table.
    pub impute: Option<Impute>,
    /// Standardise numeric features (mean 0, population standard deviation 1).
    pub standardize: bool,
    /// What an unseen category becomes at scoring time.
    pub unknown: Unknown,
    /// Numeric labels (regression) instead of classes.
    pub regression: bool,
}

/// A table read into a design matrix.
pub struct Design {
    /// The file read.
    pub path: PathBuf,
    /// How every feature column is encoded (fitted on this table).
    pub specs: Vec<FeatureSpec>,
    /// The encoded features, row-major `n × d`.
    pub x: Vec<f64>,
    /// Rows.
    pub n: usize,
    /// Encoded features per row.
    pub d: usize,
    /// Class index (or number, for regression) of every row.
    pub y: Vec<f64>,
    /// Names of the classes (empty for regression).
    pub class_names: Vec<String>,
    /// Sample weights, when a weight column was named.
    pub weights: Option<Vec<f64>>,
    /// The values of the [`DesignSpec::extra`] columns, one vector per column.
    pub extra: Vec<Vec<String>>,
}

/// The feature column names of `spec` in order (features, then categorical ones not listed),
/// checked for duplicates and for clashes with the label.
pub fn feature_names(spec: &DesignSpec) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = spec.features.to_vec();
    for c in spec.categorical {
        if !names.contains(c) {
            names.push(c.clone());
        }
    }
    if names.is_empty() {
        return Err("name the feature columns with --features (and/or --categorical)".into());
    }
    if let Some(dup) = names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].contains(n))
    {
        return Err(format!("column '{}' is named twice in --features", dup.1));
    }
    if names.iter().any(|n| n == spec.label) {
        return Err(format!(
            "the label column '{}' cannot also be a feature",
            spec.label
        ));
    }
    Ok(names)
}

/// Reads `data` once and builds its design matrix, fitting the feature encoding on it.
pub fn load_design(input: &InputArgs, data: &Path, spec: &DesignSpec) -> Result<Design, String> {
    let names = feature_names(spec)?;
    let is_cat: Vec<bool> = names.iter().map(|n| spec.categorical.contains(n)).collect();
    let mut requests: Vec<ColumnRequest> = names
        .iter()
        .zip(&is_cat)
        .map(|(n, &cat)| ColumnRequest {
            name: n.clone(),
            text_as: if cat {
                TextType::Utf8
            } else {
                TextType::Float64
            },
            role: if cat {
                "categorical feature"
            } else {
                "feature"
            }
            .into(),
        })
        .collect();
    requests.push(ColumnRequest {
        name: spec.label.to_string(),
        text_as: TextType::Utf8,
        role: "label".into(),
    });
    if let Some(w) = spec.weight {
        requests.push(ColumnRequest {
            name: w.to_string(),
            text_as: TextType::Float64,
            role: "weight".into(),
        });
    }
    for e in spec.extra {
        if !requests.iter().any(|r| &r.name == e) {
            requests.push(ColumnRequest {
                name: e.clone(),
                text_as: TextType::Utf8,
                role: "sensitive feature".into(),
            });
        }
    }
    let stream = input.open(data, &requests, false)?;
    let path = stream.path().to_path_buf();
    let keep_missing = spec.allow_missing || spec.impute.is_some();

    let mut columns: Vec<Column> = is_cat
        .iter()
        .map(|&cat| {
            if cat {
                Column::Cat(Codes::default())
            } else {
                Column::Num(Vec::new())
            }
        })
        .collect();
    let mut label = Codes::default();
    let mut weights: Vec<f64> = Vec::new();
    let mut extra: Vec<Vec<String>> = vec![Vec::new(); spec.extra.len()];
    let mut n_rows: u64 = 0;
    for batch in stream {
        let batch = batch.map_err(|e| e.to_string())?;
        let get = |name: &str| -> Result<ColumnView, String> {
            let arr = batch
                .column_by_name(name)
                .ok_or_else(|| format!("{}: no column named '{name}'", path.display()))?;
            view(arr, &path, name).map_err(|e| e.to_string())
        };
        let rows = batch.num_rows();
        for (name, col) in names.iter().zip(&mut columns) {
            let v = get(name)?;
            for i in 0..rows {
                let row = n_rows + i as u64 + 1;
                match col {
                    Column::Num(out) if keep_missing && is_null(&v, i) => out.push(f64::NAN),
                    Column::Num(out) => out.push(num_at(&v, i, &path, name, row, "feature")?),
                    Column::Cat(codes) => match text_at(&v, i) {
                        Some(t) => codes.push(&t),
                        None => return Err(missing(&path, name, row, "categorical feature")),
                    },
                }
            }
        }
        let v = get(spec.label)?;
        for i in 0..rows {
            let row = n_rows + i as u64 + 1;
            match text_at(&v, i) {
                Some(t) => label.push(&t),
                None => return Err(missing(&path, spec.label, row, "label")),
            }
        }
        if let Some(w) = spec.weight {
            let v = get(w)?;
            for i in 0..rows {
                let row = n_rows + i as u64 + 1;
                let x = num_at(&v, i, &path, w, row, "weight")?;
                if x < 0.0 {
                    return Err(DataError::bad_value(
                        &path,
                        w,
                        row,
                        format!("expected a non-negative weight, found {x}"),
                    )
                    .to_string());
                }
                weights.push(x);
            }
        }
        for (name, out) in spec.extra.iter().zip(&mut extra) {
            let v = get(name)?;
            for i in 0..rows {
                let row = n_rows + i as u64 + 1;
                match text_at(&v, i) {
                    Some(t) => out.push(t),
                    None => return Err(missing(&path, name, row, "sensitive feature")),
                }
            }
        }
        n_rows += rows as u64;
    }
    if n_rows == 0 {
        return Err(format!("{}: no data rows to train on", path.display()));
    }
    let n = n_rows as usize;

    let (class_names, y) = labels(&path, spec, label)?;

    // Feature schema and the encoded design matrix.
    let mut specs = Vec::with_capacity(names.len());
    let mut stored: Vec<Stored> = Vec::with_capacity(names.len());
    for (name, col) in names.iter().zip(columns) {
        match col {
            Column::Num(mut v) => {
                let fill = match spec.impute {
                    Some(how) => Some(fill_value(&v, how).ok_or_else(|| {
                        format!(
                            "{}: column '{name}' has no value to learn --impute from (every cell is missing)",
                            path.display()
                        )
                    })?),
                    None => None,
                };
                if let Some(f) = fill {
                    v.iter_mut().filter(|x| x.is_nan()).for_each(|x| *x = f);
                }
                let (mean, std) = if spec.standardize {
                    let mean = v.iter().sum::<f64>() / n as f64;
                    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
                    let std = var.sqrt();
                    (Some(mean), Some(if std > 0.0 { std } else { 1.0 }))
                } else {
                    (None, None)
                };
                specs.push(FeatureSpec::Numeric {
                    column: name.clone(),
                    mean,
                    std,
                    impute: fill,
                });
                stored.push(Stored::Num(v));
            }
            Column::Cat(codes) => {
                let (cats, codes) = codes.sorted(false);
                specs.push(if spec.ordinal {
                    FeatureSpec::Ordinal {
                        column: name.clone(),
                        categories: cats.clone(),
                        unknown: spec.unknown,
                    }
                } else {
                    FeatureSpec::Categorical {
                        column: name.clone(),
                        categories: cats.clone(),
                        unknown: spec.unknown,
                    }
                });
                stored.push(Stored::Cat(cats, codes));
            }
        }
    }
    let d: usize = specs.iter().map(FeatureSpec::width).sum();
    let mut x = vec![0.0; n * d];
    let mut cells: Vec<FeatureValue> = Vec::with_capacity(names.len());
    for i in 0..n {
        cells.clear();
        cells.extend(stored.iter().map(|s| match s {
            Stored::Num(v) => FeatureValue::Num(v[i]),
            Stored::Cat(cats, codes) => FeatureValue::Text(&cats[codes[i] as usize]),
        }));
        encode_row(&specs, &cells, &mut x[i * d..(i + 1) * d])
            .map_err(|e| format!("{}: row {}: {e}", path.display(), i + 1))?;
    }
    Ok(Design {
        path,
        specs,
        x,
        n,
        d,
        y,
        class_names,
        weights: spec.weight.map(|_| weights),
        extra,
    })
}

/// The labels as class indices (or numbers for regression) and the class names.
fn labels(path: &Path, spec: &DesignSpec, label: Codes) -> Result<(Vec<String>, Vec<f64>), String> {
    let (class_names, y): (Vec<String>, Vec<f64>) = match spec.positive {
        _ if spec.regression => {
            let values = label
                .values
                .iter()
                .map(|v| {
                    v.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
                        format!(
                            "{}: column '{}': the squared-error loss needs numeric labels, found '{v}'",
                            path.display(),
                            spec.label
                        )
                    })
                })
                .collect::<Result<Vec<f64>, String>>()?;
            (
                vec![],
                label.codes.iter().map(|&c| values[c as usize]).collect(),
            )
        }
        Some(pos) => {
            let Some(&code) = label.index.get(pos) else {
                return Err(format!(
                    "{}: column '{}': no row has the positive value '{pos}' (values: {})",
                    path.display(),
                    spec.label,
                    label
                        .values
                        .iter()
                        .take(10)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            let y = label
                .codes
                .iter()
                .map(|&c| f64::from(u8::from(c == code)))
                .collect();
            (vec![format!("not {pos}"), pos.to_string()], y)
        }
        None => {
            let (values, codes) = label.sorted(true);
            (values, codes.iter().map(|&c| f64::from(c)).collect())
        }
    };
    if !spec.regression && (class_names.len() < 2 || y.iter().all(|&v| v == y[0])) {
        return Err(format!(
            "{}: column '{}': the label needs at least two classes, all rows have '{}'",
            path.display(),
            spec.label,
            class_names[y[0] as usize]
        ));
    }
    Ok((class_names, y))
}

/// Encodes another table (a test set) with fitted `specs`: its features, its labels mapped to
/// the training `class_names` (with `positive`, label == value), and `extra` text columns.
/// A label value not among the training classes is an error naming the row.
pub fn encode_table(
    input: &InputArgs,
    data: &Path,
    specs: &[FeatureSpec],
    label: &str,
    class_names: &[String],
    positive: Option<&str>,
    extra: &[String],
) -> Result<Design, String> {
    let mut requests: Vec<ColumnRequest> = specs
        .iter()
        .map(|s| ColumnRequest {
            name: s.column().to_string(),
            text_as: match s {
                FeatureSpec::Numeric { .. } => TextType::Float64,
                _ => TextType::Utf8,
            },
            role: "feature".into(),
        })
        .collect();
    requests.push(ColumnRequest {
        name: label.to_string(),
        text_as: TextType::Utf8,
        role: "label".into(),
    });
    for e in extra {
        if !requests.iter().any(|r| &r.name == e) {
            requests.push(ColumnRequest {
                name: e.clone(),
                text_as: TextType::Utf8,
                role: "sensitive feature".into(),
            });
        }
    }
    let stream = input.open(data, &requests, false)?;
    let path = stream.path().to_path_buf();
    let d: usize = specs.iter().map(FeatureSpec::width).sum();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let mut extra_values: Vec<Vec<String>> = vec![Vec::new(); extra.len()];
    let mut n_rows: u64 = 0;
    let mut texts: Vec<Option<String>> = Vec::with_capacity(specs.len());
    let mut nums: Vec<f64> = Vec::with_capacity(specs.len());
    for batch in stream {
        let batch = batch.map_err(|e| e.to_string())?;
        let get = |name: &str| -> Result<ColumnView, String> {
            let arr = batch
                .column_by_name(name)
                .ok_or_else(|| format!("{}: no column named '{name}'", path.display()))?;
            view(arr, &path, name).map_err(|e| e.to_string())
        };
        let views = specs
            .iter()
            .map(|s| get(s.column()))
            .collect::<Result<Vec<_>, _>>()?;
        let label_view = get(label)?;
        let extra_views = extra
            .iter()
            .map(|e| get(e))
            .collect::<Result<Vec<_>, _>>()?;
        let rows = batch.num_rows();
        let start = x.len();
        x.resize(start + rows * d, 0.0);
        for i in 0..rows {
            let row = n_rows + i as u64 + 1;
            texts.clear();
            nums.clear();
            for (s, v) in specs.iter().zip(&views) {
                match s {
                    FeatureSpec::Numeric { impute, .. } => {
                        nums.push(if is_null(v, i) && impute.is_some() {
                            f64::NAN
                        } else {
                            num_at(v, i, &path, s.column(), row, "feature")?
                        });
                        texts.push(None);
                    }
                    _ => {
                        nums.push(0.0);
                        texts.push(Some(text_at(v, i).ok_or_else(|| {
                            missing(&path, s.column(), row, "categorical feature")
                        })?));
                    }
                }
            }
            let cells: Vec<FeatureValue> = nums
                .iter()
                .zip(&texts)
                .map(|(&v, t)| match t {
                    Some(t) => FeatureValue::Text(t),
                    None => FeatureValue::Num(v),
                })
                .collect();
            let at = start + i * d;
            encode_row(specs, &cells, &mut x[at..at + d])
                .map_err(|e| format!("{}: row {row}: {e}", path.display()))?;
            let value =
                text_at(&label_view, i).ok_or_else(|| missing(&path, label, row, "label"))?;
            let class = match positive {
                Some(p) => f64::from(u8::from(value == p)),
                None => class_names
                    .iter()
                    .position(|c| c == &value)
                    .ok_or_else(|| {
                        DataError::bad_value(
                            &path,
                            label,
                            row,
                            format!(
                                "label '{value}' is not one of the training classes ({})",
                                class_names.join(", ")
                            ),
                        )
                        .to_string()
                    })? as f64,
            };
            y.push(class);
            for ((name, v), out) in extra.iter().zip(&extra_views).zip(&mut extra_values) {
                out.push(
                    text_at(v, i).ok_or_else(|| missing(&path, name, row, "sensitive feature"))?,
                );
            }
        }
        n_rows += rows as u64;
    }
    if n_rows == 0 {
        return Err(format!("{}: no data rows", path.display()));
    }
    Ok(Design {
        path,
        specs: specs.to_vec(),
        x,
        n: n_rows as usize,
        d,
        y,
        class_names: class_names.to_vec(),
        weights: None,
        extra: extra_values,
    })
}
