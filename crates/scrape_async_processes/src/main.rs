//! Scrape N home pages with worker processes that each run an event loop.
//!
//! Mirrors: "Asyncio vs multithreading vs multiprocessing in Python" (blog),
//!          section "Is it possible to combine Asyncio with multiprocessing?".
//! Run:     cargo run --release -p scrape_async_processes [-- --count 500]
//! Notice:  URLs go out in chunks of --per-process; each worker process runs
//!          its own tokio runtime and scrapes its whole chunk at once, so the
//!          site sees (busy workers x chunk size) requests at once. Done
//!          right, this is never slower than plain processes; it only pays
//!          off when parsing the pages needs more than one core.
//! Python -> Rust: `ProcessPoolExecutor` + `async_aiohttp_scraper` per chunk
//!          -> `support::pool` (this binary started again as workers) whose
//!          initializer builds one runtime and one `reqwest::Client` per
//!          process; each task is a chunk, scraped with `join_all`.
//!
//! The article's mistake (`--as-in-article`): the `as_completed` loop sits
//! inside the submit loop, so each chunk is submitted only after the
//! previous one finished. One process works at a time, which is how 500
//! URLs took 1607 s there. With the flag this example does the same: the
//! site's max in flight falls to one chunk (1 with --per-process 1).
//!
//! Try this:
//!     cargo run --release --bin site_server -- --latency-ms 100
//!     cargo run --release -p scrape_async_processes -- --site URL --count 500 --per-process 42
//!     cargo run --release -p scrape_async_processes -- --site URL --count 500 --per-process 42 --as-in-article

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use futures::future::join_all;
use support::Timer;
use support::pages::{ScrapeArgs, Tally, exit_with_error, reqwest_failure};
use support::pool::{PoolBuilder, TaskError, TaskTimeoutArg, serve_if_worker, worker_id};

/// Scrape the top N "domains": chunks of URLs, each scraped by an async worker process.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    // --site, --count, --urls, --quiet and the local site's knobs, the same
    // in the four scrape_* examples.
    #[command(flatten)]
    pages: ScrapeArgs,

    /// URLs per chunk [default: URLs / workers, rounded up; the article used 1 for 10 URLs and 42 for 500]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    per_process: Option<u32>,

    /// Worker processes [default: CPUs, as ProcessPoolExecutor]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    workers: Option<u32>,

    /// Reproduce the article's bug: wait for each submitted chunk before the next.
    #[arg(long)]
    as_in_article: bool,

    #[command(flatten)]
    pool: TaskTimeoutArg,
}

/// One URL's outcome as a worker reports it: (page size, worker), or why it failed.
type Outcome = std::result::Result<(usize, usize), String>;

/// What each worker process keeps between tasks: its event loop and its
/// HTTP client (one connection pool per process).
struct Worker {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

/// Runs once in each worker process, like a Pool initializer.
fn start_worker(timeout_secs: f64) -> std::result::Result<Worker, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("starting the runtime: {err}"))?;
    let client = support::web::async_client(Duration::from_secs_f64(timeout_secs))
        .map_err(|err| format!("{err:#}"))?;
    Ok(Worker { runtime, client })
}

/// One request on the worker's event loop.
async fn fetch(client: &reqwest::Client, url: &str) -> Outcome {
    let response = client
        .get(url)
        .send()
        .await
        .and_then(|response| response.error_for_status())
        .map_err(reqwest_failure)?;
    let body = response.text().await.map_err(reqwest_failure)?;
    Ok((body.len(), worker_id().unwrap_or(0)))
}

/// One task, inside a worker process: the article's `async_aiohttp_scraper`
/// for one chunk. Every URL of the chunk is in flight at once.
fn async_scraper(
    worker: &mut std::result::Result<Worker, String>,
    chunk: Vec<String>,
) -> std::result::Result<Vec<Outcome>, String> {
    let worker = worker.as_ref().map_err(|reason| reason.clone())?;
    let requests = chunk.iter().map(|url| fetch(&worker.client, url));
    Ok(worker.runtime.block_on(join_all(requests)))
}

