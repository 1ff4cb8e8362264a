//! Test plumbing shared by the examples' tests: a local site with fixed
//! knobs, and a way to run an example's real binary and read back what it
//! printed, its exit code and its report record.
//!
//! It is only used from tests, but it is small and has no dependency of its
//! own, so it lives in the library without a feature flag.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::report::{REPORT_ENV, Report, read_reports};

/// The local site with a fixed latency (no jitter), an error rate, and a
/// small link graph (these tests never crawl, so it starts fast).
pub fn local_site(latency_ms: u64, error_rate: f64) -> site::SiteHandle {
    site::spawn(site::Config {
        latency_ms,
        jitter_ms: 0,
        error_rate,
        pages: 50,
        ..site::Config::default()
    })
    .expect("the local site starts on a free loopback port")
}

/// `count` of the site's stand-in domains: `/domains/1`, `/domains/2`, ...
pub fn domain_urls(site: &site::SiteHandle, count: usize) -> Vec<String> {
    (1..=count)
        .map(|i| format!("{}/domains/{i}", site.url()))
        .collect()
}

/// A loopback port that was free a moment ago: nothing listens there now,
/// so a request to it is refused.
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("the OS hands out a free loopback port")
        .port()
}

/// Six URLs that go wrong in six ways, in this order: a refused
/// connection, a malformed URL, a connection reset mid-answer, a 500, a good
/// page (the run must go on after the failures), and a page slower than a
/// 1-second timeout.
pub fn troublesome_urls(site: &site::SiteHandle) -> Vec<String> {
    let base = site.url();
    vec![
        format!("http://127.0.0.1:{}/sites/dice", closed_port()),
        "http://[::1/not-a-url".to_string(),
        format!("{base}/sites/dice?reset=1"),
        format!("{base}/sites/dice?fail=1"),
        format!("{base}/sites/dice"),
        format!("{base}/sites/dice?latency_ms=5000"),
    ]
}

/// Check a run's outcomes against what the site served, for a site with an
/// error rate and no other fault: every outcome is a page the site answered
/// 200 or a failure it answered 500 (`HTTP 500`), and some failed.
pub fn check_outcomes_match_site<T: std::fmt::Debug>(
    outcomes: &[Result<T, String>],
    site: &site::SiteHandle,
) {
    let failed = outcomes.iter().filter(|o| o.is_err()).count() as u64;
    let read = outcomes.iter().filter(|o| o.is_ok()).count() as u64;
    let stats = site.stats();
    assert!(
        failed > 0,
        "the error rate failed no page of {}",
        outcomes.len()
    );
    assert_eq!(failed, stats.by_status.get(&500).copied().unwrap_or(0));
    assert_eq!(read, stats.by_status.get(&200).copied().unwrap_or(0));
    assert!(
        outcomes
            .iter()
            .flat_map(|o| o.as_ref().err())
            .all(|reason| reason == "HTTP 500"),
        "{outcomes:?}"
    );
}

/// Check what a `download_*` run with failed pages printed and recorded,
/// against what the site served: exit 1, one `Read` line per page read, one
/// `Failed` line per 500, the failures summary and the closing line. Returns
/// the report for the example's own checks.
pub fn check_failed_downloads(run: &ExampleRun, site: &site::SiteHandle, urls: u64) -> Report {
    let stdout = &run.stdout;
    assert_eq!(run.code, Some(1), "partial failure exits 1\n{stdout}");
    let served_500 = site.stats().by_status.get(&500).copied().unwrap_or(0);
    let report = run.report.clone().expect("one report line");
    assert!(served_500 > 0, "the error rate failed no page of {urls}");
    assert_eq!(report.items + report.errors, urls);
    assert_eq!(report.errors, served_500);

    let read_lines = stdout.lines().filter(|l| l.starts_with("Read ")).count() as u64;
    let failed_lines = stdout.lines().filter(|l| l.starts_with("Failed ")).count() as u64;
    assert_eq!(read_lines, report.items);
    assert_eq!(failed_lines, report.errors);
    assert!(stdout.contains(&format!("{served_500} of {urls} downloads failed")));
    assert!(stdout.contains(&format!("Downloaded {} in ", report.items)));
    report
}

