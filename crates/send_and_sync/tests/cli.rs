//! The real binary: both worlds count every task, and the record says so.

use std::time::Duration;

use support::testkit::run_example_within;

const BIN: &str = env!("CARGO_BIN_EXE_send_and_sync");

#[test]
fn both_worlds_count_every_task_and_report() {
    let run = run_example_within(
        BIN,
        &["--tasks", "30", "--workers", "2"],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout
            .contains("Rc<RefCell<u64>>:  30 of 30 tasks counted"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Arc<Mutex<u64>>:    30 of 30 tasks counted"),
        "{}",
        run.stdout
    );
    let report = run.report.expect("one record");
    assert_eq!((report.items, report.errors), (60, 0));
}

#[test]
fn bad_flags_exit_2() {
    let run = run_example_within(BIN, &["--workers", "0"], Duration::from_secs(60));
    assert_eq!(run.code, Some(2));
}
