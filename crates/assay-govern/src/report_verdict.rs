//! The verdict of a report, derived from the report itself (issue #15, finding 2): the server
//! never takes a submitted verdict on trust.
//!
//! The report's `schema` says which assay command wrote it, and so where its policy result is:
//!
//! | schema | evidence kind | verdict |
//! |---|---|---|
//! | `assay.fairness/1` | `fairness` | `policy.passed` (checked against every rule's `passed` and `policy.violations`); `none` without `policy` |
//! | `assay.mitigation/1` | `mitigate` | with `sweep.policy`: `pass` when the chosen point `passes_policy`, `fail` when no point was chosen; `none` otherwise |
//! | `assay.dp/1` | `dp` | `command = "audit"`: `fail` when `violated`, else `pass`; `none` for other commands |
//! | `assay.dp-query/1` | `dp` | `none` |
//! | `assay.explain/1` | `explain` | `none` |
//! | `assay.mia/1` | `mia` | with `verdict.policy`: `pass` when `passed`, else `fail` (the failures listed must agree); `none` otherwise |
//! | `assay.anonymize/1`, `assay.anonymity/1` | `anonymize` | `none` |
//!
//! A report of one of these schemas must be submitted as its kind. Any other report (no
//! `schema`, or another one) carries no policy result: its verdict is `none`, which never
//! satisfies a rule asking for `pass`. A policy section that is malformed or contradicts itself
//! is refused, naming the field.

use serde_json::Value;

use crate::evidence::{EvidenceKind, Verdict};
use crate::GovernError;

/// The evidence kind that a report of `schema` is, when `schema` is one of assay's reports.
pub fn kind_of_schema(schema: &str) -> Option<EvidenceKind> {
    Some(match schema {
        "assay.fairness/1" => EvidenceKind::Fairness,
        "assay.mitigation/1" => EvidenceKind::Mitigate,
        "assay.dp/1" | "assay.dp-query/1" => EvidenceKind::Dp,
        "assay.explain/1" => EvidenceKind::Explain,
        "assay.mia/1" => EvidenceKind::Mia,
        "assay.anonymize/1" | "assay.anonymity/1" => EvidenceKind::Anonymize,
        _ => return None,
    })
}

/// The verdict of `report` submitted as evidence of `kind` (see the module documentation).
pub fn derive(kind: EvidenceKind, report: &Value) -> Result<Verdict, GovernError> {
    let schema = match report.get("schema") {
        None | Some(Value::Null) => return Ok(Verdict::None),
        Some(Value::String(s)) => s.as_str(),
        Some(other) => {
            return Err(invalid(format!(
                "report.schema: expected a string such as \"assay.fairness/1\", found {}",
                type_name(other)
            )))
        }
    };
    let Some(schema_kind) = kind_of_schema(schema) else {
        return Ok(Verdict::None);
    };
    if schema_kind != kind {
        return Err(invalid(format!(
            "report.schema: a {schema} report is {} evidence, not {}",
            schema_kind.as_str(),
            kind.as_str()
        )));
    }
    match schema {
        "assay.fairness/1" => fairness(report),
        "assay.mitigation/1" => mitigation(report),
        "assay.dp/1" if report.get("command").and_then(Value::as_str) == Some("audit") => {
            dp_audit(report)
        }
        "assay.mia/1" => mia(report),
        _ => Ok(Verdict::None),
    }
}

/// Checks a claimed verdict against the derived one.
pub fn check_claim(claimed: Verdict, derived: Verdict) -> Result<(), GovernError> {
    if claimed == derived {
        return Ok(());
    }
    let why = match derived {
        Verdict::None => "the report carries no policy result",
        Verdict::Pass => "the report's policy passed",
        Verdict::Fail => "the report's policy failed",
    };
    Err(invalid(format!(
        "verdict: claimed {} but {why} (verdict {}); the verdict is taken from the report",
        claimed.as_str(),
        derived.as_str()
    )))
}

fn fairness(report: &Value) -> Result<Verdict, GovernError> {
    let policy = match report.get("policy") {
        None | Some(Value::Null) => return Ok(Verdict::None),
        Some(p) => p,
    };
    let passed = bool_at(policy, "passed", "report.policy.passed")?;
    let rules = match policy.get("rules") {
        Some(Value::Array(r)) => r,
        _ => {
            return Err(invalid(
                "report.policy.rules: expected the array of rule results".into(),
            ))
        }
    };
    let mut failed = 0u64;
    for (i, r) in rules.iter().enumerate() {
        if !bool_at(r, "passed", &format!("report.policy.rules[{i}].passed"))? {
            failed += 1;
        }
    }
    if rules.is_empty() {
        return Err(invalid(
            "report.policy.rules: a policy result without rules".into(),
        ));
    }
    if passed != (failed == 0) {
        return Err(invalid(format!(
            "report.policy.passed: says {passed} but {failed} of {} rules failed",
            rules.len()
        )));
    }
    if let Some(v) = policy.get("violations") {
        if v.as_u64() != Some(failed) {
            return Err(invalid(format!(
                "report.policy.violations: says {v} but {failed} of {} rules failed",
                rules.len()
            )));
        }
    }
    Ok(if passed { Verdict::Pass } else { Verdict::Fail })
}

