//! Support for tests that run against PostgreSQL (this crate's, the server's and the CLI's).
//!
//! Tests read `ASSAY_TEST_POSTGRES_URL` (a role allowed to create databases) and call
//! [`fresh_postgres_database`] to get a URL of a brand-new empty database, so tests run in
//! parallel without sharing or wiping tables. `.ci/run` starts PostgreSQL and sets the variable.

use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable naming the test PostgreSQL server.
pub const POSTGRES_URL_VAR: &str = "ASSAY_TEST_POSTGRES_URL";

/// The URL of `ASSAY_TEST_POSTGRES_URL`, or `None` (tests then skip, saying so).
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|s| !s.is_empty())
}

/// Creates an empty database named `assay_test_<pid>_<n>_<time>` on the server of `url` and
/// returns a URL for it (same credentials and options).
pub async fn fresh_postgres_database(url: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "assay_test_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        crate::db::now_ms()
    );
    let admin = sqlx::PgPool::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connecting to {POSTGRES_URL_VAR}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
    admin.close().await;
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A consistent `assay.fairness/1` report for tests that attach evidence: a one-rule policy
/// result that `passed` (`Some`), or no policy at all (`None`). Its verdict, as the server
/// derives it ([`crate::report_verdict`]), is `pass`, `fail` or `none` accordingly.
pub fn fairness_report(passed: Option<bool>) -> serde_json::Value {
    let policy = passed.map(|p| {
        serde_json::json!({
            "path": "policy.toml",
            "passed": p,
            "violations": usize::from(!p),
            "rules": [{
                "metric": "demographic_parity_ratio",
                "bound": ">= 0.8",
                "value": if p { 0.9 } else { 0.6 },
                "interval": null,
                "on_interval": false,
                "passed": p,
                "message": if p { None } else { Some("0.6 < 0.8") },
            }],
        })
    });
    serde_json::json!({
        "schema": "assay.fairness/1",
        "assay_version": env!("CARGO_PKG_VERSION"),
        "policy": policy,
        "notes": [],
    })
}

/// [`fairness_report`] with the `provenance` of a report about the model file of digest
/// `model_sha256` (a version's artifact digest) made at `at_ms` (ms since the Unix epoch): bound
/// evidence of that version, aged by `at_ms` ([`crate::report_binding`]).
pub fn bound_fairness_report(
    passed: Option<bool>,
    model_sha256: &str,
    at_ms: i64,
) -> serde_json::Value {
    let mut r = fairness_report(passed);
    r["provenance"] = serde_json::json!({
        "assay_version": env!("CARGO_PKG_VERSION"),
        "created_at": crate::report_binding::format_rfc3339(at_ms.div_euclid(1000)),
        "model": {"path": "model.json", "sha256": model_sha256, "bytes": 1},
        "data": [{"path": "data.csv", "sha256": "00".repeat(32), "bytes": 1}],
    });
    r
}
