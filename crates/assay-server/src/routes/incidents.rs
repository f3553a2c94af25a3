//! Incidents (`/v1/incidents`: severity, forward-only status, linked model versions, timeline,
//! post-mortem) and recurring review schedules (`/v1/models/{model}/schedules`,
//! `/v1/schedules/...`, with the overdue list).
//!
//! Everyone reads; admins, model owners and reviewers respond to incidents and complete
//! reviews; schedules are created by admins and the model's owner ([`check_model_owner`]).

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::{Extension, Json};

use assay_govern::incidents::{
    self, Incident, IncidentDetail, IncidentFilter, IncidentSpec, NoteSpec, PostMortem,
    StatusChange,
};
use assay_govern::schedules::{self, Overdue, Schedule, ScheduleSpec};
use assay_govern::users::Principal;

use super::{check_model_owner, RouteSpec, OWNERS, READERS, RESPONDERS};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

pub(crate) fn routes(_: &ServerConfig) -> Vec<RouteSpec> {
    vec![
        RouteSpec::new(Method::GET, "/v1/incidents", "listIncidents", list_incidents)
            .doc(
                "incidents",
                "Incidents, newest first; filter with ?status= and ?model=",
            )
            .allow(READERS)
            .json_response::<Vec<Incident>>(StatusCode::OK),
        RouteSpec::new(Method::POST, "/v1/incidents", "openIncident", open_incident)
            .doc(
                "incidents",
                "Open an incident (title, severity sev1-sev4, description, linked versions)",
            )
            .allow(RESPONDERS)
            .json_request::<IncidentSpec>()
            .json_response::<IncidentDetail>(StatusCode::CREATED),
        RouteSpec::new(Method::GET, "/v1/incidents/{id}", "getIncident", get_incident)
            .doc("incidents", "One incident with its linked versions and timeline")
            .allow(READERS)
            .json_response::<IncidentDetail>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/incidents/{id}/events",
            "addIncidentNote",
            add_note,
        )
        .doc("incidents", "Add a note to an incident's timeline")
        .allow(RESPONDERS)
        .json_request::<NoteSpec>()
        .json_response::<IncidentDetail>(StatusCode::CREATED),
        RouteSpec::new(
            Method::POST,
            "/v1/incidents/{id}/status",
            "setIncidentStatus",
            set_status,
        )
        .doc(
            "incidents",
            "Move an incident forward (open, investigating, mitigated, resolved); sev1/sev2 need \
             a post-mortem, recorded before or with the move to resolved",
        )
        .allow(RESPONDERS)
        .json_request::<StatusChange>()
        .json_response::<IncidentDetail>(StatusCode::OK),
        RouteSpec::new(
            Method::PUT,
            "/v1/incidents/{id}/postmortem",
            "setIncidentPostmortem",
            set_postmortem,
        )
        .doc(
            "incidents",
            "Record or replace an incident's post-mortem (summary, root cause, prevention, timeline)",
        )
        .allow(RESPONDERS)
        .json_request::<PostMortem>()
        .json_response::<IncidentDetail>(StatusCode::OK),
        RouteSpec::new(
            Method::GET,
            "/v1/models/{model}/schedules",
            "listSchedules",
            list_schedules,
        )
        .doc("schedules", "A model's review schedules")
        .allow(READERS)
        .json_response::<Vec<Schedule>>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/models/{model}/schedules",
            "createSchedule",
            create_schedule,
        )
        .doc(
            "schedules",
            "Create a recurring review for a model (kind, e.g. fairness, and a period in days)",
        )
        .allow(OWNERS)
        .json_request::<ScheduleSpec>()
        .json_response::<Schedule>(StatusCode::CREATED),
        RouteSpec::new(
            Method::GET,
            "/v1/schedules/overdue",
            "listOverdueSchedules",
            overdue,
        )
        .doc("schedules", "Reviews past their due time, most overdue first")
        .allow(READERS)
        .json_response::<Vec<Overdue>>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/schedules/{id}/complete",
            "completeSchedule",
            complete_schedule,
        )
        .doc(
            "schedules",
            "Record a review as done now; the next one falls due one period later",
        )
        .allow(RESPONDERS)
        .json_response::<Schedule>(StatusCode::OK),
    ]
}

async fn list_incidents(
    State(s): State<AppState>,
    ApiQuery(filter): ApiQuery<IncidentFilter>,
) -> Result<Json<Vec<Incident>>, ApiError> {
    Ok(Json(incidents::list(&s.db, &filter).await?))
}

async fn open_incident(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiJson(spec): ApiJson<IncidentSpec>,
) -> Result<(StatusCode, Json<IncidentDetail>), ApiError> {
    let d = incidents::open(&s.db, &who.name, &spec).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

async fn get_incident(
    State(s): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<IncidentDetail>, ApiError> {
    Ok(Json(incidents::get(&s.db, id).await?))
}

async fn add_note(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(note): ApiJson<NoteSpec>,
) -> Result<(StatusCode, Json<IncidentDetail>), ApiError> {
    let d = incidents::add_note(&s.db, &who.name, id, &note).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

async fn set_status(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<IncidentDetail>, ApiError> {
    Ok(Json(
        incidents::set_status(&s.db, &who.name, id, &change).await?,
    ))
}

async fn set_postmortem(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(pm): ApiJson<PostMortem>,
) -> Result<Json<IncidentDetail>, ApiError> {
    Ok(Json(
        incidents::set_postmortem(&s.db, &who.name, id, &pm).await?,
    ))
}

async fn list_schedules(
    State(s): State<AppState>,
    ApiPath(model): ApiPath<String>,
) -> Result<Json<Vec<Schedule>>, ApiError> {
    Ok(Json(schedules::list(&s.db, &model).await?))
}

async fn create_schedule(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(model): ApiPath<String>,
    ApiJson(spec): ApiJson<ScheduleSpec>,
) -> Result<(StatusCode, Json<Schedule>), ApiError> {
    check_model_owner(&s, &who, &model).await?;
    let sch = schedules::create(&s.db, &who.name, &model, &spec).await?;
    Ok((StatusCode::CREATED, Json(sch)))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

async fn overdue(State(s): State<AppState>) -> Result<Json<Vec<Overdue>>, ApiError> {
    Ok(Json(schedules::overdue(&s.db, now_ms()).await?))
}

async fn complete_schedule(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Schedule>, ApiError> {
    Ok(Json(schedules::complete(&s.db, &who.name, id).await?))
}
