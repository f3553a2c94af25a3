//! Times assay's learners on UCI Adult (train split: rows whose index is not a multiple of 5),
//! for `bench/train.sh`.
//!
//!   cargo run --release -p assay-model --example train_bench -- adult.data [repeats]
//!
//! * gbdt: the 6 numeric columns plus sorted-category codes of workclass, marital-status,
//!   occupation, relationship, race and sex (as `tests/reference/gbdt_golden.py`); 100 trees,
//!   31 leaves, learning rate 0.1, min 20 rows per leaf, λ = 0, 255 bins.
//! * logistic: the 6 numeric columns standardised with the train split's mean and population
//!   standard deviation, plus one-hot sex, race and relationship (as
//!   `tests/reference/logistic_golden.py`); C = 1.
//!
//! Prints `<learner> <median fit seconds> <test accuracy>` lines.

use std::time::Instant;

use assay_model::learners::{GradientBoosting, LogisticRegression, Matrix};

const NUMERIC: [usize; 6] = [0, 2, 4, 10, 11, 12];
const CODED: [usize; 6] = [1, 5, 6, 7, 8, 9];
const ONE_HOT: [usize; 3] = [9, 8, 7];

fn levels(rows: &[Vec<&str>], c: usize) -> Vec<String> {
    let mut v: Vec<String> = rows.iter().map(|r| r[c].to_string()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn split(x: &[f64], y: &[f64], d: usize) -> [(Vec<f64>, Vec<f64>); 2] {
    let mut parts = [(vec![], vec![]), (vec![], vec![])];
    for (i, &yi) in y.iter().enumerate() {
        let p = &mut parts[usize::from(i % 5 == 0)];
        p.0.extend_from_slice(&x[i * d..(i + 1) * d]);
        p.1.push(yi);
    }
    parts
}

fn accuracy(p: &[f64], y: &[f64]) -> f64 {
    let ok = p
        .iter()
        .zip(y)
        .filter(|(p, y)| (**p > 0.5) == (**y == 1.0))
        .count();
    ok as f64 / y.len() as f64
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: train_bench adult.data [repeats]");
    let repeats: usize = args.get(2).map_or(3, |r| r.parse().expect("repeats"));
    let text = std::fs::read_to_string(path).expect("read the data");
    let rows: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(str::trim).collect())
        .collect();
    let y: Vec<f64> = rows
        .iter()
        .map(|r| f64::from(u8::from(r[14] == ">50K")))
        .collect();

    // Gradient boosting.
    let codes: Vec<Vec<String>> = CODED.iter().map(|&c| levels(&rows, c)).collect();
    let mut x = Vec::new();
    for r in &rows {
        x.extend(
            NUMERIC
                .iter()
                .map(|&c| r[c].parse::<f64>().expect("a number")),
        );
        for (k, &c) in CODED.iter().enumerate() {
            x.push(
                codes[k]
                    .binary_search_by(|v| v.as_str().cmp(r[c]))
                    .expect("seen") as f64,
            );
        }
    }
    let d = 12;
    let [(xtr, ytr), (xte, yte)] = split(&x, &y, d);
    let gbdt = GradientBoosting::default();
    let m = Matrix::new(&xtr, d).expect("matrix");
    let mut times = Vec::new();
    let mut model = None;
    for _ in 0..repeats {
        let t = Instant::now();
        model = Some(gbdt.fit(&m, &ytr, None).expect("fit"));
        times.push(t.elapsed().as_secs_f64());
    }
    let p = model.expect("fitted").predict(&xte, d).expect("predict");
    println!("gbdt {:.4} {:.4}", median(times), accuracy(&p, &yte));

    // Logistic regression.
    let hot: Vec<Vec<String>> = ONE_HOT.iter().map(|&c| levels(&rows, c)).collect();
    let d = 6 + hot.iter().map(Vec::len).sum::<usize>();
    let mut x = Vec::new();
    for r in &rows {
        x.extend(
            NUMERIC
                .iter()
                .map(|&c| r[c].parse::<f64>().expect("a number")),
        );
        for (k, &c) in ONE_HOT.iter().enumerate() {
            x.extend(hot[k].iter().map(|v| f64::from(u8::from(v == r[c]))));
        }
    }
    let [(mut xtr, ytr), (mut xte, yte)] = split(&x, &y, d);
    let n = ytr.len() as f64;
    for j in 0..6 {
        let mean = xtr.chunks(d).map(|r| r[j]).sum::<f64>() / n;
        let var = xtr.chunks(d).map(|r| (r[j] - mean).powi(2)).sum::<f64>() / n;
        let std = if var > 0.0 { var.sqrt() } else { 1.0 };
        for v in xtr.chunks_mut(d).chain(xte.chunks_mut(d)) {
            v[j] = (v[j] - mean) / std;
        }
    }
    let m = Matrix::new(&xtr, d).expect("matrix");
    let mut times = Vec::new();
    let mut model = None;
    for _ in 0..repeats {
        let t = Instant::now();
        model = Some(
            LogisticRegression::default()
                .fit(&m, &ytr, None)
                .expect("fit"),
        );
        times.push(t.elapsed().as_secs_f64());
    }
    let p = model
        .expect("fitted")
        .predict_proba(&Matrix::new(&xte, d).expect("matrix"))
        .expect("predict");
    println!("logistic {:.4} {:.4}", median(times), accuracy(&p, &yte));
}
