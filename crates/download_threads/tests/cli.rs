//! The real binary against an in-process site: exit status, printed lines and
//! the report record when some pages fail, and bad `--urls` files.

use support::testkit::{check_bad_url_lists, check_failed_downloads, local_site, run_example};

const BIN: &str = env!("CARGO_BIN_EXE_download_threads");

#[test]
fn ten_percent_errors_are_reported_counted_and_exit_1() {
    let site = local_site(1, 0.1);
    let run = run_example(BIN, &["--site", site.url(), "--repeat", "80"]);
    // Lines, record and site agree: see check_failed_downloads.
    let report = check_failed_downloads(&run, &site, 160);
    assert_eq!(report.extra["workers"], 5);
    let max_in_flight = report.extra["max_in_flight"]
        .as_u64()
        .expect("site stats were read");
    assert!(
        (1..=5).contains(&max_in_flight),
        "never more than one request per thread"
    );
}

#[test]
fn a_missing_or_empty_url_list_is_a_clear_error_with_exit_2() {
    check_bad_url_lists(BIN);
}

#[test]
fn three_workers_keep_exactly_three_requests_in_flight() {
    // 12 pages of 200 ms on 3 threads: every thread is surely waiting on
    // the site at the same moment, and no fourth request is ever out.
    let site = local_site(200, 0.0);
    let args = ["--site", site.url(), "--repeat", "6", "--workers", "3"];
    let run = run_example(BIN, &args);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let report = run.report.expect("a report record");
    assert_eq!((report.items, report.errors), (12, 0));
    assert_eq!(report.extra["workers"], 3);
    assert_eq!(site.stats().max_in_flight, 3, "one request per thread");
    assert_eq!(report.extra["max_in_flight"], 3);
}
