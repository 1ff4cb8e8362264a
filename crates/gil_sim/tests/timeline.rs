//! `--timeline`: with the GIL, one lane computes at a time; without, many.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_gil_sim");

/// 16 numbers of ten million on 4 threads (each thread has work long after
/// the last one started), a switch every million iterations: the GIL
/// changes hands over a hundred times.
const ARGS: [&str; 8] = [
    "--start",
    "10000000",
    "--count",
    "16",
    "--workers",
    "4",
    "--switch-interval",
    "1000000",
];

#[test]
fn with_the_gil_work_never_overlaps_across_lanes() {
    let (run, trace) = run_example_timeline(BIN, &ARGS, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(trace.lanes.len(), 4, "one lane per thread");
    let held = trace.lanes.iter().flat_map(|lane| &lane.spans);
    assert!(held.filter(|s| s.name == "holding the GIL").count() >= 16 * 10);
    // The GIL holds: never two lanes inside "holding the GIL", nor working
    // there, at one moment. Outside it they only wait for it.
    assert_eq!(trace.most_lanes_in("holding the GIL"), 1);
    let computing = trace.most_lanes(|lane| {
        let work = lane
            .pieces
            .iter()
            .filter(|p| p.work && p.span == "holding the GIL");
        work.map(|p| (p.start_us, p.end_us)).collect()
    });
    assert_eq!(computing, 1, "two lanes computed at once");
    assert!(
        trace.most_lanes_at_once(false) >= 2,
        "the others wait meanwhile"
    );
}

#[test]
fn without_the_gil_work_overlaps() {
    let mut args = ARGS.to_vec();
    args.push("--no-gil");
    let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(trace.lanes.len(), 4, "one lane per thread");
    assert_eq!(
        trace.most_lanes_in("holding the GIL"),
        0,
        "no GIL, no GIL spans"
    );
    assert_eq!(
        trace.most_lanes_at_once(true),
        4,
        "all four compute at once"
    );
}
