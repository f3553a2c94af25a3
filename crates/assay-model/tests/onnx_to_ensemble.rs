//! ONNX-ML tree ensembles converted to [`TreeEnsemble`] (`assay_model::onnx::to_ensemble`):
//!
//! * scikit-learn RandomForestClassifier, GradientBoostingClassifier and DecisionTreeRegressor
//!   exported by skl2onnx (`tests/reference/sklearn_trees_golden.py`) predict onnxruntime's
//!   outputs to 1e-6 on 500 Adult rows, and assay's ONNX kernel's outputs on those rows and on
//!   perturbed rows (values on the thresholds, NaN, infinities); tree, node and leaf counts
//!   equal scikit-learn's; the covers attach with the root cover equal to the training weight;
//! * assay's own ONNX exports of XGBoost and LightGBM models convert back to trees that send
//!   every row to a leaf of exactly the original leaf value;
//! * every split mode (`BRANCH_LEQ`, `LT`, `GTE`, `GT`) with and without
//!   `nodes_missing_value_tracks_true`, on `float` and `double` inputs, routes like the ONNX
//!   definition at the threshold, one step either side, ±0, ±∞ and NaN;
//! * the binary-classifier layouts route their score like assay's ONNX kernel (pinned to
//!   onnxruntime), and the unsupported ones (multiclass, weights on both classes, two base
//!   values, `SOFTMAX_ZERO`, `BRANCH_EQ`, no tree ensemble) are refused with a clear error.
//!
//! Float32: the scikit-learn rows are integers below 2^24, exact in `f32`, and the converted
//! trees compare `(x as f32)` as onnxruntime compares its `float` input, so routing is
//! identical. The converted ensemble sums the `f32` leaf weights in `f64`, onnxruntime in
//! `f32`: the outputs differ by the `f32` rounding of the sum (about 1e-7 here).

use std::path::{Path, PathBuf};

use assay_model::onnx::runtime::OnnxModel;
use assay_model::onnx::to_ensemble::{
    load_covers, tree_ensemble_from_onnx, tree_ensemble_from_proto, with_covers,
};
use assay_model::{Link, Model, TreeEnsemble};
use prost::Message;
use serde_json::Value;
use tract_onnx::pb;

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn matrix(v: &Value) -> (Vec<f64>, usize) {
    let rows = v.as_array().unwrap();
    let n_cols = rows[0].as_array().unwrap().len();
    (rows.iter().flat_map(floats).collect(), n_cols)
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            if x.is_nan() && y.is_nan() {
                0.0
            } else {
                (x - y).abs()
            }
        })
        .fold(0.0, f64::max)
}

fn golden() -> Value {
    read_json(&reference().join("golden/sklearn_trees_shap.json"))
}

/// The golden rows, then perturbed copies: each value +0.5 (Adult is integer, scikit-learn's
/// thresholds are midpoints: these land exactly on them), −0.5, NaN, 0, ±∞, and ±1.
fn perturbed(x: &[f64], n_cols: usize) -> Vec<f64> {
    let mut out = x.to_vec();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for r in x.chunks(n_cols) {
        for _ in 0..3 {
            for &v in r {
                let k = next();
                out.push(match k % 9 {
                    0 => v + 0.5,
                    1 => v - 0.5,
                    2 => f64::NAN,
                    3 => 0.0,
                    4 => f64::INFINITY,
                    5 => f64::NEG_INFINITY,
                    6 => v + 1.0,
                    7 => v - 1.0,
                    _ => v,
                });
            }
        }
    }
    out
}

