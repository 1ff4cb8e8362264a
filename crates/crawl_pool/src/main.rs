//! A breadth-first crawler that fetches its queue in batches of 10 pages at
//! once, on threads (default) or on worker processes (`--processes`).
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python" (LinkedIn
//!          notebook), `get_all_urls_parallel` and "parallel method test".
//! Run:     cargo run --release -p crawl_pool [-- --help]
//!          (the article's size: -- --pages 20000 --max-urls 20000)
//! Notice:  the site sees up to --workers requests at once, never more
//!          (`max_in_flight`), so the crawl runs about that many times faster
//!          than crawl_serial; but each batch waits for its slowest page.
//! Python -> Rust: `Pool(10)` + `apply_async(get_urls, callback=post_process)`
//!          -> `std::thread::scope` (a thread per URL), or `support::pool`.

use std::process::ExitCode;

use support::Timer;
use support::cli::workers; // <- changed from crawl_serial
use support::crawl::{Crawl, CrawlArgs, Page, PageError, crawl_agent};
use support::crawl::{CrawlWorkers, serve_if_crawl_worker}; // <- changed from crawl_serial
use support::pool::TaskTimeoutArg; // <- changed from crawl_serial
use url::Url;

/// Crawl the site breadth-first, a batch of pages at a time.
#[derive(Debug, clap::Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    crawl: CrawlArgs,
    /// Stop once this many URLs are found (the article: 20000); fewer pages are fetched.
    #[arg(long, value_name = "N", default_value_t = 500, // <- changed from crawl_serial
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    max_urls: u32,
    /// Pages fetched at once: the pool's size (the article's `max_worker`, 10).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = workers)]
    workers: u32, // <- changed from crawl_serial
    /// Fetch and parse in worker processes instead of threads.
    #[arg(long)] // <- changed from crawl_serial
    processes: bool, // <- changed from crawl_serial
    #[command(flatten)] // <- changed from crawl_serial
    pool: TaskTimeoutArg, // <- changed from crawl_serial
}

/// Fetch one page and return its links on the page's origin (the rules: support::crawl).
#[tracing::instrument(skip_all, fields(url = %url))] // a span on --timeline's picture
fn get_urls(agent: &ureq::Agent, url: &Url) -> Result<Vec<Url>, PageError> {
    let response = agent.get(url.as_str()).call()?;
    Ok(Page::read(url, response)?.links(url))
}

/// The article's `Pool(10)`: threads sharing one agent, or worker processes with their own.
enum Pool {
    Threads(ureq::Agent),         // <- changed from crawl_serial
    Processes(Box<CrawlWorkers>), // <- changed from crawl_serial
}

/// Run `get_urls` on every URL of the batch at once; one result per URL, in
/// batch order (the article's `apply_async` calls, then `pool.join()`).
fn map_batch(pool: &mut Pool, batch: &[Url]) -> Vec<Result<Vec<Url>, PageError>> {
    match pool {
        // A thread per URL: `scope` joins them all, so they may borrow the agent and URLs.
        Pool::Threads(agent) => std::thread::scope(|scope| {
            let agent = &*agent; // <- changed from crawl_serial
            let spawn = |url| scope.spawn(move || get_urls(agent, url));
            let threads: Vec<_> = batch.iter().map(spawn).collect(); // <- changed from crawl_serial
            let panicked = |_| Err(PageError::new("the fetching thread panicked"));
            let join =
                |thread: std::thread::ScopedJoinHandle<_>| thread.join().unwrap_or_else(panicked);
            threads.into_iter().map(join).collect() // <- changed from crawl_serial
        }),
        // One URL per process at a time: here too, at most `batch.len()` requests out.
        Pool::Processes(processes) => processes.map(batch), // <- changed from crawl_serial
    }
}

