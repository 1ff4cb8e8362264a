//! `crawl_pool --processes` through its real binary: the worker processes
//! are copies of that binary, so a unit test (whose executable is the test
//! harness) cannot start them.

use std::process::Command;

use support::crawl::testing::{OffOriginSite, site_of_linked_pages};
use support::report::read_reports;

/// Run the binary against `site` and return its report record and exit status.
fn run_crawl_pool(site: &site::SiteHandle, extra: &[&str]) -> (support::Report, i32) {
    let dir = std::env::temp_dir().join(format!(
        "crawl-pool-test-{}-{}",
        std::process::id(),
        extra.join("_").replace(['-', '.'], "")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let report_path = dir.join("report.jsonl");
    let _ = std::fs::remove_file(&report_path);
    let output = Command::new(env!("CARGO_BIN_EXE_crawl_pool"))
        .args(["--site", site.url(), "--processes"])
        .args(extra)
        .env("RUN_ALL_REPORT", &report_path)
        .output()
        .expect("the crawl_pool binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut reports = read_reports(&report_path)
        .unwrap_or_else(|e| panic!("no report ({e}); stdout:\n{stdout}\nstderr:\n{stderr}"));
    assert_eq!(reports.len(), 1, "one record per run");
    let _ = std::fs::remove_dir_all(&dir);
    (reports.remove(0), output.status.code().unwrap_or(-1))
}

#[test]
fn processes_reach_the_cap_on_requests_in_flight_and_never_exceed_it() {
    // 20 ms per answer: the 4 workers of a batch meet at the site.
    let site = site_of_linked_pages(300, 20, 0.0);
    let (report, status) = run_crawl_pool(&site, &["--max-urls", "100", "--workers", "4"]);
    assert_eq!(status, 0);
    assert_eq!(report.extra["workers"], "processes");
    assert_eq!(site.stats().max_in_flight, 4, "the site's max in flight");
    assert_eq!(report.extra["max_in_flight"], 4, "the report says the same");
}

#[test]
fn processes_find_every_reachable_page_within_the_pool_size() {
    let site = site_of_linked_pages(300, 0, 0.0);
    let graph = site::graph_info(300, site::Config::default().seed);
    let (report, status) = run_crawl_pool(&site, &["--max-urls", "10000", "--workers", "4"]);
    assert_eq!(status, 0);
    assert_eq!(report.extra["workers"], "processes");
    assert_eq!(report.extra["urls_found"], graph.reachable as u64);
    assert_eq!(report.items, graph.reachable as u64);
    assert_eq!(report.errors, 0);
    let stats = site.stats();
    assert_eq!(
        stats.requests, graph.reachable as u64,
        "each page fetched once"
    );
    assert!(
        stats.max_in_flight <= 4,
        "max in flight {} > 4 workers",
        stats.max_in_flight
    );
}

#[test]
fn processes_stop_at_max_urls_and_count_failures() {
    let site = site_of_linked_pages(300, 0, 0.05);
    let (report, status) = run_crawl_pool(&site, &["--max-urls", "10000"]);
    let stats = site.stats();
    assert_eq!(report.items + report.errors, stats.requests);
    assert_eq!(
        report.errors,
        stats.by_status.get(&500).copied().unwrap_or(0)
    );
    assert_eq!(status, if report.errors > 0 { 1 } else { 0 });

    let site = site_of_linked_pages(300, 0, 0.0);
    let (report, status) = run_crawl_pool(&site, &["--max-urls", "40"]);
    assert_eq!(status, 0);
    assert_eq!(report.extra["urls_found"], 40);
    assert_eq!(site.stats().requests, report.items);
}

#[test]
fn processes_never_request_another_origin() {
    let fixture = OffOriginSite::start();
    let start = fixture.start_url().to_string();
    let (report, status) = run_crawl_pool(&fixture.site, &["--start", &start, "--workers", "3"]);
    assert_eq!(status, 0);
    assert_eq!(
        fixture.other.stats().requests,
        0,
        "the other site was contacted"
    );
    assert_eq!(report.extra["urls_found"], fixture.own_pages() as u64);
    assert_eq!(report.items, fixture.own_pages() as u64);
}
