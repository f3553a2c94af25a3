//! Users, service accounts, roles and API tokens.
//!
//! **Roles** (least privilege; the endpoint-by-role table is `crates/assay-server/authz.tsv`):
//! `admin` (everything, including users), `model_owner` (registers and changes models, opens
//! change requests, applies approved ones, rolls back), `reviewer` (decides change requests),
//! `auditor` (reads everything, including users and the audit log; writes nothing) and `viewer`
//! (reads the inventory, changes and incidents). Teams (e.g. `risk`) are labels approval
//! policies can require of reviewers.
//!
//! **The last admin.** The server never disables its last enabled admin: nobody could manage
//! accounts any more (finding 10 of issue #15: two admins disabling each other at once both
//! succeeded). The check runs inside the serialised write transaction (`db::write_tx!`), after
//! every earlier write has committed, so it holds under concurrency on SQLite and PostgreSQL;
//! the refused call is a [`GovernError::Conflict`] (HTTP 409, audit-logged by the server).
//! [`set_disabled`] is the only operation that can take the admin role away from an enabled
//! account today (accounts are neither deleted nor change role; revoking tokens leaves the
//! account able to get new ones from another admin); any future one must run the same check
//! (the crate-internal `refuse_last_admin!`).
//!
//! **Tokens** are 32 random bytes from the operating system's CSPRNG, shown once as
//! `assay_` + unpadded base64url, and stored only as their SHA-256 (hex). A hash without a salt
//! or a slow KDF is the right tool here: the token carries 256 bits of entropy, so there is no
//! dictionary to attack (the reasoning GitHub and PyPI apply to their API tokens).

use rand_core::{OsRng, RngCore};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{append_in, NewEntry};
use crate::db::{now_ms, on_pool, write_tx, Db};
use crate::GovernError;

/// Prefix of every API token (lets secret scanners recognise leaked tokens).
pub const TOKEN_PREFIX: &str = "assay_";

/// A role: what a user or service account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including managing users and tokens.
    Admin,
    /// Registers and updates models it owns, opens and applies change requests, rolls back.
    ModelOwner,
    /// Approves or rejects change requests; reports incidents.
    Reviewer,
    /// Reads everything (users and the audit log included); changes nothing.
    Auditor,
    /// Reads the inventory, change requests and incidents.
    Viewer,
}

impl Role {
    /// Every role, in the order of the authorisation table's columns.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::ModelOwner,
        Role::Reviewer,
        Role::Auditor,
        Role::Viewer,
    ];

    /// The role's name as stored and shown (`admin`, `model_owner`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ModelOwner => "model_owner",
            Role::Reviewer => "reviewer",
            Role::Auditor => "auditor",
            Role::Viewer => "viewer",
        }
    }

    /// Parses a stored or user-supplied role name.
    pub fn parse(s: &str) -> Result<Role, GovernError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                GovernError::Invalid(format!(
                    "unknown role {s:?} (expected admin, model_owner, reviewer, auditor or viewer)"
                ))
            })
    }
}

/// A human user or a service account (for CI pipelines; cannot approve changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A person.
    User,
    /// A machine identity (CI, a scheduler).
    Service,
}

impl AccountKind {
    fn as_str(self) -> &'static str {
        match self {
            AccountKind::User => "user",
            AccountKind::Service => "service",
        }
    }
    fn parse(s: &str) -> Result<AccountKind, GovernError> {
        match s {
            "user" => Ok(AccountKind::User),
            "service" => Ok(AccountKind::Service),
            _ => Err(GovernError::Invalid(format!("unknown account kind {s:?}"))),
        }
    }
}

/// An authenticated caller: who acts, with which role and teams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Principal {
    /// Database id of the account.
    pub id: i64,
    /// Account name (the audit log's actor).
    pub name: String,
    /// User or service account.
    pub kind: AccountKind,
    /// The account's role.
    pub role: Role,
    /// Teams the account belongs to (e.g. `risk`).
    pub teams: Vec<String>,
}

/// A stored account as listed by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct User {
    /// Database id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// User or service account.
    pub kind: AccountKind,
    /// Role.
    pub role: Role,
    /// Teams.
    pub teams: Vec<String>,
    /// Whether the account is disabled (its tokens stop working).
    pub disabled: bool,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_ms: i64,
}

/// What creating an account needs.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Unique name: 1–64 characters of letters, digits, `.`, `_`, `-`, `@`.
    pub name: String,
    /// User or service account.
    pub kind: AccountKind,
    /// Role.
    pub role: Role,
    /// Teams.
    pub teams: Vec<String>,
}

/// A newly issued token: the secret (shown once) and its id.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IssuedToken {
    /// Token id (for revocation).
    pub id: i64,
    /// The bearer token; it is not stored and cannot be shown again.
    pub token: String,
    /// Expiry, milliseconds since the Unix epoch, if any.
    pub expires_ms: Option<i64>,
}

