//! Change management (issue #8): moving a model version to `staging` or `production` is a
//! change request that carries an impact assessment and a rollback plan and needs the approvals
//! and evidence the approval policy ([`crate::policy`]) names; rollback to the previous
//! production version is one action.
//!
//! **Life of a request.** [`open`] (by the model's owner or an admin, through the server)
//! records it as `open`. Reviewers [`approve`] or [`reject`] it; once the policy is satisfied it
//! is `approved`, and one rejection makes it `rejected`. [`apply`] re-evaluates the policy at
//! that moment (evidence may have aged past its limit) and moves the version: entering
//! production it records a `deployments` row and retires the model's previous production
//! version, so a model has at most one version in production. The requester may [`withdraw`]
//! an open or approved request. [`rollback`] puts the previous production version back.
//!
//! **Separation of duties** (NIST SP 800-53 AC-5; the "four eyes" principle of SR 11-7's
//! effective challenge): the requester and the model's owner never decide a request
//! ([`GovernError::Forbidden`]), whatever their role and whatever the policy says. Service
//! accounts decide only when the governing rule allows it (never by default).
//!
//! **Reassessment while pending** (issue #15). What a request needs is decided by the model's
//! risk tier, and who may decide it by the model's owner; both may change while the request is
//! pending (`PATCH /v1/models/{model}`). A governance user needs a request to be judged by the
//! rules it was opened under or stricter ones, never weaker, and needs the record to say so
//! plainly. Hence, in order of defence:
//!
//! - *Freeze against weakening.* While any request for a version of a model is pending,
//!   [`crate::inventory::update_model`] refuses ([`GovernError::Conflict`], naming the
//!   requests) a reassessment that lowers the tier (in the order of [`RiskTier`]) and any change
//!   of owner. Raising the tier is always allowed: finding more risk must never be blocked, and
//!   it only adds requirements. The owner can withdraw the request, reassess, and open a new one,
//!   whose reviewers then see the new tier. We freeze rather than make the reassessment itself a
//!   reviewed change because a pending request already is the review: its reviewers approved a
//!   model of the tier they saw, and a downgrade after their approval is exactly the change
//!   they did not review.
//! - *Evaluate against every tier since opening.* Independently of the freeze (a defence that
//!   must also hold for rows written by older versions or by hand), each request records the
//!   tier and owner at opening (`risk_tier_at_open`, `owner_at_open`), and every tier the model
//!   is reassessed to while it is pending (`change_request_tiers`). [`decide`], [`apply`] and
//!   the evaluation shown by [`get`] use [`policy::evaluate_all`] over the tier at opening, those
//!   tiers and the current one: the request must satisfy the rule of each, which for the
//!   built-in policy is the rule of the strictest. A tier change is in the audit log twice: the
//!   `model.update` entry (`risk_tier` from and to, and the pending requests it affected) and the
//!   tiers each `change.apply` was evaluated against.
//! - *Separation of duties against the owner at opening too*: neither the owner at opening nor
//!   the current owner decides the request, and their approvals would not count.
//!
//! **Exactly once.** Each decision, application, withdrawal and rollback is one
//! `db::write_tx!` transaction (writes are totally ordered), which checks the state it
//! changes before changing it: a reviewer's second decision is a [`GovernError::Conflict`], as
//! is a second application. `approvals` also has `UNIQUE (change_id, reviewer)`, so even a
//! writer that bypassed the serialisation could not record a second decision.
//!
//! **Rollback history.** `deployments` lists every time a version entered production: rows
//! with a `change_id` come from [`apply`], rows without one from [`rollback`]. Read in order as
//! a stack (an application pushes its version, a rollback pops the current one), the entry
//! below the top is the version a rollback restores; rolling back twice in a row therefore
//! goes two deployments back, not forth and back.
//!
//! Every write commits together with its audit entry; a refused call writes nothing (the
//! server records the refused attempt).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ai_act::RiskTier;
use crate::audit::{append_in, NewEntry};
use crate::db::{now_ms, on_pool, write_tx, Db};
use crate::evidence::{EvidenceKind, Verdict};
use crate::inventory::Stage;
use crate::policy::{self, Decision, Evaluation, EvidenceFact, Policy, Vote};
use crate::users::{AccountKind, Principal, Role};
use crate::GovernError;

/// Longest impact assessment or rollback plan, bytes.
const MAX_PLAN_BYTES: usize = 20_000;
/// Longest comment or rollback reason, bytes.
const MAX_COMMENT_BYTES: usize = 4_000;

/// Where a change request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Waiting for approvals (or for evidence).
    Open,
    /// The policy was satisfied when the last decision was recorded; ready to apply.
    Approved,
    /// A reviewer rejected it.
    Rejected,
    /// The version was moved.
    Applied,
    /// The requester withdrew it.
    Withdrawn,
}

