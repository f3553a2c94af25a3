//! A graph output that nothing produces is an error naming it (issue #15, found by the fuzz
//! crate: a byte flip in an output name of `ops_tec2_c1_b0_logistic_pos.onnx`). Before,
//! `OnnxModel::load` panicked inside tract-onnx ("no entry found for key"), which looks each
//! graph output up in its map of produced names.

use std::path::PathBuf;

use assay_model::onnx::proto::ModelProto;
use assay_model::onnx::runtime::OnnxModel;
use prost::Message;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/reference/models/onnx/ops_tec2_c1_b0_logistic_pos.onnx")
}

#[test]
fn a_graph_output_no_node_produces_is_an_error_naming_it() {
    let bytes = std::fs::read(fixture()).unwrap();
    assert!(OnnxModel::load(fixture()).is_ok(), "the fixture loads");

    let mut model = ModelProto::decode(bytes.as_slice()).unwrap();
    let graph = model.graph.as_mut().unwrap();
    graph.output[0].name = Some("no_such_tensor".into());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dangling_output.onnx");
    std::fs::write(&path, model.encode_to_vec()).unwrap();

    let msg = match OnnxModel::load(&path) {
        Ok(_) => panic!("a dangling graph output was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(msg.contains("dangling_output.onnx"), "{msg}");
    assert!(
        msg.contains("graph output 'no_such_tensor' is produced by no node"),
        "{msg}"
    );
}

/// A fuzzed byte flip of the prepared logistic fixture gives a Reduce an axis beyond its
/// input's rank: tract's type inference unwrapped the error and panicked ("Illegal
/// combination of values for rank and axis: 2 and 9"); now it is an error naming the file.
#[test]
fn a_panic_in_tract_type_inference_is_an_error_naming_the_file() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../assay-fuzz/corpus/onnx/crash_rank_axis_unwrap.onnx");
    let msg = match OnnxModel::load(&path) {
        Ok(_) => panic!("the malformed model was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(msg.contains("crash_rank_axis_unwrap.onnx"), "{msg}");
    assert!(msg.contains("cannot type the graph"), "{msg}");
}
