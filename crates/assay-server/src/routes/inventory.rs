//! The model inventory: `/v1/models` and `/v1/models/{model}/versions`.
//!
//! Pattern for route modules: a `routes(config)` table of [`RouteSpec`]s (method, path,
//! operationId, tag and summary, allowed roles, request/response types), handlers taking
//! `State<AppState>`, `Extension<Principal>` (set by the guard), `ApiPath`/`ApiQuery` and
//! `ApiJson` bodies, and returning `Result<_, ApiError>` (domain errors convert with `?`).
//! Writes by model owners call [`check_model_owner`] first.

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::{Extension, Json};

use assay_govern::inventory::{self, Model, ModelSpec, ModelUpdate, Version, VersionSpec};
use assay_govern::users::{Principal, Role};

use super::{check_model_owner, RouteSpec, OWNERS, READERS};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::json::{ApiJson, ApiPath};
use crate::state::AppState;

pub(crate) fn routes(_: &ServerConfig) -> Vec<RouteSpec> {
    vec![
        RouteSpec::new(Method::GET, "/v1/models", "listModels", list_models)
            .doc("inventory", "Every model in the inventory")
            .allow(READERS)
            .json_response::<Vec<Model>>(StatusCode::OK),
        RouteSpec::new(Method::POST, "/v1/models", "createModel", create_model)
            .doc(
                "inventory",
                "Register a model (purpose, uses, owner, data sources, dependencies, EU AI Act answers)",
            )
            .allow(OWNERS)
            .json_request::<ModelSpec>()
            .json_response::<Model>(StatusCode::CREATED),
        RouteSpec::new(Method::GET, "/v1/models/{model}", "getModel", get_model)
            .doc("inventory", "One model, with its risk tier and production version")
            .allow(READERS)
            .json_response::<Model>(StatusCode::OK),
        RouteSpec::new(Method::PATCH, "/v1/models/{model}", "updateModel", update_model)
            .doc("inventory", "Update a model's description or risk answers")
            .allow(OWNERS)
            .json_request::<ModelUpdate>()
            .json_response::<Model>(StatusCode::OK),
        RouteSpec::new(
            Method::GET,
            "/v1/models/{model}/versions",
            "listVersions",
            list_versions,
        )
        .doc("inventory", "A model's versions, oldest first")
        .allow(READERS)
        .json_response::<Vec<Version>>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/models/{model}/versions",
            "createVersion",
            create_version,
        )
        .doc("inventory", "Register a version (artifact digest) in development")
        .allow(OWNERS)
        .json_request::<VersionSpec>()
        .json_response::<Version>(StatusCode::CREATED),
        RouteSpec::new(
            Method::GET,
            "/v1/models/{model}/versions/{version}",
            "getVersion",
            get_version,
        )
        .doc("inventory", "One version")
        .allow(READERS)
        .json_response::<Version>(StatusCode::OK),
    ]
}

async fn list_models(State(s): State<AppState>) -> Result<Json<Vec<Model>>, ApiError> {
    Ok(Json(inventory::list_models(&s.db).await?))
}

async fn create_model(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiJson(spec): ApiJson<ModelSpec>,
) -> Result<(StatusCode, Json<Model>), ApiError> {
    if who.role != Role::Admin && spec.owner.as_deref().is_some_and(|o| o != who.name) {
        return Err(ApiError::forbidden(
            "only an admin may register a model on behalf of another owner",
        ));
    }
    let m = inventory::create_model(&s.db, &who.name, &spec).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

async fn get_model(
    State(s): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Model>, ApiError> {
    Ok(Json(inventory::get_model(&s.db, &name).await?))
}

async fn update_model(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(name): ApiPath<String>,
    ApiJson(upd): ApiJson<ModelUpdate>,
) -> Result<Json<Model>, ApiError> {
    check_model_owner(&s, &who, &name).await?;
    if upd.owner.is_some() && who.role != Role::Admin {
        return Err(ApiError::forbidden(
            "only an admin may change a model's owner",
        ));
    }
    Ok(Json(
        inventory::update_model(&s.db, &who.name, &name, &upd).await?,
    ))
}

async fn list_versions(
    State(s): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Vec<Version>>, ApiError> {
    Ok(Json(inventory::list_versions(&s.db, &name).await?))
}

async fn create_version(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(name): ApiPath<String>,
    ApiJson(spec): ApiJson<VersionSpec>,
) -> Result<(StatusCode, Json<Version>), ApiError> {
    check_model_owner(&s, &who, &name).await?;
    let v = inventory::create_version(&s.db, &who.name, &name, &spec).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

async fn get_version(
    State(s): State<AppState>,
    ApiPath((model, version)): ApiPath<(String, String)>,
) -> Result<Json<Version>, ApiError> {
    Ok(Json(inventory::get_version(&s.db, &model, &version).await?))
}
