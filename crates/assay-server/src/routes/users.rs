//! Accounts and tokens: `/v1/me`, `/v1/users`, `/v1/tokens`.

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use assay_govern::users::{self, AccountKind, IssuedToken, NewUser, Principal, Role, User};

use super::{RouteSpec, ADMIN, ADMIN_AUDITOR, ANY_ROLE};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::json::{ApiJson, ApiPath};
use crate::state::AppState;

/// Body of `POST /v1/users`.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Unique account name.
    pub name: String,
    /// `user` (a person) or `service` (CI, schedulers; cannot approve changes).
    pub kind: AccountKind,
    /// The account's role.
    pub role: Role,
    /// Teams (e.g. `risk`) that approval policies can require.
    #[serde(default)]
    pub teams: Vec<String>,
}

/// Body of `POST /v1/users/{name}/tokens`.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueToken {
    /// What the token is for (shown in the audit log).
    pub label: String,
    /// Days until it expires; none means no expiry.
    #[serde(default)]
    pub ttl_days: Option<u32>,
}

pub(crate) fn routes(_: &ServerConfig) -> Vec<RouteSpec> {
    vec![
        RouteSpec::new(Method::GET, "/v1/me", "whoami", me)
            .doc("access", "The authenticated account")
            .allow(ANY_ROLE)
            .json_response::<Principal>(StatusCode::OK),
        RouteSpec::new(Method::GET, "/v1/users", "listUsers", list)
            .doc("access", "Every account")
            .allow(ADMIN_AUDITOR)
            .json_response::<Vec<User>>(StatusCode::OK),
        RouteSpec::new(Method::POST, "/v1/users", "createUser", create)
            .doc("access", "Create a user or service account")
            .allow(ADMIN)
            .json_request::<CreateUser>()
            .json_response::<User>(StatusCode::CREATED),
        RouteSpec::new(Method::GET, "/v1/users/{name}", "getUser", get)
            .doc("access", "One account")
            .allow(ADMIN_AUDITOR)
            .json_response::<User>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/users/{name}/disable",
            "disableUser",
            disable,
        )
        .doc("access", "Disable an account (its tokens stop working)")
        .allow(ADMIN)
        .json_response::<User>(StatusCode::OK),
        RouteSpec::new(
            Method::POST,
            "/v1/users/{name}/enable",
            "enableUser",
            enable,
        )
        .doc("access", "Re-enable an account")
        .allow(ADMIN)
        .json_response::<User>(StatusCode::OK),
        RouteSpec::new(Method::POST, "/v1/users/{name}/tokens", "issueToken", issue)
            .doc(
                "access",
                "Issue an API token (shown once; stored only as its SHA-256)",
            )
            .allow(ADMIN)
            .json_request::<IssueToken>()
            .json_response::<IssuedToken>(StatusCode::CREATED),
        RouteSpec::new(Method::DELETE, "/v1/tokens/{id}", "revokeToken", revoke)
            .doc("access", "Revoke an API token")
            .allow(ADMIN),
    ]
}

async fn me(Extension(who): Extension<Principal>) -> Json<Principal> {
    Json(who)
}

async fn list(State(s): State<AppState>) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(users::list(&s.db).await?))
}

async fn create(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiJson(body): ApiJson<CreateUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = users::create(
        &s.db,
        &who.name,
        &NewUser {
            name: body.name,
            kind: body.kind,
            role: body.role,
            teams: body.teams,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

async fn get(
    State(s): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(users::get(&s.db, &name).await?))
}

async fn disable(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<User>, ApiError> {
    if name == who.name {
        return Err(ApiError::invalid(
            "an admin cannot disable their own account",
        ));
    }
    Ok(Json(
        users::set_disabled(&s.db, &who.name, &name, true).await?,
    ))
}

async fn enable(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(
        users::set_disabled(&s.db, &who.name, &name, false).await?,
    ))
}

async fn issue(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<IssueToken>,
) -> Result<(StatusCode, Json<IssuedToken>), ApiError> {
    let t = users::issue_token(&s.db, &who.name, &name, &body.label, body.ttl_days).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

async fn revoke(
    State(s): State<AppState>,
    Extension(who): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    users::revoke_token(&s.db, &who.name, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
