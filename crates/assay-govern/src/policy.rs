//! The approval policy for change requests (issue #8, "Change management"): which approvals
//! and which audit evidence moving a model version to `staging` or `production` needs, by the
//! model's EU AI Act risk tier ([`RiskTier`]) and the target stage.
//!
//! A policy is an ordered list of [`Rule`]s, written in TOML (`assay serve --policy FILE`);
//! the first rule whose `tiers` and `stages` match a change request governs it. A change that
//! no rule covers is refused (fail closed). [`Policy::default`] is:
//!
//! ```toml
//! [[rules]]                      # Article 5: never placed on the market
//! tiers = ["prohibited"]
//! stages = ["staging", "production"]
//! forbidden = true
//!
//! [[rules]]                      # high-risk to production: two reviewers, one from risk,
//! tiers = ["high-risk"]          # and a passing fairness report no older than 90 days
//! stages = ["production"]
//! min_approvals = 2
//! approver_roles = ["reviewer", "admin"]
//! required_teams = ["risk"]
//! [[rules.evidence]]
//! kind = "fairness"
//! verdict = "pass"
//! max_age_days = 90
//!
//! [[rules]]                      # everything else: one approval by a reviewer or an admin
//! stages = ["staging", "production"]
//! min_approvals = 1
//! ```
//!
//! Separation of duties (nobody decides a request they opened or a model they own) is not a
//! policy setting: it always holds (see `crate::changes`). Service accounts never approve
//! unless a rule sets `service_accounts_may_approve = true`.
//!
//! [`evaluate`] is a pure function of the policy, the tier, the target stage, the decisions so
//! far, the version's evidence and the current time, so the same answer is given when a
//! decision is recorded and again when the change is applied (when evidence may have aged).
//!
//! **Several tiers.** A model may be reassessed while one of its change requests is pending.
//! [`evaluate_all`] evaluates a request against every tier the model has had since it was
//! opened: the request is satisfied only when the rule of each of those tiers is, so a
//! reassessment can add requirements but never remove one (issue #15). With the built-in
//! policy, whose requirements grow with the tier ([`Rule::subsumes`]), this is the evaluation
//! for the strictest of those tiers.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ai_act::RiskTier;
use crate::evidence::{EvidenceKind, Verdict};
use crate::inventory::Stage;
use crate::users::{AccountKind, Role};
use crate::GovernError;

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// An approval policy: rules tried in order; the first that matches governs a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The rules, most specific first.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// One rule: what changes it covers and what they need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Risk tiers covered; empty covers every tier.
    #[serde(default)]
    pub tiers: Vec<RiskTier>,
    /// Target stages covered (`staging`, `production`); empty covers both.
    #[serde(default)]
    pub stages: Vec<Stage>,
    /// Such changes are never allowed (e.g. prohibited systems, EU AI Act Article 5).
    #[serde(default)]
    pub forbidden: bool,
    /// Approvals needed (from distinct accounts whose role is in `approver_roles`).
    #[serde(default = "one")]
    pub min_approvals: u32,
    /// Roles whose approvals count.
    #[serde(default = "default_approver_roles")]
    pub approver_roles: Vec<Role>,
    /// Teams each of which must be represented among the counted approvers (e.g. `risk`).
    #[serde(default)]
    pub required_teams: Vec<String>,
    /// Evidence the version must carry.
    #[serde(default)]
    pub evidence: Vec<EvidenceRequirement>,
    /// Whether service accounts may approve (never, by default: approval is human oversight,
    /// EU AI Act Article 14).
    #[serde(default)]
    pub service_accounts_may_approve: bool,
}

fn one() -> u32 {
    1
}

fn default_approver_roles() -> Vec<Role> {
    vec![Role::Reviewer, Role::Admin]
}

/// Evidence a version must carry: a report of `kind` with `verdict`, at most `max_age_days`
/// old.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequirement {
    /// Evidence kind (`fairness`, `mitigate`, `explain`, `dp`, `mia`, ...).
    pub kind: EvidenceKind,
    /// Verdict required (default `pass`).
    #[serde(default = "pass")]
    pub verdict: Verdict,
    /// Maximum age in days; no limit when absent.
    #[serde(default)]
    pub max_age_days: Option<u32>,
}

