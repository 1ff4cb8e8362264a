//! The process pool needs the real cpu_processes binary (its workers are
//! copies of it), so these tests run that binary, with small numbers.

use std::path::PathBuf;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cpu_processes");

/// n(n-1)(2n-1)/6: the sum of i * i for i in 0..n.
fn sum_of_squares_below(n: u64) -> u128 {
    let n = u128::from(n);
    n * n.saturating_sub(1) * (2 * n).saturating_sub(1) / 6
}

/// A fresh report file per test, removed first so old lines never count.
fn report_path(test: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("cpu_processes-{test}-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

fn run(args: &[&str], report: &PathBuf) -> Output {
    Command::new(BIN)
        .args(args)
        .env("RUN_ALL_REPORT", report)
        .output()
        .expect("the cpu_processes binary runs")
}

/// The grand total printed on stdout.
fn printed_total(output: &Output) -> u128 {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find(|line| line.starts_with("Total of the "))
        .unwrap_or_else(|| panic!("no total line in:\n{stdout}"));
    line.rsplit(' ')
        .next()
        .and_then(|digits| digits.parse().ok())
        .unwrap_or_else(|| panic!("no number at the end of {line:?}"))
}

fn check_run(start: u64, count: u64, workers: u32, test: &str) {
    let report = report_path(test);
    let output = run(
        &[
            "--start",
            &start.to_string(),
            "--count",
            &count.to_string(),
            "--workers",
            &workers.to_string(),
        ],
        &report,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|line| line.starts_with("Duration ") && line.ends_with(" seconds")),
        "{stdout}"
    );

    // Every sum was checked against the closed formula inside the binary
    // (a mismatch exits 1); the total proves it independently here.
    let expected: u128 = (start..start + count).map(sum_of_squares_below).sum();
    assert_eq!(printed_total(&output), expected);

    let records = support::report::read_reports(&report).expect("the report file is readable");
    let _ = std::fs::remove_file(&report);
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record.example, "cpu_processes");
    assert_eq!(record.items, count);
    assert_eq!(record.errors, 0);
    assert_eq!(record.extra["workers"], workers);
    assert_eq!(record.extra["total"], expected.to_string());
}

#[test]
fn two_workers_return_every_sum() {
    check_run(10_000, 20, 2, "two");
}

#[test]
fn more_workers_than_numbers() {
    check_run(10_000, 3, 5, "more");
}

#[test]
fn a_total_beyond_u64_crosses_the_pipe_intact() {
    // Sums above u64::MAX need n > 3.81 million: one such number keeps the
    // test quick in a debug build and proves the u128 survives the JSON.
    assert!(sum_of_squares_below(4_000_000) > u128::from(u64::MAX));
    check_run(4_000_000, 1, 1, "big");
}

/// Watched from /proc while it runs: `--workers` worker processes, all
/// there at once, and every one of them computed sums and sent some back.
#[cfg(target_os = "linux")]
#[test]
fn the_work_runs_in_as_many_processes_as_workers() {
    use support::testkit::run_example_watched;
    for workers in [2_u32, 3] {
        // 40 numbers of about ten million: each worker gets several, tens
        // of milliseconds of CPU each, which /proc's clock ticks show.
        let workers_flag = workers.to_string();
        let args = [
            "--start",
            "10000000",
            "--count",
            "40",
            "--workers",
            &workers_flag,
        ];
        let (run, watched) = run_example_watched(BIN, &args, std::time::Duration::from_secs(120));
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        let record = run.report.expect("the run wrote its report record");
        assert_eq!((record.items, record.errors), (40, 0));
        assert_eq!(record.extra["workers"], workers);
        let workers = workers as usize;
        assert_eq!(watched.most_children_at_once, workers, "{watched:?}");
        assert_eq!(watched.children_that_computed(), workers, "{watched:?}");
        // A worker writes one line per answer and nothing before its first.
        assert_eq!(watched.children_that_answered(), workers, "{watched:?}");
    }
}

#[test]
fn bad_flags_exit_2_without_a_panic() {
    let report = report_path("bad");
    for args in [
        &["--workers", "0"][..],
        &["--workers", "257"],
        &["--count", "0"],
        &["--start", "five"],
        &["--no-such-flag"],
    ] {
        let output = run(args, &report);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    assert!(!report.exists(), "a rejected run wrote a report");
}
