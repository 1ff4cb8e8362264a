//! Run the real `processes_basic` binary and check, from its output, that two
//! other processes did the printing.

use std::collections::BTreeMap;
use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_processes_basic");

fn run(args: &[&str], report: Option<&std::path::Path>) -> Output {
    let mut command = Command::new(BINARY);
    command.args(args).env_remove("RUN_ALL_REPORT");
    if let Some(path) = report {
        command.env("RUN_ALL_REPORT", path);
    }
    command.output().expect("the example binary starts")
}

/// The pid in `parent process <pid> starts two children`.
fn parent_pid(stdout: &str) -> u32 {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("parent process "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|pid| pid.parse().ok())
        .expect("the parent prints its own pid")
}

/// Every `process <pid>: <number>` line, grouped by pid, in printed order.
fn numbers_by_pid(stdout: &str) -> BTreeMap<u32, Vec<u32>> {
    let mut by_pid: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("process ") else {
            continue;
        };
        let Some((pid, number)) = rest.split_once(": ") else {
            continue;
        };
        // Skips the parent's `process <pid> finished: ...` lines.
        let (Ok(pid), Ok(number)) = (pid.parse(), number.parse()) else {
            continue;
        };
        by_pid.entry(pid).or_default().push(number);
    }
    by_pid
}

#[test]
fn two_other_processes_each_print_the_whole_sequence() {
    let output = run(&["--count", "4", "--seconds", "0.01"], None);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");

    let parent = parent_pid(&stdout);
    let by_pid = numbers_by_pid(&stdout);
    assert_eq!(by_pid.len(), 2, "expected two printing pids:\n{stdout}");
    for (pid, numbers) in &by_pid {
        assert_ne!(*pid, parent, "the parent printed numbers itself:\n{stdout}");
        assert_eq!(
            numbers,
            &[0, 1, 2, 3],
            "process {pid} skipped a number:\n{stdout}"
        );
        // The parent waited for this child and says how it ended.
        assert!(
            stdout.contains(&format!("process {pid} finished: exit status: 0")),
            "no exit status for {pid}:\n{stdout}"
        );
    }
    assert!(
        stdout.trim_end().ends_with("seconds"),
        "no closing line:\n{stdout}"
    );
}

#[test]
fn the_two_children_print_at_the_same_time() {
    // One child after the other, the second would print nothing until the
    // first had printed its last number, 0.8 s of sleeps later.
    let output = run(&["--count", "5", "--seconds", "0.2"], None);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    let lines: Vec<&str> = stdout.lines().collect();
    let pids: Vec<u32> = numbers_by_pid(&stdout).into_keys().collect();
    assert_eq!(pids.len(), 2, "{stdout}");
    let first = |pid: u32| lines.iter().position(|l| *l == format!("process {pid}: 0"));
    let last = |pid: u32| lines.iter().position(|l| *l == format!("process {pid}: 4"));
    for (a, b) in [(pids[0], pids[1]), (pids[1], pids[0])] {
        assert!(first(a) < last(b), "{a} started after {b} ended:\n{stdout}");
    }
}

#[test]
fn only_the_parent_writes_the_report_line() {
    let dir = std::env::temp_dir().join(format!("processes_basic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    let report = dir.join("r.jsonl");
    let _ = std::fs::remove_file(&report);

    let output = run(&["--count", "2", "--seconds", "0"], Some(&report));
    assert!(output.status.success(), "{output:?}");

    let records = support::report::read_reports(&report).expect("the report file is JSON lines");
    assert_eq!(records.len(), 1, "children must not append report lines");
    assert_eq!(records[0].example, "processes_basic");
    assert_eq!(records[0].items, 2);
    assert_eq!(records[0].errors, 0);
    std::fs::remove_dir_all(&dir).expect("temp dir can be removed");
}

#[test]
fn the_worker_flag_is_hidden_and_bad_flags_exit_2() {
    let help = run(&["--help"], None);
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--seconds") && !help.contains("--worker"),
        "{help}"
    );

    for bad in [
        &["--seconds", "-1"][..],
        &["--seconds=1e9"],
        &["--count", "0"],
        &["--count", "x"],
    ] {
        let output = run(bad, None);
        assert_eq!(output.status.code(), Some(2), "{bad:?}: {output:?}");
    }
}
