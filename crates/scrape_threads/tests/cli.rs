//! The real binary: bad URLs are refused before anything is contacted.

use support::testkit::check_refused_urls;

/// One page, a 1-second timeout: a broken check fails fast.
const SMALL: &[&str] = &["--count", "1", "--timeout", "1"];

const BIN: &str = env!("CARGO_BIN_EXE_scrape_threads");

#[test]
fn a_url_that_does_not_parse_exactly_exits_2_and_contacts_nothing() {
    check_refused_urls(BIN, "--site", SMALL);
    check_refused_urls(BIN, "--urls", SMALL);
}

#[cfg(unix)]
#[test]
fn a_task_limit_is_a_clear_error_not_a_panic() {
    use support::testkit::{check_refused_spawn, local_site, run_example_with_task_limit};
    let site = local_site(0, 0.0);
    // 200 threads, 12 tasks allowed: the system refuses a thread part-way.
    let run = run_example_with_task_limit(
        BIN,
        &["--site", site.url(), "--count", "20", "--workers", "200"],
        12,
    );
    check_refused_spawn(&run, " threads of this process were running): ");
    assert!(
        run.stderr.contains("error: could not start a thread ("),
        "{}",
        run.stderr
    );
}

#[test]
fn four_workers_keep_exactly_four_requests_in_flight() {
    use support::testkit::{local_site, run_example};
    // 16 pages of 200 ms on 4 threads: all 4 wait at the site together,
    // never a fifth.
    let site = local_site(200, 0.0);
    let args = [
        "--site",
        site.url(),
        "--count",
        "16",
        "--workers",
        "4",
        "--quiet",
    ];
    let run = run_example(BIN, &args);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let report = run.report.expect("a report record");
    assert_eq!((report.items, report.errors), (16, 0));
    assert_eq!(report.extra["workers"], 4);
    assert_eq!(site.stats().max_in_flight, 4, "one request per thread");
    assert_eq!(report.extra["max_in_flight"], 4);
    assert!(
        run.stdout
            .contains("with 4 threads, 0 failed; most requests in flight at once: 4")
    );
}
