//! The real binary: bad URLs are refused before anything is contacted.

use support::testkit::check_refused_urls;

/// One page, a 1-second timeout: a broken check fails fast.
const SMALL: &[&str] = &["--max-urls", "2", "--timeout", "1"];

const BIN: &str = env!("CARGO_BIN_EXE_crawl_serial");

#[test]
fn a_url_that_does_not_parse_exactly_exits_2_and_contacts_nothing() {
    check_refused_urls(BIN, "--site", SMALL);
    check_refused_urls(BIN, "--start", SMALL);
}
