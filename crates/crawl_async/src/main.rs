//! An async breadth-first crawler: level by level like the article, or with
//! a fixed number of fetches always in flight (`--continuous`).
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python"
//!          (LinkedIn notebook), section "Async IO": `get_urls_asyncio` and
//!          "test asyncio method".
//! Run:     cargo run --release -p crawl_async [-- --help]
//!          cargo run --release -p crawl_async -- --continuous
//!          (the article's size: add --pages 20000 --max-urls 20000)
//! Notice:  level by level, each level waits for its slowest page, then
//!          parses every page on one thread while no request is out: the
//!          crawl takes at least (depth of the graph) x (latency) plus all the
//!          parsing, done serially. With --continuous a new fetch starts the
//!          moment one ends and pages are parsed on all cores while other
//!          requests wait, so the crawl approaches its bound: the larger of
//!          depth x latency and (pages x CPU per page / cores). The site's
//!          `max_in_flight` never exceeds --concurrency, in either mode.
//! Python -> Rust: `asyncio.gather` over `loop.run_in_executor(requests.get)`
//!          -> `futures::stream::buffered(concurrency)` over `reqwest` futures
//!          (no thread per request: reqwest is async all the way down), then
//!          `tokio::task::JoinSet` for the continuous version. Python's gather
//!          starts every request of the level at once (the executor's 20
//!          threads are the only cap); here the cap is a flag, default 100,
//!          so a level of 10,000 URLs never opens 10,000 sockets.

use std::collections::HashSet;
use std::process::ExitCode;

use clap::Parser;
use futures::stream::{self, StreamExt};
use support::Timer;
use support::crawl::{
    Crawl, CrawlArgs, CrawlProgress, crawl_client, is_html, redirect_links, same_origin_links,
};
use tokio::task::JoinSet;
use url::Url;

/// Crawl the site breadth-first with many requests in flight.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    crawl: CrawlArgs,

    /// Stop once this many URLs are found (the article: 20000 in its tests,
    /// 10000 by default).
    #[arg(long, value_name = "N", default_value_t = 2_000,
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    max_urls: u32,

    /// Requests in flight at most (the article's executor: 20 threads).
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    concurrency: u32,

    /// Keep --concurrency fetches in flight all the time and parse pages as
    /// they arrive, instead of fetching and parsing level by level.
    #[arg(long)]
    continuous: bool,
}

/// Pages larger than this are parsed on tokio's blocking threads (see
/// `get_page_urls`); smaller ones right in the task that fetched them.
const PARSE_INLINE_MAX_BYTES: usize = 32 * 1024;

/// What one fetch brought back.
enum Fetched {
    /// An HTML page, still to be parsed.
    Html(String),
    /// Links known without parsing: a redirect's target, or none at all
    /// for a page that is not HTML.
    Links(Vec<Url>),
}

impl Fetched {
    /// The links on the page that stay on its origin (parses HTML here,
    /// on the calling thread).
    fn links(self, url: &Url) -> Vec<Url> {
        match self {
            Fetched::Html(html) => same_origin_links(url, &html),
            Fetched::Links(links) => links,
        }
    }
}

/// Fetch one page: the article's `requests.get`, run in its executor.
/// Here the request is a future; while it waits, the thread runs others.
async fn fetch_page(client: &reqwest::Client, url: &Url) -> Result<Fetched, String> {
    let response = client.get(url.as_str()).send().await.map_err(reason)?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let (location, content_type) = (header("location"), header("content-type"));
    if response.status().is_redirection() {
        return Ok(Fetched::Links(redirect_links(url, location.as_deref())));
    }
    // A 500 is an answer to reqwest; for the crawl it is a failed page.
    let response = response.error_for_status().map_err(reason)?;
    if !is_html(content_type.as_deref()) {
        return Ok(Fetched::Links(Vec::new()));
    }
    let html = response.text().await.map_err(reason)?;
    Ok(Fetched::Html(html))
}

// ---- level by level: the article's version ----

