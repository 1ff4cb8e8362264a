//! `--timeline`: one lane per download task, on one thread; `--limit 3`
//! lets no more than three of them be out at once.

use std::time::Duration;

use support::testkit::{local_site, run_example_timeline};

const BIN: &str = env!("CARGO_BIN_EXE_download_async");

#[test]
fn one_lane_per_task_and_at_most_limit_waiting() {
    // 12 pages of 150 ms, at most 3 in flight: 4 rounds of 3.
    let site = local_site(150, 0.0);
    let args = ["--site", site.url(), "--repeat", "6", "--limit", "3"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    assert_eq!(trace.pids(), [run.pid], "one process");
    assert_eq!(
        trace.lanes.len(),
        12,
        "one lane per task: {:?}",
        trace.lanes
    );
    for lane in &trace.lanes {
        assert!(lane.name.starts_with("task download_site"), "{}", lane.name);
        let names: Vec<&str> = lane.spans.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["download_site"], "one download per task");
        assert!(
            lane.pieces.iter().any(|p| !p.work),
            "{}: it waited",
            lane.name
        );
    }
    // The semaphore at work: three out at once, never a fourth.
    assert_eq!(trace.most_lanes_in("download_site"), 3);
    assert_eq!(trace.most_lanes_at_once(false), 3, "three wait at once");
    assert_eq!(trace.most_lanes_at_once(true), 1, "one thread polls");
}
