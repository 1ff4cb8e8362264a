//! Runs the real binary: under `cargo test` the current executable is the
//! test harness, so the pool's workers must come from the example itself.

use std::process::Command;

fn local_site(latency_ms: u64, error_rate: f64) -> site::SiteHandle {
    site::spawn(site::Config {
        latency_ms,
        jitter_ms: 0,
        error_rate,
        pages: 50,
        ..site::Config::default()
    })
    .expect("the local site starts on a free loopback port")
}

/// Run the scraper against `site`; returns (exit code, stdout, report record).
fn scrape(site: &site::SiteHandle, extra: &[&str]) -> (i32, String, serde_json::Value) {
    let report = std::env::temp_dir().join(format!(
        "scrape_async_processes-{}-{}.jsonl",
        std::process::id(),
        extra.join("_").replace(['-', ' '], "")
    ));
    let _ = std::fs::remove_file(&report);
    let output = Command::new(env!("CARGO_BIN_EXE_scrape_async_processes"))
        .args(["--site", site.url(), "--quiet"])
        .args(extra)
        .env("RUN_ALL_REPORT", &report)
        .output()
        .expect("the example binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let record = std::fs::read_to_string(&report).expect("the example wrote its report");
    let _ = std::fs::remove_file(&report);
    let record = serde_json::from_str(record.trim()).expect("one JSON line");
    (output.status.code().unwrap_or(-1), stdout, record)
}

#[test]
fn one_result_per_url_and_a_whole_chunk_in_flight() {
    // One worker scraping one chunk of 8: all 8 requests wait together.
    let site = local_site(300, 0.0);
    let (code, stdout, record) = scrape(
        &site,
        &["--count", "8", "--workers", "1", "--per-process", "8"],
    );
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(record["items"], 8);
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
    assert_eq!(code, 0);
    assert_eq!(record["items"], 12);
    assert_eq!(site.stats().max_in_flight, 12);
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
    assert_eq!(code, 0);
    assert_eq!(record["items"], 8);
    assert_eq!(site.stats().max_in_flight, 1);
}

#[test]
fn failures_are_reported_and_the_run_exits_1() {
    let site = local_site(0, 0.1);
    let (code, stdout, record) = scrape(&site, &["--count", "100", "--workers", "2"]);
    let served_errors = site.stats().by_status.get(&500).copied().unwrap_or(0);
    assert!(
        served_errors > 0,
        "a 10% error rate over 100 requests gave no 500"
    );
    assert_eq!(code, 1);
    assert_eq!(record["errors"], served_errors);
    assert_eq!(record["items"].as_u64(), Some(100 - served_errors));
    assert_eq!(stdout.matches("Failed ").count() as u64, served_errors);
}
