//! `--timeline`: one lane, the main thread, one page waited for at a time.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_crawl_serial");

#[test]
fn one_lane_and_one_request_waiting_at_a_time() {
    let args = ["--pages", "200", "--max-urls", "20", "--latency-ms", "20"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    let lanes: Vec<&str> = trace.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(lanes, ["main thread"], "a serial crawl runs on main alone");
    assert!(trace.lanes[0].spans.len() > 1, "several get_urls");
    assert_eq!(trace.most_lanes_at_once(false), 1);
}
