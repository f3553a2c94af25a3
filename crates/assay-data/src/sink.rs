//! Writing tables: the one writer behind every table assay outputs (predictions, anonymized
//! tables, masked tables), in CSV, Parquet or Arrow IPC.
//!
//! A file is written through [`AtomicFile`] and replaces its target only at
//! [`TableWriter::finish`], so a failed or killed run leaves the old file (or none), never a
//! part. A stream target (standard output) is written as the rows come. Rows arrive either as
//! Arrow record batches ([`TableWriter::write`]) or, for tables of text, as rows of strings
//! ([`TableWriter::write_text_row`]), which CSV writes at once and Parquet and IPC gather
//! into batches of [`TEXT_BATCH_ROWS`].
//!
//! CSV cells are Arrow's display form of each value (the form `arrow_cast::display` gives,
//! which for text is the text itself), a null is an empty cell, and fields are quoted only
//! when they need it (RFC 4180, the `csv` crate's default).

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_ipc::writer::FileWriter;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;

use crate::atomic::{AtomicFile, FileError};
use crate::source::Format;

/// Rows of text gathered into one record batch before a Parquet or IPC writer takes them.
pub const TEXT_BATCH_ROWS: usize = 8_192;

/// Why a table could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output file could not be created, synced or renamed into place.
    #[error(transparent)]
    File(#[from] FileError),
    /// Writing a row or a batch failed.
    #[error("{target}: cannot write{}: {message}", if *.parquet { " Parquet" } else { "" })]
    Write {
        /// The output (a path, or "standard output").
        target: String,
        /// Whether the Parquet encoder failed.
        parquet: bool,
        /// The cause.
        message: String,
    },
}

/// Where the bytes go: an atomically replaced file, or a stream.
enum Out<'a> {
    File(AtomicFile),
    Stream(Box<dyn Write + Send + 'a>),
}

impl Write for Out<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Out::File(f) => f.write(buf),
            Out::Stream(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::File(f) => f.flush(),
            Out::Stream(w) => w.flush(),
        }
    }
}

enum Encoder<'a> {
    Csv {
        writer: csv::Writer<Out<'a>>,
        cell: String,
    },
    Parquet(ArrowWriter<Out<'a>>),
    Ipc(FileWriter<Out<'a>>),
}

/// A table being written (see the module documentation); `'a` is the lifetime of a stream
/// target.
pub struct TableWriter<'a> {
    target: String,
    schema: SchemaRef,
    encoder: Encoder<'a>,
    /// Text rows not yet written as a batch (Parquet and IPC only).
    pending: Vec<StringBuilder>,
    pending_rows: usize,
}

/// The output format of a path by its extension (`.parquet`/`.pq`, `.arrow`/`.ipc`/`.feather`),
/// CSV otherwise.
pub fn format_for(path: &Path) -> Format {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_name)
        .unwrap_or(Format::Csv)
}

