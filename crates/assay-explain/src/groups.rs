//! Feature groups: several encoded columns explained as one feature.

use serde::{Deserialize, Serialize};

use crate::error::ExplainError;

/// A partition of the encoded columns into named features: the one-hot columns of one raw
/// categorical column form one group, so that explanations speak of `education`, not of
/// `education=Bachelors`. Every column belongs to exactly one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureGroups {
    /// Name of every group.
    pub names: Vec<String>,
    /// The column indices of every group, ascending.
    pub members: Vec<Vec<usize>>,
}

impl FeatureGroups {
    /// One group per column, named as the columns.
    pub fn singletons(names: &[String]) -> FeatureGroups {
        FeatureGroups {
            names: names.to_vec(),
            members: (0..names.len()).map(|j| vec![j]).collect(),
        }
    }

    /// Groups from names and members; an error unless the members partition `0..n_columns`.
    pub fn new(
        names: Vec<String>,
        members: Vec<Vec<usize>>,
        n_columns: usize,
    ) -> Result<FeatureGroups, ExplainError> {
        crate::error::check_len("group members", names.len(), members.len())?;
        let mut seen = vec![false; n_columns];
        for (name, cols) in names.iter().zip(&members) {
            if cols.is_empty() {
                return Err(ExplainError::Parameter(format!(
                    "feature group '{name}' has no columns"
                )));
            }
            for &c in cols {
                match seen.get_mut(c) {
                    Some(s) if !*s => *s = true,
                    Some(_) => {
                        return Err(ExplainError::Parameter(format!(
                            "column {c} is in more than one feature group (again in '{name}')"
                        )))
                    }
                    None => {
                        return Err(ExplainError::Parameter(format!(
                            "feature group '{name}' names column {c}, but there are {n_columns} columns"
                        )))
                    }
                }
            }
        }
        if let Some(c) = seen.iter().position(|s| !s) {
            return Err(ExplainError::Parameter(format!(
                "column {c} is in no feature group"
            )));
        }
        let members = members
            .into_iter()
            .map(|mut m| {
                m.sort_unstable();
                m
            })
            .collect();
        Ok(FeatureGroups { names, members })
    }

    /// Number of groups (features explained).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Number of encoded columns.
    pub fn n_columns(&self) -> usize {
        self.members.iter().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_must_partition_the_columns() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(FeatureGroups::new(n(&["a", "b"]), vec![vec![0], vec![1, 2]], 3).is_ok());
        assert!(FeatureGroups::new(n(&["a", "b"]), vec![vec![0], vec![0, 2]], 3).is_err());
        assert!(FeatureGroups::new(n(&["a", "b"]), vec![vec![0], vec![2]], 3).is_err());
        assert!(FeatureGroups::new(n(&["a"]), vec![vec![3]], 3).is_err());
        assert_eq!(FeatureGroups::singletons(&n(&["x", "y"])).n_columns(), 2);
    }
}
