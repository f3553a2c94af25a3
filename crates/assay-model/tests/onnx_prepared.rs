//! Raw-column ONNX export of models trained by `assay train`, against onnxruntime: the models
//! under `tests/reference/models/prepared/` are exported again and must give exactly the
//! committed `.onnx` bytes (which `tests/reference/prepared_onnx_golden.py` checked with
//! `onnx.checker` and ran in onnxruntime on the committed input tables), and assay's own scores
//! of the raw table ([`LogisticModel`], [`TreeModel`]) and assay's ONNX runtime ([`OnnxModel`])
//! on the exported file must equal onnxruntime's probabilities in
//! `tests/reference/golden/prepared_onnx.json` to 1e-5.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use assay_model::learners::{TrainedGbdt, TrainedLogistic, TrainedTree};
use assay_model::model::{LogisticModel, TreeModel};
use assay_model::onnx::export_prepared::PreparedOnnx;
use assay_model::onnx::runtime::OnnxModel;
use assay_model::tree::Decision;
use assay_model::{Model, ModelError};
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference/models/prepared")
}

fn golden(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/reference/golden/prepared_onnx.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"][name].clone()
}

/// The committed CSV table: `age` and `hours` as numbers (an empty cell is null), the other
/// columns as text.
fn table(name: &str) -> RecordBatch {
    let path = dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let columns: Vec<(&str, ArrayRef)> = header
        .iter()
        .enumerate()
        .map(|(j, &h)| {
            let cells = rows.iter().map(|r| r[j]);
            let a: ArrayRef = if h == "age" || h == "hours" {
                Arc::new(Float64Array::from(
                    cells
                        .map(|c| (!c.is_empty()).then(|| c.parse::<f64>().unwrap()))
                        .collect::<Vec<_>>(),
                ))
            } else {
                Arc::new(StringArray::from(cells.collect::<Vec<_>>()))
            };
            (h, a)
        })
        .collect();
    RecordBatch::try_from_iter(columns).unwrap()
}

