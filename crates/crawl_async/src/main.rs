//! An async breadth-first crawler: each level of the graph fetched at once.
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python" (LinkedIn
//!          notebook), section "Async IO": `get_urls_asyncio`, "test asyncio method".
//! Run:     cargo run --release -p crawl_async [-- --help]
//!          (the article's size: -- --pages 20000 --max-urls 20000)
//! Notice:  the site sees up to --concurrency requests at once, never more
//!          (`max_in_flight`); each level waits for its slowest page, then is
//!          parsed on one thread while no request is out (crawl_async_continuous
//!          removes both waits).
//! Python -> Rust: `gather` over `run_in_executor(requests.get)` -> `buffered(n)`
//!          over `reqwest` futures: no thread per request, and a cap of n.

use std::process::ExitCode;

use futures::stream::{self, StreamExt}; // <- changed from crawl_serial
use reqwest::Client; // <- changed from crawl_serial
use support::Timer;
use support::crawl::{Crawl, CrawlArgs, Page, PageError, crawl_client};
use url::Url;

/// Crawl the site breadth-first, a whole level of pages at a time.
#[derive(Debug, clap::Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    crawl: CrawlArgs,
    /// Stop once this many URLs are found (the article: 20000); fewer pages are fetched.
    #[arg(long, value_name = "N", default_value_t = 2_000, // <- changed from crawl_serial
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    max_urls: u32,
    /// Requests in flight at most (the article's cap: its executor's 20 threads).
    #[arg(long, value_name = "N", default_value_t = 100, // <- changed from crawl_serial
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    concurrency: u32, // <- changed from crawl_serial
}

/// One page: the article's `requests.get(url)` in its executor, as a future.
#[tracing::instrument(skip_all, fields(url = %url))] // a span on --timeline's picture
async fn fetch_page(client: &Client, url: &Url) -> Result<Page, PageError> {
    let response = client.get(url.as_str()).send().await?; // <- changed from crawl_serial
    Page::read_async(url, response).await // <- changed from crawl_serial
}

/// The article's inner `get_urls`: a level's pages, at most `concurrency` at once, in order.
async fn get_urls(
    client: &Client,    // <- changed from crawl_serial
    urls: &[Url],       // <- changed from crawl_serial
    concurrency: usize, // <- changed from crawl_serial
) -> Vec<Result<Page, PageError>> {
    // `buffered(n)` polls at most n at once (one not yet polled sends nothing), the thread
    // running the others while one waits, and yields in input order, like `gather`.
    let fetches = stream::iter(urls).map(|url| fetch_page(client, url));
    fetches.buffered(concurrency).collect().await // <- changed from crawl_serial
}

/// The article's crawl: fetch the whole frontier (every URL found but not
/// fetched yet), then parse every page and queue the new links; repeat.
async fn get_urls_asyncio(client: &Client, url: Url, max_urls: usize, concurrency: usize) -> Crawl {
    // ^ changed from crawl_serial
    // `crawl.urls` is the article's `q` (and keeps `visited`); `next` is its `p`.
    let mut crawl = Crawl::new(url, max_urls);
    let mut next = 0;
    while next < crawl.urls.len() && crawl.urls.len() < max_urls {
        let level = crawl.urls[next..].to_vec(); // <- changed from crawl_serial
        next = crawl.urls.len(); // <- changed from crawl_serial
        // The lesson of this file: the whole level is out at once, up to the cap.
        let pages = get_urls(client, &level, concurrency).await; // <- changed from crawl_serial
        // Then it is parsed here, on this one thread, as in the article.
        for (page, fetched) in level.iter().zip(pages) {
            let result = fetched.map(|fetched| fetched.links(page)); // <- changed from crawl_serial
            crawl.post_process(page, result); // <- changed from crawl_serial
        }
    }
    crawl
}

#[tokio::main] // <- changed from crawl_serial
async fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    let target = args.crawl.open();
    // One client for the whole crawl, like one `requests` session: its connections, reused.
    let client = crawl_client(args.crawl.site.timeout()); // <- changed from crawl_serial
    let (max_urls, concurrency) = (args.max_urls as usize, args.concurrency as usize);

    let timer = Timer::start();
    let res = get_urls_asyncio(&client, target.start.clone(), max_urls, concurrency).await;
    let elapsed = timer.elapsed();
    let stats = tokio::task::block_in_place(|| target.stats()); // <- changed from crawl_serial
    res.summarize(env!("CARGO_PKG_NAME"), elapsed, stats, concurrency) // <- changed from crawl_serial
        .extra("mode", "levels") // <- changed from crawl_serial
        .finish(format_args!("{:.2} seconds.", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::crawl::testing::{OffOriginSite, graph_root, site_of_linked_pages};

    async fn crawl(start: Url, max_urls: usize, concurrency: usize) -> Crawl {
        let client = crawl_client(std::time::Duration::from_secs(10));
        get_urls_asyncio(&client, start, max_urls, concurrency).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn finds_every_reachable_page_exactly_once() {
        let site = site_of_linked_pages(500, 0, 0.0);
        let graph = site::graph_info(500, site::Config::default().seed);
        let result = crawl(graph_root(&site), 10_000, 16).await;
        assert_eq!(result.urls.len(), graph.reachable);
        assert!(result.all_distinct());
        assert_eq!(result.failed, 0);
        assert_eq!(result.fetched, graph.reachable as u64);
        let stats = site.stats();
        assert_eq!(stats.requests, graph.reachable as u64, "each page once");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_cap_on_requests_in_flight_is_reached_and_never_exceeded() {
        // 20 ms per answer and levels far wider than 8: requests pile up
        // to the cap at the site, and never past it.
        let site = site_of_linked_pages(500, 20, 0.0);
        crawl(graph_root(&site), 300, 8).await;
        assert_eq!(site.stats().max_in_flight, 8, "the site's max in flight");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stops_at_max_urls() {
        let site = site_of_linked_pages(500, 0, 0.0);
        let result = crawl(graph_root(&site), 40, 8).await;
        assert_eq!(result.urls.len(), 40);
        assert!(result.all_distinct());
        let stats = site.stats();
        assert!(stats.requests <= 40);
        assert_eq!(stats.requests, result.fetched);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_requests_another_origin() {
        let fixture = OffOriginSite::start();
        let result = crawl(fixture.start_url(), 1_000, 8).await;
        assert_eq!(
            fixture.other.stats().requests,
            0,
            "the other site was contacted"
        );
        assert_eq!(result.urls.len(), fixture.own_pages());
        assert!(result.urls.iter().all(|url| fixture.is_own(url)));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn failures_are_counted_and_the_crawl_completes() {
        let site = site_of_linked_pages(500, 0, 0.05);
        let result = crawl(graph_root(&site), 10_000, 16).await;
        let stats = site.stats();
        assert_eq!(result.fetched + result.failed, stats.requests);
        assert_eq!(
            result.failed,
            stats.by_status.get(&500).copied().unwrap_or(0)
        );
        assert_eq!(stats.requests, result.urls.len() as u64);
    }
}
