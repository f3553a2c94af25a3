//! A malformed Arrow IPC stream is an error, not a crash (issue #15, found by the fuzz crate).
//!
//! The stream below is a byte mutation of a valid one (kept in the fuzz corpus): a buffer of a
//! record batch's message header lies outside the message body. Before, `arrow-ipc` panicked
//! while slicing it ("the offset of the new Buffer cannot exceed the existing length: slice
//! offset=4294967680") and the panic went through `assay_data::open` to the caller.

use assay_data::{open, DataError, ReadOptions};

const STREAM: &[u8] =
    include_bytes!("../../assay-fuzz/corpus/arrow_ipc/crash_buffer_offset_stream.arrow");

#[test]
fn a_buffer_outside_its_message_body_is_an_error_naming_file_and_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mutated.arrows");
    std::fs::write(&path, STREAM).unwrap();
    let opts = ReadOptions {
        format: Some(assay_data::Format::Ipc),
        ..ReadOptions::default()
    };
    let errors: Vec<DataError> = match open(&path, &opts, None) {
        Err(e) => vec![e],
        Ok(stream) => stream.filter_map(Result::err).collect(),
    };
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
