//! cpu_threads through its real binary, watched from /proc while it runs:
//! the sums are right, and `--workers` threads computed them side by side.

#![cfg(target_os = "linux")]

use std::time::Duration;

use support::testkit::run_example_watched;

const BIN: &str = env!("CARGO_BIN_EXE_cpu_threads");

#[test]
fn the_work_runs_on_as_many_threads_as_workers() {
    for workers in [2_u32, 4] {
        // 40 numbers of about ten million: every thread computes several,
        // tens of milliseconds of CPU each, which /proc's clock ticks show.
        let workers_flag = workers.to_string();
        let args = [
            "--start",
            "10000000",
            "--count",
            "40",
            "--workers",
            &workers_flag,
        ];
        let (run, watched) = run_example_watched(BIN, &args, Duration::from_secs(120));
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        let report = run.report.expect("the run wrote its report record");
        assert_eq!((report.items, report.errors), (40, 0));
        assert_eq!(report.extra["workers"], workers);
        // All the threads were there at once, no more, and every one of
        // them did some of the work (the main thread only waits).
        assert_eq!(
            watched.most_threads_at_once, workers as usize,
            "{watched:?}"
        );
        assert_eq!(
            watched.threads_that_computed(),
            workers as usize,
            "{watched:?}"
        );
    }
}
