//! KernelSHAP benchmark (bench/kernelshap.sh): times assay's KernelSHAP on the data written by
//! bench/kernelshap_shap.py and compares its error against exact Shapley values with shap's.
//!
//!     kernelshap_bench DIR BACKGROUND N1 [N2 ...]
//!
//! BACKGROUND is `full` (the 100 background rows) or `kmeans10` (shap.kmeans's 10 weighted
//! centres). For every budget N (coalitions per row) it reads DIR/shap_BACKGROUND_N.json (shap's values and
//! seconds), runs assay (median of 3 runs, seed 0) and prints one Markdown table row: budget,
//! model evaluations (N × background rows × rows, shap's count), unique rows assay scored,
//! seconds for both, speed-up, and the mean absolute error of both against the exact values
//! (assay's exact mode, all 4094 coalitions; equal to shap's exact values to 1e-15 in
//! tests/kernel_shap.rs).
//!
//! When DIR/data.json names a model (`bench/kernelshap_shap.py gen-adult`), the model is that
//! XGBoost JSON file, loaded by assay-model, and its margin is explained.
//!
//! Its hybrids are scored by the ensemble itself (one walk per tree, `Predict::predict_hybrids`)
//! unless `KS_BLACK_BOX=1`, which scores them row by row through a closure.
//!
//! Diagnostics: `KS_MODEL_FLOOR=1` also times the model alone on as many rows as the 2072
//! budget scores (stderr); `KS_CHEAP_MODEL=1` replaces the model by `x0 + x11` to measure
//! KernelSHAP's own overhead (errors are then meaningless against shap's files).

use std::time::Instant;

use assay_explain::predict::{EnsembleOutput, EnsemblePredict, FnPredict};
use assay_explain::shap::{Background, KernelExplainer, KernelShapConfig};
use assay_explain::{ExplainError, Predict};
use serde_json::Value;