/// SHA-256 of a token, hex: the only form in which tokens are stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Checks an account, team or object name: 1–64 characters from `[A-Za-z0-9._@-]`, not
/// starting with `.` (so it can never be a path component such as `..`).
pub fn check_name(what: &str, name: &str) -> Result<(), GovernError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'));
    if ok {
        Ok(())
    } else {
        Err(GovernError::Invalid(format!(
            "{what} {name:?}: expected 1-64 characters from A-Z a-z 0-9 . _ - @, not starting with '.'"
        )))
    }
}

type UserRow = (i64, String, String, String, String, i64, i64);

/// Account id, name, kind, role, teams, disabled, token expiry, token revocation.
type TokenRow = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
);

fn row_to_user(r: UserRow) -> Result<User, GovernError> {
    let (id, name, kind, role, teams, disabled, created_ms) = r;
    Ok(User {
        id,
        name,
        kind: AccountKind::parse(&kind)?,
        role: Role::parse(&role)?,
        teams: serde_json::from_str(&teams)?,
        disabled: disabled != 0,
        created_ms,
    })
}

/// How many accounts exist (the server bootstraps its first admin when there are none).
pub async fn count(db: &Db) -> Result<i64, GovernError> {
    let (n,): (i64,) =
        on_pool!(db, p => sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(p).await?);
    Ok(n)
}

/// Creates an account; `actor` is recorded in the audit log as `user.create`.
pub async fn create(db: &Db, actor: &str, new: &NewUser) -> Result<User, GovernError> {
    check_name("user name", &new.name)?;
    for t in &new.teams {
        check_name("team", t)?;
    }
    let teams = serde_json::to_string(&new.teams)?;
    let created_ms = now_ms();
    let user = write_tx!(db, tx => {
        let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE name = $1")
            .bind(&new.name)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(GovernError::Conflict(format!("user {:?} already exists", new.name)));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (name, kind, role, teams, disabled, created_ms) \
             VALUES ($1, $2, $3, $4, 0, $5) RETURNING id",
        )
        .bind(&new.name)
        .bind(new.kind.as_str())
        .bind(new.role.as_str())
        .bind(&teams)
        .bind(created_ms)
        .fetch_one(&mut *tx)
        .await?;
        let details = serde_json::json!({
            "kind": new.kind.as_str(), "role": new.role.as_str(), "teams": new.teams,
        });
        append_in!(tx, &NewEntry {
            actor,
            action: "user.create",
            subject: &format!("user/{}", new.name),
            details: &details,
        });
        User {
            id,
            name: new.name.clone(),
            kind: new.kind,
            role: new.role,
            teams: new.teams.clone(),
            disabled: false,
            created_ms,
        }
    });
    Ok(user)
}

/// Every account, by name.
pub async fn list(db: &Db) -> Result<Vec<User>, GovernError> {
    let rows: Vec<UserRow> = on_pool!(db, p => sqlx::query_as(
        "SELECT id, name, kind, role, teams, disabled, created_ms FROM users ORDER BY name",
    )
    .fetch_all(p)
    .await?);
    rows.into_iter().map(row_to_user).collect()
}

/// One account by name.
pub async fn get(db: &Db, name: &str) -> Result<User, GovernError> {
    let row: Option<UserRow> = on_pool!(db, p => sqlx::query_as(
        "SELECT id, name, kind, role, teams, disabled, created_ms FROM users WHERE name = $1",
    )
    .bind(name)
    .fetch_optional(p)
    .await?);
    row.map(row_to_user)
        .transpose()?
        .ok_or_else(|| GovernError::NotFound(format!("user {name:?}")))
}

/// In write transaction `$tx`, refuses ([`GovernError::Conflict`]) to take the admin role away
/// from account `$name` (`$what` says how, e.g. "disable") when it is the last enabled admin;
/// an account that is not an enabled admin passes.
macro_rules! refuse_last_admin {
    ($tx:ident, $name:expr, $what:expr) => {{
        let name: &str = $name;
        let others: (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND name <> $1",
        )
        .bind(name)
        .fetch_one(&mut *$tx)
        .await?;
        let target: Option<(String, i64)> =
            sqlx::query_as("SELECT role, disabled FROM users WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *$tx)
                .await?;
        let enabled_admin = target.is_some_and(|(role, disabled)| role == "admin" && disabled == 0);
        if enabled_admin && others.0 == 0 {
            return Err(GovernError::Conflict(format!(
                "cannot {} user {name:?}: it is the last enabled admin, and without one nobody \
                 could manage accounts; enable or create another admin first",
                $what
            )));
        }
    }};
}

/// Disables (or re-enables) an account; its tokens stop (or resume) working at once.
///
/// Disabling the last enabled admin is a [`GovernError::Conflict`] (see the module
/// documentation); disabling an account that is already disabled changes nothing but is
/// recorded.
pub async fn set_disabled(
    db: &Db,
    actor: &str,
    name: &str,
    disabled: bool,
) -> Result<User, GovernError> {
    write_tx!(db, tx => {
        if disabled {
            refuse_last_admin!(tx, name, "disable");
        }
        let n = sqlx::query("UPDATE users SET disabled = $1 WHERE name = $2")
            .bind(i64::from(disabled))
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(GovernError::NotFound(format!("user {name:?}")));
        }
        append_in!(tx, &NewEntry {
            actor,
            action: if disabled { "user.disable" } else { "user.enable" },
            subject: &format!("user/{name}"),
            details: &serde_json::json!({}),
        });
    });
    get(db, name).await
}