fn pass() -> Verdict {
    Verdict::Pass
}

impl Rule {
    /// Whether every change that satisfies this rule also satisfies `other` (both allowing the
    /// change): at least as many approvals, counted from no more roles and account kinds, every
    /// team `other` requires, and for each evidence requirement of `other` one of the same kind
    /// and verdict that is at least as fresh.
    pub fn subsumes(&self, other: &Rule) -> bool {
        let fresher = |a: Option<u32>, b: Option<u32>| match (a, b) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(a), Some(b)) => a <= b,
        };
        !self.forbidden
            && !other.forbidden
            && self.min_approvals >= other.min_approvals
            && self
                .approver_roles
                .iter()
                .all(|r| other.approver_roles.contains(r))
            && (!self.service_accounts_may_approve || other.service_accounts_may_approve)
            && other
                .required_teams
                .iter()
                .all(|t| self.required_teams.contains(t))
            && other.evidence.iter().all(|o| {
                self.evidence.iter().any(|e| {
                    e.kind == o.kind
                        && e.verdict == o.verdict
                        && fresher(e.max_age_days, o.max_age_days)
                })
            })
    }
}

impl Default for Policy {
    /// The built-in policy of the module documentation.
    fn default() -> Policy {
        let base = Rule {
            tiers: vec![],
            stages: vec![Stage::Staging, Stage::Production],
            forbidden: false,
            min_approvals: 1,
            approver_roles: default_approver_roles(),
            required_teams: vec![],
            evidence: vec![],
            service_accounts_may_approve: false,
        };
        Policy {
            rules: vec![
                Rule {
                    tiers: vec![RiskTier::Prohibited],
                    forbidden: true,
                    min_approvals: 0,
                    ..base.clone()
                },
                Rule {
                    tiers: vec![RiskTier::HighRisk],
                    stages: vec![Stage::Production],
                    min_approvals: 2,
                    required_teams: vec!["risk".into()],
                    evidence: vec![EvidenceRequirement {
                        kind: EvidenceKind::Fairness,
                        verdict: Verdict::Pass,
                        max_age_days: Some(90),
                    }],
                    ..base.clone()
                },
                base,
            ],
        }
    }
}

impl Policy {
    /// Parses a policy from TOML text and checks it ([`Policy::validate`]).
    pub fn from_toml_str(text: &str) -> Result<Policy, GovernError> {
        let p: Policy = toml::from_str(text)
            .map_err(|e| GovernError::Invalid(format!("approval policy: {e}")))?;
        p.validate()?;
        Ok(p)
    }

    /// Reads and parses a policy file.
    pub fn from_file(path: &std::path::Path) -> Result<Policy, GovernError> {
        let text = std::fs::read_to_string(path).map_err(|source| GovernError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Policy::from_toml_str(&text)
            .map_err(|e| GovernError::Invalid(format!("{}: {e}", path.display())))
    }

    /// Checks that every rule can be satisfied: stages are `staging` or `production`, a rule
    /// that is not `forbidden` needs at least one approval from at least one role, and required
    /// teams are valid names.
    pub fn validate(&self) -> Result<(), GovernError> {
        for (i, r) in self.rules.iter().enumerate() {
            let n = i + 1;
            if let Some(s) = r
                .stages
                .iter()
                .find(|s| !matches!(s, Stage::Staging | Stage::Production))
            {
                return Err(GovernError::Invalid(format!(
                    "approval policy rule {n}: stage {} is not a change target (staging or production)",
                    s.as_str()
                )));
            }
            if r.forbidden {
                continue;
            }
            if r.min_approvals == 0 {
                return Err(GovernError::Invalid(format!(
                    "approval policy rule {n}: min_approvals must be at least 1 (changes need human approval)"
                )));
            }
            if r.approver_roles.is_empty() {
                return Err(GovernError::Invalid(format!(
                    "approval policy rule {n}: approver_roles is empty, so nobody could approve"
                )));
            }
            if r.required_teams.len() > r.min_approvals as usize {
                return Err(GovernError::Invalid(format!(
                    "approval policy rule {n}: {} required teams but only {} approvals",
                    r.required_teams.len(),
                    r.min_approvals
                )));
            }
            for t in &r.required_teams {
                crate::users::check_name("approval policy team", t)?;
            }
        }
        Ok(())
    }

    /// The first rule covering a change of a `tier` model to `to_stage`, with its index.
    pub fn rule_for(&self, tier: RiskTier, to_stage: Stage) -> Option<(usize, &Rule)> {
        self.rules.iter().enumerate().find(|(_, r)| {
            (r.tiers.is_empty() || r.tiers.contains(&tier))
                && (r.stages.is_empty() || r.stages.contains(&to_stage))
        })
    }
}

/// A reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Approve the change.
    Approve,
    /// Reject the change.
    Reject,
}

