//! `--submit URL` of `assay fairness`, `mitigate`, `explain`, `dp` and `mia`: after the command
//! has written its outputs, its JSON report is posted as audit evidence of a model version
//! (`POST URL` with `{"kind", "verdict", "report"}`, where URL is the version's evidence
//! endpoint, e.g. `https://governance:8443/v1/models/credit/versions/1.0/evidence`), with the
//! token of `$ASSAY_TOKEN`.
//!
//! The verdict is the command's policy gate: `pass` or `fail` when a policy was evaluated (the
//! same result that sets exit code 1), `none` otherwise. It is sent as a claim: the server
//! derives the verdict from the report itself and refuses a claim that differs. A failed upload is an error (exit 2),
//! reported after the local outputs were written; a successful one is reported on standard
//! error, so standard output keeps only the command's own output.

use std::path::PathBuf;

use clap::Args;
use serde_json::Value;

use assay_govern::evidence::{EvidenceKind, EvidenceSpec};

use super::client::{Body, Client, CA_CERT_ENV};

/// The `--submit` flags, flattened into each command that produces a JSON report.
#[derive(Args, Debug, Clone, Default)]
pub struct SubmitArgs {
    /// Upload the JSON report as audit evidence to this URL: a model version's evidence endpoint, e.g. http://host:8080/v1/models/credit/versions/1.0/evidence (token from $ASSAY_TOKEN); a failed upload exits 2.
    #[arg(long, value_name = "URL", help_heading = "Governance")]
    pub submit: Option<String>,
    /// With --submit over https: trust the CA certificates of this PEM file (default: $ASSAY_CA_CERT).
    #[arg(
        long,
        value_name = "PEM",
        requires = "submit",
        help_heading = "Governance"
    )]
    pub submit_ca_cert: Option<PathBuf>,
}

/// The policy verdict sent with a report: the server's own type.
pub use assay_govern::evidence::Verdict;

impl SubmitArgs {
    /// For commands whose JSON report exists only with `--format json`: refuses `--submit`
    /// without it, before any work is done.
    pub fn require_json(&self, format_is_json: bool) -> Result<(), String> {
        if self.submit.is_some() && !format_is_json {
            return Err("--submit uploads the JSON report: add --format json".into());
        }
        Ok(())
    }

    /// Posts `report` (JSON text) as evidence of `kind` with `verdict`, when `--submit` was
    /// given; does nothing otherwise.
    pub fn upload(&self, kind: &str, verdict: Verdict, report: &str) -> Result<(), String> {
        if self.submit.is_none() {
            return Ok(());
        }
        let report: Value = serde_json::from_str(report)
            .map_err(|e| format!("--submit: the {kind} report is not JSON: {e}"))?;
        self.upload_value(kind, verdict, report)
    }

    /// As [`Self::upload`], for a typed report.
    pub fn upload_report<T: serde::Serialize>(
        &self,
        kind: &str,
        verdict: Verdict,
        report: &T,
    ) -> Result<(), String> {
        if self.submit.is_none() {
            return Ok(());
        }
        let report = serde_json::to_value(report).map_err(|e| e.to_string())?;
        self.upload_value(kind, verdict, report)
    }

    /// As [`Self::upload`], for a report already parsed.
    pub fn upload_value(&self, kind: &str, verdict: Verdict, report: Value) -> Result<(), String> {
        let Some(url) = &self.submit else {
            return Ok(());
        };
        let body = serde_json::to_value(EvidenceSpec {
            kind: EvidenceKind::parse(kind).map_err(|e| e.to_string())?,
            verdict: Some(verdict),
            report,
        })
        .map_err(|e| e.to_string())?;
        let ca = self.submit_ca_cert.clone().or_else(|| {
            std::env::var_os(CA_CERT_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        let client = Client::new(url, ca.as_deref()).map_err(|e| format!("--submit: {e}"))?;
        let reply = client
            .send("POST", client.base(), Body::Json(&body), &[])
            .map_err(|e| {
                format!("--submit: the report was written locally but not uploaded: {e}")
            })?;
        let v = reply.json().unwrap_or(Value::Null);
        match (v.get("id"), v.get("sha256").and_then(Value::as_str)) {
            (Some(id), Some(sha)) => eprintln!(
                "submitted {kind} evidence #{id} (verdict {}, sha256 {sha}) to {url}",
                verdict.as_str()
            ),
            _ => eprintln!(
                "submitted {kind} evidence (verdict {}) to {url}",
                verdict.as_str()
            ),
        }
        Ok(())
    }
}
