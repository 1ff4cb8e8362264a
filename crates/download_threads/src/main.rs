//! Download 160 pages with 5 threads, each with its own HTTP agent.
//!
//! Mirrors: "What Is Concurrency?", section "Threading" (of the I/O-bound program).
//! Run:     cargo run --release -p download_threads [-- --workers 10]
//! Notice:  the `Read` lines come out in completion order, the run is about 5x
//!          faster than download_sync, and the site sees 5 requests at once.
//! Python -> Rust: `ThreadPoolExecutor(max_workers=5)` -> 5 scoped threads
//!          sharing a counter; `threading.local()` -> `thread_local!`.

use std::cell::OnceCell;
use std::process::ExitCode;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clap::Parser;
use support::Timer;
use support::cli::workers;
use support::pages::{DownloadArgs, Tally, print_outcome, ureq_failure};
use support::web::blocking_agent;

/// Download the article's two pages 80 times each, with a pool of threads.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    pages: DownloadArgs, // --site, --repeat, --urls, --timeout: as in every download_*
    /// Number of worker threads (the article's max_workers=5).
    #[arg(long, default_value_t = 5, value_parser = workers)]
    workers: u32, // <- changed from download_sync
}

/// What downloading one URL gave: the number of bytes read, or why it failed.
type Outcome = Result<usize, String>;

thread_local! { // `threading.local()`: each thread's own slot, empty until its first download
    static SESSION: OnceCell<ureq::Agent> = const { OnceCell::new() }; // <- changed from download_sync
}

/// This thread's session, made on its first call (a clone shares the Agent's pool).
fn get_session(timeout: Duration) -> ureq::Agent {
    SESSION.with(|session| session.get_or_init(|| blocking_agent(timeout)).clone()) // <- changed from download_sync
}

/// Fetch one page with this thread's session and say how big it was.
#[tracing::instrument(skip(timeout))] // a span on --timeline's picture
fn download_site(url: &str, timeout: Duration) -> Outcome {
    // <- changed from download_sync: the timeout, not a session, above
    let session = get_session(timeout); // <- changed from download_sync
    let outcome = session
        .get(url)
        .call()
        .and_then(|response| response.into_body().read_to_vec())
        .map(|body| body.len())
        .map_err(ureq_failure); // a 4xx/5xx too: blocking_agent makes it an `Err`
    print_outcome(url, &outcome); // the article's `Read N from URL` (or `Failed URL: reason`)
    outcome
}

/// Download every URL with `workers` threads; one outcome per URL, in input order.
fn download_all_sites(sites: &[String], timeout: Duration, workers: u32) -> Vec<Outcome> {
    // <- changed from download_sync: the parameters above, and the whole body
    let next_site = AtomicUsize::new(0); // the executor's queue: each index is handed out once
    let outcomes: Vec<OnceLock<Outcome>> = sites.iter().map(|_| OnceLock::new()).collect();
    // Scoped threads may borrow; the scope joins them, like `with ThreadPoolExecutor`.
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next_site.fetch_add(1, Ordering::Relaxed);
                    let Some(url) = sites.get(index) else { break };
                    let _ = outcomes[index].set(download_site(url, timeout));
                }
            });
        }
    });
    let filled = |slot: OnceLock<_>| slot.into_inner().expect("a thread took every URL");
    outcomes.into_iter().map(filled).collect()
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    let pages = args.pages.start(); // the article's `[jython, dice] * 80`, or --urls

    let timer = Timer::start();
    let outcomes = download_all_sites(&pages.urls, args.pages.timeout(), args.workers); // <- changed from download_sync
    let elapsed = timer.elapsed();

    let tally = Tally::count(&outcomes); // counts pages read; the article printed len(sites)
    tally.print_failures("downloads");
    let (read, seconds) = (tally.read(), elapsed.as_secs_f64());
    tally
        .report(env!("CARGO_PKG_NAME"), elapsed, pages.max_in_flight())
        .extra("workers", args.workers) // <- changed from download_sync
        .extra("concurrency", outcomes.len().min(args.workers as usize)) // <- changed from download_sync
        .finish(format_args!("Downloaded {read} in {seconds:.2} seconds"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::pages::two_sites;
    use support::testkit::{check_outcomes_match_site, local_site, troublesome_urls};

    #[test]
    fn five_threads_keep_exactly_five_requests_in_flight() {
        let site = local_site(200, 0.0);
        let sites = two_sites(site.url(), 10);
        let outcomes = download_all_sites(&sites, Duration::from_secs(10), 5);

        let stats = site.stats();
        assert_eq!(stats.max_in_flight, 5, "one request per thread, 5 threads");
        assert_eq!(stats.requests, sites.len() as u64);
        let bytes: Vec<usize> = outcomes.iter().map(|o| *o.as_ref().unwrap()).collect();
        assert_eq!(bytes.iter().sum::<usize>() as u64, stats.bytes_sent);
        // Outcomes come back in input order, whatever order they finished in:
        // every jython page has one size, every dice page another.
        assert!(bytes.chunks(2).all(|pair| pair == &bytes[..2]));
        assert_ne!(bytes[0], bytes[1]);
    }

    #[test]
    fn more_threads_than_urls_is_fine() {
        let site = local_site(20, 0.0);
        let sites = two_sites(site.url(), 1);
        let outcomes = download_all_sites(&sites, Duration::from_secs(10), 8);
        assert_eq!(outcomes.len(), 2);
        assert!(outcomes.iter().all(|o| o.is_ok()));
        assert_eq!(site.stats().requests, 2);
    }

    #[test]
    fn failed_pages_are_counted_and_the_run_goes_on() {
        let site = local_site(1, 0.1);
        let sites = two_sites(site.url(), 80);
        let outcomes = download_all_sites(&sites, Duration::from_secs(10), 5);

        assert_eq!(outcomes.len(), 160);
        // Each page is read or failed as the site answered it: 200 or 500.
        check_outcomes_match_site(&outcomes, &site);
    }

    #[test]
    fn bad_urls_refused_connections_resets_and_timeouts_fail_without_panic() {
        let site = local_site(1, 0.0);
        // Refused, malformed, reset, 500, good, slower than the timeout.
        let sites = troublesome_urls(&site);
        let outcomes = download_all_sites(&sites, Duration::from_secs(1), 5);
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
