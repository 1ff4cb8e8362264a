//! An async crawler that keeps a fixed number of fetches in flight all the time.
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python" (LinkedIn
//!          notebook), "Async IO": `get_urls_asyncio`, without its levels.
//! Run:     cargo run --release -p crawl_async_continuous [-- --help]
//!          (the article's size: -- --pages 20000 --max-urls 20000)
//! Notice:  a new fetch starts the moment one ends, and each page is parsed by
//!          the task that fetched it, on all cores: no level waits for its
//!          slowest page. The site's `max_in_flight` is --concurrency exactly.
//!          The order is not strictly breadth-first: `urls[432]` varies.
//! Python -> Rust: `gather` per level -> a `tokio::task::JoinSet` topped up to
//!          n tasks; `run_in_executor(parse)` -> `spawn_blocking` (big pages).

use std::process::ExitCode;

use support::Timer;
use support::crawl::{Crawl, CrawlArgs, Page, PageError, crawl_client};
use tokio::task::JoinSet; // <- changed from crawl_serial
use url::Url;

/// Crawl the site with a fixed number of fetches always in flight.
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

/// Pages larger than this are parsed on tokio's blocking threads.
const PARSE_INLINE_MAX_BYTES: usize = 32 * 1024; // <- changed from crawl_serial

/// Fetch one page and return its links, parsed in the task that fetched it.
#[tracing::instrument(skip_all, fields(url = %url))] // a span on --timeline's picture
async fn get_urls(client: &reqwest::Client, url: &Url) -> Result<Vec<Url>, PageError> {
    let response = client.get(url.as_str()).send().await?; // <- changed from crawl_serial
    match Page::read_async(url, response).await? {
        // A big page would hold this async worker for milliseconds and stall every
        // request it drives, so it goes to the blocking threads; a small one parses here.
        Page::Html(html) if html.len() > PARSE_INLINE_MAX_BYTES => {
            let url = url.clone(); // <- changed from crawl_serial
            let parse = tokio::task::spawn_blocking(move || Page::Html(html).links(&url));
            let failed = |err| PageError::new(format!("parsing failed: {err}"));
            parse.await.map_err(failed) // <- changed from crawl_serial
        }
        page => Ok(page.links(url)), // <- changed from crawl_serial
    }
}

/// Keep `concurrency` pages in flight: as one finishes, queue its new links and
/// start the next fetches at once, without waiting for a level.
async fn get_all_urls_continuous(
    client: reqwest::Client, // <- changed from crawl_serial
    url: Url,                // <- changed from crawl_serial
    max_urls: usize,         // <- changed from crawl_serial
    concurrency: usize,      // <- changed from crawl_serial
) -> Crawl {
    // `crawl.urls` is the article's `q` (and keeps `visited`); `next` is its `p`.
    let mut crawl = Crawl::new(url, max_urls);
    let mut next = 0;
    // One task per page out, started only here: the set's length is the number in flight.
    let mut in_flight = JoinSet::new(); // <- changed from crawl_serial
    loop {
        while in_flight.len() < concurrency // <- changed from crawl_serial
            && next < crawl.urls.len() // <- changed from crawl_serial
            && crawl.urls.len() < max_urls
        // ^ changed from crawl_serial
        {
            let page = crawl.urls[next].clone(); // <- changed from crawl_serial
            next += 1; // <- changed from crawl_serial
            let client = client.clone(); // <- changed: a handle to one shared pool, cheap to clone
            in_flight.spawn(async move { (get_urls(&client, &page).await, page) });
        }
        // Nothing in flight and nothing to start: the crawl is over.
        let Some(joined) = in_flight.join_next().await else {
            break; // <- changed from crawl_serial
        };
        // The lesson of this file: the others stay in flight while we queue.
        match joined {
            Ok((result, page)) => crawl.post_process(&page, result), // <- changed from crawl_serial
            // A task that panicked is a bug, not the network: counted all the same.
            Err(err) => crawl.note_task_failure(&err), // <- changed from crawl_serial
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
    // Spawned: the loop runs on the workers where finished fetches wake it, not on main's thread.
    let crawl = get_all_urls_continuous(client, target.start.clone(), max_urls, concurrency);
    let Ok(res) = tokio::spawn(crawl).await else {
        return ExitCode::from(1); // <- changed from crawl_serial
    };
    let elapsed = timer.elapsed();
    let stats = tokio::task::block_in_place(|| target.stats()); // <- changed from crawl_serial
    res.summarize(env!("CARGO_PKG_NAME"), elapsed, stats, concurrency) // <- changed from crawl_serial
        .extra("mode", "continuous") // <- changed from crawl_serial
        .finish(format_args!("{:.2} seconds.", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::crawl::testing::{OffOriginSite, graph_root, site_of_linked_pages};

    async fn crawl(start: Url, max_urls: usize, concurrency: usize) -> Crawl {
        let client = crawl_client(std::time::Duration::from_secs(10));
        get_all_urls_continuous(client, start, max_urls, concurrency).await
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
        // 20 ms per answer and a queue soon longer than 8: requests pile up
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn large_pages_take_the_blocking_path_and_keep_their_links() {
        // A folder site with one page over the inline limit.
        let dir = support::testkit::temp_path("crawl-continuous-large");
        std::fs::create_dir_all(&dir).unwrap();
        let filler = "<p>filler text</p>".repeat(PARSE_INLINE_MAX_BYTES / 10);
        let big = format!("<a href='small.html'>s</a>{filler}<a href='/big.html#end'>self</a>");
        assert!(big.len() > PARSE_INLINE_MAX_BYTES);
        std::fs::write(dir.join("big.html"), big).unwrap();
        std::fs::write(dir.join("small.html"), "<a href='big.html'>b</a>").unwrap();
        let site = site::spawn(site::Config {
            latency_ms: 0,
            jitter_ms: 0,
            dir: Some(dir.clone()),
            ..site::Config::default()
        })
        .unwrap();
        let client = crawl_client(std::time::Duration::from_secs(10));
        let big_url = Url::parse(&format!("{}/big.html", site.url())).unwrap();
        let links = get_urls(&client, &big_url).await.unwrap();
        let links: Vec<&str> = links.iter().map(Url::path).collect();
        assert_eq!(links, ["/small.html", "/big.html"]);
        let result = crawl(big_url, 100, 4).await;
        assert_eq!(result.urls.len(), 2);
        assert_eq!(result.fetched, 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
