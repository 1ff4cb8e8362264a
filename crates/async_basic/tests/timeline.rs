//! `--timeline`: two print_numbers futures, a lane each, on one thread.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_async_basic");

#[test]
fn two_tasks_wait_together_and_take_turns_on_the_thread() {
    let args = ["--count", "3", "--seconds", "0.1"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    let lanes: Vec<&str> = trace.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(lanes, ["task print_numbers 1", "task print_numbers 2"]);
    assert_eq!(trace.most_lanes_at_once(false), 2, "both wait at once");
    assert_eq!(
        trace.most_lanes_at_once(true),
        1,
        "one thread: one polled at a time"
    );
}
