//! `assay registry` and `assay incident`: command-line clients of the governance API
//! (`assay serve`, crate assay-server) for scripts and CI.
//!
//! Every subcommand is one API call (a few read a local file first: a model spec, an artifact
//! to hash or upload, a report, a post-mortem) and prints the server's JSON answer, pretty, on
//! standard output. The server is `--server URL` or `$ASSAY_SERVER`; the token comes only from
//! the environment (`$ASSAY_TOKEN`, or `$ASSAY_TOKEN_FILE`), see [`client`].
//!
//! Exit codes: 0 ok; 1 a check the command was asked to make does not hold (`audit verify` on
//! a chain that does not verify, `change show --expect STATUS` on a request in another status,
//! `schedule overdue --fail-if-any` with overdue reviews); 2 usage, input or HTTP errors (the
//! message names the status and the server's `error.message`).
//!
//! `--submit URL` of the report-producing commands lives in [`submit`].

pub mod client;
mod incident;
pub mod submit;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::Value;
use sha2::{Digest, Sha256};

use assay_govern::ai_act::RiskAnswers;
use assay_govern::changes::{ChangeSpec, DecisionSpec, RollbackSpec};
use assay_govern::evidence::EvidenceSpec;
use assay_govern::inventory::{ModelSpec, VersionSpec};
use assay_govern::schedules::ScheduleSpec;
use assay_server::routes::users::{CreateUser, IssueToken};
use client::{enc, query, Body, Client, ServerArgs};

pub use incident::{run_incident, IncidentArgs};

/// Arguments of `assay registry`.
#[derive(Args)]
pub struct RegistryArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(subcommand)]
    pub command: RegistryCommand,
}

/// `assay registry` subcommands.
#[derive(Subcommand)]
pub enum RegistryCommand {
    /// Models in the inventory: create, get, list, update.
    #[command(subcommand)]
    Model(ModelCommand),
    /// A model's versions: create (with the artifact's SHA-256), get, list.
    #[command(subcommand)]
    Version(VersionCommand),
    /// Artifacts of a version: upload (optionally signed with Ed25519), list, download.
    #[command(subcommand)]
    Artifact(ArtifactCommand),
    /// Audit evidence of a version: submit a report with its verdict, list, get.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Change requests (moving a version to staging or production): open, list, show, approve, reject, apply, withdraw.
    #[command(subcommand)]
    Change(ChangeCommand),
    /// Put a model's previous production version back (one action).
    Rollback(RollbackArgs),
    /// The approval policy in force: which approvals and evidence each change needs.
    Policy,
    /// Recurring review schedules: create, list, overdue, complete.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// Accounts (admins): create, list, get, disable, enable.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens (admins): issue (shown once), revoke.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The audit trail: verify the hash chain, list entries, sign a checkpoint.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The account the token belongs to.
    Whoami,
}

