//! Hand-written inline SVG charts for the HTML report.
//!
//! No charting crate: a static chart of dots, whiskers and bars is a few
//! lines of SVG text that any browser renders without JavaScript, while
//! plotting crates pull in font, image and rendering stacks for output we
//! would still have to embed by hand. Every chart has a `<title>` per mark
//! (the browser shows it on hover), an `aria-label`, tick labels, and uses the
//! Okabe–Ito colour-blind-safe palette. Undefined values are drawn as the
//! text "n/a" and missing intervals simply have no whisker.

use std::fmt::Write as _;

use crate::escape::html as esc;
use crate::format::{self, fixed};

/// Okabe–Ito palette (Okabe & Ito 2008), safe for the common forms of colour
/// blindness. Vermillion is kept for thresholds.
pub const PALETTE: [&str; 6] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442",
];
/// Threshold lines (the four-fifths rule).
const VERMILLION: &str = "#D55E00";
/// Marks of groups too small to trust.
const MUTED: &str = "#A3A8AF";
const INK: &str = "#1F2328";
const GRID: &str = "#E1E4E8";
const BAND: &str = "#F6F8FA";
const TICK: &str = "#57606A";
const AXIS: &str = "#8C959F";
/// Text of muted rows.
const SUBTLE: &str = "#6E7781";

/// Width of every chart's view box.
const WIDTH: f64 = 560.0;
/// Height of one row of marks.
const ROW: f64 = 22.0;
/// Approximate width of one character of 12px sans-serif text.
const CHAR: f64 = 6.6;
/// Longest label drawn in full (longer ones end with an ellipsis).
const MAX_LABEL: usize = 28;

/// What a vertical reference line marks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// The value over all rows (dashed ink).
    Overall,
    /// Parity: 0 for differences, 1 for ratios (solid ink).
    Parity,
    /// A threshold such as the four-fifths rule (dashed vermillion).
    Threshold,
}

/// A vertical reference line.
pub struct RefLine {
    /// Position on the value axis.
    pub at: f64,
    /// Label drawn above the plot (not escaped).
    pub label: String,
    /// Style.
    pub kind: RefKind,
}

/// One row of a dot chart.
pub struct DotRow {
    /// Row label (not escaped).
    pub label: String,
    /// Estimate.
    pub value: Option<f64>,
    /// Confidence interval.
    pub interval: Option<(f64, f64)>,
    /// Greyed out (a group too small to trust).
    pub muted: bool,
}

/// A horizontal dot chart with interval whiskers.
pub struct DotChart {
    /// Chart title (not escaped).
    pub title: String,
    /// Rows, top to bottom.
    pub rows: Vec<DotRow>,
    /// Value axis range.
    pub domain: (f64, f64),
    /// Reference lines.
    pub refs: Vec<RefLine>,
}

/// One row of a (grouped) bar chart.
pub struct BarRow {
    /// Row label (not escaped).
    pub label: String,
    /// One value per series.
    pub values: Vec<Option<f64>>,
    /// Greyed out.
    pub muted: bool,
}

/// A horizontal bar chart, one bar per series in each row.
pub struct BarChart {
    /// Chart title (not escaped).
    pub title: String,
    /// Series names (a legend is drawn for two or more; not escaped).
    pub series: Vec<String>,
    /// Rows, top to bottom.
    pub rows: Vec<BarRow>,
    /// Value axis range.
    pub domain: (f64, f64),
    /// How values are written next to the bars.
    pub percent: bool,
    /// Reference lines.
    pub refs: Vec<RefLine>,
}

/// A finite value.
fn fin(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// Shortens a label to [`MAX_LABEL`] characters.
fn short(label: &str) -> String {
    if label.chars().count() <= MAX_LABEL {
        label.to_string()
    } else {
        let s: String = label.chars().take(MAX_LABEL - 1).collect();
        format!("{s}…")
    }
}

/// Width of the label column for these labels.
fn label_width<'a>(labels: impl Iterator<Item = &'a str>) -> f64 {
    let n = labels.map(|l| short(l).chars().count()).max().unwrap_or(0);
    (n as f64 * CHAR + 14.0).clamp(70.0, 200.0)
}

