//! The gil_sim_io binary end to end, watched from /proc while it runs: what
//! it prints, what it reports to run_all, and the threads it really had.

use std::time::Duration;

use support::testkit::run_example_within;

const BIN: &str = env!("CARGO_BIN_EXE_gil_sim_io");

#[cfg(target_os = "linux")]
#[test]
fn io_waits_overlap_though_one_thread_at_a_time_holds_the_gil() {
    use support::testkit::run_example_watched;
    // Two waves of 5 tasks on 5 threads. The 500 ms wait is not measured,
    // only a margin: all five must start waiting before the first wakes up.
    let args = ["--count", "10", "--sleep-ms", "500"];
    let (run, watched) = run_example_watched(BIN, &args, Duration::from_secs(120));
    let text = &run.stdout;
    assert_eq!(run.code, Some(0), "{text}{}", run.stderr);
    assert!(
        text.contains("Most threads holding the GIL at once: 1\n"),
        "{text}"
    );
    assert!(
        text.contains("Most threads waiting on I/O at once: 5\n"),
        "{text}"
    );
    assert!(text.contains("Tasks per thread: ["), "{text}");
    let record = run.report.expect("a report line was written");
    assert_eq!((record.items, record.errors), (10, 0));
    assert_eq!(record.extra["max_sleepers"], 5);
    assert_eq!(record.extra["max_holders"], 1);
    assert_eq!(record.extra["mode"], "io");
    assert_eq!(record.extra["workers"], 5);
    // And the five waiting threads were really there, at once.
    assert_eq!(watched.most_threads_at_once, 5, "{watched:?}");
}

#[test]
fn bad_flags_exit_2_without_a_panic() {
    for args in [
        &["--workers", "0"][..],
        &["--workers", "257"],
        &["--count", "0"],
        &["--sleep-ms", "-1"],
        &["--sleep-ms", "60001"],
    ] {
        let run = run_example_within(BIN, args, Duration::from_secs(60));
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
        assert!(run.report.is_none(), "a rejected run wrote a report");
    }
}
