//! Opening a file of any supported format as a stream of record batches.
//!
//! Formats: CSV (see [`crate::csv`]), Parquet (through the `parquet` crate's
//! Arrow reader) and Arrow IPC (file or stream format, through `arrow-ipc`).
//! Only the requested columns are decoded, and batches are yielded one at a
//! time, so memory stays bounded by the batch size whatever the file size.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use crate::csv::{CsvBatches, CsvOptions, TextType};
use crate::error::{DataError, Result};

/// A supported file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC, file ("Feather v2") or stream format.
    Ipc,
}

impl Format {
    /// Parses a format name as given on the command line (`csv`, `parquet`, `arrow`/`ipc`/`feather`).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" | "data" => Some(Format::Csv),
            "parquet" | "pq" => Some(Format::Parquet),
            "arrow" | "ipc" | "feather" | "arrows" => Some(Format::Ipc),
            _ => None,
        }
    }

    /// Picks the format from the file extension, else from the magic bytes
    /// (`PAR1`, `ARROW1`, or an IPC stream's continuation marker), else CSV. A file that is
    /// plainly not a table (a model or a JSON document: [`not_a_table`]) is refused with what it
    /// looks like, instead of being read as a one-column CSV.
    pub fn detect(path: &Path) -> Result<Format> {
        let mut head = [0u8; 512];
        let mut file = File::open(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let n = file.read(&mut head).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let head = &head[..n];
        let by_extension = path
            .extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_name);
        if let Some(looks_like) = not_a_table(path, head) {
            // A CSV, Parquet or Arrow extension is the user's word, except for `.txt` and
            // `.data`, which models and tables share.
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let trusted = by_extension.is_some()
                && !ext.eq_ignore_ascii_case("txt")
                && !ext.eq_ignore_ascii_case("data");
            if !trusted {
                return Err(DataError::NotATable {
                    path: path.to_path_buf(),
                    looks_like,
                });
            }
        }
        if let Some(f) = by_extension {
            return Ok(f);
        }
        Ok(if head.starts_with(b"PAR1") {
            Format::Parquet
        } else if head.starts_with(b"ARROW1") || head.starts_with(&[0xff; 4]) {
            Format::Ipc
        } else {
            Format::Csv
        })
    }
}

/// What a file that is not a table looks like, from its extension and first bytes: a model
/// saved by assay, an XGBoost, LightGBM or ONNX model, an assay report, or a JSON document.
/// `None` for anything that may be a table.
pub fn not_a_table(path: &Path, head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if t.starts_with('{') || t.starts_with('[') {
        let tag = |key: &str| {
            let k = format!("\"{key}\"");
            let at = t.find(&k)? + k.len();
            let rest = t[at..].trim_start().strip_prefix(':')?.trim_start();
            let rest = rest.strip_prefix('"')?;
            Some(rest[..rest.find('"')?].to_string())
        };
        return Some(
            if let Some(f) = tag("format").filter(|f| f.starts_with("assay.")) {
                format!("a model saved by assay ({f})")
            } else if let Some(s) = tag("schema").filter(|f| f.starts_with("assay.")) {
                format!("a report written by assay ({s})")
            } else if t.contains("\"learner\"") || t.contains("\"gradient_booster\"") {
                "an XGBoost model (JSON)".to_string()
            } else {
                "a JSON document".to_string()
            },
        );
    }
    if t.starts_with("tree\n") || t.starts_with("tree\r\n") {
        return Some("a LightGBM model (text)".to_string());
    }
    if ext == "onnx" || (head.first() == Some(&0x08) && head.iter().take(64).any(|&b| b == 0x12)) {
        return Some("an ONNX model".to_string());
    }
    None
}

/// Largest number of rows per record batch (a batch's columns are allocated up front, so a
/// huge batch size would abort on the allocation; issue #15).
pub const MAX_BATCH_SIZE: usize = 1 << 22;

/// Options for reading any format.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Force a format instead of detecting it.
    pub format: Option<Format>,
    /// CSV options (ignored for other formats).
    pub csv: CsvOptions,
    /// Rows per record batch (default 65,536; at most [`MAX_BATCH_SIZE`]).
    pub batch_size: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            csv: CsvOptions::default(),
            batch_size: 1 << 16,
        }
    }
}

/// A column to read and, for text formats, how to decode it.
#[derive(Debug, Clone)]
pub struct ColumnRequest {
    /// Column name in the file.
    pub name: String,
    /// Decoding for CSV (binary formats keep their own types).
    pub text_as: TextType,
    /// The role the user gave the column, for error messages ("label", "score", ...).
    pub role: String,
}

/// A stream of record batches from one file, with the file's path for errors.
pub struct BatchStream {
    path: PathBuf,
    schema: SchemaRef,
    inner: Box<dyn Iterator<Item = Result<RecordBatch>> + Send>,
}

impl BatchStream {
    /// Wraps an iterator of batches.
    pub fn new(
        path: PathBuf,
        schema: SchemaRef,
        inner: Box<dyn Iterator<Item = Result<RecordBatch>> + Send>,
    ) -> Self {
        BatchStream {
            path,
            schema,
            inner,
        }
    }

