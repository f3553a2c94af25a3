//! Issue #17: a new user's session, scripted. From a fresh clone of the repository: the
//! README's first command (`./examples/hiring/run.sh`, with `ASSAY` naming the binary under
//! test instead of building another) and then the governance walkthrough
//! (`examples/governance/walkthrough.sh`), each exiting 0, and `git status` clean afterwards:
//! nothing either script writes lands in the working tree. (The README's second command,
//! `cargo test --workspace`, is this suite.)

use std::path::Path;
use std::process::Command;

mod support;
use support::cli::workspace;

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git")
}

#[test]
fn readme_then_governance_walkthrough_from_a_fresh_clone() {
    let root = workspace();
    let inside = Command::new("git")
        .args(["rev-parse", "--is-inside-work-tree"])
        .current_dir(&root)
        .output();
    if !inside.is_ok_and(|o| o.status.success()) {
        assay_data::datasets::skip("git or a git checkout of the repository is not available");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clone = dir.path().join("assay");
    let o = git(
        dir.path(),
        &[
            "clone",
            "--quiet",
            "--no-hardlinks",
            root.to_str().unwrap(),
            "assay",
        ],
    );
    assert!(
        o.status.success(),
        "git clone: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let bin = env!("CARGO_BIN_EXE_assay");
    for script in [
        "examples/hiring/run.sh",
        "examples/governance/walkthrough.sh",
    ] {
        let o = Command::new("bash")
            .arg(script)
            .current_dir(&clone)
            .env("ASSAY", bin)
            .env_remove("ASSAY_TOKEN")
            .env_remove("ASSAY_TOKEN_FILE")
            .env_remove("ASSAY_SERVER")
            .env_remove("STRICT")
            .output()
            .expect("run bash");
        assert!(
            o.status.success(),
            "{script} exited {:?}\nstdout:\n{}\nstderr:\n{}",
            o.status,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(clone.join("examples/hiring/out/report.html").exists());
    let status = git(&clone, &["status", "--porcelain", "--untracked-files=all"]);
    assert!(status.status.success());
    assert_eq!(
        String::from_utf8_lossy(&status.stdout),
        "",
        "the session changed the working tree"
    );
}
