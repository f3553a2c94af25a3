//! Running the `assay` binary from a test and reading what it did: the helpers every CLI test
//! file used to write for itself.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Runs `assay` with `args` and waits for it.
pub fn assay<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(args)
        .output()
        .expect("run assay")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts that the run succeeded (showing its standard error when not).
pub fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "status {:?}\nstderr: {}",
        o.status,
        stderr(o)
    );
}

/// Asserts that the run succeeded and parses its standard output as JSON.
pub fn ok_json(o: &Output) -> Value {
    ok(o);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// The workspace root (test data under `tests/reference`, examples under `examples`).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Writes `content` to `dir/name` and returns the path.
pub fn write<C: AsRef<[u8]> + ?Sized>(dir: &Path, name: &str, content: &C) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content.as_ref()).unwrap();
    p
}
