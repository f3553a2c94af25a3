//! Raw-column ONNX export of mitigated models against onnxruntime: the mitigated models under
//! `tests/reference/models/prepared/` are exported again and must give exactly the committed
//! `.onnx` bytes (run in onnxruntime by `tests/reference/prepared_onnx_golden.py`); assay's own
//! scores (`MitigatedModel` as a `Model`) and assay's ONNX runtime on the exported file must
//! equal onnxruntime's probabilities in `tests/reference/golden/prepared_onnx.json` to 1e-5.
//! Randomised decisions are refused with the hint to collapse them.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use assay_mitigation::export::to_prepared_onnx;
use assay_mitigation::{Decision, MitigatedModel, Predictor};
use assay_model::onnx::runtime::OnnxModel;
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

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn load(name: &str) -> MitigatedModel {
    MitigatedModel::load(&dir().join(format!("{name}.json"))).unwrap()
}

/// Same bytes as the committed file; assay's scores and assay's runtime equal onnxruntime's
/// probabilities to 1e-5; labels are the class of the larger probability. Returns the largest
/// differences (assay model, assay runtime).
fn check(name: &str) -> (f64, f64) {
    let m = load(name);
    let e = to_prepared_onnx(&m).unwrap();
    assert_eq!(
        e.bytes,
        to_prepared_onnx(&m).unwrap().bytes,
        "deterministic"
    );
    let path = dir().join(format!("{name}.onnx"));
    let want = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        e.bytes == want,
        "{name}: export differs from the committed file (rerun prepared_onnx_golden.py's steps)"
    );
    let case = golden(name);
    let batch = table(case["table"].as_str().unwrap());
    let proba: Vec<f64> = case["probabilities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()))
        .collect();
    let labels: Vec<&str> = case["label"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    let p1 = m.score_batch(&batch).unwrap();
    let ours: Vec<f64> = p1.iter().flat_map(|&p| [1.0 - p, p]).collect();
    let d_model = max_diff(&ours, &proba);
    assert!(
        d_model <= 1e-5,
        "{name}: assay vs onnxruntime differ by {d_model}"
    );
    let ours_labels: Vec<&str> = p1
        .iter()
        .map(|&p| m.class_names[usize::from(p > 1.0 - p)].as_str())
        .collect();
    assert_eq!(ours_labels, labels, "{name}: labels");
    let onnx = OnnxModel::load(&path).unwrap();
    // The runtime reads the class names from the export's metadata: a binary classifier
    // whose score is P(class 1).
    assert_eq!(onnx.classes().unwrap(), &m.class_names[..]);
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
fn single_reweighing_matches_onnxruntime() {
    assert!(matches!(
        load("reweighing").decision,
        Decision::Single { .. }
    ));
    let (d, _) = check("reweighing");
    assert!(d < 1e-12, "{d}");
}

#[test]
fn decorrelated_matches_onnxruntime() {
    let m = load("decorrelated");
    assert!(matches!(m.decision, Decision::Decorrelated { .. }));
    // Two sensitive columns: the group index combines both.
    assert_eq!(m.sensitive, vec!["sex", "region"]);
    let (d, _) = check("decorrelated");
    assert!(d < 1e-12, "{d}");
    assert!(golden("decorrelated")["refuses_unseen_group"]
        .as_str()
        .unwrap()
        .contains("zeros = 0"));
}

#[test]
fn deterministic_thresholds_match_onnxruntime() {
    let m = load("thresholds");
    let Decision::Thresholds { thresholds, .. } = &m.decision else {
        panic!("not a threshold model")
    };
    assert!(thresholds.interpolation.iter().all(|r| r.p0 == 1.0));
    let (d, _) = check("thresholds");
    // Decisions are 0/1: any difference would be a flipped decision.
    assert_eq!(d, 0.0);
    let p = m.score_batch(&table("input_complete.csv")).unwrap();
    assert!(p.contains(&1.0) && p.contains(&0.0));
}

#[test]
fn collapsed_mixture_and_constant_match_onnxruntime() {
    check("mixture_one");
    check("constant");
}

#[test]
fn randomised_thresholds_are_refused() {
    let m = load("thresholds_randomized");
    match to_prepared_onnx(&m) {
        Err(ModelError::Export { message }) => {
            assert!(
                message.contains("group 'F'") && message.contains("randomised"),
                "{message}"
            )
        }
        other => panic!("expected an export error, got {other:?}"),
    }
}

#[test]
fn mixture_is_refused_with_the_collapse_hint() {
    let r = load("reweighing");
    let Decision::Single { predictor } = r.decision.clone() else {
        panic!("not a single predictor")
    };
    let m = MitigatedModel::new(
        "exponentiated gradient".into(),
        r.label.clone(),
        r.class_names.clone(),
        r.positive.clone(),
        r.features.clone(),
        r.sensitive.clone(),
        r.groups.clone(),
        0,
        Decision::Mixture {
            weights: vec![0.4, 0.6],
            predictors: vec![predictor, Predictor::Constant { value: 1.0 }],
        },
    )
    .unwrap();
    match to_prepared_onnx(&m) {
        Err(ModelError::Export { message }) => {
            assert!(
                message.contains("mixture of 2 predictors") && message.contains("--collapse"),
                "{message}"
            )
        }
        other => panic!("expected an export error, got {other:?}"),
    }
}

#[test]
fn unseen_group_is_refused_by_assay_runtime() {
    let onnx = OnnxModel::load(dir().join("decorrelated.onnx")).unwrap();
    let batch = table("input.csv");
    let sex: Vec<&str> = (0..batch.num_rows())
        .map(|i| if i == 0 { "X" } else { "F" })
        .collect();
    let i = batch.schema().index_of("sex").unwrap();
    let mut cols = batch.columns().to_vec();
    cols[i] = Arc::new(StringArray::from(sex));
    let batch = RecordBatch::try_new(batch.schema(), cols).unwrap();
    let err = onnx.score_batch(&batch).unwrap_err().to_string();
    assert!(err.contains("zeros=0"), "{err}");
    assert!(load("decorrelated").score_batch(&batch).is_err());
}
