//! The trade-off sweep of a mitigation: the method refitted over a grid of its
//! strength parameter, every fit scored on the evaluation rows for accuracy and for the
//! disparity its constraint bounds, the unmitigated model added as a point, and the Pareto
//! front of (maximal accuracy, minimal disparity) marked.
//!
//! Figures are those of the expected decisions `P(ŷ = 1)` (Agarwal et al. 2018 section 2,
//! Hardt et al. 2016 section 3: the quantities the methods constrain; for deterministic
//! predictors simply the decisions). A `--policy` is evaluated on each point's assessment of
//! its actual (for randomized predictors: drawn, seeded) decisions with `assay fairness`'s
//! code, as `assay fairness --policy` would judge the saved model.

use crate::reports::finite;
use crate::reports::mitigation::{SweepPointReport, SweepReport};

use assay_fairness::policy::{Policy, PolicyResult};
use assay_mitigation::Groups;
use assay_model::learners::Matrix;

use super::evaluate::{assess_decisions, expected_rates, model_decisions, spread};
use super::fit::{self, Fitted};
use super::{Constraint, Method, MitigateOptions};
use crate::design::Design;

/// One point of the sweep.
#[derive(Clone, Debug)]
pub struct SweepPoint {
    /// "unmitigated" or `parameter = value`.
    pub label: String,
    /// The swept parameter's value (none for the unmitigated model).
    pub value: Option<f64>,
    /// Whether this is the unmitigated model.
    pub unmitigated: bool,
    /// Whether this is the value given by the method's flag.
    pub flag_value: bool,
    /// Whether the point's decisions are randomized.
    pub randomized: bool,
    /// Expected accuracy on the evaluation rows.
    pub accuracy: f64,
    /// Expected disparity (the constraint's measure) on the evaluation rows.
    pub disparity: f64,
    /// Accuracy of the actual (drawn) decisions.
    pub drawn_accuracy: f64,
    /// Disparity of the actual (drawn) decisions.
    pub drawn_disparity: f64,
    /// The policy's verdict on the point's assessment, with `--policy`.
    pub policy: Option<PolicyResult>,
}

/// The result of the sweep.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// The swept parameter (`eps`, `tol`, `alpha`, `constraint_weight`).
    pub parameter: &'static str,
    /// The disparity measure (JSON key name).
    pub disparity: &'static str,
    /// The points; the first is the unmitigated model.
    pub points: Vec<SweepPoint>,
    /// Indices of the Pareto-optimal points, by increasing disparity.
    pub pareto: Vec<usize>,
    /// The index of the saved point (none when a policy is given and no point passes).
    pub chosen: Option<usize>,
    /// Why that point, in words.
    pub chosen_by: String,
    /// The policy file, if any.
    pub policy_path: Option<String>,
}

/// Indices of the points `(accuracy, disparity)` no other point dominates (Pareto 1896;
/// maximise accuracy, minimise disparity): `j` dominates `i` when `acc_j ≥ acc_i`,
/// `disp_j ≤ disp_i` and one of them strictly. Points with a value that is not finite are
/// left out (and dominate nothing). Equal points are all kept. Sorted by increasing
/// disparity, then increasing accuracy, then index (the order of the front's line).
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<usize> {
    let ok = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let dominates =
        |j: &(f64, f64), i: &(f64, f64)| j.0 >= i.0 && j.1 <= i.1 && (j.0 > i.0 || j.1 < i.1);
    let mut front: Vec<usize> = (0..points.len())
        .filter(|&i| ok(&points[i]))
        .filter(|&i| !points.iter().any(|pj| ok(pj) && dominates(pj, &points[i])))
        .collect();
    front.sort_by(|&i, &j| {
        points[i]
            .1
            .total_cmp(&points[j].1)
            .then(points[i].0.total_cmp(&points[j].0))
            .then(i.cmp(&j))
    });
    front
}

