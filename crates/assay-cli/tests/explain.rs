//! `assay explain` end to end on the hiring example: permutation importance of the gender gap
//! names the proxy (career gap), partial dependence of a categorical input equals the mean of
//! `assay predict`'s scores with that input set to each category, ALE is centred, and bad
//! flags are usage errors (exit 2).

use std::path::{Path, PathBuf};

use serde_json::Value;

mod support;
use support::cli::{assay, ok_json};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

/// Every written row's attributions add up to the model output (`outputs[row − 1]`) minus the
/// base value.
fn assert_adds_up(res: &Value, outputs: &[f64]) {
    let base = num(&res["base_value"]);
    for row in res["rows"].as_array().unwrap() {
        let i = row["row"].as_u64().unwrap() as usize - 1;
        let sum: f64 = row["values"].as_array().unwrap().iter().map(num).sum();
        assert!(
            (base + sum - outputs[i]).abs() < 1e-9,
            "row {i}: {} vs {}",
            base + sum,
            outputs[i]
        );
    }
}

/// Hiring data (seed 42 train, seed 7 test) and a logistic model trained on `hired`.
fn setup(dir: &Path) -> (PathBuf, PathBuf) {
    let train = dir.join("train.csv");
    let test = dir.join("test.csv");
    let model = dir.join("model.json");
    assert!(assay(&[
        "example",
        "hiring",
        "--rows",
        "3000",
        "--seed",
        "42",
        "--out",
        s(&train)
    ])
    .status
    .success());
    assert!(assay(&[
        "example",
        "hiring",
        "--rows",
        "2000",
        "--seed",
        "7",
        "--out",
        s(&test)
    ])
    .status
    .success());
    let o = assay(&[
        "train",
        "--learner",
        "logistic",
        s(&train),
        "--label",
        "hired",
        "--positive",
        "1",
        "--features",
        "years_experience,career_gap_years,age",
        "--categorical",
        "education",
        "--standardize",
        "--out",
        s(&model),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (test, model)
}

#[test]
fn permutation_importance_names_the_proxy_behind_the_gender_gap() {
    let dir = tempfile::tempdir().unwrap();
    let (test, model) = setup(dir.path());
    let html = dir.path().join("explain.html");
    let r = ok_json(&assay(&[
        "explain",
        s(&test),
        "--model",
        s(&model),
        "--method",
        "permutation",
        "--scorer",
        "demographic-parity-difference",
        "--sensitive",
        "gender",
        "--format",
        "json",
        "--html",
        s(&html),
    ]));
    let imp = &r["result"]["importance"];
    let top = &imp["features"][0];
    assert_eq!(top["feature"], "career_gap_years", "{imp}");
    assert!(num(&top["mean"]) > 0.0);
    assert!(num(&imp["baseline"]) > 0.03);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("career_gap_years") && page.contains("<svg"));

    // Accuracy importance, overall and within each gender.
    let r = ok_json(&assay(&[
        "explain",
        s(&test),
        "--model",
        s(&model),
        "--method",
        "permutation",
        "--label",
        "hired",
        "--positive",
        "1",
        "--sensitive",
        "gender",
        "--format",
        "json",
    ]));
    let groups: Vec<&str> = r["result"]["by_group"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["Female", "Male", "Non-binary"]);
    assert_eq!(
        r["result"]["importance"]["features"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn partial_dependence_of_a_category_is_the_mean_prediction_with_it_set() {
    let dir = tempfile::tempdir().unwrap();
    let (test, model) = setup(dir.path());
    let r = ok_json(&assay(&[
        "explain",
        s(&test),
        "--model",
        s(&model),
        "--method",
        "pdp",
        "--features",
        "education",
        "--format",
        "json",
    ]));
    let curve = &r["result"]["curves"][0];
    let grid: Vec<&str> = curve["grid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(grid, ["Bachelor", "High school", "Master", "PhD"]);
    let text = std::fs::read_to_string(&test).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let col = header.split(',').position(|c| c == "education").unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    for (k, category) in grid.iter().enumerate() {
        let set = dir.path().join(format!("set{k}.csv"));
        let body: Vec<String> = rows
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r[col] = category;
                r.join(",")
            })
            .collect();
        std::fs::write(&set, format!("{header}\n{}\n", body.join("\n"))).unwrap();
        let out = dir.path().join(format!("pred{k}.csv"));
        let o = assay(&[
            "predict",
            s(&set),
            "--model",
            s(&model),
            "--out",
            s(&out),
            "--id",
            "applicant_id",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let pred = std::fs::read_to_string(&out).unwrap();
        let scores: Vec<f64> = pred
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
            .collect();
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        let pd = num(&curve["average"][k]);
        // assay predict writes the score as text (shortest round-trip form): exact values.
        assert!((pd - mean).abs() < 1e-12, "{category}: {pd} vs {mean}");
    }
}

#[test]
fn ale_is_centred_and_bad_flags_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (test, model) = setup(dir.path());
    let r = ok_json(&assay(&[
        "explain",
        s(&test),
        "--model",
        s(&model),
        "--method",
        "ale",
        "--features",
        "years_experience,career_gap_years",
        "--format",
        "json",
    ]));
    for c in r["result"]["curves"].as_array().unwrap() {
        let effect: Vec<f64> = c["effect"].as_array().unwrap().iter().map(num).collect();
        let counts: Vec<f64> = c["counts"].as_array().unwrap().iter().map(num).collect();
        // ALEPlot centring: the count-weighted mean of the interval midpoints' effects is 0.
        let total: f64 = counts.iter().sum();
        let centre: f64 = counts
            .iter()
            .enumerate()
            .map(|(k, n)| n * (effect[k] + effect[k + 1]) / 2.0)
            .sum::<f64>()
            / total;
        assert!(centre.abs() < 1e-9, "{}: {centre}", c["feature"]);
    }
    for (args, needle) in [
        (vec!["--method", "permutation"], "--label"),
        (
            vec![
                "--method",
                "permutation",
                "--scorer",
                "demographic-parity-difference",
            ],
            "--sensitive",
        ),
        (
            vec!["--method", "pdp", "--features", "salary"],
            "not an input",
        ),
    ] {
        let mut all = vec!["explain", s(&test), "--model", s(&model)];
        all.extend(args);
        let o = assay(&all);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(needle),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn counterfactuals_flip_the_decision_through_assay_predict() {
    let dir = tempfile::tempdir().unwrap();
    let (test, model) = setup(dir.path());
    let r = ok_json(&assay(&[
        "explain",
        s(&test),
        "--model",
        s(&model),
        "--method",
        "counterfactual",
        "--row",
        "2",
        "--immutable",
        "age",
        "--format",
        "json",
    ]));
    let res = &r["result"];
    assert!(num(&res["original_score"]) <= 0.5);
    let found = res["counterfactuals"].as_array().unwrap();
    assert!(!found.is_empty());
    let text = std::fs::read_to_string(&test).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.nth(1).unwrap().split(',').collect();
    for (k, c) in found.iter().enumerate() {
        let mut changed: Vec<String> = row.iter().map(|v| v.to_string()).collect();
        for ch in c["changes"].as_array().unwrap() {
            let name = ch["feature"].as_str().unwrap();
            assert_ne!(name, "age", "an immutable feature changed");
            let j = header.iter().position(|h| *h == name).unwrap();
            changed[j] = match &ch["to"] {
                Value::String(t) => t.clone(),
                v => v.to_string(),
            };
        }
        let file = dir.path().join(format!("cf{k}.csv"));
        std::fs::write(
            &file,
            format!("{}\n{}\n", header.join(","), changed.join(",")),
        )
        .unwrap();
        let out = dir.path().join(format!("cf{k}_pred.csv"));
        let o = assay(&[
            "predict",
            s(&file),
            "--model",
            s(&model),
            "--out",
            s(&out),
            "--id",
            "applicant_id",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let pred = std::fs::read_to_string(&out).unwrap();
        let line = pred.lines().nth(1).unwrap();
        assert!(
            line.ends_with(",1"),
            "counterfactual {k} is not decided favourably: {line}"
        );
    }
    let r = ok_json(&assay(&[
        "explain",
        s(&test),
        "--model",
        s(&model),
        "--method",
        "recourse",
        "--sensitive",
        "gender",
        "--per-group",
        "20",
        "--format",
        "json",
    ]));
    let groups = r["result"]["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 3);
    assert!(groups.iter().all(|g| g["rows_examined"] == 20));
}

#[test]
fn shap_values_add_up_to_the_model_output() {
    let dir = tempfile::tempdir().unwrap();
    let (test, logistic) = setup(dir.path());
    let train = dir.path().join("train.csv");
    let gbdt = dir.path().join("gbdt.json");
    let o = assay(&[
        "train",
        "--learner",
        "gbdt",
        s(&train),
        "--label",
        "hired",
        "--positive",
        "1",
        "--features",
        "years_experience,career_gap_years,age",
        "--categorical",
        "education,gender",
        "--trees",
        "50",
        "--out",
        s(&gbdt),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Margins from assay predict, one per row.
    let margins = |model: &Path, output: &str| -> Vec<f64> {
        let out = dir.path().join(format!("{output}.csv"));
        let o = assay(&[
            "predict",
            s(&test),
            "--model",
            s(model),
            "--out",
            s(&out),
            "--id",
            "applicant_id",
            "--output",
            output,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
            .collect()
    };
    let m = margins(&gbdt, "margin");
    let r = ok_json(&assay(&[
        "explain",
        s(&test),
        "--model",
        s(&gbdt),
        "--method",
        "tree-shap",
        "--sensitive",
        "gender",
        "--rows-out",
        "2000",
        "--format",
        "json",
    ]));
    let res = &r["result"];
    assert_eq!(res["rows"].as_array().unwrap().len(), 2000);
    assert_adds_up(res, &m);
    // The features ranked by how much their mean |SHAP| differs between the groups, largest
    // first, every feature once.
    let diffs: Vec<f64> = res["by_group"]["largest_differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| num(&d["difference"]))
        .collect();
    assert_eq!(diffs.len(), 5);
    assert!(diffs.windows(2).all(|w| w[0] >= w[1]));

    // Interventional TreeSHAP against 30 background rows adds up too (base value: the mean
    // background margin).
    let r = ok_json(&assay(&[
        "explain",
        s(&test),
        "--model",
        s(&gbdt),
        "--method",
        "tree-shap",
        "--interventional",
        "--background",
        "30",
        "--rows-out",
        "300",
        "--format",
        "json",
    ]));
    let res = &r["result"];
    assert!(res["algorithm"]
        .as_str()
        .unwrap()
        .starts_with("interventional"));
    assert_adds_up(res, &m);

    // LinearSHAP of the logistic model's margin (education one-hot: one value for its
    // columns), every row, adds up to the margin; the base value is the margin at the mean
    // encoded background row, and the waterfall of the first row is in the report.
    let lm = margins(&logistic, "margin");
    let html = dir.path().join("linear.html");
    let r = ok_json(&assay(&[
        "explain",
        s(&test),
        "--model",
        s(&logistic),
        "--method",
        "linear-shap",
        "--sensitive",
        "gender",
        "--rows-out",
        "2000",
        "--html",
        s(&html),
        "--format",
        "json",
    ]));
    assert!(r["output"].as_str().unwrap().starts_with("margin"));
    let res = &r["result"];
    assert!(res["algorithm"].as_str().unwrap().starts_with("LinearSHAP"));
    assert_eq!(res["features"].as_array().unwrap().len(), 4);
    assert_eq!(res["rows"].as_array().unwrap().len(), 2000);
    assert_adds_up(res, &lm);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("from the base value to the row&#39;s output")
            || page.contains("from the base value to the row's output")
    );
    assert!(page.contains("f(x) = "));
    // Not a logistic regression: a usage error naming the alternatives.
    let o = assay(&[
        "explain",
        s(&test),
        "--model",
        s(&gbdt),
        "--method",
        "linear-shap",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("kernel-shap"));

    // KernelSHAP on the logistic model's probability: exact with 4 features, adds up to
    // f(x) − E[f] over the background.
    let p = margins(&logistic, "probability");
    let r = ok_json(&assay(&[
        "explain",
        s(&test),
        "--model",
        s(&logistic),
        "--method",
        "kernel-shap",
        "--explain-rows",
        "30",
        "--format",
        "json",
    ]));
    let res = &r["result"];
    assert!(res["algorithm"].as_str().unwrap().contains("exact"));
    assert_adds_up(res, &p);
}

#[test]
fn lime_explains_a_row_reproducibly() {
    let dir = tempfile::tempdir().unwrap();
    let (test, model) = setup(dir.path());
    let run = || {
        ok_json(&assay(&[
            "explain",
            s(&test),
            "--model",
            s(&model),
            "--method",
            "lime",
            "--row",
            "2",
            "--lime-features",
            "3",
            "--seed",
            "5",
            "--format",
            "json",
        ]))
    };
    let (a, b) = (run(), run());
    assert_eq!(a["result"], b["result"], "same seed, same explanation");
    let row = &a["result"]["rows"][0];
    assert_eq!(row["row"], 2);
    let features = row["features"].as_array().unwrap();
    assert_eq!(features.len(), 3);
    let fidelity = num(&row["fidelity"]);
    assert!(fidelity > 0.0 && fidelity <= 1.0, "{fidelity}");
    // The categorical input is described by its category text.
    for f in features {
        if f["feature"] == "education" {
            assert!(f["condition"].as_str().unwrap().starts_with("education="));
        }
    }
}

/// `--xgboost-float32` gives XGBoost's own `pred_contribs` (golden file of
/// tests/reference/tree_shap_golden.py) through the CLI, exactly; on other models it is a usage
/// error.
#[test]
fn xgboost_float32_tree_shap_equals_pred_contribs() {
    let reference = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference");
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(reference.join("golden/tree_shap_xgb_binary.json")).unwrap(),
    )
    .unwrap();
    let names: Vec<&str> = golden["feature_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("rows.csv");
    let mut text = names.join(",") + "\n";
    for row in golden["rows"].as_array().unwrap().iter().take(200) {
        let cells: Vec<String> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().map_or(String::new(), |x| format!("{x:?}")))
            .collect();
        text += &(cells.join(",") + "\n");
    }
    std::fs::write(&data, text).unwrap();
    let model = reference.join("models/xgb_binary.json");
    let r = ok_json(&assay(&[
        "explain",
        s(&data),
        "--model",
        s(&model),
        "--method",
        "tree-shap",
        "--xgboost-float32",
        "--rows-out",
        "200",
        "--format",
        "json",
    ]));
    let want = golden["shap_values"].as_array().unwrap();
    let mut worst = 0.0f64;
    for row in r["result"]["rows"].as_array().unwrap() {
        let i = row["row"].as_u64().unwrap() as usize - 1;
        for (got, exp) in row["values"]
            .as_array()
            .unwrap()
            .iter()
            .zip(want[i].as_array().unwrap())
        {
            worst = worst.max((num(got) - num(exp)).abs());
        }
    }
    assert!(
        worst <= 1e-6,
        "max |assay − XGBoost pred_contribs| = {worst}"
    );
    // Not an XGBoost model: a usage error naming the flag.
    let (test, logistic) = setup(dir.path());
    let _ = logistic;
    let gbdt = dir.path().join("gbdt.json");
    assert!(assay(&[
        "train",
        "--learner",
        "gbdt",
        s(&dir.path().join("train.csv")),
        "--label",
        "hired",
        "--positive",
        "1",
        "--features",
        "years_experience,age",
        "--trees",
        "5",
        "--out",
        s(&gbdt),
    ])
    .status
    .success());
    let o = assay(&[
        "explain",
        s(&test),
        "--model",
        s(&gbdt),
        "--method",
        "tree-shap",
        "--xgboost-float32",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--xgboost-float32"));
}