/// The golden probabilities `[N, 2]` row-major and labels.
fn expected(case: &Value) -> (Vec<f64>, Vec<String>) {
    let p = case["probabilities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()))
        .collect();
    let l = case["label"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    (p, l)
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Checks an export against the committed file and the golden outputs: same bytes, assay's
/// own scores (`p1` per row) and assay's ONNX runtime equal onnxruntime's probabilities to
/// 1e-5, and the labels are the class of the larger probability. Returns the largest
/// differences (assay model, assay runtime).
fn check(name: &str, exported: &PreparedOnnx, model: &dyn Model, classes: &[String]) -> (f64, f64) {
    let path = dir().join(format!("{name}.onnx"));
    let want = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        exported.bytes == want,
        "{name}: export differs from the committed file (rerun prepared_onnx_golden.py's steps)"
    );
    let case = golden(name);
    let batch = table(case["table"].as_str().unwrap());
    let (proba, labels) = expected(&case);
    let p1 = model.score_batch(&batch).unwrap();
    let ours: Vec<f64> = p1.iter().flat_map(|&p| [1.0 - p, p]).collect();
    let d_model = max_diff(&ours, &proba);
    assert!(
        d_model <= 1e-5,
        "{name}: assay vs onnxruntime differ by {d_model}"
    );
    let ours_labels: Vec<String> = p1
        .iter()
        .map(|&p| classes[usize::from(p > 1.0 - p)].clone())
        .collect();
    assert_eq!(ours_labels, labels, "{name}: labels");

    let onnx = OnnxModel::load(&path).unwrap();
    let names: Vec<&str> = onnx.input_schema().names();
    let inputs: Vec<String> = case["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, inputs, "{name}: graph inputs");
    // The runtime reads the class names from the export's metadata: a binary classifier
    // whose score is P(class 1).
    assert_eq!(onnx.classes().unwrap(), classes);
    let runtime: Vec<f64> = onnx
        .score_batch(&batch)
        .unwrap()
        .into_iter()
        .flat_map(|p| [1.0 - p, p])
        .collect();
    let d_runtime = max_diff(&runtime, &proba);
    assert!(
        d_runtime <= 1e-5,
        "{name}: assay's ONNX runtime vs onnxruntime differ by {d_runtime}"
    );
    eprintln!("{name}: max |assay − onnxruntime| = {d_model:.3e}, assay runtime {d_runtime:.3e}");
    (d_model, d_runtime)
}

#[test]
fn logistic_standardize_impute_onehot_ignore() {
    let m = TrainedLogistic::load(&dir().join("logistic.json")).unwrap();
    let e = m.to_prepared_onnx().unwrap();
    assert_eq!(
        e.bytes,
        m.to_prepared_onnx().unwrap().bytes,
        "deterministic"
    );
    assert_eq!(
        e.inputs,
        vec![
            ("age".to_string(), "double"),
            ("hours".to_string(), "double"),
            ("edu".to_string(), "string"),
            ("city".to_string(), "string"),
        ]
    );
    // The committed model exercises the preparation the test claims to cover.
    assert!(m.features.iter().any(|f| matches!(
        f,
        assay_model::learners::FeatureSpec::Numeric {
            impute: Some(_),
            mean: Some(_),
            ..
        }
    )));
    let classes = m.class_names.clone();
    let (d, d_runtime) = check("logistic", &e, &LogisticModel::new(m), &classes);
    // Everything is double: the only difference is rounding, in assay's model and in assay's
    // ONNX runtime alike (which keeps double inputs and outputs in f64).
    assert!(d < 1e-12, "{d}");
    assert!(d_runtime < 1e-12, "assay's ONNX runtime: {d_runtime}");
}

#[test]
fn gbdt_ordinal_codes_and_missing_values() {
    let m = TrainedGbdt::load(&dir().join("gbdt.json")).unwrap();
    let e = m.to_prepared_onnx().unwrap();
    assert!(
        e.caveats.iter().any(|c| c.contains("missing value")),
        "{:?}",
        e.caveats
    );
    let classes = m.class_names.clone();
    check(
        "gbdt",
        &e,
        &TreeModel::from_gbdt(m, None).unwrap(),
        &classes,
    );
    // The table has missing ages and unseen categories: both reach the trees as NaN.
    let batch = table("input.csv");
    let age = batch.column_by_name("age").unwrap();
    assert!(age.null_count() > 0);
}

#[test]
fn tree_with_unknown_error() {
    let m = TrainedTree::load(&dir().join("tree.json")).unwrap();
    let e = m.to_prepared_onnx().unwrap();
    assert!(
        e.caveats
            .iter()
            .any(|c| c.contains("makes the ONNX runtime fail")),
        "{:?}",
        e.caveats
    );
    let classes = m.class_names.clone();
    let model = TreeModel::from_tree(m, None).unwrap();
    check("tree", &e, &model, &classes);
    // Unseen categories: assay refuses them, and so does the graph (OneHotEncoder zeros=0),
    // in assay's runtime as in onnxruntime (the golden records its error).
    let all = table("input.csv");
    assert!(model.score_batch(&all).is_err());
    let onnx = OnnxModel::load(dir().join("tree.onnx")).unwrap();
    let err = onnx.score_batch(&all).unwrap_err().to_string();
    assert!(err.contains("zeros=0"), "{err}");
    assert!(golden("tree")["refuses_unseen"]
        .as_str()
        .unwrap()
        .contains("Unknown Category and zeros = 0"));
}

#[test]
fn categorical_tree_split_is_refused() {
    let mut m = TrainedGbdt::load(&dir().join("gbdt.json")).unwrap();
    let t = &mut m.model.trees[3];
    let node = (0..t.n_nodes()).find(|&n| !t.is_leaf(n)).unwrap();
    t.decision[node] = Decision::CategoryInSetLeft;
    t.category_set[node] = Some(t.category_sets.len() as u32);
    t.category_sets.push(Default::default());
    match m.to_prepared_onnx() {
        Err(ModelError::Export { message }) => {
            assert!(
                message.contains(&format!("tree 3, node {node}: a categorical split")),
                "{message}"
            )
        }
        other => panic!("expected an export error, got {other:?}"),
    }
}

#[test]
fn column_named_like_an_output_is_refused() {
    let mut m = TrainedLogistic::load(&dir().join("logistic.json")).unwrap();
    if let assay_model::learners::FeatureSpec::Numeric { column, .. } = &mut m.features[0] {
        *column = "probabilities".into();
    }
    let err = m.to_prepared_onnx().unwrap_err().to_string();
    assert!(err.contains("'probabilities'"), "{err}");
}

#[test]
fn logistic_multiclass_softmax() {
    let m = TrainedLogistic::load(&dir().join("logistic_multiclass.json")).unwrap();
    let e = m.to_prepared_onnx().unwrap();
    let path = dir().join("logistic_multiclass.onnx");
    assert!(e.bytes == std::fs::read(&path).unwrap(), "committed bytes");
    let k = m.class_names.len();
    assert_eq!(k, 4);
    let case = golden("logistic_multiclass");
    let batch = table(case["table"].as_str().unwrap());
    let (proba, labels) = expected(&case);
    let classes = m.class_names.clone();
    let ours = LogisticModel::new(m).score_batch(&batch).unwrap();
    let d = max_diff(&ours, &proba);
    assert!(d < 1e-12, "assay vs onnxruntime differ by {d}");
    let ours_labels: Vec<String> = ours
        .chunks(k)
        .map(|r| {
            let best = (0..k).fold(0, |b, j| if r[j] > r[b] { j } else { b });
            classes[best].clone()
        })
        .collect();
    assert_eq!(ours_labels, labels);
    let onnx = OnnxModel::load(&path).unwrap();
    assert_eq!(onnx.classes().unwrap(), &classes[..]);
    let runtime = onnx.score_batch(&batch).unwrap();
    let dr = max_diff(&runtime, &proba);
    assert!(
        dr <= 1e-5,
        "assay's ONNX runtime vs onnxruntime differ by {dr}"
    );
    eprintln!("logistic_multiclass: max |assay − onnxruntime| = {d:.3e}, assay runtime {dr:.3e}");
}

#[test]
fn gbdt_regression_variable() {
    let m = TrainedGbdt::load(&dir().join("gbdt_regression.json")).unwrap();
    assert!(m.class_names.is_empty());
    let e = m.to_prepared_onnx().unwrap();
    let path = dir().join("gbdt_regression.onnx");
    assert!(e.bytes == std::fs::read(&path).unwrap(), "committed bytes");
    assert_eq!(e.outputs[0].0, "variable");
    let case = golden("gbdt_regression");
    let batch = table(case["table"].as_str().unwrap());
    let want: Vec<f64> = case["variable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let ours = TreeModel::from_gbdt(m, None)
        .unwrap()
        .score_batch(&batch)
        .unwrap();
    // A float32 margin of values near 40: about 4e-6 is one unit in the last place.
    let d = max_diff(&ours, &want);
    assert!(d <= 1e-5, "assay vs onnxruntime differ by {d}");
    let onnx = OnnxModel::load(&path).unwrap();
    assert!(onnx.classes().is_none());
    let dr = max_diff(&onnx.score_batch(&batch).unwrap(), &want);
    assert!(
        dr <= 1e-5,
        "assay's ONNX runtime vs onnxruntime differ by {dr}"
    );
    eprintln!("gbdt_regression: max |assay − onnxruntime| = {d:.3e}, assay runtime {dr:.3e}");
}