/// The swept parameter of a method, the flag's value and the default grid.
fn parameter(a: &MitigateOptions) -> (&'static str, f64, Vec<f64>) {
    match a.method {
        Method::ExponentiatedGradient => {
            ("eps", a.eps, vec![0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2])
        }
        Method::GridSearch => (
            "constraint_weight",
            a.constraint_weight,
            vec![0.0, 0.25, 0.5, 0.75, 1.0],
        ),
        Method::ThresholdOptimizer => (
            "tol",
            a.tol.unwrap_or(0.0),
            vec![0.0, 0.01, 0.02, 0.05, 0.1, 0.2],
        ),
        Method::CorrelationRemover => ("alpha", a.alpha, vec![0.0, 0.25, 0.5, 0.75, 1.0]),
        Method::DisparateImpactRemover => (
            "repair_level",
            a.repair_level,
            vec![0.0, 0.25, 0.5, 0.75, 1.0],
        ),
        _ => unreachable!("rejected by MitigateOptions::check"),
    }
}

/// The arguments with the swept parameter set to `v`.
fn with_value(a: &MitigateOptions, v: f64) -> MitigateOptions {
    let mut b = a.clone();
    match a.method {
        Method::ExponentiatedGradient => b.eps = v,
        Method::GridSearch => b.constraint_weight = v,
        Method::ThresholdOptimizer => b.tol = Some(v),
        Method::CorrelationRemover => b.alpha = v,
        Method::DisparateImpactRemover => b.repair_level = v,
        _ => unreachable!("rejected by MitigateOptions::check"),
    }
    b
}

/// The name of the disparity the constraint bounds.
pub fn disparity_name(c: Constraint) -> &'static str {
    match c {
        Constraint::DemographicParity => "demographic_parity_difference",
        Constraint::EqualizedOdds => "equalized_odds_difference",
        Constraint::TruePositiveRateParity => "equal_opportunity_difference",
        Constraint::FalsePositiveRateParity => "false_positive_rate_difference",
        Constraint::ErrorRateParity => "error_rate_difference",
    }
}

/// Accuracy and the constraint's disparity of expected decisions `p`: the largest minus the
/// smallest group rate of the constrained quantity (selection rate; TPR and FPR, the larger
/// difference, for equalized odds; TPR; FPR; error rate), as Fairlearn's
/// `demographic_parity_difference` / `equalized_odds_difference`.
pub fn accuracy_and_disparity(
    p: &[f64],
    y: &[f64],
    groups: &[String],
    c: Constraint,
) -> (f64, f64) {
    let r = expected_rates(p, y, groups);
    let d = match c {
        Constraint::DemographicParity => spread(&r.selection),
        Constraint::EqualizedOdds => spread(&r.tpr).max(spread(&r.fpr)),
        Constraint::TruePositiveRateParity => spread(&r.tpr),
        Constraint::FalsePositiveRateParity => spread(&r.fpr),
        Constraint::ErrorRateParity => spread(&r.error),
    };
    (r.accuracy, d)
}

