//! `--timeline`: the recorded run shows one lane per pool thread (--workers).

use std::time::Duration;

use support::testkit::{check_lanes_in_one_process, local_site, run_example_timeline};

const BIN: &str = env!("CARGO_BIN_EXE_scrape_threads");

#[test]
fn one_lane_per_worker_thread_and_all_of_them_wait_at_once() {
    // 12 pages of 100 ms on 3 threads: each thread takes several.
    let site = local_site(100, 0.0);
    let args = [
        "--site",
        site.url(),
        "--count",
        "12",
        "--workers",
        "3",
        "--quiet",
    ];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    check_lanes_in_one_process(&run, &trace, 3, "thread ");
    let spans = trace.lanes.iter().flat_map(|lane| &lane.spans);
    assert_eq!(spans.filter(|s| s.name == "fetch").count(), 12);
    // A thread blocks on one request at a time: 3 waiting, never more.
    assert_eq!(
        trace.most_lanes_at_once(false),
        3,
        "three threads wait at once"
    );
}

#[test]
fn the_timeline_flag_keeps_the_examples_own_help_text() {
    use support::testkit::run_example;
    let run = run_example(BIN, &["--help"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let first = run.stdout.lines().next().unwrap_or_default();
    assert_eq!(
        first, "Scrape the home pages of the top N \"domains\" with a pool of threads",
        "the about line is the example's doc comment, not --timeline's"
    );
    assert!(run.stdout.contains("--timeline <FILE>"), "{}", run.stdout);
}
