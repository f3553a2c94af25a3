//! The summary section: the verdict in plain words.

use std::fmt::Write as _;

use assay_fairness::metrics::Metric;
use assay_fairness::model::{Assessment, Disparity, GroupResult};

use super::who;
use crate::escape::html as esc;
use crate::facts::{self, NAMED};
use crate::format::{self, num, pct};

/// Renders the summary section's body.
pub(super) fn render(o: &mut String, a: &Assessment) {
    let conf = format::level(a.settings.confidence);
    let _ = writeln!(
        o,
        "<p class=\"lead\">This report compares how often the model's decision <b>{}</b> is positive, and how often it is right about the true outcome <b>{}</b>, across groups of people defined by <b>{}</b>. A gap is called <i>statistically significant</i> when its {conf} confidence interval excludes parity: it is then unlikely to be a chance effect of which people happen to be in the data.</p>",
        esc(&facts::decision_name(a)),
        esc(&a.input.label),
        esc(&facts::features_label(a)),
    );
    cards(o, a, &conf);
    o.push_str("<h3>What we found</h3>\n<ul class=\"findings\">\n");
    for f in findings(a, &conf) {
        let _ = writeln!(o, "<li>{f}</li>");
    }
    o.push_str("</ul>\n");
}

/// The three verdict cards.
fn cards(o: &mut String, a: &Assessment, conf: &str) {
    o.push_str("<div class=\"cards\">\n");
    let ff = &a.four_fifths;
    let (class, value, detail) = match (ff.passes, format::finite(ff.ratio)) {
        (Some(p), Some(r)) => (
            if p { "pass" } else { "fail" },
            if p { "✓ Passes" } else { "✗ Fails" },
            format!(
                "The lowest group selection rate is {} of the highest (ratio {}); the rule asks for at least 80%.",
                pct(Some(r)),
                num(Some(r))
            ),
        ),
        _ => (
            "na",
            "Not determined",
            "Fewer than two groups are large enough to compare, or no group received the positive decision.".to_string(),
        ),
    };
    card(o, class, "Four-fifths rule", value, &detail);
    let (class, value, detail) = match &a.policy {
        Some(p) if p.passed => (
            "pass",
            "✓ Passes",
            format!("All {} rules of {} hold.", p.rules.len(), esc(&p.path)),
        ),
        Some(p) => (
            "fail",
            "✗ Fails",
            format!(
                "{} of {} rules of {} are violated.",
                p.violations,
                p.rules.len(),
                esc(&p.path)
            ),
        ),
        None => (
            "na",
            "Not checked",
            "No policy file was supplied, so no thresholds were enforced.".to_string(),
        ),
    };
    card(o, class, "Policy", value, &detail);
    let with: Vec<&Disparity> = NAMED
        .iter()
        .filter_map(|n| a.disparities.get(n.key))
        .filter(|d| d.significant.is_some())
        .collect();
    let sig = with.iter().filter(|d| d.significant == Some(true)).count();
    let (class, value, detail) = if with.is_empty() {
        (
            "na",
            "Unknown".to_string(),
            "No confidence intervals were computed (bootstrap turned off).".to_string(),
        )
    } else {
        (
            if sig > 0 { "warn" } else { "pass" },
            format!("{sig} of {}", with.len()),
            format!(
                "key fairness measures show a gap that is statistically significant at the {conf} level."
            ),
        )
    };
    card(o, class, "Statistical evidence", &value, &detail);
    o.push_str("</div>\n");
}

fn card(o: &mut String, class: &str, label: &str, value: &str, detail: &str) {
    let _ = writeln!(
        o,
        "<div class=\"card {class}\"><div class=\"card-label\">{label}</div><div class=\"card-value\">{value}</div><div class=\"card-detail\">{detail}</div></div>"
    );
}

/// How certain a gap is, in words.
fn certainty(d: Option<&Disparity>, conf: &str) -> String {
    match d.and_then(|d| d.significant) {
        Some(true) => format!(
            "this gap is <b>statistically significant</b> (the {conf} interval excludes parity, so it is unlikely to be chance alone)"
        ),
        Some(false) => format!(
            "this gap is <b>not statistically distinguishable from parity</b> (the {conf} interval includes parity, so with this much data it could be chance)"
        ),
        None if d.is_some_and(|d| d.interval.is_some()) => {
            "this gap <b>cannot be estimated</b>: its interval has zero width, because a group has zero counts (for example no false positive), so the data say nothing about its uncertainty".to_string()
        }
        None => "no confidence interval was computed for this gap".to_string(),
    }
}