fn vec1(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn mat(v: &Value) -> (Vec<f64>, usize) {
    let rows = v.as_array().unwrap();
    (rows.iter().flat_map(vec1).collect(), rows.len())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = &args[1];
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/{name}")).unwrap()).unwrap()
    };
    let d = read("data.json");
    // The Adult case (bench/kernelshap_shap.py gen-adult) explains an XGBoost model's margin;
    // the synthetic case a closed-form logistic of a quadratic.
    let xgb = d
        .get("model")
        .map(|m| assay_model::xgboost::load(format!("{dir}/{}", m.as_str().unwrap())).unwrap());
    let (b, a, (q, m)) = match &xgb {
        Some(t) => (0.0, Vec::new(), (Vec::new(), t.n_features)),
        None => (d["b"].as_f64().unwrap(), vec1(&d["a"]), mat(&d["q"])),
    };
    let kind = args[2].as_str();
    let background = match kind {
        "full" => {
            let (bg, nbg) = mat(&d["background"]);
            Background::new(bg, nbg, m).unwrap()
        }
        "kmeans10" => {
            let (bg, nbg) = mat(&d["kmeans10"]);
            Background::weighted(bg, nbg, m, vec1(&d["kmeans10_weights"])).unwrap()
        }
        other => panic!("background {other}: full or kmeans10"),
    };
    let nbg = background.n_rows;
    let (x, n) = mat(&d["x"]);
    let cheap = std::env::var("KS_CHEAP_MODEL").is_ok();
    let closure = FnPredict::new(m, |xs: &[f64], _| {
        if cheap {
            return Ok(xs.chunks(m).map(|r| r[0] + r[m - 1]).collect());
        }
        if let Some(t) = &xgb {
            return t
                .predict_margin(xs, m)
                .map_err(|e| ExplainError::Model(e.to_string()));
        }
        Ok::<_, ExplainError>(
            xs.chunks(m)
                .map(|r| {
                    let mut z = b;
                    for j in 0..m {
                        let mut t = a[j];
                        for k in j + 1..m {
                            t += q[j * m + k] * r[k];
                        }
                        z += t * r[j];
                    }
                    1.0 / (1.0 + (-z).exp())
                })
                .collect(),
        )
    });
    // The XGBoost model scores KernelSHAP's hybrids itself (one walk per tree) unless
    // KS_BLACK_BOX is set, which hides the model behind a closure: rows scored one by one.
    let ensemble = xgb
        .as_ref()
        .filter(|_| std::env::var("KS_BLACK_BOX").is_err() && !cheap)
        .map(|t| EnsemblePredict::new(t, EnsembleOutput::Margin));
    let f: &dyn Predict = match &ensemble {
        Some(e) => e,
        None => &closure,
    };
    let ex = KernelExplainer::new(f, background, None).unwrap();
    let exact_cfg = KernelShapConfig {
        n_samples: Some(1 << 20),
        ..KernelShapConfig::default()
    };
    let t0 = Instant::now();
    let exact = ex.explain(&x, n, &exact_cfg).unwrap();
    let t_exact = t0.elapsed().as_secs_f64();
    let threads = rayon::current_num_threads();
    for ns in &args[3..] {
        let ns: usize = ns.parse().unwrap();
        let s = read(&format!("shap_{kind}_{ns}.json"));
        let t_shap = s["seconds"].as_f64().unwrap();
        let (sv, _) = mat(&s["values"]);
        let mae = |v: &[f64]| {
            v.iter()
                .zip(&exact.values)
                .map(|(p, e)| (p - e).abs())
                .sum::<f64>()
                / v.len() as f64
        };
        let timed = |ns: usize| {
            let cfg = KernelShapConfig {
                n_samples: Some(ns),
                seed: 0,
                ..KernelShapConfig::default()
            };
            let mut times = Vec::new();
            let mut out = None;
            for _ in 0..3 {
                let t0 = Instant::now();
                out = Some(ex.explain(&x, n, &cfg).unwrap());
                times.push(t0.elapsed().as_secs_f64());
            }
            times.sort_by(f64::total_cmp);
            (times[1], out.unwrap())
        };
        let shap_mae = mae(&sv);
        let (t, out) = timed(ns);
        println!(
            "| {kind} | same evaluations | {ns} | {threads} | {:.1} M | {:.1} M | {t_shap:.2} | {t:.3} | {:.0}× | {:.2e} | {:.2e} |",
            out.model_evaluations as f64 / 1e6,
            out.unique_evaluations as f64 / 1e6,
            t_shap / t,
            shap_mae,
            mae(&out.values),
        );
        // Equal accuracy: the fastest budget on a ladder whose error is at most shap's (with
        // the background decomposition a larger budget can be faster, and more accurate: more
        // background rows are explained exactly, their hybrids scored by the model).
        let ladder = [
            50, 75, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000, 1200, 1500, 1800, 2072,
        ];
        let mut best: Option<(f64, usize)> = None;
        for &na in &ladder {
            let cfg = KernelShapConfig {
                n_samples: Some(na),
                seed: 0,
                ..KernelShapConfig::default()
            };
            let t0 = Instant::now();
            let out = ex.explain(&x, n, &cfg).unwrap();
            let t = t0.elapsed().as_secs_f64();
            if mae(&out.values) <= shap_mae && best.is_none_or(|(bt, _)| t < bt) {
                best = Some((t, na));
            }
        }
        if let Some((_, na)) = best {
            let (t, out) = timed(na);
            println!(
                "| {kind} | equal accuracy | {na} (shap {ns}) | {threads} | {:.1} M | {:.1} M | {t_shap:.2} | {t:.3} | {:.0}× | {:.2e} | {:.2e} |",
                out.model_evaluations as f64 / 1e6,
                out.unique_evaluations as f64 / 1e6,
                t_shap / t,
                shap_mae,
                mae(&out.values),
            );
        }
    }
    if std::env::var("KS_MODEL_FLOOR").is_ok() {
        // The model alone on as many rows as the 2072 budget scores (one thread, 65,536-row
        // batches of background rows): the floor of any KernelSHAP implementation.
        let rows = 2072 * nbg * n;
        let batch: Vec<f64> = (0..65536)
            .flat_map(|i| vec1(&d["background"][i % 100]))
            .collect();
        let t0 = Instant::now();
        let mut done = 0;
        let mut acc = 0.0;
        while done < rows {
            let k = 65536.min(rows - done);
            acc += f.predict(&batch[..k * m], k).unwrap()[0];
            done += k;
        }
        eprintln!(
            "model alone: {:.3} s for {:.1} M rows ({acc:.1})",
            t0.elapsed().as_secs_f64(),
            rows as f64 / 1e6
        );
    }
    println!(
        "| {kind} | exact | 4094 | {threads} | {:.1} M | {:.1} M | – | {t_exact:.3} | – | – | 0 |",
        exact.model_evaluations as f64 / 1e6,
        exact.unique_evaluations as f64 / 1e6
    );
}
