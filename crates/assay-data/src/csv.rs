//! Streaming CSV reader producing Arrow record batches.
//!
//! Built on the `csv` crate (a well-kept, fast RFC 4180 parser). We do not use
//! `arrow-csv` because it cannot trim the blank after each delimiter that UCI
//! Adult and many exported files carry, and its errors do not name the column
//! and row of a bad cell. Columns are read as text (`Utf8`) unless the caller
//! asks for a number (`Float64`), so nothing is coerced by guessing: a cell that
//! is not a number in a numeric column is an error naming file, column and row.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::error::{DataError, Result};

/// How to split and interpret a CSV file.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    /// Whether the first line holds the column names.
    pub has_header: bool,
    /// Column names to use; required when `has_header` is false, and when
    /// given with a header they replace the header's names.
    pub columns: Option<Vec<String>>,
    /// Field delimiter (default `,`).
    pub delimiter: u8,
    /// Quote character (default `"`).
    pub quote: u8,
    /// Whether quotes are interpreted at all.
    pub quoting: bool,
    /// Trim whitespace around every field (default true; UCI Adult writes `, `).
    pub trim: bool,
    /// Cell values read as missing (default: the empty string).
    pub null_values: Vec<String>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            has_header: true,
            columns: None,
            delimiter: b',',
            quote: b'"',
            quoting: true,
            trim: true,
            null_values: vec![String::new()],
        }
    }
}

/// How a requested CSV column is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextType {
    /// Kept as text (`Utf8`).
    Utf8,
    /// Parsed as a 64-bit float; cells that are not numbers are errors.
    Float64,
}

fn builder(opts: &CsvOptions, file: File, trim: bool) -> ::csv::Reader<BufReader<File>> {
    ::csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(opts.delimiter)
        .quote(opts.quote)
        .quoting(opts.quoting)
        .trim(if trim {
            ::csv::Trim::All
        } else {
            ::csv::Trim::None
        })
        .flexible(false)
        .buffer_capacity(1 << 20)
        .from_reader(BufReader::with_capacity(1 << 20, file))
}

fn map_csv_err(path: &Path, e: ::csv::Error) -> DataError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    match e.into_kind() {
        ::csv::ErrorKind::Io(source) => DataError::Io {
            path: path.to_path_buf(),
            source,
        },
        ::csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => DataError::MalformedCsv {
            path: path.to_path_buf(),
            line,
            message: format!("expected {expected_len} fields, found {len}"),
        },
        ::csv::ErrorKind::Utf8 { err, .. } => DataError::MalformedCsv {
            path: path.to_path_buf(),
            line,
            message: format!("invalid UTF-8 in field {}", err.field() + 1),
        },
        other => DataError::MalformedCsv {
            path: path.to_path_buf(),
            line,
            message: format!("{other:?}"),
        },
    }
}

/// Renames repeated column names the way pandas does (`x`, `x.1`, `x.2`), so
/// that files such as ProPublica's COMPAS export, which repeats
/// `decile_score`, stay addressable. The first occurrence keeps its name.
pub fn dedupe_names(names: Vec<String>) -> Vec<String> {
    let mut taken: std::collections::HashSet<String> = names.iter().cloned().collect();
    let mut first: std::collections::HashSet<String> = Default::default();
    let mut out = Vec::with_capacity(names.len());
    for n in names {
        if first.insert(n.clone()) {
            out.push(n);
            continue;
        }
        let mut k = 1;
        while taken.contains(&format!("{n}.{k}")) {
            k += 1;
        }
        let renamed = format!("{n}.{k}");
        taken.insert(renamed.clone());
        out.push(renamed);
    }
    out
}

