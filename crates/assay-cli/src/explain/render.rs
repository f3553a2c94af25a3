//! Text and HTML output of `assay explain`.

use std::fmt::Write as _;

use serde_json::Value;

use assay_core::reports::explain::{
    Counterfactual, ExplainReport, ExplainResult, ShapResult, Shown,
};
use assay_report::explain::{Chart, ExplainView};

/// A counterfactual's changes, each written by `one(feature, from, to)` with the values as
/// the JSON report writes them, joined by "; ".
fn changes(c: &Counterfactual, one: impl Fn(&str, &Value, &Value) -> String) -> String {
    c.changes
        .iter()
        .map(|ch| {
            let json = |v: &Option<Shown>| serde_json::to_value(v).unwrap_or(Value::Null);
            one(&ch.feature, &json(&ch.from), &json(&ch.to))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A figure the report may lack (a missing one reads NaN).
fn num(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

/// A figure as the JSON report holds it: a finite number, else none.
fn fin(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// A shown feature value that is a finite number.
fn number(v: Option<&Option<Shown>>) -> Option<f64> {
    match v {
        Some(Some(Shown::Number(x))) if x.is_finite() => Some(*x),
        _ => None,
    }
}

/// The readable summary.
pub fn text(doc: &ExplainReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} of {} on {} ({} rows)",
        doc.method, doc.model, doc.data.path, doc.data.rows
    );
    match &doc.result {
        ExplainResult::Permutation(r) => {
            let imp = &r.importance;
            let _ = writeln!(
                o,
                "score: {} (baseline {:.4}); importance = baseline − score with the feature permuted\n",
                r.scorer, imp.baseline
            );
            for f in &imp.features {
                let _ = writeln!(o, "  {:<28} {:>9.4} ± {:.4}", f.feature, f.mean, f.std);
            }
            for g in &r.by_group {
                let _ = writeln!(o, "\nwithin group {}:", g.group);
                for f in g.importance.features.iter().take(5) {
                    let _ = writeln!(o, "  {:<28} {:>9.4}", f.feature, f.mean);
                }
            }
        }
        ExplainResult::Shap(r) => {
            let _ = writeln!(
                o,
                "{}; base value {:.4} ({})\nmean |SHAP| by feature:",
                r.algorithm, r.base_value, r.space
            );
            for f in &r.mean_abs {
                let _ = writeln!(o, "  {:<28} {:.4}", f.feature, f.mean_abs);
            }
            if let Some(by) = &r.by_group {
                let _ = writeln!(
                    o,
                    "features whose attributions differ most between groups ({}):",
                    by.groups.join(", ")
                );
                for f in by.largest_differences.iter().take(5) {
                    let _ = writeln!(o, "  {:<28} {:.4}", f.feature, f.difference);
                }
            }
        }
        ExplainResult::Lime(r) => {
            for row in &r.rows {
                let _ = writeln!(
                    o,
                    "row {}: prediction {:.4}, local model {:.4}, fidelity (weighted R²) {:.3}",
                    row.row, row.prediction, row.local_prediction, row.fidelity
                );
                for f in &row.features {
                    let _ = writeln!(o, "  {:<40} {:+.4}", f.condition, f.weight);
                }
            }
        }
        ExplainResult::Counterfactual(r) => {
            let _ = writeln!(
                o,
                "row {}: score {:.4}; counterfactuals (closest first):",
                r.row, r.original_score
            );
            for (k, c) in r.counterfactuals.iter().enumerate() {
                let changes = changes(c, |f, from, to| format!("{f} {from} -> {to}"));
                let _ = writeln!(
                    o,
                    "  {}. score {:.4}, distance {:.3}: {}",
                    k + 1,
                    c.score,
                    c.distance,
                    changes
                );
            }
            if r.counterfactuals.is_empty() {
                let _ = writeln!(o, "  none found within the allowed changes");
            }
            let _ = writeln!(
                o,
                "proximity {:.3}, sparsity {:.2}, diversity {:.3}",
                num(r.proximity),
                num(r.sparsity),
                num(r.diversity)
            );
        }
        ExplainResult::Recourse(r) => {
            let _ = writeln!(
                o,
                "closest counterfactual of unfavourably decided rows, by group:"
            );
            for g in &r.groups {
                let _ = writeln!(
                    o,
                    "  {:<24} {:>4} rows, {:>4} with recourse, mean distance {:.3}, median {:.3}, mean changes {:.2}",
                    g.group,
                    g.rows_examined,
                    g.with_recourse,
                    num(g.mean_distance),
                    num(g.median_distance),
                    num(g.mean_changes)
                );
            }
        }
        ExplainResult::PartialDependence(r) => {
            for c in &r.curves {
                let values = c.average.clone().unwrap_or_default();
                effect_range(&mut o, &c.feature, &values);
            }
        }
        ExplainResult::Ale(r) => {
            for c in &r.curves {
                effect_range(&mut o, &c.feature, &c.effect);
            }
        }
    }
    o
}

/// A curve's line of the summary: the range of its effect.
fn effect_range(o: &mut String, feature: &str, values: &[f64]) {
    let lo = values.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let _ = writeln!(
        o,
        "  {:<28} range of the effect {:.4} .. {:.4} ({} points)",
        feature,
        lo,
        hi,
        values.len()
    );
}
/// The HTML report.
pub fn html(doc: &ExplainReport, ice_curves: usize) -> String {
    let output = doc.output.clone();
    let mut charts = Vec::new();
    let mut summary = Vec::new();
    let mut notes = Vec::new();
    let title;
    match &doc.result {
        ExplainResult::Permutation(r) => {
            let scorer = &r.scorer;
            title = format!("Permutation importance ({scorer})");
            let imp = &r.importance;
            if let Some(top) = imp.features.first() {
                summary.push(format!(
                    "Shuffling '{}' changes the {scorer} most: by {:.4} on average (baseline {:.4}).",
                    top.feature, top.mean, imp.baseline
                ));
            }
            charts.push(Chart::Bars {
                title: format!("Importance: drop in {scorer} when the feature is shuffled"),
                series: vec!["mean over repeats".into()],
                rows: imp
                    .features
                    .iter()
                    .map(|f| (f.feature.clone(), vec![Some(f.mean)]))
                    .collect(),
            });
            if !r.by_group.is_empty() {
                let names: Vec<String> = r.by_group.iter().map(|g| g.group.clone()).collect();
                let rows = imp
                    .features
                    .iter()
                    .map(|f| {
                        let values = r
                            .by_group
                            .iter()
                            .map(|g| {
                                g.importance
                                    .features
                                    .iter()
                                    .find(|h| h.feature == f.feature)
                                    .map(|h| h.mean)
                            })
                            .collect();
                        (f.feature.clone(), values)
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
        ExplainResult::Shap(r) => {
            title = r.algorithm.clone();
            shap_charts(r, &mut summary, &mut charts);
            notes.push("SHAP values (Lundberg & Lee 2017): each feature's share of the difference between a row's output and the base value; TreeSHAP is exact for tree ensembles (Lundberg et al. 2020), KernelSHAP estimates the same values for any model from coalitions of features taken from background rows.".into());
        }
        ExplainResult::Lime(r) => {
            title = "LIME".into();
            for row in r.rows.iter().take(20) {
                summary.push(format!(
                    "Row {}: prediction {:.4}; the local linear model predicts {:.4} with fidelity (weighted R²) {:.3}.",
                    row.row, row.prediction, row.local_prediction, row.fidelity
                ));
                charts.push(Chart::Bars {
                    title: format!("Row {}: LIME weights", row.row),
                    series: vec!["weight".into()],
                    rows: row
                        .features
                        .iter()
                        .map(|f| (f.condition.clone(), vec![fin(f.weight)]))
                        .collect(),
                });
            }
            notes.push("LIME (Ribeiro, Singh & Guestrin 2016) with the lime package's tabular defaults: 5,000 samples drawn around the row from the data's quartile bins, an exponential kernel of width 0.75·√(columns), a weighted ridge on the 'same bin as the row' indicators. The sampling is seeded (ChaCha8), so it cannot reproduce lime's numpy stream; on the reference set assay's top features agree with lime's about as often as lime's agree with themselves across seeds.".into());
        }
        ExplainResult::Counterfactual(r) => {
            title = format!("Counterfactuals for row {}", r.row);
            summary.push(format!(
                "The model scores this row {:.4}. Each counterfactual below is decided favourably; immutable: {}.",
                r.original_score,
                r.immutable.join(", ")
            ));
            for (k, c) in r.counterfactuals.iter().enumerate() {
                let changes = changes(c, |f, from, to| format!("{f}: {from} → {to}"));
                summary.push(format!(
                    "{}. {} (score {:.4}, distance {:.3})",
                    k + 1,
                    changes,
                    c.score,
                    c.distance
                ));
            }
            notes.push("Counterfactuals in the spirit of DiCE (Mothilal et al. 2020): random changes of at most a few mutable features that flip the decision, each moved back towards the row as far as the decision allows, then a diverse set chosen greedily. Distance: mean over features of |change| / MAD (numeric) or 1 per changed category.".into());
        }
        ExplainResult::Recourse(r) => {
            title = "Recourse by group".into();
            charts.push(Chart::Bars {
                title: "Distance to a favourable decision (closest counterfactual)".into(),
                series: vec!["mean".into(), "median".into()],
                rows: r
                    .groups
                    .iter()
                    .map(|g| {
                        (
                            g.group.clone(),
                            vec![
                                g.mean_distance.and_then(fin),
                                g.median_distance.and_then(fin),
                            ],
                        )
                    })
                    .collect(),
            });
            notes.push("For up to --per-group unfavourably decided rows of each group, the distance of its closest counterfactual (DiCE's distance): how far a profile must move to be selected; sensitive columns never change.".into());
        }
        ExplainResult::PartialDependence(r) => {
            let ice = doc.method == "ice";
            title = if ice {
                "Partial dependence and ICE curves"
            } else {
                "Partial dependence"
            }
            .to_string();
            for c in &r.curves {
                let mean = c.average.clone().unwrap_or_default();
                if c.categorical {
                    let labels: Vec<String> = c
                        .grid
                        .iter()
                        .map(|v| match v {
                            Some(Shown::Text(t)) => t.clone(),
                            _ => String::new(),
                        })
                        .collect();
                    charts.push(Chart::Bars {
                        title: format!("{}: average {output}", c.feature),
                        series: vec!["partial dependence".into()],
                        rows: labels
                            .into_iter()
                            .zip(mean.iter().map(|&v| vec![Some(v)]))
                            .collect(),
                    });
                    continue;
                }
                let xs = &c.grid_values;
                let mut curves = Vec::new();
                for (k, ys) in c.individual.iter().flatten().take(ice_curves).enumerate() {
                    curves.push((
                        if k == 0 {
                            "individual rows".to_string()
                        } else {
                            String::new()
                        },
                        xs.iter().copied().zip(ys.iter().copied()).collect(),
                        false,
                    ));
                }
                curves.push((
                    "average".to_string(),
                    xs.iter().copied().zip(mean.iter().copied()).collect(),
                    true,
                ));
                charts.push(Chart::Curves {
                    title: c.feature.clone(),
                    x_label: c.feature.clone(),
                    y_label: output.clone(),
                    curves,
                });
            }
            notes.push("Partial dependence (Friedman 2001): the average output when every row's feature is set to the grid value (grid as scikit-learn's partial_dependence: the 5th to 95th percentile, or the distinct values); ICE curves are single rows (Goldstein et al. 2015).".into());
        }
        ExplainResult::Ale(r) => {
            title = "Accumulated local effects".to_string();
            for c in &r.curves {
                charts.push(Chart::Curves {
                    title: c.feature.clone(),
                    x_label: c.feature.clone(),
                    y_label: format!("effect on {output} (centred)"),
                    curves: vec![(
                        "ALE".to_string(),
                        c.edges
                            .iter()
                            .copied()
                            .zip(c.effect.iter().copied())
                            .collect(),
                        true,
                    )],
                });
            }
            notes.push("Accumulated local effects (Apley & Zhu 2020): the average change of the output within quantile intervals of the feature, accumulated and centred; unlike partial dependence it stays honest when features are correlated.".into());
        }
    }
    assay_report::explain::render(&ExplainView {
        title,
        subtitle: format!(
            "model {} · data {} ({} rows) · output explained: {output}",
            doc.model, doc.data.path, doc.data.rows
        ),
        summary,
        charts,
        notes,
    })
}

/// The SHAP charts: mean |SHAP| overall and by group, the summary (beeswarm) of every written
/// row with features by mean |SHAP|, the dependence plot of the top numeric feature, and the
/// first row's waterfall.
fn shap_charts(r: &ShapResult, summary: &mut Vec<String>, charts: &mut Vec<Chart>) {
    let features = &r.features;
    summary.push(format!(
        "Mean absolute SHAP value of every feature: how much it moves the {} away from the base value {:.4}, on average.",
        r.space, r.base_value
    ));
    charts.push(Chart::Bars {
        title: "Mean |SHAP| by feature".into(),
        series: vec!["all rows".into()],
        rows: r
            .mean_abs
            .iter()
            .map(|f| (f.feature.clone(), vec![fin(f.mean_abs)]))
            .collect(),
    });
    let position = |name: &str| features.iter().position(|n| n == name);
    if let Some(by) = &r.by_group {
        let order: Vec<usize> = by
            .largest_differences
            .iter()
            .filter_map(|f| position(&f.feature))
            .collect();
        if let Some(&top) = order.first() {
            summary.push(format!(
                "The attributions of '{}' differ most between the groups ({}): the root-cause candidate of a gap between them.",
                features[top],
                by.groups.join(", ")
            ));
        }
        charts.push(Chart::Bars {
            title: "Mean |SHAP| by group (features whose attributions differ most first)".into(),
            series: by.groups.clone(),
            rows: order
                .iter()
                .map(|&j| {
                    (
                        features[j].clone(),
                        by.mean_abs.iter().map(|g| g.get(j).copied()).collect(),
                    )
                })
                .collect(),
        });
    }
    let written = &r.rows;
    let order: Vec<usize> = r
        .mean_abs
        .iter()
        .filter_map(|f| position(&f.feature))
        .collect();
    let value = |row: &[f64], j: usize| row.get(j).copied().unwrap_or(f64::NAN);
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
                            let scaled = w.x_scaled.get(j).copied().flatten().and_then(fin);
                            (value(&w.values, j), scaled.unwrap_or(f64::NAN))
                        })
                        .collect();
                    (features[j].clone(), points)
                })
                .collect(),
        });
        if let Some(&j) = order
            .iter()
            .find(|&&j| number(written[0].x.get(j)).is_some())
        {
            let points: Vec<(f64, f64)> = written
                .iter()
                .filter_map(|w| Some((number(w.x.get(j))?, value(&w.values, j))))
                .collect();
            charts.push(Chart::Dots {
                title: format!("Dependence: {}", features[j]),
                x_label: features[j].clone(),
                y_label: format!("SHAP value of {}", features[j]),
                points,
            });
        }
    }
    if let Some(row) = r.rows.first() {
        charts.push(Chart::Waterfall {
            title: format!("Row {}: from the base value to the row's output", row.row),
            base: r.base_value,
            steps: waterfall_steps(features, &row.values, &row.x, 12),
        });
    }
}

/// The steps of a row's waterfall: "feature = value" and its attribution, largest |value|
/// first, the features after the first `top` summed into one "N other features" step.
fn waterfall_steps(
    features: &[String],
    values: &[f64],
    x: &[Option<Shown>],
    top: usize,
) -> Vec<(String, f64)> {
    let mut order: Vec<usize> = (0..values.len().min(features.len())).collect();
    order.sort_by(|&a, &b| values[b].abs().total_cmp(&values[a].abs()));
    let label = |j: usize| match x.get(j) {
        Some(Some(Shown::Text(s))) => format!("{} = {s}", features[j]),
        Some(Some(Shown::Number(v))) if v.is_finite() => {
            if v.fract() == 0.0 && v.abs() < 1e15 {
                format!("{} = {v:.0}", features[j])
            } else {
                format!("{} = {v:.4}", features[j])
            }
        }
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
