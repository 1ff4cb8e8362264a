//! `--timeline`: each worker process records its own lane; the parent
//! gathers them onto one clock.

use std::time::Duration;

use support::testkit::{check_one_lane_per_worker, local_site, run_example_timeline};

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

    check_one_lane_per_worker(&run, &trace, 3, "fetch", 12);
    // One clock for all: the three processes' requests overlap.
    assert_eq!(
        trace.most_lanes_at_once(false),
        3,
        "three workers wait at once"
    );
}
