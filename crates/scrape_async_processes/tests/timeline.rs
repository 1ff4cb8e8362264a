//! `--timeline`: each worker process runs its chunk's fetches as tasks on
//! its own event loop; the parent gathers the lanes onto one clock.

use std::time::Duration;

use support::testkit::{local_site, run_example_timeline};

const BIN: &str = env!("CARGO_BIN_EXE_scrape_async_processes");

#[test]
fn three_worker_pids_each_with_a_chunk_of_four_tasks_waiting_together() {
    // 12 pages of 100 ms on 3 workers: a chunk of 4 URLs each.
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

    let pids = trace.pids();
    assert_eq!(pids.len(), 3, "three worker processes: {pids:?}");
    assert!(!pids.contains(&run.pid), "the parent fetches nothing");
    for pid in &pids {
        let lanes: Vec<_> = trace.lanes.iter().filter(|l| l.pid == *pid).collect();
        let names: Vec<&str> = lanes.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            lanes.len(),
            4,
            "one task lane per URL of the chunk: {names:?}"
        );
        assert!(names.iter().all(|n| n.contains("task fetch")), "{names:?}");
    }
    let spans = trace.lanes.iter().flat_map(|lane| &lane.spans);
    assert_eq!(spans.filter(|s| s.name == "fetch").count(), 12);
    // Every worker's chunk is in flight at once, on one clock.
    assert_eq!(
        trace.most_lanes_at_once(false),
        12,
        "all twelve wait at once"
    );
}
