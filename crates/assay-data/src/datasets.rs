//! The public reference data sets that tests, benchmarks and examples use (UCI Adult,
//! ProPublica COMPAS): where to find them and how to read them. They are never shipped in the
//! repository; they are looked up in `$ASSAY_DATA_DIR`, else in `../shared/data` beside the
//! workspace.

use std::path::{Path, PathBuf};

use crate::csv::CsvOptions;
use crate::source::ReadOptions;

/// Column names of UCI Adult's `adult.data`, which has no header (Becker & Kohavi 1996).
pub const ADULT_COLUMNS: [&str; 15] = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
    "income",
];

/// How to read `adult.data`: no header, [`ADULT_COLUMNS`], blanks after commas trimmed.
pub fn adult_read_options() -> ReadOptions {
    ReadOptions {
        csv: CsvOptions {
            has_header: false,
            columns: Some(ADULT_COLUMNS.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The data directory: `$ASSAY_DATA_DIR`, else `shared/data` beside `workspace`.
pub fn data_dir(workspace: &Path) -> PathBuf {
    match std::env::var_os("ASSAY_DATA_DIR") {
        Some(d) => PathBuf::from(d),
        None => workspace.join("../shared/data"),
    }
}

/// The path of data set `file` if it is present; otherwise the test that asked is skipped
/// ([`skip`]).
pub fn find(workspace: &Path, file: &str) -> Option<PathBuf> {
    let dir = data_dir(workspace);
    let p = dir.join(file);
    if p.exists() {
        return Some(p);
    }
    skip(&format!(
        "{file} not found in {} (set ASSAY_DATA_DIR)",
        dir.display()
    ));
    None
}

/// The environment variable that turns every skipped test into a failure (CI sets it: there the
/// data sets, PostgreSQL and the browser must be present).
pub const NO_SKIP: &str = "ASSAY_NO_SKIP";

/// Marks the calling test as skipped for `reason`: writes `SKIPPED: reason` straight to the
/// process's standard error, where `cargo test` shows it even for a passing test (the test
/// harness captures only `print!`-family output); panics instead when [`NO_SKIP`] is set.
pub fn skip(reason: &str) {
    if std::env::var_os(NO_SKIP).is_some_and(|v| !v.is_empty()) {
        panic!("{reason}: {NO_SKIP} is set, so a test may not skip");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED: {reason}");
}
