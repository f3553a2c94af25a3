//! Reading Arrow IPC (file or stream format) through `arrow-ipc`, with its panics on
//! malformed input turned into errors.
//!
//! `arrow-ipc` trusts the buffer offsets and lengths written in each message header: a
//! header whose buffer lies outside the message body makes it panic while slicing
//! (`Buffer::slice_with_length`: "the offset of the new Buffer cannot exceed the existing
//! length"), before any of its validation runs, and no reader option turns that check on
//! (its validation, on by default, only checks the arrays it has already built). A file
//! given to assay is untrusted input, so every call into the reader runs under
//! [`std::panic::catch_unwind`], and a panic becomes a [`DataError::Unreadable`] naming the
//! file, the batch and what a well-formed file has; the reader is not used again after it.

use std::fs::File;
use std::io::{BufReader, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;

use crate::error::{DataError, Result};
use crate::source::BatchStream;

const FORMAT: &str = "Arrow IPC";

/// What a well-formed file has, for the message of a reader that panicked.
const EXPECTED: &str = "expected every buffer of the message header to lie within its message body";

fn unreadable(path: &Path, message: String) -> DataError {
    DataError::Unreadable {
        path: path.to_path_buf(),
        format: FORMAT,
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

/// Runs one call into the reader, turning a panic into an error about `what`.
fn guarded<T>(
    path: &Path,
    what: &str,
    f: impl FnOnce() -> std::result::Result<T, ArrowError>,
) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(unreadable(path, format!("{what}: {e}"))),
        Err(payload) => Err(unreadable(
            path,
            format!(
                "{what}: malformed ({EXPECTED}; the reader failed with: {})",
                panic_text(&*payload)
            ),
        )),
    }
}

/// The batches of an `arrow-ipc` reader, each read under [`guarded`], numbered from 0.
struct Guarded<R> {
    reader: R,
    path: PathBuf,
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
        match guarded(&self.path, &what, || reader.next().transpose()) {
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

fn stream<R>(path: &Path, schema: arrow_schema::SchemaRef, reader: R) -> BatchStream
where
    R: Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + Send + 'static,
{
    BatchStream::new(
        path.to_path_buf(),
        schema,
        Box::new(Guarded {
            reader,
            path: path.to_path_buf(),
            index: 0,
            done: false,
        }),
    )
}

/// Opens `path` as Arrow IPC: the file format when it starts with `ARROW1`, else the stream
/// format; only the columns in `projection` (all when `None`) are decoded.
pub(crate) fn open(path: &Path, projection: Option<Vec<usize>>) -> Result<BatchStream> {
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut magic = [0u8; 6];
    let n = File::open(path)
        .and_then(|mut f| f.read(&mut magic))
        .map_err(io)?;
    let file = BufReader::new(File::open(path).map_err(io)?);
    if n == 6 && &magic == b"ARROW1" {
        let r = guarded(path, "file footer and schema", || {
            arrow_ipc::reader::FileReader::try_new(file, projection)
        })?;
        let schema = r.schema();
        Ok(stream(path, schema, r))
    } else {
        let r = guarded(path, "stream schema", || {
            arrow_ipc::reader::StreamReader::try_new(file, projection)
        })?;
        let schema = r.schema();
        Ok(stream(path, schema, r))
    }
}
