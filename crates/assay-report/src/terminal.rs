//! The terminal report: a headline and a few compact tables drawn with
//! comfy-table, optionally coloured with ANSI escapes.

use comfy_table::{
    modifiers, presets, Attribute, Cell, CellAlignment, Color, ColumnConstraint,
    ContentArrangement, Table, Width,
};

use assay_fairness::intervals::Interval;
use assay_fairness::model::Assessment;

use crate::escape;
use crate::facts::{self, NAMED};
use crate::format::{self, count, num, pct, with_interval};
use crate::TerminalOptions;

/// Number of proxy (column, feature) pairs listed.
const TOP_PROXIES: usize = 5;

/// Inline styling of text outside tables.
#[derive(Clone, Copy)]
struct Ansi(bool);

impl Ansi {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn pass(self, s: &str) -> String {
        self.wrap("1;32", s)
    }
    fn fail(self, s: &str) -> String {
        self.wrap("1;31", s)
    }
    fn dim(self, s: &str) -> String {
        self.wrap("2", s)
    }
}

/// Data-derived text, safe for a terminal.
fn t(s: &str) -> String {
    escape::terminal(s)
}

/// Renders the terminal report.
pub fn render(a: &Assessment, opts: &TerminalOptions) -> String {
    let ansi = Ansi(opts.color);
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&wrap(&s, opts.width));
        out.push('\n');
    };

    // Headline.
    line(ansi.bold(&format!(
        "Fairness assessment · {}",
        t(&facts::dataset_name(a))
    )));
    let small = a.groups.iter().filter(|g| g.small).count();
    let mut facts_line = format!(
        "{} rows · {} intersectional groups of {}",
        count(a.input.rows_used),
        a.groups.len(),
        t(&facts::features_label(a))
    );
    if small > 0 {
        facts_line.push_str(&format!(" ({small} small*)"));
    }
    facts_line.push_str(&format!(
        " · label {} · decision {}",
        t(&a.input.label),
        t(&facts::decision_name(a))
    ));
    if a.input.rows_dropped > 0 {
        facts_line.push_str(&format!(" · {} rows dropped", count(a.input.rows_dropped)));
    }
    line(facts_line);
    line(format!("Verdict: {}", verdict(a, ansi)));
    line(String::new());

    // Groups.
    let metrics = facts::group_metrics(a);
    let conf = format::level(a.settings.confidence);
    // The widest layout that fits: estimates with intervals on one line,
    // intervals under the estimates, or estimates only.
    let mode = match opts.width.map(usize::from) {
        None => Layout::Inline,
        Some(w) => [Layout::Inline, Layout::Stacked]
            .into_iter()
            .find(|m| {
                natural_width(&group_table(a, &TerminalOptions::default(), &metrics, *m)) <= w
            })
            .unwrap_or(Layout::ValuesOnly),
    };
    let table = group_table(a, opts, &metrics, mode);
    line(ansi.bold(&if mode == Layout::ValuesOnly {
        "Intersectional groups".to_string()
    } else {
        format!("Intersectional groups (estimate [{conf} interval])")
    }));
    out_table(&mut out, &table);
    if mode == Layout::ValuesOnly {
        out.push_str(&ansi.dim(&wrap(
            "Intervals left out to fit the terminal width; see the Markdown or HTML report.",
            opts.width,
        )));
        out.push('\n');
    }
    if small > 0 {
        out.push_str(&wrap(
            &ansi.dim(&format!(
                "* fewer than {} rows: reported but not trusted, and left out of disparities{}.",
                a.settings.min_group_size,
                if a.settings.include_small_groups {
                    " (included here on request)"
                } else {
                    ""
                }
            )),
            opts.width,
        ));
        out.push('\n');
    }
    out.push('\n');

    // Key disparities.
    out.push_str(&ansi.bold("Key disparities (between eligible intersectional groups)"));
    out.push('\n');
    let header: Vec<String> = [
        "Disparity",
        "Compares",
        "Value",
        &format!("{conf} interval"),
        "Parity",
        "Verdict",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut table = new_table(opts, &header);
    for n in &NAMED {
        let Some(d) = a.disparities.get(n.key) else {
            continue;
        };
        let sig = facts::significance(d);
        let mut verdict = Cell::new(sig);
        if opts.color && d.significant == Some(true) {
            verdict = verdict.fg(Color::Red);
        }
        table.add_row(vec![
            Cell::new(n.title),
            Cell::new(assay_fairness::verdicts::comparison(d)),
            Cell::new(num(d.value)),
            Cell::new(format::interval(d.interval.as_ref())),
            Cell::new(format::plain(d.reference)),
            verdict,
        ]);
    }
    right_align(&mut table, 2..5);
    out_table(&mut out, &table);
    out.push('\n');

    // Worst groups.
    if !a.worst_groups.0.is_empty() {
        out.push_str(&ansi.bold("Worst group per metric"));
        out.push('\n');
        let header: Vec<String> = ["Metric", "Worst group", "Value", "Direction"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut table = new_table(opts, &header);
        for (key, w) in a.worst_groups.iter() {
            let title = assay_fairness::metrics::Metric::from_key(key)
                .map(|m| m.title().to_string())
                .unwrap_or_else(|| key.clone());
            let iv = facts::find_group(a, &w.group).and_then(|g| g.intervals.get(key.as_str()));
            table.add_row(vec![
                title,
                t(&facts::group_label(&w.group)),
                with_interval(Some(w.value), iv),
                w.direction.to_string(),
            ]);
        }
        right_align(&mut table, 2..3);
        out_table(&mut out, &table);
        out.push('\n');
    }

    // Proxies.
    let proxies = facts::proxies(a);
    if !proxies.is_empty() {
        out.push_str(&ansi.bold("Top proxy columns (association with a sensitive feature)"));
        out.push('\n');
        let header: Vec<String> = [
            "Column",
            "Feature",
            "Cramér's V (corrected)",
            "NMI",
            "Strength",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut table = new_table(opts, &header);
        for p in proxies.iter().take(TOP_PROXIES) {
            table.add_row(vec![
                t(p.column),
                t(p.feature),
                num(Some(p.cramers_v)),
                num(p.nmi),
                facts::proxy_strength(p.cramers_v).to_string(),
            ]);
        }
        right_align(&mut table, 2..4);
        out_table(&mut out, &table);
        out.push_str(&wrap(&ansi.dim(facts::PROXY_EXPLAINED), opts.width));
        out.push_str("\n\n");
    }
    if let Some(note) = facts::identifier_note(a) {
        out.push_str(&wrap(&note, opts.width));
        out.push_str("\n\n");
    }

    // Policy.
    if let Some(p) = &a.policy {
        out.push_str(&ansi.bold(&format!("Policy {}", t(&p.path))));
        out.push('\n');
        let header: Vec<String> = ["Rule", "Bound", "Value", "Interval", "Result", "Why"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut table = new_table(opts, &header);
        for r in &p.rules {
            let mut result = Cell::new(if r.passed { "pass" } else { "FAIL" });
            if opts.color {
                result = result.fg(if r.passed { Color::Green } else { Color::Red });
            }
            table.add_row(vec![
                Cell::new(t(&r.metric)),
                Cell::new(&r.bound),
                Cell::new(num(r.value)),
                Cell::new(
                    r.interval
                        .map(
                            |Interval {
                                 lower: lo,
                                 upper: hi,
                                 ..
                             }| {
                                format!("[{}, {}]", format::fixed(lo, 2), format::fixed(hi, 2))
                            },
                        )
                        .unwrap_or_default(),
                ),
                result,
                Cell::new(t(r.message.as_deref().unwrap_or(""))),
            ]);
        }
        right_align(&mut table, 2..4);
        out_table(&mut out, &table);
        out.push('\n');
    }

    // What to do next.
    let next = facts::next_steps(a);
    if !next.is_empty() {
        out.push_str(&ansi.bold("What to do next"));
        out.push('\n');
        for n in &next {
            out.push_str(&wrap_indent(
                &format!("- {}", t(&n.replace('`', ""))),
                opts.width,
                "  ",
            ));
            out.push('\n');
        }
        out.push('\n');
    }

    // Notes.
    if !a.notes.is_empty() {
        out.push_str(&ansi.bold("Notes"));
        out.push('\n');
        for n in &a.notes {
            out.push_str(&wrap_indent(&format!("- {}", t(n)), opts.width, "  "));
            out.push('\n');
        }
    }
    out
}

/// How the figures of the group table are laid out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `0.301 [0.27, 0.33]`.
    Inline,
    /// The interval on a second line under the estimate.
    Stacked,
    /// Estimates only (narrow terminals).
    ValuesOnly,
}

/// The table of intersectional groups.
fn group_table(
    a: &Assessment,
    opts: &TerminalOptions,
    metrics: &[assay_fairness::metrics::Metric],
    layout: Layout,
) -> Table {
    let mut header = vec!["Group".to_string(), "n".into(), "Share".into()];
    header.extend(metrics.iter().map(|m| {
        use assay_fairness::metrics::Metric;
        match (layout, m) {
            (Layout::Inline, _) => facts::short_title(*m).to_string(),
            (_, Metric::SelectionRate) => "Sel.\nrate".to_string(),
            (_, Metric::Precision) => "Prec.".to_string(),
            (_, Metric::Accuracy) => "Acc.".to_string(),
            _ => facts::short_title(*m).replace(' ', "\n"),
        }
    }));
    let mut table = new_table(opts, &header);
    let mut longest = 5;
    for g in std::iter::once(&a.overall).chain(&a.groups) {
        let mut label = t(&facts::group_label(&g.group));
        if g.small {
            label.push('*');
        }
        longest = longest.max(label.chars().count());
        let mut row = vec![label, count(g.count), pct(Some(g.share))];
        row.extend(metrics.iter().map(|m| {
            let v = facts::value(g, *m);
            let iv = format::interval(facts::interval(g, *m));
            match layout {
                Layout::Stacked if !iv.is_empty() && v.is_some() => {
                    format!("{}\n{iv}", num(v))
                }
                Layout::ValuesOnly => num(v),
                _ => with_interval(v, facts::interval(g, *m)),
            }
        }));
        let cells: Vec<Cell> = row
            .into_iter()
            .map(|s| {
                let c = Cell::new(s);
                if opts.color && g.small {
                    c.fg(Color::DarkGrey)
                } else if opts.color && g.group.0.is_empty() {
                    c.add_attribute(Attribute::Bold)
                } else {
                    c
                }
            })
            .collect();
        table.add_row(cells);
    }
    right_align(&mut table, 1..header.len());
    if opts.width.is_some() {
        // Keep group labels whole; the figures wrap instead.
        let keep = u16::try_from(longest.min(24) + 2).unwrap_or(26);
        if let Some(c) = table.column_mut(0) {
            c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(keep)));
        }
    }
    table
}

