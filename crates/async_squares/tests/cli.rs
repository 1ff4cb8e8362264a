//! async_squares through its real binary, watched from /proc.

use std::time::Duration;

use support::sleeps::{self, Settings};
use support::testkit::{printed_list, run_example, run_example_within};

const BIN: &str = env!("CARGO_BIN_EXE_async_squares");

/// 1000 futures on one thread, all in input order. The run must end within
/// `LIMIT`, a bound every wait in a test has; here it also separates the
/// two ways the sleeps could run: overlapping, the run lasts one sleep (at
/// most half a second); one after another, it would last their sum.
#[cfg(target_os = "linux")]
#[test]
fn a_thousand_futures_on_one_thread_in_input_order() {
    use support::testkit::run_example_watched;
    const LIMIT: Duration = Duration::from_secs(30);
    // The binary's sleeps, drawn here from the same seed: their sum is
    // many times the limit, so a run that finishes did overlap them.
    sleeps::fix(Settings::gather(2024, 0.5, 1000));
    let sum: Duration = (0..1000).map(sleeps::sleep_for).sum();
    assert!(sum > 5 * LIMIT, "the sleeps add up to {sum:?} only");

    let args = ["--inputs", "1000", "--time-scale", "0.5"];
    let (run, watched) = run_example_watched(BIN, &args, LIMIT);
    let stdout = &run.stdout;
    assert_eq!(
        run.code,
        Some(0),
        "ended within the limit: {stdout}{}",
        run.stderr
    );
    let squares: Vec<u64> = (0..1000).map(|x| x * x).collect();
    assert_eq!(printed_list(stdout), squares);
    // One thread: the runtime's, which is the main thread.
    assert_eq!(watched.most_threads_at_once, 0, "{watched:?}");
    assert_eq!(watched.most_children_at_once, 0, "{watched:?}");

    let record = run.report.expect("the run wrote its report record");
    assert_eq!((record.items, record.errors), (1000, 0));
    assert_eq!(record.extra["seed"], 2024);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(lines[0], "seed 2024, time scale 0.5");
    let ideal = record.extra["ideal_seconds"].as_f64().expect("a number");
    let longest = (0..1000).map(sleeps::sleep_for).max().expect("1000 sleeps");
    assert_eq!(ideal, longest.as_secs_f64());
    assert_eq!(
        lines[2],
        format!("longest sleep {ideal:.3} s (the ideal: the sleeps overlap)")
    );
    assert!(lines[3].ends_with(" seconds. (time scale 0.5)"), "{stdout}");
}

#[test]
fn the_article_size_prints_the_first_squares_and_the_closing_line() {
    let run = run_example_within(BIN, &["--time-scale", "0.01"], Duration::from_secs(30));
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let res = printed_list(&run.stdout);
    assert_eq!(res.len(), 100);
    assert_eq!(res[..10], [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
    assert_eq!(run.report.expect("a record").items, 100);
}

#[test]
fn bad_flags_exit_2_and_version_exits_0() {
    for bad in [
        &["--time-scale", "11"][..],
        &["--inputs", "0"],
        &["--seed", "-3"],
        &["--no-such-flag"],
    ] {
        let run = run_example(BIN, bad);
        assert_eq!(run.code, Some(2), "{bad:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(run.report.is_none(), "a rejected run wrote a record");
    }
    let run = run_example(BIN, &["--version"]);
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.starts_with("async_squares "), "{}", run.stdout);
}
