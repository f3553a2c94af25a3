//! `assay mitigate` end to end on a small synthetic hiring table generated here: every method
//! saves a model that `assay predict` and `assay fairness --model` load; reject-option and
//! calibrated decisions through `assay predict` equal the mitigate report's; the trade-off
//! sweep's Pareto front is the set of non-dominated points; a policy picks the most accurate
//! passing point, and exit code 1 when none passes; bad input is refused with exit code 2.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod support;
use support::cli::assay;

const FEATURES: &str = "experience,aptitude";

/// A deterministic table: group "a" has a higher base rate than "b" (the label leans on the
/// group), `experience` and `aptitude` predict the label, `city` is categorical. With `third`,
/// a group "c" whose labels are all negative is added.
fn table(n: usize, seed: u64, third: bool) -> String {
    let mut z = seed;
    let mut unif = move || {
        z = z
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((z >> 11) as f64) / ((1u64 << 53) as f64)
    };
    let mut s = String::from("experience,aptitude,city,group,hired\n");
    for i in 0..n {
        let group = if third && i % 10 == 0 {
            "c"
        } else if unif() < 0.6 {
            "a"
        } else {
            "b"
        };
        let experience = (unif() * 20.0).floor();
        let score = unif() * 100.0;
        let city = ["north", "south", "east"][(unif() * 3.0) as usize % 3];
        let lean = if group == "a" { 0.25 } else { 0.0 };
        let latent = experience / 20.0 * 0.5 + score / 100.0 * 0.5 + lean + (unif() - 0.5) * 0.4;
        let hired = group != "c" && latent > 0.65;
        s.push_str(&format!(
            "{experience},{score:.3},{city},{group},{}\n",
            if hired { "yes" } else { "no" }
        ));
    }
    s
}

struct Data {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    train: PathBuf,
    test: PathBuf,
}

fn data(third: bool) -> Data {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let train = path.join("train.csv");
    let test = path.join("test.csv");
    std::fs::write(&train, table(1500, 1, third)).unwrap();
    std::fs::write(&test, table(1000, 2, third)).unwrap();
    Data {
        _dir: dir,
        dir: path,
        train,
        test,
    }
}

/// Runs `assay mitigate` on `d` with `extra` flags; returns the process output.
fn mitigate(d: &Data, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "mitigate",
        d.train.to_str().unwrap(),
        "--test",
        d.test.to_str().unwrap(),
        "--label",
        "hired",
        "--positive",
        "yes",
        "--sensitive",
        "group",
        "--features",
        FEATURES,
        "--categorical",
        "city",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
        "--bootstrap",
        "0",
    ];
    args.extend_from_slice(extra);
    assay(&args)
}

