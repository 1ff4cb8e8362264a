//! `--timeline`: each worker process records its own lane, and they compute
//! at the same moment.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_cpu_processes");

#[test]
fn n_worker_processes_compute_at_once() {
    let args = ["--start", "30000000", "--count", "9", "--workers", "3"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    let names: Vec<&str> = trace.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["worker 1", "worker 2", "worker 3"]);
    let pids = trace.pids();
    assert_eq!(pids.len(), 3, "each lane in its own process: {pids:?}");
    assert!(!pids.contains(&run.pid), "the parent computes nothing");
    let spans = trace.lanes.iter().flat_map(|lane| &lane.spans);
    assert_eq!(spans.filter(|s| s.name == "cpu_bound").count(), 9);
    // A process preempted by another still counts as working, so this
    // holds on fewer cores than workers.
    assert_eq!(
        trace.most_lanes_at_once(true),
        3,
        "all three compute at once"
    );
}
