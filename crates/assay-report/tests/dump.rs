mod common;
#[test]
#[ignore]
fn dump() {
    let a = common::hiring();
    std::fs::write("/tmp/hiring.json", assay_report::json(a)).unwrap();
    std::fs::write("/tmp/hiring.html", assay_report::html(a)).unwrap();
    std::fs::write("/tmp/hiring.md", assay_report::markdown(a)).unwrap();
    std::fs::write(
        "/tmp/hiring.txt",
        assay_report::terminal(
            a,
            &assay_report::TerminalOptions {
                color: false,
                width: None,
            },
        ),
    )
    .unwrap();
    std::fs::write(
        "/tmp/hiring100.txt",
        assay_report::terminal(
            a,
            &assay_report::TerminalOptions {
                color: true,
                width: Some(100),
            },
        ),
    )
    .unwrap();
}