/// A step of 1, 2, 2.5 or 5 × 10^k giving about four intervals over `span`.
fn nice_step(span: f64) -> f64 {
    if span.is_nan() || span <= 0.0 || span.is_infinite() {
        return 1.0;
    }
    let raw = span / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// Ticks covering `domain`.
fn ticks(domain: (f64, f64)) -> Vec<f64> {
    let step = nice_step(domain.1 - domain.0);
    let mut v = Vec::new();
    let mut t = (domain.0 / step).ceil() * step;
    while t <= domain.1 + step * 1e-9 && v.len() < 50 {
        v.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    v
}

/// A domain from `lo` to `hi` widened to nice tick steps and to include
/// `always` (for example 0 and 1); `(0, 1)` when nothing is finite.
pub fn nice_domain(values: impl IntoIterator<Item = f64>, always: &[f64]) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().chain(always.iter().copied()) {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        hi = lo + 1.0;
    }
    let step = nice_step(hi - lo);
    ((lo / step).floor() * step, (hi / step).ceil() * step)
}

/// Maps values to x positions.
struct Scale {
    d0: f64,
    d1: f64,
    x0: f64,
    x1: f64,
}

impl Scale {
    fn x(&self, v: f64) -> f64 {
        let t = ((v - self.d0) / (self.d1 - self.d0)).clamp(0.0, 1.0);
        self.x0 + t * (self.x1 - self.x0)
    }
}

/// Opens an `<svg>` element with a title.
fn open(out: &mut String, height: f64, title: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height:.0}" role="img" aria-label="{t}" font-size="12"><title>{t}</title><text x="0" y="15" class="chart-title" font-weight="600" font-size="13" fill="{INK}">{t}</text>"#,
        t = esc(title)
    );
}

/// Grid lines, tick labels and reference lines between `top` and `bottom`.
fn axes(out: &mut String, s: &Scale, domain: (f64, f64), top: f64, bottom: f64, refs: &[RefLine]) {
    for t in ticks(domain) {
        let x = s.x(t);
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="{GRID}"/><text x="{x:.1}" y="{ty:.1}" text-anchor="middle" fill="{TICK}" font-size="11">{l}</text>"#,
            ty = bottom + 14.0,
            l = format::plain(t)
        );
    }
    let _ = write!(
        out,
        r#"<line x1="{:.1}" y1="{bottom:.1}" x2="{:.1}" y2="{bottom:.1}" stroke="{AXIS}"/>"#,
        s.x0, s.x1
    );
    // Reference labels alternate between two lines so that nearby ones
    // (parity at 1 and the 0.8 threshold) do not overlap.
    for (i, r) in refs.iter().filter(|r| r.at.is_finite()).enumerate() {
        let x = s.x(r.at);
        let (stroke, dash, width) = match r.kind {
            RefKind::Overall => (INK, r#" stroke-dasharray="4 3""#, 1.2),
            RefKind::Parity => (INK, "", 1.5),
            RefKind::Threshold => (VERMILLION, r#" stroke-dasharray="6 3""#, 1.5),
        };
        let ly = top - 4.0 - 13.0 * (i % 2) as f64;
        let anchor = if x < s.x0 + 40.0 {
            "start"
        } else if x > s.x1 - 40.0 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="{stroke}" stroke-width="{width}"{dash}/><text x="{x:.1}" y="{ly:.1}" text-anchor="{anchor}" fill="{fill}" font-size="11">{l}</text>"#,
            fill = if r.kind == RefKind::Threshold {
                VERMILLION
            } else {
                INK
            },
            l = esc(&r.label)
        );
    }
}

/// Top of the plot area: title plus room for two lines of reference labels.
fn plot_top(refs: &[RefLine]) -> f64 {
    match refs.len() {
        0 => 28.0,
        1 => 40.0,
        _ => 52.0,
    }
}

