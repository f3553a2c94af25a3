//! The OpenAPI 3.1 document, generated from the route table ([`crate::routes::all`]) and the
//! request/response types' JSON Schemas (schemars, JSON Schema 2020-12, which OpenAPI 3.1
//! uses as is).

use schemars::generate::SchemaSettings;
use serde_json::{json, Map, Value};

use crate::config::ServerConfig;
use crate::error::ErrorBody;
use crate::routes::{self, Access, BodyKind};

/// Error statuses every authenticated route can answer with.
const ERRORS: &[(&str, &str)] = &[
    (
        "400",
        "Malformed request (JSON syntax, path or query parameters)",
    ),
    ("401", "Missing, unknown, expired, revoked or forged token"),
    (
        "403",
        "The caller's role, ownership or separation of duties forbids this",
    ),
    ("404", "No such object"),
    ("409", "Conflicts with the current state"),
    ("413", "Body larger than the limit"),
    ("422", "Unknown fields or unacceptable values"),
    ("429", "Rate limit exceeded"),
];

/// Builds the document for the routes `config` enables.
pub fn document(config: &ServerConfig) -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    let error_ref = generator.subschema_for::<ErrorBody>();
    let mut paths: Map<String, Value> = Map::new();
    for r in routes::all(config) {
        let mut op = Map::new();
        op.insert("operationId".into(), json!(r.operation_id));
        op.insert("summary".into(), json!(r.summary));
        op.insert("tags".into(), json!([r.tag]));
        let params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        match r.access {
            Access::Public => {
                op.insert("security".into(), json!([]));
            }
            Access::Roles(roles) => {
                let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                op.insert(
                    "description".into(),
                    json!(format!("Roles allowed: {}.", names.join(", "))),
                );
                op.insert("x-roles".into(), json!(names));
            }
        }
        match r.request {
            BodyKind::None => {}
            BodyKind::Json(f) => {
                op.insert(
                    "requestBody".into(),
                    json!({"required": true, "content": {"application/json": {"schema": f(&mut generator)}}}),
                );
            }
            BodyKind::Bytes => {
                op.insert(
                    "requestBody".into(),
                    json!({"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}}),
                );
            }
        }
        let mut responses = Map::new();
        let success = match r.response {
            BodyKind::None => json!({"description": "Success"}),
            BodyKind::Json(f) => {
                json!({"description": "Success", "content": {"application/json": {"schema": f(&mut generator)}}})
            }
            BodyKind::Bytes => {
                json!({"description": "Success", "content": {"application/octet-stream": {}}})
            }
        };
        let success_code = if r.response.is_none_body() && r.success == axum::http::StatusCode::OK {
            // Bodiless successes that are not 200 (204) keep their code.
            "200".to_string()
        } else {
            r.success.as_u16().to_string()
        };
        responses.insert(success_code, success);
        if let Access::Roles(_) = r.access {
            for (code, text) in ERRORS {
                responses.insert(
                    (*code).into(),
                    json!({"description": text, "content": {"application/json": {"schema": error_ref}}}),
                );
            }
        }
        op.insert("responses".into(), Value::Object(responses));
        let entry = paths
            .entry(r.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        entry
            .as_object_mut()
            .expect("path item is an object")
            .insert(r.method.as_str().to_ascii_lowercase(), Value::Object(op));
    }
    let schemas = generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "assay governance API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Model inventory, change management, access control, incidents and the tamper-evident audit trail (assay serve).",
        },
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An assay API token (assay_...) or, when configured, an OIDC/JWT access token."}
            },
            "schemas": schemas,
        },
        "paths": paths,
    })
}

impl BodyKind {
    fn is_none_body(&self) -> bool {
        matches!(self, BodyKind::None)
    }
}
