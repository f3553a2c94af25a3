//! Recurring review schedules per model (e.g. a fairness audit every 90 days) and the list of
//! overdue ones.
//!
//! A schedule has a kind (a name such as `fairness`; the kinds of [`crate::evidence`] complete
//! the schedule of the same kind automatically when evidence is submitted), a period in days and
//! the time the next review is due. Completing a review sets `last_done_ms` to the completion
//! time and `next_due_ms` to that time plus the period. At most one schedule per model and kind.
//!
//! Functions taking `now` (ms since the Unix epoch) exist so that tests and reports can ask
//! "what is overdue at time T" without waiting; the plain versions use the clock.
//!
//! Every write commits together with its audit entry (see `db::write_tx!`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::audit::{append_in, NewEntry};
use crate::db::{now_ms, on_pool, write_tx, Db};
use crate::users::check_name;
use crate::GovernError;

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// Longest period, days (ten years).
pub const MAX_EVERY_DAYS: u32 = 3650;

/// What creating a schedule takes (request body of `POST /v1/models/{model}/schedules`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSpec {
    /// What is reviewed, e.g. `fairness` (1–64 characters from `[A-Za-z0-9._@-]`); evidence
    /// of a kind with this name completes the schedule.
    pub kind: String,
    /// Period between reviews, 1–3650 days.
    pub every_days: u32,
    /// When the first review is due (ms since the Unix epoch); defaults to one period from now.
    #[serde(default)]
    pub first_due_ms: Option<i64>,
}

/// A review schedule as stored and returned by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Schedule {
    /// Database id.
    pub id: i64,
    /// The model's name.
    pub model: String,
    /// What is reviewed.
    pub kind: String,
    /// Period between reviews, days.
    pub every_days: i64,
    /// When the last review was completed (ms since the Unix epoch), if ever.
    pub last_done_ms: Option<i64>,
    /// When the next review is due (ms since the Unix epoch).
    pub next_due_ms: i64,
    /// Creation time (ms since the Unix epoch).
    pub created_ms: i64,
}

/// An overdue schedule: the schedule and by how long it is overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Overdue {
    /// The schedule.
    #[serde(flatten)]
    pub schedule: Schedule,
    /// Whole days since the review fell due (0 when less than a day late).
    pub days_overdue: i64,
}

/// When a review completed at `now` falls due next, with a period of `every_days`.
pub(crate) fn next_due(now: i64, every_days: i64) -> i64 {
    now.saturating_add(every_days.saturating_mul(DAY_MS))
}

type ScheduleRow = (i64, String, String, i64, Option<i64>, i64, i64);

const SELECT_SCHEDULE: &str = "SELECT s.id, m.name, s.kind, s.every_days, s.last_done_ms, \
     s.next_due_ms, s.created_ms FROM review_schedules s JOIN models m ON m.id = s.model_id";

fn row_to_schedule(r: ScheduleRow) -> Schedule {
    let (id, model, kind, every_days, last_done_ms, next_due_ms, created_ms) = r;
    Schedule {
        id,
        model,
        kind,
        every_days,
        last_done_ms,
        next_due_ms,
        created_ms,
    }
}

/// Creates a review schedule for `model`.
pub async fn create(
    db: &Db,
    actor: &str,
    model: &str,
    spec: &ScheduleSpec,
) -> Result<Schedule, GovernError> {
    create_at(db, actor, model, spec, now_ms()).await
}

