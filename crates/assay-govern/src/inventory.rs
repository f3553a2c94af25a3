//! The model inventory: models (purpose, uses, owner, data sources, dependencies, EU AI Act risk
//! tier with the answers that led to it) and their versions (artifact digest, lifecycle stage).
//!
//! Lifecycle stages are `development` → `staging` → `production` → `retired`. A version is
//! created in `development`; moving it to `staging` or `production` goes through a change request
//! (`crate::changes`); only one version of a model is in production at a time.
//!
//! A model's risk tier and owner decide what its change requests need and who may decide
//! them: while one is pending, [`update_model`] refuses to lower the tier or change the owner,
//! and records every reassessment against it (see `crate::changes`, "Reassessment while
//! pending"). Every `model.update` audit entry of a reassessment carries the tier before and
//! after (`risk_tier`), so the log holds the model's whole tier history from `model.create` on.
//!
//! Every write commits together with its audit entry (see `db::write_tx!`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ai_act::{self, RiskAnswers, RiskAssessment, RiskTier};
use crate::audit::{append_in, NewEntry};
use crate::db::{now_ms, on_pool, write_tx, Db};
use crate::users::check_name;
use crate::GovernError;

/// A version's lifecycle stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Being built; the stage every version starts in.
    Development,
    /// Under validation before production.
    Staging,
    /// Serving decisions (at most one version per model).
    Production,
    /// Withdrawn.
    Retired,
}

impl Stage {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Development => "development",
            Stage::Staging => "staging",
            Stage::Production => "production",
            Stage::Retired => "retired",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Result<Stage, GovernError> {
        match s {
            "development" => Ok(Stage::Development),
            "staging" => Ok(Stage::Staging),
            "production" => Ok(Stage::Production),
            "retired" => Ok(Stage::Retired),
            _ => Err(GovernError::Invalid(format!(
                "unknown stage {s:?} (expected development, staging, production or retired)"
            ))),
        }
    }
}

/// What registering a model takes (request body of `POST /v1/models`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Unique name, 1–64 characters from `[A-Za-z0-9._@-]`.
    pub name: String,
    /// What the model is for.
    pub purpose: String,
    /// Intended use: the decisions and population it is meant for.
    #[serde(default)]
    pub intended_use: String,
    /// Uses it must not be put to.
    #[serde(default)]
    pub out_of_scope_uses: Vec<String>,
    /// Owning account (a user name); defaults to the caller.
    #[serde(default)]
    pub owner: Option<String>,
    /// Training and input data sources.
    #[serde(default)]
    pub data_sources: Vec<String>,
    /// Systems this model depends on.
    #[serde(default)]
    pub upstream: Vec<String>,
    /// Systems that consume its outputs.
    #[serde(default)]
    pub downstream: Vec<String>,
    /// EU AI Act questionnaire; the tier is computed from it.
    #[serde(default)]
    pub risk: RiskAnswers,
}

/// A partial update of a model (request body of `PATCH /v1/models/{model}`); absent fields
/// keep their values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelUpdate {
    /// New purpose.
    #[serde(default)]
    pub purpose: Option<String>,
    /// New intended use.
    #[serde(default)]
    pub intended_use: Option<String>,
    /// New out-of-scope uses.
    #[serde(default)]
    pub out_of_scope_uses: Option<Vec<String>>,
    /// New owner (admins only).
    #[serde(default)]
    pub owner: Option<String>,
    /// New data sources.
    #[serde(default)]
    pub data_sources: Option<Vec<String>>,
    /// New upstream dependencies.
    #[serde(default)]
    pub upstream: Option<Vec<String>>,
    /// New downstream dependencies.
    #[serde(default)]
    pub downstream: Option<Vec<String>>,
    /// New questionnaire answers (the tier is reassessed).
    #[serde(default)]
    pub risk: Option<RiskAnswers>,
}

/// Descriptive fields kept as one JSON document (`models.doc`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ModelDoc {
    intended_use: String,
    out_of_scope_uses: Vec<String>,
    data_sources: Vec<String>,
    upstream: Vec<String>,
    downstream: Vec<String>,
    risk: Option<RiskAssessment>,
}

