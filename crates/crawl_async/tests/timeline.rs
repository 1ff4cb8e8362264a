//! `--timeline`: one task lane per page fetched, never more than
//! --concurrency of them waiting at once, all polled on one thread at a time.

use std::time::Duration;

use support::testkit::{check_lanes_in_one_process, pages_requested, run_example_timeline};

const BIN: &str = env!("CARGO_BIN_EXE_crawl_async");

#[test]
fn one_lane_per_fetch_and_never_more_than_the_cap_waiting() {
    // 40 URLs of a 200-page graph at 50 ms a page: levels wider than 5.
    let args = [
        "--pages",
        "200",
        "--max-urls",
        "40",
        "--latency-ms",
        "50",
        "--jitter-ms",
        "0",
        "--concurrency",
        "5",
    ];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    let fetched = pages_requested(&run.stdout);
    assert!(fetched > 5, "more pages than the cap: {fetched}");
    check_lanes_in_one_process(&run, &trace, fetched, "task fetch_page");
    // `buffered(5)`: five fetches out at once at most, and a level fills them.
    assert_eq!(
        trace.most_lanes_at_once(false),
        5,
        "--concurrency 5: five wait at once"
    );
    assert_eq!(
        trace.most_lanes_in("fetch_page"),
        5,
        "never a sixth fetch open"
    );
}
