//! The real binary against an in-process site: exit status, printed lines and
//! the report record when some pages fail, and bad `--urls` files.

use support::testkit::{check_bad_url_lists, check_failed_downloads, local_site, run_example};

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
