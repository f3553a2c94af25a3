//! The SQLite and PostgreSQL migrations are written twice, once per dialect (identity columns,
//! BLOB/BYTEA and trigger syntax differ). This test keeps them from drifting: the same migration
//! files exist in both directories, and they declare the same tables with the same columns in
//! the same order, the same triggers' names and the same index statements.

use std::collections::BTreeMap;
use std::path::Path;

/// table -> column names, in declaration order (CREATE TABLE, then ALTER TABLE ... ADD COLUMN).
/// Files, tables with their columns, trigger names, and index statements (identical SQL).
type Schema = (
    Vec<String>,
    BTreeMap<String, Vec<String>>,
    Vec<String>,
    Vec<String>,
);

fn schema(dir: &Path) -> Schema {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut triggers = Vec::new();
    let mut indexes = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        let text: String = text
            .lines()
            .map(|l| l.split("--").next().unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        let mut current: Option<String> = None;
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["CREATE", "TABLE", name, ..] => {
                    current = Some(name.to_string());
                    tables.insert(name.to_string(), Vec::new());
                }
                ["ALTER", "TABLE", name, "ADD", "COLUMN", col, ..] => {
                    tables.get_mut(*name).unwrap().push(col.to_string());
                }
                ["CREATE", "TRIGGER", name, ..] => triggers.push(name.to_string()),
                ["CREATE", "INDEX", ..] | ["CREATE", "UNIQUE", "INDEX", ..] => {
                    indexes.push(words.join(" "));
                }
                [");"] | [")"] => current = None,
                [first, ..] if current.is_some() => {
                    let upper = first.to_ascii_uppercase();
                    if !["UNIQUE", "PRIMARY", "FOREIGN", "CHECK", "CONSTRAINT"]
                        .contains(&upper.as_str())
                    {
                        tables
                            .get_mut(current.as_ref().unwrap())
                            .unwrap()
                            .push(first.trim_end_matches(',').to_string());
                    }
                }
                _ => {}
            }
        }
    }
    triggers.sort();
    indexes.sort();
    (files, tables, triggers, indexes)
}

#[test]
fn sqlite_and_postgres_migrations_declare_the_same_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let (sf, st, strig, sidx) = schema(&root.join("sqlite"));
    let (pf, pt, ptrig, pidx) = schema(&root.join("postgres"));
    assert!(!sidx.is_empty());
    assert_eq!(sidx, pidx, "indexes differ between dialects");
    assert_eq!(sf, pf, "migration files differ between dialects");
    assert!(st.len() >= 10, "parsed too few tables: {st:?}");
    assert_eq!(st, pt, "tables or columns differ between dialects");
    // SQLite needs one trigger per event; PostgreSQL also guards TRUNCATE.
    for t in &strig {
        assert!(
            ptrig.contains(t) || t == "audit_log_no_delete",
            "trigger {t} missing in PostgreSQL"
        );
    }
}
