//! The real binary (it must be: the pool re-runs it as its workers) against
//! an in-process site: how many requests the workers keep in flight, which
//! processes read the pages, and what a run with failures prints and exits.

use std::collections::BTreeSet;

use support::testkit::{
    check_bad_url_lists, check_failed_downloads, closed_port, local_site, run_example, temp_path,
};

const BIN: &str = env!("CARGO_BIN_EXE_download_processes");

/// The `(worker N, pid P)` of every `Read` line.
fn readers(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter(|line| line.starts_with("Read "))
        .map(|line| {
            let tail = line
                .rsplit_once(" (worker ")
                .expect("a Read line names its worker")
                .1;
            let (worker, pid) = tail.trim_end_matches(')').split_once(", pid ").unwrap();
            (worker.to_string(), pid.to_string())
        })
        .collect()
}

#[test]
fn two_workers_keep_two_requests_in_flight_from_two_other_processes() {
    let site = local_site(100, 0.0);
    let run = run_example(
        BIN,
        &["--site", site.url(), "--workers", "2", "--repeat", "5"],
    );
    let stdout = &run.stdout;
    assert_eq!(run.code, Some(0), "{stdout}");
    let report = run.report.expect("a report line");

    assert_eq!(site.stats().max_in_flight, 2, "one request per worker");
    assert_eq!(report.extra["max_in_flight"], 2);
    assert_eq!(report.extra["workers"], 2);
    assert_eq!((report.items, report.errors), (10, 0));
    assert!(stdout.contains("Started 2 worker processes"));
    assert!(stdout.contains("Downloaded 10 in "));

    let readers = readers(stdout);
    assert_eq!(readers.len(), 10);
    let workers: BTreeSet<&str> = readers.iter().map(|(w, _)| w.as_str()).collect();
    let pids: BTreeSet<&str> = readers.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(
        workers,
        BTreeSet::from(["0", "1"]),
        "both workers read pages"
    );
    assert_eq!(pids.len(), 2, "two worker processes");
    assert!(
        !pids.contains(run.pid.to_string().as_str()),
        "the parent reads nothing"
    );
}

#[test]
fn ten_percent_errors_are_reported_counted_and_exit_1() {
    let site = local_site(1, 0.1);
    let run = run_example(
        BIN,
        &["--site", site.url(), "--workers", "2", "--repeat", "80"],
    );
    // Lines, record and site agree: see check_failed_downloads.
    check_failed_downloads(&run, &site, 160);
    let stdout = &run.stdout;
    assert!(
        stdout
            .lines()
            .filter(|l| l.starts_with("Failed "))
            .all(|line| line.ends_with(": HTTP 500"))
    );
    // Every Read line names the worker that read the page.
    assert_eq!(
        readers(stdout).len(),
        stdout.lines().filter(|l| l.starts_with("Read ")).count()
    );
}

#[test]
fn a_url_list_with_a_dead_port_fails_those_pages_only() {
    let site = local_site(1, 0.0);
    let closed_port = closed_port();
    let list = temp_path("urls.txt");
    let base = site.url();
    std::fs::write(
        &list,
        format!(
            "# two good pages, one refused, one reset\n{base}/sites/dice\n\n\
             http://127.0.0.1:{closed_port}/sites/dice\n{base}/sites/dice?reset=1\n{base}/sites/jython\n"
        ),
    )
    .unwrap();
    let run = run_example(
        BIN,
        &[
            "--site",
            base,
            "--urls",
            list.to_str().unwrap(),
            "--workers",
            "2",
        ],
    );
    std::fs::remove_file(&list).ok();
    let stdout = &run.stdout;
    assert_eq!(run.code, Some(1), "{stdout}");
    let report = run.report.expect("a report line");
    assert_eq!((report.items, report.errors), (2, 2));
    assert!(stdout.contains(&format!(
        "Failed http://127.0.0.1:{closed_port}/sites/dice: "
    )));
    assert!(stdout.contains(&format!("Failed {base}/sites/dice?reset=1: ")));
}

#[test]
fn a_missing_or_empty_url_list_is_a_clear_error_with_exit_2() {
    // Refused before any worker process is started.
    check_bad_url_lists(BIN);
}

#[cfg(target_os = "linux")]
#[test]
fn a_stopped_worker_fails_one_page_after_the_task_timeout_and_the_run_goes_on() {
    // 10 pages of 300 ms on 2 workers; a healthy page never gets near the
    // 1-second limit, the page held by the stopped worker passes it.
    let (output, _stopped) = support::testkit::run_with_one_worker_stopped(
        BIN,
        &[
            "--workers",
            "2",
            "--repeat",
            "5",
            "--latency-ms",
            "300",
            "--jitter-ms",
            "0",
            "--task-timeout",
            "1",
        ],
        2,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "one page failed\n{stdout}");
    let failed: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("Failed "))
        .collect();
    assert_eq!(failed.len(), 1, "{stdout}");
    assert!(failed[0].contains("timed out"), "{stdout}");
    let read = stdout.lines().filter(|l| l.starts_with("Read ")).count();
    assert_eq!(read, 9, "every other page was read\n{stdout}");
}
