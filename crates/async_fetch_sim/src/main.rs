//! A simulated download of three URLs, all waiting at once on one thread.
//!
//! Mirrors: "Multithreading, Multiprocessing, and Asyncio", section
//!          "Using Asyncio for Concurrent Tasks".
//! Run:     cargo run --release -p async_fetch_sim [-- --help]
//! Notice:  all three "Fetching" lines come before the first "Finished"
//!          line, and the run takes one wait (2 s), not three (6 s). Nothing
//!          is downloaded: a sleep stands in for the network.
//! Python -> Rust: `[fetch_data(url) for url in urls]` -> an iterator of
//!          futures (they do nothing yet, like coroutine objects);
//!          `asyncio.gather(*tasks)` -> `join_all(tasks).await`.

use std::process::ExitCode;

use clap::Parser;
use futures::future::join_all;
use support::cli::pause_seconds;
use support::settings::{pause, set_pause};
use support::{Report, Timer};

/// Simulate fetching some URLs concurrently. Nothing is sent over the
/// network: each "fetch" is a sleep, and the URLs are only printed.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// Simulated download time of each URL, in seconds (the article: 2; 0 to 3600)
    #[arg(long, default_value_t = 2.0, value_parser = pause_seconds)]
    seconds: f64,

    /// URLs to pretend to fetch (only printed, never contacted)
    #[arg(
        value_name = "URL",
        default_values = ["http://example.com", "http://example.org", "http://example.net"]
    )]
    urls: Vec<String>,
}

/// The article's `fetch_data`: announce the fetch, "download" (sleep), announce the end.
#[tracing::instrument] // a span on --timeline's picture
async fn fetch_data(url: &str) {
    println!("Fetching {url}");
    // Stands in for waiting on the network. While this future waits, the
    // runtime polls the others, so they all wait at the same time.
    tokio::time::sleep(pause()).await;
    println!("Finished fetching {url}");
}

/// The article's `async def main()`: one future per URL, gathered.
async fn async_main(urls: &[String]) {
    // Building the futures starts nothing; `join_all` polls them all, in
    // this one task, until every one is done. (`tokio::join!` needs the
    // number of futures when compiling; `join_all` takes any number.)
    let tasks = urls.iter().map(|url| fetch_data(url));
    join_all(tasks).await;
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    set_pause(args.seconds);

    let timer = Timer::start();
    // One thread runs every future, like asyncio's single-threaded loop.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: could not start the tokio runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async_main(&args.urls));
    let elapsed = timer.elapsed();

    Report::new("async_fetch_sim", elapsed)
        .items(args.urls.len() as u64)
        .extra("simulated_seconds_each", args.seconds)
        .finish(format!("Done in {:.2} seconds", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_urls_default_to_the_articles_three() {
        let args = Args::try_parse_from(["async_fetch_sim"]).expect("no flags is valid");
        assert_eq!(args.urls.len(), 3);
        let args = Args::try_parse_from(["async_fetch_sim", "http://127.0.0.1/x"])
            .expect("a URL is valid");
        assert_eq!(args.urls, ["http://127.0.0.1/x"]);
    }
}