/// Check what a `scrape_*` run with failed pages printed and recorded,
/// against what the site served: exit 1, one failure per 500 served, the
/// other pages read, one `Failed` line per failure. Returns the report.
pub fn check_failed_scrape(run: &ExampleRun, site: &site::SiteHandle, urls: u64) -> Report {
    let served_500 = site.stats().by_status.get(&500).copied().unwrap_or(0);
    assert!(served_500 > 0, "the error rate failed no page of {urls}");
    assert_eq!(run.code, Some(1), "partial failure exits 1\n{}", run.stdout);
    let report = run.report.clone().expect("one report line");
    assert_eq!(report.errors, served_500);
    assert_eq!(report.items, urls - served_500);
    assert_eq!(run.stdout.matches("Failed ").count() as u64, served_500);
    report
}

/// Check that the example `bin` refuses a missing and an empty `--urls`
/// file before doing anything: exit 2 (bad arguments), a message that says
/// what is wrong, nothing on stdout, no report record.
pub fn check_bad_url_lists(bin: &str) {
    let missing = temp_path("missing.txt");
    let run = run_example(bin, &["--urls", &missing.to_string_lossy()]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot read the URL list"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "nothing was fetched: {}", run.stdout);
    assert!(run.report.is_none(), "no run, no record");

    let empty = temp_path("empty.txt");
    std::fs::write(&empty, "# only a comment\n\n").expect("the temp folder is writable");
    let run = run_example(bin, &["--urls", &empty.to_string_lossy()]);
    let _ = std::fs::remove_file(&empty);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("has no URLs"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing was fetched: {}", run.stdout);
    assert!(run.report.is_none(), "no run, no record");
}

/// The first printed list of numbers, e.g. the line `[0, 1, 4]` -> `[0, 1, 4]`.
pub fn printed_list(stdout: &str) -> Vec<u64> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with('['))
        .unwrap_or_else(|| panic!("a result line in:\n{stdout}"));
    line.trim_matches(['[', ']'])
        .split(", ")
        .map(|n| n.parse().expect("a number"))
        .collect()
}

/// A path in the temp folder no other test (in this process or another) uses.
pub fn temp_path(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("testkit-{}-{n}-{name}", std::process::id()))
}

/// What one run of an example's binary gave.
#[derive(Debug)]
pub struct ExampleRun {
    /// The exit code (`None` if a signal ended it).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The record it appended to `RUN_ALL_REPORT`, if it wrote one.
    pub report: Option<Report>,
    /// The example's own process id (its pool workers have others).
    pub pid: u32,
}

/// Run the binary `bin` (pass `env!("CARGO_BIN_EXE_<name>")`) with `args`,
/// `RUN_ALL_REPORT` pointing at a fresh temp file, and no stdin; wait for it
/// (at most 10 minutes) and read back its output and report record.
pub fn run_example(bin: &str, args: &[&str]) -> ExampleRun {
    run_example_within(bin, args, Duration::from_secs(600))
}

/// [`run_example`], killing the binary if it has not ended within `limit`
/// (a hung example then fails its test instead of hanging it): the run
/// comes back with `code: None`.
pub fn run_example_within(bin: &str, args: &[&str], limit: Duration) -> ExampleRun {
    let report_path = temp_path("report.jsonl");
    let mut child = Command::new(bin)
        .args(args)
        .env(REPORT_ENV, &report_path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("the example binary {bin} starts: {err}"));
    let pid = child.id();
    // Read both pipes on their own threads, so a chatty child never blocks
    // on a full pipe while we wait for it to end.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Err(err) => panic!("waiting for the example binary {bin}: {err}"),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let reports = read_reports(&report_path).ok();
    let _ = std::fs::remove_file(&report_path);
    if let Some(reports) = &reports {
        assert!(reports.len() <= 1, "one run writes one record: {reports:?}");
    }
    ExampleRun {
        code: status.and_then(|status| status.code()),
        stdout,
        stderr,
        report: reports.and_then(|reports| reports.into_iter().next()),
        pid,
    }
}