impl ChangeStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Open => "open",
            ChangeStatus::Approved => "approved",
            ChangeStatus::Rejected => "rejected",
            ChangeStatus::Applied => "applied",
            ChangeStatus::Withdrawn => "withdrawn",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Result<ChangeStatus, GovernError> {
        match s {
            "open" => Ok(ChangeStatus::Open),
            "approved" => Ok(ChangeStatus::Approved),
            "rejected" => Ok(ChangeStatus::Rejected),
            "applied" => Ok(ChangeStatus::Applied),
            "withdrawn" => Ok(ChangeStatus::Withdrawn),
            _ => Err(GovernError::Invalid(format!(
                "unknown change status {s:?} (expected open, approved, rejected, applied or withdrawn)"
            ))),
        }
    }

    /// Whether the request can still be decided, applied or withdrawn.
    pub fn is_pending(self) -> bool {
        matches!(self, ChangeStatus::Open | ChangeStatus::Approved)
    }
}

/// What opening a change request takes (request body of
/// `POST /v1/models/{model}/versions/{version}/changes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeSpec {
    /// Target stage: `staging` or `production` (later than the version's current stage).
    pub to_stage: Stage,
    /// What the change affects and what could go wrong (required).
    pub impact_assessment: String,
    /// How to undo it (required).
    pub rollback_plan: String,
}

/// A reviewer's decision (request body of `POST /v1/changes/{id}/approve` and `.../reject`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionSpec {
    /// Optional comment recorded with the decision.
    #[serde(default)]
    pub comment: String,
}

/// What a rollback takes (request body of `POST /v1/models/{model}/rollback`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RollbackSpec {
    /// Why (required; e.g. the incident).
    pub reason: String,
}

/// Which change requests to list (query of `GET /v1/changes`); absent fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeFilter {
    /// Only requests with this status.
    #[serde(default)]
    pub status: Option<ChangeStatus>,
    /// Only requests for versions of this model.
    #[serde(default)]
    pub model: Option<String>,
}

/// One recorded decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApprovalRecord {
    /// Who decided.
    pub reviewer: String,
    /// Their role when deciding.
    pub role: Role,
    /// Their teams when deciding.
    pub teams: Vec<String>,
    /// Approve or reject.
    pub decision: Decision,
    /// Their comment.
    pub comment: String,
    /// When (ms since the Unix epoch).
    pub created_ms: i64,
}

/// A change request as stored and returned by the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChangeRequest {
    /// Database id.
    pub id: i64,
    /// The model's name.
    pub model: String,
    /// The version label.
    pub version: String,
    /// The version's stage when the request was opened.
    pub from_stage: Stage,
    /// The stage it moves to.
    pub to_stage: Stage,
    /// Where the request stands.
    pub status: ChangeStatus,
    /// Who opened it.
    pub requested_by: String,
    /// Impact assessment.
    pub impact_assessment: String,
    /// Rollback plan.
    pub rollback_plan: String,
    /// When it was opened (ms since the Unix epoch).
    pub created_ms: i64,
    /// When it was approved, rejected, applied or withdrawn, if it was.
    pub decided_ms: Option<i64>,
    /// The model's risk tier when the request was opened.
    pub risk_tier_at_open: RiskTier,
    /// Every risk tier the model has had since the request was opened (at opening, each
    /// reassessment while pending, and now while it is pending), strictest first: the policy
    /// must be satisfied under each (see the module documentation).
    pub risk_tiers: Vec<RiskTier>,
    /// The decisions, oldest first.
    pub approvals: Vec<ApprovalRecord>,
    /// The approval policy evaluated now (approvals, evidence and its age), with what is still
    /// missing; present while the request is open or approved.
    pub policy: Option<Evaluation>,
}

/// What a rollback did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Rollback {
    /// The model.
    pub model: String,
    /// The version put back in production.
    pub restored_version: String,
    /// The version taken out of production (now in `staging`).
    pub demoted_version: String,
    /// Why.
    pub reason: String,
    /// Who.
    pub actor: String,
    /// When (ms since the Unix epoch).
    pub created_ms: i64,
}

/// Position of a stage in the lifecycle (retired is after production).
fn rank(s: Stage) -> u8 {
    match s {
        Stage::Development => 0,
        Stage::Staging => 1,
        Stage::Production => 2,
        Stage::Retired => 3,
    }
}

fn check_len(what: &str, s: &str, max: usize) -> Result<(), GovernError> {
    if s.len() > max {
        return Err(GovernError::Invalid(format!(
            "{what}: longer than {max} bytes"
        )));
    }
    Ok(())
}

fn check_required(what: &str, s: &str, max: usize) -> Result<(), GovernError> {
    if s.trim().is_empty() {
        return Err(GovernError::Invalid(format!(
            "{what}: required, must not be empty"
        )));
    }
    check_len(what, s, max)
}

