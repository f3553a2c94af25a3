//! `assay incident`: incidents over the governance API (`/v1/incidents`): open, list, show, add
//! a timeline note, move the status forward, record the post-mortem.

use std::path::PathBuf;
use std::process::ExitCode;

use assay_govern::incidents::{IncidentSpec, NoteSpec, StatusChange, VersionRef};
use clap::{Args, Subcommand};

use super::client::{query, ServerArgs};
use super::{api_value, print, read_json, read_typed};

/// Arguments of `assay incident`.
#[derive(Args)]
pub struct IncidentArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(subcommand)]
    pub command: IncidentCommand,
}

/// `assay incident` subcommands.
#[derive(Subcommand)]
pub enum IncidentCommand {
    /// Open an incident.
    #[command(disable_version_flag = true)]
    Open(OpenArgs),
    /// Incidents, newest first.
    List {
        /// Only incidents with this status (open, investigating, mitigated, resolved).
        #[arg(long)]
        status: Option<String>,
        /// Only incidents linked to a version of this model.
        #[arg(long)]
        model: Option<String>,
    },
    /// One incident with its linked versions and timeline.
    Show {
        /// Incident id.
        id: i64,
    },
    /// Add a note to an incident's timeline.
    Note {
        /// Incident id.
        id: i64,
        /// The note.
        text: String,
    },
    /// Move an incident forward: investigating, mitigated or resolved (sev1/sev2 need a post-mortem to resolve).
    Status {
        /// Incident id.
        id: i64,
        /// The new status.
        status: String,
        /// Why, recorded in the timeline.
        #[arg(long, default_value = "")]
        note: String,
        /// A post-mortem (JSON: summary, root_cause, prevention, timeline) recorded with the change.
        #[arg(long, value_name = "FILE")]
        postmortem: Option<PathBuf>,
    },
    /// Record or replace an incident's post-mortem from a JSON file (summary, root_cause, prevention, timeline).
    Postmortem {
        /// Incident id.
        id: i64,
        /// The post-mortem (JSON).
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
}

/// Arguments of `assay incident open`.
#[derive(Args)]
pub struct OpenArgs {
    /// One-line title.
    #[arg(long)]
    pub title: String,
    /// Severity: sev1 (most severe) to sev4.
    #[arg(long)]
    pub severity: String,
    /// What happened, as known so far.
    #[arg(long, default_value = "")]
    pub description: String,
    /// A model version concerned, as MODEL@VERSION (split at the last @); repeat for several.
    #[arg(long = "version", value_name = "MODEL@VERSION")]
    pub versions: Vec<String>,
}

/// Splits `MODEL@VERSION` at its last `@`.
fn version_ref(s: &str) -> Result<VersionRef, String> {
    match s.rsplit_once('@') {
        Some((m, v)) if !m.is_empty() && !v.is_empty() => Ok(VersionRef {
            model: m.to_string(),
            version: v.to_string(),
        }),
        _ => Err(format!("--version {s:?}: expected MODEL@VERSION")),
    }
}

/// Runs `assay incident`.
pub fn run_incident(a: IncidentArgs) -> Result<ExitCode, String> {
    let c = a.server.client()?;
    match a.command {
        IncidentCommand::Open(o) => {
            let versions = o
                .versions
                .iter()
                .map(|s| version_ref(s))
                .collect::<Result<Vec<_>, _>>()?;
            print(&c.post_json(
                "/v1/incidents",
                &IncidentSpec {
                    title: o.title,
                    severity: api_value("--severity", &o.severity)?,
                    description: o.description,
                    versions,
                },
            )?)
        }
        IncidentCommand::List { status, model } => print(&c.get(&format!(
            "/v1/incidents{}",
            query(&[("status", status), ("model", model)])
        ))?),
        IncidentCommand::Show { id } => print(&c.get(&format!("/v1/incidents/{id}"))?),
        IncidentCommand::Note { id, text } => {
            print(&c.post_json(&format!("/v1/incidents/{id}/events"), &NoteSpec { text })?)
        }
        IncidentCommand::Status {
            id,
            status,
            note,
            postmortem,
        } => {
            let body = StatusChange {
                status: api_value("--status", &status)?,
                note,
                postmortem: postmortem.as_deref().map(read_typed).transpose()?,
            };
            print(&c.post_json(&format!("/v1/incidents/{id}/status"), &body)?)
        }
        IncidentCommand::Postmortem { id, file } => print(&c.put(
            &format!("/v1/incidents/{id}/postmortem"),
            &read_json(&file)?,
        )?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_refs_split_at_the_last_at() {
        assert_eq!(
            version_ref("credit@1.0").unwrap(),
            VersionRef {
                model: "credit".into(),
                version: "1.0".into()
            }
        );
        assert_eq!(
            version_ref("team@credit@2").unwrap(),
            VersionRef {
                model: "team@credit".into(),
                version: "2".into()
            }
        );
        assert!(version_ref("credit").is_err());
        assert!(version_ref("credit@").is_err());
    }
}
