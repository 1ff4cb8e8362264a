//! `--timeline` on our own loop: tracing sees the same three tasks waiting
//! together as on tokio, since a span follows the future, not the runtime.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_event_loop");

#[test]
fn three_count_tasks_wait_at_the_same_moment_on_our_loop() {
    let (run, trace) = run_example_timeline(BIN, &["--seconds", "0.2"], Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(trace.lanes.len(), 3, "{:?}", trace.lanes);
    for lane in &trace.lanes {
        let kinds: Vec<bool> = lane.pieces.iter().map(|p| p.work).collect();
        assert_eq!(
            kinds,
            [true, false, true],
            "{}: polled, pending, polled",
            lane.name
        );
    }
    assert_eq!(trace.most_lanes_at_once(false), 3, "all three wait at once");
    assert_eq!(
        trace.most_lanes_at_once(true),
        1,
        "one thread: one polled at a time"
    );
}
