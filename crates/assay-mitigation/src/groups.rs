//! Sensitive groups: one group code per row, and the groups' names.

use serde::{Deserialize, Serialize};

use crate::error::MitigationError;

/// The sensitive group of every row: `codes[i]` indexes `names`. Intersectional groups (sex ×
/// race) are single groups whose names join the parts (the CLI builds them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Groups {
    /// Group index of every row.
    pub codes: Vec<u32>,
    /// Group names, indexed by code; sorted by the caller as it wants them reported.
    pub names: Vec<String>,
}

impl Groups {
    /// Groups from codes and names; an error if a code has no name or a named group has no row.
    pub fn new(codes: Vec<u32>, names: Vec<String>) -> Result<Groups, MitigationError> {
        let mut seen = vec![false; names.len()];
        for (row, &c) in codes.iter().enumerate() {
            match seen.get_mut(c as usize) {
                Some(s) => *s = true,
                None => {
                    return Err(MitigationError::Data(format!(
                        "row {row}: group code {c} has no name ({} groups)",
                        names.len()
                    )))
                }
            }
        }
        if let Some(g) = seen.iter().position(|s| !s) {
            return Err(MitigationError::Data(format!(
                "group '{}' has no rows",
                names[g]
            )));
        }
        Ok(Groups { codes, names })
    }

    /// Groups from one label per row, named and coded in sorted order of the labels.
    pub fn from_labels<S: AsRef<str>>(labels: &[S]) -> Groups {
        let mut names: Vec<String> = labels.iter().map(|s| s.as_ref().to_string()).collect();
        names.sort();
        names.dedup();
        let codes = labels
            .iter()
            .map(|s| {
                names
                    .binary_search_by(|n| n.as_str().cmp(s.as_ref()))
                    .unwrap() as u32
            })
            .collect();
        Groups { codes, names }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Number of groups.
    pub fn n_groups(&self) -> usize {
        self.names.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_labels_sorts_and_codes() {
        let g = Groups::from_labels(&["b", "a", "b", "c"]);
        assert_eq!(g.names, vec!["a", "b", "c"]);
        assert_eq!(g.codes, vec![1, 0, 1, 2]);
        assert_eq!(g.n_groups(), 3);
    }

    #[test]
    fn new_rejects_unnamed_codes_and_empty_groups() {
        assert!(Groups::new(vec![0, 2], vec!["a".into(), "b".into()]).is_err());
        assert!(Groups::new(vec![0, 0], vec!["a".into(), "b".into()]).is_err());
        assert!(Groups::new(vec![0, 1], vec!["a".into(), "b".into()]).is_ok());
    }
}
