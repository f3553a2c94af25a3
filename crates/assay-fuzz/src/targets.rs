//! The fuzz targets: every parser and loader of assay, each with its seed corpus.
//!
//! A target's `run` reads the file at the given path through the public loader, exactly as the
//! CLI and the server do, and exercises what it returns a little (draining a table's batches,
//! predicting two rows with a tree ensemble, reading a ledger's balances); any `Err` is a
//! correct answer to bad input. Seeds: the repository's fixtures named in [`TARGETS`], inputs
//! generated from them ([`generated`]), and every file in `corpus/<target>/` (small seeds and
//! the regression cases of inputs that once failed).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assay_model::TreeEnsemble;

/// One fuzz target.
pub struct Target {
    /// Name, also the corpus directory `corpus/<name>/`.
    pub name: &'static str,
    /// Extension of the input file (loaders detect some formats by it).
    pub extension: &'static str,
    /// Fixtures of the repository used as seeds, relative to the workspace root.
    pub fixtures: &'static [&'static str],
    /// The loader under test.
    pub run: fn(&Path),
    /// All seeds: fixtures, generated inputs and the corpus directory, named.
    pub seeds: fn() -> Vec<(String, Vec<u8>)>,
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// This crate's corpus directory of `target`.
pub fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target)
}

/// The fixtures and corpus files of the target named `name`, plus generated seeds.
fn seeds_of(name: &str) -> Vec<(String, Vec<u8>)> {
    let target = TARGETS
        .iter()
        .find(|t| t.name == name)
        .expect("a listed target");
    let mut out = Vec::new();
    for f in target.fixtures {
        let p = workspace_root().join(f);
        let bytes = std::fs::read(&p)
            .unwrap_or_else(|e| panic!("seed fixture {} of {name}: {e}", p.display()));
        out.push((f.to_string(), bytes));
    }
    out.extend(generated(name));
    if let Ok(dir) = std::fs::read_dir(corpus_dir(name)) {
        let mut files: Vec<PathBuf> = dir.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        for p in files.into_iter().filter(|p| p.is_file()) {
            let bytes = std::fs::read(&p).expect("read a corpus file");
            let shown = format!("corpus/{name}/{}", p.file_name().unwrap().to_string_lossy());
            out.push((shown, bytes));
        }
    }
    out
}

/// Seeds made at run time from fixtures: Parquet and Arrow IPC (file and stream) copies of the
/// CSV fixture, and the governance server's built-in approval policy as TOML.
pub fn generated(name: &str) -> Vec<(String, Vec<u8>)> {
    match name {
        "parquet" | "arrow_ipc" => {
            let csv = workspace_root().join("tests/fixtures/edge.csv");
            let stream = assay_data::open(&csv, &assay_data::ReadOptions::default(), None)
                .expect("the CSV fixture opens");
            let schema = stream.schema();
            let batches: Vec<_> = stream
                .collect::<Result<_, _>>()
                .expect("the CSV fixture reads");
            if name == "parquet" {
                let mut buf = Vec::new();
                let mut w = parquet::arrow::ArrowWriter::try_new(&mut buf, schema, None)
                    .expect("parquet writer");
                for b in &batches {
                    w.write(b).expect("write parquet");
                }
                w.close().expect("close parquet");
                vec![("edge.csv as Parquet".into(), buf)]
            } else {
                let mut file = Vec::new();
                let mut w =
                    arrow_ipc::writer::FileWriter::try_new(&mut file, &schema).expect("ipc writer");
                for b in &batches {
                    w.write(b).expect("write ipc");
                }
                w.finish().expect("finish ipc");
                drop(w);
                let mut stream = Vec::new();
                let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut stream, &schema)
                    .expect("ipc stream writer");
                for b in &batches {
                    w.write(b).expect("write ipc stream");
                }
                w.finish().expect("finish ipc stream");
                drop(w);
                vec![
                    ("edge.csv as Arrow IPC file".into(), file),
                    ("edge.csv as Arrow IPC stream".into(), stream),
                ]
            }
        }
        "governance_policy" => {
            let text = toml::to_string(&assay_govern::policy::Policy::default())
                .expect("the built-in policy serialises");
            vec![("built-in policy".into(), text.into_bytes())]
        }
        _ => Vec::new(),
    }
}

