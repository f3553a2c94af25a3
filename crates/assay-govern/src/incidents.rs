//! Incidents: something went wrong with one or more model versions (a fairness regression in
//! production, a privacy leak, a wrong decision that reached a customer).
//!
//! An incident has a severity (`sev1`, most severe, to `sev4`), a status that only moves forward
//! (`open` → `investigating` → `mitigated` → `resolved`; steps may be skipped, never undone),
//! the model versions it concerns, a timeline of events (opening, notes, status changes,
//! post-mortem) and a post-mortem (summary, root cause, prevention, timeline notes). A `sev1` or
//! `sev2` incident cannot be resolved without a post-mortem, given before or with the move to
//! `resolved`.
//!
//! Every write commits together with its audit entry (see `db::write_tx!`) and its
//! timeline event.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::audit::{append_in, NewEntry};
use crate::db::{now_ms, on_pool, write_tx, Db};
use crate::GovernError;

/// Longest title, bytes.
const MAX_TITLE: usize = 200;
/// Longest description, note or post-mortem field, bytes.
const MAX_TEXT: usize = 20_000;
/// Most linked versions or post-mortem timeline notes.
const MAX_ITEMS: usize = 100;

/// How bad an incident is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Critical: harm to people or legal exposure; needs a post-mortem.
    Sev1,
    /// Major; needs a post-mortem.
    Sev2,
    /// Moderate.
    Sev3,
    /// Minor.
    Sev4,
}

impl Severity {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Sev1 => "sev1",
            Severity::Sev2 => "sev2",
            Severity::Sev3 => "sev3",
            Severity::Sev4 => "sev4",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Result<Severity, GovernError> {
        match s {
            "sev1" => Ok(Severity::Sev1),
            "sev2" => Ok(Severity::Sev2),
            "sev3" => Ok(Severity::Sev3),
            "sev4" => Ok(Severity::Sev4),
            _ => Err(GovernError::Invalid(format!(
                "unknown severity {s:?} (expected sev1, sev2, sev3 or sev4)"
            ))),
        }
    }

    /// Whether resolving needs a post-mortem (`sev1`, `sev2`).
    pub fn needs_postmortem(self) -> bool {
        matches!(self, Severity::Sev1 | Severity::Sev2)
    }
}

/// Where an incident stands; it only moves forward, in this order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    /// Reported.
    Open,
    /// Being looked into.
    Investigating,
    /// The harm is contained (e.g. rolled back); the cause may not be fixed yet.
    Mitigated,
    /// Closed.
    Resolved,
}

impl IncidentStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Open => "open",
            IncidentStatus::Investigating => "investigating",
            IncidentStatus::Mitigated => "mitigated",
            IncidentStatus::Resolved => "resolved",
        }
    }

    /// Parses a stored or user-supplied name.
    pub fn parse(s: &str) -> Result<IncidentStatus, GovernError> {
        match s {
            "open" => Ok(IncidentStatus::Open),
            "investigating" => Ok(IncidentStatus::Investigating),
            "mitigated" => Ok(IncidentStatus::Mitigated),
            "resolved" => Ok(IncidentStatus::Resolved),
            _ => Err(GovernError::Invalid(format!(
                "unknown incident status {s:?} (expected open, investigating, mitigated or resolved)"
            ))),
        }
    }
}

/// A model version named by model and version label.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionRef {
    /// The model's name.
    pub model: String,
    /// The version label.
    pub version: String,
}

/// What opening an incident takes (request body of `POST /v1/incidents`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentSpec {
    /// One-line title, 1–200 bytes.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// What happened, as known so far.
    #[serde(default)]
    pub description: String,
    /// The model versions concerned (each must exist; at most 100).
    #[serde(default)]
    pub versions: Vec<VersionRef>,
}

/// A post-mortem (request body of `PUT /v1/incidents/{id}/postmortem`; replaces any earlier
/// one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostMortem {
    /// What happened and what the impact was.
    pub summary: String,
    /// Why it happened.
    pub root_cause: String,
    /// What will stop it happening again.
    pub prevention: String,
    /// Notes on the sequence of events, in order.
    #[serde(default)]
    pub timeline: Vec<String>,
}

/// A status change (request body of `POST /v1/incidents/{id}/status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The new status; must be later than the current one.
    pub status: IncidentStatus,
    /// Why, recorded in the timeline.
    #[serde(default)]
    pub note: String,
    /// A post-mortem to record with the change (lets a `sev1`/`sev2` incident be resolved in
    /// one call).
    #[serde(default)]
    pub postmortem: Option<PostMortem>,
}

/// A timeline note (request body of `POST /v1/incidents/{id}/events`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteSpec {
    /// The note, 1–20000 bytes.
    pub text: String,
}