#[test]
fn sklearn_models_predict_like_onnxruntime() {
    let g = golden();
    for (name, m) in g["models"].as_object().unwrap() {
        let path = reference().join(m["onnx"].as_str().unwrap());
        let e = tree_ensemble_from_onnx(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (x, n_cols) = matrix(&m["rows"]);
        assert_eq!(e.n_features, n_cols, "{name}");
        assert_eq!(
            m["columns"].as_array().unwrap().len(),
            n_cols,
            "{name}: columns"
        );

        // Against onnxruntime (golden file).
        let pred = e.predict(&x, n_cols).unwrap();
        let d_ort = max_diff(&pred, &floats(&m["onnxruntime"]));
        // Against assay's ONNX kernel, on the golden and the perturbed rows.
        let onnx = OnnxModel::load(&path).unwrap();
        let xp = perturbed(&x, n_cols);
        let n = xp.len() / n_cols;
        let d_kernel = max_diff(
            &e.predict(&xp, n_cols).unwrap(),
            &onnx.score_matrix(&xp, n).unwrap(),
        );
        eprintln!(
            "{name}: max |converted − onnxruntime| {d_ort:e} on {} rows; |converted − assay ONNX kernel| {d_kernel:e} on {n} rows",
            pred.len()
        );
        assert!(d_ort <= 1e-6, "{name}: {d_ort:e} from onnxruntime");
        assert!(
            d_kernel <= 1e-6,
            "{name}: {d_kernel:e} from the ONNX kernel"
        );

        let want_link = match m["margin_space"].as_str().unwrap() {
            "log_odds" => Link::Logistic { scale: 1.0 },
            _ => Link::Identity,
        };
        assert_eq!(e.objective.link, want_link, "{name}");

        // Structure: scikit-learn's tree, node and leaf counts.
        let n_leaves: Vec<usize> = floats(&m["n_leaves"]).iter().map(|&v| v as usize).collect();
        let n_nodes: Vec<usize> = floats(&m["n_nodes"]).iter().map(|&v| v as usize).collect();
        assert_eq!(e.trees.len(), m["n_trees"].as_u64().unwrap() as usize);
        assert_eq!(
            e.trees.iter().map(|t| t.n_leaves()).collect::<Vec<_>>(),
            n_leaves,
            "{name}: leaves per tree"
        );
        assert_eq!(
            e.trees.iter().map(|t| t.n_nodes()).collect::<Vec<_>>(),
            n_nodes,
            "{name}: nodes per tree"
        );

        // Covers: every tree's root holds the 32,561 training rows (unit weights; a bootstrap
        // sample of the random forest counts repeated rows with their multiplicity).
        let covers = load_covers(reference().join(m["covers"].as_str().unwrap())).unwrap();
        let e = with_covers(e, covers).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (t, tree) in e.trees.iter().enumerate() {
            let c = tree.cover.as_ref().unwrap();
            assert_eq!(c[0], 32_561.0, "{name} tree {t}: root cover");
            let leaves: f64 = (0..tree.n_nodes())
                .filter(|&i| tree.is_leaf(i))
                .map(|i| c[i])
                .sum();
            assert_eq!(leaves, 32_561.0, "{name} tree {t}: leaf covers");
        }
    }
}

/// Covers in the wrong node order, or of the wrong shape, are refused.
#[test]
fn misaligned_covers_are_refused() {
    let g = golden();
    let m = &g["models"]["dt_regressor"];
    let e = tree_ensemble_from_onnx(reference().join(m["onnx"].as_str().unwrap())).unwrap();
    let mut covers = load_covers(reference().join(m["covers"].as_str().unwrap())).unwrap();
    assert!(with_covers(e.clone(), covers.clone()).is_ok());
    covers[0].swap(1, 2);
    let err = with_covers(e.clone(), covers.clone())
        .unwrap_err()
        .to_string();
    assert!(err.contains("children's sum"), "{err}");
    covers[0].pop();
    let err = with_covers(e.clone(), covers).unwrap_err().to_string();
    assert!(err.contains("covers for"), "{err}");
    let err = with_covers(e, vec![]).unwrap_err().to_string();
    assert!(err.contains("0 cover vectors for 1 trees"), "{err}");
}

/// Rows of `golden/trees_features.json` (null = NaN) and perturbed copies.
fn tree_rows() -> (Vec<f64>, usize) {
    let v = read_json(&reference().join("golden/trees_features.json"));
    let (x, n_cols) = matrix(&v["rows"]);
    (perturbed(&x, n_cols), n_cols)
}

fn same_leaves(original: &TreeEnsemble, converted: &TreeEnsemble, name: &str) {
    let (x, n_cols) = tree_rows();
    assert_eq!(original.trees.len(), converted.trees.len(), "{name}");
    assert_eq!(original.n_features, converted.n_features, "{name}");
    assert_eq!(original.objective.link, converted.objective.link, "{name}");
    assert_eq!(original.base_score, converted.base_score, "{name}");
    for (t, (a, b)) in original.trees.iter().zip(&converted.trees).enumerate() {
        assert_eq!(a.n_leaves(), b.n_leaves(), "{name} tree {t}");
        for (r, row) in x.chunks(n_cols).enumerate() {
            let va = a.value[a.leaf(row)];
            let vb = b.value[b.leaf(row)];
            assert_eq!(
                va.to_bits(),
                vb.to_bits(),
                "{name} tree {t} row {r}: {va} vs {vb}"
            );
        }
    }
}

/// assay's exports (XGBoost: `BRANCH_LT` on a `float` input; LightGBM: `BRANCH_LEQ` on a
/// `double` input, missing values tracked) convert back to the same leaves for every row.
#[test]
fn assay_exports_convert_back() {
    let dir = reference().join("models/onnx");
    let xgb = assay_model::xgboost::load(dir.join("xgb_binary_numeric.json")).unwrap();
    let back = tree_ensemble_from_onnx(dir.join("xgb_binary_numeric.onnx")).unwrap();
    // XGBoost's base score is an f32 in the exported graph.
    assert_eq!(back.base_score, xgb.base_score as f32 as f64);
    let mut xgb_f = xgb.clone();
    xgb_f.base_score = back.base_score;
    same_leaves(&xgb_f, &back, "xgb_binary_numeric");
    for name in ["lgb_binary_numeric", "lgb_regression_numeric"] {
        let lgb = assay_model::lightgbm::load(dir.join(format!("{name}.txt"))).unwrap();
        let back = tree_ensemble_from_onnx(dir.join(format!("{name}.onnx"))).unwrap();
        same_leaves(&lgb, &back, name);
        let (x, n_cols) = tree_rows();
        let d = max_diff(
            &lgb.predict(&x, n_cols).unwrap(),
            &back.predict(&x, n_cols).unwrap(),
        );
        assert!(d <= 1e-12, "{name}: {d:e}");
    }
}

// ---- Synthetic graphs -------------------------------------------------------------------

fn attr_ints(name: &str, v: &[i64]) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: 7,
        ints: v.to_vec(),
        ..Default::default()
    }
}

