//! Scrape N home pages with a pool of worker processes.
//!
//! Mirrors: "Asyncio vs multithreading vs multiprocessing in Python" (blog),
//!          section "how does multiprocessing work?".
//! Run:     cargo run --release -p scrape_processes [-- --count 500 --quiet]
//! Notice:  each request still blocks its whole process, so the site never
//!          sees more requests at once than there are workers, and the
//!          workers had to be started first; with `--as-in-article` it sees 1.
//! Python -> Rust: `ProcessPoolExecutor()` -> `support::pool`, which runs this
//!          binary again as its workers; `as_completed` -> `imap_unordered`,
//!          which yields results as the workers finish them.
//! Exit:    0 all pages read, 1 some failed (each printed), 2 bad arguments.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use support::Timer;
use support::cli::{cpu_count_default, workers};
use support::pages::{ScrapeArgs, Tally, WorkerPage, exit_with_error, ureq_failure};
use support::pool::{PoolBuilder, TaskError, TaskTimeoutArg, serve_if_worker};
use support::web::blocking_agent;

/// Scrape the home pages of the top N "domains" with a pool of processes.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    // --site, --count, --urls, --quiet, --timeout and the local site's knobs,
    // the same in the four scrape_* examples.
    #[command(flatten)]
    pages: ScrapeArgs,

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
fn fetch(url: &str, session: &ureq::Agent) -> Result<WorkerPage, String> {
    // <- changed from scrape_threads: the page says who read it
    // `blocking_agent` turns 4xx/5xx statuses into errors, so a 500 takes the
    // same path as a refused connection or a timeout.
    session
        .get(url)
        .call()
        .and_then(|mut response| response.body_mut().read_to_string())
        .map(|body| WorkerPage::read_here(body.len())) // <- changed from scrape_threads
        .map_err(ureq_failure)
}

/// The article's `multiprocessing_scraper`: `(input index, outcome)` pairs in
/// the order the requests finished.
fn multiprocessing_scraper(
    urls: &[String],
    timeout: Duration,
    workers: usize,
    as_in_article: bool,
) -> anyhow::Result<Vec<(usize, Outcome)>> {
    // <- changed from scrape_threads: the name and result above, the whole body
    // `with ProcessPoolExecutor() as executor`: start the workers, each of
    // which gets the timeout for `start_worker`. Dropping the pool closes
    // their stdin and waits for them to exit.
    let mut pool = PoolBuilder::new(workers)
        .initializer(&timeout)
        .spawn()
        .context("starting the worker processes")?;
    if as_in_article {
        // The article's as_completed loop inside its submit loop: submit one
        // URL, wait for it, submit the next. One worker at a time works.
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
    // In a worker process this runs `start_worker`, answers tasks until the
    // parent closes the pipe, and exits; in the parent it returns at once.
    serve_if_worker(start_worker, |session, url: String| fetch(&url, session)); // <- changed from scrape_threads
    let args = Args::parse();
    args.pool.apply_to_every_pool(); // <- changed from scrape_threads
    // The top N "domains" of our site, or the --urls file.
    let pages = args.pages.start();
    let urls = &pages.urls;
    let workers = args.workers as usize;

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
    for (index, outcome) in &completed {
        tally.record(&urls[*index], outcome);
    }
    let max_in_flight = pages.max_in_flight();
    tally.print_scraped(format_args!(" with {workers} processes"), max_in_flight); // <- changed from scrape_threads
    let seconds = elapsed.as_secs_f64();
    tally
        .report("scrape_processes", elapsed, max_in_flight) // <- changed from scrape_threads
        .extra("workers", workers)
        .extra("as_in_article", args.as_in_article)
        .finish(format_args!(
            "Function 'scrape_processes' executed in {seconds:.4}s"
        )) // <- changed from scrape_threads
}
