//! `--timeline`: one lane, the main thread, one `time_page` per page timed.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_crawl_bottleneck");

#[test]
fn one_lane_with_a_time_page_span_per_sample() {
    let args = ["--pages", "200", "--samples", "5", "--latency-ms", "20"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    let lanes: Vec<&str> = trace.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(lanes, ["main thread"], "one page at a time, on main");
    let names: Vec<&str> = trace.lanes[0]
        .spans
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["time_page"; 5], "one span per page timed");
    assert_eq!(trace.most_lanes_at_once(false), 1);
}
