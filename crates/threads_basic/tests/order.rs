//! From the binary's output: both threads print their whole sequence, and
//! thread 2 starts printing before thread 1 has finished, so the two ran at
//! the same time. No clock is read.

use std::time::Duration;

use support::testkit::run_example_within;

const BIN: &str = env!("CARGO_BIN_EXE_threads_basic");

fn lines_of<'a>(lines: &[&'a str], name: &str) -> Vec<&'a str> {
    let prefix = format!("{name}: ");
    lines
        .iter()
        .copied()
        .filter(|line| line.starts_with(&prefix))
        .collect()
}

#[test]
fn each_thread_prints_its_whole_sequence_in_order() {
    let run = run_example_within(
        BIN,
        &["--count", "4", "--seconds", "0"],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 9, "{lines:?}");
    for name in ["thread 1", "thread 2"] {
        let expected: Vec<String> = (0..4).map(|i| format!("{name}: {i}")).collect();
        assert_eq!(lines_of(&lines, name), expected, "{lines:?}");
    }
    assert_eq!(run.report.expect("a report record").items, 8);
}

#[test]
fn the_two_threads_overlap() {
    // Run one after the other, thread 2 would print nothing until thread 1
    // had printed its last number, 0.8 s of sleeps later.
    let args = ["--count", "5", "--seconds", "0.2"];
    let run = run_example_within(BIN, &args, Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let position = |wanted: &str| lines.iter().position(|line| *line == wanted);
    let first_of_thread2 = position("thread 2: 0").expect("thread 2 printed");
    let last_of_thread1 = position("thread 1: 4").expect("thread 1 printed");
    assert!(
        first_of_thread2 < last_of_thread1,
        "thread 2 started only after thread 1 ended: {lines:?}"
    );
}
