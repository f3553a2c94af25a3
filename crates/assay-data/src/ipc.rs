//! Reading Arrow IPC (file or stream format) through `arrow-ipc`, guarded by
//! [`crate::guard`].
//!
//! `arrow-ipc` trusts the buffer offsets and lengths written in each message header: a
//! header whose buffer lies outside the message body makes it panic while slicing
//! (`Buffer::slice_with_length`: "the offset of the new Buffer cannot exceed the existing
//! length"), before any of its validation runs, and no reader option turns that check on
//! (its validation, on by default, only checks the arrays it has already built).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::error::{DataError, Result};
use crate::guard::{guarded, stream, Decoder};
use crate::source::BatchStream;

const IPC: Decoder = Decoder {
    format: "Arrow IPC",
    expected: "every buffer of the message header to lie within its message body",
};

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
        let r = guarded(path, IPC, "file footer and schema", || {
            arrow_ipc::reader::FileReader::try_new(file, projection)
        })?;
        let schema = r.schema();
        Ok(stream(path, IPC, schema, r))
    } else {
        let r = guarded(path, IPC, "stream schema", || {
            arrow_ipc::reader::StreamReader::try_new(file, projection)
        })?;
        let schema = r.schema();
        Ok(stream(path, IPC, schema, r))
    }
}