/// Reads every batch of a table.
fn drain_table(path: &Path) {
    if let Ok(stream) = assay_data::open(path, &assay_data::ReadOptions::default(), None) {
        for batch in stream {
            if batch.is_err() {
                break;
            }
        }
    }
}

/// Predicts a row of zeros and a row of NaN (missing) with a loaded ensemble of sane width.
fn exercise_ensemble(e: &TreeEnsemble) {
    let w = e.n_features;
    if w == 0 || w > 100_000 {
        return;
    }
    let mut x = vec![0.0; 2 * w];
    x[w..].fill(f64::NAN);
    let _ = e.predict(&x, w);
}

fn text(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn run_onnx(path: &Path) {
    let _ = assay_model::onnx::runtime::OnnxModel::load(path);
    if let Ok(e) = assay_model::onnx::to_ensemble::tree_ensemble_from_onnx(path) {
        exercise_ensemble(&e);
    }
}

fn run_xgboost(path: &Path) {
    if let Some(t) = text(path) {
        if let Ok(e) = assay_model::xgboost::parse(&t, "fuzz") {
            exercise_ensemble(&e);
        }
    }
}

fn run_lightgbm(path: &Path) {
    if let Some(t) = text(path) {
        if let Ok(e) = assay_model::lightgbm::parse(&t, "fuzz") {
            exercise_ensemble(&e);
        }
    }
}

fn run_model_json(path: &Path) {
    let _ = assay_model::load_model(path, None);
    let _ = assay_mitigation::MitigatedModel::load(path);
}

fn run_fairness_policy(path: &Path) {
    let _ = assay_fairness::Policy::from_file(path);
}

fn run_roles(path: &Path) {
    if let Ok(r) = assay_data::ColumnRoles::from_toml_file(path) {
        let _ = r.validate();
    }
}

fn run_hierarchies(path: &Path) {
    let _ = assay_anonymity::hierarchy::Hierarchies::from_path(path);
}

fn run_governance_policy(path: &Path) {
    if let Ok(p) = assay_govern::policy::Policy::from_file(path) {
        let _ = p.validate();
    }
}

fn run_ledger(path: &Path) {
    if let Ok(l) = assay_privacy::ledger::Ledger::open(path) {
        for d in l.datasets() {
            let _ = (d.spent(), d.remaining());
        }
    }
}

/// Every JSON request body the governance server deserialises (the route handlers'
/// `ApiJson<T>` types, all defined in `assay_govern`).
fn run_server_json(path: &Path) {
    use assay_govern::{changes, evidence, incidents, inventory, schedules};
    let Ok(b) = std::fs::read(path) else {
        return;
    };
    fn de<T: serde::de::DeserializeOwned>(b: &[u8]) {
        let _ = serde_json::from_slice::<T>(b);
    }
    de::<inventory::ModelSpec>(&b);
    de::<inventory::ModelUpdate>(&b);
    de::<inventory::VersionSpec>(&b);
    de::<changes::ChangeSpec>(&b);
    de::<changes::DecisionSpec>(&b);
    de::<changes::RollbackSpec>(&b);
    de::<evidence::EvidenceSpec>(&b);
    de::<incidents::IncidentSpec>(&b);
    de::<incidents::NoteSpec>(&b);
    de::<incidents::StatusChange>(&b);
    de::<incidents::PostMortem>(&b);
    de::<schedules::ScheduleSpec>(&b);
}

fn run_pii(path: &Path) {
    static ANALYZER: OnceLock<assay_pii::Analyzer> = OnceLock::new();
    let a = ANALYZER.get_or_init(|| {
        assay_pii::Analyzer::new(assay_pii::AnalyzerConfig::default()).expect("analyzer")
    });
    if let Some(t) = text(path) {
        let found = a.analyze(&t);
        let _ = assay_pii::operators::resolve_overlaps(&found);
    }
}

/// Every target, in the order a run visits them.
pub static TARGETS: &[Target] = &[
    Target {
        name: "csv",
        extension: "csv",
        fixtures: &[
            "tests/fixtures/edge.csv",
            "tests/reference/models/prepared/input.csv",
        ],
        run: drain_table,
        seeds: || seeds_of("csv"),
    },
    Target {
        name: "parquet",
        extension: "parquet",
        fixtures: &[],
        run: drain_table,
        seeds: || seeds_of("parquet"),
    },
    Target {
        name: "arrow_ipc",
        extension: "arrow",
        fixtures: &[],
        run: drain_table,
        seeds: || seeds_of("arrow_ipc"),
    },
    Target {
        name: "onnx",
        extension: "onnx",
        fixtures: &[
            "tests/reference/models/onnx/ops_ter1_sum.onnx",
            "tests/reference/models/onnx/ops_tec2_c1_b0_logistic_pos.onnx",
            "tests/reference/models/onnx/ops_tec3_strings_softmax_base.onnx",
            "tests/reference/models/onnx/ops_le_str_float.onnx",
            "tests/reference/models/onnx/ops_ohe_int64.onnx",
            "tests/reference/models/onnx/ops_imputer_nan_columns.onnx",
            "tests/reference/models/onnx/ops_zipmap_linear3.onnx",
            "tests/reference/models/prepared/tree.onnx",
            "tests/reference/models/prepared/logistic.onnx",
        ],
        run: run_onnx,
        seeds: || seeds_of("onnx"),
    },
    Target {
        name: "xgboost",
        extension: "json",
        fixtures: &["tests/reference/models/xgb_binary.json"],
        run: run_xgboost,
        seeds: || seeds_of("xgboost"),
    },
    Target {
        name: "lightgbm",
        extension: "txt",
        fixtures: &[
            "tests/reference/models/lgb_binary.txt",
            "tests/reference/models/onnx/lgb_regression_numeric.txt",
        ],
        run: run_lightgbm,
        seeds: || seeds_of("lightgbm"),
    },
    Target {
        name: "model_json",
        extension: "json",
        fixtures: &[
            "tests/reference/models/prepared/logistic.json",
            "tests/reference/models/prepared/logistic_multiclass.json",
            "tests/reference/models/prepared/tree.json",
            "tests/reference/models/prepared/gbdt_regression.json",
            "tests/reference/models/prepared/reweighing.json",
            "tests/reference/models/prepared/mixture_one.json",
            "tests/reference/models/prepared/decorrelated.json",
            "tests/reference/models/prepared/mitigated_hiring.json",
        ],
        run: run_model_json,
        seeds: || seeds_of("model_json"),
    },
    Target {
        name: "fairness_policy",
        extension: "toml",
        fixtures: &["examples/hiring/policy.toml"],
        run: run_fairness_policy,
        seeds: || seeds_of("fairness_policy"),
    },
    Target {
        name: "roles",
        extension: "toml",
        fixtures: &["examples/hiring/roles.toml"],
        run: run_roles,
        seeds: || seeds_of("roles"),
    },
    Target {
        name: "hierarchies",
        extension: "toml",
        fixtures: &["examples/anonymize/adult-hierarchies.toml"],
        run: run_hierarchies,
        seeds: || seeds_of("hierarchies"),
    },
    Target {
        name: "governance_policy",
        extension: "toml",
        fixtures: &[],
        run: run_governance_policy,
        seeds: || seeds_of("governance_policy"),
    },
    Target {
        name: "ledger",
        extension: "json",
        fixtures: &[],
        run: run_ledger,
        seeds: || seeds_of("ledger"),
    },
    Target {
        name: "server_json",
        extension: "json",
        fixtures: &[],
        run: run_server_json,
        seeds: || seeds_of("server_json"),
    },
    Target {
        name: "pii_text",
        extension: "txt",
        fixtures: &[],
        run: run_pii,
        seeds: || seeds_of("pii_text"),
    },
];