/// The batched crawl: fetch the next `max_worker` URLs of the queue at once,
/// queue their new links, until `max_urls` are found.
fn get_all_urls_parallel(pool: &mut Pool, url: Url, max_urls: usize, max_worker: usize) -> Crawl {
    // ^ changed from crawl_serial
    // `crawl.urls` is the article's `q` (and keeps `visited`); `next` is its `p`.
    let mut crawl = Crawl::new(url, max_urls);
    let mut next = 0;
    while next < crawl.urls.len() && crawl.urls.len() < max_urls {
        let batch = crawl.urls[next..(next + max_worker).min(crawl.urls.len())].to_vec();
        next += batch.len(); // <- changed from crawl_serial
        // The lesson of this file: a batch is out at once, then waited for.
        let results = map_batch(pool, &batch); // <- changed from crawl_serial
        // The article's callbacks, in batch order (its own: completion order).
        for (page, result) in batch.iter().zip(results) {
            crawl.post_process(page, result); // <- changed from crawl_serial
        }
    }
    crawl
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    serve_if_crawl_worker(get_urls); // <- changed from crawl_serial
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    args.pool.apply_to_every_pool(); // <- changed from crawl_serial
    let target = args.crawl.open();
    // One agent for the whole crawl, like one `requests` session: one connection, reused.
    let agent = crawl_agent(args.crawl.site.timeout());
    let (max_urls, workers) = (args.max_urls as usize, args.workers as usize);
    // Processes start once, not per batch as in the article: each start costs milliseconds.
    let mut pool = Pool::Threads(agent); // <- changed from crawl_serial
    if args.processes {
        let processes = CrawlWorkers::start(workers, args.crawl.site.timeout());
        pool = Pool::Processes(Box::new(processes)); // <- changed from crawl_serial
    }
    let kind = ["threads", "processes"][args.processes as usize]; // <- changed from crawl_serial

    let timer = Timer::start();
    let res = get_all_urls_parallel(&mut pool, target.start.clone(), max_urls, workers);
    let elapsed = timer.elapsed();
    let stats = target.stats();
    res.summarize(env!("CARGO_PKG_NAME"), elapsed, stats, workers) // <- changed from crawl_serial
        .extra("workers", kind) // <- changed from crawl_serial
        .finish(format_args!("{:.2} seconds.", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::crawl::testing::{OffOriginSite, graph_root, site_of_linked_pages};

    fn crawl(start: Url, max_urls: usize, workers: usize) -> Crawl {
        let mut pool = Pool::Threads(crawl_agent(std::time::Duration::from_secs(10)));
        get_all_urls_parallel(&mut pool, start, max_urls, workers)
    }

    #[test]
    fn finds_every_reachable_page_exactly_once() {
        let site = site_of_linked_pages(300, 0, 0.0);
        let graph = site::graph_info(300, site::Config::default().seed);
        let result = crawl(graph_root(&site), 10_000, 10);
        assert_eq!(result.urls.len(), graph.reachable);
        assert!(result.all_distinct());
        assert_eq!(result.failed, 0);
        assert_eq!(result.fetched, graph.reachable as u64);
        let stats = site.stats();
        assert_eq!(stats.requests, graph.reachable as u64, "each page once");
    }

    #[test]
    fn the_cap_on_requests_in_flight_is_reached_and_never_exceeded() {
        // A 20 ms answer leaves the threads of a batch plenty of time to
        // meet at the site; the batch size still caps them.
        let site = site_of_linked_pages(300, 20, 0.0);
        crawl(graph_root(&site), 150, 4);
        assert_eq!(site.stats().max_in_flight, 4, "the site's max in flight");
    }

    #[test]
    fn stops_at_max_urls() {
        let site = site_of_linked_pages(300, 0, 0.0);
        let result = crawl(graph_root(&site), 40, 10);
        assert_eq!(result.urls.len(), 40);
        assert!(result.all_distinct());
        assert!(site.stats().requests < 40);
        assert_eq!(site.stats().requests, result.fetched);
    }

    #[test]
    fn never_requests_another_origin() {
        let fixture = OffOriginSite::start();
        let result = crawl(fixture.start_url(), 1_000, 10);
        assert_eq!(
            fixture.other.stats().requests,
            0,
            "the other site was contacted"
        );
        assert_eq!(result.urls.len(), fixture.own_pages());
        assert!(result.urls.iter().all(|url| fixture.is_own(url)));
    }

    #[test]
    fn failures_are_counted_and_the_crawl_completes() {
        let site = site_of_linked_pages(300, 0, 0.05);
        let result = crawl(graph_root(&site), 10_000, 10);
        let stats = site.stats();
        assert_eq!(result.fetched + result.failed, stats.requests);
        assert_eq!(
            result.failed,
            stats.by_status.get(&500).copied().unwrap_or(0)
        );
        assert_eq!(stats.requests, result.urls.len() as u64);
    }
}