impl Decision {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Result<Decision, GovernError> {
        match s {
            "approve" => Ok(Decision::Approve),
            "reject" => Ok(Decision::Reject),
            _ => Err(GovernError::Invalid(format!("unknown decision {s:?}"))),
        }
    }
}

/// A decision as the policy sees it: who decided, with the role and teams they had then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    /// Account name.
    pub reviewer: String,
    /// User or service account.
    pub kind: AccountKind,
    /// Role when deciding.
    pub role: Role,
    /// Teams when deciding.
    pub teams: Vec<String>,
    /// Approve or reject.
    pub decision: Decision,
}

/// A piece of evidence as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFact {
    /// Evidence kind.
    pub kind: EvidenceKind,
    /// Its verdict (derived from the report).
    pub verdict: Verdict,
    /// Whether the report records the version's artifact digest as its model
    /// ([`crate::report_binding`]); unbound evidence satisfies no rule.
    pub bound: bool,
    /// The report's own time (ms since the Unix epoch), not its upload time; `None` when it
    /// records none (it then satisfies no rule with a maximum age).
    pub report_ms: Option<i64>,
}

/// The outcome of [`evaluate`] or [`evaluate_all`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Evaluation {
    /// The risk tier whose rule is reported: the strictest tier whose rule is not satisfied,
    /// or the strictest tier evaluated when all are.
    pub risk_tier: RiskTier,
    /// The change may be applied: the rule allows it and nothing is missing.
    pub satisfied: bool,
    /// The change can never be made (a `forbidden` rule, or no rule covers it).
    pub forbidden: bool,
    /// Index (from 1) of the governing rule; `None` when no rule covers the change.
    pub rule: Option<usize>,
    /// Approvals that count under the rule.
    pub approvals: u32,
    /// Approvals the rule needs.
    pub required_approvals: u32,
    /// What is still missing, in words (empty when satisfied).
    pub missing: Vec<String>,
}

/// Whether a decision by an account of `kind` and `role` counts under `rule`; the reason in
/// words when it does not.
pub fn may_decide(rule: &Rule, kind: AccountKind, role: Role) -> Result<(), String> {
    if kind == AccountKind::Service && !rule.service_accounts_may_approve {
        return Err("service accounts may not approve or reject changes under this policy".into());
    }
    if !rule.approver_roles.contains(&role) {
        let roles: Vec<&str> = rule.approver_roles.iter().map(|r| r.as_str()).collect();
        return Err(format!(
            "role {} does not decide this change (the policy names {})",
            role.as_str(),
            roles.join(", ")
        ));
    }
    Ok(())
}

