//! Scrape N home pages with a pool of worker processes.
//!
//! Mirrors: "Asyncio vs multithreading vs multiprocessing in Python" (blog),
//!          section "how does multiprocessing work?".
//! Run:     cargo run --release -p scrape_processes [-- --count 500 --quiet]
//! Notice:  each request blocks its whole process: the site sees one request per
//!          worker at once (1 with `--as-in-article`), after the workers started.
//! Python -> Rust: `ProcessPoolExecutor()` -> `support::pool` (this binary, run
//!          again as workers); `as_completed` -> `imap_unordered`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use support::Timer;
use support::cli::{cpu_count_default, workers};
use support::pages::{ScrapeArgs, Tally, WorkerPage, exit_with_error, ureq_failure};
use support::pool::{PoolBuilder, TaskError, TaskTimeoutArg, serve_if_worker};
use support::web::blocking_agent;

/// Scrape the home pages of the top N "domains" with a pool of processes.
#[derive(clap::Parser, Debug)]
#[command(version)]
struct Args {
    #[command(flatten)]
    pages: ScrapeArgs, // --site, --count, --urls, --quiet, --timeout: as in every scrape_*
    /// Worker processes (one per CPU, as ProcessPoolExecutor()).
    #[arg(long, default_value_t = cpu_count_default(), value_parser = workers)]
    workers: u32, // <- changed from scrape_threads
    /// Reproduce the article's bug: wait for every submitted task after each submit.
    #[arg(long)]
    as_in_article: bool,
    #[command(flatten)]
    pool: TaskTimeoutArg, // <- changed from scrape_threads
}

/// What scraping one URL gave: the page and who read it, or why it failed.
type Outcome = Result<WorkerPage, TaskError>; // <- changed from scrape_threads

/// Runs once in each worker process, before its first task: its own session.
fn start_worker(timeout: Duration) -> ureq::Agent {
    blocking_agent(timeout) // <- changed from scrape_threads
}

/// One request, in a worker process (the article submits `requests.get`).
#[tracing::instrument(skip(session))] // a span on --timeline's picture
fn fetch(url: &str, session: &ureq::Agent) -> Result<WorkerPage, String> {
    // <- changed from scrape_threads: the page says who read it
    session
        .get(url)
        .call()
        .and_then(|mut response| response.body_mut().read_to_string())
        .map(|body| WorkerPage::read_here(body.len())) // <- changed from scrape_threads
        .map_err(ureq_failure) // a 4xx/5xx too: blocking_agent makes it an `Err`
}

/// The article's `multiprocessing_scraper`: (input index, outcome) pairs, in completion order.
fn multiprocessing_scraper(
    urls: &[String],
    timeout: Duration,
    workers: u32,
    as_in_article: bool,
) -> anyhow::Result<Vec<(usize, Outcome)>> {
    // <- changed from scrape_threads: the name and result above, the whole body
    // `with ProcessPoolExecutor() as executor`; dropping the pool ends the workers.
    let mut pool = PoolBuilder::new(workers as usize)
        .initializer(&timeout) // for `start_worker`
        .spawn()
        .context("starting the worker processes")?;
    if as_in_article {
        // The article's as_completed loop inside its submit loop: one URL at a time.
        let mut completed = Vec::with_capacity(urls.len());
        for (index, url) in urls.iter().enumerate() {
            for (_, outcome) in pool.imap_unordered(vec![url.clone()]) {
                completed.push((index, outcome));
            }
        }
        return Ok(completed);
    }
    // The intended version: hand over every URL, take results as they come.
    Ok(pool.imap_unordered(urls.to_vec()).collect())
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // A worker runs `start_worker`, answers tasks and exits here; the parent goes on.
    serve_if_worker(start_worker, |session, url: String| fetch(&url, session)); // <- changed from scrape_threads
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    args.pool.apply_to_every_pool(); // <- changed from scrape_threads
    let pages = args.pages.start(); // the top N "domains" of our site, or --urls
    let urls = &pages.urls;
    let workers = args.workers;

    let timer = Timer::start();
    let completed =
        match multiprocessing_scraper(urls, args.pages.timeout(), workers, args.as_in_article) {
            // <- changed from scrape_threads: the workers may fail to start
            Ok(completed) => completed,
            Err(err) => return exit_with_error(1, err),
        };
    let elapsed = timer.elapsed();

    // Lines in completion order, each naming the worker that read the page.
    let mut tally = Tally::new(args.pages.quiet);
    tally.record_completed(urls, &completed);
    let max_in_flight = pages.max_in_flight();
    tally.print_scraped(format_args!(" with {workers} processes"), max_in_flight); // <- changed from scrape_threads
    let (name, seconds) = (env!("CARGO_PKG_NAME"), elapsed.as_secs_f64());
    tally
        .report(name, elapsed, max_in_flight)
        .extra("workers", workers)
        .extra("as_in_article", args.as_in_article)
        .finish(format_args!("Function '{name}' executed in {seconds:.4}s"))
}
