//! Reading Arrow IPC (file or stream format) through `arrow-ipc`, guarded by
//! [`crate::guard`].
//!
//! `arrow-ipc` trusts the buffer offsets and lengths written in each message header: a
//! header whose buffer lies outside the message body makes it panic while slicing
//! (`Buffer::slice_with_length`: "the offset of the new Buffer cannot exceed the existing
//! length"), before any of its validation runs, and no reader option turns that check on
//! (its validation, on by default, only checks the arrays it has already built).
//! It also allocates each block of the file format at the size its footer declares, so the
//! footer's blocks are checked against the file's length first ([`check_blocks`]).

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
        check_blocks(path)?;
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

/// Checks that every block (record batch or dictionary) the footer of the IPC file at `path`
/// declares lies within the file, before the reader allocates it at its declared size.
fn check_blocks(path: &Path) -> Result<()> {
    use std::io::{Seek, SeekFrom};
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let bad = |m: String| DataError::Unreadable {
        path: path.to_path_buf(),
        format: IPC.format,
        message: m,
    };
    let mut file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len() as usize;
    if len < 10 {
        return Err(bad(
            "file footer: the file is shorter than its trailer".into()
        ));
    }
    let mut trailer = [0u8; 10];
    file.seek(SeekFrom::Start((len - 10) as u64)).map_err(io)?;
    file.read_exact(&mut trailer).map_err(io)?;
    let footer_len = arrow_ipc::reader::read_footer_length(trailer)
        .map_err(|e| bad(format!("file footer: {e}")))?;
    let Some(start) = (len - 10).checked_sub(footer_len) else {
        return Err(bad(format!(
            "file footer: declares {footer_len} bytes, expected at most {}",
            len - 10
        )));
    };
    // The footer's length is bounded by the file's above: reading it is safe.
    let mut footer_bytes = vec![0u8; footer_len];
    file.seek(SeekFrom::Start(start as u64)).map_err(io)?;
    file.read_exact(&mut footer_bytes).map_err(io)?;
    let footer =
        arrow_ipc::root_as_footer(&footer_bytes).map_err(|e| bad(format!("file footer: {e}")))?;
    let blocks = footer
        .recordBatches()
        .into_iter()
        .flatten()
        .map(|b| ("record batch", b))
        .chain(
            footer
                .dictionaries()
                .into_iter()
                .flatten()
                .map(|b| ("dictionary", b)),
        );
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (kind, b) in blocks {
        let i = index.entry(kind).or_insert(0);
        let end = u64::try_from(b.offset())
            .ok()
            .zip(u64::try_from(b.metaDataLength()).ok())
            .zip(u64::try_from(b.bodyLength()).ok())
            .and_then(|((o, m), l)| o.checked_add(m)?.checked_add(l));
        if end.is_none_or(|e| e > len as u64) {
            return Err(bad(format!(
                "{kind} {i} (0-based) of the file footer: offset {}, metadata {} and body {} bytes, expected non-negative and within the file's {len} bytes",
                b.offset(),
                b.metaDataLength(),
                b.bodyLength()
            )));
        }
        *i += 1;
    }
    Ok(())
}
