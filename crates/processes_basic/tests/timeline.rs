//! `--timeline`: each child process records its own lane, and the parent
//! gathers them, though it starts the children itself (not through a pool).

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_processes_basic");

#[test]
fn the_lanes_are_the_two_children() {
    let args = ["--count", "3", "--seconds", "0.1"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    let pids = trace.pids();
    assert_eq!(pids.len(), 2, "a lane per child: {:?}", trace.lanes);
    assert!(!pids.contains(&run.pid), "the parent prints no numbers");
    for lane in &trace.lanes {
        let names: Vec<&str> = lane.spans.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["print_numbers"], "{}", lane.name);
        let printed = format!("process {}: 0", lane.pid);
        assert!(run.stdout.contains(&printed), "{printed}\n{}", run.stdout);
    }
    assert_eq!(
        trace.most_lanes_at_once(false),
        2,
        "both children sleep at once"
    );
}
