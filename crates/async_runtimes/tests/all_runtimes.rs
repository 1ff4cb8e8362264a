//! Through the real binary: every runtime runs its count() tasks in a child
//! process of its own, and each had all of them waiting at once: in its
//! block of output, every task's "One" comes before any task's "Two" (one
//! after another they would alternate). The figures come from the run_all
//! record, not from the table.

use std::time::Duration;

use support::testkit::run_example_within;

const BIN: &str = env!("CARGO_BIN_EXE_async_runtimes");

const RUNTIMES: [(&str, &str); 4] = [
    ("tokio current-thread", "tokio_current_thread"),
    ("tokio multi-thread", "tokio_multi_thread"),
    ("async-std (discontinued)", "async_std"),
    ("smol", "smol"),
];

/// The lines printed under `== label ==`, up to the next heading or the table.
fn block<'a>(stdout: &'a str, label: &str) -> Vec<&'a str> {
    let heading = format!("== {label} ==");
    stdout
        .lines()
        .skip_while(|line| *line != heading)
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .map(str::trim)
        .collect()
}

#[test]
fn every_runtime_has_all_its_tasks_waiting_at_once() {
    // The half-second sleep is only room for 50 tasks to print "One" (a
    // matter of microseconds); the test reads the order, never the clock.
    let tasks = 50;
    let run = run_example_within(
        BIN,
        &["--tasks", "50", "--seconds", "0.5"],
        Duration::from_secs(120),
    );
    assert_eq!(run.code, Some(0), "{run:?}");

    for (label, _) in RUNTIMES {
        let lines = block(&run.stdout, label);
        let ones: Vec<usize> = (0..lines.len()).filter(|&i| lines[i] == "One").collect();
        let twos: Vec<usize> = (0..lines.len()).filter(|&i| lines[i] == "Two").collect();
        assert_eq!(
            (ones.len(), twos.len()),
            (tasks, tasks),
            "{label}: {lines:?}"
        );
        assert!(
            ones.last() < twos.first(),
            "{label}: a task said Two before every task had said One: {lines:?}"
        );
        assert!(
            lines
                .last()
                .is_some_and(|line| line.starts_with("executed in ")),
            "{label}: {lines:?}"
        );
        let row = run
            .stdout
            .lines()
            .find(|line| line.starts_with(label) && line.contains('/'));
        assert!(
            row.is_some_and(|row| row.contains(" 50/50 ")),
            "{label} row in\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("discontinued upstream"));

    let report = run
        .report
        .expect("the parent writes one record (the children none)");
    assert_eq!((report.items, report.errors), (4 * 50, 0));
    assert_eq!(report.extra["tasks"], 50);
    assert!(
        report.extra["baseline_peak_rss_kib"]
            .as_u64()
            .is_some_and(|kib| kib > 0)
    );
    for (_, key) in RUNTIMES {
        assert_eq!(report.extra[&format!("{key}_completed")], 50, "{key}");
        assert!(
            report.extra[&format!("{key}_tasks_seconds")]
                .as_f64()
                .is_some(),
            "{key}"
        );
        let peak = report.extra[&format!("{key}_peak_rss_kib")].as_u64();
        assert!(peak.is_some_and(|kib| kib > 0), "{key}");
    }
}

#[test]
fn one_runtime_alone_runs_in_one_child() {
    let run = run_example_within(
        BIN,
        &["--runtimes", "smol", "--tasks", "3", "--seconds", "0.01"],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout.matches("== ").count(), 1, "{}", run.stdout);
    assert_eq!(
        block(&run.stdout, "smol")[..6],
        ["One", "One", "One", "Two", "Two", "Two"]
    );
    let report = run.report.expect("one record");
    assert_eq!((report.items, report.errors), (3, 0));
}

#[test]
fn bad_flags_exit_2_and_version_answers() {
    for args in [
        &["--tasks", "0"][..],
        &["--seconds", "0"],
        &["--runtimes", "trio"],
    ] {
        let run = run_example_within(BIN, args, Duration::from_secs(30));
        assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
    }
    let run = run_example_within(BIN, &["--version"], Duration::from_secs(30));
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.starts_with("async_runtimes "), "{}", run.stdout);
}
