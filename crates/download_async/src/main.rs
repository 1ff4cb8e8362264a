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

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use futures::future::join_all;
use support::web::{SiteArgs, SiteGuard, async_client, read_url_list};
use support::{Report, Timer};
use tokio::sync::Semaphore;

/// Download the article's two pages 80 times each, all at once, on one thread.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    site: SiteArgs,

    /// How many times the two-site list is repeated (the article: 80, so 160 downloads).
    #[arg(long, default_value_t = 80, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    repeat: u32,

    /// Download the absolute URLs listed in FILE instead (one per line; blank
    /// lines and # comments skipped). Stats are still read from --site, if given.
    #[arg(long, value_name = "FILE")]
    urls: Option<PathBuf>,

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
        Ok(response) => response.bytes().await.map_err(failure_reason),
        Err(err) => Err(failure_reason(err)),
    };
    match result {
        Ok(body) => {
            println!("Read {} from {url}", body.len());
            Ok(body.len())
        }
        Err(reason) => {
            println!("Failed {url}: {reason}");
            Err(reason)
        }
    }
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
    let args = Args::parse();
    // With --urls and no --site there is no site of ours to ask for stats,
    // so none is started.
    let site = if args.urls.is_some() && args.site.site.is_none() {
        None
    } else {
        match args.site.start() {
            Ok(site) => Some(site),
            Err(err) => return exit_with_error(1, err),
        }
    };
    let sites = match list_sites(&args, site.as_ref()) {
        Ok(sites) => sites,
        Err(err) => return exit_with_error(2, err),
    };
    if let Some(site) = &site {
        site.reset_stats();
    }

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
    let downloads = download_all_sites(&sites, args.site.timeout(), limit);
    let result = runtime.block_on(downloads); // <- changed from download_sync
    let outcomes = match result {
        Ok(outcomes) => outcomes,
        Err(err) => return exit_with_error(1, err),
    };
    let elapsed = timer.elapsed();

    let failed = outcomes.iter().filter(|outcome| outcome.is_err()).count();
    let downloaded = outcomes.len() - failed;
    if failed > 0 {
        println!(
            "{failed} of {} downloads failed (see the Failed lines above)",
            outcomes.len()
        );
    }
    let mut report = Report::new("download_async", elapsed)
        .items(downloaded as u64)
        .errors(failed as u64)
        .extra("urls", outcomes.len())
        .extra("limit", limit)
        .extra(
            "concurrency",
            limit.unwrap_or(outcomes.len()).min(outcomes.len()),
        );
    if let Some(stats) = site.as_ref().and_then(SiteGuard::stats) {
        report = report.extra("max_in_flight", stats.max_in_flight);
    }
    // The article prints len(sites), every URL it tried; we count the pages
    // actually read, so a run with failures does not look complete.
    report.finish(format_args!(
        "Downloaded {downloaded} in {:.2} seconds",
        elapsed.as_secs_f64()
    ))
}

// ---- plumbing, the same in the four download_* examples ----

/// The URLs to fetch: the `--urls` file, or the article's two sites
/// (`/sites/jython`, `/sites/dice` of our site) repeated, 160 by default.
fn list_sites(args: &Args, site: Option<&SiteGuard>) -> anyhow::Result<Vec<String>> {
    match (&args.urls, site) {
        (Some(path), _) => read_url_list(path),
        (None, Some(site)) => {
            // The article's `[jython, dice] * 80`: the pair, over and over.
            let two_sites = [site.url("/sites/jython"), site.url("/sites/dice")];
            Ok(std::iter::repeat_n(two_sites, args.repeat as usize)
                .flatten()
                .collect())
        }
        (None, None) => anyhow::bail!("no --urls file and no site to download from"),
    }
}

/// A short reason for a failed download ("error sending request: ...
/// Connection refused"); the URL is left out, the Failed line has it.
fn failure_reason(err: reqwest::Error) -> String {
    support::web::describe_error(&err.without_url())
}

fn exit_with_error(code: u8, err: anyhow::Error) -> ExitCode {
    eprintln!("error: {err:#}");
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A local site with a fixed latency (no jitter) and an error rate.
    fn local_site(latency_ms: u64, error_rate: f64) -> site::SiteHandle {
        site::spawn(site::Config {
            latency_ms,
            jitter_ms: 0,
            error_rate,
            ..site::Config::default()
        })
        .expect("the local site starts on a free loopback port")
    }

    fn two_sites(site: &site::SiteHandle, repeat: usize) -> Vec<String> {
        let base = site.url();
        let two_sites = [format!("{base}/sites/jython"), format!("{base}/sites/dice")];
        std::iter::repeat_n(two_sites, repeat).flatten().collect()
    }

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
        let sites = two_sites(&site, 80);
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
        let sites = two_sites(&site, 80);
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
        let sites = two_sites(&site, 80);
        let outcomes = download(&sites, None, Duration::from_secs(10));

        let failed = outcomes.iter().filter(|o| o.is_err()).count() as u64;
        let read = outcomes.iter().filter(|o| o.is_ok()).count() as u64;
        let stats = site.stats();
        assert_eq!(read + failed, 160);
        assert!(failed > 0, "a 10% error rate over 160 pages fails some");
        assert_eq!(failed, stats.by_status.get(&500).copied().unwrap_or(0));
        assert_eq!(read, stats.by_status.get(&200).copied().unwrap_or(0));
        assert!(
            outcomes
                .iter()
                .flat_map(|o| o.as_ref().err())
                .all(|r| r == "HTTP 500")
        );
    }

    #[test]
    fn bad_urls_refused_connections_resets_and_timeouts_fail_without_panic() {
        let site = local_site(1, 0.0);
        // A port that was free a moment ago: nothing listens there now.
        let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("the OS hands out a free loopback port")
            .port();
        let sites = vec![
            format!("http://127.0.0.1:{closed_port}/sites/dice"),
            "http://[::1/not-a-url".to_string(),
            format!("{}/sites/dice?reset=1", site.url()),
            format!("{}/sites/dice?fail=1", site.url()),
            format!("{}/sites/dice", site.url()),
            // Slower than the 1-second timeout below.
            format!("{}/sites/dice?latency_ms=5000", site.url()),
        ];
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