/// Width of a table's first line, in characters.
fn natural_width(table: &Table) -> usize {
    table
        .to_string()
        .lines()
        .next()
        .map_or(0, |l| l.chars().count())
}

/// The verdict: policy and four-fifths rule.
fn verdict(a: &Assessment, ansi: Ansi) -> String {
    let policy = match &a.policy {
        Some(p) if p.passed => format!("policy {}", ansi.pass("PASS")),
        Some(p) => format!(
            "policy {} ({} of {} rules violated)",
            ansi.fail("FAIL"),
            p.violations,
            p.rules.len()
        ),
        None => "no policy given".to_string(),
    };
    let ff = &a.four_fifths;
    let sel = assay_fairness::metrics::Metric::SelectionRate;
    let who = |g: &Option<assay_fairness::model::Ordered<String>>| -> String {
        g.as_ref()
            .map(|g| {
                let v = facts::find_group(a, g).and_then(|r| facts::value(r, sel));
                format!("{} {}", t(&facts::group_label(g)), num(v))
            })
            .unwrap_or_else(|| format::NA.to_string())
    };
    let rule = match ff.passes {
        Some(p) => format!(
            "four-fifths rule {}: ratio {} (lowest {}, highest {})",
            if p {
                ansi.pass("PASS")
            } else {
                ansi.fail("FAIL")
            },
            num(ff.ratio),
            who(&ff.lowest),
            who(&ff.highest)
        ),
        None => "four-fifths rule undefined".to_string(),
    };
    format!("{policy} · {rule}")
}

