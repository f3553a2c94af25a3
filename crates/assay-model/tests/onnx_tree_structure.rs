//! Malformed ONNX tree ensembles (issue #15, finding 5): the structure of a TreeEnsemble node is
//! validated before anything walks it, by the runtime (`OnnxModel::load`, which also computes
//! the inspector's tree statistics) and by `onnx::to_ensemble` alike. Before, a node whose mode
//! is not LEAF and whose children point back to the root made the tree statistics walk
//! exponentially: `OnnxModel::load` of the cyclic model below never returned.
//!
//! The models are built with the crate's own prost messages (`assay_model::onnx::proto`).

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use assay_model::onnx::proto::{
    attribute_type, AttributeProto, Dimension, DimensionValue, GraphProto, ModelProto, NodeProto,
    OperatorSetIdProto, TensorShapeProto, TypeProto, TypeProtoTensor, ValueInfoProto, FLOAT,
};
use assay_model::onnx::runtime::OnnxModel;
use assay_model::onnx::to_ensemble::tree_ensemble_from_onnx;
use prost::Message;

/// Depth of the complete binary tree of the fixture: 2^(DEPTH+1) − 1 = 127 nodes.
const DEPTH: u32 = 6;

/// Generous bound for loading a 127-node model in a debug build.
const LIMIT: Duration = Duration::from_secs(60);

/// The structural attributes of one TreeEnsembleRegressor node, edited by the tests.
#[derive(Clone)]
struct Trees {
    tree_ids: Vec<i64>,
    node_ids: Vec<i64>,
    modes: Vec<String>,
    true_ids: Vec<i64>,
    false_ids: Vec<i64>,
}

impl Trees {
    /// One complete binary tree of depth [`DEPTH`]: node `i` splits on feature `i % 2` with
    /// children `2i + 1` and `2i + 2`; the last level are leaves.
    fn complete() -> Trees {
        let n = (1i64 << (DEPTH + 1)) - 1;
        let internal = (1i64 << DEPTH) - 1;
        let mut t = Trees {
            tree_ids: vec![0; n as usize],
            node_ids: (0..n).collect(),
            modes: Vec::new(),
            true_ids: Vec::new(),
            false_ids: Vec::new(),
        };
        for i in 0..n {
            let leaf = i >= internal;
            t.modes
                .push(if leaf { "LEAF" } else { "BRANCH_LEQ" }.to_string());
            t.true_ids.push(if leaf { 0 } else { 2 * i + 1 });
            t.false_ids.push(if leaf { 0 } else { 2 * i + 2 });
        }
        t
    }

    /// The first leaf's index.
    fn first_leaf() -> usize {
        (1usize << DEPTH) - 1
    }
}

fn ints(name: &str, v: Vec<i64>) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(attribute_type::INTS),
        ints: v,
        ..Default::default()
    }
}

fn floats(name: &str, v: Vec<f32>) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(attribute_type::FLOATS),
        floats: v,
        ..Default::default()
    }
}

fn tensor_info(name: &str, width: usize) -> ValueInfoProto {
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type: Some(FLOAT),
                shape: Some(TensorShapeProto {
                    dim: vec![
                        Dimension {
                            value: Some(DimensionValue::DimParam("N".into())),
                        },
                        Dimension {
                            value: Some(DimensionValue::DimValue(width as i64)),
                        },
                    ],
                }),
            }),
        }),
        doc_string: None,
    }
}

/// The encoded model: input `X` (float, 2 columns), one TreeEnsembleRegressor, weight 1 on
/// every node that is a leaf in [`Trees::complete`].
fn encode(t: &Trees) -> Vec<u8> {
    let n = t.tree_ids.len();
    let leaves: Vec<usize> = (Trees::first_leaf()..n).collect();
    let attribute = vec![
        ints("nodes_treeids", t.tree_ids.clone()),
        ints("nodes_nodeids", t.node_ids.clone()),
        ints("nodes_featureids", (0..n as i64).map(|i| i % 2).collect()),
        floats("nodes_values", vec![0.5; n]),
        AttributeProto {
            name: Some("nodes_modes".into()),
            r#type: Some(attribute_type::STRINGS),
            strings: t.modes.iter().map(|m| m.as_bytes().to_vec()).collect(),
            ..Default::default()
        },
        ints("nodes_truenodeids", t.true_ids.clone()),
        ints("nodes_falsenodeids", t.false_ids.clone()),
        ints("nodes_missing_value_tracks_true", vec![0; n]),
        ints(
            "target_treeids",
            leaves.iter().map(|&i| t.tree_ids[i]).collect(),
        ),
        ints(
            "target_nodeids",
            leaves.iter().map(|&i| t.node_ids[i]).collect(),
        ),
        ints("target_ids", vec![0; leaves.len()]),
        floats("target_weights", vec![1.0; leaves.len()]),
        AttributeProto {
            name: Some("n_targets".into()),
            r#type: Some(attribute_type::INT),
            i: Some(1),
            ..Default::default()
        },
    ];
    let node = NodeProto {
        input: vec!["X".into()],
        output: vec!["variable".into()],
        name: Some("forest".into()),
        op_type: Some("TreeEnsembleRegressor".into()),
        domain: Some("ai.onnx.ml".into()),
        attribute,
    };
    let mut output = tensor_info("variable", 1);
    output.name = Some("variable".into());
    let model = ModelProto {
        ir_version: Some(8),
        opset_import: vec![
            OperatorSetIdProto {
                domain: Some(String::new()),
                version: Some(17),
            },
            OperatorSetIdProto {
                domain: Some("ai.onnx.ml".into()),
                version: Some(3),
            },
        ],
        producer_name: Some("assay-test".into()),
        graph: Some(GraphProto {
            node: vec![node],
            name: Some("trees".into()),
            input: vec![tensor_info("X", 2)],
            output: vec![output],
            ..Default::default()
        }),
        ..Default::default()
    };
    model.encode_to_vec()
}