/// One entry of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IncidentEvent {
    /// Database id.
    pub id: i64,
    /// When (ms since the Unix epoch).
    pub time_ms: i64,
    /// Who.
    pub actor: String,
    /// `opened`, `note`, `status` or `postmortem`.
    pub kind: String,
    /// The note, or a description of the change.
    pub text: String,
}

/// An incident as listed by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Incident {
    /// Database id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// Current status.
    pub status: IncidentStatus,
    /// Description.
    pub description: String,
    /// Who opened it.
    pub opened_by: String,
    /// The model versions concerned.
    pub versions: Vec<VersionRef>,
    /// The post-mortem, once written.
    pub postmortem: Option<PostMortem>,
    /// When it was opened (ms since the Unix epoch).
    pub created_ms: i64,
    /// When it was resolved (ms since the Unix epoch).
    pub resolved_ms: Option<i64>,
}

/// An incident with its timeline (`GET /v1/incidents/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IncidentDetail {
    /// The incident.
    #[serde(flatten)]
    pub incident: Incident,
    /// Its timeline, oldest first.
    pub events: Vec<IncidentEvent>,
}

/// Which incidents to list (query string of `GET /v1/incidents`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentFilter {
    /// Only incidents with this status.
    #[serde(default)]
    pub status: Option<IncidentStatus>,
    /// Only incidents linked to a version of this model.
    #[serde(default)]
    pub model: Option<String>,
}

fn check_text(what: &str, s: &str, max: usize, required: bool) -> Result<(), GovernError> {
    if required && s.trim().is_empty() {
        return Err(GovernError::Invalid(format!("{what}: must not be empty")));
    }
    if s.len() > max {
        return Err(GovernError::Invalid(format!(
            "{what}: longer than {max} bytes"
        )));
    }
    if s.contains('\0') {
        return Err(GovernError::Invalid(format!(
            "{what}: contains a NUL character"
        )));
    }
    Ok(())
}

fn check_postmortem(pm: &PostMortem) -> Result<(), GovernError> {
    check_text("postmortem.summary", &pm.summary, MAX_TEXT, true)?;
    check_text("postmortem.root_cause", &pm.root_cause, MAX_TEXT, true)?;
    check_text("postmortem.prevention", &pm.prevention, MAX_TEXT, true)?;
    if pm.timeline.len() > MAX_ITEMS {
        return Err(GovernError::Invalid(format!(
            "postmortem.timeline: more than {MAX_ITEMS} notes"
        )));
    }
    pm.timeline
        .iter()
        .try_for_each(|t| check_text("postmortem.timeline", t, MAX_TEXT, false))
}

type IncidentRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
);

const SELECT_INCIDENT: &str = "SELECT i.id, i.title, i.severity, i.status, i.description, \
     i.opened_by, i.postmortem, i.created_ms, i.resolved_ms FROM incidents i";

fn row_to_incident(r: IncidentRow) -> Result<Incident, GovernError> {
    let (id, title, severity, status, description, opened_by, pm, created_ms, resolved_ms) = r;
    Ok(Incident {
        id,
        title,
        severity: Severity::parse(&severity)?,
        status: IncidentStatus::parse(&status)?,
        description,
        opened_by,
        versions: Vec::new(),
        postmortem: pm.map(|t| serde_json::from_str(&t)).transpose()?,
        created_ms,
        resolved_ms,
    })
}

const SELECT_LINKS: &str = "SELECT l.incident_id, m.name, v.version FROM incident_versions l \
     JOIN model_versions v ON v.id = l.version_id JOIN models m ON m.id = v.model_id";

/// Opens an incident in status `open`, with an `opened` timeline event.
pub async fn open(
    db: &Db,
    actor: &str,
    spec: &IncidentSpec,
) -> Result<IncidentDetail, GovernError> {
    check_text("title", &spec.title, MAX_TITLE, true)?;
    check_text("description", &spec.description, MAX_TEXT, false)?;
    if spec.versions.len() > MAX_ITEMS {
        return Err(GovernError::Invalid(format!(
            "versions: more than {MAX_ITEMS} linked versions"
        )));
    }
    let mut links = spec.versions.clone();
    links.sort();
    links.dedup();
    let now = now_ms();
    let id = write_tx!(db, tx => {
        let mut version_ids = Vec::with_capacity(links.len());
        for l in &links {
            let v: Option<(i64,)> = sqlx::query_as(
                "SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id \
                 WHERE m.name = $1 AND v.version = $2",
            )
            .bind(&l.model)
            .bind(&l.version)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((vid,)) = v else {
                return Err(GovernError::Invalid(format!(
                    "versions: version {:?} of model {:?} does not exist", l.version, l.model
                )));
            };
            version_ids.push(vid);
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO incidents (title, severity, status, description, opened_by, \
             postmortem, created_ms, resolved_ms) VALUES ($1, $2, 'open', $3, $4, NULL, $5, NULL) \
             RETURNING id",
        )
        .bind(&spec.title)
        .bind(spec.severity.as_str())
        .bind(&spec.description)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for vid in version_ids {
            sqlx::query("INSERT INTO incident_versions (incident_id, version_id) VALUES ($1, $2)")
                .bind(id)
                .bind(vid)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO incident_events (incident_id, time_ms, actor, kind, text) \
             VALUES ($1, $2, $3, 'opened', $4)",
        )
        .bind(id)
        .bind(now)
        .bind(actor)
        .bind(format!("opened as {}: {}", spec.severity.as_str(), spec.title))
        .execute(&mut *tx)
        .await?;
        let details = serde_json::json!({
            "title": spec.title, "severity": spec.severity.as_str(),
            "description": spec.description, "versions": links,
        });
        append_in!(tx, &NewEntry {
            actor,
            action: "incident.open",
            subject: &format!("incident/{id}"),
            details: &details,
        });
        id
    });
    get(db, id).await
}

