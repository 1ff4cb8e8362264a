//! `--timeline`: each worker process records its own lane, and they compute
//! at the same moment.

use std::time::Duration;

use support::testkit::{check_one_lane_per_worker, run_example_timeline};

const BIN: &str = env!("CARGO_BIN_EXE_cpu_processes");

#[test]
fn n_worker_processes_compute_at_once() {
    let args = ["--start", "30000000", "--count", "9", "--workers", "3"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    check_one_lane_per_worker(&run, &trace, 3, "cpu_bound", 9);
    // A process preempted by another still counts as working, so this
    // holds on fewer cores than workers.
    assert_eq!(
        trace.most_lanes_at_once(true),
        3,
        "all three compute at once"
    );
}
