//! Ledger integrity: every entry is validated on load, each dataset's SHA-256 chain is
//! verified (an edited, removed or reordered entry is refused, naming the file and the entry),
//! and an `assay.ledger/1` file is migrated (validated, then chained on the next save).

use std::path::{Path, PathBuf};

use assay_privacy::ledger::{Budget, DatasetId, Ledger, LedgerError, SCHEMA};
use serde_json::Value;

fn b(epsilon: f64, delta: f64) -> Budget {
    Budget { epsilon, delta }
}

/// A saved ledger with three releases of 0.1 on dataset "people".
fn ledger_with_releases(dir: &Path) -> PathBuf {
    let data = dir.join("d.csv");
    std::fs::write(&data, "x\n1\n2\n").unwrap();
    let lp = dir.join("ledger.json");
    let id = DatasetId::declared("people", &data, None).unwrap();
    let mut l = Ledger::open(&lp).unwrap();
    for i in 0..3 {
        l.charge(
            &id,
            Some(b(1.0, 0.0)),
            b(0.1, 0.0),
            &format!("q{i}"),
            "laplace",
        )
        .unwrap();
    }
    l.save().unwrap();
    lp
}

/// A named edit of the ledger's JSON and the entry the error must name.
type Case = (&'static str, Box<dyn Fn(&mut Value)>, &'static str);

fn edit(lp: &Path, f: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(lp).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(lp, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

#[test]
fn a_saved_ledger_is_chained_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let lp = ledger_with_releases(dir.path());
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&lp).unwrap()).unwrap();
    assert_eq!(v["schema"], SCHEMA);
    let d = &v["datasets"][0];
    assert_eq!(d["id"], "people");
    let rs = d["releases"].as_array().unwrap();
    assert_eq!(rs[0]["prev"], d["hash"]);
    assert_eq!(rs[1]["prev"], rs[0]["hash"]);
    assert_eq!(rs[2]["prev"], rs[1]["hash"]);
    let l = Ledger::open(&lp).unwrap();
    assert!(!l.migrated());
    assert_eq!(l.datasets()[0].head(), rs[2]["hash"].as_str().unwrap());
}

#[test]
fn impossible_values_are_refused_naming_file_and_entry() {
    let cases: Vec<Case> = vec![
        (
            "negative epsilon",
            Box::new(|v| v["datasets"][0]["releases"][1]["epsilon"] = (-1000.0).into()),
            "release 2 of 3",
        ),
        (
            "delta of 1",
            Box::new(|v| v["datasets"][0]["releases"][0]["delta"] = 1.0.into()),
            "release 1 of 3",
        ),
        (
            "zero budget",
            Box::new(|v| v["datasets"][0]["budget"]["epsilon"] = 0.0.into()),
            "dataset 1 ('people')",
        ),
        (
            "bad file hash",
            Box::new(|v| v["datasets"][0]["releases"][2]["data_sha256"] = "abc".into()),
            "release 3 of 3",
        ),
    ];
    for (what, f, entry) in cases {
        let dir = tempfile::tempdir().unwrap();
        let lp = ledger_with_releases(dir.path());
        edit(&lp, f);
        let err = Ledger::open(&lp).unwrap_err();
        assert!(matches!(err, LedgerError::Corrupt { .. }), "{what}: {err}");
        let m = err.to_string();
        assert!(
            m.contains("ledger.json") && m.contains(entry),
            "{what}: {m}"
        );
    }
}

#[test]
fn edits_that_look_valid_break_the_chain() {
    let cases: Vec<Case> = vec![
        (
            "smaller epsilon",
            Box::new(|v| v["datasets"][0]["releases"][1]["epsilon"] = 0.01.into()),
            "release 2 of 3",
        ),
        (
            "larger budget",
            Box::new(|v| v["datasets"][0]["budget"]["epsilon"] = 100.0.into()),
            "dataset 1 ('people')",
        ),
        (
            "removed release",
            Box::new(|v| {
                v["datasets"][0]["releases"]
                    .as_array_mut()
                    .unwrap()
                    .remove(0);
            }),
            "release 1 of 2",
        ),
        (
            "renamed identity",
            Box::new(|v| v["datasets"][0]["id"] = "other".into()),
            "dataset 1 ('other')",
        ),
    ];
    for (what, f, entry) in cases {
        let dir = tempfile::tempdir().unwrap();
        let lp = ledger_with_releases(dir.path());
        edit(&lp, f);
        let err = Ledger::open(&lp).unwrap_err();
        assert!(matches!(err, LedgerError::Tampered { .. }), "{what}: {err}");
        let m = err.to_string();
        assert!(
            m.contains("ledger.json") && m.contains(entry),
            "{what}: {m}"
        );
    }
}

#[test]
fn an_old_ledger_is_migrated_and_chained_on_save() {
    let dir = tempfile::tempdir().unwrap();
    let lp = dir.path().join("old.json");
    let sha = "ab".repeat(32);
    let old = format!(
        r#"{{"schema": "assay.ledger/1", "datasets": [{{"name": "adult.csv", "sha256": "{sha}",
        "budget": {{"epsilon": 1.0, "delta": 0.0}},
        "releases": [{{"time": "2026-01-01T00:00:00Z", "query": "count", "mechanism": "laplace",
        "epsilon": 0.25, "delta": 0.0}}]}}]}}"#
    );
    std::fs::write(&lp, &old).unwrap();
    let l = Ledger::open(&lp).unwrap();
    assert!(l.migrated());
    let d = &l.datasets()[0];
    assert_eq!(d.id, "adult.csv");
    assert_eq!(d.releases[0].data_sha256, sha);
    assert!((d.spent().epsilon - 0.25).abs() < 1e-15);
    l.save().unwrap();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&lp).unwrap()).unwrap();
    assert_eq!(v["schema"], SCHEMA);
    let l = Ledger::open(&lp).unwrap();
    assert!(!l.migrated());
    // An old ledger with an impossible value is refused, not migrated.
    std::fs::write(&lp, old.replace("0.25", "-1000")).unwrap();
    let err = Ledger::open(&lp).unwrap_err();
    assert!(
        err.to_string().contains("release 1 of 1") && err.to_string().contains("old.json"),
        "{err}"
    );
}
