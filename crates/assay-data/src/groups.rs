//! Naming the groups of sensitive features: the one convention every crate uses.
//!
//! A row's group is the combination of its values of the sensitive columns, in the order the
//! columns were named. As an identifier (the groups a mitigated model decides by, the groups of
//! an explanation or of a mitigation report) it is the values joined by [`KEY_SEPARATOR`]
//! (`female & Black`); rendered for people in a fairness report it is joined by
//! [`LABEL_SEPARATOR`] (`female × Black`). A single sensitive column's key is its value.

/// The separator of a group key.
pub const KEY_SEPARATOR: &str = " & ";

/// The separator of a group label in rendered reports.
pub const LABEL_SEPARATOR: &str = " × ";

/// The key of a group: its values joined by [`KEY_SEPARATOR`].
pub fn key<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (k, v) in values.into_iter().enumerate() {
        if k > 0 {
            out.push_str(KEY_SEPARATOR);
        }
        out.push_str(v);
    }
    out
}

/// The label of a group for reports: its values joined by [`LABEL_SEPARATOR`].
pub fn label<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    values.into_iter().collect::<Vec<_>>().join(LABEL_SEPARATOR)
}

/// The values of a key of `columns` sensitive columns (the whole key for one column, whose
/// value may itself contain the separator).
pub fn split_key(key: &str, columns: usize) -> Vec<&str> {
    if columns == 1 {
        vec![key]
    } else {
        key.split(KEY_SEPARATOR).collect()
    }
}

/// The distinct keys sorted, and every row's index into them.
pub fn codes(keys: &[String]) -> (Vec<usize>, Vec<String>) {
    let mut names: Vec<String> = keys.to_vec();
    names.sort();
    names.dedup();
    let codes = keys
        .iter()
        .map(|g| names.binary_search(g).expect("every group is named"))
        .collect();
    (codes, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_labels_and_codes() {
        assert_eq!(key(["female", "Black"]), "female & Black");
        assert_eq!(key(["x"]), "x");
        assert_eq!(label(["female", "Black"]), "female × Black");
        assert_eq!(split_key("female & Black", 2), ["female", "Black"]);
        assert_eq!(split_key("R & D", 1), ["R & D"]);
        let keys: Vec<String> = ["b", "a", "b"].iter().map(|s| s.to_string()).collect();
        assert_eq!(codes(&keys), (vec![1, 0, 1], vec!["a".into(), "b".into()]));
    }
}
