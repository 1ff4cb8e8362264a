//! `--timeline`: the recorded run shows the five threads and their waits.

use std::time::Duration;

use support::testkit::{local_site, run_example_timeline};

const BIN: &str = env!("CARGO_BIN_EXE_download_threads");

#[test]
fn five_lanes_and_never_more_than_five_requests_waiting() {
    // 20 pages of 100 ms on the article's 5 threads (no --workers flag).
    let site = local_site(100, 0.0);
    let args = ["--site", site.url(), "--repeat", "10"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    let lanes: Vec<&str> = trace.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(lanes.len(), 5, "one lane per thread: {lanes:?}");
    let spans = trace.lanes.iter().flat_map(|lane| &lane.spans);
    assert_eq!(spans.filter(|s| s.name == "download_site").count(), 20);
    assert!(trace.pids() == [run.pid], "all in the example's process");
    // A request is a wait (100 ms blocked on the socket), and a thread
    // waits on one request at a time: never more than 5 requests waiting.
    assert_eq!(
        trace.most_lanes_at_once(false),
        5,
        "five threads wait at once"
    );
}
