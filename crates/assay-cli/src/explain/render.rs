//! Text and HTML output of `assay explain`.

use std::fmt::Write as _;

use serde_json::Value;

use assay_report::explain::{Chart, ExplainView};

/// A counterfactual's changes, each written by `one(feature, from, to)`, joined by "; ".
fn changes(c: &Value, one: impl Fn(&str, &Value, &Value) -> String) -> String {
    c["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|ch| one(ch["feature"].as_str().unwrap_or(""), &ch["from"], &ch["to"]))
        .collect::<Vec<_>>()
        .join("; ")
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// The readable summary.
pub fn text(doc: &Value) -> String {
    let mut o = String::new();
    let r = &doc["result"];
    let _ = writeln!(
        o,
        "{} of {} on {} ({} rows)",
        doc["method"].as_str().unwrap_or(""),
        doc["model"].as_str().unwrap_or(""),
        doc["data"]["path"].as_str().unwrap_or(""),
        doc["data"]["rows"]
    );
    match doc["method"].as_str() {
        Some("permutation") => {
            let imp = &r["importance"];
            let _ = writeln!(
                o,
                "score: {} (baseline {:.4}); importance = baseline − score with the feature permuted\n",
                r["scorer"].as_str().unwrap_or(""),
                num(&imp["baseline"])
            );
            for f in imp["features"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    o,
                    "  {:<28} {:>9.4} ± {:.4}",
                    f["feature"].as_str().unwrap_or(""),
                    num(&f["mean"]),
                    num(&f["std"])
                );
            }
            for g in r["by_group"].as_array().into_iter().flatten() {
                let _ = writeln!(o, "\nwithin group {}:", g["group"].as_str().unwrap_or(""));
                for f in g["importance"]["features"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .take(5)
                {
                    let _ = writeln!(
                        o,
                        "  {:<28} {:>9.4}",
                        f["feature"].as_str().unwrap_or(""),
                        num(&f["mean"])
                    );
                }
            }
        }
        Some("tree-shap") | Some("kernel-shap") | Some("linear-shap") => {
            let _ = writeln!(
                o,
                "{}; base value {:.4} ({})\nmean |SHAP| by feature:",
                r["algorithm"].as_str().unwrap_or(""),
                num(&r["base_value"]),
                r["space"].as_str().unwrap_or("")
            );
            for f in r["mean_abs"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    o,
                    "  {:<28} {:.4}",
                    f["feature"].as_str().unwrap_or(""),
                    num(&f["mean_abs"])
                );
            }
            if let Some(diff) = r["by_group"]["largest_differences"].as_array() {
                let groups = r["by_group"]["groups"]
                    .as_array()
                    .map(|g| {
                        g.iter()
                            .filter_map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                let _ = writeln!(
                    o,
                    "features whose attributions differ most between groups ({groups}):"
                );
                for f in diff.iter().take(5) {
                    let _ = writeln!(
                        o,
                        "  {:<28} {:.4}",
                        f["feature"].as_str().unwrap_or(""),
                        num(&f["difference"])
                    );
                }
            }
        }
        Some("lime") => {
            for row in r["rows"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    o,
                    "row {}: prediction {:.4}, local model {:.4}, fidelity (weighted R²) {:.3}",
                    row["row"],
                    num(&row["prediction"]),
                    num(&row["local_prediction"]),
                    num(&row["fidelity"])
                );
                for f in row["features"].as_array().into_iter().flatten() {
                    let _ = writeln!(
                        o,
                        "  {:<40} {:+.4}",
                        f["condition"].as_str().unwrap_or(""),
                        num(&f["weight"])
                    );
                }
            }
        }
        Some("counterfactual") => {
            let _ = writeln!(
                o,
                "row {}: score {:.4}; counterfactuals (closest first):",
                r["row"],
                num(&r["original_score"])
            );
            for (k, c) in r["counterfactuals"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                let changes = changes(c, |f, from, to| format!("{f} {from} -> {to}"));
                let _ = writeln!(
                    o,
                    "  {}. score {:.4}, distance {:.3}: {}",
                    k + 1,
                    num(&c["score"]),
                    num(&c["distance"]),
                    changes
                );
            }
            if r["counterfactuals"].as_array().is_none_or(|v| v.is_empty()) {
                let _ = writeln!(o, "  none found within the allowed changes");
            }
            let _ = writeln!(
                o,
                "proximity {:.3}, sparsity {:.2}, diversity {:.3}",
                num(&r["proximity"]),
                num(&r["sparsity"]),
                num(&r["diversity"])
            );
        }
        Some("recourse") => {
            let _ = writeln!(
                o,
                "closest counterfactual of unfavourably decided rows, by group:"
            );
            for g in r["groups"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    o,
                    "  {:<24} {:>4} rows, {:>4} with recourse, mean distance {:.3}, median {:.3}, mean changes {:.2}",
                    g["group"].as_str().unwrap_or(""),
                    g["rows_examined"],
                    g["with_recourse"],
                    num(&g["mean_distance"]),
                    num(&g["median_distance"]),
                    num(&g["mean_changes"])
                );
            }
        }
        _ => {
            for c in r["curves"].as_array().into_iter().flatten() {
                let values = c["average"]
                    .as_array()
                    .or_else(|| c["effect"].as_array())
                    .map(|v| v.iter().map(num).collect::<Vec<_>>())
                    .unwrap_or_default();
                let lo = values.iter().cloned().fold(f64::INFINITY, f64::min);
                let hi = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let _ = writeln!(
                    o,
                    "  {:<28} range of the effect {:.4} .. {:.4} ({} points)",
                    c["feature"].as_str().unwrap_or(""),
                    lo,
                    hi,
                    values.len()
                );
            }
        }
    }
    o
}

/// The HTML report.
pub fn html(doc: &Value, ice_curves: usize) -> String {
    let r = &doc["result"];
    let output = doc["output"].as_str().unwrap_or("model output").to_string();
    let mut charts = Vec::new();
    let mut summary = Vec::new();
    let mut notes = Vec::new();
    let title;
    match doc["method"].as_str() {
        Some("permutation") => {
            let scorer = r["scorer"].as_str().unwrap_or("");
            title = format!("Permutation importance ({scorer})");
            let imp = &r["importance"];
            let features: Vec<&Value> = imp["features"].as_array().into_iter().flatten().collect();
            if let Some(top) = features.first() {
                summary.push(format!(
                    "Shuffling '{}' changes the {scorer} most: by {:.4} on average (baseline {:.4}).",
                    top["feature"].as_str().unwrap_or(""),
                    num(&top["mean"]),
                    num(&imp["baseline"])
                ));
            }
            charts.push(Chart::Bars {
                title: format!("Importance: drop in {scorer} when the feature is shuffled"),
                series: vec!["mean over repeats".into()],
                rows: features
                    .iter()
                    .map(|f| {
                        (
                            f["feature"].as_str().unwrap_or("").to_string(),
                            vec![Some(num(&f["mean"]))],
                        )
                    })
                    .collect(),
            });
            let groups: Vec<&Value> = r["by_group"].as_array().into_iter().flatten().collect();
            if !groups.is_empty() {
                let names: Vec<String> = groups
                    .iter()
                    .map(|g| g["group"].as_str().unwrap_or("").to_string())
                    .collect();
                let rows = features
                    .iter()
                    .map(|f| {
                        let name = f["feature"].as_str().unwrap_or("");
                        let values = groups
                            .iter()
                            .map(|g| {
                                g["importance"]["features"]
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .find(|h| h["feature"] == name)
                                    .map(|h| num(&h["mean"]))
                            })
                            .collect();
                        (name.to_string(), values)
                    })
                    .collect();
                charts.push(Chart::Bars {
                    title: "Importance within each group".into(),
                    series: names,
                    rows,
                });
            }
            notes.push("Importance is the baseline score minus the score with the feature's values shuffled among the rows (Breiman 2001; scikit-learn's permutation_importance), averaged over the repeats; for a disparity score, a positive importance means the feature drives the gap (shuffling it shrinks the disparity).".into());
        }
        Some("tree-shap") | Some("kernel-shap") | Some("linear-shap") => {
            title = r["algorithm"].as_str().unwrap_or("SHAP").to_string();
            let features: Vec<String> = r["features"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| v.as_str().unwrap_or("").to_string())
                .collect();
            summary.push(format!(
                "Mean absolute SHAP value of every feature: how much it moves the {} away from the base value {:.4}, on average.",
                r["space"].as_str().unwrap_or("output"),
                num(&r["base_value"])
            ));
            charts.push(Chart::Bars {
                title: "Mean |SHAP| by feature".into(),
                series: vec!["all rows".into()],
                rows: r["mean_abs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|f| {
                        (
                            f["feature"].as_str().unwrap_or("").to_string(),
                            vec![f["mean_abs"].as_f64()],
                        )
                    })
                    .collect(),
            });
            if let Some(groups) = r["by_group"]["groups"].as_array() {
                let names: Vec<String> = groups
                    .iter()
                    .map(|g| g.as_str().unwrap_or("").to_string())
                    .collect();
                let by: Vec<Vec<f64>> = r["by_group"]["mean_abs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|v| v.as_array().into_iter().flatten().map(num).collect())
                    .collect();
                let order: Vec<usize> = r["by_group"]["largest_differences"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|f| {
                        features
                            .iter()
                            .position(|n| f["feature"].as_str() == Some(n.as_str()))
                    })
                    .collect();
                if let Some(&top) = order.first() {
                    summary.push(format!(
                        "The attributions of '{}' differ most between the groups ({}): the root-cause candidate of a gap between them.",
                        features[top],
                        names.join(", ")
                    ));
                }
                charts.push(Chart::Bars {
                    title: "Mean |SHAP| by group (features whose attributions differ most first)"
                        .into(),
                    series: names,
                    rows: order
                        .iter()
                        .map(|&j| {
                            (
                                features[j].clone(),
                                by.iter().map(|g| g.get(j).copied()).collect(),
                            )
                        })
                        .collect(),
                });
            }
            // The summary (beeswarm) of every written row, features by mean |SHAP|, and the
            // dependence plot of the top numeric feature.
            let written: Vec<&Value> = r["rows"].as_array().into_iter().flatten().collect();
            let order: Vec<usize> = r["mean_abs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| {
                    features
                        .iter()
                        .position(|n| f["feature"].as_str() == Some(n.as_str()))
                })
                .collect();
            if !written.is_empty() {
                charts.push(Chart::Swarm {
                    title: format!(
                        "SHAP values of {} rows (colour: feature value, blue low, red high)",
                        written.len()
                    ),
                    rows: order
                        .iter()
                        .map(|&j| {
                            let points = written
                                .iter()
                                .map(|w| {
                                    (
                                        num(&w["values"][j]),
                                        w["x_scaled"][j].as_f64().unwrap_or(f64::NAN),
                                    )
                                })
                                .collect();
                            (features[j].clone(), points)
                        })
                        .collect(),
                });
                if let Some(&j) = order.iter().find(|&&j| written[0]["x"][j].is_number()) {
                    let points: Vec<(f64, f64)> = written
                        .iter()
                        .filter_map(|w| Some((w["x"][j].as_f64()?, num(&w["values"][j]))))
                        .collect();
                    charts.push(Chart::Dots {
                        title: format!("Dependence: {}", features[j]),
                        x_label: features[j].clone(),
                        y_label: format!("SHAP value of {}", features[j]),
                        points,
                    });
                }
            }
            if let Some(row) = r["rows"].as_array().and_then(|v| v.first()) {
                let values: Vec<f64> = row["values"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(num)
                    .collect();
                charts.push(Chart::Waterfall {
                    title: format!(
                        "Row {}: from the base value to the row's output",
                        row["row"]
                    ),
                    base: num(&r["base_value"]),
                    steps: waterfall_steps(&features, &values, &row["x"], 12),
                });
            }
            notes.push("SHAP values (Lundberg & Lee 2017): each feature's share of the difference between a row's output and the base value; TreeSHAP is exact for tree ensembles (Lundberg et al. 2020), KernelSHAP estimates the same values for any model from coalitions of features taken from background rows.".into());
        }
        Some("lime") => {
            title = "LIME".into();
            for row in r["rows"].as_array().into_iter().flatten().take(20) {
                summary.push(format!(
                    "Row {}: prediction {:.4}; the local linear model predicts {:.4} with fidelity (weighted R²) {:.3}.",
                    row["row"],
                    num(&row["prediction"]),
                    num(&row["local_prediction"]),
                    num(&row["fidelity"])
                ));
                charts.push(Chart::Bars {
                    title: format!("Row {}: LIME weights", row["row"]),
                    series: vec!["weight".into()],
                    rows: row["features"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|f| {
                            (
                                f["condition"].as_str().unwrap_or("").to_string(),
                                vec![f["weight"].as_f64()],
                            )
                        })
                        .collect(),
                });
            }
            notes.push("LIME (Ribeiro, Singh & Guestrin 2016) with the lime package's tabular defaults: 5,000 samples drawn around the row from the data's quartile bins, an exponential kernel of width 0.75·√(columns), a weighted ridge on the 'same bin as the row' indicators. The sampling is seeded (ChaCha8), so it cannot reproduce lime's numpy stream; on the reference set assay's top features agree with lime's about as often as lime's agree with themselves across seeds.".into());
        }
        Some("counterfactual") => {
            title = format!("Counterfactuals for row {}", r["row"]);
            summary.push(format!(
                "The model scores this row {:.4}. Each counterfactual below is decided favourably; immutable: {}.",
                num(&r["original_score"]),
                r["immutable"].as_array().map(|v| v.iter().filter_map(|s| s.as_str()).collect::<Vec<_>>().join(", ")).unwrap_or_default()
            ));
            for (k, c) in r["counterfactuals"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                let changes = changes(c, |f, from, to| format!("{f}: {from} → {to}"));
                summary.push(format!(
                    "{}. {} (score {:.4}, distance {:.3})",
                    k + 1,
                    changes,
                    num(&c["score"]),
                    num(&c["distance"])
                ));
            }
            notes.push("Counterfactuals in the spirit of DiCE (Mothilal et al. 2020): random changes of at most a few mutable features that flip the decision, each moved back towards the row as far as the decision allows, then a diverse set chosen greedily. Distance: mean over features of |change| / MAD (numeric) or 1 per changed category.".into());
        }
        Some("recourse") => {
            title = "Recourse by group".into();
            let groups: Vec<&Value> = r["groups"].as_array().into_iter().flatten().collect();
            charts.push(Chart::Bars {
                title: "Distance to a favourable decision (closest counterfactual)".into(),
                series: vec!["mean".into(), "median".into()],
                rows: groups
                    .iter()
                    .map(|g| {
                        (
                            g["group"].as_str().unwrap_or("").to_string(),
                            vec![g["mean_distance"].as_f64(), g["median_distance"].as_f64()],
                        )
                    })
                    .collect(),
            });
            notes.push("For up to --per-group unfavourably decided rows of each group, the distance of its closest counterfactual (DiCE's distance): how far a profile must move to be selected; sensitive columns never change.".into());
        }
        Some(m) => {
            title = match m {
                "ale" => "Accumulated local effects".to_string(),
                "ice" => "Partial dependence and ICE curves".to_string(),
                _ => "Partial dependence".to_string(),
            };
            for c in r["curves"].as_array().into_iter().flatten() {
                let feature = c["feature"].as_str().unwrap_or("").to_string();
                let xs: Vec<f64> = c["grid_values"]
                    .as_array()
                    .or_else(|| c["edges"].as_array())
                    .map(|v| v.iter().map(num).collect())
                    .unwrap_or_default();
                let mean: Vec<f64> = c["average"]
                    .as_array()
                    .or_else(|| c["effect"].as_array())
                    .map(|v| v.iter().map(num).collect())
                    .unwrap_or_default();
                if c["categorical"].as_bool() == Some(true) {
                    let labels: Vec<String> = c["grid"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|v| v.as_str().unwrap_or("").to_string())
                        .collect();
                    charts.push(Chart::Bars {
                        title: format!("{feature}: average {output}"),
                        series: vec!["partial dependence".into()],
                        rows: labels
                            .into_iter()
                            .zip(mean.iter().map(|&v| vec![Some(v)]))
                            .collect(),
                    });
                    continue;
                }
                let mut curves = Vec::new();
                if let Some(ice) = c["individual"].as_array() {
                    for (k, row) in ice.iter().take(ice_curves).enumerate() {
                        let ys: Vec<f64> = row.as_array().into_iter().flatten().map(num).collect();
                        curves.push((
                            if k == 0 {
                                "individual rows".to_string()
                            } else {
                                String::new()
                            },
                            xs.iter().copied().zip(ys).collect(),
                            false,
                        ));
                    }
                }
                curves.push((
                    if m == "ale" {
                        "ALE".to_string()
                    } else {
                        "average".to_string()
                    },
                    xs.iter().copied().zip(mean.iter().copied()).collect(),
                    true,
                ));
                charts.push(Chart::Curves {
                    title: feature.clone(),
                    x_label: feature,
                    y_label: if m == "ale" {
                        format!("effect on {output} (centred)")
                    } else {
                        output.clone()
                    },
                    curves,
                });
            }
            notes.push(match m {
                "ale" => "Accumulated local effects (Apley & Zhu 2020): the average change of the output within quantile intervals of the feature, accumulated and centred; unlike partial dependence it stays honest when features are correlated.".into(),
                _ => "Partial dependence (Friedman 2001): the average output when every row's feature is set to the grid value (grid as scikit-learn's partial_dependence: the 5th to 95th percentile, or the distinct values); ICE curves are single rows (Goldstein et al. 2015).".into(),
            });
        }
        None => title = "Explanation".into(),
    }
    assay_report::explain::render(&ExplainView {
        title,
        subtitle: format!(
            "model {} · data {} ({} rows) · output explained: {output}",
            doc["model"].as_str().unwrap_or(""),
            doc["data"]["path"].as_str().unwrap_or(""),
            doc["data"]["rows"]
        ),
        summary,
        charts,
        notes,
    })
}

/// The steps of a row's waterfall: "feature = value" and its attribution, largest |value|
/// first, the features after the first `top` summed into one "N other features" step.
fn waterfall_steps(
    features: &[String],
    values: &[f64],
    x: &Value,
    top: usize,
) -> Vec<(String, f64)> {
    let mut order: Vec<usize> = (0..values.len().min(features.len())).collect();
    order.sort_by(|&a, &b| values[b].abs().total_cmp(&values[a].abs()));
    let label = |j: usize| match &x[j] {
        Value::String(s) => format!("{} = {s}", features[j]),
        Value::Number(v) => match v.as_f64() {
            Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{} = {v:.0}", features[j]),
            Some(v) => format!("{} = {v:.4}", features[j]),
            None => features[j].clone(),
        },
        _ => features[j].clone(),
    };
    let mut steps: Vec<(String, f64)> = order
        .iter()
        .take(top)
        .map(|&j| (label(j), values[j]))
        .collect();
    if order.len() > top {
        let rest: f64 = order[top..].iter().map(|&j| values[j]).sum();
        steps.push((format!("{} other features", order.len() - top), rest));
    }
    steps
}
