//! The gil_sim binary end to end, watched from /proc while it runs: what it
//! prints, what it reports to run_all, and the threads it really had.

use std::time::Duration;

use support::testkit::{ExampleRun, run_example_within};

const BIN: &str = env!("CARGO_BIN_EXE_gil_sim");

fn sum_of_squares_below(n: u64) -> u128 {
    let n = u128::from(n);
    n * (n - 1) * (2 * n - 1) / 6
}

/// 20 numbers of about ten million, 100 slices each: tens of milliseconds of
/// CPU per thread, which /proc's clock ticks show.
const WITH_THE_GIL: [&str; 6] = [
    "--start",
    "10000000",
    "--count",
    "20",
    "--switch-interval",
    "100000",
];

fn check_success(run: &ExampleRun, count: u64) {
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let record = run.report.as_ref().expect("a report line was written");
    assert_eq!((record.items, record.errors), (count, 0));
    let expected: u128 = (10_000_000..10_000_000 + count)
        .map(sum_of_squares_below)
        .sum();
    assert_eq!(record.extra["total"], expected.to_string());
    assert!(
        run.stdout
            .contains(&format!("Total of the {count} sums: {expected}\n")),
        "{}",
        run.stdout
    );
}

#[cfg(target_os = "linux")]
#[test]
fn with_the_gil_five_threads_take_turns_one_at_a_time() {
    use support::testkit::run_example_watched;
    let (run, watched) = run_example_watched(BIN, &WITH_THE_GIL, Duration::from_secs(120));
    check_success(&run, 20);
    let text = &run.stdout;
    assert!(
        text.contains("Most threads computing at once: 1\n"),
        "{text}"
    );
    let record = run.report.expect("a report line was written");
    assert_eq!(record.extra["max_holders"], 1);
    assert_eq!(record.extra["gil"], true);
    assert_eq!(record.extra["workers"], 5);
    // 2,000 slices: the GIL went from thread to thread many times...
    let handoffs = record.extra["handoffs"].as_u64().expect("a count");
    assert!(handoffs >= 4, "only {handoffs} handoffs\n{text}");
    // ...between 5 threads that all existed at once and all computed.
    assert_eq!(watched.most_threads_at_once, 5, "{watched:?}");
    assert_eq!(watched.threads_that_computed(), 5, "{watched:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn without_the_gil_all_threads_compute_at_once() {
    use support::testkit::run_example_watched;
    // One slice per number: a thread stays inside its loop for a whole
    // number, so all four are inside together (running, or preempted by
    // the OS mid-number on a machine with fewer cores).
    let args = [
        "--start",
        "10000000",
        "--count",
        "40",
        "--switch-interval",
        "100000000",
        "--no-gil",
        "--workers",
        "4",
    ];
    let (run, watched) = run_example_watched(BIN, &args, Duration::from_secs(120));
    check_success(&run, 40);
    let text = &run.stdout;
    assert!(
        text.contains("Most threads computing at once: 4\n"),
        "{text}"
    );
    assert!(!text.contains("GIL handoffs"), "{text}");
    let record = run.report.expect("a report line was written");
    assert_eq!(record.extra["max_holders"], 4);
    assert_eq!(record.extra["gil"], false);
    assert_eq!(watched.most_threads_at_once, 4, "{watched:?}");
    assert_eq!(watched.threads_that_computed(), 4, "{watched:?}");
}

#[test]
fn bad_flags_exit_2_without_a_panic() {
    for args in [
        &["--workers", "0"][..],
        &["--workers", "257"],
        &["--switch-interval", "0"],
        &["--start", "0"],
        // The I/O lesson is its own package now: gil_sim_io.
        &["--io"],
    ] {
        let run = run_example_within(BIN, args, Duration::from_secs(60));
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
        assert!(run.report.is_none(), "a rejected run wrote a report");
    }
}