fn new_table(opts: &TerminalOptions, header: &[String]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .apply_modifier(modifiers::UTF8_ROUND_CORNERS)
        .force_no_tty();
    if opts.color {
        table.enforce_styling();
    }
    match opts.width {
        Some(w) => {
            table
                .set_width(w)
                .set_content_arrangement(ContentArrangement::Dynamic);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    let cells: Vec<Cell> = header
        .iter()
        .map(|h| {
            let c = Cell::new(h);
            if opts.color {
                c.add_attribute(Attribute::Bold)
            } else {
                c
            }
        })
        .collect();
    table.set_header(cells);
    table
}

fn right_align(table: &mut Table, cols: std::ops::Range<usize>) {
    for i in cols {
        if let Some(c) = table.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

fn out_table(out: &mut String, table: &Table) {
    out.push_str(&table.to_string());
    out.push('\n');
}

/// Word-wraps a line to `width` columns (no-op without a width).
fn wrap(s: &str, width: Option<u16>) -> String {
    wrap_indent(s, width, "")
}

/// Characters of `s` that take up room on screen: ANSI SGR sequences
/// (`ESC [ ... m`, the only ones this report writes) are not counted.
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (false, _) => n += 1,
            (true, 'm') => in_escape = false,
            (true, _) => {}
        }
    }
    n
}

/// Word-wraps with an indent for continuation lines. Widths count
/// characters, which is exact for the text this report writes outside
/// tables.
fn wrap_indent(s: &str, width: Option<u16>, indent: &str) -> String {
    let Some(w) = width.map(usize::from).filter(|w| *w > 20) else {
        return s.to_string();
    };
    if visible_len(s) <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut len = 0;
    for word in s.split(' ') {
        let wl = visible_len(word);
        if len > 0 && len + 1 + wl > w {
            out.push('\n');
            out.push_str(indent);
            len = indent.chars().count();
        } else if len > 0 {
            out.push(' ');
            len += 1;
        }
        out.push_str(word);
        len += wl;
    }
    out
}
