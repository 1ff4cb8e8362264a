//! `--timeline`: every cpu_bound on the main thread, one after another.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_cpu_sync");

#[test]
fn one_lane_computes() {
    let args = ["--start", "1000000", "--count", "4"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    let names: Vec<&str> = trace.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["main thread"]);
    let numbers: Vec<&str> = trace.lanes[0]
        .spans
        .iter()
        .filter(|s| s.name == "cpu_bound")
        .filter_map(|s| s.args["number"].as_str())
        .collect();
    assert_eq!(numbers, ["1000000", "1000001", "1000002", "1000003"]);
    assert_eq!(trace.most_lanes_at_once(true), 1);
    assert_eq!(trace.most_lanes_at_once(false), 0, "computing never waits");
}
