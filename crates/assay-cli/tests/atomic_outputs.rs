//! Files assay replaces whole (`anonymize --out`, `pii mask --out`, the `dp query` ledger) share
//! one atomic-write scheme (`assay_data::atomic`): replacing a 0600 output keeps it 0600,
//! temporary files left by killed writers of the same output are removed on the next run
//! (those of running writers are kept), and a ledger lock left by a dead process is taken over
//! with a warning.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;
use support::cli::ok;

fn assay(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(args)
        .env_remove("ASSAY_PII_KEY")
        .output()
        .unwrap()
}

/// The process id of a process that has exited (and been reaped).
fn dead_pid() -> u32 {
    let mut c = Command::new("true").spawn().unwrap();
    let pid = c.id();
    c.wait().unwrap();
    pid
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Temporary files of `target` as killed writers leave them: the current scheme and the
/// names earlier versions used, for a dead process; and one of a running process (this test).
fn plant_leftovers(target: &Path) -> (Vec<PathBuf>, PathBuf) {
    let dir = target.parent().unwrap();
    let name = target.file_name().unwrap().to_str().unwrap();
    let dead = dead_pid();
    let stale: Vec<PathBuf> = [
        format!(".{name}.assay-tmp-{dead}-0"),
        format!(".{name}.{dead}.tmp"),
        format!(".{name}.tmp-{dead}"),
    ]
    .iter()
    .map(|n| dir.join(n))
    .collect();
    for p in &stale {
        std::fs::write(p, vec![b'x'; 4096]).unwrap();
    }
    let live = dir.join(format!(".{name}.assay-tmp-{}-999", std::process::id()));
    std::fs::write(&live, "in progress").unwrap();
    (stale, live)
}

fn temp_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    v.sort();
    v
}

/// Runs `run` against an existing 0600 `target` with planted leftovers and checks the scheme.
fn check_replacement(target: &Path, run: impl Fn() -> Output) {
    std::fs::set_permissions(target, std::fs::Permissions::from_mode(0o600)).unwrap();
    let before = std::fs::read(target).unwrap();
    let (stale, live) = plant_leftovers(target);
    ok(&run());
    assert_ne!(
        std::fs::read(target).unwrap(),
        before,
        "{target:?} rewritten"
    );
    assert_eq!(mode(target), 0o600, "{target:?} kept its permissions");
    for p in &stale {
        assert!(!p.exists(), "leftover {p:?} of a dead writer removed");
    }
    assert!(live.exists(), "a running writer's temporary file is kept");
    std::fs::remove_file(&live).unwrap();
    assert!(
        temp_files(target.parent().unwrap()).is_empty(),
        "{:?}",
        temp_files(target.parent().unwrap())
    );
}

#[test]
fn anonymize_output_keeps_permissions_and_dead_leftovers_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("people.csv");
    let mut s = String::from("age,disease\n");
    for i in 0..60 {
        s.push_str(&format!("{},{}\n", 20 + i % 30, ["flu", "cold"][i % 2]));
    }
    std::fs::write(&data, s).unwrap();
    let out = dir.path().join("anon.csv");
    std::fs::write(&out, "old secret output\n").unwrap();
    check_replacement(&out, || {
        assay(&[
            "anonymize",
            data.to_str().unwrap(),
            "--quasi-identifiers",
            "age",
            "--k",
            "4",
            "--out",
            out.to_str().unwrap(),
        ])
    });
}

#[test]
fn pii_mask_output_keeps_permissions_and_dead_leftovers_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "mail jane.doe@example.com please\n").unwrap();
    let out = dir.path().join("masked.txt");
    std::fs::write(&out, "old secret output\n").unwrap();
    check_replacement(&out, || {
        assay(&[
            "pii",
            "mask",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    });
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("<EMAIL_ADDRESS>"));
}

fn write_counts(dir: &Path) -> PathBuf {
    let data = dir.join("data.csv");
    let mut s = String::from("grp\n");
    for i in 0..50 {
        s.push_str(&format!("g{}\n", i % 2));
    }
    std::fs::write(&data, s).unwrap();
    data
}

