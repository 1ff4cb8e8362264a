//! pool_apply_async through its real binary: the binary is also the worker.

use std::time::Duration;

use support::testkit::{ExampleRun, printed_list, run_example};

const BIN: &str = env!("CARGO_BIN_EXE_pool_apply_async");

fn pool_apply_async(args: &[&str]) -> ExampleRun {
    run_example(BIN, args)
}

#[test]
fn the_callback_sees_every_result_once_in_completion_order() {
    // Sleeps of 0 to 150 ms, varied at random, on 4 workers.
    let args = [
        "--inputs",
        "30",
        "--workers",
        "4",
        "--time-scale",
        "1",
        "--show",
        "30",
    ];
    let out = pool_apply_async(&args);
    let stdout = &out.stdout;
    assert_eq!(out.code, Some(0), "{stdout}{}", out.stderr);
    let seen = printed_list(stdout);
    let in_input_order: Vec<u64> = (0..30).map(|x| x * x).collect();
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(sorted, in_input_order, "every x*x exactly once");
    assert_ne!(seen, in_input_order, "completion order is not input order");
    assert!(stdout.contains("not input order"), "{stdout}");
    assert!(stdout.contains("seed 2024"), "{stdout}");
    assert!(stdout.contains("(time scale 1)"), "{stdout}");
}

#[test]
fn bad_flags_exit_2() {
    for bad in [
        &["--time-scale", "11"][..],
        &["--workers", "0"],
        &["--seed", "-3"],
    ] {
        let out = pool_apply_async(bad);
        assert_eq!(out.code, Some(2), "{bad:?}");
    }
    let out = pool_apply_async(&["--version"]);
    assert_eq!(out.code, Some(0));
    assert!(
        out.stdout.starts_with("pool_apply_async "),
        "{}",
        out.stdout
    );
}

/// Watched from /proc while it runs: `--workers` worker processes, all
/// there at once, and every one of them answered tasks (so the callbacks'
/// results came from that many processes).
#[cfg(target_os = "linux")]
#[test]
fn the_tasks_run_on_as_many_worker_processes_as_workers() {
    use support::testkit::run_example_watched;
    for workers in [3_u32, 6] {
        let workers_flag = workers.to_string();
        let args = [
            "--inputs",
            "60",
            "--workers",
            &workers_flag,
            "--time-scale",
            "0.5",
        ];
        let (run, watched) = run_example_watched(BIN, &args, Duration::from_secs(60));
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        let record = run.report.expect("the run wrote its report record");
        assert_eq!((record.items, record.errors), (60, 0));
        assert_eq!(record.extra["workers"], workers);
        let workers = workers as usize;
        assert_eq!(watched.most_children_at_once, workers, "{watched:?}");
        // A worker writes one line per answer and nothing before its first.
        assert_eq!(watched.children_that_answered(), workers, "{watched:?}");
    }
}
