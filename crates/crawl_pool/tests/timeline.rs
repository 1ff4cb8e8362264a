//! `--timeline`: `--processes` records one lane per worker process (the
//! parent merges them onto one clock); threads mode a lane per thread, at
//! most --workers of them at once.

use std::time::Duration;

use support::testkit::{check_one_lane_per_worker, pages_requested, run_example_timeline};

const BIN: &str = env!("CARGO_BIN_EXE_crawl_pool");

/// 40 URLs of a 200-page graph at 50 ms a page, batches of 4.
const SMALL: &[&str] = &[
    "--pages",
    "200",
    "--max-urls",
    "40",
    "--latency-ms",
    "50",
    "--jitter-ms",
    "0",
    "--workers",
    "4",
];

#[test]
fn processes_the_lanes_are_the_four_worker_pids() {
    let args = [SMALL, &["--processes"]].concat();
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    let fetched = pages_requested(&run.stdout);
    check_one_lane_per_worker(&run, &trace, 4, "get_urls", fetched);
    assert_eq!(
        trace.most_lanes_at_once(false),
        4,
        "a batch: four wait at once"
    );
}

#[test]
fn threads_a_batch_is_four_threads_waiting_at_once_never_five() {
    let (run, trace) = run_example_timeline(BIN, SMALL, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    assert_eq!(trace.pids(), [run.pid], "all in the example's process");
    // A thread per URL of each batch: a lane per page fetched.
    let fetched = pages_requested(&run.stdout);
    assert_eq!(trace.lanes.len(), fetched, "one thread per page");
    assert!(trace.lanes.iter().all(|l| l.name.starts_with("thread ")));
    assert_eq!(
        trace.most_lanes_at_once(false),
        4,
        "a batch: four wait at once"
    );
    assert_eq!(trace.most_lanes_in("get_urls"), 4, "never a fifth thread");
}
