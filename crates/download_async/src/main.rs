//! Download 160 pages at once from one thread, with async/await.
//!
//! Mirrors: "What Is Concurrency?" (Real-Python-style notebook), section
//!          "Asyncio" of "How to Speed Up an I/O-Bound Program".
//! Run:     cargo run --release -p download_async [-- --help]
//! Notice:  all 160 requests are out at the same time (`max_in_flight` 160
//!          in the report), so the whole run lasts about one latency, on a
//!          single thread. `--limit 5` caps requests in flight and brings back
//!          download_threads' timing without any thread.
//! Python -> Rust: `asyncio.run` -> a tokio runtime's `block_on`;
//!          `aiohttp.ClientSession` -> `reqwest::Client`; `asyncio.gather(*tasks,
//!          return_exceptions=True)` -> `futures::future::join_all` over
//!          futures that return `Result`, so one failed page is kept as an
//!          `Err` in its slot and the others go on. A Rust future does nothing
//!          until polled: the requests all start when `join_all` first polls
//!          them, not when `download_site(...)` is called.
//!
//! Exit status: 0 when every page was read, 1 when any failed (each failure
//! is printed and counted, the run goes on), 2 for bad arguments, including
//! a `--urls` file that is missing, empty, or has a line that is not a URL.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use futures::future::join_all;
use support::Timer;
use support::pages::{DownloadArgs, Tally, exit_with_error, print_outcome, reqwest_failure};
use support::web::async_client;
use tokio::sync::Semaphore;

/// Download the article's two pages 80 times each, all at once, on one thread.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    // --site, --repeat, --urls and the local site's knobs, the same in the
    // four download_* examples.
    #[command(flatten)]
    pages: DownloadArgs,

    /// Cap the requests in flight at N (default: no cap, all at once; aiohttp's
    /// default connector caps at 100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    limit: Option<u32>,
}

/// What downloading one URL gave: the number of bytes read, or why it failed.
type Outcome = Result<usize, String>;

/// Fetch one page with the shared session and say how big it was (the
/// article's async version takes the session first, so does this one).
async fn download_site(session: &reqwest::Client, url: &str, limit: Option<&Semaphore>) -> Outcome {
    // With --limit, wait here for one of the N permits; it is handed back
    // when `_permit` is dropped at the end of this function. Without it,
    // nothing holds a request back.
    let _permit = match limit {
        Some(semaphore) => Some(
            semaphore
                .acquire()
                .await
                .expect("the semaphore is never closed"),
        ),
        None => None,
    };
    // Every `.await` is a point where this future may pause and let the
    // other 159 run: the cooperative multitasking the article describes.
    let result = match session.get(url).send().await {
        // reqwest hands back 4xx/5xx as ordinary responses: a 500 is a
        // failed page here, as in the three blocking siblings.
        Ok(response) if !response.status().is_success() => {
            Err(format!("HTTP {}", response.status().as_u16()))
        }
        // The article prints aiohttp's Content-Length header; we read the
        // whole body, as the other versions do, so the bytes are the same.
        Ok(response) => response.bytes().await.map_err(reqwest_failure),
        Err(err) => Err(reqwest_failure(err)),
    };
    let outcome = result.map(|body| body.len());
    // The article's `Read N from URL` line (or `Failed URL: reason`).
    print_outcome(url, &outcome);
    outcome
}

/// Start every download at once and wait for all; one outcome per URL, in
/// input order (like `gather`), though the lines print in completion order.
async fn download_all_sites(
    sites: &[String],
    timeout: Duration,
    limit: Option<usize>,
) -> anyhow::Result<Vec<Outcome>> {
    // One client, one connection pool, shared by every request: futures on
    // one thread can all borrow it, no Arc or lock needed.
    let session = async_client(timeout)?;
    // aiohttp's default connector allows 100 connections at a time, so the
    // article's 160 requests really go out as 100, then 60. reqwest sets no
    // such cap: with no --limit, all 160 are in flight at once. The
    // semaphore is how you set a cap yourself.
    let limit = limit.map(Semaphore::new);
    // `asyncio.ensure_future` would be `tokio::spawn`; `join_all` drives all
    // the futures inside this one task instead, which is enough for I/O and
    // lets them borrow `sites` and `session`.
    let downloads = sites
        .iter()
        .map(|url| download_site(&session, url, limit.as_ref()));
    Ok(join_all(downloads).await)
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    // The article's `[jython, dice] * 80` from our site, or the --urls file.
    let pages = match args.pages.start() {
        Ok(pages) => pages,
        Err(exit_code) => return exit_code,
    };

    // The twin of `asyncio.run(...)`: a runtime on this one thread, like
    // asyncio's event loop; all the concurrency comes from the futures.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return exit_with_error(1, err.into()),
    };
    let limit = args.limit.map(|n| n as usize);

    let timer = Timer::start();
    let downloads = download_all_sites(&pages.urls, args.pages.timeout(), limit);
    let result = runtime.block_on(downloads); // <- changed from download_sync
    let outcomes = match result {
        Ok(outcomes) => outcomes,
        Err(err) => return exit_with_error(1, err),
    };
    let elapsed = timer.elapsed();

    let tally = Tally::count(&outcomes);
    tally.print_failures("downloads");
    // The article prints len(sites), every URL it tried; we count the pages
    // actually read, so a run with failures does not look complete.
    tally
        .report("download_async", elapsed, pages.max_in_flight())
        .extra("limit", limit)
        .extra(
            "concurrency",
            limit.unwrap_or(outcomes.len()).min(outcomes.len()),
        )
        .finish(format_args!(
            "Downloaded {} in {:.2} seconds",
            tally.read(),
            elapsed.as_secs_f64()
        ))
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