/// Runs the sweep: returns the fit to save and report (the chosen point, or the flag's value
/// when a policy is given and no point passes) and the sweep.
pub fn run(
    a: &MitigateOptions,
    train: &Design,
    groups: &Groups,
    eval: &Design,
    eval_groups: &[String],
) -> Result<(Fitted, Sweep), String> {
    let policy = match &a.policy {
        Some(p) => Some(Policy::from_file(p)?),
        None => None,
    };
    let (name, flag, default) = parameter(a);
    let mut values = if a.sweep_values.is_empty() {
        default
    } else {
        a.sweep_values.clone()
    };
    values.push(flag);
    values.sort_by(f64::total_cmp);
    values.dedup();
    let x = Matrix::with_rows(&eval.x, eval.n, eval.d).map_err(|e| e.to_string())?;
    let path = eval.path.display().to_string();
    let policy_path = a.policy.as_ref().map(|p| p.display().to_string());
    let judge =
        |args: &MitigateOptions, decisions: &[f64]| -> Result<Option<PolicyResult>, String> {
            match (&policy, &policy_path) {
                (Some(p), Some(pp)) => Ok(Some(
                    p.evaluate(&assess_decisions(args, eval, decisions.to_vec())?, pp),
                )),
                _ => Ok(None),
            }
        };
    let base = fit::fit_base(a, train)?;
    // Scored once: every point of a post-processing method decides from the same outputs.
    let outputs = base.outputs(&x).map_err(|e| format!("{path}: {e}"))?;
    let before = fit::unmitigated_decisions(a, &outputs);
    let (acc, disp) = accuracy_and_disparity(&before, &eval.y, eval_groups, a.constraint);
    let mut points = vec![SweepPoint {
        label: "unmitigated".into(),
        value: None,
        unmitigated: true,
        flag_value: false,
        randomized: false,
        accuracy: acc,
        disparity: disp,
        drawn_accuracy: acc,
        drawn_disparity: disp,
        policy: judge(a, &before)?,
    }];
    let mut fits = Vec::with_capacity(values.len());
    let step = assay_progress::step("sweep points", Some(values.len() as u64));
    for &v in &values {
        step.tick();
        let args = with_value(a, v);
        let f = fit::fit_method(&args, train, groups, base.clone())
            .map_err(|e| format!("sweep, {name} = {v}: {e}"))?;
        let (p, decisions) =
            model_decisions(&f.model, &x, &path, eval_groups, Some((&base, &outputs)))?;
        let randomized = f.model.is_randomized();
        let expected = if randomized { &p } else { &decisions };
        let (acc, disp) = accuracy_and_disparity(expected, &eval.y, eval_groups, a.constraint);
        let (dacc, ddisp) = accuracy_and_disparity(&decisions, &eval.y, eval_groups, a.constraint);
        points.push(SweepPoint {
            label: format!("{name} = {v}"),
            value: Some(v),
            unmitigated: false,
            flag_value: v == flag,
            randomized,
            accuracy: acc,
            disparity: disp,
            drawn_accuracy: dacc,
            drawn_disparity: ddisp,
            policy: judge(&args, &decisions)?,
        });
        fits.push(f);
    }
    let pareto = pareto_front(
        &points
            .iter()
            .map(|p| (p.accuracy, p.disparity))
            .collect::<Vec<_>>(),
    );
    let flag_index = 1 + values
        .iter()
        .position(|&v| v == flag)
        .expect("the flag's value is in the grid");
    let (chosen, chosen_by) = if policy.is_some() {
        let best = choose_passing(&points);
        let mut why = match best {
            Some(i) => format!(
                "the most accurate mitigated point that passes the policy ({})",
                points[i].label
            ),
            None => "no mitigated point passes the policy: no model was saved".into(),
        };
        if points[0].policy.as_ref().is_some_and(|r| r.passed) {
            why.push_str("; the unmitigated model passes the policy too (it is shown, not saved)");
        }
        (best, why)
    } else {
        (
            Some(flag_index),
            format!(
                "the point of the flag's value ({}); give --policy to choose the most accurate passing point",
                points[flag_index].label
            ),
        )
    };
    let keep = chosen.unwrap_or(flag_index) - 1;
    let fitted = fits.swap_remove(keep);
    Ok((
        fitted,
        Sweep {
            parameter: name,
            disparity: disparity_name(a.constraint),
            points,
            pareto,
            chosen,
            chosen_by,
            policy_path,
        },
    ))
}

/// The most accurate mitigated point whose policy verdict passes (the first on ties).
fn choose_passing(points: &[SweepPoint]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, p) in points.iter().enumerate() {
        let passes = p.policy.as_ref().is_some_and(|r| r.passed);
        if p.unmitigated || !passes || !p.accuracy.is_finite() {
            continue;
        }
        if best.is_none_or(|b| p.accuracy > points[b].accuracy) {
            best = Some(i);
        }
    }
    best
}

