//! `--timeline`: one lane per fetch task, all on one thread, at most
//! --limit of them waiting at once.

use std::time::Duration;

use support::testkit::{check_lanes_in_one_process, local_site, run_example_timeline};

const BIN: &str = env!("CARGO_BIN_EXE_scrape_async");

#[test]
fn one_task_lane_per_page_and_never_more_than_the_limit_waiting() {
    // 12 pages of 100 ms, 4 permits: three rounds of four.
    let site = local_site(100, 0.0);
    let args = [
        "--site",
        site.url(),
        "--count",
        "12",
        "--limit",
        "4",
        "--quiet",
    ];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    check_lanes_in_one_process(&run, &trace, 12, "task fetch");
    for lane in &trace.lanes {
        let names: Vec<&str> = lane.spans.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["fetch"], "one fetch per task");
    }
    assert_eq!(
        trace.most_lanes_at_once(false),
        4,
        "--limit 4: four wait at once"
    );
    assert_eq!(
        trace.most_lanes_at_once(true),
        1,
        "one thread: one polled at a time"
    );
}
