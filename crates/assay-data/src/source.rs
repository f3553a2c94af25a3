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
    /// (`PAR1`, `ARROW1`, or an IPC stream's continuation marker), else CSV.
    pub fn detect(path: &Path) -> Result<Format> {
        if let Some(f) = path
            .extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_name)
        {
            return Ok(f);
        }
        let mut head = [0u8; 6];
        let mut file = File::open(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let n = file.read(&mut head).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(if n >= 4 && &head[..4] == b"PAR1" {
            Format::Parquet
        } else if (n >= 6 && &head[..6] == b"ARROW1") || (n >= 4 && head[..4] == [0xff; 4]) {
            Format::Ipc
        } else {
            Format::Csv
        })
    }
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
    }
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
