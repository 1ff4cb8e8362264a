//! `--timeline`: three count() tasks on one thread, waiting together.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_async_count");

#[test]
fn three_tasks_each_wait_once_and_all_three_wait_at_the_same_moment() {
    let (run, trace) = run_example_timeline(BIN, &["--seconds", "0.2"], Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    let lanes: Vec<&str> = trace.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(lanes, ["task count 1", "task count 2", "task count 3"]);
    for lane in &trace.lanes {
        let names: Vec<&str> = lane.spans.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["count"], "one count() per task");
        // Polled, pending on the sleep, polled again: work, wait, work.
        let kinds: Vec<bool> = lane.pieces.iter().map(|p| p.work).collect();
        assert_eq!(
            kinds,
            [true, false, true],
            "{}: {:?}",
            lane.name,
            lane.pieces
        );
    }
    assert_eq!(trace.most_lanes_at_once(false), 3, "all three wait at once");
    assert_eq!(
        trace.most_lanes_at_once(true),
        1,
        "one thread: one polled at a time"
    );
}
