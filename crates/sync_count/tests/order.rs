//! The printed order is the lesson: run the binary with a short pause and
//! read what it printed.

use std::time::Duration;

use support::testkit::run_example_within;

const BIN: &str = env!("CARGO_BIN_EXE_sync_count");

#[test]
fn each_call_finishes_before_the_next_begins() {
    let run = run_example_within(BIN, &["--seconds", "0.01"], Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[..6], ["One", "Two", "One", "Two", "One", "Two"]);
    assert!(lines[6].starts_with("executed in "), "{lines:?}");
    assert_eq!(run.report.expect("a report record").items, 3);
}

#[test]
fn calls_sets_how_many_counts_run() {
    let run = run_example_within(
        BIN,
        &["--calls", "5", "--seconds", "0"],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout.matches("One\nTwo\n").count(),
        5,
        "{}",
        run.stdout
    );
}