/// A change request row joined with its version and model.
#[derive(sqlx::FromRow)]
struct ChangeRow {
    id: i64,
    model: String,
    version: String,
    from_stage: String,
    to_stage: String,
    status: String,
    requested_by: String,
    impact: String,
    rollback_plan: String,
    created_ms: i64,
    decided_ms: Option<i64>,
    version_id: i64,
    model_id: i64,
    owner: String,
    risk_tier: String,
    current_stage: String,
    risk_tier_at_open: String,
    owner_at_open: String,
}

const SELECT_CHANGE: &str = "SELECT c.id, m.name AS model, v.version, c.from_stage, \
     c.to_stage, c.status, c.requested_by, c.impact, c.rollback_plan, c.created_ms, \
     c.decided_ms, c.version_id, m.id AS model_id, m.owner, m.risk_tier, \
     v.stage AS current_stage, c.risk_tier_at_open, c.owner_at_open FROM change_requests c \
     JOIN model_versions v ON v.id = c.version_id JOIN models m ON m.id = v.model_id";

/// The tiers a request's model was reassessed to while the request was pending.
const SELECT_TIERS: &str =
    "SELECT risk_tier FROM change_request_tiers WHERE change_id = $1 ORDER BY id";

/// The pending (open or approved) change requests for any version of model `$1`.
pub(crate) const SELECT_PENDING_FOR_MODEL: &str = "SELECT c.id FROM change_requests c \
     JOIN model_versions v ON v.id = c.version_id \
     WHERE v.model_id = $1 AND c.status IN ('open', 'approved') ORDER BY c.id";

/// Records that the model of pending request `$1` was reassessed to tier `$2`.
pub(crate) const INSERT_TIER: &str = "INSERT INTO change_request_tiers \
     (change_id, risk_tier, actor, created_ms) VALUES ($1, $2, $3, $4)";

/// Refuses an update of a model that would weaken what its `pending` change requests need:
/// lowering the risk tier from `old_tier` to `new_tier`, or changing the owner from
/// `old_owner` to `new_owner` (see the module documentation). Raising the tier is allowed.
pub(crate) fn check_model_update(
    model: &str,
    pending: &[i64],
    (old_tier, new_tier): (RiskTier, RiskTier),
    (old_owner, new_owner): (&str, &str),
) -> Result<(), GovernError> {
    if pending.is_empty() {
        return Ok(());
    }
    let requests = pending
        .iter()
        .map(|id| format!("change request {id}"))
        .collect::<Vec<_>>()
        .join(", ");
    let close = "withdraw it, or let it be rejected or applied, first";
    if new_tier < old_tier {
        return Err(GovernError::Conflict(format!(
            "lowering the risk tier of model {model:?} from {} to {} is refused while {requests} \
             is pending: a reassessment may not weaken what an open request needs; {close}",
            old_tier.as_str(),
            new_tier.as_str()
        )));
    }
    if new_owner != old_owner {
        return Err(GovernError::Conflict(format!(
            "the owner of model {model:?} cannot change from {old_owner:?} to {new_owner:?} while \
             {requests} is pending (separation of duties is judged against the owner); {close}"
        )));
    }
    Ok(())
}

/// The fields of a [`ChangeRow`] the functions below work with.
struct Loaded {
    id: i64,
    model: String,
    version: String,
    from_stage: Stage,
    to_stage: Stage,
    status: ChangeStatus,
    requested_by: String,
    impact: String,
    rollback_plan: String,
    created_ms: i64,
    decided_ms: Option<i64>,
    version_id: i64,
    model_id: i64,
    owner: String,
    tier: RiskTier,
    current_stage: Stage,
    tier_at_open: RiskTier,
    owner_at_open: String,
    /// Tiers recorded while pending (`change_request_tiers`).
    reassessed: Vec<RiskTier>,
}

impl Loaded {
    /// Every tier the model has had since the request was opened, strictest first: at opening,
    /// each reassessment while pending, and the current tier while the request is pending.
    fn tiers(&self) -> Vec<RiskTier> {
        let mut v = vec![self.tier_at_open];
        v.extend(&self.reassessed);
        if self.status.is_pending() {
            v.push(self.tier);
        }
        v.sort_by(|a, b| b.cmp(a));
        v.dedup();
        v
    }

    /// Whether `name` may not decide this request (separation of duties): its requester, the
    /// model's owner at opening or its owner now.
    fn conflicted(&self, name: &str) -> bool {
        name == self.requested_by || name == self.owner || name == self.owner_at_open
    }

