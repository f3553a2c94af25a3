//! The method section: plain-language definitions, conventions, interval
//! methods, settings and input.

use std::fmt::Write as _;

use assay_fairness::model::Assessment;

use super::table;
use crate::escape::html as esc;
use crate::facts::{self, NAMED};
use crate::format::{self, count};

/// Renders the method section's body.
pub(super) fn render(o: &mut String, a: &Assessment) {
    let decision = esc(&facts::decision_name(a));
    let label = esc(&a.input.label);
    let positive = a
        .input
        .positive
        .as_deref()
        .map(|p| format!("the value <b>{}</b>", esc(p)))
        .unwrap_or_else(|| "1 or true".to_string());
    let _ = writeln!(
        o,
        "<p>The <i>positive decision</i> is the model's decision <b>{decision}</b> being {positive}; the <i>true outcome</i> is the column <b>{label}</b>, positive when it is {positive}. The positive decision is treated as {} for the people concerned.</p>",
        if a.settings.positive_is_favorable {
            "favourable (for example hired or approved)"
        } else {
            "unfavourable (for example flagged as high risk)"
        }
    );

    o.push_str("<h3>Metrics</h3>\n<dl class=\"defs\">\n");
    for m in facts::reported_metrics(a) {
        let _ = writeln!(
            o,
            "<dt>{}</dt><dd>{}</dd>",
            esc(m.title()),
            facts::metric_about(m)
        );
    }
    o.push_str("</dl>\n<h3>Disparities</h3>\n<dl class=\"defs\">\n");
    for n in &NAMED {
        let _ = writeln!(o, "<dt>{}</dt><dd>{}</dd>", n.title, n.about);
    }
    o.push_str("<dt>Per-metric disparities</dt><dd>For every metric: the <i>difference</i> (highest minus lowest group), the <i>ratio</i> (lowest over highest), the <i>difference to overall</i> (largest distance between a group and everyone) and the <i>ratio to overall</i> (smallest group-to-everyone ratio, each turned below 1).</dd>\n");
    o.push_str("<dt>Four-fifths rule</dt><dd>From the US Uniform Guidelines on Employee Selection Procedures (29 CFR 1607.4(D)): the lowest group selection rate should be at least four fifths (80%) of the highest. It is a rule of thumb for adverse impact, not a legal finding.</dd>\n");
    o.push_str("<dt>Worst-off group</dt><dd>For each metric, the group at the unfavourable end: the lowest value where a higher value is better for the people concerned, the highest where a lower value is better.</dd>\n</dl>\n");

    let _ = writeln!(
        o,
        "<h3>Undefined values</h3>\n<p>The definitions and zero-division conventions follow Fairlearn and scikit-learn, so results can be reproduced there:</p>\n<ul>\
         <li>A rate whose denominator is zero is 0, not undefined (for example the true positive rate of a group with no positive outcome).</li>\
         <li>The selection rate and base rate of a group with no rows (or zero total weight) are undefined.</li>\
         <li>ROC AUC is undefined for a group whose true outcomes are all of one kind.</li>\
         <li>A ratio is undefined when the highest value is 0; undefined group values are skipped when computing disparities.</li>\
         <li>Undefined values are shown as <i>{}</i>.</li></ul>",
        format::NA
    );

    let conf = format::level(a.settings.confidence);
    let boot = if a.settings.bootstrap > 0 {
        format!(
            "percentile intervals from <b>{}</b> bootstrap resamples of the data (seed <b>{}</b>, so the report is reproducible)",
            count(a.settings.bootstrap as u64),
            a.settings.seed
        )
    } else {
        "not computed (bootstrap turned off)".to_string()
    };
    let _ = writeln!(
        o,
        "<h3>Confidence intervals</h3>\n<p>Every interval is a <b>{conf}</b> confidence interval: the range of values compatible with the data. Rates that are a share of rows (selection rate, accuracy, precision, true/false positive and negative rates, base rate) use the <b>Wilson score interval</b>{}. Everything else (balanced accuracy, AUC, Brier score, calibration error and all disparities) uses {boot}. A disparity is <i>significant</i> when its interval excludes parity (0 for differences, 1 for ratios).</p>",
        if a.input.weight.is_some() {
            " with Kish's effective sample size for the weights"
        } else {
            ""
        }
    );
    let _ = writeln!(
        o,
        "<h3>Group size</h3>\n<p>Groups with fewer than <b>{}</b> rows are reported but flagged as too small to trust, and {} disparities, worst-off groups and the four-fifths rule.</p>",
        a.settings.min_group_size,
        if a.settings.include_small_groups {
            "were nevertheless included (on request) in"
        } else {
            "are left out of"
        }
    );

    o.push_str("<h3>Input and settings</h3>\n");
    let i = &a.input;
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(esc)
            .unwrap_or_else(|| "<span class=\"muted\">none</span>".into())
    };
    let mut rows: Vec<(Option<&str>, Vec<String>)> = vec![
        (None, vec!["Data file".into(), esc(&i.path)]),
        (None, vec!["Rows read".into(), count(i.rows)]),
        (None, vec!["Rows used".into(), count(i.rows_used)]),
    ];
    if i.rows_dropped > 0 {
        let by: Vec<String> = i
            .dropped_by_column
            .iter()
            .map(|(c, n)| format!("{} in {}", count(*n), esc(c)))
            .collect();
        rows.push((
            None,
            vec![
                "Rows dropped (invalid cells)".into(),
                format!("{} ({})", count(i.rows_dropped), by.join(", ")),
            ],
        ));
    }
    rows.extend([
        (None, vec!["True outcome column".into(), esc(&i.label)]),
        (None, vec!["Positive value".into(), opt(&i.positive)]),
        (
            None,
            vec![
                "Outcome values seen".into(),
                esc(&i.label_values.join(", ")),
            ],
        ),
        (None, vec!["Decision column".into(), opt(&i.prediction)]),
        (None, vec!["Score column".into(), opt(&i.score)]),
        (
            None,
            vec![
                "Score threshold".into(),
                i.threshold
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| "<span class=\"muted\">none</span>".into()),
            ],
        ),
        (
            None,
            vec!["Score is a probability".into(), yes_no(i.probability_score)],
        ),
        (
            None,
            vec!["Sensitive features".into(), esc(&i.sensitive.join(", "))],
        ),
        (None, vec!["Weight column".into(), opt(&i.weight)]),
        (None, vec!["Confidence level".into(), conf.clone()]),
        (
            None,
            vec![
                "Bootstrap resamples".into(),
                count(a.settings.bootstrap as u64),
            ],
        ),
        (
            None,
            vec!["Bootstrap seed".into(), a.settings.seed.to_string()],
        ),
        (
            None,
            vec![
                "Minimum group size".into(),
                count(a.settings.min_group_size),
            ],
        ),
        (
            None,
            vec![
                "Small groups in disparities".into(),
                yes_no(a.settings.include_small_groups),
            ],
        ),
        (
            None,
            vec![
                "Positive decision is favourable".into(),
                yes_no(a.settings.positive_is_favorable),
            ],
        ),
        (
            None,
            vec![
                "Produced by".into(),
                format!(
                    "assay {} (schema {})",
                    esc(&a.assay_version),
                    esc(&a.schema)
                ),
            ],
        ),
    ]);
    table(o, &[("Setting", false), ("Value", false)], &rows);
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}