    /// The file the batches come from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Schema of the yielded batches.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

impl Iterator for BatchStream {
    type Item = Result<RecordBatch>;
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

/// Lists the column names of a file without reading its rows.
pub fn column_names(path: &Path, opts: &ReadOptions) -> Result<Vec<String>> {
    let format = match opts.format {
        Some(f) => f,
        None => Format::detect(path)?,
    };
    match format {
        Format::Csv => crate::csv::column_names(path, &opts.csv),
        Format::Parquet => {
            let b = parquet_builder(path, opts.batch_size)?;
            Ok(b.schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect())
        }
        Format::Ipc => {
            let s = crate::ipc::open(path, None)?;
            Ok(s.schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect())
        }
    }
}

/// `parquet` trusts offsets and lengths in a file's pages and panics on some that are out of
/// bounds ("offset + len out of bounds" in arrow-buffer); its calls run under [`crate::guard`].
const PARQUET: crate::guard::Decoder = crate::guard::Decoder {
    format: "Parquet",
    expected: "every page's offsets and lengths within the column chunk",
};

fn parquet_builder(
    path: &Path,
    batch_size: usize,
) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder<File>> {
    let file = File::open(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    crate::guard::guarded(path, PARQUET, "footer and schema", || {
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .map(|b| b.with_batch_size(batch_size))
    })
}

fn missing(path: &Path, req: &ColumnRequest, names: &[String]) -> DataError {
    DataError::MissingColumn {
        path: path.to_path_buf(),
        column: req.name.clone(),
        role: req.role.clone(),
        available: names.join(", "),
        hint: missing_hint(&req.name, names),
    }
}

/// Why `column` may be missing from a file whose columns are `names`: a close name
/// (" (did you mean 'qualified'?)": case-insensitive Levenshtein distance at most a third of the
/// name's length, at least 1, at most 3), or a header that looks like data (a quarter or more of its
/// names are numbers: the file has no header line). Empty when neither.
pub fn missing_hint(column: &str, names: &[String]) -> String {
    let numeric = names
        .iter()
        .filter(|n| n.trim().parse::<f64>().is_ok())
        .count();
    if numeric > 0 && numeric * 4 >= names.len() {
        return " (the first line looks like data, not a header: if the file has no header line, name its columns with --no-header --columns a,b,c)".into();
    }
    let want = column.to_lowercase();
    let limit = (want.chars().count() / 3).clamp(1, 3);
    names
        .iter()
        .map(|n| (strsim::levenshtein(&want, &n.to_lowercase()), n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| format!(" (did you mean '{n}'?)"))
        .unwrap_or_default()
}

/// The position of every name (the first, for a repeated one): one pass, so that matching
/// requests to columns is linear in their numbers.
pub fn name_index(names: &[String]) -> HashMap<&str, usize> {
    let mut m = HashMap::with_capacity(names.len());
    for (i, n) in names.iter().enumerate() {
        m.entry(n.as_str()).or_insert(i);
    }
    m
}

fn indices(path: &Path, columns: &[ColumnRequest], names: &[String]) -> Result<Vec<usize>> {
    let at = name_index(names);
    let mut idx: Vec<usize> = Vec::with_capacity(columns.len());
    for req in columns {
        let i = *at
            .get(req.name.as_str())
            .ok_or_else(|| missing(path, req, names))?;
        idx.push(i);
    }
    idx.sort_unstable();
    idx.dedup();
    Ok(idx)
}

/// Opens `path` as a stream of record batches holding `columns` (all columns when `None`).
///
/// Missing columns are reported up front with the list of columns the file has.
pub fn open(
    path: &Path,
    opts: &ReadOptions,
    columns: Option<&[ColumnRequest]>,
) -> Result<BatchStream> {
    crate::bounds::check_count(opts.batch_size, MAX_BATCH_SIZE)
        .map_err(|e| DataError::Config(format!("batch size (rows per batch) {e}")))?;
    let format = match opts.format {
        Some(f) => f,
        None => Format::detect(path)?,
    };
    match format {
        Format::Csv => {
            let names = crate::csv::column_names(path, &opts.csv)?;
            let reqs: Option<Vec<(String, TextType)>> = match columns {
                None => None,
                Some(cols) => {
                    // Hash lookups: a request for every column of a file with 200,000 columns
                    // must stay linear (issue #15).
                    let present = name_index(&names);
                    let mut v: Vec<(String, TextType)> = Vec::new();
                    let mut at: HashMap<&str, usize> = HashMap::with_capacity(cols.len());
                    for c in cols {
                        if !present.contains_key(c.name.as_str()) {
                            return Err(missing(path, c, &names));
                        }
                        match at.get(c.name.as_str()) {
                            // A column asked for as a number and as text is read as a number.
                            Some(&i) => {
                                if c.text_as == TextType::Float64 {
                                    v[i].1 = TextType::Float64
                                }
                            }
                            None => {
                                at.insert(&c.name, v.len());
                                v.push((c.name.clone(), c.text_as));
                            }
                        }
                    }
                    Some(v)
                }
            };
            let r = CsvBatches::open(path, &opts.csv, reqs.as_deref(), opts.batch_size)?;
            Ok(BatchStream::new(
                path.to_path_buf(),
                r.schema(),
                Box::new(r),
            ))
        }
        Format::Parquet => {
            let b = parquet_builder(path, opts.batch_size)?;
            let names: Vec<String> = b
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect();
            let b = match columns {
                None => b,
                Some(cols) => {
                    let idx = indices(path, cols, &names)?;
                    let mask = parquet::arrow::ProjectionMask::roots(b.parquet_schema(), idx);
                    b.with_projection(mask)
                }
            };
            let r = crate::guard::guarded(path, PARQUET, "reader", || b.build())?;
            let schema = arrow_array::RecordBatchReader::schema(&r);
            Ok(crate::guard::stream(path, PARQUET, schema, r))
        }
        Format::Ipc => {
            let projection = match columns {
                None => None,
                Some(cols) => {
                    let all = crate::ipc::open(path, None)?;
                    let names: Vec<String> = all
                        .schema()
                        .fields()
                        .iter()
                        .map(|f| f.name().clone())
                        .collect();
                    Some(indices(path, cols, &names)?)
                }
            };
            crate::ipc::open(path, projection)
        }
    }
}
