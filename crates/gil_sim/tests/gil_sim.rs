//! The gil_sim binary end to end: what it prints and what it reports to
//! run_all, in its three modes, with small sizes.

use std::path::PathBuf;
use std::process::{Command, Output};

use support::Report;

const BIN: &str = env!("CARGO_BIN_EXE_gil_sim");

/// Run the binary with a fresh report file; return its output and record.
fn run(args: &[&str], test: &str) -> (Output, Option<Report>) {
    let report: PathBuf =
        std::env::temp_dir().join(format!("gil_sim-{test}-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&report);
    let output = Command::new(BIN)
        .args(args)
        .env("RUN_ALL_REPORT", &report)
        .output()
        .expect("the gil_sim binary runs");
    let record = support::report::read_reports(&report)
        .ok()
        .and_then(|records| records.into_iter().next());
    let _ = std::fs::remove_file(&report);
    (output, record)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn sum_of_squares_below(n: u64) -> u128 {
    let n = u128::from(n);
    n * (n - 1) * (2 * n - 1) / 6
}

const SMALL: [&str; 6] = [
    "--start",
    "10000",
    "--count",
    "20",
    "--switch-interval",
    "1000",
];

#[test]
fn with_the_gil_one_thread_computes_at_a_time() {
    let (output, record) = run(&SMALL, "gil");
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("Most threads computing at once: 1\n"),
        "{text}"
    );
    let record = record.expect("a report line was written");
    assert_eq!(record.items, 20);
    assert_eq!(record.errors, 0);
    assert_eq!(record.extra["max_holders"], 1);
    assert_eq!(record.extra["gil"], true);
    let expected: u128 = (10_000..10_020).map(sum_of_squares_below).sum();
    assert_eq!(record.extra["total"], expected.to_string());
    assert!(
        text.contains(&format!("Total of the 20 sums: {expected}\n")),
        "{text}"
    );
}

#[test]
fn without_the_gil_all_threads_compute_at_once() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 {
        eprintln!("skipped: this machine has {cores} core; parallel threads need 2 or more");
        return;
    }
    let mut args = SMALL.to_vec();
    args.extend(["--no-gil", "--workers", "4"]);
    let (output, record) = run(&args, "nogil");
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("Most threads computing at once: 4\n"),
        "{text}"
    );
    let record = record.expect("a report line was written");
    assert_eq!(record.extra["max_holders"], 4);
    assert_eq!(record.errors, 0);
}

#[test]
fn io_waits_overlap_with_the_gil_on() {
    // One wave of 5 tasks on 5 threads; the 300 ms wait is only a margin
    // for all five to start waiting before the first one wakes up.
    let (output, record) = run(&["--io", "--count", "5", "--sleep-ms", "300"], "io");
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("Most threads holding the GIL at once: 1\n"),
        "{text}"
    );
    assert!(
        text.contains("Most threads waiting on I/O at once: 5\n"),
        "{text}"
    );
    let record = record.expect("a report line was written");
    assert_eq!(record.extra["max_sleepers"], 5);
    assert_eq!(record.extra["max_holders"], 1);
    assert_eq!(record.items, 5);
}

#[test]
fn bad_flags_exit_2_without_a_panic() {
    for args in [
        &["--workers", "0"][..],
        &["--switch-interval", "0"],
        &["--start", "0"],
        &["--sleep-ms", "-1"],
    ] {
        let (output, record) = run(args, "bad");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(record.is_none(), "a rejected run wrote a report");
    }
}
