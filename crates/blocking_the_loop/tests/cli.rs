//! The real binary: the three parts' lines, in order, and the record.

use std::time::Duration;

use support::testkit::run_example_within;

const BIN: &str = env!("CARGO_BIN_EXE_blocking_the_loop");

#[test]
fn all_three_parts_print_their_orders_and_report() {
    let run = run_example_within(BIN, &["--seconds", "0.05"], Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| *l == "One" || *l == "Two" || l.starts_with("--- "))
        .collect();
    let turns = ["One", "Two", "One", "Two", "One", "Two"];
    let together = ["One", "One", "One", "Two", "Two", "Two"];
    let expected: Vec<&str> = std::iter::once("--- thread-sleep")
        .chain(turns)
        .chain(["--- tokio-sleep"])
        .chain(together)
        .chain(["--- spawn-blocking"])
        .chain(together)
        .collect();
    assert_eq!(lines, expected);
    let report = run.report.expect("one record");
    assert_eq!(report.items, 9);
    for key in [
        "thread-sleep_seconds",
        "tokio-sleep_seconds",
        "spawn-blocking_seconds",
    ] {
        assert!(report.extra[key].is_number(), "{key} in {:?}", report.extra);
    }
}

#[test]
fn only_runs_one_part_and_bad_flags_exit_2() {
    let run = run_example_within(
        BIN,
        &["--only", "tokio-sleep", "--seconds", "0"],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stdout.contains("thread-sleep"), "{}", run.stdout);
    assert_eq!(run.report.expect("one record").items, 3);
    let run = run_example_within(BIN, &["--only", "nap"], Duration::from_secs(60));
    assert_eq!(run.code, Some(2));
}
