//! Scrape N home pages at once with async I/O, called from plain sync code.
//!
//! Mirrors: "Asyncio vs multithreading vs multiprocessing in Python" (blog),
//!          section "how does Asyncio work in Python?".
//! Run:     cargo run --release -p scrape_async [-- --count 500 --limit 100]
//! Notice:  every request is in flight at once (max in flight = --count), so 500
//!          pages take about one latency; `--limit 100` caps them as aiohttp does.
//! Python -> Rust: `aiohttp.ClientSession` -> `reqwest::Client`; `gather` -> `join_all`;
//!          `async_to_sync(get_all)` -> a sync fn running `block_on` on tokio.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use futures::TryFutureExt;
use futures::future::join_all;
use support::Timer;
use support::pages::{ScrapeArgs, Tally, exit_with_error, reqwest_failure};
use support::web::async_client;
use tokio::sync::Semaphore;

/// Scrape the home pages of the top N "domains" with async I/O (tokio + reqwest).
#[derive(clap::Parser, Debug)]
#[command(version)]
struct Args {
    #[command(flatten)]
    pages: ScrapeArgs, // --site, --count, --urls, --quiet, --timeout: as in every scrape_*
    /// Cap the requests in flight at N [default: no cap; aiohttp's connector caps at 100]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    limit: Option<u32>, // <- changed from scrape_threads
}

/// What scraping one URL gave: the page's size, or why it failed.
type Outcome = Result<usize, String>;

/// One request: the article's inner `fetch(url)`; an error is returned, never raised.
#[tracing::instrument(skip(session))] // a span on --timeline's picture
async fn fetch(url: &str, session: &reqwest::Client) -> Outcome {
    // <- changed from scrape_threads: `async` above
    session
        .get(url)
        .send() // <- changed from scrape_threads
        .and_then(|response| async { response.error_for_status()?.text().await }) // <- changed from scrape_threads
        .await // <- changed from scrape_threads
        .map(|body| body.len())
        .map_err(reqwest_failure) // <- changed from scrape_threads: a 500 fails in error_for_status
}

/// Start every fetch, then wait for them all: the article's `get_all`.
async fn get_all(
    urls: &[String],
    timeout: Duration,
    limit: Option<usize>,
) -> anyhow::Result<Vec<Outcome>> {
    // <- changed from scrape_threads: the whole function (new in this file)
    let session = async_client(timeout)?; // one session, one connection pool, for every request
    // With --limit N a fetch first waits for one of N permits; without, there are plenty.
    let permits = Semaphore::new(limit.unwrap_or(Semaphore::MAX_PERMITS));
    let fetches = urls.iter().map(|url| async {
        let _permit = permits
            .acquire()
            .await
            .expect("the semaphore is never closed");
        fetch(url, &session).await
    });
    // `join_all` polls them all on this one thread, so their waits overlap; input order.
    Ok(join_all(fetches).await)
}

/// The article's `async_aiohttp_scraper`: sync outside, async inside, like
/// `async_to_sync(get_all)(urls)`; one thread, one event loop, as in asyncio.
fn async_aiohttp_scraper(
    urls: &[String],
    timeout: Duration,
    limit: Option<usize>,
) -> anyhow::Result<Vec<Outcome>> {
    // <- changed from scrape_threads: the whole function (new in this file)
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    runtime.block_on(get_all(urls, timeout, limit))
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    let pages = args.pages.start(); // the top N "domains" of our site, or --urls
    let urls = &pages.urls;
    let limit = args.limit.map(|n| n as usize); // <- changed from scrape_threads

    let timer = Timer::start();
    let outcomes = match async_aiohttp_scraper(urls, args.pages.timeout(), limit) {
        // <- changed from scrape_threads: the runtime or the client may fail to start
        Ok(outcomes) => outcomes,
        Err(err) => return exit_with_error(1, err),
    };
    let elapsed = timer.elapsed();

    // `gather` keeps input order, so the lines follow `urls`.
    let mut tally = Tally::new(args.pages.quiet);
    for (url, outcome) in urls.iter().zip(&outcomes) {
        // <- changed from scrape_threads: the line above
        tally.record(url, outcome); // <- changed from scrape_threads
    }
    let max_in_flight = pages.max_in_flight();
    let setup = limit.map_or(String::new(), |n| format!(" with --limit {n}")); // <- changed from scrape_threads
    tally.print_scraped(setup, max_in_flight); // <- changed from scrape_threads
    let (name, seconds) = (env!("CARGO_PKG_NAME"), elapsed.as_secs_f64());
    tally
        .report(name, elapsed, max_in_flight)
        .extra("limit", limit) // <- changed from scrape_threads
        .finish(format_args!("Function '{name}' executed in {seconds:.4}s"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::testkit::{domain_urls, local_site};

    #[test]
    fn every_url_is_in_flight_at_once() {
        let site = local_site(300, 0.0);
        let urls = domain_urls(&site, 40);
        let outcomes = async_aiohttp_scraper(&urls, Duration::from_secs(10), None).unwrap();
        assert_eq!(outcomes.len(), 40);
        assert!(outcomes.iter().all(|outcome| outcome.is_ok()));
        let stats = site.stats();
        assert_eq!(stats.requests, 40);
        assert_eq!(stats.max_in_flight, 40);
    }

    #[test]
    fn failures_are_counted_and_the_rest_go_on() {
        let site = local_site(0, 0.1);
        let urls = domain_urls(&site, 200);
        let outcomes = async_aiohttp_scraper(&urls, Duration::from_secs(10), None).unwrap();
        assert_eq!(outcomes.len(), 200);
        let failed = outcomes.iter().filter(|outcome| outcome.is_err()).count();
        let stats = site.stats();
        let errors_served = stats.by_status.get(&500).copied().unwrap_or(0);
        assert!(
            failed > 0,
            "a 10% error rate over 200 requests gave no failure"
        );
        assert_eq!(failed as u64, errors_served);
    }

    #[test]
    fn a_refused_connection_is_an_error_not_a_panic() {
        // Port 9 on loopback: nothing listens there on a test machine.
        let urls = vec!["http://127.0.0.1:9/domains/1".to_string()];
        let outcomes = async_aiohttp_scraper(&urls, Duration::from_secs(5), None).unwrap();
        assert!(outcomes[0].is_err());
    }
}