/// A model as stored and returned by the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Model {
    /// Unique name.
    pub name: String,
    /// What it is for.
    pub purpose: String,
    /// Intended use.
    pub intended_use: String,
    /// Uses it must not be put to.
    pub out_of_scope_uses: Vec<String>,
    /// Owning account.
    pub owner: String,
    /// Data sources.
    pub data_sources: Vec<String>,
    /// Upstream dependencies.
    pub upstream: Vec<String>,
    /// Downstream dependencies.
    pub downstream: Vec<String>,
    /// EU AI Act tier, the reasons and the answers.
    pub risk: RiskAssessment,
    /// The version in production, if any.
    pub production_version: Option<String>,
    /// Creation time (ms since the Unix epoch).
    pub created_ms: i64,
    /// Last update (ms since the Unix epoch).
    pub updated_ms: i64,
}

/// What registering a version takes (`POST /v1/models/{model}/versions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionSpec {
    /// Version label, unique per model (same character set as names).
    pub version: String,
    /// SHA-256 of the model artifact, 64 lowercase hex digits.
    pub artifact_sha256: String,
    /// Free-text description (what changed).
    #[serde(default)]
    pub description: String,
    /// Training data used for this version.
    #[serde(default)]
    pub training_data: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct VersionDoc {
    description: String,
    training_data: Vec<String>,
}

/// A model version as stored and returned by the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Version {
    /// The model's name.
    pub model: String,
    /// Version label.
    pub version: String,
    /// SHA-256 of the model artifact.
    pub artifact_sha256: String,
    /// Lifecycle stage.
    pub stage: Stage,
    /// Description.
    pub description: String,
    /// Training data.
    pub training_data: Vec<String>,
    /// Who registered it.
    pub created_by: String,
    /// Creation time (ms since the Unix epoch).
    pub created_ms: i64,
    /// Last stage change (ms since the Unix epoch).
    pub updated_ms: i64,
}

/// Checks a SHA-256 given as hex: exactly 64 lowercase hex digits.
pub fn check_sha256(what: &str, s: &str) -> Result<(), GovernError> {
    if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(GovernError::Invalid(format!(
            "{what}: expected a SHA-256 as 64 lowercase hex digits, got {s:?}"
        )))
    }
}

fn check_text(what: &str, s: &str, max: usize) -> Result<(), GovernError> {
    if s.len() > max {
        return Err(GovernError::Invalid(format!(
            "{what}: longer than {max} bytes"
        )));
    }
    Ok(())
}

fn check_list(what: &str, v: &[String]) -> Result<(), GovernError> {
    if v.len() > 100 {
        return Err(GovernError::Invalid(format!("{what}: more than 100 items")));
    }
    v.iter().try_for_each(|s| check_text(what, s, 1000))
}

type ModelRow = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
);

const SELECT_MODEL: &str = "SELECT m.id, m.name, m.purpose, m.owner, m.doc, m.created_ms, \
     m.updated_ms, (SELECT v.version FROM model_versions v WHERE v.model_id = m.id \
     AND v.stage = 'production' LIMIT 1) FROM models m";

fn row_to_model(r: ModelRow) -> Result<(i64, Model), GovernError> {
    let (id, name, purpose, owner, doc, created_ms, updated_ms, prod) = r;
    let doc: ModelDoc = serde_json::from_str(&doc)?;
    Ok((
        id,
        Model {
            name,
            purpose,
            intended_use: doc.intended_use,
            out_of_scope_uses: doc.out_of_scope_uses,
            owner,
            data_sources: doc.data_sources,
            upstream: doc.upstream,
            downstream: doc.downstream,
            risk: doc
                .risk
                .unwrap_or_else(|| ai_act::assess(&RiskAnswers::default())),
            production_version: prod,
            created_ms,
            updated_ms,
        },
    ))
}