/// `assay registry model ...`.
#[derive(Subcommand)]
pub enum ModelCommand {
    /// Register a model from a JSON spec (--file) or from flags.
    Create(Box<ModelCreateArgs>),
    /// One model, with its EU AI Act risk tier and production version.
    Get {
        /// The model's name.
        name: String,
    },
    /// Every model.
    List,
    /// Update a model from a JSON document of the fields to change (purpose, intended_use, out_of_scope_uses, owner, data_sources, upstream, downstream, risk).
    Update {
        /// The model's name.
        name: String,
        /// JSON file of the fields to change.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
}

/// Arguments of `assay registry model create`.
#[derive(Args)]
pub struct ModelCreateArgs {
    /// The whole registration as JSON (name, purpose, intended_use, out_of_scope_uses, owner, data_sources, upstream, downstream, risk).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["name", "purpose"])]
    pub file: Option<PathBuf>,
    /// Unique name ([A-Za-z0-9._@-], 1-64 characters).
    #[arg(long, required_unless_present = "file")]
    pub name: Option<String>,
    /// What the model is for.
    #[arg(long, required_unless_present = "file")]
    pub purpose: Option<String>,
    /// The decisions and population it is meant for.
    #[arg(long, conflicts_with = "file")]
    pub intended_use: Option<String>,
    /// Uses it must not be put to (comma-separated).
    #[arg(long, value_delimiter = ',', conflicts_with = "file")]
    pub out_of_scope: Vec<String>,
    /// Owning account (admins only; default: the caller).
    #[arg(long, conflicts_with = "file")]
    pub owner: Option<String>,
    /// Training and input data sources (comma-separated).
    #[arg(long, value_delimiter = ',', conflicts_with = "file")]
    pub data_sources: Vec<String>,
    /// Systems it depends on (comma-separated).
    #[arg(long, value_delimiter = ',', conflicts_with = "file")]
    pub upstream: Vec<String>,
    /// Systems that consume its outputs (comma-separated).
    #[arg(long, value_delimiter = ',', conflicts_with = "file")]
    pub downstream: Vec<String>,
    /// EU AI Act: the Annex III area it is used in (e.g. essential_services, employment).
    #[arg(long, conflicts_with = "file")]
    pub annex_iii_area: Option<String>,
    /// EU AI Act: it profiles natural persons.
    #[arg(long, conflicts_with = "file")]
    pub profiles_natural_persons: bool,
    /// EU AI Act: it is a safety component of an Annex I product.
    #[arg(long, conflicts_with = "file")]
    pub annex_i_safety_component: bool,
}

/// `assay registry version ...`.
#[derive(Subcommand)]
pub enum VersionCommand {
    /// Register a version (in development) identified by its artifact's SHA-256.
    #[command(disable_version_flag = true)]
    Create(VersionCreateArgs),
    /// One version.
    Get {
        /// The model's name.
        model: String,
        /// The version label.
        #[arg(id = "version_label", value_name = "VERSION")]
        version: String,
    },
    /// A model's versions, oldest first.
    List {
        /// The model's name.
        model: String,
    },
}

/// Arguments of `assay registry version create`.
#[derive(Args)]
pub struct VersionCreateArgs {
    /// The model's name.
    pub model: String,
    /// Version label.
    #[arg(long)]
    pub version: String,
    /// The model artifact: its SHA-256 is computed and registered.
    #[arg(long, value_name = "FILE", required_unless_present = "sha256")]
    pub artifact: Option<PathBuf>,
    /// The artifact's SHA-256 (64 hex digits), instead of --artifact.
    #[arg(long, value_name = "HEX", conflicts_with = "artifact")]
    pub sha256: Option<String>,
    /// What changed.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Training data used for this version (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub training_data: Vec<String>,
}

/// `assay registry artifact ...`.
#[derive(Subcommand)]
pub enum ArtifactCommand {
    /// Upload a file as an artifact of a version; with --sign-key, signed with Ed25519 over its SHA-256 digest (verified by the server).
    Upload(ArtifactUploadArgs),
    /// A version's artifacts (digest, size, signature).
    List {
        /// The model's name.
        model: String,
        /// The version label.
        #[arg(id = "version_label", value_name = "VERSION")]
        version: String,
    },
    /// Download an artifact to a file, checking its SHA-256 against the server's.
    Download {
        /// The model's name.
        model: String,
        /// The version label.
        #[arg(id = "version_label", value_name = "VERSION")]
        version: String,
        /// The artifact's name.
        name: String,
        /// Where to write it.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// Arguments of `assay registry artifact upload`.
#[derive(Args)]
pub struct ArtifactUploadArgs {
    /// The model's name.
    pub model: String,
    /// The version label.
    #[arg(id = "version_label", value_name = "VERSION")]
    pub version: String,
    /// The file to upload.
    pub file: PathBuf,
    /// Artifact name ([A-Za-z0-9._+-], no path); default: the file's name.
    #[arg(long)]
    pub name: Option<String>,
    /// Ed25519 signing key: a file of 64 hex digits (the 32-byte seed), as `assay serve --checkpoint-key` writes.
    #[arg(long, value_name = "KEYFILE")]
    pub sign_key: Option<PathBuf>,
}

/// `assay registry evidence ...`.
#[derive(Subcommand)]
pub enum EvidenceCommand {
    /// Attach a JSON report (of assay fairness, mitigate, explain, dp, mia, anonymize, pii, or other) to a version.
    Submit(EvidenceSubmitArgs),
    /// A version's evidence, oldest first (without the reports).
    List {
        /// The model's name.
        model: String,
        /// The version label.
        #[arg(id = "version_label", value_name = "VERSION")]
        version: String,
    },
    /// One piece of evidence, with its report.
    Get {
        /// Evidence id.
        id: i64,
    },
}

/// Arguments of `assay registry evidence submit`.
#[derive(Args)]
pub struct EvidenceSubmitArgs {
    /// The model's name.
    pub model: String,
    /// The version label.
    #[arg(id = "version_label", value_name = "VERSION")]
    pub version: String,
    /// Which command produced the report: fairness, mitigate, explain, dp, mia, anonymize, pii or other.
    #[arg(long)]
    pub kind: String,
    /// The JSON report.
    #[arg(long, value_name = "FILE")]
    pub report: PathBuf,
    /// The verdict you expect (pass, fail or none); the server derives the verdict from the report's own policy result and refuses a claim that differs. Default: no claim.
    #[arg(long)]
    pub verdict: Option<String>,
}

/// `assay registry change ...`.
#[derive(Subcommand)]
pub enum ChangeCommand {
    /// Request moving a version to staging or production, with an impact assessment and a rollback plan.
    Open(ChangeOpenArgs),
    /// Change requests, newest first.
    List {
        /// Only requests with this status (open, approved, rejected, applied, withdrawn).
        #[arg(long)]
        status: Option<String>,
        /// Only requests for versions of this model.
        #[arg(long)]
        model: Option<String>,
    },
    /// One change request with its approvals and policy evaluation.
    Show {
        /// Change request id.
        id: i64,
        /// Exit 1 unless the request has this status (e.g. approved), for CI gates.
        #[arg(long, value_name = "STATUS")]
        expect: Option<String>,
    },
    /// Approve a change request (reviewers; never your own).
    Approve(DecisionArgs),
    /// Reject a change request.
    Reject(DecisionArgs),
    /// Apply an approved change request: the version moves to its new stage.
    Apply {
        /// Change request id.
        id: i64,
    },
    /// Withdraw your own open or approved change request.
    Withdraw {
        /// Change request id.
        id: i64,
    },
}

/// Arguments of `assay registry change open`.
#[derive(Args)]
pub struct ChangeOpenArgs {
    /// The model's name.
    pub model: String,
    /// The version label.
    #[arg(id = "version_label", value_name = "VERSION")]
    pub version: String,
    /// Target stage: staging or production.
    #[arg(long = "to", value_name = "STAGE")]
    pub to_stage: String,
    /// What the change affects and what could go wrong.
    #[arg(long = "impact", value_name = "TEXT")]
    pub impact_assessment: String,
    /// How to undo it.
    #[arg(long, value_name = "TEXT")]
    pub rollback_plan: String,
}

/// Arguments of `assay registry change approve|reject`.
#[derive(Args)]
pub struct DecisionArgs {
    /// Change request id.
    pub id: i64,
    /// Comment recorded with the decision.
    #[arg(long, default_value = "")]
    pub comment: String,
}

/// Arguments of `assay registry rollback`.
#[derive(Args)]
pub struct RollbackArgs {
    /// The model's name.
    pub model: String,
    /// Why (recorded in the audit trail; e.g. the incident).
    #[arg(long)]
    pub reason: String,
}

/// `assay registry schedule ...`.
#[derive(Subcommand)]
pub enum ScheduleCommand {
    /// Create a recurring review of a model (e.g. --kind fairness --every-days 90).
    Create {
        /// The model's name.
        model: String,
        /// What is reviewed (evidence of this kind completes it), e.g. fairness.
        #[arg(long)]
        kind: String,
        /// Period between reviews, days.
        #[arg(long)]
        every_days: u32,
        /// When the first review is due (ms since the Unix epoch); default: one period from now.
        #[arg(long)]
        first_due_ms: Option<i64>,
    },
    /// A model's review schedules.
    List {
        /// The model's name.
        model: String,
    },
    /// Reviews past their due time, most overdue first.
    Overdue {
        /// Exit 1 when any review is overdue.
        #[arg(long)]
        fail_if_any: bool,
    },
    /// Record a review as done now.
    Complete {
        /// Schedule id.
        id: i64,
    },
}

/// `assay registry user ...`.
#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user or service account.
    Create {
        /// Unique account name.
        name: String,
        /// Role: admin, model_owner, reviewer, auditor or viewer.
        #[arg(long)]
        role: String,
        /// user (a person) or service (CI; cannot approve changes).
        #[arg(long, default_value = "user")]
        kind: String,
        /// Teams (e.g. risk) approval policies can require (comma-separated).
        #[arg(long, value_delimiter = ',')]
        teams: Vec<String>,
    },
    /// Every account.
    List,
    /// One account.
    Get {
        /// Account name.
        name: String,
    },
    /// Disable an account (its tokens stop working).
    Disable {
        /// Account name.
        name: String,
    },
    /// Re-enable an account.
    Enable {
        /// Account name.
        name: String,
    },
}

/// `assay registry token ...`.
#[derive(Subcommand)]
pub enum TokenCommand {
    /// Issue an API token for an account; the answer holds the token, shown this once.
    Issue {
        /// Account name.
        user: String,
        /// What the token is for.
        #[arg(long)]
        label: String,
        /// Days until it expires (default: never).
        #[arg(long)]
        ttl_days: Option<u32>,
        /// Write the token to this new file (mode 0600, never over an existing file) for
        /// ASSAY_TOKEN_FILE, instead of showing it in the answer.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Revoke an API token.
    Revoke {
        /// Token id.
        id: i64,
    },
}

/// `assay registry audit ...`.
#[derive(Subcommand)]
pub enum AuditCommand {
    /// Verify the server's hash chain; exit 1 when it does not verify.
    Verify,
    /// Audit entries in order.
    List {
        /// Entries after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: u64,
        /// At most this many (1-1000).
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Sign a checkpoint of the chain's head (admins); --out also writes it for `assay log verify --checkpoint`.
    Checkpoint {
        /// Also write the checkpoint JSON to this file.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// Prints a JSON answer, pretty.
fn print(v: &Value) -> Result<ExitCode, String> {
    if !v.is_null() {
        outln!(
            "{}",
            serde_json::to_string_pretty(v).map_err(|e| e.to_string())?
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Parses a flag's value as a value of the API's type `T` (by its JSON name, e.g.
/// `production` for a stage), so that a bad value is refused before anything is sent.
pub(crate) fn api_value<T: serde::de::DeserializeOwned>(
    flag: &str,
    value: &str,
) -> Result<T, String> {
    serde_json::from_value(Value::String(value.to_string()))
        .map_err(|e| format!("{flag} {value:?}: {e}"))
}

/// Reads a JSON file as the API's type `T`; an error names the file.
pub(crate) fn read_typed<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    serde_json::from_value(read_json(path)?).map_err(|e| format!("{}: {e}", path.display()))
}

/// What `assay registry artifact download` wrote.
#[derive(serde::Serialize)]
struct Downloaded {
    name: String,
    path: String,
    size: usize,
    sha256: String,
    signature: Option<String>,
    public_key: Option<String>,
}

/// Reads a JSON file.
fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))
}

/// SHA-256 of a file, lowercase hex, read in blocks.
fn sha256_file(path: &Path) -> Result<String, String> {
    let mut f =
        std::fs::File::open(path).map_err(|e| format!("{}: cannot open: {e}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Loads an Ed25519 signing key file (64 hex digits, the seed; the format of
/// `assay serve --checkpoint-key`).
fn load_signing_key(path: &Path) -> Result<ed25519_dalek::SigningKey, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    assay_govern::checkpoint::parse_signing_key(&text)
        .map_err(|e| format!("{}: not an Ed25519 signing key: {e}", path.display()))
}

/// `/v1/models/{model}/versions/{version}`.
fn version_path(model: &str, version: &str) -> String {
    format!("/v1/models/{}/versions/{}", enc(model), enc(version))
}

/// Runs `assay registry`.
pub fn run(a: RegistryArgs) -> Result<ExitCode, String> {
    let c = a.server.client()?;
    match a.command {
        RegistryCommand::Model(m) => model(&c, m),
        RegistryCommand::Version(v) => version(&c, v),
        RegistryCommand::Artifact(x) => artifact(&c, x),
        RegistryCommand::Evidence(e) => evidence(&c, e),
        RegistryCommand::Change(x) => change(&c, x),
        RegistryCommand::Rollback(r) => print(&c.post_json(
            &format!("/v1/models/{}/rollback", enc(&r.model)),
            &RollbackSpec { reason: r.reason },
        )?),
        RegistryCommand::Policy => print(&c.get("/v1/policy")?),
        RegistryCommand::Schedule(s) => schedule(&c, s),
        RegistryCommand::User(u) => user(&c, u),
        RegistryCommand::Token(t) => match t {
            TokenCommand::Issue {
                user,
                label,
                ttl_days,
                out,
            } => {
                if let Some(p) = &out {
                    // Refuse an existing file before the server issues a token nobody keeps.
                    if p.exists() {
                        return Err(crate::output::secret_file_exists(p, "--out"));
                    }
                }
                let mut v = c.post_json(
                    &format!("/v1/users/{}/tokens", enc(&user)),
                    &IssueToken { label, ttl_days },
                )?;
                if let Some(p) = &out {
                    let token = v
                        .get("token")
                        .and_then(Value::as_str)
                        .ok_or("the server's answer holds no token")?
                        .to_string();
                    crate::output::write_private(p, &token, "--out")?;
                    v["token"] = Value::from(format!("written to {}", p.display()));
                }
                print(&v)
            }
            TokenCommand::Revoke { id } => {
                c.delete(&format!("/v1/tokens/{id}"))?;
                print(&Value::from_iter([(
                    "revoked".to_string(),
                    Value::from(id),
                )]))
            }
        },
        RegistryCommand::Audit(x) => audit(&c, x),
        RegistryCommand::Whoami => print(&c.get("/v1/me")?),
    }
}

fn model(c: &Client, m: ModelCommand) -> Result<ExitCode, String> {
    match m {
        ModelCommand::Create(a) => {
            let spec = match &a.file {
                Some(f) => read_json(f)?,
                None => {
                    let risk = RiskAnswers {
                        annex_iii_area: a
                            .annex_iii_area
                            .as_deref()
                            .map(|v| api_value("--annex-iii-area", v))
                            .transpose()?,
                        profiles_natural_persons: a.profiles_natural_persons,
                        annex_i_safety_component: a.annex_i_safety_component,
                        ..RiskAnswers::default()
                    };
                    let spec = ModelSpec {
                        name: a.name.clone().unwrap_or_default(),
                        purpose: a.purpose.clone().unwrap_or_default(),
                        intended_use: a.intended_use.clone().unwrap_or_default(),
                        out_of_scope_uses: a.out_of_scope.clone(),
                        owner: a.owner.clone(),
                        data_sources: a.data_sources.clone(),
                        upstream: a.upstream.clone(),
                        downstream: a.downstream.clone(),
                        risk,
                    };
                    serde_json::to_value(spec).map_err(|e| e.to_string())?
                }
            };
            print(&c.post("/v1/models", &spec)?)
        }
        ModelCommand::Get { name } => print(&c.get(&format!("/v1/models/{}", enc(&name)))?),
        ModelCommand::List => print(&c.get("/v1/models")?),
        ModelCommand::Update { name, file } => {
            print(&c.patch(&format!("/v1/models/{}", enc(&name)), &read_json(&file)?)?)
        }
    }
}

fn version(c: &Client, v: VersionCommand) -> Result<ExitCode, String> {
    match v {
        VersionCommand::Create(a) => {
            let sha = match (&a.artifact, &a.sha256) {
                (Some(f), _) => sha256_file(f)?,
                (None, Some(h)) => h.trim().to_ascii_lowercase(),
                (None, None) => return Err("give --artifact FILE or --sha256 HEX".into()),
            };
            let body = VersionSpec {
                version: a.version,
                artifact_sha256: sha,
                description: a.description,
                training_data: a.training_data,
            };
            print(&c.post_json(&format!("/v1/models/{}/versions", enc(&a.model)), &body)?)
        }
        VersionCommand::Get { model, version } => print(&c.get(&version_path(&model, &version))?),
        VersionCommand::List { model } => {
            print(&c.get(&format!("/v1/models/{}/versions", enc(&model)))?)
        }
    }
}

fn artifact(c: &Client, x: ArtifactCommand) -> Result<ExitCode, String> {
    match x {
        ArtifactCommand::Upload(a) => {
            let bytes = std::fs::read(&a.file)
                .map_err(|e| format!("{}: cannot read: {e}", a.file.display()))?;
            let name = match &a.name {
                Some(n) => n.clone(),
                None => a
                    .file
                    .file_name()
                    .and_then(|n| n.to_str())
                    .ok_or_else(|| {
                        format!("{}: no usable file name: give --name", a.file.display())
                    })?
                    .to_string(),
            };
            let digest = Sha256::digest(&bytes);
            let mut headers = Vec::new();
            if let Some(k) = &a.sign_key {
                use ed25519_dalek::Signer;
                let key = load_signing_key(k)?;
                let sig = key.sign(&digest);
                headers.push(("x-assay-signature", hex::encode(sig.to_bytes())));
                headers.push((
                    "x-assay-public-key",
                    hex::encode(key.verifying_key().to_bytes()),
                ));
            }
            let hdrs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let path = format!(
                "{}/artifacts/{}",
                version_path(&a.model, &a.version),
                enc(&name)
            );
            print(&c.send("PUT", &path, Body::Bytes(&bytes), &hdrs)?.json()?)
        }
        ArtifactCommand::List { model, version } => {
            print(&c.get(&format!("{}/artifacts", version_path(&model, &version)))?)
        }
        ArtifactCommand::Download {
            model,
            version,
            name,
            out,
        } => {
            let path = format!(
                "{}/artifacts/{}",
                version_path(&model, &version),
                enc(&name)
            );
            let reply = c.send("GET", &path, Body::None, &[])?;
            let sha = hex::encode(Sha256::digest(&reply.body));
            if let Some(expected) = reply.header("x-assay-sha256") {
                if !expected.eq_ignore_ascii_case(&sha) {
                    return Err(format!(
                        "{name}: the downloaded bytes have SHA-256 {sha}, the server says {expected}; nothing written"
                    ));
                }
            }
            crate::output::write(&out, &reply.body)?;
            print(
                &serde_json::to_value(Downloaded {
                    name,
                    path: out.display().to_string(),
                    size: reply.body.len(),
                    sha256: sha,
                    signature: reply.header("x-assay-signature").map(str::to_string),
                    public_key: reply.header("x-assay-public-key").map(str::to_string),
                })
                .map_err(|e| e.to_string())?,
            )
        }
    }
}

fn evidence(c: &Client, e: EvidenceCommand) -> Result<ExitCode, String> {
    match e {
        EvidenceCommand::Submit(a) => {
            let report = read_json(&a.report)?;
            let body = EvidenceSpec {
                kind: api_value("--kind", &a.kind)?,
                verdict: a
                    .verdict
                    .as_deref()
                    .map(|v| api_value("--verdict", v))
                    .transpose()?,
                report,
            };
            print(&c.post_json(
                &format!("{}/evidence", version_path(&a.model, &a.version)),
                &body,
            )?)
        }
        EvidenceCommand::List { model, version } => {
            print(&c.get(&format!("{}/evidence", version_path(&model, &version)))?)
        }
        EvidenceCommand::Get { id } => print(&c.get(&format!("/v1/evidence/{id}"))?),
    }
}

fn change(c: &Client, x: ChangeCommand) -> Result<ExitCode, String> {
    match x {
        ChangeCommand::Open(a) => print(&c.post_json(
            &format!("{}/changes", version_path(&a.model, &a.version)),
            &ChangeSpec {
                to_stage: api_value("--to", &a.to_stage)?,
                impact_assessment: a.impact_assessment,
                rollback_plan: a.rollback_plan,
            },
        )?),
        ChangeCommand::List { status, model } => print(&c.get(&format!(
            "/v1/changes{}",
            query(&[("status", status), ("model", model)])
        ))?),
        ChangeCommand::Show { id, expect } => {
            let v = c.get(&format!("/v1/changes/{id}"))?;
            print(&v)?;
            match expect {
                Some(want) => {
                    let got = v.get("status").and_then(Value::as_str).unwrap_or("");
                    if got == want {
                        Ok(ExitCode::SUCCESS)
                    } else {
                        eprintln!("change request {id} is {got}, not {want}");
                        Ok(ExitCode::from(1))
                    }
                }
                None => Ok(ExitCode::SUCCESS),
            }
        }
        ChangeCommand::Approve(d) => print(&c.post_json(
            &format!("/v1/changes/{}/approve", d.id),
            &DecisionSpec { comment: d.comment },
        )?),
        ChangeCommand::Reject(d) => print(&c.post_json(
            &format!("/v1/changes/{}/reject", d.id),
            &DecisionSpec { comment: d.comment },
        )?),
        ChangeCommand::Apply { id } => print(&c.post_empty(&format!("/v1/changes/{id}/apply"))?),
        ChangeCommand::Withdraw { id } => {
            print(&c.post_empty(&format!("/v1/changes/{id}/withdraw"))?)
        }
    }
}

fn schedule(c: &Client, s: ScheduleCommand) -> Result<ExitCode, String> {
    match s {
        ScheduleCommand::Create {
            model,
            kind,
            every_days,
            first_due_ms,
        } => {
            let body = ScheduleSpec {
                kind,
                every_days,
                first_due_ms,
            };
            print(&c.post_json(&format!("/v1/models/{}/schedules", enc(&model)), &body)?)
        }
        ScheduleCommand::List { model } => {
            print(&c.get(&format!("/v1/models/{}/schedules", enc(&model)))?)
        }
        ScheduleCommand::Overdue { fail_if_any } => {
            let v = c.get("/v1/schedules/overdue")?;
            print(&v)?;
            let n = v.as_array().map_or(0, Vec::len);
            if fail_if_any && n > 0 {
                eprintln!("{n} review(s) overdue");
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        ScheduleCommand::Complete { id } => {
            print(&c.post_empty(&format!("/v1/schedules/{id}/complete"))?)
        }
    }
}

fn user(c: &Client, u: UserCommand) -> Result<ExitCode, String> {
    match u {
        UserCommand::Create {
            name,
            role,
            kind,
            teams,
        } => print(&c.post_json(
            "/v1/users",
            &CreateUser {
                name,
                kind: api_value("--kind", &kind)?,
                role: api_value("--role", &role)?,
                teams,
            },
        )?),
        UserCommand::List => print(&c.get("/v1/users")?),
        UserCommand::Get { name } => print(&c.get(&format!("/v1/users/{}", enc(&name)))?),
        UserCommand::Disable { name } => {
            print(&c.post_empty(&format!("/v1/users/{}/disable", enc(&name)))?)
        }
        UserCommand::Enable { name } => {
            print(&c.post_empty(&format!("/v1/users/{}/enable", enc(&name)))?)
        }
    }
}

fn audit(c: &Client, x: AuditCommand) -> Result<ExitCode, String> {
    match x {
        AuditCommand::Verify => {
            let v = c.get("/v1/audit/verify")?;
            print(&v)?;
            if v.get("ok").and_then(Value::as_bool) == Some(true) {
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "audit log does NOT verify: first bad entry is seq {}: {}",
                    v.get("problem_seq").unwrap_or(&Value::Null),
                    v.get("problem").and_then(Value::as_str).unwrap_or("?")
                );
                Ok(ExitCode::from(1))
            }
        }
        AuditCommand::List { after, limit } => print(&c.get(&format!(
            "/v1/audit{}",
            query(&[
                ("after", Some(after.to_string())),
                ("limit", limit.map(|l| l.to_string()))
            ])
        ))?),
        AuditCommand::Checkpoint { out } => {
            let v = c.post_empty("/v1/audit/checkpoints")?;
            if let Some(p) = &out {
                let text = serde_json::to_string_pretty(&v).map_err(|e| e.to_string())? + "\n";
                crate::output::write(p, text)?;
            }
            print(&v)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        crate::Cli::command().debug_assert();
    }
}
