//! Health and the OpenAPI document: the only routes reachable without a token.

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::Json;
use schemars::JsonSchema;
use serde::Serialize;

use super::RouteSpec;
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::state::AppState;

/// `GET /health`.
#[derive(Serialize, JsonSchema)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
}

pub(crate) fn routes(_: &ServerConfig) -> Vec<RouteSpec> {
    vec![
        RouteSpec::new(Method::GET, "/health", "health", health)
            .doc("system", "Liveness and database reachability")
            .public()
            .json_response::<Health>(StatusCode::OK),
        RouteSpec::new(Method::GET, "/openapi.json", "openapi", openapi)
            .doc("system", "This API's OpenAPI 3.1 document")
            .public(),
    ]
}

async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    assay_govern::users::count(&state.db).await?;
    Ok(Json(Health {
        status: "ok".into(),
        backend: match state.db.backend() {
            assay_govern::db::Backend::Sqlite => "sqlite".into(),
            assay_govern::db::Backend::Postgres => "postgres".into(),
        },
    }))
}

async fn openapi(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.openapi.as_ref().clone())
}