fn mitigation(report: &Value) -> Result<Verdict, GovernError> {
    let sweep = match report.get("sweep") {
        None | Some(Value::Null) => return Ok(Verdict::None),
        Some(s) => s,
    };
    match sweep.get("policy") {
        None | Some(Value::Null) => return Ok(Verdict::None),
        Some(Value::String(_)) => {}
        Some(other) => {
            return Err(invalid(format!(
                "report.sweep.policy: expected the policy file's path, found {}",
                type_name(other)
            )))
        }
    }
    let chosen = match sweep.get("chosen") {
        None | Some(Value::Null) => return Ok(Verdict::Fail),
        Some(c) => c.as_u64().ok_or_else(|| {
            invalid(format!(
                "report.sweep.chosen: expected a point index, found {c}"
            ))
        })?,
    };
    let point = sweep
        .get("points")
        .and_then(Value::as_array)
        .and_then(|p| usize::try_from(chosen).ok().and_then(|i| p.get(i)))
        .ok_or_else(|| {
            invalid(format!(
                "report.sweep.chosen: point {chosen} is not in report.sweep.points"
            ))
        })?;
    let what = format!("report.sweep.points[{chosen}].passes_policy");
    if bool_at(point, "passes_policy", &what)? {
        Ok(Verdict::Pass)
    } else {
        Err(invalid(format!(
            "{what}: the chosen point does not pass the policy"
        )))
    }
}

fn mia(report: &Value) -> Result<Verdict, GovernError> {
    let policy = match report.get("verdict").and_then(|v| v.get("policy")) {
        None | Some(Value::Null) => return Ok(Verdict::None),
        Some(p) => p,
    };
    let passed = bool_at(policy, "passed", "report.verdict.policy.passed")?;
    let failures = match policy.get("failures") {
        Some(Value::Array(f)) => f.len(),
        _ => {
            return Err(invalid(
                "report.verdict.policy.failures: missing (expected a list)".to_string(),
            ))
        }
    };
    if passed != (failures == 0) {
        return Err(invalid(format!(
            "report.verdict.policy: passed is {passed} but {failures} failures are listed"
        )));
    }
    Ok(if passed { Verdict::Pass } else { Verdict::Fail })
}

fn dp_audit(report: &Value) -> Result<Verdict, GovernError> {
    Ok(if bool_at(report, "violated", "report.violated")? {
        Verdict::Fail
    } else {
        Verdict::Pass
    })
}

