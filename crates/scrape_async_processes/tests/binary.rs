//! Runs the real binary: under `cargo test` the current executable is the
//! test harness, so the pool's workers must come from the example itself.

use std::collections::{BTreeMap, BTreeSet};

use support::report::Report;
use support::testkit::{check_failed_scrape, local_site, run_example};

const BIN: &str = env!("CARGO_BIN_EXE_scrape_async_processes");

/// Run the scraper against `site`, quietly; returns (exit code, stdout, report record).
fn scrape(site: &site::SiteHandle, extra: &[&str]) -> (Option<i32>, String, Report) {
    let mut args = vec!["--site", site.url(), "--quiet"];
    args.extend_from_slice(extra);
    let run = run_example(BIN, &args);
    let report = run.report.expect("the example wrote its report");
    (run.code, run.stdout, report)
}

#[test]
fn one_result_per_url_and_a_whole_chunk_in_flight() {
    // One worker scraping one chunk of 8: all 8 requests wait together.
    let site = local_site(300, 0.0);
    let (code, stdout, record) = scrape(
        &site,
        &["--count", "8", "--workers", "1", "--per-process", "8"],
    );
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(record.items, 8);
    assert_eq!(site.stats().requests, 8);
    assert_eq!(site.stats().max_in_flight, 8);
}

#[test]
fn two_workers_scrape_two_chunks_at_once() {
    let site = local_site(300, 0.0);
    let (code, _, record) = scrape(
        &site,
        &["--count", "12", "--workers", "2", "--per-process", "6"],
    );
    assert_eq!(code, Some(0));
    assert_eq!(record.items, 12);
    assert_eq!(site.stats().max_in_flight, 12);
}

#[test]
fn two_workers_are_two_other_processes_each_with_a_whole_chunk_in_flight() {
    // 2 chunks of 4 pages of 300 ms: each worker has its 4 out at once.
    let site = local_site(300, 0.0);
    let args = [
        "--site",
        site.url(),
        "--count",
        "8",
        "--workers",
        "2",
        "--per-process",
        "4",
    ];
    let run = run_example(BIN, &args);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(site.stats().max_in_flight, 8, "2 workers x 4 URLs");
    // `Read N from URL (worker W, pid P)`: one worker per chunk of 4.
    let mut readers = BTreeMap::<String, (String, usize)>::new();
    for line in run.stdout.lines().filter(|line| line.starts_with("Read ")) {
        let tail = line
            .rsplit_once(" (worker ")
            .expect("a Read line names its worker")
            .1;
        let (worker, pid) = tail
            .trim_end_matches(')')
            .split_once(", pid ")
            .expect("and its pid");
        readers
            .entry(pid.to_string())
            .or_insert((worker.to_string(), 0))
            .1 += 1;
    }
    assert_eq!(readers.len(), 2, "two worker processes: {readers:?}");
    assert!(
        readers.values().all(|(_, pages)| *pages == 4),
        "{readers:?}"
    );
    let workers: BTreeSet<&str> = readers.values().map(|(w, _)| w.as_str()).collect();
    assert_eq!(workers, BTreeSet::from(["0", "1"]));
    assert!(
        !readers.contains_key(&run.pid.to_string()),
        "the parent reads nothing"
    );
}

#[test]
fn the_article_version_runs_one_chunk_at_a_time() {
    let site = local_site(50, 0.0);
    let (code, _, record) = scrape(
        &site,
        &[
            "--count",
            "8",
            "--workers",
            "2",
            "--per-process",
            "1",
            "--as-in-article",
        ],
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
