//! Scrape N home pages with a pool of threads, handling pages as they finish.
//!
//! Mirrors: "Asyncio vs multithreading vs multiprocessing in Python" (blog),
//!          section "how does multithreading work in Python?".
//! Run:     cargo run --release -p scrape_threads [-- --count 500]
//! Notice:  pages come back in *completion* order (the twin of
//!          `as_completed`), and the site sees as many requests at once as
//!          there are threads in the pool.
//! Python -> Rust: `ThreadPoolExecutor()` -> a fixed set of `std::thread`s
//!          pulling jobs from a channel; `as_completed(futures)` -> a second
//!          channel the threads send results on, read in arrival order.
//!          Rust has no GIL, but for I/O-bound work that changes little:
//!          the threads spend their time waiting on the network either way.
//!
//! The article's mistake (`--as-in-article`): its `as_completed` loop sits
//! *inside* the submit loop. After submitting URL k it waits for every task
//! submitted so far, URL k included, before submitting URL k+1. So the pool
//! never has more than one request running and the "concurrent" scraper is
//! a slow serial one: that is why it needed 44.6 s for 500 URLs. By default
//! this example submits everything first and then collects; with the flag it
//! reproduces the mistake, and the site's max in flight drops to 1.
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
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use clap::Parser;
use support::Timer;
use support::pages::{ScrapeArgs, Tally, exit_with_error, ureq_failure};
use support::web::blocking_agent;

/// Scrape the home pages of the top N "domains" with a pool of threads.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    // --site, --count, --urls, --quiet and the local site's knobs, the same
    // in the four scrape_* examples.
    #[command(flatten)]
    pages: ScrapeArgs,

    /// Threads in the pool [default: CPUs + 4, at most 32, as ThreadPoolExecutor]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    workers: Option<u32>,

    /// Reproduce the article's bug: wait for every submitted task after each submit.
    #[arg(long)]
    as_in_article: bool,
}

/// What scraping one URL gave: the page's size, or why it failed.
type Outcome = std::result::Result<usize, String>;

/// One request, run on a pool thread (the article submits `requests.get`).
fn fetch(agent: &ureq::Agent, url: &str) -> Outcome {
    let mut response = agent.get(url).call().map_err(ureq_failure)?;
    let body = response.body_mut().read_to_string().map_err(ureq_failure)?;
    Ok(body.len())
}

/// The twin of `multithreading_scraper`: returns `(input index, outcome)`
/// pairs in the order the requests *finished*.
fn multithreading_scraper(
    urls: &[String],
    workers: usize,
    timeout: Duration,
    as_in_article: bool,
) -> Vec<(usize, Outcome)> {
    // One agent (connection pool) for all threads: ureq's Agent is an Arc
    // inside, safe to share. `requests.get` in the article opens a new
    // connection per call instead.
    let agent = blocking_agent(timeout);
    let (job_sender, job_receiver) = mpsc::channel::<(usize, &str)>();
    let (result_sender, result_receiver) = mpsc::channel::<(usize, Outcome)>();
    // Several threads take jobs from one queue: the receiver is shared
    // behind a mutex, held only while taking the next job.
    let job_receiver = Arc::new(Mutex::new(job_receiver));

    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (jobs, results, agent) = (&job_receiver, result_sender.clone(), &agent);
            scope.spawn(move || {
                loop {
                    let job = jobs.lock().expect("no pool thread panics").recv();
                    let Ok((index, url)) = job else { break };
                    if results.send((index, fetch(agent, url))).is_err() {
                        break;
                    }
                }
            });
        }

        let mut completed = Vec::with_capacity(urls.len());
        for (index, url) in urls.iter().enumerate() {
            // executor.submit(requests.get, url)
            job_sender
                .send((index, url))
                .expect("pool threads live until the job channel closes");
            if as_in_article {
                // The article's as_completed(threads) runs here, inside the
                // submit loop: wait for everything submitted so far.
                while completed.len() <= index {
                    completed.push(result_receiver.recv().expect("a thread answers"));
                }
            }
        }
        // Correct version: everything is submitted; now as_completed.
        while completed.len() < urls.len() {
            completed.push(result_receiver.recv().expect("a thread answers"));
        }
        drop(job_sender); // no more jobs: the threads leave their loop
        completed
    })
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
    let workers = args.workers.map_or_else(default_workers, |n| n as usize);

    let timer = Timer::start();
    let completed = multithreading_scraper(urls, workers, args.pages.timeout(), args.as_in_article);
    let elapsed = timer.elapsed();

    // Lines in completion order, as `as_completed` hands them out.
    let mut tally = Tally::new(args.pages.quiet);
    for (index, outcome) in &completed {
        tally.record(&urls[*index], outcome);
    }
    let max_in_flight = pages.max_in_flight();
    tally.print_scraped(format_args!(" with {workers} threads"), max_in_flight);
    Ok(tally
        .report("scrape_threads", elapsed, max_in_flight)
        .extra("workers", workers)
        .extra("as_in_article", args.as_in_article)
        .finish(format!(
            "Function 'scrape_threads' executed in {:.4}s",
            elapsed.as_secs_f64()
        )))
}

/// `ThreadPoolExecutor`'s default size: min(32, CPUs + 4).
fn default_workers() -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cpus + 4).min(32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::testkit::{domain_urls, local_site};

    #[test]
    fn the_pool_keeps_its_size_in_flight() {
        let site = local_site(200, 0.0);
        let urls = domain_urls(&site, 24);
        let completed = multithreading_scraper(&urls, 6, Duration::from_secs(10), false);
        let mut indexes: Vec<usize> = completed.iter().map(|(index, _)| *index).collect();
        indexes.sort_unstable();
        assert_eq!(indexes, (0..24).collect::<Vec<_>>(), "one result per URL");
        assert!(completed.iter().all(|(_, outcome)| outcome.is_ok()));
        assert_eq!(site.stats().max_in_flight, 6);
    }

    #[test]
    fn results_arrive_in_completion_order() {
        let site = local_site(0, 0.0);
        // The first URL is slow, the others fast: with 3 threads it must
        // come back last even though it was submitted first.
        let mut urls = vec![format!("{}/domains/1?latency_ms=400", site.url())];
        urls.extend((2..=6).map(|i| format!("{}/domains/{i}?latency_ms=0", site.url())));
        let completed = multithreading_scraper(&urls, 3, Duration::from_secs(10), false);
        assert_eq!(completed.last().map(|(index, _)| *index), Some(0));
    }

    #[test]
    fn the_article_version_runs_one_at_a_time() {
        let site = local_site(20, 0.0);
        let urls = domain_urls(&site, 10);
        let completed = multithreading_scraper(&urls, 6, Duration::from_secs(10), true);
        assert_eq!(completed.len(), 10);
        // Serial in effect: results come back in submit order, one at a time.
        let order: Vec<usize> = completed.iter().map(|(index, _)| *index).collect();
        assert_eq!(order, (0..10).collect::<Vec<_>>());
        assert_eq!(site.stats().max_in_flight, 1);
    }

    #[test]
    fn failures_are_counted_and_the_rest_go_on() {
        let site = local_site(0, 0.1);
        let urls = domain_urls(&site, 200);
        let completed = multithreading_scraper(&urls, 8, Duration::from_secs(10), false);
        assert_eq!(completed.len(), 200);
        let failed = completed.iter().filter(|(_, o)| o.is_err()).count() as u64;
        assert!(
            failed > 0,
            "a 10% error rate over 200 requests gave no failure"
        );
        assert_eq!(
            failed,
            site.stats().by_status.get(&500).copied().unwrap_or(0)
        );
    }
}