    /// The votes that count: none by a conflicted account, even one recorded before the
    /// account became conflicted.
    fn counted(&self, votes: &[(ApprovalRecord, Vote)]) -> Vec<Vote> {
        votes
            .iter()
            .filter(|(_, v)| !self.conflicted(&v.reviewer))
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The policy evaluated over [`Loaded::tiers`] at `now`.
    fn evaluate(
        &self,
        policy: &Policy,
        votes: &[(ApprovalRecord, Vote)],
        evidence: &[EvidenceFact],
        now: i64,
    ) -> Evaluation {
        let votes = self.counted(votes);
        policy::evaluate_all(policy, &self.tiers(), self.to_stage, &votes, evidence, now)
    }
}

fn parse_row(r: ChangeRow) -> Result<Loaded, GovernError> {
    Ok(Loaded {
        id: r.id,
        model: r.model,
        version: r.version,
        from_stage: Stage::parse(&r.from_stage)?,
        to_stage: Stage::parse(&r.to_stage)?,
        status: ChangeStatus::parse(&r.status)?,
        requested_by: r.requested_by,
        impact: r.impact,
        rollback_plan: r.rollback_plan,
        created_ms: r.created_ms,
        decided_ms: r.decided_ms,
        version_id: r.version_id,
        model_id: r.model_id,
        owner: r.owner,
        tier: RiskTier::from_stored(&r.risk_tier),
        current_stage: Stage::parse(&r.current_stage)?,
        tier_at_open: RiskTier::from_stored(&r.risk_tier_at_open),
        owner_at_open: r.owner_at_open,
        reassessed: Vec::new(),
    })
}

type VoteRow = (String, String, String, String, String, i64, Option<String>);

const SELECT_VOTES: &str = "SELECT a.reviewer, a.role, a.teams, a.decision, a.comment, \
     a.created_ms, u.kind FROM approvals a LEFT JOIN users u ON u.name = a.reviewer \
     WHERE a.change_id = $1 ORDER BY a.id";

fn parse_votes(rows: Vec<VoteRow>) -> Result<Vec<(ApprovalRecord, Vote)>, GovernError> {
    rows.into_iter()
        .map(
            |(reviewer, role, teams, decision, comment, created_ms, kind)| {
                let role = Role::parse(&role)?;
                let teams: Vec<String> = serde_json::from_str(&teams)?;
                let decision = Decision::parse(&decision)?;
                // An approver whose account cannot be found counts as a service account, i.e.
                // not at all under the default policy.
                let kind = match kind.as_deref() {
                    Some("user") => AccountKind::User,
                    _ => AccountKind::Service,
                };
                let vote = Vote {
                    reviewer: reviewer.clone(),
                    kind,
                    role,
                    teams: teams.clone(),
                    decision,
                };
                let record = ApprovalRecord {
                    reviewer,
                    role,
                    teams,
                    decision,
                    comment,
                    created_ms,
                };
                Ok((record, vote))
            },
        )
        .collect()
}

const SELECT_EVIDENCE: &str =
    "SELECT kind, verdict, bound, report_ms FROM evidence WHERE version_id = $1 ORDER BY id";

type EvidenceFactRow = (String, String, i64, Option<i64>);

fn parse_evidence(rows: Vec<EvidenceFactRow>) -> Vec<EvidenceFact> {
    rows.into_iter()
        .filter_map(|(kind, verdict, bound, report_ms)| {
            Some(EvidenceFact {
                kind: EvidenceKind::parse(&kind).ok()?,
                verdict: Verdict::parse(&verdict).ok()?,
                bound: bound != 0,
                report_ms,
            })
        })
        .collect()
}

/// Loads change `$id` with `$ex` (a pool, or `&mut *tx`): the row, its decisions and the
/// version's evidence; `NotFound` when there is no such request.
macro_rules! load {
    ($ex:expr, $id:expr) => {{
        let id: i64 = $id;
        let sql = format!("{SELECT_CHANGE} WHERE c.id = $1");
        let row: Option<ChangeRow> = sqlx::query_as(&sql).bind(id).fetch_optional($ex).await?;
        let Some(row) = row else {
            return Err(GovernError::NotFound(format!("change request {id}")));
        };
        let mut c = parse_row(row)?;
        let tiers: Vec<(String,)> = sqlx::query_as(SELECT_TIERS).bind(id).fetch_all($ex).await?;
        c.reassessed = tiers.iter().map(|t| RiskTier::from_stored(&t.0)).collect();
        let votes: Vec<VoteRow> = sqlx::query_as(SELECT_VOTES).bind(id).fetch_all($ex).await?;
        let ev: Vec<EvidenceFactRow> = sqlx::query_as(SELECT_EVIDENCE)
            .bind(c.version_id)
            .fetch_all($ex)
            .await?;
        (c, parse_votes(votes)?, parse_evidence(ev))
    }};
}

fn assemble(
    policy: &Policy,
    c: Loaded,
    votes: Vec<(ApprovalRecord, Vote)>,
    evidence: &[EvidenceFact],
    now: i64,
) -> ChangeRequest {
    let evaluation = c
        .status
        .is_pending()
        .then(|| c.evaluate(policy, &votes, evidence, now));
    let risk_tiers = c.tiers();
    let records = votes.into_iter().map(|(r, _)| r).collect();
    ChangeRequest {
        id: c.id,
        model: c.model,
        version: c.version,
        from_stage: c.from_stage,
        to_stage: c.to_stage,
        status: c.status,
        requested_by: c.requested_by,
        impact_assessment: c.impact,
        rollback_plan: c.rollback_plan,
        created_ms: c.created_ms,
        decided_ms: c.decided_ms,
        risk_tier_at_open: c.tier_at_open,
        risk_tiers,
        approvals: records,
        policy: evaluation,
    }
}

/// The governing rule of each of `tiers`, or `Forbidden` when the policy never allows the
/// change for one of them.
fn governing_rules<'p>(
    policy: &'p Policy,
    tiers: &[RiskTier],
    to: Stage,
) -> Result<Vec<&'p policy::Rule>, GovernError> {
    tiers
        .iter()
        .map(|&tier| match policy.rule_for(tier, to) {
            Some((_, r)) if !r.forbidden => Ok(r),
            _ => Err(GovernError::Forbidden(
                policy::evaluate(policy, tier, to, &[], &[], 0)
                    .missing
                    .join("; "),
            )),
        })
        .collect()
}

