//! `--timeline`: three count() calls on the main thread, one after another.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_sync_count");

#[test]
fn one_lane_and_one_count_at_a_time() {
    let (run, trace) = run_example_timeline(BIN, &["--seconds", "0.05"], Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    let names: Vec<&str> = trace.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["main thread"]);
    let spans: Vec<&str> = trace.lanes[0]
        .spans
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(spans, ["count", "count", "count"]);
    assert_eq!(trace.most_lanes_in("count"), 1, "never two at once");
}
