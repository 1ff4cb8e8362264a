//! `--timeline`: cal_square in WORKERS worker processes, one lane each.

use std::time::Duration;

use support::testkit::{check_one_lane_per_worker, run_example_timeline};

const BIN: &str = env!("CARGO_BIN_EXE_pool_map");

#[test]
fn the_lanes_are_the_worker_processes() {
    // 12 sleeps of up to 0.3 s on 3 workers.
    let args = ["--inputs", "12", "--workers", "3", "--time-scale", "5"];
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

    check_one_lane_per_worker(&run, &trace, 3, "cal_square", 12);
    let spans = trace.lanes.iter().flat_map(|lane| &lane.spans);
    let mut xs: Vec<u64> = spans
        .filter(|s| s.name == "cal_square")
        .filter_map(|s| s.args["x"].as_str()?.parse().ok())
        .collect();
    xs.sort_unstable();
    assert_eq!(xs, (0..12).collect::<Vec<_>>(), "each input once");
    assert_eq!(trace.most_lanes_in("cal_square"), 3, "three sleep at once");
}