/// Reads the column names of a CSV file (from its header or from the options).
pub fn column_names(path: &Path, opts: &CsvOptions) -> Result<Vec<String>> {
    let file = File::open(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rdr = builder(opts, file, opts.trim);
    let mut rec = ::csv::StringRecord::new();
    let got = rdr
        .read_record(&mut rec)
        .map_err(|e| map_csv_err(path, e))?;
    let from_file: Vec<String> = if got {
        if opts.has_header {
            rec.iter().map(|s| s.to_string()).collect()
        } else {
            (0..rec.len())
                .map(|i| format!("column_{}", i + 1))
                .collect()
        }
    } else {
        Vec::new()
    };
    match &opts.columns {
        Some(cols) => {
            if got && cols.len() != from_file.len() {
                return Err(DataError::Option {
                    option: "columns",
                    message: format!(
                        "{}: {} columns named but the first line has {} fields",
                        path.display(),
                        cols.len(),
                        from_file.len()
                    ),
                });
            }
            Ok(dedupe_names(cols.clone()))
        }
        None => {
            if !opts.has_header {
                return Err(DataError::Option {
                    option: "no_header",
                    message: format!(
                        "{}: without a header line the columns must be named",
                        path.display()
                    ),
                });
            }
            if !got {
                return Err(DataError::MalformedCsv {
                    path: path.to_path_buf(),
                    line: 1,
                    message: "the file is empty: expected a header line".into(),
                });
            }
            Ok(dedupe_names(from_file))
        }
    }
}

enum ColBuilder {
    Text(StringBuilder),
    Num(Float64Builder),
}

/// A streaming CSV reader yielding record batches of the requested columns.
pub struct CsvBatches {
    path: PathBuf,
    reader: ::csv::Reader<BufReader<File>>,
    names: Vec<String>,
    /// (field index in the file, decode type) for each output column.
    wanted: Vec<(usize, TextType)>,
    schema: SchemaRef,
    batch_size: usize,
    null_values: Vec<Vec<u8>>,
    trim: bool,
    record: ::csv::ByteRecord,
    rows: u64,
    done: bool,
}

impl CsvBatches {
    /// Opens `path` and prepares to read `columns` (name, decode type); all
    /// columns as text when `columns` is `None`.
    pub fn open(
        path: &Path,
        opts: &CsvOptions,
        columns: Option<&[(String, TextType)]>,
        batch_size: usize,
    ) -> Result<Self> {
        let names = column_names(path, opts)?;
        let file = File::open(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        // Data fields are trimmed one by one, only for the columns read
        // (trimming whole records costs 15% of the parse).
        let mut reader = builder(opts, file, false);
        if opts.has_header {
            let mut skip = ::csv::ByteRecord::new();
            reader
                .read_byte_record(&mut skip)
                .map_err(|e| map_csv_err(path, e))?;
        }
        let wanted: Vec<(usize, TextType)> = match columns {
            None => (0..names.len()).map(|i| (i, TextType::Utf8)).collect(),
            Some(cols) => {
                let at = crate::source::name_index(&names);
                cols.iter()
                    .map(|(name, ty)| {
                        at.get(name.as_str()).map(|&i| (i, *ty)).ok_or_else(|| {
                            DataError::MissingColumn {
                                path: path.to_path_buf(),
                                column: name.clone(),
                                role: "requested column".into(),
                                available: names.join(", "),
                                hint: crate::source::missing_hint(name, &names),
                            }
                        })
                    })
                    .collect::<Result<_>>()?
            }
        };
        let fields: Vec<Field> = wanted
            .iter()
            .map(|(i, ty)| {
                let dt = match ty {
                    TextType::Utf8 => DataType::Utf8,
                    TextType::Float64 => DataType::Float64,
                };
                Field::new(names[*i].clone(), dt, true)
            })
            .collect();
        Ok(CsvBatches {
            path: path.to_path_buf(),
            reader,
            names,
            wanted,
            schema: Arc::new(Schema::new(fields)),
            batch_size: batch_size.max(1),
            null_values: opts
                .null_values
                .iter()
                .map(|s| s.as_bytes().to_vec())
                .collect(),
            trim: opts.trim,
            record: ::csv::ByteRecord::new(),
            rows: 0,
            done: false,
        })
    }

    /// The schema of the batches this reader yields.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        let mut builders: Vec<ColBuilder> = self
            .wanted
            .iter()
            .map(|(_, ty)| match ty {
                TextType::Utf8 => ColBuilder::Text(StringBuilder::with_capacity(
                    self.batch_size,
                    self.batch_size * 8,
                )),
                TextType::Float64 => {
                    ColBuilder::Num(Float64Builder::with_capacity(self.batch_size))
                }
            })
            .collect();
        let mut n = 0usize;
        while n < self.batch_size {
            let more = self
                .reader
                .read_byte_record(&mut self.record)
                .map_err(|e| map_csv_err(&self.path, e))?;
            if !more {
                self.done = true;
                break;
            }
            self.rows += 1;
            for (b, (idx, _)) in builders.iter_mut().zip(&self.wanted) {
                let cell = if self.trim {
                    self.record[*idx].trim_ascii()
                } else {
                    &self.record[*idx]
                };
                let null = self.null_values.iter().any(|v| v.as_slice() == cell);
                match b {
                    ColBuilder::Text(sb) => {
                        if null {
                            sb.append_null();
                        } else {
                            let s = std::str::from_utf8(cell).map_err(|_| {
                                DataError::bad_value(
                                    &self.path,
                                    &self.names[*idx],
                                    self.rows,
                                    "invalid UTF-8",
                                )
                            })?;
                            sb.append_value(s);
                        }
                    }
                    ColBuilder::Num(fb) => {
                        if null {
                            fb.append_null();
                        } else {
                            match parse_f64(cell) {
                                Some(v) => fb.append_value(v),
                                None => {
                                    return Err(DataError::bad_value(
                                        &self.path,
                                        &self.names[*idx],
                                        self.rows,
                                        format!(
                                            "expected a number, found '{}'",
                                            String::from_utf8_lossy(cell)
                                        ),
                                    ))
                                }
                            }
                        }
                    }
                }
            }
            n += 1;
        }
        if n == 0 {
            return Ok(None);
        }
        let arrays: Vec<ArrayRef> = builders
            .into_iter()
            .map(|b| match b {
                ColBuilder::Text(mut sb) => Arc::new(sb.finish()) as ArrayRef,
                ColBuilder::Num(mut fb) => Arc::new(fb.finish()) as ArrayRef,
            })
            .collect();
        RecordBatch::try_new(self.schema.clone(), arrays)
            .map(Some)
            .map_err(|e| DataError::Config(e.to_string()))
    }
}

/// Parses a decimal number as Rust's `f64::from_str` does (which accepts
/// `NaN` and `inf`; those are passed on and rejected by role checks).
pub fn parse_f64(cell: &[u8]) -> Option<f64> {
    std::str::from_utf8(cell).ok()?.parse::<f64>().ok()
}

impl Iterator for CsvBatches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_batch() {
            Ok(Some(b)) => Some(Ok(b)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