/// Incidents matching `filter`, newest first (without timelines).
pub async fn list(db: &Db, filter: &IncidentFilter) -> Result<Vec<Incident>, GovernError> {
    let status = filter.status.map(|s| s.as_str());
    let sql = format!(
        "{SELECT_INCIDENT} WHERE (CAST($1 AS TEXT) IS NULL OR i.status = $1) AND \
         (CAST($2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM incident_versions l \
         JOIN model_versions v ON v.id = l.version_id JOIN models m ON m.id = v.model_id \
         WHERE l.incident_id = i.id AND m.name = $2)) ORDER BY i.id DESC"
    );
    let rows: Vec<IncidentRow> = on_pool!(db, p => sqlx::query_as(&sql)
        .bind(status)
        .bind(filter.model.as_deref())
        .fetch_all(p)
        .await?);
    let mut incidents = rows
        .into_iter()
        .map(row_to_incident)
        .collect::<Result<Vec<_>, _>>()?;
    if incidents.is_empty() {
        return Ok(incidents);
    }
    let links: Vec<(i64, String, String)> = on_pool!(db, p => sqlx::query_as(
        &format!("{SELECT_LINKS} ORDER BY l.incident_id, m.name, v.version"))
        .fetch_all(p)
        .await?);
    let index: std::collections::HashMap<i64, usize> = incidents
        .iter()
        .enumerate()
        .map(|(i, inc)| (inc.id, i))
        .collect();
    for (incident_id, model, version) in links {
        if let Some(&i) = index.get(&incident_id) {
            incidents[i].versions.push(VersionRef { model, version });
        }
    }
    Ok(incidents)
}

/// One incident with its linked versions and timeline.
pub async fn get(db: &Db, id: i64) -> Result<IncidentDetail, GovernError> {
    let sql = format!("{SELECT_INCIDENT} WHERE i.id = $1");
    let row: Option<IncidentRow> =
        on_pool!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
    let Some(row) = row else {
        return Err(GovernError::NotFound(format!("incident {id}")));
    };
    let mut incident = row_to_incident(row)?;
    let links: Vec<(i64, String, String)> = on_pool!(db, p => sqlx::query_as(
        &format!("{SELECT_LINKS} WHERE l.incident_id = $1 ORDER BY m.name, v.version"))
        .bind(id)
        .fetch_all(p)
        .await?);
    incident.versions = links
        .into_iter()
        .map(|(_, model, version)| VersionRef { model, version })
        .collect();
    let events: Vec<(i64, i64, String, String, String)> = on_pool!(db, p => sqlx::query_as(
        "SELECT id, time_ms, actor, kind, text FROM incident_events WHERE incident_id = $1 \
         ORDER BY id")
        .bind(id)
        .fetch_all(p)
        .await?);
    Ok(IncidentDetail {
        incident,
        events: events
            .into_iter()
            .map(|(id, time_ms, actor, kind, text)| IncidentEvent {
                id,
                time_ms,
                actor,
                kind,
                text,
            })
            .collect(),
    })
}

/// Adds a note to an incident's timeline (also after it is resolved, e.g. follow-ups).
pub async fn add_note(
    db: &Db,
    actor: &str,
    id: i64,
    note: &NoteSpec,
) -> Result<IncidentDetail, GovernError> {
    check_text("text", &note.text, MAX_TEXT, true)?;
    let now = now_ms();
    write_tx!(db, tx => {
        let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM incidents WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(GovernError::NotFound(format!("incident {id}")));
        }
        let (event_id,): (i64,) = sqlx::query_as(
            "INSERT INTO incident_events (incident_id, time_ms, actor, kind, text) \
             VALUES ($1, $2, $3, 'note', $4) RETURNING id",
        )
        .bind(id)
        .bind(now)
        .bind(actor)
        .bind(&note.text)
        .fetch_one(&mut *tx)
        .await?;
        let details = serde_json::json!({ "event_id": event_id, "text": note.text });
        append_in!(tx, &NewEntry {
            actor,
            action: "incident.note",
            subject: &format!("incident/{id}"),
            details: &details,
        });
    });
    get(db, id).await
}