/// `name value [interval]` of a disparity.
fn figure(a: &Assessment, key: &str, conf: &str) -> String {
    let title = facts::disparity_title(key).to_lowercase();
    match a.disparities.get(key) {
        Some(d) => {
            let iv = format::interval(d.interval.as_ref());
            if iv.is_empty() {
                format!("{title} {}", num(d.value))
            } else {
                format!("{title} {}, {conf} interval {iv}", num(d.value))
            }
        }
        None => format!("{title} {}", format::NA),
    }
}

fn rate(g: &GroupResult, m: Metric) -> String {
    pct(facts::value(g, m))
}

/// The findings, as HTML list items (escaped).
fn findings(a: &Assessment, conf: &str) -> Vec<String> {
    let mut out = Vec::new();
    let fav = a.settings.positive_is_favorable;
    let decision = esc(&facts::decision_name(a));
    let label = esc(&a.input.label);

    if let Some((lo, hi)) = facts::extremes(a, Metric::SelectionRate) {
        let d = a.disparities.get("disparate_impact_ratio");
        let ratio = d.and_then(|d| format::finite(d.value));
        let times = ratio
            .map(|r| {
                format!(
                    " The lowest rate is <b>{} times</b> the highest",
                    format::fixed(r, 2)
                )
            })
            .unwrap_or_default();
        let s = if fav {
            format!(
                "<strong>Who is selected.</strong> {} receive the positive decision ({decision}) least often: <b>{}</b> of them, against <b>{}</b> of {}, the group selected most often.{times} ({}); {}.",
                who(&lo.group),
                rate(lo, Metric::SelectionRate),
                rate(hi, Metric::SelectionRate),
                who(&hi.group),
                figure(a, "disparate_impact_ratio", conf),
                certainty(d, conf)
            )
        } else {
            format!(
                "<strong>Who is flagged.</strong> {} receive the positive decision ({decision}) most often: <b>{}</b> of them, against <b>{}</b> of {}. Because the positive decision is unfavourable here, {} is the group most affected.{times} ({}); {}.",
                who(&hi.group),
                rate(hi, Metric::SelectionRate),
                rate(lo, Metric::SelectionRate),
                who(&lo.group),
                who(&hi.group),
                figure(a, "disparate_impact_ratio", conf),
                certainty(d, conf)
            )
        };
        out.push(s);
    }

    if let Some((lo, hi)) = facts::extremes(a, Metric::Tpr) {
        let d = a.disparities.get("equal_opportunity_difference");
        let s = if fav {
            format!(
                "<strong>Who is overlooked.</strong> Among people whose true outcome ({label}) is positive, {} receive the positive decision least often: <b>{}</b>, against <b>{}</b> for {} ({}); {}. Deserving members of {} are missed more often.",
                who(&lo.group),
                rate(lo, Metric::Tpr),
                rate(hi, Metric::Tpr),
                who(&hi.group),
                figure(a, "equal_opportunity_difference", conf),
                certainty(d, conf),
                who(&lo.group),
            )
        } else {
            format!(
                "<strong>Correct positives.</strong> Among people whose true outcome ({label}) is positive, the share receiving the positive decision ranges from <b>{}</b> ({}) to <b>{}</b> ({}) ({}); {}.",
                rate(lo, Metric::Tpr),
                who(&lo.group),
                rate(hi, Metric::Tpr),
                who(&hi.group),
                figure(a, "equal_opportunity_difference", conf),
                certainty(d, conf),
            )
        };
        out.push(s);
    }

    if let Some((lo, hi)) = facts::extremes(a, Metric::Fpr) {
        let d = a.disparities.get("equalized_odds_difference");
        out.push(format!(
            "<strong>Mistaken positives.</strong> Among people whose true outcome is negative, the share who nevertheless receive the positive decision ranges from <b>{}</b> ({}) to <b>{}</b> ({}). Combining both kinds of error gives the {}; {}.",
            rate(lo, Metric::Fpr),
            who(&lo.group),
            rate(hi, Metric::Fpr),
            who(&hi.group),
            figure(a, "equalized_odds_difference", conf),
            certainty(d, conf),
        ));
    }

    if let Some((lo, hi)) = facts::extremes(a, Metric::Precision) {
        let d = a.disparities.get("predictive_parity_difference");
        out.push(format!(
            "<strong>Reliability of a positive decision.</strong> When the model gives the positive decision, the true outcome is positive for <b>{}</b> of {} but <b>{}</b> of {} ({}); {}.",
            rate(lo, Metric::Precision),
            who(&lo.group),
            rate(hi, Metric::Precision),
            who(&hi.group),
            figure(a, "predictive_parity_difference", conf),
            certainty(d, conf),
        ));
    }

    if let Some((lo, hi)) = facts::extremes(a, Metric::BaseRate) {
        out.push(format!(
            "<strong>For comparison.</strong> The true outcome ({label}) is positive for between <b>{}</b> ({}) and <b>{}</b> ({}) of each group, whatever the model decided.",
            rate(lo, Metric::BaseRate),
            who(&lo.group),
            rate(hi, Metric::BaseRate),
            who(&hi.group),
        ));
    }

    if a.input.sensitive.len() > 1 {
        let key = "disparate_impact_ratio";
        let marg: Vec<(String, f64)> = a
            .input
            .sensitive
            .iter()
            .filter_map(|f| {
                let v = a.disparity(&format!("{f}:{key}")).and_then(|d| d.value);
                format::finite(v).map(|v| (esc(f), v))
            })
            .collect();
        if let (Some(inter), false) = (facts::disparity_value(a, key), marg.is_empty()) {
            let parts: Vec<String> = marg
                .iter()
                .map(|(f, v)| format!("{} across {f}", num(Some(*v))))
                .collect();
            let min_marg = marg.iter().map(|m| m.1).fold(f64::INFINITY, f64::min);
            let lead = if inter < min_marg - 0.005 {
                "Looking at one attribute at a time understates the gap: the"
            } else {
                "The"
            };
            out.push(format!(
                "<strong>Intersections.</strong> {lead} disparate impact ratio is {} but <b>{}</b> across the combined {} groups.",
                parts.join(" and "),
                num(Some(inter)),
                esc(&facts::features_label(a)),
            ));
        }
    }

    let small: Vec<String> = a
        .groups
        .iter()
        .filter(|g| g.small)
        .map(|g| format!("{} ({} rows)", who(&g.group), g.count))
        .collect();
    if !small.is_empty() {
        out.push(format!(
            "<strong>Small groups.</strong> {} {} fewer than {} rows: {}. Their figures are shown in grey and {} because they are too uncertain to rely on.",
            small.len(),
            if small.len() == 1 { "group has" } else { "groups have" },
            a.settings.min_group_size,
            small.join(", "),
            if a.settings.include_small_groups {
                "were nevertheless included in the comparisons on request"
            } else {
                "are left out of the comparisons above"
            }
        ));
    }

    let proxies = facts::proxies(a);
    let strong: Vec<String> = proxies
        .iter()
        .filter(|p| p.cramers_v >= 0.3)
        .take(3)
        .map(|p| {
            format!(
                "<b>{}</b> is a {} proxy for <b>{}</b> (bias-corrected Cramér's V {})",
                esc(p.column),
                facts::proxy_strength(p.cramers_v),
                esc(p.feature),
                num(Some(p.cramers_v))
            )
        })
        .collect();
    if !strong.is_empty() {
        out.push(format!(
            "<strong>Proxies.</strong> The column {}. {}",
            strong.join("; the column "),
            facts::PROXY_EXPLAINED
        ));
    } else if let Some(p) = proxies.first() {
        out.push(format!(
            "<strong>Proxies.</strong> No scanned column is more than a weak proxy for a sensitive feature (the strongest is {} for {}, bias-corrected Cramér's V {}).",
            esc(p.column),
            esc(p.feature),
            num(Some(p.cramers_v))
        ));
    }

    for (col, feature, lo, hi) in facts::missing_gaps(a, 0.05).into_iter().take(3) {
        out.push(format!(
            "<strong>Missing values.</strong> The column <b>{}</b> is missing for between {} and {} of the {} groups; unequal missing data often leads to unequal treatment.",
            esc(col),
            pct(Some(lo)),
            pct(Some(hi)),
            esc(feature)
        ));
    }

    if let Some(p) = &a.policy {
        let failed: Vec<String> = p
            .rules
            .iter()
            .filter(|r| !r.passed)
            .map(|r| {
                format!(
                    "<b>{}</b> {} ({})",
                    esc(&r.metric),
                    esc(&r.bound),
                    esc(r.message.as_deref().unwrap_or("failed"))
                )
            })
            .collect();
        if failed.is_empty() {
            out.push(format!(
                "<strong>Policy.</strong> Every rule of {} holds.",
                esc(&p.path)
            ));
        } else {
            out.push(format!(
                "<strong>Policy.</strong> {} fails: {}.",
                esc(&p.path),
                failed.join("; ")
            ));
        }
    }
    out
}
