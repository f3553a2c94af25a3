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

/// The path of data set `file` if it is present.
pub fn find(workspace: &Path, file: &str) -> Option<PathBuf> {
    let p = data_dir(workspace).join(file);
    p.exists().then_some(p)
}
