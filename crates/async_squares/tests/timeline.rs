//! `--timeline`: one lane per cal_square future, all waiting at once on one thread.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_async_squares");

#[test]
fn every_future_waits_at_the_same_moment() {
    let args = ["--inputs", "10", "--time-scale", "0.2"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    assert_eq!(trace.pids(), [run.pid]);
    assert_eq!(
        trace.lanes.len(),
        10,
        "one lane per future: {:?}",
        trace.lanes
    );
    assert!(
        trace
            .lanes
            .iter()
            .all(|l| l.name.starts_with("task cal_square"))
    );
    assert_eq!(trace.most_lanes_at_once(false), 10, "all ten wait at once");
    assert_eq!(trace.most_lanes_at_once(true), 1, "one thread polls");
}
