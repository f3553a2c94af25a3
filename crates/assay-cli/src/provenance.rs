//! The provenance every JSON report carries, with this run's command line.

use std::path::Path;

use assay_data::provenance::Provenance;

/// The command line of this run, as a POSIX shell would read it back: each argument as it is
/// when it holds only safe characters, else single-quoted. The program is named `assay`
/// whatever path started it. (Hand-written: a dozen lines, no crate needed for quoting.)
pub fn command_line() -> String {
    std::iter::once("assay".to_string())
        .chain(std::env::args().skip(1).map(|a| quote(&a)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn quote(a: &str) -> String {
    let safe = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if safe {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', r"'\''"))
    }
}

/// The provenance of a report about `model` and `data`, made by this command line.
pub fn of(model: Option<&Path>, data: &[&Path]) -> Result<Provenance, String> {
    assay_core::models::provenance(model, data, Some(command_line())).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting() {
        assert_eq!(quote("--positive"), "--positive");
        assert_eq!(quote(">50K"), "'>50K'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a b"), "'a b'");
    }
}