fn bool_at(v: &Value, key: &str, what: &str) -> Result<bool, GovernError> {
    match v.get(key) {
        Some(Value::Bool(b)) => Ok(*b),
        None => Err(invalid(format!("{what}: missing (expected true or false)"))),
        Some(other) => Err(invalid(format!(
            "{what}: expected true or false, found {}",
            type_name(other)
        ))),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn invalid(message: String) -> GovernError {
    GovernError::Invalid(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(rules: &[bool]) -> Value {
        let failed = rules.iter().filter(|p| !**p).count();
        json!({
            "path": "policy.toml",
            "passed": failed == 0,
            "violations": failed,
            "rules": rules.iter().map(|p| json!({"metric": "m", "passed": p})).collect::<Vec<_>>(),
        })
    }

    #[test]
    fn fairness_verdicts_come_from_the_policy_result() {
        let k = EvidenceKind::Fairness;
        let f = |p: Value| json!({"schema": "assay.fairness/1", "policy": p});
        assert_eq!(derive(k, &f(policy(&[true, true]))).unwrap(), Verdict::Pass);
        assert_eq!(
            derive(k, &f(policy(&[true, false]))).unwrap(),
            Verdict::Fail
        );
        assert_eq!(derive(k, &f(Value::Null)).unwrap(), Verdict::None);
        assert_eq!(
            derive(k, &json!({"schema": "assay.fairness/1"})).unwrap(),
            Verdict::None
        );
        assert_eq!(derive(k, &json!({})).unwrap(), Verdict::None);
        // A result that contradicts its rules, or is malformed, is refused.
        let mut forged = policy(&[true, false]);
        forged["passed"] = json!(true);
        forged["violations"] = json!(0);
        let e = derive(k, &f(forged)).unwrap_err().to_string();
        assert!(
            e.contains("report.policy.passed") && e.contains("1 of 2"),
            "{e}"
        );
        let mut miscounted = policy(&[false]);
        miscounted["violations"] = json!(0);
        let e = derive(k, &f(miscounted)).unwrap_err().to_string();
        assert!(e.contains("report.policy.violations"), "{e}");
        for (p, what) in [
            (
                json!({"passed": "yes", "rules": []}),
                "report.policy.passed",
            ),
            (json!({"passed": true}), "report.policy.rules"),
            (json!({"passed": true, "rules": []}), "without rules"),
            (json!({"passed": true, "rules": [{}]}), "rules[0].passed"),
        ] {
            let e = derive(k, &f(p)).unwrap_err().to_string();
            assert!(e.contains(what), "{what}: {e}");
        }
    }

    #[test]
    fn mitigation_and_dp_audit_verdicts() {
        let k = EvidenceKind::Mitigate;
        let m = |sweep: Value| json!({"schema": "assay.mitigation/1", "sweep": sweep});
        let points = json!([{"passes_policy": false}, {"passes_policy": true}]);
        let sweep = |policy: Value, chosen: Value| {
            m(json!({"policy": policy, "chosen": chosen, "points": points}))
        };
        assert_eq!(
            derive(k, &sweep(json!("p.toml"), json!(1))).unwrap(),
            Verdict::Pass
        );
        assert_eq!(
            derive(k, &sweep(json!("p.toml"), Value::Null)).unwrap(),
            Verdict::Fail
        );
        assert_eq!(
            derive(k, &sweep(Value::Null, json!(0))).unwrap(),
            Verdict::None
        );
        assert_eq!(derive(k, &m(Value::Null)).unwrap(), Verdict::None);
        for (chosen, what) in [(0, "does not pass"), (7, "not in report.sweep.points")] {
            let e = derive(k, &sweep(json!("p.toml"), json!(chosen)))
                .unwrap_err()
                .to_string();
            assert!(e.contains(what), "{e}");
        }

        let d = EvidenceKind::Dp;
        let audit = |v: Value| json!({"schema": "assay.dp/1", "command": "audit", "violated": v});
        assert_eq!(derive(d, &audit(json!(false))).unwrap(), Verdict::Pass);
        assert_eq!(derive(d, &audit(json!(true))).unwrap(), Verdict::Fail);
        assert!(derive(d, &audit(Value::Null)).is_err());
        let epsilon = json!({"schema": "assay.dp/1", "command": "epsilon", "violated": false});
        assert_eq!(derive(d, &epsilon).unwrap(), Verdict::None);
    }

    #[test]
    fn kinds_must_match_the_schema_and_claims_the_derivation() {
        let r = json!({"schema": "assay.dp/1", "command": "audit", "violated": false});
        for k in [EvidenceKind::Fairness, EvidenceKind::Other] {
            let e = derive(k, &r).unwrap_err().to_string();
            assert!(e.contains("is dp evidence, not"), "{e}");
        }
        let e = derive(EvidenceKind::Fairness, &json!({"schema": 7}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("report.schema"), "{e}");
        assert_eq!(
            derive(EvidenceKind::Other, &json!({"schema": "review/2"})).unwrap(),
            Verdict::None
        );
        assert!(check_claim(Verdict::Pass, Verdict::Pass).is_ok());
        let e = check_claim(Verdict::Pass, Verdict::None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("claimed pass") && e.contains("no policy result"),
            "{e}"
        );
        let e = check_claim(Verdict::Pass, Verdict::Fail)
            .unwrap_err()
            .to_string();
        assert!(e.contains("policy failed"), "{e}");
    }

    #[test]
    fn mia_verdict_from_its_policy() {
        let k = EvidenceKind::Mia;
        let r = |p: Value| json!({"schema": "assay.mia/1", "verdict": {"policy": p}});
        assert_eq!(
            derive(k, &json!({"schema": "assay.mia/1"})).unwrap(),
            Verdict::None
        );
        assert_eq!(
            derive(
                k,
                &json!({"schema": "assay.mia/1", "verdict": {"policy": null}})
            )
            .unwrap(),
            Verdict::None
        );
        assert_eq!(
            derive(k, &r(json!({"passed": true, "failures": []}))).unwrap(),
            Verdict::Pass
        );
        assert_eq!(
            derive(
                k,
                &r(json!({"passed": false, "failures": ["loss: AUC 0.6 > 0.55"]}))
            )
            .unwrap(),
            Verdict::Fail
        );
        assert!(derive(k, &r(json!({"passed": true, "failures": ["x"]}))).is_err());
        assert!(derive(k, &r(json!({"passed": "yes", "failures": []}))).is_err());
    }
}