/// Moves an incident forward to `change.status` (recording a `status` event, and a
/// `postmortem` event first when a post-mortem comes with the change). Moving to the current or
/// an earlier status is a [`GovernError::Conflict`]; resolving a `sev1`/`sev2` incident without
/// a post-mortem is [`GovernError::Invalid`].
pub async fn set_status(
    db: &Db,
    actor: &str,
    id: i64,
    change: &StatusChange,
) -> Result<IncidentDetail, GovernError> {
    check_text("note", &change.note, MAX_TEXT, false)?;
    if let Some(pm) = &change.postmortem {
        check_postmortem(pm)?;
    }
    let pm_text = change
        .postmortem
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    let now = now_ms();
    write_tx!(db, tx => {
        let row: Option<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT severity, status, postmortem FROM incidents WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((severity, status, existing_pm)) = row else {
            return Err(GovernError::NotFound(format!("incident {id}")));
        };
        let severity = Severity::parse(&severity)?;
        let from = IncidentStatus::parse(&status)?;
        let to = change.status;
        if to <= from {
            return Err(GovernError::Conflict(format!(
                "incident {id} is {}; its status only moves forward \
                 (open, investigating, mitigated, resolved)",
                from.as_str()
            )));
        }
        if to == IncidentStatus::Resolved
            && severity.needs_postmortem()
            && existing_pm.is_none()
            && pm_text.is_none()
        {
            return Err(GovernError::Invalid(format!(
                "incident {id} is {}: a post-mortem (summary, root cause, prevention) is required \
                 before it can be resolved",
                severity.as_str()
            )));
        }
        if let Some(pm) = &pm_text {
            sqlx::query("UPDATE incidents SET postmortem = $1 WHERE id = $2")
                .bind(pm)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO incident_events (incident_id, time_ms, actor, kind, text) \
                 VALUES ($1, $2, $3, 'postmortem', $4)",
            )
            .bind(id)
            .bind(now)
            .bind(actor)
            .bind(if existing_pm.is_some() { "post-mortem replaced" } else { "post-mortem recorded" })
            .execute(&mut *tx)
            .await?;
        }
        let resolved_ms = (to == IncidentStatus::Resolved).then_some(now);
        sqlx::query("UPDATE incidents SET status = $1, resolved_ms = $2 WHERE id = $3")
            .bind(to.as_str())
            .bind(resolved_ms)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let text = if change.note.is_empty() {
            format!("{} -> {}", from.as_str(), to.as_str())
        } else {
            format!("{} -> {}: {}", from.as_str(), to.as_str(), change.note)
        };
        sqlx::query(
            "INSERT INTO incident_events (incident_id, time_ms, actor, kind, text) \
             VALUES ($1, $2, $3, 'status', $4)",
        )
        .bind(id)
        .bind(now)
        .bind(actor)
        .bind(&text)
        .execute(&mut *tx)
        .await?;
        let details = serde_json::json!({
            "from": from.as_str(), "to": to.as_str(), "note": change.note,
            "postmortem": pm_text,
        });
        append_in!(tx, &NewEntry {
            actor,
            action: "incident.status",
            subject: &format!("incident/{id}"),
            details: &details,
        });
    });
    get(db, id).await
}

/// Records (or replaces) an incident's post-mortem, with a `postmortem` timeline event.
pub async fn set_postmortem(
    db: &Db,
    actor: &str,
    id: i64,
    pm: &PostMortem,
) -> Result<IncidentDetail, GovernError> {
    check_postmortem(pm)?;
    let text = serde_json::to_string(pm)?;
    let now = now_ms();
    write_tx!(db, tx => {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT postmortem FROM incidents WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((existing,)) = row else {
            return Err(GovernError::NotFound(format!("incident {id}")));
        };
        sqlx::query("UPDATE incidents SET postmortem = $1 WHERE id = $2")
            .bind(&text)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO incident_events (incident_id, time_ms, actor, kind, text) \
             VALUES ($1, $2, $3, 'postmortem', $4)",
        )
        .bind(id)
        .bind(now)
        .bind(actor)
        .bind(if existing.is_some() { "post-mortem replaced" } else { "post-mortem recorded" })
        .execute(&mut *tx)
        .await?;
        let details = serde_json::json!({ "postmortem": text, "replaced": existing.is_some() });
        append_in!(tx, &NewEntry {
            actor,
            action: "incident.postmortem",
            subject: &format!("incident/{id}"),
            details: &details,
        });
    });
    get(db, id).await
}