fn attr_floats(name: &str, v: &[f32]) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: 6,
        floats: v.to_vec(),
        ..Default::default()
    }
}

fn attr_doubles(name: &str, v: &[f64]) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: 4,
        t: Some(pb::TensorProto {
            dims: vec![v.len() as i64],
            data_type: 11,
            double_data: v.to_vec(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn attr_strings(name: &str, v: &[&str]) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: 8,
        strings: v.iter().map(|s| s.as_bytes().to_vec()).collect(),
        ..Default::default()
    }
}

fn attr_string(name: &str, v: &str) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: 3,
        s: v.as_bytes().to_vec(),
        ..Default::default()
    }
}

fn tensor_info(name: &str, elem: i32, dims: &[Option<i64>]) -> pb::ValueInfoProto {
    use pb::tensor_shape_proto::{dimension, Dimension};
    pb::ValueInfoProto {
        name: name.into(),
        r#type: Some(pb::TypeProto {
            value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                elem_type: elem,
                shape: Some(pb::TensorShapeProto {
                    dim: dims
                        .iter()
                        .map(|d| Dimension {
                            value: Some(match d {
                                Some(v) => dimension::Value::DimValue(*v),
                                None => dimension::Value::DimParam("N".into()),
                            }),
                            ..Default::default()
                        })
                        .collect(),
                }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn model(node: pb::NodeProto, double: bool, classifier: bool) -> pb::ModelProto {
    let outputs = if classifier {
        vec![
            tensor_info("label", 7, &[None]),
            tensor_info("probabilities", 1, &[None, Some(2)]),
        ]
    } else {
        vec![tensor_info("variable", 1, &[None, Some(1)])]
    };
    pb::ModelProto {
        ir_version: 8,
        opset_import: vec![
            pb::OperatorSetIdProto {
                domain: String::new(),
                version: 17,
            },
            pb::OperatorSetIdProto {
                domain: "ai.onnx.ml".into(),
                version: 3,
            },
        ],
        producer_name: "test".into(),
        graph: Some(pb::GraphProto {
            node: vec![node],
            name: "g".into(),
            input: vec![tensor_info(
                "X",
                if double { 11 } else { 1 },
                &[None, Some(1)],
            )],
            output: outputs,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Two trees on feature 0: tree 0 splits with `mode` at `t` (leaves weigh 1 if true, 2 if
/// false), tree 1 is a single leaf of weight 0.25. `extra` attributes complete the node.
fn two_trees(
    op: &str,
    mode: &str,
    t: f64,
    tracks: i64,
    double: bool,
    ids: &[i64],
    extra: Vec<pb::AttributeProto>,
) -> pb::NodeProto {
    let prefix = if op == "TreeEnsembleClassifier" {
        "class"
    } else {
        "target"
    };
    let mut w_tree = Vec::new();
    let mut w_node = Vec::new();
    let mut w_id = Vec::new();
    let mut w_val = Vec::new();
    for (tree, node, v) in [(0, 1, 1.0f32), (0, 2, 2.0), (1, 0, 0.25)] {
        for &c in ids {
            w_tree.push(tree);
            w_node.push(node);
            w_id.push(c);
            w_val.push(v * (c + 1) as f32);
        }
    }
    let mut attribute = vec![
        attr_ints("nodes_treeids", &[0, 0, 0, 1]),
        attr_ints("nodes_nodeids", &[0, 1, 2, 0]),
        attr_ints("nodes_featureids", &[0, 0, 0, 0]),
        attr_strings("nodes_modes", &[mode, "LEAF", "LEAF", "LEAF"]),
        attr_ints("nodes_truenodeids", &[1, 0, 0, 0]),
        attr_ints("nodes_falsenodeids", &[2, 0, 0, 0]),
        attr_ints("nodes_missing_value_tracks_true", &[tracks, 0, 0, 0]),
        attr_ints(&format!("{prefix}_treeids"), &w_tree),
        attr_ints(&format!("{prefix}_nodeids"), &w_node),
        attr_ints(&format!("{prefix}_ids"), &w_id),
        attr_floats(&format!("{prefix}_weights"), &w_val),
    ];
    if double {
        attribute.push(attr_doubles("nodes_values_as_tensor", &[t, 0.0, 0.0, 0.0]));
    } else {
        attribute.push(attr_floats("nodes_values", &[t as f32, 0.0, 0.0, 0.0]));
    }
    attribute.extend(extra);
    pb::NodeProto {
        input: vec!["X".into()],
        output: if op == "TreeEnsembleClassifier" {
            vec!["label".into(), "probabilities".into()]
        } else {
            vec!["variable".into()]
        },
        name: "trees".into(),
        op_type: op.into(),
        domain: "ai.onnx.ml".into(),
        attribute,
        ..Default::default()
    }
}

/// The ONNX definition of a split: the comparison in the input's type, NaN to the true branch
/// when tracked.
fn onnx_true(mode: &str, x: f64, t: f64, tracks: bool, double: bool) -> bool {
    let (x, t) = if double {
        (x, t)
    } else {
        (x as f32 as f64, t as f32 as f64)
    };
    let c = match mode {
        "BRANCH_LEQ" => x <= t,
        "BRANCH_LT" => x < t,
        "BRANCH_GTE" => x >= t,
        "BRANCH_GT" => x > t,
        _ => unreachable!(),
    };
    c || (tracks && x.is_nan())
}

/// The next `f32` after `v` towards `dir` · ∞ (`f32::next_up` / `next_down` need Rust 1.86).
fn step32(v: f32, dir: f32) -> f32 {
    if v == 0.0 {
        return f32::from_bits(1).copysign(dir);
    }
    let b = v.to_bits();
    f32::from_bits(if (v > 0.0) == (dir > 0.0) {
        b + 1
    } else {
        b - 1
    })
}

/// The next `f64` after `v` towards `dir` · ∞.
fn step64(v: f64, dir: f64) -> f64 {
    if v == 0.0 {
        return f64::from_bits(1).copysign(dir);
    }
    let b = v.to_bits();
    f64::from_bits(if (v > 0.0) == (dir > 0.0) {
        b + 1
    } else {
        b - 1
    })
}

fn probe_values(t: f64) -> Vec<f64> {
    let t32 = t as f32;
    let mut v = vec![
        t,
        t32 as f64,
        step32(t32, 1.0) as f64,
        step32(t32, -1.0) as f64,
        step64(t, 1.0),
        step64(t, -1.0),
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -t,
        1e-40,
    ];
    v.sort_by(f64::total_cmp);
    v
}

#[test]
fn every_split_mode_routes_as_onnx_defines() {
    let dir = tempfile::tempdir().unwrap();
    for double in [false, true] {
        for mode in ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT"] {
            for tracks in [0, 1] {
                for t in [0.5, 0.1, -3.7, 0.0, 1e-30] {
                    let node = two_trees(
                        "TreeEnsembleRegressor",
                        mode,
                        t,
                        tracks,
                        double,
                        &[0],
                        vec![attr_string("post_transform", "NONE")],
                    );
                    let proto = model(node, double, false);
                    let e = tree_ensemble_from_proto(&proto, "synthetic").unwrap();
                    let xs = probe_values(t);
                    let got = e.predict(&xs, 1).unwrap();
                    for (&x, &g) in xs.iter().zip(&got) {
                        let want = if onnx_true(mode, x, t, tracks == 1, double) {
                            1.25
                        } else {
                            2.25
                        };
                        assert_eq!(
                            g, want,
                            "{mode} tracks {tracks} double {double} t {t} x {x}"
                        );
                    }
                    if !double {
                        // assay's ONNX kernel (pinned to onnxruntime) agrees.
                        let path = dir.path().join("m.onnx");
                        std::fs::write(&path, proto.encode_to_vec()).unwrap();
                        let k = OnnxModel::load(&path).unwrap();
                        let kx = k.score_matrix(&xs, xs.len()).unwrap();
                        assert_eq!(got, kx, "{mode} tracks {tracks} t {t}: kernel");
                    }
                }
            }
        }
    }
}

/// Binary classifier layouts: accepted ones give the kernel's class-1 score, others an error.
#[test]
fn binary_classifier_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let labels = || attr_ints("classlabels_int64s", &[0, 1]);
    let xs = probe_values(0.5);
    // (class ids, base values, post_transform, accepted)
    let cases: &[(&[i64], &[f32], &str, bool)] = &[
        (&[0], &[], "NONE", true),
        (&[0], &[], "LOGISTIC", true),
        (&[0], &[-0.75], "LOGISTIC", true),
        (&[0], &[0.5], "NONE", true),
        (&[1], &[], "NONE", true),
        (&[1], &[], "LOGISTIC", true),
        (&[1], &[], "SOFTMAX", true),
        (&[0], &[], "SOFTMAX_ZERO", false),
        (&[0], &[0.1, 0.2], "LOGISTIC", false),
        (&[1], &[0.3], "LOGISTIC", false),
        (&[0, 1], &[], "LOGISTIC", false),
    ];
    for &(classes, base, post, accepted) in cases {
        let mut extra = vec![labels(), attr_string("post_transform", post)];
        if !base.is_empty() {
            extra.push(attr_floats("base_values", base));
        }
        let node = two_trees(
            "TreeEnsembleClassifier",
            "BRANCH_LEQ",
            0.5,
            1,
            false,
            classes,
            extra,
        );
        let proto = model(node, false, true);
        let what = format!("classes {classes:?} base {base:?} {post}");
        match tree_ensemble_from_proto(&proto, "synthetic") {
            Ok(e) => {
                assert!(accepted, "{what}: accepted");
                let path = dir.path().join("c.onnx");
                std::fs::write(&path, proto.encode_to_vec()).unwrap();
                let k = OnnxModel::load(&path).unwrap();
                let want = k.score_matrix(&xs, xs.len()).unwrap();
                let got = e.predict(&xs, 1).unwrap();
                let d = max_diff(&got, &want);
                assert!(d <= 1e-6, "{what}: {got:?} vs kernel {want:?}");
            }
            Err(err) => {
                assert!(!accepted, "{what}: refused: {err}");
                let msg = err.to_string();
                assert!(msg.contains("unsupported model"), "{what}: {msg}");
            }
        }
    }
}

/// A regressor averaging its trees, with a base value, equals the kernel.
#[test]
fn averaging_regressor_with_base_value() {
    let dir = tempfile::tempdir().unwrap();
    let node = two_trees(
        "TreeEnsembleRegressor",
        "BRANCH_GT",
        -3.7,
        0,
        false,
        &[0],
        vec![
            attr_string("aggregate_function", "AVERAGE"),
            attr_floats("base_values", &[10.5]),
        ],
    );
    let proto = model(node, false, false);
    let e = tree_ensemble_from_proto(&proto, "synthetic").unwrap();
    assert_eq!(e.base_score, 10.5);
    let path = dir.path().join("r.onnx");
    std::fs::write(&path, proto.encode_to_vec()).unwrap();
    let xs = probe_values(-3.7);
    let want = OnnxModel::load(&path)
        .unwrap()
        .score_matrix(&xs, xs.len())
        .unwrap();
    let got = e.predict(&xs, 1).unwrap();
    assert!(max_diff(&got, &want) <= 1e-6, "{got:?} vs {want:?}");
    assert!(got.contains(&(10.5 + 0.625)) && got.contains(&(10.5 + 1.125)));
}

#[test]
fn unsupported_graphs_are_refused() {
    let dir = reference().join("models/onnx");
    // No tree ensemble.
    let err = tree_ensemble_from_onnx(dir.join("logistic_binary.onnx"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no TreeEnsembleClassifier or TreeEnsembleRegressor node"),
        "{err}"
    );
    // Multiclass.
    let err = tree_ensemble_from_onnx(dir.join("ops_tec3_softmax.onnx"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("3 class labels") && err.contains("only binary classifiers"),
        "{err}"
    );
    // Preprocessing in front of the ensemble (skl2onnx pipeline on raw columns).
    let err = tree_ensemble_from_onnx(dir.join("adult_rf.onnx"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a graph input"), "{err}");
    // BRANCH_EQ.
    let node = two_trees(
        "TreeEnsembleRegressor",
        "BRANCH_EQ",
        1.0,
        0,
        false,
        &[0],
        vec![],
    );
    let err = tree_ensemble_from_proto(&model(node, false, false), "synthetic")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("node mode BRANCH_EQ is not converted"),
        "{err}"
    );
    // Not an ONNX file.
    let err = tree_ensemble_from_onnx(reference().join("golden/trees_features.json"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not an ONNX model"), "{err}");
}