impl Sweep {
    /// The `"sweep"` member of the JSON report.
    pub fn report(&self) -> SweepReport {
        SweepReport {
            parameter: self.parameter.into(),
            disparity: self.disparity.into(),
            figures: "accuracy and disparity of the expected decisions P(ŷ = 1) on the evaluation rows; drawn_*: of the actual (seeded) decisions, which the policy judges".into(),
            points: self
                .points
                .iter()
                .enumerate()
                .map(|(i, p)| SweepPointReport {
                    index: i,
                    label: p.label.clone(),
                    value: p.value,
                    unmitigated: p.unmitigated,
                    flag_value: p.flag_value,
                    randomized: p.randomized,
                    accuracy: finite(p.accuracy),
                    disparity: finite(p.disparity),
                    drawn_accuracy: finite(p.drawn_accuracy),
                    drawn_disparity: finite(p.drawn_disparity),
                    pareto: self.pareto.contains(&i),
                    passes_policy: p.policy.as_ref().map(|r| r.passed),
                    policy: p.policy.clone(),
                })
                .collect(),
            pareto: self.pareto.clone(),
            chosen: self.chosen,
            chosen_by: self.chosen_by.clone(),
            policy: self.policy_path.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks the front against the definition by brute force.
    fn check(points: &[(f64, f64)]) {
        let front = pareto_front(points);
        for i in 0..points.len() {
            let dominated = points.iter().any(|q| {
                q.0 >= points[i].0 && q.1 <= points[i].1 && (q.0 > points[i].0 || q.1 < points[i].1)
            });
            assert_eq!(front.contains(&i), !dominated, "{i} of {points:?}");
        }
    }

    #[test]
    fn front_of_a_small_set() {
        // (accuracy, disparity).
        let p = [
            (0.85, 0.18), // 0: most accurate
            (0.83, 0.02), // 1: fairest
            (0.82, 0.05), // 2: dominated by 1
            (0.84, 0.08), // 3: on the front
            (0.84, 0.10), // 4: dominated by 3 (same accuracy, more disparity)
        ];
        assert_eq!(pareto_front(&p), vec![1, 3, 0]);
        check(&p);
    }

    #[test]
    fn ties_and_undefined_values() {
        let p = [
            (0.8, 0.1),
            (0.8, 0.1),
            (f64::NAN, 0.0),
            (0.9, f64::NAN),
            (0.7, 0.2),
        ];
        assert_eq!(pareto_front(&p), vec![0, 1]);
        assert!(pareto_front(&[]).is_empty());
        assert_eq!(pareto_front(&[(0.5, 0.5)]), vec![0]);
    }

    #[test]
    fn front_matches_the_definition_on_a_grid() {
        // A deterministic pseudo-random cloud with many ties on a coarse grid.
        let mut z = 12345u64;
        let mut next = || {
            z = z
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((z >> 33) % 7) as f64 / 7.0
        };
        for _ in 0..50 {
            let pts: Vec<(f64, f64)> = (0..12).map(|_| (next(), next())).collect();
            check(&pts);
        }
    }

    fn point(acc: f64, passes: Option<bool>, unmitigated: bool) -> SweepPoint {
        SweepPoint {
            label: String::new(),
            value: None,
            unmitigated,
            flag_value: false,
            randomized: false,
            accuracy: acc,
            disparity: 0.0,
            drawn_accuracy: acc,
            drawn_disparity: 0.0,
            policy: passes.map(|passed| PolicyResult {
                path: String::new(),
                passed,
                violations: usize::from(!passed),
                rules: Vec::new(),
            }),
        }
    }

    #[test]
    fn the_most_accurate_passing_mitigated_point_is_chosen() {
        let pts = [
            point(0.9, Some(true), true),
            point(0.85, Some(false), false),
            point(0.8, Some(true), false),
            point(0.82, Some(true), false),
        ];
        assert_eq!(choose_passing(&pts), Some(3));
        let none = [point(0.9, Some(true), true), point(0.8, Some(false), false)];
        assert_eq!(choose_passing(&none), None);
    }
}
