//! pool_map through its real binary: the binary is also the pool's worker.

use support::testkit::{ExampleRun, printed_list, run_example};

fn pool_map(args: &[&str]) -> ExampleRun {
    run_example(env!("CARGO_BIN_EXE_pool_map"), args)
}

#[test]
fn every_result_is_x_squared_in_input_order() {
    let out = pool_map(&[
        "--inputs",
        "60",
        "--workers",
        "3",
        "--time-scale",
        "0.2",
        "--show",
        "60",
    ]);
    let stdout = &out.stdout;
    assert_eq!(out.code, Some(0), "{stdout}{}", out.stderr);
    let expected: Vec<u64> = (0..60).map(|x| x * x).collect();
    assert_eq!(printed_list(stdout), expected);
    assert!(stdout.contains("seed 2024"), "{stdout}");
    assert!(stdout.contains("(time scale 0.2)"), "{stdout}");
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
}

#[cfg(unix)]
#[test]
fn a_task_limit_is_a_clear_error_not_a_panic() {
    use support::testkit::{check_refused_spawn, run_example_with_task_limit};
    // 64 workers need 64 processes and 64 reader threads; 12 tasks in all
    // are allowed, so the pool is refused part-way.
    let run = run_example_with_task_limit(
        env!("CARGO_BIN_EXE_pool_map"),
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

/// The pids whose parent is `parent` (Linux /proc).
#[cfg(target_os = "linux")]
fn children_of(parent: u32) -> Vec<u32> {
    let entries = std::fs::read_dir("/proc").expect("/proc is readable");
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            // /proc/PID/stat: "pid (name) state ppid ..."; the name may hold spaces.
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                stat.rsplit_once(") ")
                    .and_then(|(_, rest)| rest.split(' ').nth(1))
                    .is_some_and(|ppid| ppid == parent.to_string())
            })
        })
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn a_stopped_worker_fails_its_task_after_the_task_timeout_and_the_run_ends() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    // 20 sleeps of at most 0.5 s on 2 workers: a healthy task never gets
    // near the 1-second limit; the stopped worker's task passes it.
    let child = Command::new(env!("CARGO_BIN_EXE_pool_map"))
        .args(["--workers", "2", "--inputs", "20", "--time-scale", "0.1"])
        .args(["--task-timeout", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pool_map starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    let workers = loop {
        let workers = children_of(child.id());
        if workers.len() == 2 || Instant::now() > deadline {
            break workers;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(workers.len(), 2, "both workers started");
    // SAFETY: kill(2) on a child of the process we started.
    unsafe { libc::kill(workers[0] as i32, libc::SIGSTOP) };

    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    let output = match receiver.recv_timeout(Duration::from_secs(30)) {
        Ok(output) => output.expect("pool_map runs"),
        Err(_) => {
            // SAFETY: as above; a stopped worker still dies of SIGKILL.
            unsafe { libc::kill(workers[0] as i32, libc::SIGKILL) };
            panic!("the run hung on a stopped worker");
        }
    };
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
        !std::path::Path::new(&format!("/proc/{}", workers[0])).exists()
            || std::fs::read_to_string(format!("/proc/{}/stat", workers[0]))
                .is_ok_and(|stat| stat.contains(") Z")),
        "the stopped worker was killed"
    );
}