/// Why `eval` is not satisfied, for a [`GovernError::Conflict`] of change request `id`; names
/// the tiers it was judged under.
fn unmet(id: i64, c: &Loaded, eval: &Evaluation) -> String {
    let tiers: Vec<&str> = c.tiers().iter().map(|t| t.as_str()).collect();
    let under = if tiers.len() > 1 {
        format!(
            "judged under every risk tier the model has had since the request was opened: {}",
            tiers.join(", ")
        )
    } else {
        format!("as a {} model", eval.risk_tier.as_str())
    };
    format!(
        "change request {id} does not satisfy the approval policy ({under}): missing {}",
        eval.missing.join("; ")
    )
}

/// Opens a change request moving `model`'s `version` to `spec.to_stage`.
///
/// The impact assessment and rollback plan are required; the target is `staging` or
/// `production` and must be later than the version's current stage (retired versions return
/// only by [`rollback`]); a version has at most one open or approved request; a change the
/// policy forbids (e.g. a prohibited model) is [`GovernError::Forbidden`].
pub async fn open(
    db: &Db,
    policy: &Policy,
    who: &Principal,
    model: &str,
    version: &str,
    spec: &ChangeSpec,
) -> Result<ChangeRequest, GovernError> {
    if !matches!(spec.to_stage, Stage::Staging | Stage::Production) {
        return Err(GovernError::Invalid(format!(
            "to_stage: a change request moves a version to staging or production, not {}",
            spec.to_stage.as_str()
        )));
    }
    check_required("impact_assessment", &spec.impact_assessment, MAX_PLAN_BYTES)?;
    check_required("rollback_plan", &spec.rollback_plan, MAX_PLAN_BYTES)?;
    let now = now_ms();
    let id = write_tx!(db, tx => {
        let row: Option<(i64, String, String, String)> = sqlx::query_as(
            "SELECT v.id, v.stage, m.risk_tier, m.owner FROM model_versions v \
             JOIN models m ON m.id = v.model_id WHERE m.name = $1 AND v.version = $2",
        )
        .bind(model)
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((version_id, stage, tier, owner)) = row else {
            return Err(GovernError::NotFound(format!("version {version:?} of model {model:?}")));
        };
        let from = Stage::parse(&stage)?;
        if from == Stage::Retired {
            return Err(GovernError::Conflict(format!(
                "version {version:?} of model {model:?} is retired; it returns to production only \
                 by a rollback"
            )));
        }
        if rank(from) >= rank(spec.to_stage) {
            return Err(GovernError::Conflict(format!(
                "version {version:?} of model {model:?} is in {}; a change request moves it to a \
                 later stage",
                from.as_str()
            )));
        }
        let tier = RiskTier::from_stored(&tier);
        governing_rules(policy, &[tier], spec.to_stage)?;
        let pending: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM change_requests WHERE version_id = $1 \
             AND status IN ('open', 'approved') LIMIT 1",
        )
        .bind(version_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((other,)) = pending {
            return Err(GovernError::Conflict(format!(
                "version {version:?} of model {model:?} already has pending change request {other}"
            )));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO change_requests (version_id, from_stage, to_stage, status, requested_by, \
             impact, rollback_plan, created_ms, risk_tier_at_open, owner_at_open) \
             VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(version_id)
        .bind(from.as_str())
        .bind(spec.to_stage.as_str())
        .bind(&who.name)
        .bind(&spec.impact_assessment)
        .bind(&spec.rollback_plan)
        .bind(now)
        .bind(tier.as_str())
        .bind(&owner)
        .fetch_one(&mut *tx)
        .await?;
        let details = serde_json::json!({
            "model": model, "version": version, "from_stage": from.as_str(),
            "to_stage": spec.to_stage.as_str(), "risk_tier": tier.as_str(), "owner": owner,
            "impact_assessment": spec.impact_assessment, "rollback_plan": spec.rollback_plan,
        });
        append_in!(tx, &NewEntry {
            actor: &who.name,
            action: "change.open",
            subject: &format!("change/{id}"),
            details: &details,
        });
        id
    });
    get(db, policy, id).await
}

/// One change request, with its decisions and the policy evaluated now.
pub async fn get(db: &Db, policy: &Policy, id: i64) -> Result<ChangeRequest, GovernError> {
    let (c, votes, evidence) = on_pool!(db, p => load!(p, id));
    Ok(assemble(policy, c, votes, &evidence, now_ms()))
}

/// Change requests, newest first, optionally only those with a status or of a model.
pub async fn list(
    db: &Db,
    policy: &Policy,
    filter: &ChangeFilter,
) -> Result<Vec<ChangeRequest>, GovernError> {
    let sql = "SELECT c.id FROM change_requests c JOIN model_versions v ON v.id = c.version_id \
         JOIN models m ON m.id = v.model_id \
         WHERE ($1 IS NULL OR c.status = $1) AND ($2 IS NULL OR m.name = $2) ORDER BY c.id DESC";
    let status = filter.status.map(|s| s.as_str());
    let ids: Vec<(i64,)> = on_pool!(db, p => sqlx::query_as(sql)
        .bind(status)
        .bind(filter.model.as_deref())
        .fetch_all(p)
        .await?);
    let mut out = Vec::with_capacity(ids.len());
    for (id,) in ids {
        out.push(get(db, policy, id).await?);
    }
    Ok(out)
}

/// Records `who`'s approval of change request `id` (see [`decide`]).
pub async fn approve(
    db: &Db,
    policy: &Policy,
    who: &Principal,
    id: i64,
    comment: &str,
) -> Result<ChangeRequest, GovernError> {
    decide(db, policy, who, id, Decision::Approve, comment).await
}

/// Records `who`'s rejection of change request `id` (see [`decide`]).
pub async fn reject(
    db: &Db,
    policy: &Policy,
    who: &Principal,
    id: i64,
    comment: &str,
) -> Result<ChangeRequest, GovernError> {
    decide(db, policy, who, id, Decision::Reject, comment).await
}

/// Records one decision on a pending (open or approved) request, exactly once per reviewer.
///
/// Refused with [`GovernError::Forbidden`] when `who` opened the request or owns the model
/// (separation of duties), is a service account and the rule does not let those decide, or has
/// a role the rule does not name; a second decision by the same reviewer is a
/// [`GovernError::Conflict`]. An approval makes the request `approved` when the policy is then
/// satisfied; a rejection makes it `rejected`.
pub async fn decide(
    db: &Db,
    policy: &Policy,
    who: &Principal,
    id: i64,
    decision: Decision,
    comment: &str,
) -> Result<ChangeRequest, GovernError> {
    check_len("comment", comment, MAX_COMMENT_BYTES)?;
    let now = now_ms();
    let teams = serde_json::to_string(&who.teams)?;
    write_tx!(db, tx => {
        let (c, _, _) = load!(&mut *tx, id);
        if !c.status.is_pending() {
            return Err(GovernError::Conflict(format!(
                "change request {id} is {}; it can no longer be decided",
                c.status.as_str()
            )));
        }
        if who.name == c.requested_by {
            return Err(GovernError::Forbidden(format!(
                "separation of duties: {} opened change request {id} and may not decide it",
                who.name
            )));
        }
        if who.name == c.owner {
            return Err(GovernError::Forbidden(format!(
                "separation of duties: {} owns model {:?} and may not decide its change requests",
                who.name, c.model
            )));
        }
        if who.name == c.owner_at_open {
            return Err(GovernError::Forbidden(format!(
                "separation of duties: {} owned model {:?} when change request {id} was opened \
                 and may not decide it",
                who.name, c.model
            )));
        }
        // A decision counts if the rule of any tier the request is judged under lets `who`
        // decide (the evaluation then counts it under exactly those rules).
        let rules = governing_rules(policy, &c.tiers(), c.to_stage)?;
        let allowed: Vec<Result<(), String>> = rules
            .iter()
            .map(|r| policy::may_decide(r, who.kind, who.role))
            .collect();
        if !allowed.iter().any(|a| a.is_ok()) {
            let why = allowed.into_iter().find_map(|a| a.err()).unwrap_or_default();
            return Err(GovernError::Forbidden(why));
        }
        let earlier: Option<(String,)> = sqlx::query_as(
            "SELECT decision FROM approvals WHERE change_id = $1 AND reviewer = $2",
        )
        .bind(id)
        .bind(&who.name)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((d,)) = earlier {
            return Err(GovernError::Conflict(format!(
                "{} already decided change request {id} ({d})",
                who.name
            )));
        }
        let inserted = sqlx::query(
            "INSERT INTO approvals (change_id, reviewer, role, teams, decision, comment, \
             created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(&who.name)
        .bind(who.role.as_str())
        .bind(&teams)
        .bind(decision.as_str())
        .bind(comment)
        .bind(now)
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            if e.as_database_error().is_some_and(|d| d.is_unique_violation()) {
                return Err(GovernError::Conflict(format!(
                    "{} already decided change request {id}",
                    who.name
                )));
            }
            return Err(e.into());
        }
        let (c, votes, evidence) = load!(&mut *tx, id);
        let eval = c.evaluate(policy, &votes, &evidence, now);
        let status = match decision {
            Decision::Reject => ChangeStatus::Rejected,
            Decision::Approve if eval.satisfied => ChangeStatus::Approved,
            Decision::Approve => ChangeStatus::Open,
        };
        let decided = (status != ChangeStatus::Open).then_some(now);
        sqlx::query("UPDATE change_requests SET status = $1, decided_ms = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(decided)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let details = serde_json::json!({
            "model": c.model, "version": c.version, "to_stage": c.to_stage.as_str(),
            "role": who.role.as_str(), "teams": who.teams, "comment": comment,
            "status": status.as_str(), "approvals": eval.approvals,
            "required_approvals": eval.required_approvals, "missing": eval.missing,
            "risk_tier": eval.risk_tier.as_str(),
        });
        append_in!(tx, &NewEntry {
            actor: &who.name,
            action: match decision {
                Decision::Approve => "change.approve",
                Decision::Reject => "change.reject",
            },
            subject: &format!("change/{id}"),
            details: &details,
        });
    });
    get(db, policy, id).await
}

