//! `--utility LABEL`: the accuracy of assay's logistic regression (L2, C = 1) trained on the
//! original and on the anonymized table, on the same seeded 70/30 split of the released records.
//! Every column but the label is a feature: numeric columns (every value a number) standardised
//! with the training mean and standard deviation, the others one-hot over the training
//! categories (an unseen category is all zeros). On the anonymized table the quasi-identifiers
//! are their generalized values, both in training and in testing (the released test records are
//! anonymized too).

use assay_anonymity::mondrian::Generalization;
use assay_model::learners::{LogisticRegression, Matrix};

use super::TextTable;

/// One feature column encoded: training rows, test rows, width.
type Block = (Vec<f64>, Vec<f64>, usize);

/// Test accuracy of the two models (the report's type).
pub use assay_core::reports::anonymize::Utility;

/// Encodes the feature columns for the training and test rows.
fn encode(cols: &[Vec<&str>], train: &[usize], test: &[usize]) -> (Vec<f64>, Vec<f64>, usize) {
    let mut blocks: Vec<Block> = Vec::new();
    for col in cols {
        let numbers: Option<Vec<f64>> = col
            .iter()
            .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect();
        match numbers {
            Some(x) => {
                let n = train.len().max(1) as f64;
                let mean = train.iter().map(|&r| x[r]).sum::<f64>() / n;
                let var = train.iter().map(|&r| (x[r] - mean).powi(2)).sum::<f64>() / n;
                let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
                let f = |rows: &[usize]| rows.iter().map(|&r| (x[r] - mean) / sd).collect();
                blocks.push((f(train), f(test), 1));
            }
            None => {
                let mut cats: Vec<&str> = train.iter().map(|&r| col[r]).collect();
                cats.sort_unstable();
                cats.dedup();
                let d = cats.len();
                let f = |rows: &[usize]| {
                    let mut v = vec![0.0; rows.len() * d];
                    for (i, &r) in rows.iter().enumerate() {
                        if let Ok(j) = cats.binary_search(&col[r]) {
                            v[i * d + j] = 1.0;
                        }
                    }
                    v
                };
                blocks.push((f(train), f(test), d));
            }
        }
    }
    let d: usize = blocks.iter().map(|b| b.2).sum();
    let interleave = |rows: usize, pick: &dyn Fn(&Block) -> &Vec<f64>| {
        let mut x = Vec::with_capacity(rows * d);
        for i in 0..rows {
            for b in &blocks {
                x.extend_from_slice(&pick(b)[i * b.2..(i + 1) * b.2]);
            }
        }
        x
    };
    let xtr = interleave(train.len(), &|b| &b.0);
    let xte = interleave(test.len(), &|b| &b.1);
    (xtr, xte, d)
}

fn accuracy(cols: &[Vec<&str>], y: &[f64], train: &[usize], test: &[usize]) -> Result<f64, String> {
    let (xtr, xte, d) = encode(cols, train, test);
    let ytr: Vec<f64> = train.iter().map(|&r| y[r]).collect();
    let learner = LogisticRegression {
        tol: 1e-8,
        ..Default::default()
    };
    let mtr = Matrix::with_rows(&xtr, train.len(), d).map_err(|e| e.to_string())?;
    let fitted = learner.fit(&mtr, &ytr, None).map_err(|e| e.to_string())?;
    let mte = Matrix::with_rows(&xte, test.len(), d).map_err(|e| e.to_string())?;
    let pred = fitted.predict_class(&mte).map_err(|e| e.to_string())?;
    let correct = pred
        .iter()
        .zip(test)
        .filter(|(&p, &r)| fitted.classes[p] == y[r])
        .count();
    Ok(correct as f64 / test.len().max(1) as f64)
}

/// Trains on the original and on the anonymized released records and tests both.
pub fn utility(
    table: &TextTable,
    label: &str,
    qi_idx: &[usize],
    g: &Generalization,
) -> Result<Utility, String> {
    let li = table
        .names
        .iter()
        .position(|n| n == label)
        .ok_or_else(|| format!("--utility: no column named '{label}'"))?;
    if qi_idx.contains(&li) {
        return Err(format!(
            "--utility: the label '{label}' is a quasi-identifier"
        ));
    }
    let released: Vec<usize> = (0..g.class_of.len())
        .filter(|&r| g.class_of[r].is_some())
        .collect();
    let mut classes: Vec<&str> = released
        .iter()
        .map(|&r| table.columns[li][r].as_str())
        .collect();
    classes.sort_unstable();
    classes.dedup();
    if classes.len() < 2 {
        return Err(format!(
            "--utility: the label '{label}' has fewer than two values"
        ));
    }
    let mut y = vec![0.0; g.class_of.len()];
    for &r in &released {
        y[r] = classes
            .binary_search(&table.columns[li][r].as_str())
            .expect("class") as f64;
    }
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for &r in &released {
        if assay_numerics::random::splitmix64(r as u64 ^ 0x5eed) % 10 < 3 {
            test.push(r);
        } else {
            train.push(r);
        }
    }
    if train.is_empty() || test.is_empty() {
        return Err("--utility: too few records to split into training and test sets".into());
    }
    let features: Vec<usize> = (0..table.names.len()).filter(|&j| j != li).collect();
    let original: Vec<Vec<&str>> = features
        .iter()
        .map(|&j| table.columns[j].iter().map(String::as_str).collect())
        .collect();
    let anonymized: Vec<Vec<&str>> = features
        .iter()
        .map(|&j| match qi_idx.iter().position(|&q| q == j) {
            Some(q) => g
                .class_of
                .iter()
                .enumerate()
                .map(|(r, c)| match c {
                    Some(c) => g.labels[*c as usize][q].as_str(),
                    None => table.columns[j][r].as_str(),
                })
                .collect(),
            None => table.columns[j].iter().map(String::as_str).collect(),
        })
        .collect();
    Ok(Utility {
        label: label.to_string(),
        train_records: train.len(),
        test_records: test.len(),
        original_accuracy: accuracy(&original, &y, &train, &test)?,
        anonymized_accuracy: accuracy(&anonymized, &y, &train, &test)?,
    })
}
