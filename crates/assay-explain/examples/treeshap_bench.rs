//! Times path-dependent TreeSHAP ([`assay_explain::shap::tree_shap`]) on a feature matrix, for
//! `bench/treeshap.sh`.
//!
//! ```text
//! treeshap_bench MODEL.json X.f64 N_FEATURES THREADS REPS [XGB_CONTRIBS.f32]
//! ```
//!
//! `X.f64` is the row-major matrix as raw little-endian `f64` (NaN missing). With XGBoost's
//! `pred_contribs` output (raw little-endian `f32`, `n × (N_FEATURES + 1)`) it also reports the
//! largest absolute difference of the SHAP values and of the base value. Prints one JSON line.

use std::time::Instant;

use assay_explain::shap::tree_shap;

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 6 {
        eprintln!(
            "usage: treeshap_bench MODEL.json X.f64 N_FEATURES THREADS REPS [XGB_CONTRIBS.f32]"
        );
        std::process::exit(2);
    }
    let model = assay_model::xgboost::load(&args[1]).expect("model");
    let x: Vec<f64> = read(&args[2])
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let d: usize = args[3].parse().expect("N_FEATURES");
    let threads: usize = args[4].parse().expect("THREADS");
    let reps: usize = args[5].parse().expect("REPS");
    assert_eq!(d, model.n_features, "model features");
    let n = x.len() / d;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut times = Vec::new();
    let mut result = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let s = pool
            .install(|| tree_shap(&model, &x, n))
            .expect("tree_shap");
        times.push(t0.elapsed().as_secs_f64());
        result = Some(s);
    }
    let s = result.expect("at least one repetition");
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let mut diff = serde_json::Map::new();
    if let Some(path) = args.get(6) {
        let c: Vec<f64> = read(path)
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()) as f64)
            .collect();
        assert_eq!(c.len(), n * (d + 1), "contribs size");
        let mut worst = 0.0f64;
        let mut worst_base = 0.0f64;
        for i in 0..n {
            for j in 0..d {
                worst = worst.max((s.values[i * d + j] - c[i * (d + 1) + j]).abs());
            }
            worst_base = worst_base.max((s.base_value - c[i * (d + 1) + d]).abs());
        }
        diff.insert("max_abs_diff_vs_xgb".into(), worst.into());
        diff.insert("max_abs_base_diff_vs_xgb".into(), worst_base.into());
    }
    let out = serde_json::json!({
        "rows": n,
        "features": d,
        "trees": model.trees.len(),
        "threads": threads,
        "median_s": median,
        "times_s": times,
        "comparison": diff,
    });
    println!("{out}");
}
