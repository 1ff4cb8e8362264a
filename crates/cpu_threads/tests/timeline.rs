//! `--timeline`: N threads computing at the same moment.

use std::time::Duration;

use support::testkit::run_example_timeline;

const BIN: &str = env!("CARGO_BIN_EXE_cpu_threads");

#[test]
fn n_lanes_work_at_the_same_moment() {
    for workers in [2_usize, 4] {
        let flag = workers.to_string();
        let args = ["--start", "10000000", "--count", "16", "--workers", &flag];
        let (run, trace) = run_example_timeline(BIN, &args, Duration::from_secs(120));
        assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);

        assert_eq!(trace.lanes.len(), workers, "one lane per thread");
        let spans = trace.lanes.iter().flat_map(|lane| &lane.spans);
        assert_eq!(spans.filter(|s| s.name == "cpu_bound").count(), 16);
        // Computing never blocks: a thread preempted by another still
        // counts as working, so this holds on fewer cores than threads.
        assert_eq!(
            trace.most_lanes_at_once(true),
            workers,
            "all compute at once"
        );
        assert_eq!(trace.most_lanes_at_once(false), 0, "no thread waits");
    }
}
