//! assay's inspection (partial dependence, ICE, ALE, permutation importance, mean |attribution|
//! by group) against scikit-learn 1.9.1, PyALE 1.2.0, fairlearn 0.15.0 and numpy:
//! tests/reference/inspection_golden.py writes tests/reference/golden/inspection.json.

use assay_explain::inspection::*;
use assay_explain::predict::FnPredict;
use assay_explain::{ExplainError, FeatureGroups};
use serde_json::Value;

fn golden() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/reference/golden/inspection.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn matrix(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().flat_map(f64s).collect()
}

/// The golden script's closed-form margin.
fn margin(r: &[f64], c: &[f64]) -> f64 {
    0.8 * r[0] - 0.6 * r[1] * r[1]
        + 0.5 * (2.0 * r[2]).sin()
        + 0.4 * r[0] * r[2]
        + c[r[3] as usize]
        + 0.7 * r[4]
        - 0.2
}

type ModelFn = Box<dyn Fn(&[f64], usize) -> Result<Vec<f64>, ExplainError> + Sync>;
type Model = FnPredict<ModelFn>;

fn model(kind: &str, c: Vec<f64>) -> Model {
    let f: ModelFn = match kind {
        "regressor" => {
            Box::new(move |x: &[f64], _| Ok(x.chunks(5).map(|r| margin(r, &c)).collect()))
        }
        _ => Box::new(move |x: &[f64], _| {
            Ok(x.chunks(5)
                .map(|r| 1.0 / (1.0 + (-margin(r, &c)).exp()))
                .collect())
        }),
    };
    FnPredict::new(5, f)
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn partial_dependence_and_ice_equal_scikit_learn() {
    let g = golden();
    let x = matrix(&g["X"]);
    let n = x.len() / 5;
    let w = f64s(&g["w"]);
    let c = f64s(&g["C"]);
    let mut worst: f64 = 0.0;
    for case in g["partial_dependence"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let m = model(case["model"].as_str().unwrap(), c.clone());
        let cols = usizes(&case["features"]);
        let feats: Vec<PdFeature> = cols
            .iter()
            .enumerate()
            .map(|(k, &col)| PdFeature {
                column: col,
                categorical: case["categorical"][k].as_bool().unwrap(),
                custom_values: case["custom_values"][k]
                    .as_array()
                    .map(|_| f64s(&case["custom_values"][k])),
            })
            .collect();
        let pc = f64s(&case["percentiles"]);
        let spec = GridSpec {
            percentiles: (pc[0], pc[1]),
            grid_resolution: case["grid_resolution"].as_u64().unwrap() as usize,
        };
        let sw = case["weighted"].as_bool().unwrap().then_some(&w[..]);
        let pd = partial_dependence(&m, &x, n, &feats, &spec, PdKind::Both, sw).unwrap();
        let gv: Vec<Vec<f64>> = case["grid_values"]
            .as_array()
            .unwrap()
            .iter()
            .map(f64s)
            .collect();
        assert_eq!(pd.grid_values.len(), gv.len(), "{name}");
        for (a, b) in pd.grid_values.iter().zip(&gv) {
            let d = max_abs_diff(a, b);
            assert!(d <= 1e-12, "{name}: grid differs by {d}");
            worst = worst.max(d);
        }
        let d = max_abs_diff(pd.average.as_ref().unwrap(), &f64s(&case["average"]));
        assert!(d <= 1e-9, "{name}: average differs by {d}");
        worst = worst.max(d);
        let d = max_abs_diff(
            pd.individual.as_ref().unwrap(),
            &matrix(&case["individual"]),
        );
        assert!(d <= 1e-9, "{name}: ICE differs by {d}");
        worst = worst.max(d);
        // average-only and individual-only agree with both
        let avg = partial_dependence(&m, &x, n, &feats, &spec, PdKind::Average, sw).unwrap();
        assert_eq!(avg.average, pd.average);
        assert!(avg.individual.is_none());
        eprintln!("pd {name}: points {}", pd.n_points());
    }
    eprintln!("partial dependence: largest |assay - sklearn| = {worst:e}");
}

#[test]
fn partial_dependence_uses_unique_values_below_resolution() {
    let g = golden();
    let x = matrix(&g["X"]);
    let n = x.len() / 5;
    let case = g["partial_dependence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "num_unique_values")
        .unwrap();
    let mut u: Vec<f64> = (0..n).map(|i| x[i * 5 + 1]).collect();
    u.sort_by(f64::total_cmp);
    u.dedup();
    assert!(u.len() < 50);
    assert_eq!(f64s(&case["grid_values"][0]), u);
}

#[test]
fn ale_equals_aleplot_transcription_and_pyale() {
    let g = golden();
    let x = matrix(&g["X"]);
    let n = x.len() / 5;
    let c = f64s(&g["C"]);
    let mut worst: f64 = 0.0;
    for case in g["ale"].as_array().unwrap() {
        let m = model(case["model"].as_str().unwrap(), c.clone());
        let j = case["feature"].as_u64().unwrap() as usize;
        let k = case["grid_size"].as_u64().unwrap() as usize;
        let a = accumulated_local_effects(&m, &x, n, j, k).unwrap();
        assert_eq!(a.edges, f64s(&case["edges"]), "feature {j} K {k}: edges");
        assert_eq!(a.counts, usizes(&case["counts"]));
        let d = max_abs_diff(&a.effect, &f64s(&case["ale"]));
        assert!(d <= 1e-9, "feature {j} K {k}: ALE differs by {d}");
        worst = worst.max(d);
    }
    eprintln!("ALE vs ALEPlot transcription: largest difference {worst:e}");
    let mut worst: f64 = 0.0;
    for case in g["ale_pyale"].as_array().unwrap() {
        let m = model(case["model"].as_str().unwrap(), c.clone());
        let j = case["feature"].as_u64().unwrap() as usize;
        let edges = f64s(&case["edges"]);
        let a = accumulated_local_effects_with_edges(&m, &x, n, j, &edges).unwrap();
        assert_eq!(a.counts, usizes(&case["counts"]));
        let d = max_abs_diff(&a.effect, &f64s(&case["ale"]));
        assert!(d <= 1e-9, "PyALE feature {j}: ALE differs by {d}");
        worst = worst.max(d);
    }
    eprintln!("ALE vs PyALE (its edges): largest difference {worst:e}");
}

fn scorer_of(name: &str) -> Scorer {
    match name {
        "accuracy" => Scorer::Accuracy,
        "balanced_accuracy" => Scorer::BalancedAccuracy,
        "roc_auc" => Scorer::RocAuc,
        "neg_log_loss" => Scorer::NegLogLoss,
        "r2" => Scorer::R2,
        "demographic_parity_difference" => Scorer::DemographicParityDifference,
        "equalized_odds_difference" => Scorer::EqualizedOddsDifference,
        other => panic!("{other}"),
    }
}

#[test]
fn permutation_importance_with_explicit_permutations_equals_reference() {
    let g = golden();
    let x_all = matrix(&g["X"]);
    let c = f64s(&g["C"]);
    let (mut worst_base, mut worst_imp, mut worst_q): (f64, f64, f64) = (0.0, 0.0, 0.0);
    let mut n_cases = 0;
    for case in g["permutation_importance"].as_array().unwrap() {
        let scorer = scorer_of(case["scorer"].as_str().unwrap());
        let rows = usizes(&case["rows"]);
        let x: Vec<f64> = rows
            .iter()
            .flat_map(|&i| x_all[i * 5..i * 5 + 5].to_vec())
            .collect();
        let yname = if scorer == Scorer::R2 { "y_reg" } else { "y" };
        let y: Vec<f64> = rows
            .iter()
            .map(|&i| g[yname][i].as_f64().unwrap())
            .collect();
        let w: Vec<f64> = rows.iter().map(|&i| g["w"][i].as_f64().unwrap()).collect();
        let gr: Vec<usize> = rows
            .iter()
            .map(|&i| g["g"][i].as_u64().unwrap() as usize)
            .collect();
        let target = Target {
            y: &y,
            sample_weight: case["weighted"].as_bool().unwrap().then_some(&w[..]),
            groups: Some(&gr),
            threshold: 0.5,
        };
        let members: Vec<Vec<usize>> = case["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(usizes)
            .collect();
        let names = (0..members.len()).map(|k| format!("f{k}")).collect();
        let groups = FeatureGroups::new(names, members, 5).unwrap();
        let perms: Vec<Vec<usize>> = case["permutations"]
            .as_array()
            .unwrap()
            .iter()
            .map(usizes)
            .collect();
        let m = model(case["model"].as_str().unwrap(), c.clone());
        let r = permutation_importance_with_permutations(
            &m,
            &x,
            rows.len(),
            &target,
            &groups,
            scorer,
            &perms,
            0.95,
        )
        .unwrap();
        let label = format!(
            "{} {} weighted={}",
            case["subset"], case["scorer"], case["weighted"]
        );
        let d = (r.baseline - case["baseline"].as_f64().unwrap()).abs();
        worst_base = worst_base.max(d);
        assert!(d <= 1e-12, "{label}: baseline differs by {d}");
        if let Some(b) = case["sklearn_baseline"].as_f64() {
            let d = (r.baseline - b).abs();
            assert!(d <= 1e-12, "{label}: sklearn baseline differs by {d}");
        }
        for (k, fi) in r.features.iter().enumerate() {
            let d = max_abs_diff(&fi.importances, &f64s(&case["importances"][k]));
            assert!(d <= 1e-12, "{label} feature {k}: importances differ by {d}");
            worst_imp = worst_imp.max(d);
            let dm = (fi.mean - case["importances_mean"][k].as_f64().unwrap()).abs();
            let ds = (fi.std - case["importances_std"][k].as_f64().unwrap()).abs();
            assert!(
                dm <= 1e-12 && ds <= 1e-12,
                "{label} feature {k}: mean {dm} std {ds}"
            );
            let q = f64s(&case["quantiles_2_5_97_5"][k]);
            let dq = (fi.interval.0 - q[0])
                .abs()
                .max((fi.interval.1 - q[1]).abs());
            assert!(dq <= 1e-12, "{label} feature {k}: interval differs by {dq}");
            worst_q = worst_q.max(dq.max(dm).max(ds));
        }
        n_cases += 1;
    }
    assert!(n_cases >= 20);
    eprintln!(
        "permutation importance ({n_cases} cases): baseline {worst_base:e}, importances \
         {worst_imp:e}, mean/std/interval {worst_q:e}"
    );
}

#[test]
fn seeded_permutation_importance_is_deterministic_and_disaggregates() {
    let g = golden();
    let x = matrix(&g["X"]);
    let n = x.len() / 5;
    let y = f64s(&g["y"]);
    let gr = usizes(&g["g"]);
    let m = model("classifier", f64s(&g["C"]));
    let names: Vec<String> = (0..5).map(|k| format!("x{k}")).collect();
    let groups = FeatureGroups::singletons(&names);
    let target = Target {
        groups: Some(&gr),
        ..Target::new(&y)
    };
    let opts = PermutationOptions {
        n_repeats: 6,
        seed: 42,
        level: 0.9,
    };
    let a = permutation_importance(&m, &x, n, &target, &groups, Scorer::RocAuc, &opts).unwrap();
    let b = permutation_importance(&m, &x, n, &target, &groups, Scorer::RocAuc, &opts).unwrap();
    assert_eq!(a, b);
    // equals the explicit-permutation function given the seeded permutations
    for (j, f) in a.features.iter().enumerate() {
        let perms: Vec<Vec<usize>> = (0..6).map(|r| seeded_permutation(n, 42, j, r)).collect();
        let e = permutation_importance_with_permutations(
            &m,
            &x,
            n,
            &target,
            &groups,
            Scorer::RocAuc,
            &perms,
            0.9,
        )
        .unwrap();
        assert_eq!(e.features[j].importances, f.importances);
    }
    let other = PermutationOptions { seed: 43, ..opts };
    let c = permutation_importance(&m, &x, n, &target, &groups, Scorer::RocAuc, &other).unwrap();
    assert_ne!(a.features[0].importances, c.features[0].importances);
    // x0 has the largest coefficient: it is important
    assert!(a.features[0].mean > 0.05, "{}", a.features[0].mean);

    // disaggregated: each group's result equals the plain function on that group's rows
    let by = permutation_importance_by_group(&m, &x, n, &target, &groups, Scorer::Accuracy, &opts)
        .unwrap();
    assert_eq!(
        by.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    for (code, r) in &by {
        let rows: Vec<usize> = (0..n).filter(|&i| gr[i] == *code).collect();
        let xs: Vec<f64> = rows
            .iter()
            .flat_map(|&i| x[i * 5..i * 5 + 5].to_vec())
            .collect();
        let ys: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
        let direct = permutation_importance(
            &m,
            &xs,
            rows.len(),
            &Target::new(&ys),
            &groups,
            Scorer::Accuracy,
            &opts,
        )
        .unwrap();
        assert_eq!(&direct, r);
        // the baseline is the accuracy on the group's rows
        let hits = rows
            .iter()
            .filter(|&&i| {
                let p = m_pred(&m, &x[i * 5..i * 5 + 5]);
                (p > 0.5) == (y[i] == 1.0)
            })
            .count();
        assert_eq!(r.baseline, hits as f64 / rows.len() as f64);
    }
    assert!(permutation_importance_by_group(
        &m,
        &x,
        n,
        &target,
        &groups,
        Scorer::DemographicParityDifference,
        &opts
    )
    .is_err());
}

fn m_pred(m: &Model, row: &[f64]) -> f64 {
    use assay_explain::Predict;
    m.predict(row, 1).unwrap()[0]
}

#[test]
fn fairness_disparity_importance_by_hand() {
    // 4 rows, feature 0 drives the decision, group = row's feature 0 at baseline.
    // model: p = x0 (selected iff x0 > 0.5); feature 1 is ignored.
    let m = FnPredict::new(2, |x: &[f64], _| Ok(x.chunks(2).map(|r| r[0]).collect()));
    let x = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0];
    let y = [1.0, 0.0, 1.0, 0.0];
    let grp = [1usize, 1, 0, 0];
    let target = Target {
        groups: Some(&grp),
        ..Target::new(&y)
    };
    let groups = FeatureGroups::singletons(&["a".to_string(), "b".to_string()]);
    // selection: group 1 rows 0,1 -> 1,1 (rate 1); group 0 rows 2,3 -> 0,0 (rate 0): DP = 1.
    // permutation [2, 3, 0, 1] swaps the groups' x0: group 1 gets 0,0, group 0 gets 1,1: DP = 1.
    // permutation [0, 2, 1, 3]: group 1 gets x0 = 1,0 (rate 1/2), group 0 gets 1,0 (1/2): DP = 0.
    let perms = vec![vec![2, 3, 0, 1], vec![0, 2, 1, 3]];
    let r = permutation_importance_with_permutations(
        &m,
        &x,
        4,
        &target,
        &groups,
        Scorer::DemographicParityDifference,
        &perms,
        0.95,
    )
    .unwrap();
    assert_eq!(r.baseline, 1.0);
    assert_eq!(r.features[0].importances, vec![0.0, 1.0]);
    assert_eq!(r.features[0].mean, 0.5);
    assert_eq!(r.features[0].std, 0.5);
    assert_eq!(r.features[1].importances, vec![0.0, 0.0]);
    // equalized odds: baseline TPR: g1 (row 0, y=1, selected) 1; g0 (row 2, y=1, not) 0 -> 1;
    // FPR: g1 (row 1, y=0, selected) 1; g0 (row 3, y=0, not) 0 -> 1. EO = 1.
    // after [0, 2, 1, 3]: row 0 x0=1 (TP g1), row 1 x0=0 (g1 FP 0), row 2 x0=1 (g0 TPR 1),
    // row 3 x0=0 (g0 FPR 0): TPR spread 0, FPR spread 0: EO = 0, importance 1.
    let r = permutation_importance_with_permutations(
        &m,
        &x,
        4,
        &target,
        &groups,
        Scorer::EqualizedOddsDifference,
        &perms,
        0.95,
    )
    .unwrap();
    assert_eq!(r.baseline, 1.0);
    assert_eq!(r.features[0].importances, vec![0.0, 1.0]);
    // weights: row 0 weight 3 changes nothing in rates within a group of identical labels
    let w = [3.0, 1.0, 1.0, 1.0];
    let tw = Target {
        sample_weight: Some(&w),
        ..target
    };
    assert_eq!(
        score(
            Scorer::DemographicParityDifference,
            &[1.0, 0.0, 1.0, 0.0],
            &tw
        )
        .unwrap(),
        0.75 - 0.5
    );
    // missing group codes is an error
    assert!(score(
        Scorer::DemographicParityDifference,
        &[1.0; 4],
        &Target::new(&y)
    )
    .is_err());
}

#[test]
fn mean_abs_attribution_by_group_equals_numpy() {
    let g = golden();
    let a = &g["attribution"];
    let v = matrix(&a["values"]);
    let gr = usizes(&a["groups"]);
    let n = gr.len();
    let r = mean_abs_by_group(&v, n, 5, &gr).unwrap();
    assert_eq!(r.group_codes, vec![0, 1, 2]);
    assert!(max_abs_diff(&r.overall, &f64s(&a["overall"])) <= 1e-12);
    for (k, row) in r.by_group.iter().enumerate() {
        assert!(max_abs_diff(row, &f64s(&a["by_group"][k])) <= 1e-12);
    }
    let gap = f64s(&a["max_gap"]);
    assert!(max_abs_diff(&r.max_gap, &gap) <= 1e-12);
    // feature 4 was scaled by 3 in group 2: it has the largest gap
    assert_eq!(r.ranking[0], 4);
    assert!(r
        .ranking
        .windows(2)
        .all(|p| r.max_gap[p[0]] >= r.max_gap[p[1]]));
}

#[test]
fn scores_equal_scikit_learn_and_fairlearn_with_ties() {
    let g = golden();
    let s = &g["scores"];
    let p = f64s(&s["p"]);
    let y = f64s(&s["y"]);
    let y_reg = f64s(&s["y_reg"]);
    let w = f64s(&s["w"]);
    let gr = usizes(&s["g"]);
    let mut worst: f64 = 0.0;
    for case in s["cases"].as_array().unwrap() {
        let weighted = case["weighted"].as_bool().unwrap();
        for (name, want) in case["scores"].as_object().unwrap() {
            let scorer = scorer_of(name);
            let yy = if scorer == Scorer::R2 { &y_reg } else { &y };
            let t = Target {
                y: yy,
                sample_weight: weighted.then_some(&w[..]),
                groups: Some(&gr),
                threshold: 0.5,
            };
            let got = score(scorer, &p, &t).unwrap();
            let d = (got - want.as_f64().unwrap()).abs();
            assert!(d <= 1e-12, "{name} weighted={weighted}: {got} vs {want}");
            worst = worst.max(d);
        }
    }
    eprintln!("scores: largest difference {worst:e}");
    let t = Target::new(&y[..2]);
    assert!(score(Scorer::Accuracy, &[0.2, f64::NAN], &t).is_err());
    assert!(score(Scorer::NegLogLoss, &[0.2, 1.5], &t).is_err());
}

#[test]
fn second_order_ale_equals_aleplot_transcription() {
    let g = golden();
    let x = matrix(&g["X"]);
    let n = x.len() / 5;
    let c = f64s(&g["C"]);
    let mut worst: f64 = 0.0;
    let mut filled = 0;
    for case in g["ale_2d"].as_array().unwrap() {
        let m = model(case["model"].as_str().unwrap(), c.clone());
        let cols = usizes(&case["features"]);
        let k = case["grid_size"].as_u64().unwrap() as usize;
        let a = accumulated_local_effects_2d(&m, &x, n, [cols[0], cols[1]], k).unwrap();
        assert_eq!(a.edges[0], f64s(&case["edges"][0]));
        assert_eq!(a.edges[1], f64s(&case["edges"][1]));
        let counts: Vec<usize> = case["counts"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(usizes)
            .collect();
        assert_eq!(a.counts, counts);
        assert_eq!(
            a.filled_cells.len(),
            case["n_filled"].as_u64().unwrap() as usize
        );
        filled += a.filled_cells.len();
        let d = max_abs_diff(&a.effect, &matrix(&case["ale"]));
        assert!(d <= 1e-9, "{cols:?} K {k}: 2-D ALE differs by {d}");
        worst = worst.max(d);
    }
    assert!(filled > 0, "no empty cell exercised");
    eprintln!("2-D ALE vs ALEPlot transcription: largest difference {worst:e}");
}

#[test]
fn partial_dependence_batches_agree_with_a_plain_loop() {
    // 5000 rows x 12 grid points: several predict batches, run in parallel
    let n = 5000;
    let x: Vec<f64> = (0..n)
        .flat_map(|i| {
            let t = i as f64;
            [
                (t * 0.37).sin() * 2.0,
                (t * 0.11).cos(),
                (i % 9) as f64 * 0.25 - 1.0,
                (i % 4) as f64,
                (i % 2) as f64,
            ]
        })
        .collect();
    let c = vec![0.0, 0.5, -0.7, 1.1];
    let m = model("classifier", c.clone());
    let feats = [PdFeature::numeric(0), PdFeature::categorical(3)];
    let spec = GridSpec {
        percentiles: (0.1, 0.9),
        grid_resolution: 3,
    };
    let pd = partial_dependence(&m, &x, n, &feats, &spec, PdKind::Both, None).unwrap();
    assert_eq!(pd.n_points(), 12);
    let ind = pd.individual.as_ref().unwrap();
    let avg = pd.average.as_ref().unwrap();
    for k in 0..12 {
        let v = pd.grid_point(k);
        let mut sum = 0.0;
        for i in 0..n {
            let mut r = x[i * 5..i * 5 + 5].to_vec();
            r[0] = v[0];
            r[3] = v[1];
            let f = 1.0 / (1.0 + (-margin(&r, &c)).exp());
            assert_eq!(ind[i * 12 + k], f);
            sum += f;
        }
        assert!((avg[k] - sum / n as f64).abs() < 1e-12);
    }
}
