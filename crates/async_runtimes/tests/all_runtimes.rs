//! Through the real binary: every runtime runs in its own child process and
//! all four report every task completed, in the run_all record (not parsed
//! out of the table) and in the table itself.

use std::process::Command;

#[test]
fn all_four_runtimes_complete_every_task() {
    let dir = std::env::temp_dir().join(format!("async_runtimes-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the temp dir is writable");
    let record = dir.join("report.jsonl");
    let _ = std::fs::remove_file(&record);
    let out = Command::new(env!("CARGO_BIN_EXE_async_runtimes"))
        .args(["--tasks", "200", "--sleep-ms", "10", "--seconds", "0.01"])
        .env(support::report::REPORT_ENV, &record)
        .output()
        .expect("the async_runtimes binary was built by cargo for this test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "status {:?}\n{stdout}", out.status);

    let reports = support::report::read_reports(&record).expect("the parent wrote one record");
    assert_eq!(reports.len(), 1, "children must not write records");
    let report = &reports[0];
    assert_eq!((report.items, report.errors), (800, 0));
    for key in [
        "tokio_current_thread",
        "tokio_multi_thread",
        "async_std",
        "smol",
    ] {
        assert_eq!(report.extra[&format!("{key}_completed")], 200, "{key}");
        assert!(
            report.extra[&format!("{key}_peak_rss_kib")]
                .as_u64()
                .is_some_and(|kib| kib > 0)
        );
    }

    // One table row per runtime, each with 200/200, and the count() demo ran
    // on each: three Ones before any Two, four times.
    for label in [
        "tokio current-thread",
        "tokio multi-thread",
        "async-std (discontinued)",
        "smol",
    ] {
        let row = stdout
            .lines()
            .find(|line| line.starts_with(label) && line.contains('/'));
        assert!(
            row.is_some_and(|row| row.contains("200/200")),
            "{label} row in\n{stdout}"
        );
    }
    let demo: Vec<&str> = stdout
        .lines()
        .map(str::trim)
        .filter(|l| *l == "One" || *l == "Two")
        .collect();
    assert_eq!(demo, ["One", "One", "One", "Two", "Two", "Two"].repeat(4));
    assert!(stdout.contains("discontinued upstream"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_flag_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_async_runtimes"))
        .args(["--tasks", "0"])
        .output()
        .expect("the async_runtimes binary was built by cargo for this test");
    assert_eq!(out.status.code(), Some(2));
}
