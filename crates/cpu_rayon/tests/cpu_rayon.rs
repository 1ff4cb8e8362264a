//! cpu_rayon through its real binary, watched from /proc while it runs:
//! the sums are right, and rayon's `--workers` threads all computed them.

#![cfg(target_os = "linux")]

use std::time::Duration;

use support::testkit::run_example_watched;

const BIN: &str = env!("CARGO_BIN_EXE_cpu_rayon");

#[test]
fn the_work_runs_on_every_thread_of_the_pool() {
    for workers in [2_u32, 3] {
        // 40 numbers of about ten million: each pool thread gets several,
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
        // The pool's threads, no more, and each did some of the work: the
        // main thread hands the job to the pool and waits.
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
