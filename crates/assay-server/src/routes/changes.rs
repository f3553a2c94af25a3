//! Change management: `/v1/models/{model}/versions/{version}/changes`, `/v1/changes` and
//! `/v1/models/{model}/rollback` (see [`assay_govern::changes`]).
//!
//! Everyone reads change requests; model owners and admins open, apply and withdraw them and
//! roll back (a model owner only for models it owns, [`check_model_owner`]); reviewers and
//! admins decide them. Separation of duties, the approval policy ([`AppState::policy`]) and
//! exactly-once decisions are enforced by the data layer, whose refusals (403, 409) the guard
//! records in the audit log like every other refused request.

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::{Extension, Json};

use assay_govern::changes::{
    self, ChangeFilter, ChangeRequest, ChangeSpec, DecisionSpec, Rollback, RollbackSpec,
};
use assay_govern::policy::{Decision, Policy};
use assay_govern::users::Principal;

use super::{check_model_owner, RouteSpec, OWNERS, READERS, REVIEWERS};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

pub(crate) fn routes(_: &ServerConfig) -> Vec<RouteSpec> {
    vec![
        RouteSpec::new(Method::GET, "/v1/policy", "getPolicy", get_policy)
            .doc(
                "changes",
                "The approval policy in force (rules per risk tier and target stage)",
            )
            .allow(READERS)
            .json_response::<Policy>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/models/{model}/versions/{version}/changes",
            "openChange",
            open_change,
        )
        .doc(
            "changes",
            "Open a change request moving a version to staging or production (impact assessment \
             and rollback plan required)",
        )
        .allow(OWNERS)
        .json_request::<ChangeSpec>()
        .json_response::<ChangeRequest>(StatusCode::CREATED),
        RouteSpec::new(Method::GET, "/v1/changes", "listChanges", list_changes)
            .doc(
                "changes",
                "Change requests, newest first; filter with ?status= and ?model=",
            )
            .allow(READERS)
            .json_response::<Vec<ChangeRequest>>(StatusCode::OK),
        RouteSpec::new(Method::GET, "/v1/changes/{id}", "getChange", get_change)
            .doc(
                "changes",
                "One change request with its decisions and what the approval policy still needs",
            )
            .allow(READERS)
            .json_response::<ChangeRequest>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/changes/{id}/approve",
            "approveChange",
            approve_change,
        )
        .doc(
            "changes",
            "Approve a change request (once per reviewer; never one's own request or model)",
        )
        .allow(REVIEWERS)
        .json_request::<DecisionSpec>()
        .json_response::<ChangeRequest>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/changes/{id}/reject",
            "rejectChange",
            reject_change,
        )
        .doc(
            "changes",
            "Reject a change request (once per reviewer; never one's own request or model)",
        )
        .allow(REVIEWERS)
        .json_request::<DecisionSpec>()
        .json_response::<ChangeRequest>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/changes/{id}/apply",
            "applyChange",
            apply_change,
        )
        .doc(
            "changes",
            "Apply a change request whose approval policy is satisfied now (moves the version; \
             entering production retires the previous production version)",
        )
        .allow(OWNERS)
        .json_response::<ChangeRequest>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/changes/{id}/withdraw",
            "withdrawChange",
            withdraw_change,
        )
        .doc(
            "changes",
            "Withdraw an open or approved change request (its requester or an admin)",
        )
        .allow(OWNERS)
        .json_response::<ChangeRequest>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/models/{model}/rollback",
            "rollbackModel",
            rollback_model,
        )
        .doc(
            "changes",
            "Put the previous production version back in production in one action (the current \
             one moves to staging)",
        )
        .allow(OWNERS)
        .json_request::<RollbackSpec>()
        .json_response::<Rollback>(StatusCode::OK),
    ]
}

async fn open_change(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath((model, version)): ApiPath<(String, String)>,
    ApiJson(spec): ApiJson<ChangeSpec>,
) -> Result<(StatusCode, Json<ChangeRequest>), ApiError> {
    check_model_owner(&s, &who, &model).await?;
    let c = changes::open(&s.db, &s.policy, &who, &model, &version, &spec).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

async fn list_changes(
    State(s): State<AppState>,
    ApiQuery(filter): ApiQuery<ChangeFilter>,
) -> Result<Json<Vec<ChangeRequest>>, ApiError> {
    Ok(Json(changes::list(&s.db, &s.policy, &filter).await?))
}

async fn get_change(
    State(s): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ChangeRequest>, ApiError> {
    Ok(Json(changes::get(&s.db, &s.policy, id).await?))
}

async fn approve_change(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(d): ApiJson<DecisionSpec>,
) -> Result<Json<ChangeRequest>, ApiError> {
    let c = changes::decide(&s.db, &s.policy, &who, id, Decision::Approve, &d.comment).await?;
    Ok(Json(c))
}

async fn reject_change(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(d): ApiJson<DecisionSpec>,
) -> Result<Json<ChangeRequest>, ApiError> {
    let c = changes::decide(&s.db, &s.policy, &who, id, Decision::Reject, &d.comment).await?;
    Ok(Json(c))
}

/// Per-model ownership for routes addressed by change id: the request's model.
async fn check_change_owner(s: &AppState, who: &Principal, id: i64) -> Result<(), ApiError> {
    let c = changes::get(&s.db, &s.policy, id).await?;
    check_model_owner(s, who, &c.model).await
}

async fn apply_change(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ChangeRequest>, ApiError> {
    check_change_owner(&s, &who, id).await?;
    Ok(Json(changes::apply(&s.db, &s.policy, &who, id).await?))
}

async fn withdraw_change(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ChangeRequest>, ApiError> {
    Ok(Json(changes::withdraw(&s.db, &s.policy, &who, id).await?))
}

async fn rollback_model(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(model): ApiPath<String>,
    ApiJson(spec): ApiJson<RollbackSpec>,
) -> Result<Json<Rollback>, ApiError> {
    check_model_owner(&s, &who, &model).await?;
    Ok(Json(
        changes::rollback(&s.db, &who, &model, &spec.reason).await?,
    ))
}

async fn get_policy(State(s): State<AppState>) -> Json<Policy> {
    Json(s.policy.as_ref().clone())
}
