//! `--timeline`: one lane per fetch_data, all three waiting at once.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_async_fetch_sim");

#[test]
fn three_fetches_wait_at_the_same_moment() {
    let (run, trace) = run_example_timeline(BIN, &["--seconds", "0.1"], Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    assert_eq!(
        trace.lanes.len(),
        3,
        "one lane per fetch: {:?}",
        trace.lanes
    );
    let mut urls: Vec<&str> = trace
        .lanes
        .iter()
        .flat_map(|lane| &lane.spans)
        .filter_map(|s| s.args["url"].as_str())
        .collect();
    urls.sort_unstable();
    assert_eq!(
        urls,
        [
            "http://example.com",
            "http://example.net",
            "http://example.org"
        ]
    );
    assert_eq!(trace.most_lanes_at_once(false), 3, "all three wait at once");
    assert_eq!(trace.most_lanes_at_once(true), 1, "one thread polls");
}