/// Applies an open or approved change request: re-evaluates the policy now (a request whose
/// evidence has aged past its limit, or that lacks approvals, is a [`GovernError::Conflict`]
/// naming what is missing), moves the version, and, entering production, records a deployment
/// and retires the model's previous production version. Exactly once: applying an applied
/// request is a `Conflict`, as is applying one whose version has moved since it was opened.
pub async fn apply(
    db: &Db,
    policy: &Policy,
    who: &Principal,
    id: i64,
) -> Result<ChangeRequest, GovernError> {
    let now = now_ms();
    write_tx!(db, tx => {
        let (c, votes, evidence) = load!(&mut *tx, id);
        if !c.status.is_pending() {
            return Err(GovernError::Conflict(format!(
                "change request {id} is {}; only open or approved requests can be applied",
                c.status.as_str()
            )));
        }
        if c.current_stage != c.from_stage {
            return Err(GovernError::Conflict(format!(
                "version {:?} of model {:?} moved from {} to {} since change request {id} was \
                 opened; open a new request",
                c.version, c.model, c.from_stage.as_str(), c.current_stage.as_str()
            )));
        }
        governing_rules(policy, &c.tiers(), c.to_stage)?;
        let eval = c.evaluate(policy, &votes, &evidence, now);
        if !eval.satisfied {
            return Err(GovernError::Conflict(unmet(id, &c, &eval)));
        }
        let tiers: Vec<&str> = c.tiers().iter().map(|t| t.as_str()).collect();
        let mut retired = Vec::new();
        if c.to_stage == Stage::Production {
            let current: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, version FROM model_versions WHERE model_id = $1 \
                 AND stage = 'production' AND id <> $2 ORDER BY id",
            )
            .bind(c.model_id)
            .bind(c.version_id)
            .fetch_all(&mut *tx)
            .await?;
            for (vid, label) in current {
                sqlx::query(
                    "UPDATE model_versions SET stage = 'retired', updated_ms = $1 WHERE id = $2",
                )
                .bind(now)
                .bind(vid)
                .execute(&mut *tx)
                .await?;
                retired.push(label);
            }
            sqlx::query(
                "INSERT INTO deployments (model_id, version_id, change_id, actor, reason, \
                 created_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(c.model_id)
            .bind(c.version_id)
            .bind(id)
            .bind(&who.name)
            .bind(format!("change request {id}"))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE model_versions SET stage = $1, updated_ms = $2 WHERE id = $3")
            .bind(c.to_stage.as_str())
            .bind(now)
            .bind(c.version_id)
            .execute(&mut *tx)
            .await?;
        let n = sqlx::query(
            "UPDATE change_requests SET status = 'applied', decided_ms = $1 \
             WHERE id = $2 AND status IN ('open', 'approved')",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(GovernError::Conflict(format!("change request {id} was already applied")));
        }
        let details = serde_json::json!({
            "model": c.model, "version": c.version, "from_stage": c.from_stage.as_str(),
            "to_stage": c.to_stage.as_str(), "retired": retired,
            "approvals": eval.approvals, "rule": eval.rule,
            "risk_tier": eval.risk_tier.as_str(), "risk_tiers": tiers,
        });
        append_in!(tx, &NewEntry {
            actor: &who.name,
            action: "change.apply",
            subject: &format!("change/{id}"),
            details: &details,
        });
    });
    get(db, policy, id).await
}

/// Withdraws an open or approved request; only its requester (or an admin) may.
pub async fn withdraw(
    db: &Db,
    policy: &Policy,
    who: &Principal,
    id: i64,
) -> Result<ChangeRequest, GovernError> {
    let now = now_ms();
    write_tx!(db, tx => {
        let (c, _, _) = load!(&mut *tx, id);
        if who.name != c.requested_by && who.role != Role::Admin {
            return Err(GovernError::Forbidden(format!(
                "only {} (who opened change request {id}) or an admin may withdraw it",
                c.requested_by
            )));
        }
        if !c.status.is_pending() {
            return Err(GovernError::Conflict(format!(
                "change request {id} is {}; only open or approved requests can be withdrawn",
                c.status.as_str()
            )));
        }
        sqlx::query(
            "UPDATE change_requests SET status = 'withdrawn', decided_ms = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        append_in!(tx, &NewEntry {
            actor: &who.name,
            action: "change.withdraw",
            subject: &format!("change/{id}"),
            details: &serde_json::json!({ "model": c.model, "version": c.version }),
        });
    });
    get(db, policy, id).await
}

