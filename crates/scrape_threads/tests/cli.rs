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