/// Loads `t` with the runtime and with `to_ensemble` on a watchdog thread; both results (error
/// messages) or a failure naming the loader that exceeded [`LIMIT`].
fn load_both(t: &Trees) -> (Result<(), String>, Result<(), String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.onnx");
    std::fs::write(&path, encode(t)).unwrap();
    let run = |f: fn(&Path) -> Result<(), String>, what: &str| {
        let (tx, rx) = mpsc::channel();
        let p = path.clone();
        std::thread::spawn(move || tx.send(f(&p)));
        rx.recv_timeout(LIMIT)
            .unwrap_or_else(|_| panic!("{what} did not return within {LIMIT:?}"))
    };
    let runtime = run(
        |p| OnnxModel::load(p).map(|_| ()).map_err(|e| e.to_string()),
        "OnnxModel::load",
    );
    let convert = run(
        |p| {
            tree_ensemble_from_onnx(p)
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
        "tree_ensemble_from_onnx",
    );
    (runtime, convert)
}

/// Both loaders refuse `t`, with messages containing every one of `needles`.
fn refused(t: &Trees, needles: &[&str]) {
    let (runtime, convert) = load_both(t);
    for (what, r) in [("runtime", runtime), ("to_ensemble", convert)] {
        let e = r.expect_err(what);
        for n in needles {
            assert!(e.contains(n), "{what}: {e:?} lacks {n:?}");
        }
    }
}

#[test]
fn the_fixture_itself_loads() {
    let (runtime, convert) = load_both(&Trees::complete());
    runtime.unwrap();
    convert.unwrap();
}

#[test]
fn children_pointing_back_to_the_root_are_refused_promptly() {
    // Every leaf becomes a branch whose two children are the root: the walk of the tree
    // statistics doubled at every step (2^127 paths) before the modes were validated.
    let mut t = Trees::complete();
    for i in Trees::first_leaf()..t.modes.len() {
        t.modes[i] = "BRANCH_LEQ".into();
    }
    let first = Trees::first_leaf();
    refused(
        &t,
        &[
            "'forest'",
            &format!("tree 0 node {first} (BRANCH_LEQ)"),
            "the tree's root (node 0)",
        ],
    );
}

#[test]
fn a_node_with_two_parents_is_refused() {
    // Node 1's false child becomes node 3, its true child already: a DAG, not a tree.
    let mut t = Trees::complete();
    t.false_ids[1] = 3;
    refused(&t, &["tree 0 node 1", "node 3, which is already reached"]);
}

#[test]
fn a_node_pointing_to_itself_is_refused() {
    let mut t = Trees::complete();
    t.true_ids[2] = 2;
    refused(&t, &["tree 0 node 2", "true child itself"]);
}

#[test]
fn unknown_modes_missing_children_and_split_trees_are_refused() {
    let mut t = Trees::complete();
    t.modes[5] = "BRANCH_XYZ".into();
    refused(&t, &["tree 0 node 5", "unknown mode 'BRANCH_XYZ'"]);

    let mut t = Trees::complete();
    t.false_ids[4] = 1000;
    refused(
        &t,
        &[
            "tree 0 node 4",
            "false child 1000, which is not a node of tree 0",
        ],
    );

    // Node 10 moves to tree 1, so tree 0's nodes are split by it (and node 4 loses a child).
    let mut t = Trees::complete();
    t.tree_ids[10] = 1;
    refused(&t, &["nodes of tree 0 are not consecutive"]);

    let mut t = Trees::complete();
    t.node_ids[7] = 8;
    refused(&t, &["tree 0 has node id 8 twice"]);
}
