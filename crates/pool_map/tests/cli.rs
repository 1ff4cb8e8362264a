//! pool_map through its real binary: the binary is also the pool's worker.

use std::time::Duration;

use support::testkit::{ExampleRun, printed_list, run_example};

const BIN: &str = env!("CARGO_BIN_EXE_pool_map");

fn pool_map(args: &[&str]) -> ExampleRun {
    run_example(BIN, args)
}

/// Watched from /proc while it runs: `--workers` worker processes, all
/// there at once, every one of them answered tasks, and the results still
/// come back in input order.
#[cfg(target_os = "linux")]
#[test]
fn every_result_is_x_squared_in_input_order_from_as_many_processes_as_workers() {
    use support::testkit::run_example_watched;
    let expected: Vec<u64> = (0..60).map(|x| x * x).collect();
    for workers in [2_u32, 3] {
        let workers_flag = workers.to_string();
        let args = [
            "--inputs",
            "60",
            "--workers",
            &workers_flag,
            "--time-scale",
            "0.2",
            "--show",
            "60",
        ];
        let (run, watched) = run_example_watched(BIN, &args, Duration::from_secs(60));
        let stdout = &run.stdout;
        assert_eq!(run.code, Some(0), "{stdout}{}", run.stderr);
        assert_eq!(printed_list(stdout), expected);
        assert!(stdout.contains("seed 2024"), "{stdout}");
        assert!(stdout.contains("(time scale 0.2)"), "{stdout}");
        let record = run.report.expect("the run wrote its report record");
        assert_eq!((record.items, record.errors), (60, 0));
        assert_eq!(record.extra["workers"], workers);
        let workers = workers as usize;
        assert_eq!(watched.most_children_at_once, workers, "{watched:?}");
        // A worker writes one line per answer and nothing before its first.
        assert_eq!(watched.children_that_answered(), workers, "{watched:?}");
    }
}

#[test]
fn default_output_shows_the_first_ten() {
    let out = pool_map(&["--inputs", "20", "--workers", "2", "--time-scale", "0"]);
    assert_eq!(out.code, Some(0));
    assert_eq!(
        printed_list(&out.stdout),
        vec![0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
    );
}

#[test]
fn bad_flags_exit_2() {
    for bad in [
        &["--time-scale", "-1"][..],
        &["--workers", "0"],
        &["--inputs", "x"],
    ] {
        let out = pool_map(bad);
        assert_eq!(out.code, Some(2), "{bad:?}");
    }
    let out = pool_map(&["--version"]);
    assert_eq!(out.code, Some(0));
    assert!(out.stdout.starts_with("pool_map "), "{}", out.stdout);
}

#[cfg(unix)]
#[test]
fn a_task_limit_is_a_clear_error_not_a_panic() {
    use support::testkit::{check_refused_spawn, run_example_with_task_limit};
    // 64 workers need 64 processes and 64 reader threads; 12 tasks in all
    // are allowed, so the pool is refused part-way.
    let run = run_example_with_task_limit(
        BIN,
        &[
            "--workers",
            "64",
            "--inputs",
            "10",
            "--time-scale",
            "0.0002",
        ],
        12,
    );
    check_refused_spawn(&run, "of 64 worker processes, then the system said: ");
    assert!(!run.stdout.contains('['), "no results: {}", run.stdout);
}

#[cfg(target_os = "linux")]
#[test]
fn a_stopped_worker_fails_its_task_after_the_task_timeout_and_the_run_ends() {
    // 20 sleeps of at most 0.5 s on 2 workers: a healthy task never gets
    // near the 1-second limit; the stopped worker's task passes it.
    let (output, stopped) = support::testkit::run_with_one_worker_stopped(
        BIN,
        &[
            "--workers",
            "2",
            "--inputs",
            "20",
            "--time-scale",
            "0.1",
            "--task-timeout",
            "1",
        ],
        2,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "one task failed\n{stderr}");
    let timed_out: Vec<&str> = stderr.lines().filter(|l| l.contains("timed out")).collect();
    assert_eq!(timed_out.len(), 1, "{stderr}");
    assert!(
        timed_out[0].contains("timed out after 1 s (worker 0 was killed and replaced)")
            || timed_out[0].contains("timed out after 1 s (worker 1 was killed and replaced)"),
        "{stderr}"
    );
    assert!(
        stdout.contains("[0, 1, 4") || stdout.contains("[error, 1, 4"),
        "{stdout}"
    );
    // The stopped worker is gone, not left behind.
    assert!(
        !std::path::Path::new(&format!("/proc/{}", stopped)).exists()
            || std::fs::read_to_string(format!("/proc/{}/stat", stopped))
                .is_ok_and(|stat| stat.contains(") Z")),
        "the stopped worker was killed"
    );
}
