//! The printed order is the lesson: both futures print their number i
//! before either prints i + 1, so they were waiting at the same moment.
//! No clock is read.

use std::time::Duration;

use support::testkit::run_example_within;

const BIN: &str = env!("CARGO_BIN_EXE_async_basic");

#[test]
fn the_futures_take_turns_and_both_finish() {
    let args = ["--count", "4", "--seconds", "0.05"];
    let run = run_example_within(BIN, &args, Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[..8],
        ["0", "0", "1", "1", "2", "2", "3", "3"],
        "{lines:?}"
    );
    assert!(lines[8].starts_with("Done in "), "{lines:?}");
    let report = run.report.expect("a report record");
    assert_eq!(report.items, 8);
}
