//! Giving up on a slow page: a Rust future is cancelled by dropping it.
//!
//! Mirrors: "What is concurrency?", section "Asyncio" (`download_site` with
//!          aiohttp), asked what happens when one site never answers.
//! Run:     cargo run --release -p cancellation [-- --help]
//! Notice:  each slow page is abandoned three ways (timeout, select!, abort),
//!          every other page arrives, and the site's /stats counts exactly 3
//!          requests whose client went away: dropping the future closed them.
//! Python -> Rust: `asyncio.wait_for(coro, t)` -> `tokio::time::timeout`;
//!          `asyncio.wait(..., FIRST_COMPLETED)` -> `tokio::select!`;
//!          `task.cancel()` -> `JoinHandle::abort`. Python raises
//!          CancelledError inside the task; Rust just drops the future.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use futures::future::join_all;
use support::pages::{exit_with_error, print_outcome, reqwest_failure};
use support::web::{SiteArgs, async_client};
use support::{Report, Timer};

/// Download pages while one never answers in time, and give up on it.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    #[command(flatten)]
    site: SiteArgs,
    /// Pages that answer at the site's latency, fetched in each part
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=500))]
    pages: u32,
    /// How long the slow page takes, in milliseconds
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    slow_ms: u64,
    /// How long to wait for the slow page before giving up, in seconds
    #[arg(long, default_value_t = 0.5, value_parser = support::cli::seconds_parser)]
    give_up_after: f64,
}

type Outcome = Result<usize, String>;

/// The article's `download_site`: one GET, the body's length.
async fn download_site(session: &reqwest::Client, url: &str) -> Outcome {
    let result = match session.get(url).send().await {
        Ok(response) if !response.status().is_success() => {
            Err(format!("HTTP {}", response.status().as_u16()))
        }
        Ok(response) => response.bytes().await.map_err(reqwest_failure),
        Err(err) => Err(reqwest_failure(err)),
    };
    let outcome = result.map(|body| body.len());
    print_outcome(url, &outcome);
    outcome
}

/// Fetch the pages and the slow page, giving up on the slow one three ways.
async fn download_all_sites(
    urls: &[String],
    slow: &str,
    give_up: Duration,
) -> anyhow::Result<(Vec<Outcome>, u64)> {
    let session = async_client(Duration::from_secs(600))?;
    let mut outcomes = Vec::new();
    let mut gave_up = 0;

    let secs = give_up.as_secs_f64();
    println!("--- tokio::time::timeout: give up after {secs:.2} s");
    // `timeout` drops the future when time runs out, request and connection with it.
    let all = urls.iter().map(|url| download_site(&session, url));
    let (pages, slow_page) = tokio::join!(
        join_all(all),
        tokio::time::timeout(give_up, download_site(&session, slow))
    );
    outcomes.extend(pages);
    if slow_page.is_err() {
        println!("Gave up on {slow} after {secs:.2} s");
        gave_up += 1;
    }
    println!("--- tokio::select!: stop waiting once the other pages are in");
    // Whichever branch finishes first wins; the other future is dropped.
    let all = urls.iter().map(|url| download_site(&session, url));
    tokio::select! {
        pages = join_all(all) => {
            outcomes.extend(pages);
            println!("Stopped waiting for {slow}: the other pages came first");
            gave_up += 1;
        }
        _ = download_site(&session, slow) => println!("{slow} came first"),
    }
    println!("--- JoinHandle::abort: cancel a spawned task");
    // A spawned task runs on its own; after as long as the timeout gave it,
    // abort() has the runtime drop it, and its handle says "cancelled".
    let (task_session, task_url) = (session.clone(), slow.to_string());
    let task = tokio::spawn(async move { download_site(&task_session, &task_url).await });
    let all = urls.iter().map(|url| download_site(&session, url));
    let (pages, ()) = tokio::join!(join_all(all), tokio::time::sleep(give_up));
    outcomes.extend(pages);
    task.abort();
    if task.await.is_err_and(|err| err.is_cancelled()) {
        println!("Aborted the task fetching {slow}");
        gave_up += 1;
    }
    Ok((outcomes, gave_up))
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    let site = match args.site.start() {
        Ok(site) => site,
        Err(err) => return exit_with_error(1, err),
    };
    let urls: Vec<String> = (1..=args.pages)
        .map(|i| site.url(&format!("/domains/{i}")))
        .collect();
    let slow = site.url(&format!("/sites/dice?latency_ms={}", args.slow_ms));
    site.reset_stats();
    let timer = Timer::start();
    let give_up = Duration::from_secs_f64(args.give_up_after);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let result = runtime
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(download_all_sites(&urls, &slow, give_up)));
    let (outcomes, gave_up) = match result {
        Ok(result) => result,
        Err(err) => return exit_with_error(1, err),
    };
    let elapsed = timer.elapsed();
    let read = outcomes.iter().filter(|o| o.is_ok()).count() as u64;
    let failed = outcomes.len() as u64 - read;
    let stats = site.settled_stats();
    if let Some(s) = &stats {
        let answered = s.by_status.get(&200).copied().unwrap_or(0);
        let (requests, abandoned) = (s.requests, s.abandoned);
        println!("site: {requests} requests, {answered} answered 200, {abandoned} abandoned");
    }
    let closing = format!("Downloaded {read} in {:.2} seconds", elapsed.as_secs_f64());
    Report::new("cancellation", elapsed)
        .items(read)
        .errors(failed)
        .extra("gave_up", gave_up)
        .extra("abandoned", stats.as_ref().map(|s| s.abandoned))
        .extra("max_in_flight", stats.as_ref().map(|s| s.max_in_flight))
        .finish(closing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::testkit::local_site;

    #[test]
    fn the_slow_page_is_abandoned_three_times_and_the_others_all_arrive() {
        // 50 ms per page: ample time for the slow request to reach the site
        // before select! drops it.
        let site = local_site(50, 0.0);
        let urls: Vec<String> = (1..=4)
            .map(|i| format!("{}/domains/{i}", site.url()))
            .collect();
        let slow = format!("{}/sites/dice?latency_ms=60000", site.url());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (outcomes, gave_up) = runtime
            .block_on(download_all_sites(&urls, &slow, Duration::from_millis(200)))
            .unwrap();
        assert_eq!(gave_up, 3);
        assert_eq!(outcomes.len(), 12);
        assert!(outcomes.iter().all(|o| o.is_ok()), "{outcomes:?}");

        // While this client lives on, the site saw it go away three times.
        let mut stats = site.stats();
        for _ in 0..200 {
            if stats.in_flight == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
            stats = site.stats();
        }
        assert_eq!(stats.in_flight, 0, "a slow request still runs: {stats:?}");
        assert_eq!(stats.abandoned, 3, "{stats:?}");
        assert_eq!(stats.by_status.get(&200), Some(&12), "{stats:?}");
        assert_eq!(
            stats.requests, 15,
            "all three slow requests started: {stats:?}"
        );
    }
}