fn count(data: &Path, ledger: &Path) -> Output {
    assay(&[
        "dp",
        "query",
        data.to_str().unwrap(),
        "--statistic",
        "count",
        "--epsilon",
        "0.1",
        "--ledger",
        ledger.to_str().unwrap(),
        "--dataset-id",
        "counts",
        "--budget",
        "10",
        "--seed",
        "1",
    ])
}

#[test]
fn ledger_keeps_permissions_and_dead_leftovers_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_counts(dir.path());
    let ledger = dir.path().join("ledger.json");
    ok(&count(&data, &ledger));
    check_replacement(&ledger, || count(&data, &ledger));
}

#[test]
fn ledger_lock_of_a_dead_process_is_taken_over_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_counts(dir.path());
    let ledger = dir.path().join("ledger.json");
    let lock = dir.path().join("ledger.json.lock");
    let dead = dead_pid();
    std::fs::write(&lock, format!("{dead}\n")).unwrap();
    let start = std::time::Instant::now();
    let o = count(&data, &ledger);
    ok(&o);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(8),
        "took over without waiting for the lock"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning")
            && err.contains("ledger.json.lock")
            && err.contains(&format!("process {dead}")),
        "{err}"
    );
    assert!(!lock.exists(), "the lock is released after the run");
    assert!(ledger.exists(), "the release was charged");

    // A lock recorded by a running process (this test) is respected: refused after the wait,
    // naming the holder, and nothing charged.
    let before = std::fs::read(&ledger).unwrap();
    std::fs::write(&lock, format!("{}\n", std::process::id())).unwrap();
    let o = count(&data, &ledger);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("ledger.json.lock")
            && err.contains(&format!("process {}", std::process::id())),
        "{err}"
    );
    assert_eq!(std::fs::read(&ledger).unwrap(), before);
    assert!(lock.exists(), "another holder's lock is left alone");
}

/// Every other output (reports, pages, predictions, models) goes through the same helper: the
/// target is replaced whole, with its permissions, and a run that fails half-way leaves the old
/// file as it was and no temporary file (issue #16: one atomic-write helper).
#[test]
fn reports_and_predictions_are_replaced_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hiring.csv");
    ok(&assay(&[
        "example",
        "hiring",
        "--rows",
        "300",
        "--out",
        data.to_str().unwrap(),
    ]));
    let report = dir.path().join("report.json");
    std::fs::write(&report, "old report\n").unwrap();
    check_replacement(&report, || {
        assay(&[
            "fairness",
            data.to_str().unwrap(),
            "--label",
            "qualified",
            "--prediction",
            "shortlisted",
            "--sensitive",
            "gender",
            "--bootstrap",
            "0",
            "--json",
            report.to_str().unwrap(),
        ])
    });
    let model = dir.path().join("model.json");
    ok(&assay(&[
        "train",
        "--learner",
        "gbdt",
        data.to_str().unwrap(),
        "--label",
        "hired",
        "--positive",
        "1",
        "--features",
        "age,years_experience",
        "--out",
        model.to_str().unwrap(),
    ]));
    for out in ["pred.csv", "pred.parquet"] {
        let out = dir.path().join(out);
        std::fs::write(&out, "old predictions\n").unwrap();
        check_replacement(&out, || {
            assay(&[
                "predict",
                data.to_str().unwrap(),
                "--model",
                model.to_str().unwrap(),
                "--id",
                "applicant_id",
                "--out",
                out.to_str().unwrap(),
            ])
        });
        // A bad cell in the last row fails the run after rows were written: the old file stays.
        let bad = dir.path().join("bad.csv");
        let mut text = std::fs::read_to_string(&data).unwrap();
        text.push_str("9999,Female,Asian,not-a-number,Bachelor,1.0,0.0,0.5,1,1,1\n");
        std::fs::write(&bad, text).unwrap();
        let before = std::fs::read(&out).unwrap();
        let o = assay(&[
            "predict",
            bad.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--id",
            "applicant_id",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(std::fs::read(&out).unwrap(), before, "{out:?} untouched");
        assert!(
            temp_files(dir.path()).is_empty(),
            "{:?}",
            temp_files(dir.path())
        );
    }
}
