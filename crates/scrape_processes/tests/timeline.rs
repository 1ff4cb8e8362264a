//! `--timeline`: each worker process records its own lane; the parent
//! gathers them onto one clock.

use std::time::Duration;

use support::testkit::{local_site, run_example_timeline};

const BIN: &str = env!("CARGO_BIN_EXE_scrape_processes");

#[test]
fn the_lanes_are_the_worker_processes() {
    // 12 pages of 100 ms on 3 worker processes.
    let site = local_site(100, 0.0);
    let args = [
        "--site",
        site.url(),
        "--count",
        "12",
        "--workers",
        "3",
        "--quiet",
    ];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    let names: Vec<&str> = trace.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["worker 1", "worker 2", "worker 3"]);
    let pids = trace.pids();
    assert_eq!(pids.len(), 3, "each lane in its own process: {pids:?}");
    assert!(!pids.contains(&run.pid), "the parent fetches nothing");
    let spans = trace.lanes.iter().flat_map(|lane| &lane.spans);
    assert_eq!(spans.filter(|s| s.name == "fetch").count(), 12);
    // One clock for all: the three processes' requests overlap.
    assert_eq!(
        trace.most_lanes_at_once(false),
        3,
        "three workers wait at once"
    );
}