/// Renders a dot chart.
pub fn dot_chart(c: &DotChart) -> String {
    let label_w = label_width(c.rows.iter().map(|r| r.label.as_str()));
    let value_w = 122.0;
    let top = plot_top(&c.refs);
    let bottom = top + ROW * c.rows.len().max(1) as f64;
    let height = bottom + 22.0;
    let s = Scale {
        d0: c.domain.0,
        d1: c.domain.1,
        x0: label_w + 6.0,
        x1: WIDTH - value_w - 8.0,
    };
    let mut out = String::new();
    open(&mut out, height, &c.title);
    for (i, _) in c.rows.iter().enumerate().filter(|(i, _)| i % 2 == 1) {
        let y = top + ROW * i as f64;
        let _ = write!(
            out,
            r#"<rect x="0" y="{y:.1}" width="{WIDTH}" height="{ROW}" fill="{BAND}"/>"#
        );
    }
    axes(&mut out, &s, c.domain, top, bottom, &c.refs);
    for (i, r) in c.rows.iter().enumerate() {
        let cy = top + ROW * i as f64 + ROW / 2.0;
        let colour = if r.muted { MUTED } else { PALETTE[0] };
        let text_fill = if r.muted { SUBTLE } else { INK };
        let interval = r
            .interval
            .filter(|(lo, hi)| lo.is_finite() && hi.is_finite());
        let value = fin(r.value);
        let figure = match (value, interval) {
            (Some(v), Some((lo, hi))) => {
                format!("{} [{}, {}]", fixed(v, 3), fixed(lo, 2), fixed(hi, 2))
            }
            (Some(v), None) => fixed(v, 3),
            (None, _) => format::NA.to_string(),
        };
        let tip = format!(
            "{}: {figure}{}",
            r.label,
            if r.muted {
                " (too few rows to trust)"
            } else {
                ""
            }
        );
        let _ = write!(
            out,
            r#"<g><title>{}</title><text x="{:.1}" y="{:.1}" text-anchor="end" fill="{text_fill}">{}</text>"#,
            esc(&tip),
            label_w,
            cy + 4.0,
            esc(&short(&r.label))
        );
        if let (Some(_), Some((lo, hi))) = (value, interval) {
            let (xl, xh) = (s.x(lo), s.x(hi));
            let _ = write!(
                out,
                r#"<line x1="{xl:.1}" y1="{cy:.1}" x2="{xh:.1}" y2="{cy:.1}" stroke="{colour}" stroke-width="2"/><line x1="{xl:.1}" y1="{:.1}" x2="{xl:.1}" y2="{:.1}" stroke="{colour}" stroke-width="2"/><line x1="{xh:.1}" y1="{:.1}" x2="{xh:.1}" y2="{:.1}" stroke="{colour}" stroke-width="2"/>"#,
                cy - 4.0,
                cy + 4.0,
                cy - 4.0,
                cy + 4.0
            );
        }
        match value {
            Some(v) if r.muted => {
                let _ = write!(
                    out,
                    r#"<circle cx="{:.1}" cy="{cy:.1}" r="4.5" fill="white" stroke="{MUTED}" stroke-width="2"/>"#,
                    s.x(v)
                );
            }
            Some(v) => {
                let _ = write!(
                    out,
                    r#"<circle cx="{:.1}" cy="{cy:.1}" r="5" fill="{colour}" stroke="white" stroke-width="1"/>"#,
                    s.x(v)
                );
            }
            None => {
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" fill="{SUBTLE}" font-style="italic">undefined</text>"#,
                    s.x0 + 6.0,
                    cy + 4.0
                );
            }
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" fill="{text_fill}" font-size="11" font-variant-numeric="tabular-nums">{}</text></g>"#,
            s.x1 + 10.0,
            cy + 4.0,
            esc(&figure)
        );
    }
    out.push_str("</svg>");
    out
}

