//! The HTML report of `assay explain`: importance bars and effect curves, in the style of the
//! fairness report (one self-contained document, inline CSS and SVG, no script).

use std::fmt::Write as _;

use crate::escape::html as esc;
use crate::svg::{
    self, BarChart, BarRow, Beeswarm, SwarmRow, Waterfall, XyChart, XyPoint, XySeries,
};

/// One curve of a [`Chart::Curves`]: its name (empty: no legend entry), its points, and whether
/// it is the emphasised one (the average, drawn in the first colour).
pub type Curve = (String, Vec<(f64, f64)>, bool);

/// One chart of the report.
pub enum Chart {
    /// Horizontal bars, one per label (importance, mean |attribution|).
    Bars {
        /// Title.
        title: String,
        /// Series names (one bar per series in each row).
        series: Vec<String>,
        /// (label, one value per series), top to bottom.
        rows: Vec<(String, Vec<Option<f64>>)>,
    },
    /// A SHAP summary: per feature (top to bottom), every row's (SHAP value, feature value
    /// scaled to [0, 1]).
    Swarm {
        /// Title.
        title: String,
        /// (feature, points).
        rows: Vec<(String, Vec<(f64, f64)>)>,
    },
    /// A scatter of points (a SHAP dependence plot: feature value against its SHAP value).
    Dots {
        /// Title.
        title: String,
        /// Horizontal axis label.
        x_label: String,
        /// Vertical axis label.
        y_label: String,
        /// The points.
        points: Vec<(f64, f64)>,
    },
    /// One row's attributions as a waterfall from the base value to the row's output.
    Waterfall {
        /// Title.
        title: String,
        /// The base value (`E[f(X)]`).
        base: f64,
        /// (label, attribution), top to bottom; the bottom one is applied first.
        steps: Vec<(String, f64)>,
    },
    /// Curves over a numeric axis (partial dependence, ICE, ALE).
    Curves {
        /// Title.
        title: String,
        /// Horizontal axis label.
        x_label: String,
        /// Vertical axis label.
        y_label: String,
        /// (name, points, emphasised): the emphasised curve (the average) is drawn in the first
        /// colour, the others (ICE rows) in the second; an empty name has no legend entry.
        curves: Vec<Curve>,
    },
}

/// Everything the explanation report shows.
pub struct ExplainView {
    /// Headline: the method in words.
    pub title: String,
    /// Sub-heading: model, data, output explained.
    pub subtitle: String,
    /// Paragraphs before the charts (plain text).
    pub summary: Vec<String>,
    /// The charts.
    pub charts: Vec<Chart>,
    /// Definitions and caveats.
    pub notes: Vec<String>,
}

fn domain(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let lo = values.clone().fold(f64::INFINITY, f64::min);
    let hi = values.fold(f64::NEG_INFINITY, f64::max);
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    if hi > lo {
        let pad = (hi - lo) * 0.05;
        (lo - pad, hi + pad)
    } else {
        (lo - 0.5, hi + 0.5)
    }
}

/// Renders the explanation report.
pub fn render(v: &ExplainView) -> String {
    let style = crate::html::STYLE;
    let mut o = String::with_capacity(64 * 1024);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"assay {}\">\n<title>{}</title>\n<style>\n{style}</style>\n</head>\n<body>\n",
        esc(env!("CARGO_PKG_VERSION")),
        esc(&v.title)
    );
    let _ = writeln!(
        o,
        "<header class=\"top\"><div class=\"wrap\"><p class=\"kicker\">Model explanation</p><h1>{}</h1><p class=\"sub\">{}</p></div></header>\n<main class=\"wrap\">\n<section id=\"summary\">",
        esc(&v.title),
        esc(&v.subtitle)
    );
    for p in &v.summary {
        let _ = writeln!(o, "<p>{}</p>", esc(p));
    }
    o.push_str("</section>\n<section id=\"charts\">\n");
    for c in &v.charts {
        match c {
            Chart::Bars {
                title,
                series,
                rows,
            } => {
                let values = rows.iter().flat_map(|r| r.1.iter().flatten().copied());
                o.push_str(&svg::bar_chart(&BarChart {
                    title: title.clone(),
                    series: series.clone(),
                    rows: rows
                        .iter()
                        .map(|(label, values)| BarRow {
                            label: label.clone(),
                            values: values.clone(),
                            muted: false,
                        })
                        .collect(),
                    domain: svg::nice_domain(values, &[0.0]),
                    percent: false,
                    refs: Vec::new(),
                }));
            }
            Chart::Waterfall { title, base, steps } => {
                o.push_str(&svg::waterfall(&Waterfall {
                    title: title.clone(),
                    base: *base,
                    steps: steps.clone(),
                }));
            }
            Chart::Swarm { title, rows } => {
                o.push_str(&svg::beeswarm(&Beeswarm {
                    title: title.clone(),
                    rows: rows
                        .iter()
                        .map(|(label, points)| SwarmRow {
                            label: label.clone(),
                            points: points.clone(),
                        })
                        .collect(),
                }));
            }
            Chart::Dots {
                title,
                x_label,
                y_label,
                points,
            } => {
                o.push_str(&svg::xy_chart(&XyChart {
                    title: title.clone(),
                    x_label: x_label.clone(),
                    y_label: y_label.clone(),
                    x_domain: domain(points.iter().map(|p| p.0).collect::<Vec<_>>().into_iter()),
                    y_domain: domain(points.iter().map(|p| p.1).collect::<Vec<_>>().into_iter()),
                    series: vec![XySeries {
                        name: String::new(),
                        points: points
                            .iter()
                            .map(|&(x, y)| XyPoint {
                                x,
                                y,
                                tip: format!("({x:.4}, {y:.4})"),
                            })
                            .collect(),
                        line: false,
                        dots: true,
                        colour: 0,
                    }],
                    diagonal: false,
                    marks: Vec::new(),
                }));
            }
            Chart::Curves {
                title,
                x_label,
                y_label,
                curves,
            } => {
                let xs = curves.iter().flat_map(|c| c.1.iter().map(|p| p.0));
                let ys = curves.iter().flat_map(|c| c.1.iter().map(|p| p.1));
                o.push_str(&svg::xy_chart(&XyChart {
                    title: title.clone(),
                    x_label: x_label.clone(),
                    y_label: y_label.clone(),
                    x_domain: domain(xs.collect::<Vec<_>>().into_iter()),
                    y_domain: domain(ys.collect::<Vec<_>>().into_iter()),
                    series: curves
                        .iter()
                        .map(|(name, points, emphasised)| XySeries {
                            name: name.clone(),
                            points: points
                                .iter()
                                .map(|&(x, y)| XyPoint {
                                    x,
                                    y,
                                    tip: format!("{name}: ({x:.4}, {y:.4})"),
                                })
                                .collect(),
                            line: true,
                            dots: false,
                            colour: usize::from(!*emphasised),
                        })
                        .collect(),
                    diagonal: false,
                    marks: Vec::new(),
                }));
            }
        }
    }
    o.push_str("</section>\n<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n");
    for n in &v.notes {
        let _ = writeln!(o, "<li>{}</li>", esc(n));
    }
    let _ = write!(
        o,
        "</ul>\n</section>\n</main>\n<footer class=\"wrap\">Generated by assay {} · all figures computed from the files named above; nothing was sent anywhere.</footer>\n</body>\n</html>\n",
        esc(env!("CARGO_PKG_VERSION"))
    );
    o
}