fn ok_json(o: &Output, what: &str) -> Value {
    assert!(
        o.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// `assay predict` on the test table: (score, prediction is positive, label is positive,
/// group) per row.
fn predict(d: &Data, model: &Path) -> Vec<(f64, bool, bool, String)> {
    let out = d.dir.join("pred.csv");
    let o = assay(&[
        "predict",
        d.test.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (s, p, y, g) = (col("score"), col("prediction"), col("hired"), col("group"));
    lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (
                c[s].parse().unwrap(),
                c[p] == "yes",
                c[y] == "yes",
                c[g].to_string(),
            )
        })
        .collect()
}

/// The after-mitigation group figures of the report.
fn after_group<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["summary"]["after"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == name)
        .unwrap()
}

#[test]
fn every_method_saves_a_model_that_predict_and_fairness_load() {
    let d = data(false);
    let methods: &[&[&str]] = &[
        &["--method", "reweighing"],
        &["--method", "resampling"],
        &["--method", "correlation-remover"],
        &[
            "--method",
            "disparate-impact-remover",
            "--repair-level",
            "0.8",
        ],
        &["--method", "exponentiated-gradient"],
        &["--method", "grid-search"],
        &["--method", "threshold-optimizer"],
        &["--method", "reject-option"],
        &["--method", "calibrate"],
        &[
            "--method",
            "calibrate",
            "--calibration",
            "isotonic",
            "--calibration-fraction",
            "0.3",
        ],
    ];
    for (k, m) in methods.iter().enumerate() {
        let out = d.dir.join(format!("m{k}.json"));
        let r = ok_json(&mitigate(&d, &out, m), &format!("{m:?}"));
        assert_eq!(r["model"]["saved"], true);
        let rows = predict(&d, &out);
        assert_eq!(rows.len(), 1000);
        let o = assay(&[
            "fairness",
            d.test.to_str().unwrap(),
            "--model",
            out.to_str().unwrap(),
            "--label",
            "hired",
            "--positive",
            "yes",
            "--sensitive",
            "group",
            "--format",
            "json",
            "--bootstrap",
            "0",
            "--no-scan",
        ]);
        let fair = ok_json(&o, &format!("fairness {m:?}"));
        // assay predict decides exactly as the report says, group by group.
        check_predict_matches_report(&rows, &r);
        // assay fairness --model decides as assay predict and assay mitigate do (`score > 0.5`,
        // or the seeded draw), also on rows scored exactly 0.5 (isotonic calibration makes
        // such ties): the same selection rate and accuracy.
        for metric in ["selection_rate", "accuracy"] {
            assert_eq!(
                f(&fair["overall"]["metrics"][metric]),
                f(&r["summary"]["after"][metric]),
                "{m:?}: {metric}"
            );
        }
        if m.contains(&"isotonic") {
            assert!(
                rows.iter().any(|row| row.0 == 0.5),
                "{m:?}: the isotonic case should have scores of exactly 0.5"
            );
        }
    }
}

/// Per group: (rows, selected, accuracy) of `assay predict`'s decisions, which must equal the
/// report's after-mitigation figures exactly.
fn check_predict_matches_report(rows: &[(f64, bool, bool, String)], r: &Value) {
    for g in ["a", "b"] {
        let mine: Vec<_> = rows.iter().filter(|row| row.3 == g).collect();
        let n = mine.len() as f64;
        let selected = mine.iter().filter(|row| row.1).count() as f64;
        let correct = mine.iter().filter(|row| row.1 == row.2).count() as f64;
        let pos = mine.iter().filter(|row| row.2).count() as f64;
        let tp = mine.iter().filter(|row| row.1 && row.2).count() as f64;
        let rep = after_group(r, g);
        assert_eq!(f(&rep["rows"]), n);
        assert!(
            (f(&rep["selection_rate"]) - selected / n).abs() < 1e-12,
            "{g}"
        );
        assert!((f(&rep["accuracy"]) - correct / n).abs() < 1e-12, "{g}");
        assert!((f(&rep["tpr"]) - tp / pos).abs() < 1e-12, "{g}");
    }
}

#[test]
fn reject_option_decisions_through_predict_equal_the_report() {
    let d = data(false);
    let out = d.dir.join("ro.json");
    let r = ok_json(
        &mitigate(&d, &out, &["--method", "reject-option"]),
        "reject-option",
    );
    // Group "a" has the higher base rate: privileged by default.
    assert_eq!(r["details"]["privileged"], serde_json::json!(["a"]));
    assert_eq!(r["details"]["privileged_by_default"], true);
    let theta = f(&r["details"]["classification_threshold"]);
    let margin = f(&r["details"]["roc_margin"]);
    let model: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(model["decision"]["kind"], "reject_option");
    assert_eq!(model["sensitive_at_decision"], true);
    let rows = predict(&d, &out);
    // Decisions are 0/1 (deterministic).
    assert!(rows.iter().all(|r| r.0 == 0.0 || r.0 == 1.0));
    check_predict_matches_report(&rows, &r);
    // The training metric lies within the bounds, and the margin is a real band.
    let m = f(&r["details"]["training_metric"]);
    assert!((-0.05..=0.05).contains(&m), "{m}");
    assert!(margin >= 0.0 && theta > 0.0 && theta < 1.0);

    // Naming the privileged group explicitly gives the same rule; an unknown one is refused.
    let r2 = ok_json(
        &mitigate(
            &d,
            &d.dir.join("ro2.json"),
            &["--method", "reject-option", "--privileged", "a"],
        ),
        "explicit",
    );
    assert_eq!(
        r2["details"]["classification_threshold"],
        r["details"]["classification_threshold"]
    );
    assert_eq!(r2["details"]["privileged_by_default"], false);
    let o = mitigate(
        &d,
        &d.dir.join("ro3.json"),
        &["--method", "reject-option", "--privileged", "zz"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("'zz'"));
}

/// scikit-learn's `calibration_curve` with 10 uniform bins, written out independently.
fn curve(rows: &[(f64, bool)]) -> (Vec<f64>, Vec<f64>) {
    let mut sums = [0.0; 10];
    let mut pos = [0.0; 10];
    let mut n = [0usize; 10];
    for &(p, y) in rows {
        // searchsorted(edges[1:-1], p, side="left"): the number of inner edges below p.
        let bin = (1..10).filter(|&k| (k as f64) * 0.1 < p).count();
        sums[bin] += p;
        pos[bin] += f64::from(u8::from(y));
        n[bin] += 1;
    }
    let (mut pred, mut obs) = (Vec::new(), Vec::new());
    for k in 0..10 {
        if n[k] > 0 {
            pred.push(sums[k] / n[k] as f64);
            obs.push(pos[k] / n[k] as f64);
        }
    }
    (pred, obs)
}

#[test]
fn calibrated_decisions_and_curves_through_predict_equal_the_report() {
    let d = data(false);
    for method in ["sigmoid", "isotonic"] {
        let out = d.dir.join(format!("cal_{method}.json"));
        let html = d.dir.join("cal.html");
        let r = ok_json(
            &mitigate(
                &d,
                &out,
                &[
                    "--method",
                    "calibrate",
                    "--calibration",
                    method,
                    "--html",
                    html.to_str().unwrap(),
                ],
            ),
            method,
        );
        let model: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert_eq!(model["decision"]["kind"], "calibrated");
        let rows = predict(&d, &out);
        // The decision is calibrated score > 0.5.
        assert!(rows.iter().all(|r| r.1 == (r.0 > 0.5)));
        check_predict_matches_report(&rows, &r);
        // The after-calibration curve of each group is the curve of predict's scores.
        let c = &r["calibration_curves"];
        assert_eq!(c["bins"], 10);
        for (k, g) in c["groups"].as_array().unwrap().iter().enumerate() {
            let mine: Vec<(f64, bool)> = rows
                .iter()
                .filter(|row| row.3 == g.as_str().unwrap())
                .map(|row| (row.0, row.2))
                .collect();
            let (pred, obs) = curve(&mine);
            let theirs = &c["after"][k];
            let tp: Vec<f64> = theirs["prob_pred"]
                .as_array()
                .unwrap()
                .iter()
                .map(f)
                .collect();
            let to: Vec<f64> = theirs["prob_true"]
                .as_array()
                .unwrap()
                .iter()
                .map(f)
                .collect();
            assert_eq!(tp.len(), pred.len(), "{method} {g}");
            for i in 0..tp.len() {
                // predict writes scores as text: equal to its printed precision.
                assert!((tp[i] - pred[i]).abs() < 1e-9, "{method} {g} bin {i}");
                assert_eq!(to[i], obs[i], "{method} {g} bin {i}");
            }
        }
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(page.contains("Calibration by group") && page.contains("<polyline"));
    }
}

/// Whether point `i` is dominated by another point (higher or equal accuracy and lower or
/// equal disparity, one strictly).
fn dominated(points: &[(f64, f64)], i: usize) -> bool {
    points.iter().any(|q| {
        q.0 >= points[i].0 && q.1 <= points[i].1 && (q.0 > points[i].0 || q.1 < points[i].1)
    })
}

fn sweep_points(r: &Value) -> Vec<(f64, f64)> {
    r["sweep"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (f(&p["accuracy"]), f(&p["disparity"])))
        .collect()
}

#[test]
fn sweep_front_is_the_non_dominated_points() {
    let d = data(false);
    for (method, parameter, disparity) in [
        (
            &["--method", "exponentiated-gradient"][..],
            "eps",
            "demographic_parity_difference",
        ),
        (
            &[
                "--method",
                "threshold-optimizer",
                "--constraint",
                "true-positive-rate-parity",
            ][..],
            "tol",
            "equal_opportunity_difference",
        ),
        (
            &[
                "--method",
                "correlation-remover",
                "--sweep-values",
                "0,0.5,1",
            ][..],
            "alpha",
            "demographic_parity_difference",
        ),
    ] {
        let out = d.dir.join("sweep.json");
        let html = d.dir.join("sweep.html");
        let mut flags = method.to_vec();
        flags.extend_from_slice(&["--sweep", "--html", html.to_str().unwrap()]);
        let r = ok_json(&mitigate(&d, &out, &flags), parameter);
        let s = &r["sweep"];
        assert_eq!(s["parameter"], parameter);
        assert_eq!(s["disparity"], disparity);
        let pts = sweep_points(&r);
        let pareto: Vec<usize> = s["pareto"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        for i in 0..pts.len() {
            assert_eq!(
                pareto.contains(&i),
                !dominated(&pts, i),
                "{parameter} point {i}"
            );
        }
        // The unmitigated model is the first point; its figures are the report's "before".
        let first = &s["points"][0];
        assert_eq!(first["unmitigated"], true);
        assert_eq!(
            f(&first["accuracy"]),
            f(&r["summary"]["before"]["accuracy"])
        );
        // Without a policy the saved point is the flag's value, and the report's "after" is it.
        let chosen = s["chosen"].as_u64().unwrap() as usize;
        assert_eq!(s["points"][chosen]["flag_value"], true);
        assert_eq!(
            f(&s["points"][chosen]["drawn_accuracy"]),
            f(&r["summary"]["after"]["accuracy"])
        );
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(page.contains("Accuracy–fairness trade-off") && page.contains("unmitigated"));
    }
    // The default grid of exponentiated gradient: seven values (0.01, the flag, among them).
    let r = ok_json(
        &mitigate(
            &d,
            &d.dir.join("s.json"),
            &["--method", "exponentiated-gradient", "--sweep"],
        ),
        "eg",
    );
    assert_eq!(r["sweep"]["points"].as_array().unwrap().len(), 8);
}

#[test]
fn a_policy_picks_the_most_accurate_passing_point_or_fails() {
    let d = data(false);
    let policy = d.dir.join("policy.toml");
    std::fs::write(
        &policy,
        "[[rule]]\nmetric = \"demographic_parity_difference\"\nmax = 0.1\n",
    )
    .unwrap();
    let out = d.dir.join("chosen.json");
    let r = ok_json(
        &mitigate(
            &d,
            &out,
            &[
                "--method",
                "threshold-optimizer",
                "--sweep",
                "--policy",
                policy.to_str().unwrap(),
            ],
        ),
        "policy",
    );
    let s = &r["sweep"];
    let points = s["points"].as_array().unwrap();
    let chosen = s["chosen"].as_u64().expect("a point passes") as usize;
    assert_eq!(points[chosen]["passes_policy"], true);
    assert_eq!(points[chosen]["unmitigated"], false);
    // The verdicts are right: the drawn demographic-parity difference within the bound.
    for p in points {
        let passes = f(&p["drawn_disparity"]) <= 0.1;
        assert_eq!(p["passes_policy"], passes, "{p}");
    }
    // No passing mitigated point is more accurate than the chosen one.
    for p in points {
        if p["passes_policy"] == true && p["unmitigated"] == false {
            assert!(f(&p["accuracy"]) <= f(&points[chosen]["accuracy"]));
        }
    }
    assert!(out.exists());
    // The saved model is the chosen point: assay fairness agrees with its figures.
    let fair = ok_json(
        &assay(&[
            "fairness",
            d.test.to_str().unwrap(),
            "--model",
            out.to_str().unwrap(),
            "--label",
            "hired",
            "--positive",
            "yes",
            "--sensitive",
            "group",
            "--format",
            "json",
            "--bootstrap",
            "0",
            "--no-scan",
        ]),
        "fairness",
    );
    assert_eq!(
        f(&fair["overall"]["metrics"]["accuracy"]),
        f(&points[chosen]["drawn_accuracy"])
    );

    // A policy no point can pass: exit code 1, no model written, the report says so.
    std::fs::write(
        &policy,
        "[[rule]]\nmetric = \"overall.accuracy\"\nmin = 0.999\n",
    )
    .unwrap();
    let none = d.dir.join("none.json");
    let o = mitigate(
        &d,
        &none,
        &[
            "--method",
            "exponentiated-gradient",
            "--sweep",
            "--sweep-values",
            "0.01,0.1",
            "--policy",
            policy.to_str().unwrap(),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(r["sweep"]["chosen"].is_null());
    assert_eq!(r["model"]["saved"], false);
    assert!(!none.exists());
}

#[test]
fn bad_input_is_refused() {
    // TPR parity needs positives in every group: the error names the group without any.
    let d = data(true);
    for method in ["exponentiated-gradient", "threshold-optimizer"] {
        let o = mitigate(
            &d,
            &d.dir.join("x.json"),
            &[
                "--method",
                method,
                "--constraint",
                "true-positive-rate-parity",
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{method}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("'c'"), "{method}: {err}");
    }
    // A sweep of a method without a strength parameter is a usage error.
    let d = data(false);
    for method in ["reweighing", "reject-option", "calibrate"] {
        let o = mitigate(&d, &d.dir.join("x.json"), &["--method", method, "--sweep"]);
        assert_eq!(o.status.code(), Some(2), "{method}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--sweep is not meaningful"));
    }
    // --policy without --sweep is refused by the argument parser.
    let o = mitigate(
        &d,
        &d.dir.join("x.json"),
        &["--method", "reweighing", "--policy", "p.toml"],
    );
    assert_eq!(o.status.code(), Some(2));
    // The threshold optimizer's tolerance is --threshold-tol; the old --tol still reaches it.
    for flag in ["--threshold-tol", "--tol"] {
        let o = mitigate(
            &d,
            &d.dir.join("x.json"),
            &["--method", "reweighing", flag, "0.1"],
        );
        assert_eq!(o.status.code(), Some(2), "{flag}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("--threshold-tol applies to --method threshold-optimizer"),
            "{flag}: {err}"
        );
    }
    // A prefit model reads its own columns, and only post-processing applies to it.
    let model = d.dir.join("prefit-base.json");
    let o = mitigate(&d, &model, &["--method", "reweighing"]);
    assert_eq!(o.status.code(), Some(0));
    let with_model = |extra: &[&str]| {
        let mut args = vec![
            "mitigate".to_string(),
            d.train.to_str().unwrap().into(),
            "--model".into(),
            model.to_str().unwrap().into(),
            "--label".into(),
            "hired".into(),
            "--positive".into(),
            "yes".into(),
            "--sensitive".into(),
            "group".into(),
            "--bootstrap".into(),
            "0".into(),
            "--out".into(),
            d.dir.join("y.json").to_str().unwrap().into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        assay(&args)
    };
    let o = with_model(&["--method", "reweighing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--method reweighing fits the base learner"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = with_model(&["--method", "calibrate", "--categorical", "city"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("reads its own input columns"));
    // A mitigated model can itself be post-processed: the reweighed model, calibrated.
    let o = with_model(&["--method", "calibrate"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