/// The twin of `async_multiprocessing_scraper`: one outcome per URL, in
/// completion order of the chunks.
fn async_multiprocessing_scraper(
    urls: &[String],
    workers: usize,
    per_process: usize,
    timeout: Duration,
    as_in_article: bool,
) -> Result<Vec<(usize, Outcome)>> {
    let chunks: Vec<Vec<String>> = urls.chunks(per_process).map(<[String]>::to_vec).collect();
    let mut pool = PoolBuilder::new(workers)
        .initializer(&timeout.as_secs_f64())
        .spawn()
        .context("starting the worker processes")?;
    let finished: Vec<(usize, std::result::Result<Vec<Outcome>, TaskError>)> = if as_in_article {
        // Submit a chunk, wait for it, then the next one.
        (0..chunks.len())
            .map(|index| {
                let mut results = pool.map(vec![chunks[index].clone()]);
                (
                    index,
                    results.pop().expect("map returns one result per task"),
                )
            })
            .collect()
    } else {
        pool.imap_unordered(chunks.clone()).collect()
    };

    // Spread each chunk's result back over its URLs; a chunk whose worker
    // failed as a whole fails each of its URLs with the same reason.
    let mut outcomes = Vec::with_capacity(urls.len());
    for (chunk_index, result) in finished {
        let first_url = chunk_index * per_process;
        match result {
            Ok(pages) => {
                for (offset, page) in pages.into_iter().enumerate() {
                    outcomes.push((first_url + offset, page));
                }
            }
            Err(err) => {
                for offset in 0..chunks[chunk_index].len() {
                    outcomes.push((first_url + offset, Err(err.to_string())));
                }
            }
        }
    }
    Ok(outcomes)
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // A worker process serves tasks here and exits; the parent goes on.
    serve_if_worker(start_worker, async_scraper);

    let args = Args::parse();
    args.pool.apply_to_every_pool();
    run(&args).unwrap_or_else(|err| exit_with_error(1, err))
}

fn run(args: &Args) -> Result<ExitCode> {
    // The top N "domains" of our site, or the --urls file.
    let pages = match args.pages.start() {
        Ok(pages) => pages,
        Err(exit_code) => return Ok(exit_code),
    };
    let urls = &pages.urls;
    let workers = args.workers.map_or_else(default_workers, |n| n as usize);
    let per_process = args
        .per_process
        .map_or_else(|| urls.len().div_ceil(workers), |n| n as usize);

    let timer = Timer::start();
    let outcomes = async_multiprocessing_scraper(
        urls,
        workers,
        per_process,
        args.pages.timeout(),
        args.as_in_article,
    )?;
    let elapsed = timer.elapsed();

    // Lines chunk by chunk, in the order the chunks finished.
    let mut tally = Tally::new(args.pages.quiet);
    for (index, outcome) in &outcomes {
        let url = &urls[*index];
        match outcome {
            Ok((bytes, worker)) => tally.page_read(url, *bytes, format_args!(" (worker {worker})")),
            Err(reason) => tally.page_failed(url, reason),
        }
    }
    let max_in_flight = pages.max_in_flight();
    tally.print_scraped(
        format_args!(
            " with {workers} processes, {per_process} URL{} per chunk",
            if per_process == 1 { "" } else { "s" }
        ),
        max_in_flight,
    );
    Ok(tally
        .report("scrape_async_processes", elapsed, max_in_flight)
        .extra("workers", workers)
        .extra("per_process", per_process)
        .extra("as_in_article", args.as_in_article)
        .finish(format!(
            "Function 'scrape_async_processes' executed in {:.4}s",
            elapsed.as_secs_f64()
        )))
}

/// `ProcessPoolExecutor`'s default size: one worker per CPU.
fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