/// Fetch every URL of a level, at most `concurrency` at a time; one result
/// per URL, in the level's order (the article's inner `get_urls`, which
/// gathers the executor's futures).
async fn get_urls(
    client: &reqwest::Client,
    urls: &[Url],
    concurrency: usize,
) -> Vec<Result<Fetched, String>> {
    // `buffered(n)` polls at most n of these futures at once and yields
    // their results in input order, like `gather`. A future that is not
    // polled sends nothing, so the rest of the level waits its turn.
    stream::iter(urls)
        .map(|url| fetch_page(client, url))
        .buffered(concurrency)
        .collect()
        .await
}

/// The article's crawl: fetch the whole frontier (every URL found but not
/// fetched yet), then parse every page and queue the new links; repeat.
async fn get_urls_asyncio(
    client: &reqwest::Client,
    start: Url,
    max_urls: usize,
    concurrency: usize,
    progress: &mut CrawlProgress,
) -> Crawl {
    let mut crawl = Crawl {
        urls: vec![start.clone()],
        ..Crawl::default()
    };
    let mut visited = HashSet::from([start]);
    let mut next = 0;
    while next < crawl.urls.len() && crawl.urls.len() < max_urls {
        // <- the change from crawl_pool: the batch is the whole frontier.
        let frontier = crawl.urls[next..].to_vec();
        next = crawl.urls.len();
        let pages = get_urls(client, &frontier, concurrency).await;
        // Parsing happens here, after the level, on this one thread, while
        // no request is out: the article does the same after its gather.
        for (page, result) in frontier.iter().zip(pages) {
            match result {
                Ok(fetched) => {
                    crawl.fetched += 1;
                    for link in fetched.links(page) {
                        if crawl.urls.len() >= max_urls {
                            break;
                        }
                        if visited.insert(link.clone()) {
                            crawl.urls.push(link);
                        }
                    }
                }
                Err(why) => crawl.note_failure(page, &why),
            }
            progress.update(crawl.urls.len(), crawl.fetched, crawl.failed);
        }
    }
    crawl
}

// ---- continuous: a fixed number of fetches always in flight ----

/// Fetch one page and return its same-origin links, parsing it in the task
/// that fetched it, on whichever worker thread runs that task.
async fn get_page_urls(client: &reqwest::Client, url: &Url) -> Result<Vec<Url>, String> {
    match fetch_page(client, url).await? {
        // A small page parses in a few tens of microseconds: fine on an
        // async worker thread, and the two runtime workers parse in parallel.
        Fetched::Html(html) if html.len() <= PARSE_INLINE_MAX_BYTES => {
            Ok(same_origin_links(url, &html))
        }
        // A large page could hold a worker thread for milliseconds, and
        // every request that thread drives would stall meanwhile. So it goes
        // to tokio's blocking threads. Why not rayon: `spawn_blocking` is
        // already in tokio and gives back a future we can simply await; the
        // number of parses at once is bounded anyway, by --concurrency.
        Fetched::Html(html) => {
            let url = url.clone();
            tokio::task::spawn_blocking(move || same_origin_links(&url, &html))
                .await
                .map_err(|err| format!("parsing the page failed: {err}"))
        }
        Fetched::Links(links) => Ok(links),
    }
}

