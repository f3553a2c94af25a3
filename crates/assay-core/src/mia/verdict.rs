//! Whether the leakage a membership-inference audit measured is acceptable: the strongest
//! attack's AUC against chance (a z statistic from the null distribution of the Mann–Whitney U
//! statistic, which the AUC is a rescaling of; Hanley & McNeil 1982), and against the user's
//! bounds on AUC and on TPR at 1 % FPR (Carlini et al. 2022 argue for the low-FPR figure).

pub use crate::reports::mia::{MiaAttack, MiaPolicyResult, MiaVerdict};

/// One-sided 5 % critical value of the standard normal.
const Z_95: f64 = 1.6448536269514722;

/// The bounds of a leakage policy.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LeakagePolicy {
    /// The largest AUC any attack may reach.
    pub max_auc: Option<f64>,
    /// The largest TPR at 1 % FPR any attack may reach.
    pub max_tpr_at_1pct_fpr: Option<f64>,
}

/// `(auc − 0.5) / sqrt((m + n + 1) / (12 m n))`: the AUC's distance from 0.5 in null standard
/// errors, for `m` members and `n` non-members (ties ignored).
pub fn z_against_chance(auc: f64, m: usize, n: usize) -> f64 {
    let (m, n) = (m as f64, n as f64);
    (auc - 0.5) / ((m + n + 1.0) / (12.0 * m * n)).sqrt()
}

/// The verdict on `attacks` run on `members` and `non_members` rows; `None` without an attack.
pub fn judge(
    attacks: &[MiaAttack],
    members: usize,
    non_members: usize,
    policy: Option<LeakagePolicy>,
) -> Option<MiaVerdict> {
    let strongest = attacks.iter().max_by(|a, b| a.auc.total_cmp(&b.auc))?;
    let z = z_against_chance(strongest.auc, members.max(1), non_members.max(1));
    let policy = policy
        .filter(|p| p.max_auc.is_some() || p.max_tpr_at_1pct_fpr.is_some())
        .map(|p| {
            let mut failures = Vec::new();
            for a in attacks {
                if let Some(max) = p.max_auc.filter(|&m| a.auc > m) {
                    failures.push(format!("{}: AUC {:.4} > {max}", a.attack, a.auc));
                }
                match (p.max_tpr_at_1pct_fpr, a.tpr_at_1pct_fpr) {
                    (Some(max), Some(t)) if t > max => failures.push(format!(
                        "{}: TPR at 1 % FPR {t:.4} > {max}",
                        a.attack
                    )),
                    (Some(_), None) => failures.push(format!(
                        "{}: TPR at 1 % FPR not measurable (fewer than 100 non-members), so the bound cannot be shown to hold",
                        a.attack
                    )),
                    _ => {}
                }
            }
            MiaPolicyResult {
                max_auc: p.max_auc,
                max_tpr_at_1pct_fpr: p.max_tpr_at_1pct_fpr,
                passed: failures.is_empty(),
                failures,
            }
        });
    Some(MiaVerdict {
        strongest_attack: strongest.attack.clone(),
        auc: strongest.auc,
        z,
        above_chance: z > Z_95,
        policy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attack(name: &str, auc: f64, tpr: Option<f64>) -> MiaAttack {
        MiaAttack {
            attack: name.into(),
            auc,
            balanced_accuracy: 0.5,
            tpr_at_0_1pct_fpr: None,
            tpr_at_1pct_fpr: tpr,
            roc_log_points: Vec::new(),
        }
    }

    #[test]
    fn z_uses_the_mann_whitney_null_variance() {
        // m = n = 1000: sd = sqrt(2001 / 12e6) = 0.0129131...; AUC 0.53 is 2.32 sd above.
        let z = z_against_chance(0.53, 1000, 1000);
        assert!((z - 0.03 / (2001.0f64 / 12e6).sqrt()).abs() < 1e-12);
        assert!((z - 2.3232).abs() < 1e-3, "{z}");
        assert_eq!(z_against_chance(0.5, 10, 10), 0.0);
    }

    #[test]
    fn the_strongest_attack_against_chance_and_the_policy() {
        let attacks = [
            attack("loss", 0.53, Some(0.02)),
            attack("shadow", 0.51, Some(0.011)),
        ];
        let v = judge(&attacks, 1000, 1000, None).unwrap();
        assert_eq!(v.strongest_attack, "loss");
        assert!(v.above_chance);
        assert!(v.policy.is_none());
        let p = LeakagePolicy {
            max_auc: Some(0.52),
            max_tpr_at_1pct_fpr: Some(0.015),
        };
        let v = judge(&attacks, 1000, 1000, Some(p)).unwrap();
        let r = v.policy.unwrap();
        assert!(!r.passed);
        assert_eq!(r.failures.len(), 2, "{:?}", r.failures);
        let v = judge(
            &attacks,
            100,
            100,
            Some(LeakagePolicy {
                max_auc: Some(0.6),
                max_tpr_at_1pct_fpr: None,
            }),
        )
        .unwrap();
        assert!(v.policy.unwrap().passed);
        // 100 per side: AUC 0.53 is within chance (z ≈ 0.73).
        assert!(!v.above_chance);
        assert!(judge(&[], 10, 10, None).is_none());
    }
}