/// Registers a model; `actor` becomes the owner unless `spec.owner` names another account.
pub async fn create_model(db: &Db, actor: &str, spec: &ModelSpec) -> Result<Model, GovernError> {
    check_name("model name", &spec.name)?;
    check_text("purpose", &spec.purpose, 4000)?;
    check_text("intended_use", &spec.intended_use, 4000)?;
    check_list("out_of_scope_uses", &spec.out_of_scope_uses)?;
    check_list("data_sources", &spec.data_sources)?;
    check_list("upstream", &spec.upstream)?;
    check_list("downstream", &spec.downstream)?;
    let owner = spec.owner.clone().unwrap_or_else(|| actor.to_string());
    let risk = ai_act::assess(&spec.risk);
    let doc = ModelDoc {
        intended_use: spec.intended_use.clone(),
        out_of_scope_uses: spec.out_of_scope_uses.clone(),
        data_sources: spec.data_sources.clone(),
        upstream: spec.upstream.clone(),
        downstream: spec.downstream.clone(),
        risk: Some(risk.clone()),
    };
    let doc_json = serde_json::to_string(&doc)?;
    let now = now_ms();
    write_tx!(db, tx => {
        let owner_exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE name = $1")
            .bind(&owner)
            .fetch_optional(&mut *tx)
            .await?;
        if owner_exists.is_none() {
            return Err(GovernError::Invalid(format!("owner {owner:?} is not an account")));
        }
        let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM models WHERE name = $1")
            .bind(&spec.name)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(GovernError::Conflict(format!("model {:?} already exists", spec.name)));
        }
        sqlx::query(
            "INSERT INTO models (name, purpose, owner, risk_tier, created_ms, doc, \
             annex_iii_area, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $5)",
        )
        .bind(&spec.name)
        .bind(&spec.purpose)
        .bind(&owner)
        .bind(risk.tier.as_str())
        .bind(now)
        .bind(&doc_json)
        .bind(risk.annex_iii_area.map(|a| a.as_str()).unwrap_or(""))
        .execute(&mut *tx)
        .await?;
        let details = serde_json::json!({
            "purpose": spec.purpose, "owner": owner, "risk_tier": risk.tier.as_str(),
            "doc": doc_json,
        });
        append_in!(tx, &NewEntry {
            actor,
            action: "model.create",
            subject: &format!("model/{}", spec.name),
            details: &details,
        });
    });
    get_model(db, &spec.name).await
}

/// Every model, by name.
pub async fn list_models(db: &Db) -> Result<Vec<Model>, GovernError> {
    let sql = format!("{SELECT_MODEL} ORDER BY m.name");
    let rows: Vec<ModelRow> = on_pool!(db, p => sqlx::query_as(&sql).fetch_all(p).await?);
    rows.into_iter()
        .map(|r| row_to_model(r).map(|(_, m)| m))
        .collect()
}

/// One model by name.
pub async fn get_model(db: &Db, name: &str) -> Result<Model, GovernError> {
    let sql = format!("{SELECT_MODEL} WHERE m.name = $1");
    let row: Option<ModelRow> =
        on_pool!(db, p => sqlx::query_as(&sql).bind(name).fetch_optional(p).await?);
    match row {
        Some(r) => Ok(row_to_model(r)?.1),
        None => Err(GovernError::NotFound(format!("model {name:?}"))),
    }
}

/// The owning account of model `name` (one indexed lookup; the ownership check on every write
/// by a model owner needs nothing else of the model).
pub async fn owner_of(db: &Db, name: &str) -> Result<String, GovernError> {
    let row: Option<(String,)> = on_pool!(db, p => sqlx::query_as(
        "SELECT owner FROM models WHERE name = $1",
    )
    .bind(name)
    .fetch_optional(p)
    .await?);
    row.map(|r| r.0)
        .ok_or_else(|| GovernError::NotFound(format!("model {name:?}")))
}