/// Keep `concurrency` pages in flight: whenever one finishes, queue its new
/// links and start the next fetches at once, without waiting for a level.
async fn get_urls_continuous(
    client: &reqwest::Client,
    start: Url,
    max_urls: usize,
    concurrency: usize,
    progress: &mut CrawlProgress,
) -> Crawl {
    let mut crawl = Crawl {
        urls: vec![start.clone()],
        ..Crawl::default()
    };
    let mut visited = HashSet::from([start]);
    let mut next = 0;
    // Each task fetches and parses one page. The set's length is the number
    // of pages in flight: this loop alone starts tasks, so the cap is plain
    // arithmetic, no semaphore needed.
    let mut in_flight = JoinSet::new();
    loop {
        while in_flight.len() < concurrency
            && next < crawl.urls.len()
            && crawl.urls.len() < max_urls
        {
            let url = crawl.urls[next].clone();
            next += 1;
            // A `Client` is a handle to one shared connection pool: cloning
            // it is cheap and every task reuses the same connections.
            let client = client.clone();
            in_flight.spawn(async move {
                let result = get_page_urls(&client, &url).await;
                (url, result)
            });
        }
        // Nothing in flight and nothing to start: the crawl is over. Once
        // `max_urls` are found, no task starts, and the ones still out are
        // awaited (and counted) before we get here.
        let Some(joined) = in_flight.join_next().await else {
            break;
        };
        // Only this loop touches `visited` and `crawl.urls`, so the tasks
        // share nothing and need no lock.
        match joined {
            Ok((_page, Ok(links))) => {
                crawl.fetched += 1;
                for link in links {
                    if crawl.urls.len() >= max_urls {
                        break;
                    }
                    if visited.insert(link.clone()) {
                        crawl.urls.push(link);
                    }
                }
            }
            Ok((page, Err(why))) => crawl.note_failure(&page, &why),
            // A task that panicked (a bug, not the network): still counted.
            Err(err) => {
                crawl.failed += 1;
                eprintln!("a crawl task failed: {err}");
            }
        }
        progress.update(crawl.urls.len(), crawl.fetched, crawl.failed);
    }
    crawl
}

#[tokio::main]
async fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    // Starting the site and the client does blocking work (a thread, a
    // /stats request): fine here, before any crawling task runs.
    let target = match args.crawl.open() {
        Ok(target) => target,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(2);
        }
    };
    let client = match crawl_client(args.crawl.site.timeout()) {
        Ok(client) => client,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(1);
        }
    };
    let (max_urls, concurrency) = (args.max_urls as usize, args.concurrency as usize);
    let mut progress = CrawlProgress::new(max_urls);

    let timer = Timer::start();
    let start = target.start.clone();
    let crawl = if args.continuous {
        // The continuous loop runs as a task on the runtime's worker
        // threads, not in `main`'s own thread: a fetch that finishes then
        // wakes the loop on the worker that just ran it, instead of waking a
        // third thread for every page (about 10% more pages per second at
        // latency 0 on 2 cores). The level-by-level crawl stays in `main`,
        // like the article's, which parses on the thread that gathered.
        let client = client.clone();
        let crawl = tokio::spawn(async move {
            let crawl =
                get_urls_continuous(&client, start, max_urls, concurrency, &mut progress).await;
            (crawl, progress)
        })
        .await;
        match crawl {
            Ok((crawl, returned)) => {
                progress = returned;
                crawl
            }
            Err(err) => {
                eprintln!("error: the crawl task failed: {err}");
                return ExitCode::from(1);
            }
        }
    } else {
        get_urls_asyncio(&client, start, max_urls, concurrency, &mut progress).await
    };
    let elapsed = timer.elapsed();
    progress.finish();

    crawl.print_summary();
    // `/stats` of a `--site` server is read with a blocking client.
    let stats = tokio::task::block_in_place(|| target.stats());
    let mode = if args.continuous {
        "continuous"
    } else {
        "levels"
    };
    crawl
        .report("crawl_async", elapsed, stats.as_ref(), concurrency)
        .extra("mode", mode)
        .finish(format_args!("{:.2} seconds.", elapsed.as_secs_f64()))
}

