//! The real binary against an in-process site: exit status, printed lines and
//! the report record when some pages fail, bad `--urls` files and bad URLs.

use support::testkit::{
    check_bad_url_lists, check_failed_downloads, check_refused_urls, local_site, run_example,
};

/// One page, a 1-second timeout: a broken check fails fast.
const SMALL: &[&str] = &["--repeat", "1", "--timeout", "1"];

const BIN: &str = env!("CARGO_BIN_EXE_download_sync");

#[test]
fn ten_percent_errors_are_reported_counted_and_exit_1() {
    let site = local_site(1, 0.1);
    let run = run_example(BIN, &["--site", site.url(), "--repeat", "80"]);
    // Lines, record and site agree: see check_failed_downloads.
    let report = check_failed_downloads(&run, &site, 160);
    assert_eq!(report.extra["max_in_flight"], 1);
}

#[test]
fn a_missing_or_empty_url_list_is_a_clear_error_with_exit_2() {
    check_bad_url_lists(BIN);
}

#[test]
fn a_url_that_does_not_parse_exactly_exits_2_and_contacts_nothing() {
    check_refused_urls(BIN, "--site", SMALL);
    check_refused_urls(BIN, "--urls", SMALL);
}

#[test]
fn a_very_long_site_value_is_shortened_in_failure_lines() {
    // Nothing listens there: every page fails at once, with the URL.
    let site = format!(
        "http://127.0.0.1:{}/{}",
        support::testkit::closed_port(),
        "a".repeat(60_000)
    );
    let run = run_example(BIN, &["--site", &site, "--repeat", "2", "--timeout", "1"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let failed: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("Failed "))
        .collect();
    assert_eq!(
        failed.len(),
        4,
        "{}",
        &run.stdout[..run.stdout.len().min(2000)]
    );
    for line in failed {
        assert!(line.len() < 500, "a failure line of {} bytes", line.len());
        // `/sites/jython` or `/sites/dice` is appended: 60,036 or 60,034.
        assert!(line.contains(" characters): io: "), "{line}");
    }
    assert!(
        run.stdout.len() < 5_000,
        "{} bytes printed",
        run.stdout.len()
    );
    // The record counts the pages; it never held a shortened URL.
    assert_eq!(run.report.expect("a report record").errors, 4);

    // Past what an HTTP request line can hold: refused, in one short line.
    let site = format!("http://127.0.0.1:1/{}", "a".repeat(100_000));
    let run = run_example(BIN, &["--site", &site]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.len() < 500,
        "{} bytes of error",
        run.stderr.len()
    );
    assert!(run.stderr.contains("(100019 characters)"), "{}", run.stderr);
}
