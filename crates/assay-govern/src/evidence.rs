//! Audit evidence attached to a model version: the JSON reports of `assay fairness`,
//! `mitigate`, `explain`, `dp`, `mia`, `anonymize` and `pii` (uploaded by `--submit URL`), with
//! their policy verdicts.
//!
//! The verdict is never taken on trust: it is derived from the report's own policy result
//! ([`crate::report_verdict`]), and a submission whose claimed verdict differs is refused. A
//! report without a policy result is evidence with verdict `none`.
//!
//! Evidence is bound to what it is about ([`crate::report_binding`]): a report whose recorded
//! model digest is not the version's artifact digest is refused; one that records no model
//! digest is stored as unbound and satisfies no policy rule; a rule's maximum age is judged by
//! the report's own time.
//!
//! A report is stored as the compact JSON text it was received as (re-serialised once by
//! `serde_json`) together with the SHA-256 of that text, so a copy held elsewhere can be
//! matched against the record. Evidence is never edited or deleted.
//!
//! Submitting evidence of a kind also completes every review schedule of the same kind for the
//! version's model (e.g. a `fairness` report completes the `fairness` schedule), in the same
//! transaction (see [`crate::schedules`]).
//!
//! Every write commits together with its audit entry (see `db::write_tx!`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifacts::sha256_hex;
use crate::audit::{append_in, NewEntry};
use crate::db::{now_ms, on_pool, write_tx, Db};
use crate::GovernError;

/// Largest stored report, bytes of JSON text.
pub const MAX_REPORT_BYTES: usize = 16 << 20;

/// Which assay command produced a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// `assay fairness`: group fairness assessment.
    Fairness,
    /// `assay mitigate`: bias mitigation with before/after assessment.
    Mitigate,
    /// `assay explain`: feature attributions.
    Explain,
    /// `assay dp`: differential-privacy accounting.
    Dp,
    /// `assay mia`: membership-inference audit.
    Mia,
    /// `assay anonymize`: k-anonymity / l-diversity.
    Anonymize,
    /// `assay pii`: personal-data scan.
    Pii,
    /// Anything else (an external review, a manual test report).
    Other,
}

impl EvidenceKind {
    /// Every kind.
    pub const ALL: [EvidenceKind; 8] = [
        EvidenceKind::Fairness,
        EvidenceKind::Mitigate,
        EvidenceKind::Explain,
        EvidenceKind::Dp,
        EvidenceKind::Mia,
        EvidenceKind::Anonymize,
        EvidenceKind::Pii,
        EvidenceKind::Other,
    ];

    /// The stored name (also the review-schedule kind it completes).
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Fairness => "fairness",
            EvidenceKind::Mitigate => "mitigate",
            EvidenceKind::Explain => "explain",
            EvidenceKind::Dp => "dp",
            EvidenceKind::Mia => "mia",
            EvidenceKind::Anonymize => "anonymize",
            EvidenceKind::Pii => "pii",
            EvidenceKind::Other => "other",
        }
    }

    /// Parses a stored or user-supplied name.
    pub fn parse(s: &str) -> Result<EvidenceKind, GovernError> {
        EvidenceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                GovernError::Invalid(format!(
                    "unknown evidence kind {s:?} (expected fairness, mitigate, explain, dp, mia, \
                     anonymize, pii or other)"
                ))
            })
    }
}

/// A report's policy verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The policy passed.
    Pass,
    /// The policy failed.
    Fail,
    /// No policy was evaluated.
    None,
}

