//! The printed order is the lesson: run the binary with a short pause and
//! read what it printed. All the Ones before any Two means every call was
//! waiting at the same moment; no clock is read.

use std::time::Duration;

use support::testkit::run_example_within;

const BIN: &str = env!("CARGO_BIN_EXE_async_count");

#[test]
fn every_call_starts_before_any_finishes() {
    let run = run_example_within(BIN, &["--seconds", "0.05"], Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[..6], ["One", "One", "One", "Two", "Two", "Two"]);
    assert!(lines[6].starts_with("executed in "), "{lines:?}");
    assert_eq!(run.report.expect("a report record").items, 3);
}

#[test]
fn a_hundred_calls_all_wait_at_once() {
    let run = run_example_within(
        BIN,
        &["--calls", "100", "--seconds", "0.05"],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().take(200).collect();
    let ones = lines.iter().take_while(|line| **line == "One").count();
    assert_eq!(ones, 100, "{lines:?}");
    assert!(lines[100..].iter().all(|line| *line == "Two"), "{lines:?}");
}
