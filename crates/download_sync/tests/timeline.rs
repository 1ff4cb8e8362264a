//! `--timeline`: one download after another, all on the main thread.

use std::time::Duration;

use support::testkit::{local_site, run_example_timeline};

const BIN: &str = env!("CARGO_BIN_EXE_download_sync");

#[test]
fn one_lane_and_one_download_at_a_time() {
    // 6 pages of 20 ms.
    let site = local_site(20, 0.0);
    let args = ["--site", site.url(), "--repeat", "3"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    let names: Vec<&str> = trace.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["main thread"]);
    assert_eq!(trace.pids(), [run.pid]);
    let spans = &trace.lanes[0].spans;
    assert_eq!(
        spans.iter().filter(|s| s.name == "download_site").count(),
        6
    );
    assert!(spans.iter().all(|s| {
        s.args["url"]
            .as_str()
            .is_some_and(|url| url.contains(site.url()))
    }));
    assert_eq!(trace.most_lanes_in("download_site"), 1);
}