/// A short reason for a failed page ("HTTP 500", "timed out ...").
fn reason(err: reqwest::Error) -> String {
    match err.status() {
        Some(status) => format!("HTTP {}", status.as_u16()),
        None => support::web::describe_error(&err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::crawl::testing::{OffOriginSite, local_site, start_url};

    /// Crawl from `start` in one of the two modes.
    async fn crawl_from(
        start: Url,
        max_urls: usize,
        concurrency: usize,
        continuous: bool,
    ) -> Crawl {
        let client = crawl_client(std::time::Duration::from_secs(10)).unwrap();
        let mut progress = CrawlProgress::new(max_urls);
        if continuous {
            get_urls_continuous(&client, start, max_urls, concurrency, &mut progress).await
        } else {
            get_urls_asyncio(&client, start, max_urls, concurrency, &mut progress).await
        }
    }

    async fn finds_every_reachable_page_exactly_once(continuous: bool) {
        let site = local_site(500, 0, 0.0);
        let graph = site::graph_info(500, site::Config::default().seed);
        let result = crawl_from(start_url(&site), 10_000, 16, continuous).await;
        assert_eq!(result.urls.len(), graph.reachable);
        assert!(result.all_distinct());
        assert_eq!(result.failed, 0);
        assert_eq!(result.fetched, graph.reachable as u64);
        let stats = site.stats();
        assert_eq!(
            stats.requests, graph.reachable as u64,
            "each page fetched once"
        );
        assert!(
            stats.max_in_flight <= 16,
            "max in flight {} > 16",
            stats.max_in_flight
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn levels_find_every_reachable_page_exactly_once() {
        finds_every_reachable_page_exactly_once(false).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn continuous_finds_every_reachable_page_exactly_once() {
        finds_every_reachable_page_exactly_once(true).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn both_modes_stop_at_max_urls() {
        for continuous in [false, true] {
            let site = local_site(500, 0, 0.0);
            let result = crawl_from(start_url(&site), 40, 8, continuous).await;
            assert_eq!(result.urls.len(), 40, "continuous: {continuous}");
            assert!(result.all_distinct());
            let stats = site.stats();
            assert!(stats.requests <= 40, "continuous: {continuous}");
            assert_eq!(stats.requests, result.fetched, "continuous: {continuous}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrency_is_used_and_capped() {
        // With 20 ms per answer, requests pile up to the cap, never past it.
        for continuous in [false, true] {
            let site = local_site(500, 20, 0.0);
            crawl_from(start_url(&site), 10_000, 8, continuous).await;
            let stats = site.stats();
            assert!(
                stats.max_in_flight >= 2,
                "continuous {continuous}: never concurrent"
            );
            assert!(
                stats.max_in_flight <= 8,
                "continuous {continuous}: {} > 8",
                stats.max_in_flight
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_requests_another_origin() {
        for continuous in [false, true] {
            let fixture = OffOriginSite::start();
            let result = crawl_from(fixture.start_url(), 1_000, 8, continuous).await;
            assert_eq!(
                fixture.other.stats().requests,
                0,
                "the other site was contacted"
            );
            assert_eq!(result.urls.len(), fixture.own_pages());
            assert!(result.urls.iter().all(|url| fixture.is_own(url)));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn failures_are_counted_and_the_crawl_completes() {
        for continuous in [false, true] {
            let site = local_site(500, 0, 0.05);
            let result = crawl_from(start_url(&site), 10_000, 16, continuous).await;
            let stats = site.stats();
            assert_eq!(result.fetched + result.failed, stats.requests);
            assert_eq!(
                result.failed,
                stats.by_status.get(&500).copied().unwrap_or(0)
            );
            assert_eq!(stats.requests, result.urls.len() as u64);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn large_pages_take_the_blocking_path_and_keep_their_links() {
        // A folder site with one page over the inline limit.
        let dir = std::env::temp_dir().join(format!("crawl-async-large-{}", std::process::id()));
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
        let client = crawl_client(std::time::Duration::from_secs(10)).unwrap();
        let big_url = Url::parse(&format!("{}/big.html", site.url())).unwrap();
        let links = get_page_urls(&client, &big_url).await.unwrap();
        let links: Vec<&str> = links.iter().map(Url::path).collect();
        assert_eq!(links, ["/small.html", "/big.html"]);
        let result = crawl_from(big_url, 100, 4, true).await;
        assert_eq!(result.urls.len(), 2);
        assert_eq!(result.fetched, 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