/// Applies a partial update; the risk tier is reassessed when new answers are given.
///
/// While a change request for any version of the model is pending, a reassessment that lowers
/// the tier and any change of owner are a [`GovernError::Conflict`] naming the requests; a
/// reassessment that raises the tier is recorded against each of them (the policy must then
/// hold under both tiers).
pub async fn update_model(
    db: &Db,
    actor: &str,
    name: &str,
    upd: &ModelUpdate,
) -> Result<Model, GovernError> {
    if let Some(p) = &upd.purpose {
        check_text("purpose", p, 4000)?;
    }
    if let Some(p) = &upd.intended_use {
        check_text("intended_use", p, 4000)?;
    }
    for (what, v) in [
        ("out_of_scope_uses", &upd.out_of_scope_uses),
        ("data_sources", &upd.data_sources),
        ("upstream", &upd.upstream),
        ("downstream", &upd.downstream),
    ] {
        if let Some(v) = v {
            check_list(what, v)?;
        }
    }
    let now = now_ms();
    write_tx!(db, tx => {
        let sql = format!("{SELECT_MODEL} WHERE m.name = $1");
        let row: Option<ModelRow> = sqlx::query_as(&sql).bind(name).fetch_optional(&mut *tx).await?;
        let Some(row) = row else {
            return Err(GovernError::NotFound(format!("model {name:?}")));
        };
        let (id, mut m) = row_to_model(row)?;
        // The stored tier is what the approval policy reads (`unassessed` reads as high-risk).
        let (stored_tier,): (String,) = sqlx::query_as("SELECT risk_tier FROM models WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let old_tier = RiskTier::from_stored(&stored_tier);
        let old_owner = m.owner.clone();
        if let Some(o) = &upd.owner {
            let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE name = $1")
                .bind(o)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(GovernError::Invalid(format!("owner {o:?} is not an account")));
            }
            m.owner = o.clone();
        }
        if let Some(v) = &upd.purpose { m.purpose = v.clone(); }
        if let Some(v) = &upd.intended_use { m.intended_use = v.clone(); }
        if let Some(v) = &upd.out_of_scope_uses { m.out_of_scope_uses = v.clone(); }
        if let Some(v) = &upd.data_sources { m.data_sources = v.clone(); }
        if let Some(v) = &upd.upstream { m.upstream = v.clone(); }
        if let Some(v) = &upd.downstream { m.downstream = v.clone(); }
        if let Some(a) = &upd.risk { m.risk = ai_act::assess(a); }
        let new_tier = if upd.risk.is_some() { m.risk.tier } else { old_tier };
        let pending: Vec<(i64,)> = sqlx::query_as(crate::changes::SELECT_PENDING_FOR_MODEL)
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        let pending: Vec<i64> = pending.into_iter().map(|p| p.0).collect();
        crate::changes::check_model_update(
            name,
            &pending,
            (old_tier, new_tier),
            (&old_owner, &m.owner),
        )?;
        let reassessed = if new_tier != old_tier { pending } else { Vec::new() };
        for change in &reassessed {
            sqlx::query(crate::changes::INSERT_TIER)
                .bind(change)
                .bind(new_tier.as_str())
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        let doc = ModelDoc {
            intended_use: m.intended_use.clone(),
            out_of_scope_uses: m.out_of_scope_uses.clone(),
            data_sources: m.data_sources.clone(),
            upstream: m.upstream.clone(),
            downstream: m.downstream.clone(),
            risk: Some(m.risk.clone()),
        };
        let doc_json = serde_json::to_string(&doc)?;
        sqlx::query(
            "UPDATE models SET purpose = $1, owner = $2, risk_tier = $3, doc = $4, \
             annex_iii_area = $5, updated_ms = $6 WHERE id = $7",
        )
        .bind(&m.purpose)
        .bind(&m.owner)
        .bind(if upd.risk.is_some() { m.risk.tier.as_str() } else { stored_tier.as_str() })
        .bind(&doc_json)
        .bind(m.risk.annex_iii_area.map(|a| a.as_str()).unwrap_or(""))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let mut details = serde_json::to_value(upd)?;
        if upd.risk.is_some() {
            details["risk_tier"] =
                serde_json::json!({ "from": stored_tier, "to": m.risk.tier.as_str() });
        }
        if m.owner != old_owner {
            details["previous_owner"] = serde_json::json!(old_owner);
        }
        if !reassessed.is_empty() {
            details["pending_changes"] = serde_json::json!(reassessed);
        }
        append_in!(tx, &NewEntry {
            actor,
            action: "model.update",
            subject: &format!("model/{name}"),
            details: &details,
        });
    });
    get_model(db, name).await
}

type VersionRow = (String, String, String, String, String, String, i64, i64);

const SELECT_VERSION: &str = "SELECT m.name, v.version, v.artifact_sha256, v.stage, v.doc, \
     v.created_by, v.created_ms, v.updated_ms FROM model_versions v JOIN models m ON m.id = v.model_id";

fn row_to_version(r: VersionRow) -> Result<Version, GovernError> {
    let (model, version, artifact_sha256, stage, doc, created_by, created_ms, updated_ms) = r;
    let doc: VersionDoc = serde_json::from_str(&doc)?;
    Ok(Version {
        model,
        version,
        artifact_sha256,
        stage: Stage::parse(&stage)?,
        description: doc.description,
        training_data: doc.training_data,
        created_by,
        created_ms,
        updated_ms,
    })
}

/// Registers a version of `model` in `development`.
pub async fn create_version(
    db: &Db,
    actor: &str,
    model: &str,
    spec: &VersionSpec,
) -> Result<Version, GovernError> {
    check_name("version", &spec.version)?;
    check_sha256("artifact_sha256", &spec.artifact_sha256)?;
    check_text("description", &spec.description, 4000)?;
    check_list("training_data", &spec.training_data)?;
    let doc = serde_json::to_string(&VersionDoc {
        description: spec.description.clone(),
        training_data: spec.training_data.clone(),
    })?;
    let now = now_ms();
    write_tx!(db, tx => {
        let m: Option<(i64,)> = sqlx::query_as("SELECT id FROM models WHERE name = $1")
            .bind(model)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((model_id,)) = m else {
            return Err(GovernError::NotFound(format!("model {model:?}")));
        };
        let exists: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM model_versions WHERE model_id = $1 AND version = $2",
        )
        .bind(model_id)
        .bind(&spec.version)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_some() {
            return Err(GovernError::Conflict(format!(
                "version {:?} of model {model:?} already exists", spec.version
            )));
        }
        sqlx::query(
            "INSERT INTO model_versions (model_id, version, artifact_sha256, stage, created_ms, \
             doc, created_by, updated_ms) VALUES ($1, $2, $3, 'development', $4, $5, $6, $4)",
        )
        .bind(model_id)
        .bind(&spec.version)
        .bind(&spec.artifact_sha256)
        .bind(now)
        .bind(&doc)
        .bind(actor)
        .execute(&mut *tx)
        .await?;
        let details = serde_json::json!({
            "artifact_sha256": spec.artifact_sha256, "doc": doc,
        });
        append_in!(tx, &NewEntry {
            actor,
            action: "version.create",
            subject: &format!("model/{model}/{}", spec.version),
            details: &details,
        });
    });
    get_version(db, model, &spec.version).await
}

