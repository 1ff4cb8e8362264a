//! Scrape N home pages with a pool of worker processes.
//!
//! Mirrors: "Asyncio vs multithreading vs multiprocessing in Python" (blog),
//!          section "how does multiprocessing work?".
//! Run:     cargo run --release -p scrape_processes [-- --count 500]
//! Notice:  it works, but each request still blocks its whole process, so
//!          the site never sees more requests at once than there are
//!          workers; and the workers had to be started first. Processes buy
//!          CPU parallelism, which a scraper waiting on the network does not
//!          need.
//! Python -> Rust: `ProcessPoolExecutor()` -> `support::pool`, a small pool
//!          that starts this same binary again as its workers (Rust has no
//!          built-in process pool); `as_completed` -> `imap_unordered`, which
//!          yields results as workers finish them.
//!
//! The article's mistake (`--as-in-article`): as in its threaded scraper,
//! the `as_completed` loop sits inside the submit loop, so after each submit
//! it waits for that task before submitting the next. One worker at a time
//! does all the work, so the pool brings no speed-up at all (the article
//! measured 443.7 s for 500 URLs, against 44.6 s for its threaded scraper
//! with the same mistake: the mistake alone does not explain all of that
//! gap; each request also runs in another process). By default
//! this example hands the pool every URL at once; with the flag it submits
//! and waits one by one, and the site's max in flight drops to 1.
//!
//! Try this (the article's rule of thumb, with the local site's knobs):
//!   many slow answers: async wins by a wide margin
//!     cargo run --release --bin site_server -- --latency-ms 500
//!     cargo run --release -p scrape_processes -- --site URL --count 500
//!     cargo run --release -p scrape_async     -- --site URL --count 500

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use support::Timer;
use support::pages::{ScrapeArgs, Tally, exit_with_error, ureq_failure};
use support::pool::{PoolBuilder, TaskError, TaskTimeoutArg, serve_if_worker, worker_id};
use support::web::blocking_agent;

/// Scrape the home pages of the top N "domains" with a pool of processes.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    // --site, --count, --urls, --quiet and the local site's knobs, the same
    // in the four scrape_* examples.
    #[command(flatten)]
    pages: ScrapeArgs,

    /// Worker processes [default: CPUs, as ProcessPoolExecutor]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    workers: Option<u32>,

    /// Reproduce the article's bug: wait for each submitted task before the next.
    #[arg(long)]
    as_in_article: bool,

    #[command(flatten)]
    pool: TaskTimeoutArg,
}

/// What a worker sends back for one URL: page size, and who read it.
type Page = (usize, usize, u32);

/// Runs once in each worker process: its own HTTP client.
fn start_worker(timeout_secs: f64) -> ureq::Agent {
    blocking_agent(Duration::from_secs_f64(timeout_secs))
}

/// One task, run inside a worker process: fetch one URL.
fn fetch(agent: &mut ureq::Agent, url: String) -> std::result::Result<Page, String> {
    let mut response = agent.get(&url).call().map_err(ureq_failure)?;
    let body = response.body_mut().read_to_string().map_err(ureq_failure)?;
    let worker = worker_id().unwrap_or(0);
    Ok((body.len(), worker, std::process::id()))
}

/// The twin of `multiprocessing_scraper`: `(input index, outcome)` pairs in
/// completion order.
fn multiprocessing_scraper(
    urls: &[String],
    workers: usize,
    timeout: Duration,
    as_in_article: bool,
) -> Result<Vec<(usize, std::result::Result<Page, TaskError>)>> {
    let mut pool = PoolBuilder::new(workers)
        .initializer(&timeout.as_secs_f64())
        .spawn()
        .context("starting the worker processes")?;
    if as_in_article {
        // Submit one, wait for it, submit the next: one process works.
        let mut completed = Vec::with_capacity(urls.len());
        for (index, url) in urls.iter().enumerate() {
            let mut results = pool.map(vec![url.clone()]);
            completed.push((
                index,
                results.pop().expect("map returns one result per task"),
            ));
        }
        return Ok(completed);
    }
    // Hand over every URL; take results as they come (as_completed).
    Ok(pool.imap_unordered(urls.to_vec()).collect())
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // A worker process serves tasks here and exits; the parent goes on.
    serve_if_worker(start_worker, fetch);

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

    let timer = Timer::start();
    let completed =
        multiprocessing_scraper(urls, workers, args.pages.timeout(), args.as_in_article)?;
    let elapsed = timer.elapsed();

    // Lines in completion order, each saying which worker read the page.
    let mut tally = Tally::new(args.pages.quiet);
    for (index, outcome) in &completed {
        let url = &urls[*index];
        match outcome {
            Ok((bytes, worker, pid)) => {
                tally.page_read(url, *bytes, format_args!(" (worker {worker}, pid {pid})"))
            }
            Err(reason) => tally.page_failed(url, reason),
        }
    }
    let max_in_flight = pages.max_in_flight();
    tally.print_scraped(format_args!(" with {workers} processes"), max_in_flight);
    Ok(tally
        .report("scrape_processes", elapsed, max_in_flight)
        .extra("workers", workers)
        .extra("as_in_article", args.as_in_article)
        .finish(format!(
            "Function 'scrape_processes' executed in {:.4}s",
            elapsed.as_secs_f64()
        )))
}

/// `ProcessPoolExecutor`'s default size: one worker per CPU.
fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