/// Renders a bar chart.
pub fn bar_chart(c: &BarChart) -> String {
    let nseries = c.series.len().max(1);
    let label_w = label_width(c.rows.iter().map(|r| r.label.as_str()));
    let value_w = 56.0;
    let legend = if c.series.len() > 1 { 20.0 } else { 0.0 };
    let top = plot_top(&c.refs) + legend;
    let bar_h = if nseries == 1 { 14.0 } else { 11.0 };
    let row_h = (bar_h * nseries as f64 + 8.0).max(ROW);
    let bottom = top + row_h * c.rows.len().max(1) as f64;
    let height = bottom + 22.0;
    let s = Scale {
        d0: c.domain.0,
        d1: c.domain.1,
        x0: label_w + 6.0,
        x1: WIDTH - value_w - 8.0,
    };
    let mut out = String::new();
    open(&mut out, height, &c.title);
    if c.series.len() > 1 {
        let mut x = s.x0;
        for (k, name) in c.series.iter().enumerate() {
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{:.1}" width="11" height="11" fill="{}"/><text x="{:.1}" y="{:.1}" fill="{INK}">{}</text>"#,
                23.0,
                PALETTE[k % PALETTE.len()],
                x + 15.0,
                33.0,
                esc(&short(name))
            );
            x += 15.0 + short(name).chars().count() as f64 * CHAR + 18.0;
        }
    }
    for i in (1..c.rows.len()).step_by(2) {
        let y = top + row_h * i as f64;
        let _ = write!(
            out,
            r#"<rect x="0" y="{y:.1}" width="{WIDTH}" height="{row_h:.1}" fill="{BAND}"/>"#
        );
    }
    axes(&mut out, &s, c.domain, top, bottom, &c.refs);
    let base = s.x(c.domain.0.max(0.0).min(c.domain.1));
    for (i, r) in c.rows.iter().enumerate() {
        let y0 = top + row_h * i as f64;
        let cy = y0 + row_h / 2.0;
        let text_fill = if r.muted { SUBTLE } else { INK };
        let _ = write!(
            out,
            r#"<text x="{label_w:.1}" y="{:.1}" text-anchor="end" fill="{text_fill}">{}</text>"#,
            cy + 4.0,
            esc(&short(&r.label))
        );
        let block = bar_h * nseries as f64;
        for (k, v) in r.values.iter().enumerate() {
            let by = cy - block / 2.0 + bar_h * k as f64;
            let name = c.series.get(k).map(String::as_str).unwrap_or("");
            let colour = if r.muted {
                MUTED
            } else {
                PALETTE[k % PALETTE.len()]
            };
            let text = match fin(*v) {
                Some(x) if c.percent => format::pct(Some(x)),
                Some(x) => fixed(x, 3),
                None => format::NA.to_string(),
            };
            let tip = if name.is_empty() {
                format!("{}: {text}", r.label)
            } else {
                format!("{} ({name}): {text}", r.label)
            };
            let _ = write!(out, "<g><title>{}</title>", esc(&tip));
            let end = match fin(*v) {
                Some(x) => {
                    let xe = s.x(x);
                    let (xa, xb) = if xe < base { (xe, base) } else { (base, xe) };
                    let _ = write!(
                        out,
                        r#"<rect x="{xa:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}"/>"#,
                        by + 0.5,
                        (xb - xa).max(1.0),
                        bar_h - 1.0
                    );
                    xb
                }
                None => base,
            };
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" fill="{text_fill}" font-size="{}">{}</text></g>"#,
                end + 4.0,
                by + bar_h - 1.5,
                if nseries == 1 { 11 } else { 10 },
                esc(&text)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// One point of an [`xy_chart`].
pub struct XyPoint {
    /// Horizontal value.
    pub x: f64,
    /// Vertical value.
    pub y: f64,
    /// Hover text (not escaped).
    pub tip: String,
}

/// One series of an [`xy_chart`]: points in one colour, joined by a line if asked.
pub struct XySeries {
    /// Legend name (not escaped).
    pub name: String,
    /// The points, in drawing order (a line joins them in this order).
    pub points: Vec<XyPoint>,
    /// Join the points with a line.
    pub line: bool,
    /// Draw the points as dots (a line-only series leaves this false).
    pub dots: bool,
    /// Index into [`PALETTE`] (wrapped).
    pub colour: usize,
}

/// A highlighted point of an [`xy_chart`]: a ring around it and a label next to it.
pub struct XyMark {
    /// Horizontal value.
    pub x: f64,
    /// Vertical value.
    pub y: f64,
    /// Label (not escaped).
    pub label: String,
}

/// A scatter / line chart on two numeric axes (a trade-off or reliability diagram).
pub struct XyChart {
    /// Chart title (not escaped).
    pub title: String,
    /// Horizontal axis label (not escaped).
    pub x_label: String,
    /// Vertical axis label (not escaped).
    pub y_label: String,
    /// Horizontal axis range.
    pub x_domain: (f64, f64),
    /// Vertical axis range.
    pub y_domain: (f64, f64),
    /// The series, drawn in order.
    pub series: Vec<XySeries>,
    /// Draw the diagonal `y = x` as a reference (perfect calibration).
    pub diagonal: bool,
    /// Highlighted points.
    pub marks: Vec<XyMark>,
}

/// Renders an [`XyChart`]: grid and ticks on both axes, the optional diagonal, every series,
/// the highlighted points and a legend. Points that are not finite are left out.
pub fn xy_chart(c: &XyChart) -> String {
    let (left, right, top) = (56.0, WIDTH - 16.0, 40.0);
    let plot_h = 300.0;
    let bottom = top + plot_h;
    // Series with an empty name (ICE curves after the first) get no legend entry.
    let legend_rows = c
        .series
        .iter()
        .filter(|s| !s.name.is_empty())
        .count()
        .div_ceil(3) as f64;
    let height = bottom + 40.0 + 18.0 * legend_rows;
    let sx = Scale {
        d0: c.x_domain.0,
        d1: c.x_domain.1,
        x0: left,
        x1: right,
    };
    // The vertical scale maps the domain's low end to the bottom.
    let sy = Scale {
        d0: c.y_domain.0,
        d1: c.y_domain.1,
        x0: bottom,
        x1: top,
    };
    let mut out = String::new();
    open(&mut out, height, &c.title);
    for t in ticks(c.x_domain) {
        let x = sx.x(t);
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="{GRID}"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="{TICK}" font-size="11">{}</text>"#,
            bottom + 14.0,
            format::plain(t)
        );
    }
    for t in ticks(c.y_domain) {
        let y = sy.x(t);
        let _ = write!(
            out,
            r#"<line x1="{left:.1}" y1="{y:.1}" x2="{right:.1}" y2="{y:.1}" stroke="{GRID}"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="{TICK}" font-size="11">{}</text>"#,
            left - 4.0,
            y + 4.0,
            format::plain(t)
        );
    }
    let _ = write!(
        out,
        r#"<line x1="{left:.1}" y1="{bottom:.1}" x2="{right:.1}" y2="{bottom:.1}" stroke="{AXIS}"/><line x1="{left:.1}" y1="{top:.1}" x2="{left:.1}" y2="{bottom:.1}" stroke="{AXIS}"/><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{INK}" font-size="11">{}</text><text x="12" y="{:.1}" text-anchor="middle" fill="{INK}" font-size="11" transform="rotate(-90 12 {:.1})">{}</text>"#,
        (left + right) / 2.0,
        bottom + 30.0,
        esc(&c.x_label),
        (top + bottom) / 2.0,
        (top + bottom) / 2.0,
        esc(&c.y_label)
    );
    if c.diagonal {
        let lo = c.x_domain.0.max(c.y_domain.0);
        let hi = c.x_domain.1.min(c.y_domain.1);
        if lo < hi {
            let _ = write!(
                out,
                r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{INK}" stroke-dasharray="4 3"><title>perfect calibration (y = x)</title></line>"#,
                sx.x(lo),
                sy.x(lo),
                sx.x(hi),
                sy.x(hi)
            );
        }
    }
    let finite = |p: &&XyPoint| p.x.is_finite() && p.y.is_finite();
    for s in &c.series {
        let colour = PALETTE[s.colour % PALETTE.len()];
        if s.line {
            let pts: Vec<String> = s
                .points
                .iter()
                .filter(finite)
                .map(|p| format!("{:.1},{:.1}", sx.x(p.x), sy.x(p.y)))
                .collect();
            if pts.len() >= 2 {
                let _ = write!(
                    out,
                    r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="1.8"/>"#,
                    pts.join(" ")
                );
            }
        }
        if s.dots {
            for p in s.points.iter().filter(finite) {
                let _ = write!(
                    out,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{colour}"><title>{}</title></circle>"#,
                    sx.x(p.x),
                    sy.x(p.y),
                    esc(&p.tip)
                );
            }
        }
    }
    for m in c
        .marks
        .iter()
        .filter(|m| m.x.is_finite() && m.y.is_finite())
    {
        let (x, y) = (sx.x(m.x), sy.x(m.y));
        let anchor = if x > right - 90.0 { "end" } else { "start" };
        let dx = if anchor == "end" { -10.0 } else { 10.0 };
        let _ = write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="8" fill="none" stroke="{INK}" stroke-width="1.5"/><text x="{:.1}" y="{:.1}" text-anchor="{anchor}" fill="{INK}" font-size="11">{}</text>"#,
            x + dx,
            y - 8.0,
            esc(&m.label)
        );
    }
    for (i, s) in c.series.iter().filter(|s| !s.name.is_empty()).enumerate() {
        let colour = PALETTE[s.colour % PALETTE.len()];
        let lx = left + (i % 3) as f64 * 165.0;
        let ly = bottom + 48.0 + (i / 3) as f64 * 18.0;
        let _ = write!(
            out,
            r#"<rect x="{lx:.1}" y="{:.1}" width="10" height="10" fill="{colour}"/><text x="{:.1}" y="{ly:.1}" fill="{INK}" font-size="11">{}</text>"#,
            ly - 9.0,
            lx + 14.0,
            esc(&short(&s.name))
        );
    }
    out.push_str("</svg>");
    out
}

