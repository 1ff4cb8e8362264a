//! `--timeline`: two threads, one lane each, sleeping at the same moment.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_threads_basic");

#[test]
fn two_thread_lanes_wait_at_once() {
    let args = ["--count", "3", "--seconds", "0.1"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    assert_eq!(trace.pids(), [run.pid], "threads of one process");
    assert_eq!(trace.lanes.len(), 2, "{:?}", trace.lanes);
    assert_ne!(trace.lanes[0].tid, trace.lanes[1].tid);
    for lane in &trace.lanes {
        let names: Vec<&str> = lane.spans.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["print_numbers"], "{}", lane.name);
    }
    assert_eq!(trace.most_lanes_in("print_numbers"), 2);
    assert_eq!(trace.most_lanes_at_once(false), 2, "both sleep at once");
}
