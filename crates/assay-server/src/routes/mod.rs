//! The route table: every endpoint with its method, path, allowed roles, request and response
//! types. It drives the router ([`crate::app`]), the authorisation guard and the OpenAPI
//! document ([`crate::openapi`]), so the three cannot disagree; the test
//! `tests/authz.rs` checks the guard's behaviour against the independent table `authz.tsv`.
//!
//! Each module contributes `pub(crate) fn routes(config) -> Vec<RouteSpec>`; register a new
//! module by adding it to [`all`] (one line).

use axum::handler::Handler;
use axum::http::{Method, StatusCode};
use axum::routing::{on, MethodFilter, MethodRouter};
use schemars::{JsonSchema, Schema, SchemaGenerator};

use assay_govern::users::{Principal, Role};

use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::state::AppState;

pub(crate) mod artifacts;
pub(crate) mod audit;
pub(crate) mod changes;
pub(crate) mod incidents;
pub(crate) mod inventory;
pub(crate) mod system;
pub mod users;

/// Every route of the API, in documentation order.
pub fn all(config: &ServerConfig) -> Vec<RouteSpec> {
    let mut v = Vec::new();
    v.extend(system::routes(config));
    v.extend(users::routes(config));
    v.extend(inventory::routes(config));
    v.extend(artifacts::routes(config));
    v.extend(changes::routes(config));
    v.extend(incidents::routes(config));
    v.extend(audit::routes(config));
    v
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a token (health and the OpenAPI document only).
    Public,
    /// Authenticated callers with one of these roles.
    Roles(&'static [Role]),
}

/// Every role.
pub const ANY_ROLE: &[Role] = &Role::ALL;
/// Roles that read the inventory, changes and incidents (everyone).
pub const READERS: &[Role] = &Role::ALL;
/// Admins and auditors (users, the audit log).
pub const ADMIN_AUDITOR: &[Role] = &[Role::Admin, Role::Auditor];
/// Admins only.
pub const ADMIN: &[Role] = &[Role::Admin];
/// Admins and model owners (inventory writes).
pub const OWNERS: &[Role] = &[Role::Admin, Role::ModelOwner];
/// Admins and reviewers (decisions on change requests).
pub const REVIEWERS: &[Role] = &[Role::Admin, Role::Reviewer];
/// Admins, model owners and reviewers (incidents, completing reviews).
pub const RESPONDERS: &[Role] = &[Role::Admin, Role::ModelOwner, Role::Reviewer];

/// The shape of a request or response body, for the OpenAPI document.
#[derive(Clone, Copy)]
pub enum BodyKind {
    /// No body.
    None,
    /// `application/json` of the given schema.
    Json(fn(&mut SchemaGenerator) -> Schema),
    /// `application/octet-stream`.
    Bytes,
}

/// One endpoint.
pub struct RouteSpec {
    /// HTTP method.
    pub method: Method,
    /// Route template with `{param}` segments (axum and OpenAPI share the syntax).
    pub path: &'static str,
    /// OpenAPI operationId.
    pub operation_id: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// OpenAPI tag (section).
    pub tag: &'static str,
    /// Who may call it.
    pub access: Access,
    /// Request body.
    pub request: BodyKind,
    /// Success response body.
    pub response: BodyKind,
    /// Success status.
    pub success: StatusCode,
    /// Larger body limit than the JSON default (artifact uploads), bytes.
    pub body_limit: Option<usize>,
    /// The handler, bound to `method`.
    pub handler: MethodRouter<AppState>,
}

fn schema_of<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

impl RouteSpec {
    /// A route calling `handler` for `method path`; allowed to nobody until [`Self::allow`].
    pub fn new<H, T>(
        method: Method,
        path: &'static str,
        operation_id: &'static str,
        handler: H,
    ) -> RouteSpec
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("standard HTTP method");
        RouteSpec {
            method,
            path,
            operation_id,
            summary: "",
            tag: "",
            access: Access::Roles(&[]),
            request: BodyKind::None,
            response: BodyKind::None,
            success: StatusCode::OK,
            body_limit: None,
            handler: on(filter, handler),
        }
    }

    /// Sets the summary and tag.
    pub fn doc(mut self, tag: &'static str, summary: &'static str) -> RouteSpec {
        self.tag = tag;
        self.summary = summary;
        self
    }

    /// Allows these roles.
    pub fn allow(mut self, roles: &'static [Role]) -> RouteSpec {
        self.access = Access::Roles(roles);
        self
    }

    /// Makes the route public (no token needed).
    pub fn public(mut self) -> RouteSpec {
        self.access = Access::Public;
        self
    }

    /// Declares a JSON request body of type `T`.
    pub fn json_request<T: JsonSchema>(mut self) -> RouteSpec {
        self.request = BodyKind::Json(schema_of::<T>);
        self
    }

    /// Declares a raw byte request body with its own size limit.
    pub fn bytes_request(mut self, limit: usize) -> RouteSpec {
        self.request = BodyKind::Bytes;
        self.body_limit = Some(limit);
        self
    }

    /// Raises this route's body limit above the JSON default (bytes).
    pub fn body_limit(mut self, limit: usize) -> RouteSpec {
        self.body_limit = Some(limit);
        self
    }

    /// Declares a JSON response body of type `T` with status `success`.
    pub fn json_response<T: JsonSchema>(mut self, success: StatusCode) -> RouteSpec {
        self.response = BodyKind::Json(schema_of::<T>);
        self.success = success;
        self
    }

    /// Declares a raw byte response body.
    pub fn bytes_response(mut self) -> RouteSpec {
        self.response = BodyKind::Bytes;
        self
    }
}

/// Per-model ownership: with [`ServerConfig::per_model_ownership`], a model owner may change
/// only models whose `owner` is that account; admins may change every model. Other roles never
/// reach here (the route's role list excludes them).
pub(crate) async fn check_model_owner(
    state: &AppState,
    who: &Principal,
    model: &str,
) -> Result<(), ApiError> {
    if who.role == Role::Admin || !state.config.per_model_ownership {
        return Ok(());
    }
    let owner = assay_govern::inventory::owner_of(&state.db, model).await?;
    if owner == who.name {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "model {model:?} is owned by {owner:?}; only its owner or an admin may change it"
        )))
    }
}