impl Verdict {
    /// `Pass`/`Fail` from a policy result, `None` without one.
    pub fn of(passed: Option<bool>) -> Verdict {
        match passed {
            Some(true) => Verdict::Pass,
            Some(false) => Verdict::Fail,
            None => Verdict::None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::None => "none",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Result<Verdict, GovernError> {
        match s {
            "pass" => Ok(Verdict::Pass),
            "fail" => Ok(Verdict::Fail),
            "none" => Ok(Verdict::None),
            _ => Err(GovernError::Invalid(format!(
                "unknown verdict {s:?} (expected pass, fail or none)"
            ))),
        }
    }
}

/// What submitting evidence takes (request body of
/// `POST /v1/models/{model}/versions/{version}/evidence`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceSpec {
    /// Which command produced the report.
    pub kind: EvidenceKind,
    /// The verdict the submitter claims (optional): the verdict is derived from the report's
    /// own policy result (`none` when it has none), and a claim that differs is refused.
    #[serde(default)]
    pub verdict: Option<Verdict>,
    /// The report: a JSON object (e.g. `assay fairness --format json` output).
    pub report: serde_json::Value,
}

/// A piece of evidence as stored and returned by the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// Database id.
    pub id: i64,
    /// The model's name.
    pub model: String,
    /// The version label.
    pub version: String,
    /// Which command produced the report.
    pub kind: EvidenceKind,
    /// The policy verdict.
    pub verdict: Verdict,
    /// SHA-256 of the stored report text, 64 lowercase hex digits.
    pub sha256: String,
    /// The model digest the report records (`provenance.model.sha256`), if any.
    pub model_sha256: Option<String>,
    /// Whether that digest is the version's artifact digest; unbound evidence satisfies no
    /// policy rule.
    pub bound: bool,
    /// The report's own time (`provenance.created_at`, ms since the Unix epoch), by which a
    /// policy rule's maximum age is judged; `None` when it records none.
    pub report_ms: Option<i64>,
    /// The report (absent in listings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<serde_json::Value>,
    /// Who submitted it.
    pub submitted_by: String,
    /// Submission time (ms since the Unix epoch).
    pub created_ms: i64,
}

type EvidenceRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    i64,
    Option<i64>,
);

const SELECT_EVIDENCE: &str = "SELECT e.id, m.name, v.version, e.kind, e.verdict, e.sha256, \
     e.submitted_by, e.created_ms, e.model_sha256, e.bound, e.report_ms FROM evidence e \
     JOIN model_versions v ON v.id = e.version_id JOIN models m ON m.id = v.model_id";

fn row_to_evidence(r: EvidenceRow) -> Result<Evidence, GovernError> {
    let (id, model, version, kind, verdict, sha256, submitted_by, created_ms) =
        (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7);
    Ok(Evidence {
        id,
        model,
        version,
        kind: EvidenceKind::parse(&kind)?,
        verdict: Verdict::parse(&verdict)?,
        sha256,
        model_sha256: r.8,
        bound: r.9 != 0,
        report_ms: r.10,
        report: None,
        submitted_by,
        created_ms,
    })
}

/// Attaches a report to `model`'s `version`, and completes the model's review schedules of the
/// same kind (each with its own `schedule.complete` audit entry) in the same transaction.
pub async fn submit(
    db: &Db,
    actor: &str,
    model: &str,
    version: &str,
    spec: &EvidenceSpec,
) -> Result<Evidence, GovernError> {
    submit_at(db, actor, model, version, spec, now_ms()).await
}

