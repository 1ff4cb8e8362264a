//! A breadth-first crawler that fetches one page at a time.
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python" (LinkedIn
//!          notebook), cells "Use multiprocessing to parse urls" (`get_urls`,
//!          `get_all_urls`) and "Serial method test".
//! Run:     cargo run --release -p crawl_serial [-- --help]
//!          (the article's size: -- --pages 20000 --max-urls 20000)
//! Notice:  the site never sees two requests at once (`max_in_flight` 1), so
//!          the crawl lasts about (pages fetched) x (latency): 20 pages a
//!          second at the local site's 50 ms. URLs come out breadth-first.
//! Python -> Rust: `requests` + BeautifulSoup -> `ureq::Agent` + `scraper`;
//!          `q`, `p`, `visited` -> `Crawl` (a `Vec` and a `HashSet`), an index.

use std::process::ExitCode;

use support::Timer;
use support::crawl::{Crawl, CrawlArgs, Page, PageError, crawl_agent};
use url::Url;

/// Crawl the site breadth-first, one page at a time.
#[derive(Debug, clap::Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    crawl: CrawlArgs,
    /// Stop once this many URLs are found (the article: 20000); fewer pages are fetched.
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    max_urls: u32,
}

/// Fetch one page and return its links on the page's origin (the rules: support::crawl).
#[tracing::instrument(skip_all, fields(url = %url))] // a span on --timeline's picture
fn get_urls(agent: &ureq::Agent, url: &Url) -> Result<Vec<Url>, PageError> {
    let response = agent.get(url.as_str()).call()?;
    Ok(Page::read(url, response)?.links(url))
}

/// The serial crawl: fetch the next URL of the queue, queue its new links,
/// until the queue is empty or `max_urls` are found.
fn get_all_urls(agent: &ureq::Agent, url: Url, max_urls: usize) -> Crawl {
    // `crawl.urls` is the article's `q` (and keeps `visited`); `next` is its `p`.
    let mut crawl = Crawl::new(url, max_urls);
    let mut next = 0;
    while next < crawl.urls.len() && crawl.urls.len() < max_urls {
        let page = crawl.urls[next].clone();
        next += 1;
        // The lesson of this file: nothing else happens while we wait.
        let result = get_urls(agent, &page);
        crawl.post_process(&page, result);
    }
    crawl
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    let target = args.crawl.open();
    // One agent for the whole crawl, like one `requests` session: one connection, reused.
    let agent = crawl_agent(args.crawl.site.timeout());
    let max_urls = args.max_urls as usize;

    let timer = Timer::start();
    let res = get_all_urls(&agent, target.start.clone(), max_urls);
    let elapsed = timer.elapsed();
    let stats = target.stats();
    res.summarize(env!("CARGO_PKG_NAME"), elapsed, stats, 1) // prints `len(res), res[432]`
        .finish(format_args!("{:.2} seconds.", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::crawl::testing::{OffOriginSite, graph_root, site_of_linked_pages};

    fn crawl(start: Url, max_urls: usize) -> Crawl {
        get_all_urls(
            &crawl_agent(std::time::Duration::from_secs(10)),
            start,
            max_urls,
        )
    }

    #[test]
    fn finds_every_reachable_page_exactly_once_one_at_a_time() {
        // 2 ms per answer: a crawler that overlapped its requests would
        // show it in `max_in_flight`.
        let site = site_of_linked_pages(300, 2, 0.0);
        let graph = site::graph_info(300, site::Config::default().seed);
        let result = crawl(graph_root(&site), 10_000);
        assert_eq!(result.urls.len(), graph.reachable);
        assert!(result.all_distinct());
        assert_eq!(result.failed, 0);
        // Every URL found was fetched, and fetched once: the visited set works.
        assert_eq!(result.fetched, graph.reachable as u64);
        let stats = site.stats();
        assert_eq!(stats.requests, graph.reachable as u64);
        assert_eq!(
            stats.max_in_flight, 1,
            "a serial crawl has one request out at a time"
        );
    }

    #[test]
    fn stops_at_max_urls() {
        let site = site_of_linked_pages(300, 0, 0.0);
        let result = crawl(graph_root(&site), 40);
        assert_eq!(result.urls.len(), 40);
        assert!(result.all_distinct());
        // It stopped fetching too: fewer pages than URLs found.
        assert!(site.stats().requests < 40);
        assert_eq!(site.stats().requests, result.fetched);
    }

    #[test]
    fn never_requests_another_origin() {
        let fixture = OffOriginSite::start();
        let result = crawl(fixture.start_url(), 1_000);
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
        let result = crawl(graph_root(&site), 10_000);
        let stats = site.stats();
        // Our counts are the site's counts: nothing lost, nothing retried.
        assert_eq!(result.fetched + result.failed, stats.requests);
        assert_eq!(
            result.failed,
            stats.by_status.get(&500).copied().unwrap_or(0)
        );
        // Every page found was tried: the crawl ran to the end of its queue.
        assert_eq!(stats.requests, result.urls.len() as u64);
    }
}