/// Every version of `model`, oldest first.
pub async fn list_versions(db: &Db, model: &str) -> Result<Vec<Version>, GovernError> {
    get_model(db, model).await?;
    let sql = format!("{SELECT_VERSION} WHERE m.name = $1 ORDER BY v.id");
    let rows: Vec<VersionRow> =
        on_pool!(db, p => sqlx::query_as(&sql).bind(model).fetch_all(p).await?);
    rows.into_iter().map(row_to_version).collect()
}

/// One version.
pub async fn get_version(db: &Db, model: &str, version: &str) -> Result<Version, GovernError> {
    let sql = format!("{SELECT_VERSION} WHERE m.name = $1 AND v.version = $2");
    let row: Option<VersionRow> = on_pool!(db, p => sqlx::query_as(&sql)
        .bind(model)
        .bind(version)
        .fetch_optional(p)
        .await?);
    match row {
        Some(r) => row_to_version(r),
        None => Err(GovernError::NotFound(format!(
            "version {version:?} of model {model:?}"
        ))),
    }
}

/// The database id of a version (for modules that attach rows to it).
pub async fn version_id(db: &Db, model: &str, version: &str) -> Result<i64, GovernError> {
    let row: Option<(i64,)> = on_pool!(db, p => sqlx::query_as(
        "SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id \
         WHERE m.name = $1 AND v.version = $2",
    )
    .bind(model)
    .bind(version)
    .fetch_optional(p)
    .await?);
    row.map(|r| r.0)
        .ok_or_else(|| GovernError::NotFound(format!("version {version:?} of model {model:?}")))
}