/// Rolls `model` back in one action: the previous production version (from `deployments`, see
/// the module documentation) returns to production, the current one moves to `staging`, and
/// the rollback is recorded as a deployment and an audit entry. A [`GovernError::Conflict`]
/// when no version is in production or there is no previous one.
pub async fn rollback(
    db: &Db,
    who: &Principal,
    model: &str,
    reason: &str,
) -> Result<Rollback, GovernError> {
    check_required("reason", reason, MAX_COMMENT_BYTES)?;
    let now = now_ms();
    let (restored, demoted) = write_tx!(db, tx => {
        let m: Option<(i64,)> = sqlx::query_as("SELECT id FROM models WHERE name = $1")
            .bind(model)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((model_id,)) = m else {
            return Err(GovernError::NotFound(format!("model {model:?}")));
        };
        let current: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, version FROM model_versions WHERE model_id = $1 \
             AND stage = 'production' ORDER BY id DESC LIMIT 1",
        )
        .bind(model_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((current_id, current_label)) = current else {
            return Err(GovernError::Conflict(format!(
                "model {model:?} has no version in production to roll back"
            )));
        };
        let history: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT version_id, change_id FROM deployments WHERE model_id = $1 ORDER BY id",
        )
        .bind(model_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut stack: Vec<i64> = Vec::new();
        for (vid, change) in history {
            if change.is_none() {
                stack.pop();
            }
            if stack.last() != Some(&vid) {
                stack.push(vid);
            }
        }
        while stack.last() == Some(&current_id) {
            stack.pop();
        }
        let Some(&previous_id) = stack.last() else {
            return Err(GovernError::Conflict(format!(
                "model {model:?} has no previous production version to roll back to"
            )));
        };
        let (previous_label,): (String,) =
            sqlx::query_as("SELECT version FROM model_versions WHERE id = $1")
                .bind(previous_id)
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query("UPDATE model_versions SET stage = 'staging', updated_ms = $1 WHERE id = $2")
            .bind(now)
            .bind(current_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE model_versions SET stage = 'production', updated_ms = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(previous_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO deployments (model_id, version_id, change_id, actor, reason, created_ms) \
             VALUES ($1, $2, NULL, $3, $4, $5)",
        )
        .bind(model_id)
        .bind(previous_id)
        .bind(&who.name)
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let details = serde_json::json!({
            "restored_version": previous_label, "demoted_version": current_label,
            "reason": reason,
        });
        append_in!(tx, &NewEntry {
            actor: &who.name,
            action: "model.rollback",
            subject: &format!("model/{model}"),
            details: &details,
        });
        (previous_label, current_label)
    });
    Ok(Rollback {
        model: model.to_string(),
        restored_version: restored,
        demoted_version: demoted,
        reason: reason.to_string(),
        actor: who.name.clone(),
        created_ms: now,
    })
}
