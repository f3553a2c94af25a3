//! The JSON Schemas of the reports are published in `docs/schemas/`, generated from the types
//! (`assay_core::reports::schemas`). This test fails when a type changed and the published
//! schema did not; `ASSAY_UPDATE_SCHEMAS=1 cargo test --workspace --test schemas` rewrites them.

use std::path::Path;

#[test]
fn published_schemas_are_the_generated_ones() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schemas");
    let update = std::env::var_os("ASSAY_UPDATE_SCHEMAS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (name, schema) in assay_core::reports::schemas() {
        let value = schema.as_value();
        // Every generated schema is itself a valid JSON Schema.
        jsonschema::validator_for(value)
            .unwrap_or_else(|e| panic!("{name}: not a valid JSON Schema: {e}"));
        let text = serde_json::to_string_pretty(value).unwrap() + "\n";
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "docs/schemas is not what the report types generate for {stale:?}: run \
         ASSAY_UPDATE_SCHEMAS=1 cargo test --workspace --test schemas and commit the result"
    );
}