/// [`create`] at the given time (ms since the Unix epoch).
pub async fn create_at(
    db: &Db,
    actor: &str,
    model: &str,
    spec: &ScheduleSpec,
    now: i64,
) -> Result<Schedule, GovernError> {
    check_name("schedule kind", &spec.kind)?;
    if spec.every_days == 0 || spec.every_days > MAX_EVERY_DAYS {
        return Err(GovernError::Invalid(format!(
            "every_days: expected 1-{MAX_EVERY_DAYS}, got {}",
            spec.every_days
        )));
    }
    if spec.first_due_ms.is_some_and(|t| t < 0) {
        return Err(GovernError::Invalid(
            "first_due_ms: expected milliseconds since the Unix epoch, not negative".into(),
        ));
    }
    let every = i64::from(spec.every_days);
    let due = spec.first_due_ms.unwrap_or_else(|| next_due(now, every));
    let id = write_tx!(db, tx => {
        let m: Option<(i64,)> = sqlx::query_as("SELECT id FROM models WHERE name = $1")
            .bind(model)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((model_id,)) = m else {
            return Err(GovernError::NotFound(format!("model {model:?}")));
        };
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM review_schedules WHERE model_id = $1 AND kind = $2")
                .bind(model_id)
                .bind(&spec.kind)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            return Err(GovernError::Conflict(format!(
                "model {model:?} already has a {:?} review schedule", spec.kind
            )));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO review_schedules (model_id, kind, every_days, last_done_ms, \
             next_due_ms, created_ms) VALUES ($1, $2, $3, NULL, $4, $5) RETURNING id",
        )
        .bind(model_id)
        .bind(&spec.kind)
        .bind(every)
        .bind(due)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let details = serde_json::json!({
            "schedule_id": id, "kind": spec.kind, "every_days": every, "next_due_ms": due,
        });
        append_in!(tx, &NewEntry {
            actor,
            action: "schedule.create",
            subject: &format!("model/{model}/schedule/{id}"),
            details: &details,
        });
        id
    });
    get(db, id).await
}

/// One schedule by id.
pub async fn get(db: &Db, id: i64) -> Result<Schedule, GovernError> {
    let sql = format!("{SELECT_SCHEDULE} WHERE s.id = $1");
    let row: Option<ScheduleRow> =
        on_pool!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
    row.map(row_to_schedule)
        .ok_or_else(|| GovernError::NotFound(format!("review schedule {id}")))
}

/// Every schedule of `model`, by kind.
pub async fn list(db: &Db, model: &str) -> Result<Vec<Schedule>, GovernError> {
    crate::inventory::get_model(db, model).await?;
    let sql = format!("{SELECT_SCHEDULE} WHERE m.name = $1 ORDER BY s.kind");
    let rows: Vec<ScheduleRow> =
        on_pool!(db, p => sqlx::query_as(&sql).bind(model).fetch_all(p).await?);
    Ok(rows.into_iter().map(row_to_schedule).collect())
}

/// Records that the review of schedule `id` was done now.
pub async fn complete(db: &Db, actor: &str, id: i64) -> Result<Schedule, GovernError> {
    complete_at(db, actor, id, now_ms()).await
}

/// [`complete`] at the given time (ms since the Unix epoch): `last_done_ms = now` and
/// `next_due_ms = now + every_days`.
pub async fn complete_at(db: &Db, actor: &str, id: i64, now: i64) -> Result<Schedule, GovernError> {
    write_tx!(db, tx => {
        let sql = format!("{SELECT_SCHEDULE} WHERE s.id = $1");
        let row: Option<ScheduleRow> =
            sqlx::query_as(&sql).bind(id).fetch_optional(&mut *tx).await?;
        let Some(row) = row else {
            return Err(GovernError::NotFound(format!("review schedule {id}")));
        };
        let s = row_to_schedule(row);
        let next = next_due(now, s.every_days);
        sqlx::query(
            "UPDATE review_schedules SET last_done_ms = $1, next_due_ms = $2 WHERE id = $3",
        )
        .bind(now)
        .bind(next)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let details = serde_json::json!({
            "kind": s.kind, "last_done_ms": now, "next_due_ms": next,
        });
        append_in!(tx, &NewEntry {
            actor,
            action: "schedule.complete",
            subject: &format!("model/{}/schedule/{id}", s.model),
            details: &details,
        });
    });
    get(db, id).await
}

/// Every schedule whose next review was due before `now`, most overdue first.
pub async fn overdue(db: &Db, now: i64) -> Result<Vec<Overdue>, GovernError> {
    let sql = format!("{SELECT_SCHEDULE} WHERE s.next_due_ms < $1 ORDER BY s.next_due_ms, s.id");
    let rows: Vec<ScheduleRow> =
        on_pool!(db, p => sqlx::query_as(&sql).bind(now).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|r| {
            let schedule = row_to_schedule(r);
            let days_overdue = (now - schedule.next_due_ms) / DAY_MS;
            Overdue {
                schedule,
                days_overdue,
            }
        })
        .collect())
}