/// A schema of text columns with these names (nullable).
pub fn text_schema<S: AsRef<str>>(names: &[S]) -> SchemaRef {
    Arc::new(Schema::new(
        names
            .iter()
            .map(|n| Field::new(n.as_ref(), DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ))
}

impl<'a> TableWriter<'a> {
    /// Starts writing `path` in `format` (a temporary file beside it until
    /// [`TableWriter::finish`]).
    pub fn create(
        path: &Path,
        format: Format,
        schema: SchemaRef,
    ) -> Result<TableWriter<'a>, WriteError> {
        let file = AtomicFile::create(path)?;
        TableWriter::start(Out::File(file), path.display().to_string(), format, schema)
    }

    /// Starts writing to a stream (`target` names it in errors, e.g. "standard output").
    pub fn to_stream(
        stream: Box<dyn Write + Send + 'a>,
        target: &str,
        format: Format,
        schema: SchemaRef,
    ) -> Result<TableWriter<'a>, WriteError> {
        TableWriter::start(Out::Stream(stream), target.to_string(), format, schema)
    }

    fn start(
        out: Out<'a>,
        target: String,
        format: Format,
        schema: SchemaRef,
    ) -> Result<TableWriter<'a>, WriteError> {
        let fail = |parquet: bool, message: String| WriteError::Write {
            target: target.clone(),
            parquet,
            message,
        };
        let encoder = match format {
            Format::Csv => {
                let mut writer = csv::WriterBuilder::new()
                    .buffer_capacity(1 << 16)
                    .from_writer(out);
                writer
                    .write_record(schema.fields().iter().map(|f| f.name().as_str()))
                    .map_err(|e| fail(false, e.to_string()))?;
                Encoder::Csv {
                    writer,
                    cell: String::new(),
                }
            }
            Format::Parquet => Encoder::Parquet(
                ArrowWriter::try_new(out, schema.clone(), None)
                    .map_err(|e| fail(true, e.to_string()))?,
            ),
            Format::Ipc => Encoder::Ipc(
                FileWriter::try_new(out, &schema).map_err(|e| fail(false, e.to_string()))?,
            ),
        };
        Ok(TableWriter {
            target,
            schema,
            encoder,
            pending: Vec::new(),
            pending_rows: 0,
        })
    }

    fn fail(&self, message: impl ToString) -> WriteError {
        WriteError::Write {
            target: self.target.clone(),
            parquet: matches!(self.encoder, Encoder::Parquet(_)),
            message: message.to_string(),
        }
    }

    /// The table's schema.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Writes one batch (its schema must be the table's).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), WriteError> {
        self.flush_text()?;
        let result = match &mut self.encoder {
            Encoder::Csv { writer, cell } => {
                let opts = FormatOptions::default();
                let formatters = batch
                    .columns()
                    .iter()
                    .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| e.to_string());
                match formatters {
                    Err(e) => Err(e),
                    Ok(formatters) => (|| -> Result<(), csv::Error> {
                        for i in 0..batch.num_rows() {
                            for (f, col) in formatters.iter().zip(batch.columns()) {
                                cell.clear();
                                if col.is_valid(i) {
                                    let _ = write!(cell, "{}", f.value(i));
                                }
                                writer.write_field(cell.as_bytes())?;
                            }
                            writer.write_record(None::<&[u8]>)?;
                        }
                        Ok(())
                    })()
                    .map_err(|e| e.to_string()),
                }
            }
            Encoder::Parquet(w) => w.write(batch).map_err(|e| e.to_string()),
            Encoder::Ipc(w) => w.write(batch).map_err(|e| e.to_string()),
        };
        result.map_err(|e| self.fail(e))
    }

    /// Writes one row of a table whose columns are all text (`None`: a null cell). The row
    /// must have one cell per column.
    pub fn write_text_row<'s, I>(&mut self, row: I) -> Result<(), WriteError>
    where
        I: IntoIterator<Item = Option<&'s str>>,
    {
        match &mut self.encoder {
            Encoder::Csv { writer, .. } => {
                let mut n = 0;
                for cell in row {
                    n += 1;
                    writer
                        .write_field(cell.unwrap_or(""))
                        .map_err(|e| e.to_string())
                        .map_err(|e| WriteError::Write {
                            target: self.target.clone(),
                            parquet: false,
                            message: e,
                        })?;
                }
                let width = self.schema.fields().len();
                if n != width {
                    return Err(
                        self.fail(format!("a row of {n} cells in a table of {width} columns"))
                    );
                }
                writer
                    .write_record(None::<&[u8]>)
                    .map_err(|e| e.to_string())
                    .map_err(|e| self.fail(e))
            }
            _ => {
                let width = self.schema.fields().len();
                if self.pending.is_empty() {
                    self.pending = (0..width).map(|_| StringBuilder::new()).collect();
                }
                let mut n = 0;
                for cell in row {
                    if let Some(b) = self.pending.get_mut(n) {
                        b.append_option(cell);
                    }
                    n += 1;
                }
                if n != width {
                    return Err(
                        self.fail(format!("a row of {n} cells in a table of {width} columns"))
                    );
                }
                self.pending_rows += 1;
                if self.pending_rows >= TEXT_BATCH_ROWS {
                    self.flush_text()?;
                }
                Ok(())
            }
        }
    }

    /// Writes the gathered text rows as one batch.
    fn flush_text(&mut self) -> Result<(), WriteError> {
        if self.pending_rows == 0 {
            return Ok(());
        }
        let columns: Vec<ArrayRef> = self
            .pending
            .iter_mut()
            .map(|b| Arc::new(b.finish()) as ArrayRef)
            .collect();
        self.pending_rows = 0;
        let batch = RecordBatch::try_new(self.schema.clone(), columns).map_err(|e| self.fail(e))?;
        let result = match &mut self.encoder {
            Encoder::Parquet(w) => w.write(&batch).map_err(|e| e.to_string()),
            Encoder::Ipc(w) => w.write(&batch).map_err(|e| e.to_string()),
            Encoder::Csv { .. } => Ok(()),
        };
        result.map_err(|e| self.fail(e))
    }

    /// Completes the table and, for a file, returns it still beside its target (to be read
    /// back or checked before [`AtomicFile::commit`]); `None` for a stream.
    pub fn into_file(mut self) -> Result<Option<AtomicFile>, WriteError> {
        self.flush_text()?;
        let target = self.target.clone();
        let fail = |parquet: bool, message: String| WriteError::Write {
            target: target.clone(),
            parquet,
            message,
        };
        let mut out = match self.encoder {
            Encoder::Csv { writer, .. } => writer
                .into_inner()
                .map_err(|e| fail(false, e.into_error().to_string()))?,
            Encoder::Parquet(w) => w.into_inner().map_err(|e| fail(true, e.to_string()))?,
            Encoder::Ipc(mut w) => {
                w.finish().map_err(|e| fail(false, e.to_string()))?;
                w.into_inner().map_err(|e| fail(false, e.to_string()))?
            }
        };
        out.flush().map_err(|e| fail(false, e.to_string()))?;
        Ok(match out {
            Out::File(f) => Some(f),
            Out::Stream(_) => None,
        })
    }

    /// Completes the table: a file replaces its target, a stream is flushed.
    pub fn finish(self) -> Result<(), WriteError> {
        if let Some(f) = self.into_file()? {
            f.commit()?;
        }
        Ok(())
    }

    /// The output's name in messages (its path, or the stream's name).
    pub fn target(&self) -> &str {
        &self.target
    }
}

