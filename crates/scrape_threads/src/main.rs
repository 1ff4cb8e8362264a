//! Scrape N home pages with a pool of threads, handling pages as they finish.
//!
//! Mirrors: "Asyncio vs multithreading vs multiprocessing in Python" (blog),
//!          section "how does multithreading work in Python?".
//! Run:     cargo run --release -p scrape_threads [-- --count 500 --quiet]
//! Notice:  pages come back in completion order (`as_completed`); the site sees one
//!          request per thread at once (1 with `--as-in-article`, the article's bug).
//! Python -> Rust: `ThreadPoolExecutor()` -> scoped threads taking jobs from a channel;
//!          `as_completed` -> a second channel. The baseline: `diff` it with its siblings.

use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use support::Timer;
use support::cli::{thread_pool_executor_default, workers};
use support::pages::{ScrapeArgs, Tally, ureq_failure};
use support::web::blocking_agent;

/// Scrape the home pages of the top N "domains" with a pool of threads.
#[derive(clap::Parser, Debug)]
#[command(version)]
struct Args {
    #[command(flatten)]
    pages: ScrapeArgs, // --site, --count, --urls, --quiet, --timeout: as in every scrape_*
    /// Threads in the pool (min(32, CPUs + 4), as ThreadPoolExecutor()).
    #[arg(long, default_value_t = thread_pool_executor_default(), value_parser = workers)]
    workers: u32,
    /// Reproduce the article's bug: wait for every submitted task after each submit.
    #[arg(long)]
    as_in_article: bool,
}

/// What scraping one URL gave: the page's size, or why it failed.
type Outcome = Result<usize, String>;

/// One request, on a pool thread (the article submits `requests.get`).
#[tracing::instrument(skip(session))] // a span on --timeline's picture
fn fetch(url: &str, session: &ureq::Agent) -> Outcome {
    session
        .get(url)
        .call()
        .and_then(|mut response| response.body_mut().read_to_string())
        .map(|body| body.len())
        .map_err(ureq_failure) // a 4xx/5xx too: blocking_agent makes it an `Err`
}

/// The article's `multithreading_scraper`: (input index, outcome) pairs, in completion order.
fn multithreading_scraper(
    urls: &[String],
    timeout: Duration,
    workers: u32,
    as_in_article: bool,
) -> Vec<(usize, Outcome)> {
    // One session, shared by all threads (the article's `requests.get` connects each time).
    let session = blocking_agent(timeout);
    let (job_sender, job_receiver) = mpsc::channel::<(usize, &str)>();
    let (result_sender, result_receiver) = mpsc::channel::<(usize, Outcome)>();
    // The executor's queue: one receiver, locked by each thread only to take a job.
    let job_receiver = Mutex::new(job_receiver);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (jobs, results, session) = (&job_receiver, result_sender.clone(), &session);
            scope.spawn(move || {
                loop {
                    // Its own statement, so the lock is released before the fetch
                    // (a `while let` would hold it for the whole body).
                    let job = jobs.lock().expect("no pool thread panics").recv();
                    let Ok((index, url)) = job else { break };
                    let _ = results.send((index, fetch(url, session))); // the receiver outlives us
                }
            });
        }
        let mut completed = Vec::with_capacity(urls.len());
        for (index, url) in urls.iter().enumerate() {
            job_sender
                .send((index, url)) // executor.submit(requests.get, url)
                .expect("pool threads live until the job channel closes");
            // The article's as_completed loop, inside its submit loop: it waits for all so far.
            while as_in_article && completed.len() <= index {
                completed.push(result_receiver.recv().expect("a thread answers"));
            }
        }
        // The intended version: everything is submitted; now as_completed.
        completed.extend(result_receiver.iter().take(urls.len() - completed.len()));
        drop(job_sender); // no more jobs: the threads leave their loop
        completed
    })
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    let pages = args.pages.start(); // the top N "domains" of our site, or --urls
    let urls = &pages.urls;
    let workers = args.workers;

    let timer = Timer::start();
    let completed = multithreading_scraper(urls, args.pages.timeout(), workers, args.as_in_article);
    let elapsed = timer.elapsed();

    // Lines in completion order, as `as_completed` hands them out.
    let mut tally = Tally::new(args.pages.quiet);
    tally.record_completed(urls, &completed);
    let max_in_flight = pages.max_in_flight();
    tally.print_scraped(format_args!(" with {workers} threads"), max_in_flight);
    let (name, seconds) = (env!("CARGO_PKG_NAME"), elapsed.as_secs_f64());
    tally
        .report(name, elapsed, max_in_flight)
        .extra("workers", workers)
        .extra("as_in_article", args.as_in_article)
        .finish(format_args!("Function '{name}' executed in {seconds:.4}s"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::testkit::{domain_urls, local_site};

    #[test]
    fn the_pool_keeps_its_size_in_flight() {
        let site = local_site(200, 0.0);
        let urls = domain_urls(&site, 24);
        let completed = multithreading_scraper(&urls, Duration::from_secs(10), 6, false);
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
        let completed = multithreading_scraper(&urls, Duration::from_secs(10), 3, false);
        assert_eq!(completed.last().map(|(index, _)| *index), Some(0));
    }

    #[test]
    fn the_article_version_runs_one_at_a_time() {
        let site = local_site(20, 0.0);
        let urls = domain_urls(&site, 10);
        let completed = multithreading_scraper(&urls, Duration::from_secs(10), 6, true);
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
        let completed = multithreading_scraper(&urls, Duration::from_secs(10), 8, false);
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
