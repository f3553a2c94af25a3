//! Malformed Arrow IPC and Parquet files are errors, not crashes (issue #15, found by the fuzz
//! crate; both inputs are kept in its corpus).
//!
//! The Parquet file is a byte mutation of the edge.csv fixture written as Parquet: before,
//! the `parquet` crate panicked in arrow-buffer ("offset + len out of bounds").
//!
//! The IPC stream below is a byte mutation of a valid one (kept in the fuzz corpus): a buffer of a
//! record batch's message header lies outside the message body. Before, `arrow-ipc` panicked
//! while slicing it ("the offset of the new Buffer cannot exceed the existing length: slice
//! offset=4294967680") and the panic went through `assay_data::open` to the caller.

use std::path::Path;

use assay_data::{open, DataError, Format, ReadOptions};

const PARQUET: &[u8] =
    include_bytes!("../../assay-fuzz/corpus/parquet/crash_offset_len_out_of_bounds.parquet");

/// Every error from opening `path` and reading all its batches.
fn errors(path: &Path, format: Format) -> Vec<DataError> {
    let opts = ReadOptions {
        format: Some(format),
        ..ReadOptions::default()
    };
    match open(path, &opts, None) {
        Err(e) => vec![e],
        Ok(stream) => stream.filter_map(Result::err).collect(),
    }
}

#[test]
fn a_parquet_page_out_of_bounds_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mutated.parquet");
    std::fs::write(&path, PARQUET).unwrap();
    let errors = errors(&path, Format::Parquet);
    assert_eq!(
        errors.len(),
        1,
        "one error, then the stream ends: {errors:?}"
    );
    let msg = errors[0].to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("unreadable Parquet file"), "{msg}");
}

const STREAM: &[u8] =
    include_bytes!("../../assay-fuzz/corpus/arrow_ipc/crash_buffer_offset_stream.arrow");

#[test]
fn a_buffer_outside_its_message_body_is_an_error_naming_file_and_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mutated.arrows");
    std::fs::write(&path, STREAM).unwrap();
    let errors = errors(&path, Format::Ipc);
    assert_eq!(
        errors.len(),
        1,
        "one error, then the stream ends: {errors:?}"
    );
    let msg = errors[0].to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("unreadable Arrow IPC file"), "{msg}");
    assert!(msg.contains("record batch "), "{msg}");
    assert!(
        msg.contains("expected every buffer of the message header to lie within its message body"),
        "{msg}"
    );
}

const FILE_HUGE_BLOCK: &[u8] =
    include_bytes!("../../assay-fuzz/corpus/arrow_ipc/crash_block_length_alloc.arrow");

/// An IPC file whose footer declares a block far larger than the file: before, arrow-ipc
/// asked for that much memory (2.8 PB) before reading; now the footer is checked first.
#[test]
fn an_ipc_block_beyond_the_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mutated.arrow");
    std::fs::write(&path, FILE_HUGE_BLOCK).unwrap();
    let errors = errors(&path, Format::Ipc);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let msg = errors[0].to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("of the file footer"), "{msg}");
    assert!(msg.contains("within the file's"), "{msg}");
}