/// One feature row of a [`beeswarm`]: (SHAP value, feature value scaled to [0, 1] or NaN when
/// unknown) per explained row.
pub struct SwarmRow {
    /// Feature name (not escaped).
    pub label: String,
    /// The points.
    pub points: Vec<(f64, f64)>,
}

/// A SHAP summary ("beeswarm") chart: one row per feature, every explained row a dot at its
/// SHAP value, stacked where dots would overlap, coloured from blue (low feature value) to red
/// (high) as in the `shap` package's summary plot.
pub struct Beeswarm {
    /// Chart title (not escaped).
    pub title: String,
    /// Rows, top to bottom.
    pub rows: Vec<SwarmRow>,
}

/// The colour of a feature value scaled to [0, 1] (blue → purple → red); grey when unknown.
fn swarm_colour(t: f64) -> String {
    if !t.is_finite() {
        return MUTED.to_string();
    }
    let t = t.clamp(0.0, 1.0);
    let (r, g, b) = (
        (0x00 as f64 + t * (0xE6 as f64 - 0x00 as f64)) as u8,
        (0x8B as f64 + t * (0x1E as f64 - 0x8B as f64)) as u8,
        (0xFB as f64 + t * (0x50 as f64 - 0xFB as f64)) as u8,
    );
    format!("#{r:02X}{g:02X}{b:02X}")
}

