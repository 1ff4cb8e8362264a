//! `--timeline`: WORKERS threads, each a lane, all waiting on I/O at once.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_gil_sim_io");

#[test]
fn every_thread_waits_at_the_same_moment() {
    let args = ["--count", "10", "--workers", "5", "--sleep-ms", "100"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    assert_eq!(
        trace.lanes.len(),
        5,
        "one lane per thread: {:?}",
        trace.lanes
    );
    assert_eq!(trace.pids(), [run.pid]);
    let spans = trace.lanes.iter().flat_map(|lane| &lane.spans);
    assert_eq!(spans.filter(|s| s.name == "io_bound").count(), 10);
    assert_eq!(trace.most_lanes_at_once(false), 5, "five wait at once");
}
