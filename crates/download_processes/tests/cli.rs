//! The real binary (it must be: the pool re-runs it as its workers) against
//! an in-process site: how many requests the workers keep in flight, which
//! processes read the pages, and what a run with failures prints and exits.

use std::collections::BTreeSet;
use std::process::{Command, Output, Stdio};

use support::report::{REPORT_ENV, Report, read_reports};

const BIN: &str = env!("CARGO_BIN_EXE_download_processes");

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("download_processes-{}-{name}", std::process::id()))
}

fn local_site(latency_ms: u64, error_rate: f64) -> site::SiteHandle {
    site::spawn(site::Config {
        latency_ms,
        jitter_ms: 0,
        error_rate,
        ..site::Config::default()
    })
    .expect("the local site starts")
}

/// Run the binary; return its output, its own pid and its report record.
fn run(args: &[&str], name: &str) -> (Output, u32, Option<Report>) {
    let report_path = temp_path(name);
    let _ = std::fs::remove_file(&report_path);
    let child = Command::new(BIN)
        .args(args)
        .env(REPORT_ENV, &report_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example binary starts");
    let pid = child.id();
    let output = child.wait_with_output().expect("the example binary runs");
    let report = read_reports(&report_path)
        .ok()
        .and_then(|r| r.into_iter().next());
    let _ = std::fs::remove_file(&report_path);
    (output, pid, report)
}

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
    let (output, parent_pid, report) = run(
        &["--site", site.url(), "--workers", "2", "--repeat", "5"],
        "in-flight.jsonl",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let report = report.expect("a report line");

    assert_eq!(site.stats().max_in_flight, 2, "one request per worker");
    assert_eq!(report.extra["max_in_flight"], 2);
    assert_eq!(report.extra["workers"], 2);
    assert_eq!((report.items, report.errors), (10, 0));
    assert!(stdout.contains("Started 2 worker processes"));
    assert!(stdout.contains("Downloaded 10 in "));

    let readers = readers(&stdout);
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
        !pids.contains(parent_pid.to_string().as_str()),
        "the parent reads nothing"
    );
}

#[test]
fn ten_percent_errors_are_reported_counted_and_exit_1() {
    let site = local_site(1, 0.1);
    let (output, _, report) = run(
        &["--site", site.url(), "--workers", "2", "--repeat", "80"],
        "errors.jsonl",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "partial failure exits 1\n{stdout}"
    );

    let stats = site.stats();
    let served_500 = stats.by_status.get(&500).copied().unwrap_or(0);
    let report = report.expect("a report line");
    assert!(served_500 > 0, "a 10% error rate over 160 pages fails some");
    assert_eq!(report.items + report.errors, 160);
    assert_eq!(report.errors, served_500);

    let failed_lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("Failed "))
        .collect();
    assert_eq!(readers(&stdout).len() as u64, report.items);
    assert_eq!(failed_lines.len() as u64, report.errors);
    assert!(failed_lines.iter().all(|line| line.ends_with(": HTTP 500")));
    assert!(stdout.contains(&format!("{served_500} of 160 downloads failed")));
    assert!(stdout.contains(&format!("Downloaded {} in ", report.items)));
}

#[test]
fn a_url_list_with_a_dead_port_fails_those_pages_only() {
    let site = local_site(1, 0.0);
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("the OS hands out a free loopback port")
        .port();
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
    let (output, _, report) = run(
        &[
            "--site",
            base,
            "--urls",
            list.to_str().unwrap(),
            "--workers",
            "2",
        ],
        "list.jsonl",
    );
    std::fs::remove_file(&list).ok();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let report = report.expect("a report line");
    assert_eq!((report.items, report.errors), (2, 2));
    assert!(stdout.contains(&format!(
        "Failed http://127.0.0.1:{closed_port}/sites/dice: "
    )));
    assert!(stdout.contains(&format!("Failed {base}/sites/dice?reset=1: ")));
}

#[test]
fn a_missing_url_list_is_a_clear_error_with_exit_2() {
    let missing = temp_path("missing.txt");
    let output = Command::new(BIN)
        .args(["--urls", missing.to_str().unwrap()])
        .env_remove(REPORT_ENV)
        .output()
        .expect("the example binary runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read the URL list"));
    assert!(
        output.stdout.is_empty(),
        "no pool was started, nothing downloaded"
    );
}