/// Renders a [`Beeswarm`]: dots binned into 2-pixel columns and stacked symmetrically around
/// the row's centre line (at most 9 dots each way; more are drawn over the outermost), a
/// vertical line at 0 and a colour legend.
pub fn beeswarm(c: &Beeswarm) -> String {
    let row_h = 28.0;
    let label_w = label_width(c.rows.iter().map(|r| r.label.as_str()));
    let top = 30.0;
    let bottom = top + row_h * c.rows.len().max(1) as f64;
    let height = bottom + 44.0;
    let domain = nice_domain(
        c.rows.iter().flat_map(|r| r.points.iter().map(|p| p.0)),
        &[0.0],
    );
    let s = Scale {
        d0: domain.0,
        d1: domain.1,
        x0: label_w + 6.0,
        x1: WIDTH - 12.0,
    };
    let mut out = String::new();
    open(&mut out, height, &c.title);
    axes(
        &mut out,
        &s,
        domain,
        top,
        bottom,
        &[RefLine {
            at: 0.0,
            label: String::new(),
            kind: RefKind::Parity,
        }],
    );
    for (i, r) in c.rows.iter().enumerate() {
        let cy = top + row_h * (i as f64 + 0.5);
        let _ = write!(
            out,
            r#"<text x="{label_w:.1}" y="{:.1}" text-anchor="end" fill="{INK}">{}</text>"#,
            cy + 4.0,
            esc(&short(&r.label))
        );
        let mut counts: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
        for &(v, colour) in &r.points {
            if !v.is_finite() {
                continue;
            }
            let x = s.x(v);
            let n = counts.entry((x / 2.0).floor() as i64).or_insert(0);
            let k = (*n).min(18) as f64;
            *n += 1;
            let dy = if k as usize % 2 == 0 {
                k / 2.0
            } else {
                -(k + 1.0) / 2.0
            } * 1.4;
            let _ = write!(
                out,
                r#"<circle cx="{x:.1}" cy="{:.1}" r="1.4" fill="{}"/>"#,
                cy + dy,
                swarm_colour(colour)
            );
        }
    }
    let ly = bottom + 32.0;
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{ly:.1}" fill="{TICK}" font-size="11">feature value: low</text><rect x="{:.1}" y="{:.1}" width="60" height="8" fill="{}"/><rect x="{:.1}" y="{:.1}" width="60" height="8" fill="{}"/><text x="{:.1}" y="{ly:.1}" fill="{TICK}" font-size="11">high</text>"#,
        s.x0,
        s.x0 + 108.0,
        ly - 8.0,
        swarm_colour(0.0),
        s.x0 + 168.0,
        ly - 8.0,
        swarm_colour(1.0),
        s.x0 + 234.0,
    );
    out.push_str("</svg>");
    out
}

/// A waterfall of one row's attributions (shap's `plots.waterfall`): from the base value
/// `E[f(X)]` at the bottom, each feature's bar moves the output by its attribution, ending at
/// the row's output `f(x)` at the top.
pub struct Waterfall {
    /// Chart title (not escaped).
    pub title: String,
    /// The base value the bottom bar starts from.
    pub base: f64,
    /// (label, attribution), top to bottom (usually by decreasing |attribution|; the bottom
    /// one is applied first).
    pub steps: Vec<(String, f64)>,
}

