//! Writes the ONNX files checked by `tests/reference/onnx_golden.py` into
//! `tests/reference/models/onnx/`:
//!
//! * `logistic_binary` and `logistic_3class`: logistic regressions fitted by assay on seeded
//!   synthetic data generated here (saved as `.json` too, so the Rust test re-exports exactly the
//!   same model), with 200 further rows written to `golden/onnx_logistic_rows.json`;
//! * `xgb_binary_numeric`, `lgb_binary_numeric` and `lgb_regression_numeric`: the tree
//!   ensembles trained by `onnx_golden.py train`.
//!
//!     cargo run -p assay-model --example export_onnx

use std::path::PathBuf;

use assay_model::learners::{LogisticRegression, Matrix};

/// SplitMix64, enough for reproducible synthetic data without a dependency.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Approximately standard normal (sum of 12 uniforms minus 6).
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }
}

const D: usize = 4;

/// `n` rows of `D` features and labels from `k` classes drawn from a softmax of linear scores.
fn data(seed: u64, n: usize, k: usize) -> (Vec<f64>, Vec<f64>) {
    let weights = [
        [1.0, -0.5, 0.25, 0.0],
        [-0.75, 1.0, 0.0, 0.5],
        [0.25, 0.25, -1.0, 0.75],
    ];
    let mut rng = Rng(seed);
    let mut x = Vec::with_capacity(n * D);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let row: Vec<f64> = (0..D).map(|j| rng.normal() * (1.0 + j as f64)).collect();
        let scores: Vec<f64> = (0..k)
            .map(|c| {
                row.iter()
                    .zip(&weights[c])
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    .exp()
            })
            .collect();
        let total: f64 = scores.iter().sum();
        let mut u = rng.uniform() * total;
        let mut label = k - 1;
        for (c, s) in scores.iter().enumerate() {
            if u < *s {
                label = c;
                break;
            }
            u -= s;
        }
        x.extend(row);
        y.push(label as f64);
    }
    (x, y)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let reference = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference");
    let dir = reference.join("models/onnx");
    std::fs::create_dir_all(&dir)?;
    for (name, k) in [("logistic_binary", 2), ("logistic_3class", 3)] {
        let (x, y) = data(20261125 + k as u64, 400, k);
        let model = LogisticRegression::default().fit(&Matrix::new(&x, D)?, &y, None)?;
        model.save(&dir.join(format!("{name}.json")))?;
        model.save_onnx(&dir.join(format!("{name}.onnx")))?;
        eprintln!("{name}: {} Newton iterations", model.n_iter);
    }
    let (rows, _) = data(7, 200, 3);
    let rows: Vec<&[f64]> = rows.chunks(D).collect();
    let json = serde_json::json!({ "n_features": D, "rows": rows });
    std::fs::write(
        reference.join("golden/onnx_logistic_rows.json"),
        serde_json::to_string(&json)?,
    )?;
    let xgb = assay_model::xgboost::load(dir.join("xgb_binary_numeric.json"))?;
    xgb.save_onnx(&dir.join("xgb_binary_numeric.onnx"))?;
    let lgb = assay_model::lightgbm::load(dir.join("lgb_binary_numeric.txt"))?;
    lgb.save_onnx(&dir.join("lgb_binary_numeric.onnx"))?;
    let lgb = assay_model::lightgbm::load(dir.join("lgb_regression_numeric.txt"))?;
    lgb.save_onnx(&dir.join("lgb_regression_numeric.onnx"))?;
    eprintln!("wrote {}", dir.display());
    Ok(())
}
