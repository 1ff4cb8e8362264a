//! Download 160 pages at once from one thread, with async/await.
//!
//! Mirrors: "What Is Concurrency?", section "Asyncio" (of the I/O-bound program).
//! Run:     cargo run --release -p download_async [-- --limit 100]
//! Notice:  all 160 requests are out at once (`max_in_flight` 160), so the run
//!          lasts about one latency, on one thread; `--limit 5` is download_threads' pace.
//! Python -> Rust: `asyncio.run` -> a tokio runtime; `aiohttp.ClientSession`
//!          -> `reqwest::Client`; `gather(return_exceptions=True)` -> `join_all`.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use futures::TryFutureExt;
use futures::future::join_all;
use support::Timer;
use support::pages::{DownloadArgs, Tally, exit_with_error, print_outcome, reqwest_failure};
use support::web::async_client;
use tokio::sync::Semaphore;

/// Download the article's two pages 80 times each, all at once, on one thread.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    pages: DownloadArgs, // --site, --repeat, --urls, --timeout: as in every download_*
    /// Cap the requests in flight at N [default: no cap; aiohttp's connector caps at 100]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    limit: Option<u32>, // <- changed from download_sync
}

/// What downloading one URL gave: the number of bytes read, or why it failed.
type Outcome = Result<usize, String>;

/// Fetch one page with the shared session: a future, that sends nothing until polled.
#[tracing::instrument(skip(session))] // a span on --timeline's picture
async fn download_site(session: &reqwest::Client, url: &str) -> Outcome {
    // <- changed from download_sync: `async`, and the article's (session, url) order
    let outcome = session
        .get(url)
        .send() // <- changed from download_sync
        .and_then(|response| async { response.error_for_status()?.bytes().await }) // <- changed from download_sync
        .await // <- changed from download_sync
        .map(|body| body.len())
        .map_err(reqwest_failure); // <- changed from download_sync: a 500 fails in error_for_status
    print_outcome(url, &outcome); // the article's `Read N from URL` (or `Failed URL: reason`)
    outcome
}

/// Start every download at once and wait for all; one outcome per URL, in input order.
async fn download_all_sites(
    sites: &[String],
    timeout: Duration,
    limit: Option<usize>,
) -> anyhow::Result<Vec<Outcome>> {
    // <- changed from download_sync: the signature above, and the whole body
    let session = async_client(timeout)?; // one client, borrowed by every future: no Arc, no lock
    // reqwest sets no cap; with --limit N each download first waits for one of N permits.
    let permits = Semaphore::new(limit.unwrap_or(Semaphore::MAX_PERMITS));
    let tasks = sites.iter().map(|url| async {
        let _permit = permits
            .acquire()
            .await
            .expect("the semaphore is never closed");
        download_site(&session, url).await
    });
    // `join_all` polls them all in this one task; each `Result` stays in its slot.
    Ok(join_all(tasks).await)
}

// `asyncio.run(main())`: an event loop on this one thread runs `main`.
#[tokio::main(flavor = "current_thread")] // <- changed from download_sync, and `async` below
async fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    let pages = args.pages.start(); // the article's `[jython, dice] * 80`, or --urls

    let timer = Timer::start();
    let limit = args.limit.map(|n| n as usize); // <- changed from download_sync
    let outcomes = match download_all_sites(&pages.urls, args.pages.timeout(), limit).await {
        // <- changed from download_sync: `.await`, and a client that fails to build
        Ok(outcomes) => outcomes,
        Err(err) => return exit_with_error(1, err),
    };
    let elapsed = timer.elapsed();

    let tally = Tally::count(&outcomes); // counts pages read; the article printed len(sites)
    tally.print_failures("downloads");
    let (read, seconds) = (tally.read(), elapsed.as_secs_f64());
    let concurrency = limit.map_or(outcomes.len(), |n| n.min(outcomes.len())); // <- changed from download_sync
    tally
        .report(env!("CARGO_PKG_NAME"), elapsed, pages.max_in_flight())
        .extra("limit", limit) // <- changed from download_sync
        .extra("concurrency", concurrency) // <- changed from download_sync
        .finish(format_args!("Downloaded {read} in {seconds:.2} seconds"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::pages::two_sites;
    use support::testkit::{check_outcomes_match_site, local_site, troublesome_urls};

    /// Run `download_all_sites` the way `main` does, on a one-thread runtime.
    fn download(sites: &[String], limit: Option<usize>, timeout: Duration) -> Vec<Outcome> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime builds")
            .block_on(download_all_sites(sites, timeout, limit))
            .expect("the HTTP client builds")
    }

    #[test]
    fn with_no_limit_all_160_requests_are_in_flight_at_once() {
        // A long latency, so that every request is surely still waiting at
        // the site when the last one arrives, even on a busy machine.
        let site = local_site(500, 0.0);
        let sites = two_sites(site.url(), 80);
        let outcomes = download(&sites, None, Duration::from_secs(10));

        let stats = site.stats();
        assert_eq!(stats.max_in_flight, 160, "every request out at once");
        assert_eq!(stats.requests, 160);
        let bytes: Vec<usize> = outcomes.iter().map(|o| *o.as_ref().unwrap()).collect();
        assert_eq!(bytes.iter().sum::<usize>() as u64, stats.bytes_sent);
        // Outcomes come back in input order, whatever order they finished in:
        // every jython page has one size, every dice page another.
        assert!(bytes.chunks(2).all(|pair| pair == &bytes[..2]));
        assert_ne!(bytes[0], bytes[1]);
    }

    #[test]
    fn a_limit_of_100_caps_requests_in_flight_at_100() {
        let site = local_site(500, 0.0);
        let sites = two_sites(site.url(), 80);
        let outcomes = download(&sites, Some(100), Duration::from_secs(10));

        let stats = site.stats();
        assert_eq!(
            stats.max_in_flight, 100,
            "the semaphore's 100 permits, all used"
        );
        assert_eq!(stats.requests, 160);
        assert!(outcomes.iter().all(|o| o.is_ok()));
    }

    #[test]
    fn failed_pages_are_counted_and_the_run_goes_on() {
        let site = local_site(1, 0.1);
        let sites = two_sites(site.url(), 80);
        let outcomes = download(&sites, None, Duration::from_secs(10));

        assert_eq!(outcomes.len(), 160);
        // Each page is read or failed as the site answered it: 200 or 500.
        check_outcomes_match_site(&outcomes, &site);
    }

    #[test]
    fn bad_urls_refused_connections_resets_and_timeouts_fail_without_panic() {
        let site = local_site(1, 0.0);
        // Refused, malformed, reset, 500, good, slower than the timeout.
        let sites = troublesome_urls(&site);
        let outcomes = download(&sites, Some(2), Duration::from_secs(1));
        assert_eq!(outcomes.len(), 6);
        assert!(outcomes[..4].iter().all(|o| o.is_err()), "{outcomes:?}");
        assert_eq!(outcomes[3], Err("HTTP 500".to_string()));
        assert!(outcomes[4].is_ok(), "the run goes on after failures");
        assert!(
            outcomes[5].as_ref().unwrap_err().contains("timed out"),
            "{:?}",
            outcomes[5]
        );
    }
}