/// [`submit`] at the given time (ms since the Unix epoch), for tests and imports.
pub async fn submit_at(
    db: &Db,
    actor: &str,
    model: &str,
    version: &str,
    spec: &EvidenceSpec,
    now: i64,
) -> Result<Evidence, GovernError> {
    if !spec.report.is_object() {
        return Err(GovernError::Invalid(
            "report: expected a JSON object (the JSON output of an assay command)".into(),
        ));
    }
    let text = serde_json::to_string(&spec.report)?;
    if text.len() > MAX_REPORT_BYTES {
        return Err(GovernError::Invalid(format!(
            "report: longer than {MAX_REPORT_BYTES} bytes"
        )));
    }
    let verdict = crate::report_verdict::derive(spec.kind, &spec.report)?;
    if let Some(claimed) = spec.verdict {
        crate::report_verdict::check_claim(claimed, verdict)?;
    }
    let sha256 = sha256_hex(text.as_bytes());
    let kind = spec.kind.as_str();
    let id = write_tx!(db, tx => {
        let v: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT v.id, m.id, v.artifact_sha256 FROM model_versions v \
             JOIN models m ON m.id = v.model_id WHERE m.name = $1 AND v.version = $2",
        )
        .bind(model)
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((version_id, model_id, artifact)) = v else {
            return Err(GovernError::NotFound(format!("version {version:?} of model {model:?}")));
        };
        let binding = crate::report_binding::bind(&spec.report, model, version, &artifact, now)?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO evidence (version_id, kind, verdict, report, sha256, submitted_by, \
             created_ms, model_sha256, bound, report_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(version_id)
        .bind(kind)
        .bind(verdict.as_str())
        .bind(&text)
        .bind(&sha256)
        .bind(actor)
        .bind(now)
        .bind(&binding.model_sha256)
        .bind(i64::from(binding.bound))
        .bind(binding.report_ms)
        .fetch_one(&mut *tx)
        .await?;
        let details = serde_json::json!({
            "evidence_id": id, "kind": kind, "verdict": verdict.as_str(),
            "sha256": sha256, "size": text.len(), "model_sha256": binding.model_sha256,
            "bound": binding.bound, "report_ms": binding.report_ms,
        });
        append_in!(tx, &NewEntry {
            actor,
            action: "evidence.submit",
            subject: &format!("model/{model}/{version}/evidence/{id}"),
            details: &details,
        });
        let due: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, every_days FROM review_schedules WHERE model_id = $1 AND kind = $2",
        )
        .bind(model_id)
        .bind(kind)
        .fetch_all(&mut *tx)
        .await?;
        for (schedule_id, every_days) in due {
            let next = crate::schedules::next_due(now, every_days);
            sqlx::query(
                "UPDATE review_schedules SET last_done_ms = $1, next_due_ms = $2 WHERE id = $3",
            )
            .bind(now)
            .bind(next)
            .bind(schedule_id)
            .execute(&mut *tx)
            .await?;
            let details = serde_json::json!({
                "kind": kind, "last_done_ms": now, "next_due_ms": next,
                "evidence_id": id, "version": version,
            });
            append_in!(tx, &NewEntry {
                actor,
                action: "schedule.complete",
                subject: &format!("model/{model}/schedule/{schedule_id}"),
                details: &details,
            });
        }
        id
    });
    get(db, id).await
}

/// Every piece of evidence of a version, oldest first (without the reports).
pub async fn list(db: &Db, model: &str, version: &str) -> Result<Vec<Evidence>, GovernError> {
    crate::inventory::version_id(db, model, version).await?;
    let sql = format!("{SELECT_EVIDENCE} WHERE m.name = $1 AND v.version = $2 ORDER BY e.id");
    let rows: Vec<EvidenceRow> = on_pool!(db, p => sqlx::query_as(&sql)
        .bind(model)
        .bind(version)
        .fetch_all(p)
        .await?);
    rows.into_iter().map(row_to_evidence).collect()
}

/// One piece of evidence by id, with its report.
pub async fn get(db: &Db, id: i64) -> Result<Evidence, GovernError> {
    let sql = format!("{SELECT_EVIDENCE} WHERE e.id = $1");
    let row: Option<EvidenceRow> =
        on_pool!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
    let Some(row) = row else {
        return Err(GovernError::NotFound(format!("evidence {id}")));
    };
    let mut e = row_to_evidence(row)?;
    let (text,): (String,) = on_pool!(db, p => sqlx::query_as(
        "SELECT report FROM evidence WHERE id = $1")
        .bind(id)
        .fetch_one(p)
        .await?);
    e.report = Some(serde_json::from_str(&text)?);
    Ok(e)
}

/// The newest evidence of `kind` for a version (without the report), e.g. the latest fairness
/// report a change-approval policy looks at; `None` if there is none.
pub async fn latest(
    db: &Db,
    model: &str,
    version: &str,
    kind: EvidenceKind,
) -> Result<Option<Evidence>, GovernError> {
    let sql = format!(
        "{SELECT_EVIDENCE} WHERE m.name = $1 AND v.version = $2 AND e.kind = $3 \
         ORDER BY e.created_ms DESC, e.id DESC LIMIT 1"
    );
    let row: Option<EvidenceRow> = on_pool!(db, p => sqlx::query_as(&sql)
        .bind(model)
        .bind(version)
        .bind(kind.as_str())
        .fetch_optional(p)
        .await?);
    row.map(row_to_evidence).transpose()
}
