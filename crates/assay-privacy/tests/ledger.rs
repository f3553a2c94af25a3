//! The budget ledger: charges add up by basic composition, a charge over budget is refused and
//! records nothing, the file persists and is keyed by the declared dataset identity (a file
//! charged under one identity cannot be charged under another).

use assay_privacy::ledger::{sha256_file, Budget, DatasetId, Ledger, LedgerError};

fn b(epsilon: f64, delta: f64) -> Budget {
    Budget { epsilon, delta }
}

#[test]
fn sha256_of_known_content() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("abc.csv");
    std::fs::write(&p, "abc").unwrap();
    assert_eq!(
        sha256_file(&p).unwrap(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn charges_compose_and_refuse_over_budget() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    std::fs::write(&data, "x\n1\n2\n").unwrap();
    let lp = dir.path().join("ledger.json");
    let id = DatasetId::declared("d", &data, None).unwrap();
    assert_eq!(id.name, "d");

    let mut l = Ledger::open(&lp).unwrap();
    // A first charge needs a budget.
    assert!(matches!(
        l.charge(&id, None, b(0.1, 0.0), "count", "laplace"),
        Err(LedgerError::NoBudget { .. })
    ));
    // Ten charges of 0.1 fit a budget of 1 (decimal rounding tolerated).
    for i in 0..10 {
        l.charge(
            &id,
            Some(b(1.0, 1e-6)),
            b(0.1, 0.0),
            &format!("q{i}"),
            "laplace",
        )
        .unwrap();
    }
    l.save().unwrap();
    let mut l = Ledger::open(&lp).unwrap();
    let e = l.entry(&id).unwrap().clone();
    assert_eq!(e.releases.len(), 10);
    assert!((e.spent().epsilon - 1.0).abs() < 1e-12);
    // The eleventh is refused and nothing is recorded.
    let err = l
        .charge(&id, None, b(0.01, 0.0), "q10", "laplace")
        .unwrap_err();
    assert!(matches!(err, LedgerError::Exhausted { .. }), "{err}");
    assert!(err.to_string().contains("Nothing was released"));
    assert_eq!(l.entry(&id).unwrap().releases.len(), 10);
    // δ is budgeted too.
    let mut l2 = Ledger::open(&dir.path().join("l2.json")).unwrap();
    l2.charge(&id, Some(b(5.0, 1e-6)), b(1.0, 6e-7), "a", "gaussian")
        .unwrap();
    assert!(matches!(
        l2.charge(&id, None, b(1.0, 6e-7), "b", "gaussian"),
        Err(LedgerError::Exhausted { .. })
    ));
    // The budget cannot be changed once set.
    assert!(matches!(
        l2.charge(&id, Some(b(50.0, 1e-6)), b(1.0, 0.0), "c", "laplace"),
        Err(LedgerError::BudgetMismatch { .. })
    ));
    // Invalid charges.
    assert!(l2.charge(&id, None, b(-1.0, 0.0), "d", "laplace").is_err());
    assert!(l2
        .charge(&id, None, b(f64::NAN, 0.0), "d", "laplace")
        .is_err());
}

#[test]
fn identity_is_declared_and_a_file_keeps_its_identity() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let c = dir.path().join("copy.csv");
    let crlf = dir.path().join("crlf.csv");
    std::fs::write(&a, "x\n1\n").unwrap();
    std::fs::write(&c, "x\n1\n").unwrap();
    std::fs::write(&crlf, "x\r\n1\r\n").unwrap();
    let mut l = Ledger::open(&dir.path().join("l.json")).unwrap();
    let ia = DatasetId::declared("people", &a, None).unwrap();
    l.charge(&ia, Some(b(1.0, 0.0)), b(0.6, 0.0), "q", "laplace")
        .unwrap();
    // A re-encoded copy (other bytes) under the same identity shares the budget.
    let ir = DatasetId::declared("people", &crlf, Some("re-encoded")).unwrap();
    assert_ne!(ir.sha256, ia.sha256);
    assert!(matches!(
        l.charge(&ir, None, b(0.6, 0.0), "q", "laplace"),
        Err(LedgerError::Exhausted { .. })
    ));
    let e = l.charge(&ir, None, b(0.3, 0.0), "q", "laplace").unwrap();
    assert_eq!(e.releases[1].data_sha256, ir.sha256);
    // The same bytes under another identity are refused: a new name is no new budget.
    let ic = DatasetId::declared("people-2", &c, None).unwrap();
    let err = l.charge(&ic, Some(b(5.0, 0.0)), b(0.6, 0.0), "q", "laplace");
    assert!(
        matches!(&err, Err(LedgerError::IdentityConflict { have, .. }) if have == "people"),
        "{err:?}"
    );
    assert_eq!(l.datasets().len(), 1);
    // Bad identities.
    for bad in ["", " people", "a\nb"] {
        assert!(DatasetId::declared(bad, &a, None).is_err(), "{bad:?}");
    }
}

#[test]
fn corrupt_ledger_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let lp = dir.path().join("l.json");
    std::fs::write(&lp, "{\"schema\": \"other\", \"datasets\": []}").unwrap();
    assert!(matches!(Ledger::open(&lp), Err(LedgerError::Parse { .. })));
    std::fs::write(&lp, "not json").unwrap();
    assert!(matches!(Ledger::open(&lp), Err(LedgerError::Parse { .. })));
}

#[test]
fn lock_is_exclusive_and_released() {
    let dir = tempfile::tempdir().unwrap();
    let lp = dir.path().join("l.json");
    let wait = std::time::Duration::from_millis(200);
    let held = Ledger::lock(&lp, wait).unwrap();
    let err = Ledger::lock(&lp, wait).unwrap_err();
    assert!(err.to_string().contains("locked"), "{err}");
    drop(held);
    assert!(!dir.path().join("l.json.lock").exists());
    Ledger::lock(&lp, wait).unwrap();
}
