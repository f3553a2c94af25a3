//! Times batched tree-ensemble prediction on a matrix held in memory (used by `bench/trees.sh`).
//!
//!     cargo run --release -p assay-model --example predict_bench -- MODEL DATA [REPEAT] [OUT.f64]
//!
//! MODEL is an XGBoost JSON (`.json`) or LightGBM text model; DATA a Parquet, CSV or Arrow IPC
//! file whose columns are matched to the model's feature names. The file is read into a dense
//! row-major `f64` buffer before timing; `predict` is then run REPEAT times (default 3) and the
//! median wall time printed. With OUT, the predictions are written as little-endian `f64`.

use std::path::Path;
use std::time::Instant;

use arrow_array::{Array, Float64Array};
use assay_data::csv::TextType;
use assay_data::source::ColumnRequest;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        return Err("usage: predict_bench MODEL DATA [REPEAT] [OUT.f64]".into());
    }
    let model_path = Path::new(&args[0]);
    let model = if model_path.extension().is_some_and(|e| e == "json") {
        assay_model::xgboost::load(model_path)?
    } else {
        assay_model::lightgbm::load(model_path)?
    };
    let repeat: usize = args.get(2).map_or(Ok(3), |s| s.parse())?;
    let names = model
        .feature_names
        .clone()
        .ok_or("the model stores no feature names")?;
    let requests: Vec<ColumnRequest> = names
        .iter()
        .map(|n| ColumnRequest {
            name: n.clone(),
            text_as: TextType::Float64,
            role: "model feature".into(),
        })
        .collect();

    let t0 = Instant::now();
    let n_cols = model.n_features;
    let mut x: Vec<f64> = Vec::new();
    let stream = assay_data::open(
        Path::new(&args[1]),
        &assay_data::ReadOptions::default(),
        Some(&requests),
    )?;
    for batch in stream {
        let batch = batch?;
        let start = x.len();
        x.resize(start + batch.num_rows() * n_cols, f64::NAN);
        let block = &mut x[start..];
        for (j, name) in names.iter().enumerate() {
            let col = batch.column_by_name(name).ok_or("column not read")?;
            let col = arrow_cast_f64(col.as_ref())?;
            for (i, v) in col.iter().enumerate() {
                block[i * n_cols + j] = v.unwrap_or(f64::NAN);
            }
        }
    }
    let n_rows = x.len() / n_cols;
    eprintln!(
        "read {n_rows} rows x {n_cols} features in {:.3} s",
        t0.elapsed().as_secs_f64()
    );

    let mut times = Vec::with_capacity(repeat);
    let mut pred = Vec::new();
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        pred = model.predict(&x, n_cols)?;
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!("predict {:.4}", times[times.len() / 2]);
    if let Some(out) = args.get(3) {
        let bytes: Vec<u8> = pred.iter().flat_map(|p| p.to_le_bytes()).collect();
        std::fs::write(out, bytes)?;
    }
    Ok(())
}

fn arrow_cast_f64(col: &dyn Array) -> Result<&Float64Array, String> {
    col.as_any()
        .downcast_ref::<Float64Array>()
        .ok_or_else(|| format!("column of type {} (expected Float64)", col.data_type()))
}
