//! Rebuild when a migration is added or changed: `sqlx::migrate!` embeds the migration files at
//! compile time, and cargo does not otherwise know the crate depends on them (the build script
//! sqlx's documentation recommends).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
