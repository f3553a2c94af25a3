//! What a piece of evidence is about (issue #15, finding 14): the model file and the time its
//! report records under `provenance` (written by every assay command, see
//! `assay_data::provenance`).
//!
//! A report whose `provenance.model.sha256` differs from the version's artifact digest is about
//! another model and is refused. A report that records no model digest is stored as *unbound*:
//! it never satisfies a policy rule. A rule's maximum age is judged by the report's own
//! `provenance.created_at` (RFC 3339), not by when it was uploaded; a time more than
//! [`MAX_CLOCK_SKEW_MS`] ahead of the server's clock is refused.

use serde_json::Value;

use crate::GovernError;

/// How far ahead of the server's clock a report's time may be (clock skew), ms.
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// What a report says it is about, checked against the version it is attached to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The model digest the report records, if any.
    pub model_sha256: Option<String>,
    /// Whether that digest is the version's artifact digest.
    pub bound: bool,
    /// The report's own time (ms since the Unix epoch), if it records one.
    pub report_ms: Option<i64>,
}

/// Reads `report.provenance` and checks it against the version's `artifact_sha256` (of version
/// `version` of `model`, for messages) and the server's time `now_ms`.
pub fn bind(
    report: &Value,
    model: &str,
    version: &str,
    artifact_sha256: &str,
    now_ms: i64,
) -> Result<Binding, GovernError> {
    let p =
        match report.get("provenance") {
            None | Some(Value::Null) => {
                return Ok(Binding {
                    model_sha256: None,
                    bound: false,
                    report_ms: None,
                })
            }
            Some(Value::Object(p)) => p,
            Some(_) => return Err(invalid(
                "report.provenance: expected an object (assay_version, created_at, model, data)",
            )),
        };
    let model_sha256 = match p.get("model") {
        None | Some(Value::Null) => None,
        Some(m) => {
            let sha = m.get("sha256").and_then(Value::as_str).ok_or_else(|| {
                invalid("report.provenance.model.sha256: missing (expected 64 hex digits)")
            })?;
            if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid(
                    "report.provenance.model.sha256: expected 64 hex digits",
                ));
            }
            let sha = sha.to_ascii_lowercase();
            if !sha.eq_ignore_ascii_case(artifact_sha256) {
                let path = m.get("path").and_then(Value::as_str).unwrap_or("?");
                return Err(GovernError::Invalid(format!(
                    "report.provenance.model.sha256: the report is about model file {path} \
                     (sha256 {sha}), not version {version} of model {model} (artifact sha256 \
                     {artifact_sha256})"
                )));
            }
            Some(sha)
        }
    };
    let report_ms = match p.get("created_at") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            let ms = parse_rfc3339_ms(s).ok_or_else(|| {
                GovernError::Invalid(format!(
                    "report.provenance.created_at: {s:?} is not an RFC 3339 time such as \
                     2026-01-31T12:00:00Z"
                ))
            })?;
            if ms > now_ms + MAX_CLOCK_SKEW_MS {
                return Err(GovernError::Invalid(format!(
                    "report.provenance.created_at: {s} is in the future (more than {} minutes \
                     ahead of the server's clock)",
                    MAX_CLOCK_SKEW_MS / 60_000
                )));
            }
            Some(ms)
        }
        Some(_) => {
            return Err(invalid(
                "report.provenance.created_at: expected an RFC 3339 string",
            ))
        }
    };
    Ok(Binding {
        bound: model_sha256.is_some(),
        model_sha256,
        report_ms,
    })
}

fn invalid(message: &str) -> GovernError {
    GovernError::Invalid(message.to_string())
}

/// Parses an RFC 3339 date-time (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, RFC 3339
/// section 5.6) into ms since the Unix epoch; `None` when it is not one.
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// Unix seconds as RFC 3339 UTC, `YYYY-MM-DDTHH:MM:SSZ`, as assay's reports write it.
pub fn format_rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ART: &str = "ab";

    fn art() -> String {
        ART.repeat(32)
    }

    #[test]
    fn rfc3339_times() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339_ms("2023-11-14T22:13:20Z"),
            Some(1_700_000_000_000)
        );
        assert_eq!(
            parse_rfc3339_ms("2000-02-29T00:00:00.25Z"),
            Some(951_782_400_250)
        );
        assert_eq!(
            parse_rfc3339_ms("2023-11-15T00:13:20+02:00"),
            Some(1_700_000_000_000)
        );
        for secs in [0, 951_782_400, 1_700_000_000, 4_102_444_799] {
            assert_eq!(parse_rfc3339_ms(&format_rfc3339(secs)), Some(secs * 1000));
        }
        for bad in [
            "",
            "2023-11-14",
            "2023-11-14T22:13:20",
            "2023-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-11-14T24:00:00Z",
            "2023-11-14T22:13:20.Z",
            "2023-11-14T22:13:20Zjunk",
            "２０２３-11-14T22:13:20Z",
        ] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn reports_are_bound_by_their_model_digest() {
        let now = 1_700_000_000_000;
        let report = |model: Value, at: &str| json!({"provenance": {"assay_version": "0.1.0", "created_at": at, "model": model, "data": []}});
        let m = json!({"path": "model.json", "sha256": art(), "bytes": 10});
        let b = bind(
            &report(m, "2023-11-14T22:13:20Z"),
            "credit",
            "1",
            &art(),
            now,
        )
        .unwrap();
        assert_eq!(
            b,
            Binding {
                model_sha256: Some(art()),
                bound: true,
                report_ms: Some(now)
            }
        );
        // No model digest, or no provenance at all: unbound.
        let b = bind(
            &report(Value::Null, "2023-11-14T22:13:20Z"),
            "credit",
            "1",
            &art(),
            now,
        )
        .unwrap();
        assert!(!b.bound && b.report_ms == Some(now));
        let b = bind(&json!({}), "credit", "1", &art(), now).unwrap();
        assert!(!b.bound && b.report_ms.is_none());
        // Another model, a malformed digest or time, a time in the future: refused.
        let other = json!({"path": "other.json", "sha256": "cd".repeat(32)});
        let e = bind(
            &report(other, "2023-11-14T22:13:20Z"),
            "credit",
            "1",
            &art(),
            now,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("other.json") && e.contains("not version 1 of model credit"),
            "{e}"
        );
        for (r, what) in [
            (
                report(json!({"sha256": "xyz"}), "2023-11-14T22:13:20Z"),
                "64 hex",
            ),
            (
                report(json!({}), "2023-11-14T22:13:20Z"),
                "model.sha256: missing",
            ),
            (report(Value::Null, "yesterday"), "created_at"),
            (report(Value::Null, "2023-11-14T22:20:00Z"), "in the future"),
            (json!({"provenance": 7}), "report.provenance"),
        ] {
            let e = bind(&r, "credit", "1", &art(), now)
                .unwrap_err()
                .to_string();
            assert!(e.contains(what), "{what}: {e}");
        }
        // Within the allowed skew.
        assert!(bind(
            &report(Value::Null, "2023-11-14T22:18:20Z"),
            "credit",
            "1",
            &art(),
            now
        )
        .is_ok());
    }
}