/// Evaluates the policy for a change of a `tier` model to `to_stage`, given the decisions so
/// far, the version's evidence and the time `now_ms` (ms since the Unix epoch).
///
/// Approvals count when the rule's roles include the role the reviewer had when deciding (and the
/// reviewer is a person, unless the rule lets service accounts approve); each account counts once.
/// Each required team must be represented by a counted approver. `evidence` is in the order it was
/// attached. Each evidence requirement needs a piece of that kind with that verdict, bound to the
/// version's model, whose report was made no longer than `max_age_days` ago (by the report's own
/// time). Rejections are not counted here (a rejection closes the request).
pub fn evaluate(
    policy: &Policy,
    tier: RiskTier,
    to_stage: Stage,
    votes: &[Vote],
    evidence: &[EvidenceFact],
    now_ms: i64,
) -> Evaluation {
    let Some((i, rule)) = policy.rule_for(tier, to_stage) else {
        return Evaluation {
            risk_tier: tier,
            satisfied: false,
            forbidden: true,
            rule: None,
            approvals: 0,
            required_approvals: 0,
            missing: vec![format!(
                "no rule of the approval policy covers a {} model moving to {}",
                tier.as_str(),
                to_stage.as_str()
            )],
        };
    };
    if rule.forbidden {
        return Evaluation {
            risk_tier: tier,
            satisfied: false,
            forbidden: true,
            rule: Some(i + 1),
            approvals: 0,
            required_approvals: 0,
            missing: vec![format!(
                "the approval policy forbids moving a {} model to {}",
                tier.as_str(),
                to_stage.as_str()
            )],
        };
    }
    let mut counted: Vec<&Vote> = Vec::new();
    for v in votes {
        if v.decision == Decision::Approve
            && may_decide(rule, v.kind, v.role).is_ok()
            && !counted.iter().any(|c| c.reviewer == v.reviewer)
        {
            counted.push(v);
        }
    }
    let mut missing = Vec::new();
    let n = counted.len() as u32;
    if n < rule.min_approvals {
        let roles: Vec<&str> = rule.approver_roles.iter().map(|r| r.as_str()).collect();
        let still = rule.min_approvals - n;
        missing.push(format!(
            "{still} more approval{} (of {} from {})",
            if still == 1 { "" } else { "s" },
            rule.min_approvals,
            roles.join(" or ")
        ));
    }
    for team in &rule.required_teams {
        if !counted.iter().any(|v| v.teams.contains(team)) {
            missing.push(format!("an approval from a member of team {team}"));
        }
    }
    for req in &rule.evidence {
        let max_age = req.max_age_days.map(|d| i64::from(d) * DAY_MS);
        let fresh =
            |e: &EvidenceFact| max_age.is_none_or(|a| e.report_ms.is_some_and(|t| now_ms - t <= a));
        let ok = evidence
            .iter()
            .any(|e| e.kind == req.kind && e.bound && e.verdict == req.verdict && fresh(e));
        if ok {
            continue;
        }
        let age = match req.max_age_days {
            Some(d) => format!(" no older than {d} days"),
            None => String::new(),
        };
        let any = evidence.iter().any(|e| e.kind == req.kind);
        // The last one attached explains the gap (a stale pass attached after a fresh fail
        // is explained by its age, and the other way round).
        let newest = evidence.iter().rfind(|e| e.kind == req.kind && e.bound);
        let why = match newest {
            None if !any => format!("no {} evidence is attached", req.kind.as_str()),
            None => "none is bound to the version's model: the report must record the \
                     SHA-256 of the version's artifact as its model"
                .to_string(),
            Some(e) if e.verdict != req.verdict => {
                format!("the newest has verdict {}", e.verdict.as_str())
            }
            Some(e) => match e.report_ms {
                Some(t) => format!(
                    "the newest matching one is {} days old by its own time",
                    (now_ms - t) / DAY_MS
                ),
                None => "the newest matching one records no time".to_string(),
            },
        };
        missing.push(format!(
            "{} evidence with verdict {}{age} ({why})",
            req.kind.as_str(),
            req.verdict.as_str()
        ));
    }
    Evaluation {
        risk_tier: tier,
        satisfied: missing.is_empty(),
        forbidden: false,
        rule: Some(i + 1),
        approvals: n,
        required_approvals: rule.min_approvals,
        missing,
    }
}

