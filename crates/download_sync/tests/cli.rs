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