/// Issues a new API token for account `name`, valid for `ttl_days` days (None: no expiry).
pub async fn issue_token(
    db: &Db,
    actor: &str,
    name: &str,
    label: &str,
    ttl_days: Option<u32>,
) -> Result<IssuedToken, GovernError> {
    if label.len() > 200 {
        return Err(GovernError::Invalid(
            "token label longer than 200 bytes".into(),
        ));
    }
    let token = new_token();
    let hash = token_hash(&token);
    let created_ms = now_ms();
    let expires_ms = ttl_days.map(|d| created_ms + i64::from(d) * 86_400_000);
    let id = write_tx!(db, tx => {
        let user: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((user_id,)) = user else {
            return Err(GovernError::NotFound(format!("user {name:?}")));
        };
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_tokens (user_id, token_hash, label, created_ms, expires_ms) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(&hash)
        .bind(label)
        .bind(created_ms)
        .bind(expires_ms)
        .fetch_one(&mut *tx)
        .await?;
        append_in!(tx, &NewEntry {
            actor,
            action: "token.issue",
            subject: &format!("user/{name}"),
            details: &serde_json::json!({ "token_id": id, "label": label, "expires_ms": expires_ms }),
        });
        id
    });
    Ok(IssuedToken {
        id,
        token,
        expires_ms,
    })
}

/// Revokes token `id` (it stops working at once; the row stays for the record).
pub async fn revoke_token(db: &Db, actor: &str, id: i64) -> Result<(), GovernError> {
    write_tx!(db, tx => {
        let n = sqlx::query(
            "UPDATE api_tokens SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(GovernError::NotFound(format!("active token {id}")));
        }
        append_in!(tx, &NewEntry {
            actor,
            action: "token.revoke",
            subject: &format!("token/{id}"),
            details: &serde_json::json!({}),
        });
    });
    Ok(())
}

/// The principal a bearer token belongs to. Unknown, revoked and expired tokens and disabled
/// accounts are all [`GovernError::Unauthenticated`], with a reason for the audit log.
pub async fn authenticate_token(db: &Db, token: &str) -> Result<Principal, GovernError> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Err(GovernError::Unauthenticated("malformed token".into()));
    }
    let hash = token_hash(token);
    let row: Option<TokenRow> = on_pool!(db, p => sqlx::query_as(
            "SELECT u.id, u.name, u.kind, u.role, u.teams, u.disabled, t.expires_ms, t.revoked_ms \
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(p)
        .await?);
    let Some((id, name, kind, role, teams, disabled, expires, revoked)) = row else {
        return Err(GovernError::Unauthenticated("unknown token".into()));
    };
    if revoked.is_some() {
        return Err(GovernError::Unauthenticated("revoked token".into()));
    }
    if expires.is_some_and(|e| e <= now_ms()) {
        return Err(GovernError::Unauthenticated("expired token".into()));
    }
    if disabled != 0 {
        return Err(GovernError::Unauthenticated("disabled account".into()));
    }
    Ok(Principal {
        id,
        name,
        kind: AccountKind::parse(&kind)?,
        role: Role::parse(&role)?,
        teams: serde_json::from_str(&teams)?,
    })
}

/// The principal for an account name (used after an OIDC/JWT subject has been verified): the
/// account must exist and be enabled; its role comes from the database, not from the token.
pub async fn principal_by_name(db: &Db, name: &str) -> Result<Principal, GovernError> {
    let user = get(db, name)
        .await
        .map_err(|_| GovernError::Unauthenticated(format!("no account for subject {name:?}")))?;
    if user.disabled {
        return Err(GovernError::Unauthenticated("disabled account".into()));
    }
    Ok(Principal {
        id: user.id,
        name: user.name,
        kind: user.kind,
        role: user.role,
        teams: user.teams,
    })
}
