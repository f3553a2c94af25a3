//! The provenance every JSON report carries, with this run's command line.

use std::path::Path;

use assay_data::provenance::{shell_quote, Provenance};

/// The command line of this run, as a POSIX shell would read it back: each argument as it is
/// when it holds only safe characters, else single-quoted. The program is named `assay`
/// whatever path started it.
pub fn command_line() -> String {
    std::iter::once("assay".to_string())
        .chain(std::env::args().skip(1).map(|a| shell_quote(&a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The provenance of a report about `model` and `data`, made by this command line.
pub fn of(model: Option<&Path>, data: &[&Path]) -> Result<Provenance, String> {
    assay_core::models::provenance(model, data, Some(command_line())).map_err(|e| e.to_string())
}
