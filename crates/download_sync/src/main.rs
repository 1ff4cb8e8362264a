//! Download 160 pages one after the other, reusing one HTTP agent.
//!
//! Mirrors: "What Is Concurrency?", section "How to Speed Up an I/O-Bound Program".
//! Run:     cargo run --release -p download_sync [-- --help]
//! Notice:  the `Read` lines come out in list order, the run lasts about 160 x
//!          the site's latency, and the site never sees two requests at once.
//! Python -> Rust: `requests.Session()` -> `ureq::Agent`; both keep the
//!          connection open. The baseline: `diff` it with its three siblings.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use support::Timer;
use support::pages::{DownloadArgs, Tally, print_outcome, ureq_failure};
use support::web::blocking_agent;

/// Download the article's two pages 80 times each, one after the other.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    pages: DownloadArgs, // --site, --repeat, --urls, --timeout: as in every download_*
}

/// What downloading one URL gave: the number of bytes read, or why it failed.
type Outcome = Result<usize, String>;

/// Fetch one page with the shared session and say how big it was.
#[tracing::instrument(skip(session))] // a span on --timeline's picture
fn download_site(url: &str, session: &ureq::Agent) -> Outcome {
    let outcome = session
        .get(url)
        .call()
        .and_then(|response| response.into_body().read_to_vec())
        .map(|body| body.len())
        .map_err(ureq_failure); // a 4xx/5xx too: blocking_agent makes it an `Err`
    print_outcome(url, &outcome); // the article's `Read N from URL` (or `Failed URL: reason`)
    outcome
}

/// Download every URL in order; one outcome per URL, in input order.
fn download_all_sites(sites: &[String], timeout: Duration) -> Vec<Outcome> {
    let session = blocking_agent(timeout); // one agent for the run, as `with requests.Session()`
    // The lesson: one request at a time, each answered before the next is sent.
    sites
        .iter()
        .map(|url| download_site(url, &session))
        .collect()
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    let pages = args.pages.start(); // the article's `[jython, dice] * 80`, or --urls

    let timer = Timer::start();
    let outcomes = download_all_sites(&pages.urls, args.pages.timeout());
    let elapsed = timer.elapsed();

    let tally = Tally::count(&outcomes); // counts pages read; the article printed len(sites)
    tally.print_failures("downloads");
    let (read, seconds) = (tally.read(), elapsed.as_secs_f64());
    tally
        .report(env!("CARGO_PKG_NAME"), elapsed, pages.max_in_flight())
        .extra("workers", 1)
        .extra("concurrency", 1)
        .finish(format_args!("Downloaded {read} in {seconds:.2} seconds"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::pages::two_sites;
    use support::testkit::{check_outcomes_match_site, local_site, troublesome_urls};

    #[test]
    fn one_request_at_a_time_and_every_byte_counted() {
        let site = local_site(20, 0.0);
        let sites = two_sites(site.url(), 10);
        let outcomes = download_all_sites(&sites, Duration::from_secs(10));

        let stats = site.stats();
        assert_eq!(stats.max_in_flight, 1, "a loop never has two requests out");
        assert_eq!(stats.requests, sites.len() as u64);
        let bytes: Vec<usize> = outcomes.iter().map(|o| *o.as_ref().unwrap()).collect();
        assert_eq!(bytes.iter().sum::<usize>() as u64, stats.bytes_sent);
        // Outcomes are in input order: every jython page has one size, every
        // dice page another.
        assert!(bytes.chunks(2).all(|pair| pair == &bytes[..2]));
        assert_ne!(bytes[0], bytes[1]);
    }

    #[test]
    fn failed_pages_are_counted_and_the_run_goes_on() {
        let site = local_site(1, 0.1);
        let sites = two_sites(site.url(), 80);
        let outcomes = download_all_sites(&sites, Duration::from_secs(10));

        assert_eq!(outcomes.len(), 160);
        // Each page is read or failed as the site answered it: 200 or 500.
        check_outcomes_match_site(&outcomes, &site);
    }

    #[test]
    fn bad_urls_refused_connections_resets_and_timeouts_fail_without_panic() {
        let site = local_site(1, 0.0);
        // Refused, malformed, reset, 500, good, slower than the timeout.
        let sites = troublesome_urls(&site);
        let outcomes = download_all_sites(&sites, Duration::from_secs(1));
        assert_eq!(outcomes.len(), 6);
        assert!(outcomes[..4].iter().all(|o| o.is_err()), "{outcomes:?}");
        assert_eq!(outcomes[3], Err("HTTP 500".to_string()));
        assert!(outcomes[4].is_ok(), "the run goes on after failures");
        assert!(
            outcomes[5].as_ref().unwrap_err().contains("timeout"),
            "{:?}",
            outcomes[5]
        );
    }
}