#[cfg(test)]
mod tests {
    use arrow_array::{Float64Array, Int64Array, StringArray};

    use super::*;
    use crate::source::{open, ReadOptions};

    fn batch() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("name", DataType::Utf8, true),
            Field::new("p", DataType::Float64, true),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![1, 2])),
                Arc::new(StringArray::from(vec![Some("a, b"), None])),
                Arc::new(Float64Array::from(vec![Some(0.25), None])),
            ],
        )
        .unwrap()
    }

    fn read_all(path: &Path) -> Vec<RecordBatch> {
        open(path, &ReadOptions::default(), None)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn csv_cells_are_quoted_when_needed_and_nulls_are_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let b = batch();
        let mut w = TableWriter::create(&path, format_for(&path), b.schema()).unwrap();
        w.write(&b).unwrap();
        assert!(!path.exists(), "nothing is in place before finish");
        w.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "id,name,p\n1,\"a, b\",0.25\n2,,\n"
        );
    }

    #[test]
    fn parquet_and_ipc_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["out.parquet", "out.arrow"] {
            let path = dir.path().join(name);
            let b = batch();
            let mut w = TableWriter::create(&path, format_for(&path), b.schema()).unwrap();
            w.write(&b).unwrap();
            w.finish().unwrap();
            let back = read_all(&path);
            assert_eq!(back.len(), 1, "{name}");
            assert_eq!(back[0], b, "{name}");
        }
    }

    #[test]
    fn text_rows_make_the_same_table_in_every_format() {
        let dir = tempfile::tempdir().unwrap();
        let n = TEXT_BATCH_ROWS + 5;
        let schema = text_schema(&["k", "v"]);
        let mut tables = Vec::new();
        for name in ["t.csv", "t.parquet", "t.arrow"] {
            let path = dir.path().join(name);
            let mut w = TableWriter::create(&path, format_for(&path), schema.clone()).unwrap();
            for i in 0..n {
                let k = i.to_string();
                w.write_text_row([Some(k.as_str()), Some("x")]).unwrap();
            }
            w.finish().unwrap();
            let batches = read_all(&path);
            let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
            assert_eq!(rows, n, "{name}");
            let last = batches.last().unwrap();
            let k = arrow_cast::display::array_value_to_string(last.column(0), last.num_rows() - 1)
                .unwrap();
            tables.push(k);
        }
        assert!(
            tables.iter().all(|k| k == &(n - 1).to_string()),
            "{tables:?}"
        );
    }

    #[test]
    fn a_row_of_the_wrong_width_is_an_error_and_the_old_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["t.csv", "t.parquet"] {
            let path = dir.path().join(name);
            std::fs::write(&path, "old").unwrap();
            let mut w =
                TableWriter::create(&path, format_for(&path), text_schema(&["a", "b"])).unwrap();
            let e = w.write_text_row([Some("1")]).unwrap_err().to_string();
            assert!(
                e.contains("a row of 1 cells in a table of 2 columns"),
                "{e}"
            );
            drop(w);
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
            let leftovers = std::fs::read_dir(dir.path())
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .starts_with('.')
                })
                .count();
            assert_eq!(leftovers, 0, "the temporary file is removed");
        }
    }

    #[test]
    fn a_stream_gets_the_bytes_of_a_file() {
        #[derive(Clone, Default)]
        struct Shared(Arc<std::sync::Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let sink = Shared::default();
        let b = batch();
        let mut w = TableWriter::to_stream(
            Box::new(sink.clone()),
            "standard output",
            Format::Csv,
            b.schema(),
        )
        .unwrap();
        w.write(&b).unwrap();
        assert!(w.into_file().unwrap().is_none());
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert!(text.starts_with("id,name,p\n1,"), "{text}");
    }
}
