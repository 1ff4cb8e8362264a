//! `--timeline`: rayon's threads, one lane each, computing at once.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_cpu_rayon");

#[test]
fn the_pool_threads_compute_at_once() {
    let args = ["--start", "10000000", "--count", "8", "--workers", "2"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    assert_eq!(
        trace.lanes.len(),
        2,
        "one lane per pool thread: {:?}",
        trace.lanes
    );
    assert!(
        trace.lanes.iter().all(|l| l.name != "main thread"),
        "main only waits"
    );
    let spans = trace.lanes.iter().flat_map(|lane| &lane.spans);
    assert_eq!(spans.filter(|s| s.name == "cpu_bound").count(), 8);
    assert_eq!(trace.most_lanes_at_once(true), 2, "both compute at once");
}
