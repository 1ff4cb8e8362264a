//! Runs the real binary: under `cargo test` the current executable is the
//! test harness, so the pool's workers must come from the example itself.

use std::collections::BTreeSet;

use support::report::Report;
use support::testkit::{check_bad_url_lists, check_failed_scrape, local_site, run_example};

const BIN: &str = env!("CARGO_BIN_EXE_scrape_processes");

/// Run the scraper against `site`, quietly; returns (exit code, stdout, report record).
fn scrape(site: &site::SiteHandle, extra: &[&str]) -> (Option<i32>, String, Report) {
    let mut args = vec!["--site", site.url(), "--quiet"];
    args.extend_from_slice(extra);
    let run = run_example(BIN, &args);
    let report = run.report.expect("the example wrote its report");
    (run.code, run.stdout, report)
}

#[test]
fn one_result_per_url_and_the_pool_size_in_flight() {
    let site = local_site(300, 0.0);
    let (code, stdout, record) = scrape(&site, &["--count", "12", "--workers", "3"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(record.items, 12);
    assert_eq!(record.errors, 0);
    assert_eq!(site.stats().requests, 12);
    assert_eq!(site.stats().max_in_flight, 3);
    assert_eq!(record.extra["max_in_flight"], 3);
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
            let (worker, pid) = tail
                .trim_end_matches(')')
                .split_once(", pid ")
                .expect("and its pid");
            (worker.to_string(), pid.to_string())
        })
        .collect()
}

#[test]
fn three_workers_are_three_other_processes() {
    // 12 pages of 300 ms on 3 workers: each worker reads some.
    let site = local_site(300, 0.0);
    let args = ["--site", site.url(), "--count", "12", "--workers", "3"];
    let run = run_example(BIN, &args);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let readers = readers(&run.stdout);
    assert_eq!(readers.len(), 12, "{}", run.stdout);
    let workers: BTreeSet<&str> = readers.iter().map(|(w, _)| w.as_str()).collect();
    let pids: BTreeSet<&str> = readers.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(
        workers,
        BTreeSet::from(["0", "1", "2"]),
        "every worker read pages"
    );
    assert_eq!(pids.len(), 3, "three worker processes: {pids:?}");
    assert!(
        !pids.contains(run.pid.to_string().as_str()),
        "the parent reads nothing"
    );
}

#[test]
fn the_article_version_runs_one_at_a_time() {
    let site = local_site(20, 0.0);
    let (code, _, record) = scrape(
        &site,
        &["--count", "8", "--workers", "3", "--as-in-article"],
    );
    assert_eq!(code, Some(0));
    assert_eq!(record.items, 8);
    assert_eq!(site.stats().max_in_flight, 1);
}

#[test]
fn failures_are_reported_and_the_run_exits_1() {
    let site = local_site(0, 0.1);
    let args = [
        "--site",
        site.url(),
        "--quiet",
        "--count",
        "100",
        "--workers",
        "2",
    ];
    let run = run_example(BIN, &args);
    // Exit 1, and lines, record and site agree: see check_failed_scrape.
    check_failed_scrape(&run, &site, 100);
}

#[test]
fn a_missing_or_empty_url_list_is_a_clear_error_with_exit_2() {
    // Refused before any worker process is started.
    check_bad_url_lists(BIN);
}
