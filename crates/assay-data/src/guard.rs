//! Third-party decoders (`arrow-ipc`, `parquet`) that panic on malformed input, guarded:
//! each call into them runs under [`std::panic::catch_unwind`] and a panic becomes a
//! [`DataError::Unreadable`] naming the file, the part being read (the schema, or the
//! record batch by 0-based index) and what a well-formed file has. A file given to assay is
//! untrusted input; after a failure the decoder is not used again (it may be mid-message).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;

use crate::error::{DataError, Result};
use crate::source::BatchStream;

/// What a guarded decoder reads, for error messages.
#[derive(Clone, Copy)]
pub(crate) struct Decoder {
    /// "Parquet" or "Arrow IPC".
    pub format: &'static str,
    /// What a well-formed file has, for the message of a decoder that panicked.
    pub expected: &'static str,
}

fn unreadable(path: &Path, d: Decoder, message: String) -> DataError {
    DataError::Unreadable {
        path: path.to_path_buf(),
        format: d.format,
        message,
    }
}

/// The text of a panic payload (`&str` or `String`; anything else is "unknown").
fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown")
}

/// Runs one call into the decoder, turning its error or panic into an error about `what`.
pub(crate) fn guarded<T, E: std::fmt::Display>(
    path: &Path,
    d: Decoder,
    what: &str,
    f: impl FnOnce() -> std::result::Result<T, E>,
) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(unreadable(path, d, format!("{what}: {e}"))),
        Err(payload) => Err(unreadable(
            path,
            d,
            format!(
                "{what}: malformed (expected {}; the reader failed with: {})",
                d.expected,
                panic_text(&*payload)
            ),
        )),
    }
}

/// The batches of a decoder, each read under [`guarded`], numbered from 0.
struct Guarded<R> {
    reader: R,
    path: PathBuf,
    decoder: Decoder,
    index: usize,
    done: bool,
}

impl<R: Iterator<Item = std::result::Result<RecordBatch, ArrowError>>> Iterator for Guarded<R> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Result<RecordBatch>> {
        if self.done {
            return None;
        }
        let what = format!("record batch {} (0-based)", self.index);
        self.index += 1;
        let reader = &mut self.reader;
        match guarded(&self.path, self.decoder, &what, || {
            reader.next().transpose()
        }) {
            Ok(Some(b)) => Some(Ok(b)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                // A reader that failed (or panicked) mid-message is in no state to go on.
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// A [`BatchStream`] over `reader`'s batches, each read under [`guarded`].
pub(crate) fn stream<R>(
    path: &Path,
    decoder: Decoder,
    schema: arrow_schema::SchemaRef,
    reader: R,
) -> BatchStream
where
    R: Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + Send + 'static,
{
    BatchStream::new(
        path.to_path_buf(),
        schema,
        Box::new(Guarded {
            reader,
            path: path.to_path_buf(),
            decoder,
            index: 0,
            done: false,
        }),
    )
}
