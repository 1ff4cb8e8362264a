//! Scrape N home pages with worker processes that each run an event loop.
//!
//! Mirrors: "Asyncio vs multithreading vs multiprocessing in Python" (blog),
//!          section "Is it possible to combine Asyncio with multiprocessing?".
//! Run:     cargo run --release -p scrape_async_processes [-- --count 500 --per-process 42]
//! Notice:  each worker scrapes a whole chunk of --per-process URLs at once, so the
//!          site sees (busy workers x chunk size) at once; `--as-in-article`: 1 chunk.
//! Python -> Rust: `ProcessPoolExecutor` + `async_aiohttp_scraper` per chunk ->
//!          `support::pool` tasks that each build a tokio runtime and a `reqwest::Client`.

use std::process::ExitCode;
use std::time::Duration;

use futures::{TryFutureExt, future::join_all};
use support::Timer;
use support::cli::{cpu_count_default, workers};
use support::pages::{ScrapeArgs, Tally, WorkerPage, exit_with_error, reqwest_failure};
use support::pool::{PoolBuilder, TaskError, TaskTimeoutArg, serve_if_worker};
use support::web::async_client;
use tokio::runtime::Builder;

/// Scrape the top N "domains": chunks of URLs, each scraped by an async worker process.
#[derive(clap::Parser, Debug)]
#[command(version)]
struct Args {
    #[command(flatten)]
    pages: ScrapeArgs, // --site, --count, --urls, --quiet, --timeout: as in every scrape_*
    /// URLs per chunk [default: URLs / workers, rounded up; the article used 1 for 10 URLs and 42 for 500]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    per_process: Option<u32>, // <- changed from scrape_threads
    /// Worker processes (one per CPU, as ProcessPoolExecutor()).
    #[arg(long, default_value_t = cpu_count_default(), value_parser = workers)]
    workers: u32, // <- changed from scrape_threads
    /// Reproduce the article's bug: wait for every submitted chunk after each submit.
    #[arg(long)]
    as_in_article: bool,
    #[command(flatten)]
    pool: TaskTimeoutArg, // <- changed from scrape_threads
}

/// What scraping one URL gave: the page and who read it, or why it failed.
type Outcome = Result<WorkerPage, String>; // <- changed from scrape_threads

/// One request on the worker's event loop: the article's inner `fetch(url)`.
#[tracing::instrument(skip(session))] // a span on --timeline's picture
async fn fetch(url: &str, session: &reqwest::Client) -> Outcome {
    // <- changed from scrape_threads: `async` above; a 500 fails in `error_for_status`
    session
        .get(url)
        .send() // <- changed from scrape_threads
        .and_then(|response| async { response.error_for_status()?.text().await }) // <- changed from scrape_threads
        .await // <- changed from scrape_threads
        .map(|body| WorkerPage::read_here(body.len())) // <- changed from scrape_threads
        .map_err(reqwest_failure) // <- changed from scrape_threads
}

/// One task, in a worker process: the article's `async_aiohttp_scraper` for one
/// chunk, on its own event loop and session, every URL of it in flight at once.
fn async_aiohttp_scraper(
    timeout: &mut Duration,
    urls: Vec<String>,
) -> Result<Vec<Outcome>, String> {
    // <- changed from scrape_threads: the whole function (new in this file)
    let runtime = Builder::new_current_thread().enable_all().build();
    let runtime = runtime.map_err(|err| format!("starting the runtime: {err}"))?;
    let session = async_client(*timeout).map_err(|err| format!("{err:#}"))?;
    Ok(runtime.block_on(join_all(urls.iter().map(|url| fetch(url, &session)))))
}

/// The article's `async_multiprocessing_scraper`: (URL index, outcome), as chunks finish.
fn async_multiprocessing_scraper(
    urls: &[String],
    per_process: usize,
    timeout: Duration,
    workers: u32,
    as_in_article: bool,
) -> anyhow::Result<Vec<(usize, Outcome)>> {
    // <- changed from scrape_threads: the name and result above, the whole body
    let chunks: Vec<&[String]> = urls.chunks(per_process).collect();
    let mut pool = PoolBuilder::new(workers as usize)
        .initializer(&timeout)
        .spawn::<&[String], Vec<Outcome>>()
        .map_err(|err| anyhow::anyhow!("starting the worker processes: {err}"))?;
    // The article (as_completed inside its submit loop) waits for each chunk.
    let batch_size = if as_in_article { 1 } else { chunks.len() }; // never 0: URLs are never 0
    let mut completed = Vec::with_capacity(urls.len());
    for (first_chunk, batch) in (0..).step_by(batch_size).zip(chunks.chunks(batch_size)) {
        for (offset, result) in pool.imap_unordered(batch.to_vec()) {
            let chunk = first_chunk + offset;
            let fail_every_url = |err: TaskError| vec![Err(err.to_string()); batch[offset].len()];
            completed.extend((chunk * per_process..).zip(result.unwrap_or_else(fail_every_url)));
        }
    }
    Ok(completed)
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // A worker process serves chunks here and exits; the parent goes on.
    serve_if_worker(|timeout: Duration| timeout, async_aiohttp_scraper); // <- changed from scrape_threads
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    args.pool.apply_to_every_pool(); // <- changed from scrape_threads
    let pages = args.pages.start(); // the top N "domains" of our site, or --urls
    let urls = &pages.urls;
    let workers = args.workers;
    let default_chunk = urls.len().div_ceil(workers as usize); // <- changed from scrape_threads
    let per_process = args.per_process.map_or(default_chunk, |n| n as usize); // <- changed from scrape_threads

    let timer = Timer::start();
    let (timeout, as_in_article) = (args.pages.timeout(), args.as_in_article); // <- changed from scrape_threads
    let scraped = async_multiprocessing_scraper(urls, per_process, timeout, workers, as_in_article); // <- changed from scrape_threads
    let completed = match scraped {
        // <- changed from scrape_threads: the workers may fail to start
        Ok(completed) => completed,
        Err(err) => return exit_with_error(1, err),
    };
    let elapsed = timer.elapsed();

    // Lines chunk by chunk, each naming the worker that read the page.
    let mut tally = Tally::new(args.pages.quiet);
    tally.record_completed(urls, &completed);
    let max_in_flight = pages.max_in_flight();
    let plural = if per_process == 1 { "" } else { "s" }; // <- changed from scrape_threads
    let setup = format!(" with {workers} processes, {per_process} URL{plural} per chunk"); // <- changed from scrape_threads
    tally.print_scraped(setup, max_in_flight); // <- changed from scrape_threads
    let (name, seconds) = (env!("CARGO_PKG_NAME"), elapsed.as_secs_f64());
    tally
        .report(name, elapsed, max_in_flight)
        .extra("workers", workers)
        .extra("per_process", per_process) // <- changed from scrape_threads
        .extra("as_in_article", args.as_in_article)
        .finish(format_args!("Function '{name}' executed in {seconds:.4}s"))
}