/// Renders a waterfall chart: positive steps in vermillion, negative in blue, dashed lines at
/// the base value and at the output.
pub fn waterfall(c: &Waterfall) -> String {
    let n = c.steps.len();
    let mut starts = vec![0.0; n];
    let mut ends = vec![0.0; n];
    let mut acc = c.base;
    for i in (0..n).rev() {
        starts[i] = acc;
        acc += c.steps[i].1;
        ends[i] = acc;
    }
    let output = acc;
    let refs = vec![
        RefLine {
            at: c.base,
            label: format!("E[f(X)] = {}", fixed(c.base, 3)),
            kind: RefKind::Overall,
        },
        RefLine {
            at: output,
            label: format!("f(x) = {}", fixed(output, 3)),
            kind: RefKind::Parity,
        },
    ];
    let domain = nice_domain(starts.iter().chain(&ends).copied().chain([c.base]), &[]);
    let label_w = label_width(c.steps.iter().map(|r| r.0.as_str()));
    let value_w = 56.0;
    let top = plot_top(&refs);
    let bar_h = 14.0;
    let bottom = top + ROW * n.max(1) as f64;
    let s = Scale {
        d0: domain.0,
        d1: domain.1,
        x0: label_w + 6.0,
        x1: WIDTH - value_w - 8.0,
    };
    let mut out = String::new();
    open(&mut out, bottom + 22.0, &c.title);
    for i in (1..n).step_by(2) {
        let y = top + ROW * i as f64;
        let _ = write!(
            out,
            r#"<rect x="0" y="{y:.1}" width="{WIDTH}" height="{ROW:.1}" fill="{BAND}"/>"#
        );
    }
    axes(&mut out, &s, domain, top, bottom, &refs);
    for (i, (label, v)) in c.steps.iter().enumerate() {
        let cy = top + ROW * i as f64 + ROW / 2.0;
        let (xa, xb) = {
            let (a, b) = (s.x(starts[i]), s.x(ends[i]));
            if a <= b {
                (a, b)
            } else {
                (b, a)
            }
        };
        let colour = if *v >= 0.0 { VERMILLION } else { PALETTE[0] };
        let text = if *v >= 0.0 {
            format!("+{}", fixed(*v, 3))
        } else {
            fixed(*v, 3)
        };
        let _ = write!(
            out,
            r#"<text x="{label_w:.1}" y="{:.1}" text-anchor="end" fill="{INK}">{}</text><g><title>{}</title><rect x="{xa:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}"/><text x="{:.1}" y="{:.1}" fill="{INK}" font-size="11">{}</text></g>"#,
            cy + 4.0,
            esc(&short(label)),
            esc(&format!("{label}: {text}")),
            cy - bar_h / 2.0 + 0.5,
            (xb - xa).max(1.0),
            bar_h - 1.0,
            xb + 4.0,
            cy + 4.0,
            esc(&text)
        );
        // Connector to the next bar up, which starts where this one ends.
        if i > 0 {
            let x = s.x(ends[i]);
            let _ = write!(
                out,
                r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{AXIS}" stroke-dasharray="2 2"/>"#,
                cy - bar_h / 2.0,
                cy - ROW + bar_h / 2.0
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beeswarm_draws_every_finite_point_coloured_by_value() {
        let svg = beeswarm(&Beeswarm {
            title: "t".into(),
            rows: vec![
                SwarmRow {
                    label: "a<b".into(),
                    points: vec![(0.1, 0.0), (0.1, 1.0), (-0.3, f64::NAN), (f64::NAN, 0.5)],
                },
                SwarmRow {
                    label: "c".into(),
                    points: vec![(2.0, 0.5)],
                },
            ],
        });
        assert_eq!(
            svg.matches("<circle").count(),
            4,
            "the NaN SHAP value is left out"
        );
        assert!(svg.contains(&swarm_colour(0.0)) && svg.contains(&swarm_colour(1.0)));
        assert!(svg.contains(MUTED), "unknown feature value drawn grey");
        assert!(svg.contains("a&lt;b"), "labels escaped");
        // Overlapping dots are stacked, not drawn on top of each other.
        let ys: Vec<&str> = svg
            .split("<circle")
            .skip(1)
            .take(2)
            .map(|c| c.split("cy=\"").nth(1).unwrap().split('"').next().unwrap())
            .collect();
        assert_ne!(ys[0], ys[1]);
    }

    #[test]
    fn waterfall_runs_from_the_base_value_to_the_output() {
        let svg = waterfall(&Waterfall {
            title: "row 1".into(),
            base: 0.25,
            steps: vec![("age = 52".into(), 0.5), ("sex = F".into(), -0.125)],
        });
        assert!(svg.contains("E[f(X)] = 0.250"));
        assert!(svg.contains("f(x) = 0.625"), "0.25 − 0.125 + 0.5");
        assert!(svg.contains("+0.500") && svg.contains("-0.125"));
        // One bar per step, positive in vermillion, negative in blue.
        let bars: Vec<&str> = svg
            .split("<rect")
            .skip(1)
            .filter(|r| r.contains("height=\"13.0\""))
            .collect();
        assert_eq!(bars.len(), 2);
        assert!(bars[0].contains(VERMILLION) && bars[1].contains(PALETTE[0]));
        // The bottom step (−0.125) runs from the base value down: its bar's right edge is on
        // the dashed base line.
        let attr = |r: &str, name: &str| -> f64 {
            r.split(&format!(" {name}=\""))
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        let base_line = svg
            .split("<line")
            .find(|l| l.contains("stroke-dasharray=\"4 3\""))
            .unwrap();
        let right = attr(bars[1], "x") + attr(bars[1], "width");
        assert!(
            (right - attr(base_line, "x1")).abs() < 0.11,
            "{right} vs base line"
        );
        // The top step ends on the output line.
        let out_line = svg
            .split("<line")
            .find(|l| l.contains("stroke-width=\"1.5\""))
            .unwrap();
        let top_right = attr(bars[0], "x") + attr(bars[0], "width");
        assert!((top_right - attr(out_line, "x1")).abs() < 0.11);
    }

    #[test]
    fn ticks_are_nice() {
        assert_eq!(ticks((0.0, 1.0)), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let (lo, hi) = nice_domain([0.13, 0.28], &[0.0]);
        assert!(lo == 0.0 && (hi - 0.3).abs() < 1e-12);
        assert_eq!(ticks((lo, hi)).len(), 4);
        assert_eq!(nice_domain([f64::NAN], &[]), (0.0, 1.0));
    }

    #[test]
    fn undefined_values_and_missing_intervals_render() {
        let c = DotChart {
            title: "t <x>".into(),
            rows: vec![
                DotRow {
                    label: "<script>".into(),
                    value: None,
                    interval: Some((f64::NAN, 0.2)),
                    muted: false,
                },
                DotRow {
                    label: "b".into(),
                    value: Some(f64::NAN),
                    interval: None,
                    muted: true,
                },
                DotRow {
                    label: "c".into(),
                    value: Some(2.0),
                    interval: None,
                    muted: false,
                },
            ],
            domain: (0.0, 1.0),
            refs: vec![RefLine {
                at: f64::NAN,
                label: "overall".into(),
                kind: RefKind::Overall,
            }],
        };
        let s = dot_chart(&c);
        assert!(!s.contains("NaN") && !s.contains("inf"), "{s}");
        assert!(s.contains("&lt;script&gt;") && !s.contains("<script>"));
        assert_eq!(s.matches("undefined").count(), 2);
        let b = bar_chart(&BarChart {
            title: "b".into(),
            series: vec!["x".into(), "y".into()],
            rows: vec![BarRow {
                label: "r".into(),
                values: vec![None, Some(f64::INFINITY)],
                muted: false,
            }],
            domain: (0.0, 1.0),
            percent: false,
            refs: vec![],
        });
        assert!(!b.contains("NaN") && !b.contains("inf"), "{b}");
    }

    #[test]
    fn xy_chart_places_points_and_skips_undefined() {
        let c = XyChart {
            title: "t".into(),
            x_label: "disparity".into(),
            y_label: "accuracy <%>".into(),
            x_domain: (0.0, 1.0),
            y_domain: (0.0, 1.0),
            series: vec![XySeries {
                name: "points".into(),
                points: vec![
                    XyPoint {
                        x: 0.0,
                        y: 0.0,
                        tip: "a".into(),
                    },
                    XyPoint {
                        x: 1.0,
                        y: 1.0,
                        tip: "b".into(),
                    },
                    XyPoint {
                        x: f64::NAN,
                        y: 0.5,
                        tip: "c".into(),
                    },
                ],
                line: true,
                dots: true,
                colour: 0,
            }],
            diagonal: true,
            marks: vec![XyMark {
                x: 1.0,
                y: 1.0,
                label: "chosen".into(),
            }],
        };
        let s = xy_chart(&c);
        assert!(!s.contains("NaN") && !s.contains("inf"), "{s}");
        assert_eq!(s.matches("<circle").count(), 3, "two dots and one mark");
        // (0, 0) is the bottom-left corner of the plot, (1, 1) the top-right.
        assert!(s.contains(r#"cx="56.0" cy="340.0""#), "{s}");
        assert!(s.contains(r#"cx="544.0" cy="40.0""#), "{s}");
        assert!(s.contains("accuracy &lt;%&gt;"));
        assert!(s.contains("perfect calibration"));
    }
}