/// Evaluates the policy for a change that must hold under every tier in `tiers` (the tiers the
/// model has had since the change request was opened; see the module documentation).
///
/// Tiers are taken strictest first. A tier whose governing rule is forbidden, or that no rule
/// covers, makes the result forbidden. Otherwise each distinct governing rule is evaluated,
/// except one that another governing rule [subsumes](Rule::subsumes) (satisfying the stricter
/// rule satisfies it). The result is satisfied only when every evaluated rule is; it reports
/// the strictest tier whose rule is not satisfied (or the strictest tier when all are), and its
/// `missing` lists that rule's missing items followed by those of any other unsatisfied rule,
/// each naming the tier and rule it comes from. An empty `tiers` is evaluated as high-risk.
pub fn evaluate_all(
    policy: &Policy,
    tiers: &[RiskTier],
    to_stage: Stage,
    votes: &[Vote],
    evidence: &[EvidenceFact],
    now_ms: i64,
) -> Evaluation {
    let mut tiers: Vec<RiskTier> = tiers.to_vec();
    if tiers.is_empty() {
        tiers.push(RiskTier::HighRisk);
    }
    tiers.sort_by(|a, b| b.cmp(a));
    tiers.dedup();
    // The governing rule of each tier, strictest tier first; a rule shared by several tiers is
    // reported under the strictest of them.
    let mut governing: Vec<(RiskTier, usize, &Rule)> = Vec::new();
    for &tier in &tiers {
        match policy.rule_for(tier, to_stage) {
            Some((i, r)) if !r.forbidden => {
                if !governing.iter().any(|g| g.1 == i) {
                    governing.push((tier, i, r));
                }
            }
            _ => return evaluate(policy, tier, to_stage, votes, evidence, now_ms),
        }
    }
    let kept: Vec<(RiskTier, usize)> = governing
        .iter()
        .enumerate()
        .filter(|(k, (_, _, rule))| {
            !governing.iter().enumerate().any(|(j, (_, _, other))| {
                j != *k && other.subsumes(rule) && (j < *k || !rule.subsumes(other))
            })
        })
        .map(|(_, (tier, i, _))| (*tier, *i))
        .collect();
    let evaluations: Vec<Evaluation> = kept
        .iter()
        .map(|(tier, _)| evaluate(policy, *tier, to_stage, votes, evidence, now_ms))
        .collect();
    let primary = evaluations.iter().position(|e| !e.satisfied).unwrap_or(0);
    let mut out = evaluations[primary].clone();
    for (k, e) in evaluations.iter().enumerate() {
        if k == primary || e.satisfied {
            continue;
        }
        out.satisfied = false;
        let rule = e.rule.unwrap_or_default();
        out.missing.extend(e.missing.iter().map(|m| {
            format!(
                "{m} (rule {rule}, for the {} tier the model had while the request was pending)",
                e.risk_tier.as_str()
            )
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn vote(name: &str, role: Role, teams: &[&str]) -> Vote {
        Vote {
            reviewer: name.into(),
            kind: AccountKind::User,
            role,
            teams: teams.iter().map(|t| t.to_string()).collect(),
            decision: Decision::Approve,
        }
    }

    fn fairness(verdict: Verdict, days_old: i64) -> EvidenceFact {
        EvidenceFact {
            kind: EvidenceKind::Fairness,
            verdict,
            bound: true,
            report_ms: Some(NOW - days_old * DAY_MS),
        }
    }

    /// Issue #15, finding 14: evidence not bound to the version's model, or without a time of
    /// its own, satisfies no rule; the age is the report's own. (Before: any passing report
    /// counted, aged by its upload time.)
    #[test]
    fn unbound_or_undated_evidence_does_not_count() {
        let p = Policy::default();
        let t = RiskTier::HighRisk;
        let votes = [
            vote("alice", Role::Reviewer, &[]),
            vote("bob", Role::Reviewer, &["risk"]),
        ];
        let mut unbound = fairness(Verdict::Pass, 1);
        unbound.bound = false;
        let e = evaluate(&p, t, Stage::Production, &votes, &[unbound], NOW);
        assert!(!e.satisfied);
        assert!(e.missing[0].contains("none is bound"), "{:?}", e.missing);
        let mut undated = fairness(Verdict::Pass, 1);
        undated.report_ms = None;
        let e = evaluate(&p, t, Stage::Production, &votes, &[undated], NOW);
        assert!(e.missing[0].contains("records no time"), "{:?}", e.missing);
        let e = evaluate(
            &p,
            t,
            Stage::Production,
            &votes,
            &[fairness(Verdict::Pass, 100)],
            NOW,
        );
        assert!(e.missing[0].contains("100 days old"), "{:?}", e.missing);
        let e = evaluate(
            &p,
            t,
            Stage::Production,
            &votes,
            &[fairness(Verdict::Pass, 100), fairness(Verdict::Pass, 3)],
            NOW,
        );
        assert!(e.satisfied, "{:?}", e.missing);
    }

    #[test]
    fn default_policy_validates() {
        Policy::default().validate().unwrap();
    }

    #[test]
    fn high_risk_production_needs_two_reviewers_one_from_risk_and_fresh_fairness() {
        let p = Policy::default();
        let t = RiskTier::HighRisk;
        let e = evaluate(&p, t, Stage::Production, &[], &[], NOW);
        assert!(!e.satisfied && !e.forbidden);
        assert_eq!(e.required_approvals, 2);
        assert_eq!(e.missing.len(), 3, "{:?}", e.missing);
        assert!(e.missing[0].starts_with("2 more approvals"));
        assert!(e.missing[1].contains("team risk"));
        assert!(e.missing[2].contains("no fairness evidence"));

        let a = vote("alice", Role::Reviewer, &[]);
        let b = vote("bob", Role::Reviewer, &["risk"]);
        let ev = [fairness(Verdict::Pass, 10)];
        let e = evaluate(&p, t, Stage::Production, std::slice::from_ref(&a), &ev, NOW);
        assert_eq!(
            e.missing,
            vec![
                "1 more approval (of 2 from reviewer or admin)".to_string(),
                "an approval from a member of team risk".to_string()
            ]
        );
        let e = evaluate(&p, t, Stage::Production, &[a.clone(), b.clone()], &ev, NOW);
        assert!(e.satisfied, "{:?}", e.missing);
        assert_eq!(e.approvals, 2);

        // Two approvals without the risk team are not enough.
        let c = vote("carol", Role::Admin, &[]);
        let e = evaluate(&p, t, Stage::Production, &[a.clone(), c], &ev, NOW);
        assert_eq!(e.missing, vec!["an approval from a member of team risk"]);

        // Old or failing evidence does not count.
        let e = evaluate(
            &p,
            t,
            Stage::Production,
            &[a.clone(), b.clone()],
            &[fairness(Verdict::Pass, 91)],
            NOW,
        );
        assert!(!e.satisfied);
        assert!(
            e.missing[0].contains("no older than 90 days"),
            "{:?}",
            e.missing
        );
        assert!(e.missing[0].contains("91 days old"), "{:?}", e.missing);
        let e = evaluate(
            &p,
            t,
            Stage::Production,
            &[a.clone(), b.clone()],
            &[fairness(Verdict::Fail, 1)],
            NOW,
        );
        assert!(e.missing[0].contains("verdict fail"), "{:?}", e.missing);
        // Exactly 90 days old still counts.
        let e = evaluate(
            &p,
            t,
            Stage::Production,
            &[a, b],
            &[fairness(Verdict::Pass, 90)],
            NOW,
        );
        assert!(e.satisfied);
    }

    #[test]
    fn roles_service_accounts_duplicates_and_rejections_do_not_count() {
        let p = Policy::default();
        let owner = vote("olga", Role::ModelOwner, &[]);
        let mut svc = vote("ci", Role::Reviewer, &[]);
        svc.kind = AccountKind::Service;
        let mut rej = vote("rex", Role::Reviewer, &[]);
        rej.decision = Decision::Reject;
        let e = evaluate(
            &p,
            RiskTier::Minimal,
            Stage::Production,
            &[owner, svc, rej],
            &[],
            NOW,
        );
        assert_eq!(e.approvals, 0);
        assert!(!e.satisfied);
        let a = vote("alice", Role::Reviewer, &[]);
        let e = evaluate(
            &p,
            RiskTier::HighRisk,
            Stage::Production,
            &[a.clone(), a],
            &[fairness(Verdict::Pass, 0)],
            NOW,
        );
        assert_eq!(e.approvals, 1);
    }

    #[test]
    fn limited_minimal_and_staging_need_one_approval() {
        let p = Policy::default();
        let a = vote("alice", Role::Reviewer, &[]);
        for (tier, stage) in [
            (RiskTier::Limited, Stage::Production),
            (RiskTier::Minimal, Stage::Production),
            (RiskTier::HighRisk, Stage::Staging),
            (RiskTier::Minimal, Stage::Staging),
        ] {
            let e = evaluate(&p, tier, stage, &[], &[], NOW);
            assert_eq!(e.required_approvals, 1);
            assert_eq!(
                e.missing,
                vec!["1 more approval (of 1 from reviewer or admin)"]
            );
            assert!(evaluate(&p, tier, stage, std::slice::from_ref(&a), &[], NOW).satisfied);
        }
    }

    #[test]
    fn prohibited_never_moves() {
        let p = Policy::default();
        let a = vote("alice", Role::Reviewer, &["risk"]);
        for stage in [Stage::Staging, Stage::Production] {
            let e = evaluate(
                &p,
                RiskTier::Prohibited,
                stage,
                std::slice::from_ref(&a),
                &[],
                NOW,
            );
            assert!(e.forbidden && !e.satisfied);
            assert_eq!(e.rule, Some(1));
        }
    }

    #[test]
    fn toml_policy_parses_and_uncovered_changes_fail_closed() {
        let p = Policy::from_toml_str(
            r#"
            [[rules]]
            tiers = ["high-risk", "limited"]
            stages = ["production"]
            min_approvals = 3
            approver_roles = ["reviewer"]
            required_teams = ["risk", "legal"]
            service_accounts_may_approve = true
            [[rules.evidence]]
            kind = "dp"
            [[rules.evidence]]
            kind = "fairness"
            verdict = "pass"
            max_age_days = 30
            "#,
        )
        .unwrap();
        let r = &p.rules[0];
        assert_eq!(r.min_approvals, 3);
        assert_eq!(r.evidence[0].verdict, Verdict::Pass);
        assert_eq!(r.evidence[0].max_age_days, None);
        assert!(r.service_accounts_may_approve);
        let e = evaluate(&p, RiskTier::Minimal, Stage::Production, &[], &[], NOW);
        assert!(e.forbidden && e.rule.is_none());
        assert!(e.missing[0].contains("no rule"));
        let mut svc = vote("ci", Role::Reviewer, &["risk"]);
        svc.kind = AccountKind::Service;
        let e = evaluate(&p, RiskTier::Limited, Stage::Production, &[svc], &[], NOW);
        assert_eq!(e.approvals, 1);
        assert_eq!(e.missing.len(), 4, "{:?}", e.missing);
    }

    #[test]
    fn subsumption_of_rules() {
        let p = Policy::default();
        let (high, base) = (&p.rules[1], &p.rules[2]);
        assert!(high.subsumes(base) && !base.subsumes(high));
        assert!(base.subsumes(base));
        assert!(
            !p.rules[0].subsumes(base),
            "a forbidden rule subsumes nothing"
        );
        let mut older = high.clone();
        older.evidence[0].max_age_days = Some(365);
        assert!(high.subsumes(&older) && !older.subsumes(high));
        let mut no_limit = high.clone();
        no_limit.evidence[0].max_age_days = None;
        assert!(high.subsumes(&no_limit) && !no_limit.subsumes(high));
        let mut lenient = high.clone();
        lenient.service_accounts_may_approve = true;
        assert!(!lenient.subsumes(high) && high.subsumes(&lenient));
        let mut wider = high.clone();
        wider.approver_roles.push(Role::ModelOwner);
        assert!(!wider.subsumes(high) && high.subsumes(&wider));
    }

    #[test]
    fn every_tier_is_judged_and_the_strictest_reported() {
        let p = Policy::default();
        let bob = vote("bob", Role::Reviewer, &[]);
        let one = std::slice::from_ref(&bob);
        // Minimal alone: satisfied by one approval.
        let e = evaluate_all(&p, &[RiskTier::Minimal], Stage::Production, one, &[], NOW);
        assert!(e.satisfied && e.risk_tier == RiskTier::Minimal);
        // Minimal now, high-risk when opened: judged as high-risk, exactly as evaluate says
        // (the base rule is subsumed, so nothing is listed twice).
        for tiers in [
            [RiskTier::Minimal, RiskTier::HighRisk],
            [RiskTier::HighRisk, RiskTier::Minimal],
        ] {
            let e = evaluate_all(&p, &tiers, Stage::Production, one, &[], NOW);
            let high = evaluate(&p, RiskTier::HighRisk, Stage::Production, one, &[], NOW);
            assert_eq!(e, high);
            assert_eq!(e.risk_tier, RiskTier::HighRisk);
            assert_eq!(e.missing.len(), 3, "{:?}", e.missing);
        }
        // Any prohibited tier forbids the change.
        let e = evaluate_all(
            &p,
            &[RiskTier::Minimal, RiskTier::Prohibited],
            Stage::Staging,
            one,
            &[],
            NOW,
        );
        assert!(e.forbidden && !e.satisfied && e.risk_tier == RiskTier::Prohibited);
        // No tier at all fails closed, as high-risk.
        let e = evaluate_all(&p, &[], Stage::Production, one, &[], NOW);
        assert_eq!(e.risk_tier, RiskTier::HighRisk);
        assert!(!e.satisfied);
    }

    #[test]
    fn rules_that_do_not_grow_with_the_tier_are_all_required() {
        let p = Policy::from_toml_str(
            r#"
            [[rules]]
            tiers = ["high-risk"]
            min_approvals = 2
            [[rules]]
            tiers = ["limited"]
            [[rules.evidence]]
            kind = "dp"
            [[rules]]
            tiers = ["minimal"]
            "#,
        )
        .unwrap();
        let tiers = [RiskTier::Minimal, RiskTier::Limited, RiskTier::HighRisk];
        let a = vote("alice", Role::Reviewer, &[]);
        let b = vote("bob", Role::Admin, &[]);
        let e = evaluate_all(&p, &tiers, Stage::Production, &[], &[], NOW);
        assert_eq!(e.risk_tier, RiskTier::HighRisk);
        assert_eq!(e.rule, Some(1));
        assert_eq!(
            e.missing,
            [
                "2 more approvals (of 2 from reviewer or admin)",
                "1 more approval (of 1 from reviewer or admin) (rule 2, for the limited tier the \
                 model had while the request was pending)",
                "dp evidence with verdict pass (no dp evidence is attached) (rule 2, for the \
                 limited tier the model had while the request was pending)",
            ]
        );
        // Two approvals: the high-risk rule holds, the limited one does not; it is reported.
        let e = evaluate_all(&p, &tiers, Stage::Production, &[a, b], &[], NOW);
        assert!(!e.satisfied);
        assert_eq!((e.risk_tier, e.rule), (RiskTier::Limited, Some(2)));
        let dp = EvidenceFact {
            kind: EvidenceKind::Dp,
            verdict: Verdict::Pass,
            bound: true,
            report_ms: Some(NOW),
        };
        let (a, b) = (
            vote("alice", Role::Reviewer, &[]),
            vote("bob", Role::Admin, &[]),
        );
        let e = evaluate_all(&p, &tiers, Stage::Production, &[a, b], &[dp], NOW);
        assert!(e.satisfied, "{:?}", e.missing);
        assert_eq!(e.risk_tier, RiskTier::HighRisk);
    }

    #[test]
    fn bad_policies_are_refused() {
        for (text, what) in [
            ("[[rules]]\nmin_approvals = 0", "at least 1"),
            ("[[rules]]\napprover_roles = []", "nobody could approve"),
            ("[[rules]]\nstages = [\"retired\"]", "not a change target"),
            (
                "[[rules]]\nrequired_teams = [\"a\", \"b\"]",
                "required teams",
            ),
            ("[[rules]]\nmin_aprovals = 2", "unknown field"),
            ("[[rules]]\ntiers = [\"high\"]", "unknown variant"),
        ] {
            let e = Policy::from_toml_str(text).unwrap_err().to_string();
            assert!(e.contains(what), "{text}: {e}");
        }
        assert_eq!(Policy::from_toml_str("").unwrap().rules.len(), 0);
    }
}
