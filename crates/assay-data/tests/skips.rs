//! Issue #17: a test that cannot run (its data set absent) says so on the test output, and
//! fails instead under `ASSAY_NO_SKIP` (set by CI, where nothing may be skipped). One test in
//! its own binary, since it sets the process environment.

use std::path::Path;

use assay_data::datasets;

#[test]
fn absent_data_skips_visibly_or_fails_under_no_skip() {
    let nowhere = Path::new("/nonexistent-workspace-for-skip-test");
    std::env::set_var("ASSAY_DATA_DIR", "/nonexistent-data-dir");
    std::env::remove_var(datasets::NO_SKIP);
    assert_eq!(datasets::find(nowhere, "adult.data"), None);
    std::env::set_var(datasets::NO_SKIP, "1");
    let r = std::panic::catch_unwind(|| datasets::find(nowhere, "adult.data"));
    std::env::remove_var(datasets::NO_SKIP);
    let msg = r.expect_err("ASSAY_NO_SKIP turns the skip into a failure");
    let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.contains("adult.data not found in /nonexistent-data-dir")
            && msg.contains("ASSAY_NO_SKIP"),
        "{msg}"
    );
}
