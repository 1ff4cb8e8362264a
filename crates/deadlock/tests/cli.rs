//! The real binary, each run bounded: a hung binary fails the test after
//! 30 s instead of hanging it.

use std::time::Duration;

use support::testkit::run_example_within;

const BIN: &str = env!("CARGO_BIN_EXE_deadlock");
const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn opposite_orders_deadlock_and_the_watchdog_says_who_waits_for_whom() {
    let run = run_example_within(BIN, &["--patience", "0.5"], LIMIT);
    assert_eq!(
        run.code,
        Some(1),
        "the watchdog ends the run\n{}",
        run.stdout
    );
    assert!(run.stdout.contains("deadlock"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("thread 1 holds lock A, waits for lock B (held by thread 2)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("thread 2 holds lock B, waits for lock A (held by thread 1)"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("moved 10"), "no transfer finished");
    let report = run.report.expect("a record even for a deadlock");
    assert_eq!((report.items, report.errors), (0, 2));
}

#[test]
fn one_global_lock_order_finishes_both_transfers() {
    let run = run_example_within(BIN, &["--fix", "--patience", "5"], LIMIT);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert!(
        run.stdout.contains("thread 1: moved 10 from A to B"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("thread 2: moved 10 from B to A"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("deadlock"), "{}", run.stdout);
    let report = run.report.expect("one record");
    assert_eq!((report.items, report.errors), (2, 0));
}

#[test]
fn bad_flags_exit_2() {
    let run = run_example_within(BIN, &["--patience", "-1"], LIMIT);
    assert_eq!(run.code, Some(2));
}
