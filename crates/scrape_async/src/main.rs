//! Scrape N home pages at once with async I/O, called from plain sync code.
//!
//! Mirrors: "Asyncio vs multithreading vs multiprocessing in Python" (blog),
//!          section "how does Asyncio work in Python?".
//! Run:     cargo run --release -p scrape_async [-- --count 500]
//! Notice:  every request is in flight at the same time (the site's max in
//!          flight equals --count), so 500 pages take about one latency, not
//!          500 of them. This is the article's winner. `--limit 100` caps
//!          requests in flight as aiohttp's default connector does.
//! Python -> Rust: `aiohttp.ClientSession` -> one `reqwest::Client`;
//!          `asyncio.gather(*[fetch(url) ...])` -> `join_all`;
//!          `asgiref.sync.async_to_sync(get_all)(urls)` -> a plain function
//!          that builds a tokio runtime and calls `block_on`. In Rust the
//!          bridge from sync to async is that one call, no extra library.
//!
//! Try this (the article's rule of thumb, with the local site's knobs):
//!   few connections allowed, fast answers: threads keep up with async
//!     cargo run --release --bin site_server -- --latency-ms 5 --max-connections 8
//!     cargo run --release -p scrape_threads -- --site URL --count 200
//!     cargo run --release -p scrape_async   -- --site URL --count 200
//!   many slow answers: async wins by a wide margin
//!     cargo run --release --bin site_server -- --latency-ms 500
//!     (then the same two commands, with --count 500)

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use futures::future::join_all;
use support::Timer;
use support::pages::{ScrapeArgs, Tally, exit_with_error, reqwest_failure};
use tokio::sync::Semaphore;

/// Scrape the home pages of the top N "domains" with async I/O (tokio + reqwest).
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    // --site, --count, --urls, --quiet and the local site's knobs, the same
    // in the four scrape_* examples.
    #[command(flatten)]
    pages: ScrapeArgs,

    /// Cap the requests in flight at N (default: no cap, all at once; aiohttp's
    /// default connector caps at 100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    limit: Option<u32>,
}

/// What scraping one URL gave: the page's size, or why it failed.
type Outcome = std::result::Result<usize, String>;

/// One request: the twin of the article's inner `fetch(url)`. Errors are
/// returned, not raised, so one bad page never stops the others.
async fn fetch(client: &reqwest::Client, url: &str) -> Outcome {
    let response = client
        .get(url)
        .send()
        .await
        .and_then(|response| response.error_for_status())
        .map_err(reqwest_failure)?;
    let body = response.text().await.map_err(reqwest_failure)?;
    // The article leaves "ADD RESPONSE MANIPULATION CODE HERE"; we keep the size.
    Ok(body.len())
}

/// Start every fetch, then wait for all of them: the twin of `get_all`.
///
/// `join_all` polls all the futures together on one thread; each one
/// suspends while its request waits, so they wait *together*.
async fn get_all(urls: &[String], timeout: Duration, limit: Option<usize>) -> Result<Vec<Outcome>> {
    // One client, one connection pool, shared by every request (like the
    // article's single `ClientSession`).
    let client = support::web::async_client(timeout)?;
    // With --limit N a fetch first waits for one of N permits, handed back
    // when it ends: aiohttp's connector does this with 100. Without it,
    // there are more permits than requests and none waits.
    let permits = Semaphore::new(limit.unwrap_or(Semaphore::MAX_PERMITS));
    let fetches = urls.iter().map(|url| async {
        let _permit = permits
            .acquire()
            .await
            .expect("the semaphore is never closed");
        fetch(&client, url).await
    });
    Ok(join_all(fetches).await)
}

/// The twin of `async_aiohttp_scraper`: a *synchronous* function on the
/// outside, async on the inside, like `async_to_sync(get_all)(urls)`.
///
/// A current-thread runtime is asyncio's model exactly: one thread, one
/// event loop. Callers never see a future.
fn async_scraper(urls: &[String], timeout: Duration, limit: Option<usize>) -> Result<Vec<Outcome>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    runtime.block_on(get_all(urls, timeout, limit))
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    run(&args).unwrap_or_else(|err| exit_with_error(1, err))
}

fn run(args: &Args) -> Result<ExitCode> {
    // The top N "domains" of our site, or the --urls file.
    let pages = match args.pages.start() {
        Ok(pages) => pages,
        Err(exit_code) => return Ok(exit_code),
    };
    let urls = &pages.urls;
    let limit = args.limit.map(|n| n as usize);

    let timer = Timer::start();
    let outcomes = async_scraper(urls, args.pages.timeout(), limit)?;
    let elapsed = timer.elapsed();

    // gather() keeps input order, so results line up with `urls`.
    let mut tally = Tally::new(args.pages.quiet);
    for (url, outcome) in urls.iter().zip(&outcomes) {
        tally.record(url, outcome);
    }
    let max_in_flight = pages.max_in_flight();
    let setup = limit.map_or(String::new(), |n| format!(" with --limit {n}"));
    tally.print_scraped(setup, max_in_flight);
    Ok(tally
        .report("scrape_async", elapsed, max_in_flight)
        .extra("limit", limit)
        .finish(format!(
            "Function 'scrape_async' executed in {:.4}s",
            elapsed.as_secs_f64()
        )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::testkit::{domain_urls, local_site};

    #[test]
    fn every_url_is_in_flight_at_once() {
        let site = local_site(300, 0.0);
        let urls = domain_urls(&site, 40);
        let outcomes = async_scraper(&urls, Duration::from_secs(10), None).unwrap();
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
        let outcomes = async_scraper(&urls, Duration::from_secs(10), None).unwrap();
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
        let outcomes = async_scraper(&urls, Duration::from_secs(5), None).unwrap();
        assert!(outcomes[0].is_err());
    }
}
