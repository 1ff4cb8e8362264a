//! The real binary against an in-process site: `--limit N` caps the
//! requests in flight at N, as the site's own count shows.

use support::testkit::{local_site, run_example};

const BIN: &str = env!("CARGO_BIN_EXE_scrape_async");

/// Scrape 30 pages of 300 ms (long enough for every request allowed out to
/// be out together) and return the site's most requests in flight at once
/// and the record's copy of it.
fn max_in_flight(extra: &[&str]) -> (u64, Option<u64>) {
    let site = local_site(300, 0.0);
    let args = [&["--site", site.url(), "--count", "30", "--quiet"], extra].concat();
    let run = run_example(BIN, &args);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let report = run.report.expect("a report record");
    assert_eq!((report.items, report.errors), (30, 0));
    assert_eq!(report.extra["max_in_flight"], site.stats().max_in_flight);
    assert!(
        report.extra.contains_key("limit"),
        "the record says which limit ran"
    );
    (site.stats().max_in_flight, report.extra["limit"].as_u64())
}

#[test]
fn a_limit_of_7_keeps_exactly_7_requests_in_flight() {
    let (most, limit) = max_in_flight(&["--limit", "7"]);
    assert_eq!(most, 7, "the 7 permits, all used, never an 8th");
    assert_eq!(limit, Some(7));
}

#[test]
fn without_a_limit_every_request_is_in_flight_at_once() {
    let (most, limit) = max_in_flight(&[]);
    assert_eq!(most, 30, "more than any --limit below 30");
    assert_eq!(limit, None, "no --limit given");
}

#[test]
fn a_limit_of_0_is_refused_with_exit_2() {
    let run = run_example(BIN, &["--limit", "0"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.report.is_none());
}
