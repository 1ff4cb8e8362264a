//! A breadth-first crawler that fetches one page at a time.
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python"
//!          (LinkedIn notebook), the crawler cells: `get_urls`, `get_all_urls`
//!          and "Serial method test".
//! Run:     cargo run --release -p crawl_serial [-- --help]
//!          (the article's size: -- --pages 20000 --max-urls 20000)
//! Notice:  the site never sees two requests at once (`max_in_flight` 1), so
//!          the crawl lasts about (pages fetched) x (latency): at the local
//!          site's default 50 ms that is 20 pages a second, which is why the
//!          default `--max-urls` is small. The URL list comes out in
//!          breadth-first order: the start page, then its links, then theirs.
//! Python -> Rust: `requests.get` + `BeautifulSoup(...).find_all('a')` ->
//!          `ureq::Agent` + `scraper`; the list `q` with its index `p` and the
//!          dict `visited` -> a `Vec<Url>` with an index and a `HashSet<Url>`.
//!          The article tests strings (`startswith('https://www')`); we parse
//!          URLs, so relative links, fragments and `?ref=` variants are handled
//!          by rules written once in `support::crawl`. Siblings: crawl_pool and
//!          crawl_async (diff them against this file).

use std::collections::HashSet;
use std::process::ExitCode;

use clap::Parser;
use support::Timer;
use support::crawl::{
    Crawl, CrawlArgs, CrawlProgress, crawl_agent, is_html, redirect_links, same_origin_links,
};
use url::Url;

/// Crawl the site breadth-first, one page at a time.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    crawl: CrawlArgs,

    /// Stop once this many URLs are found (the article: 20000). Fetching stops
    /// there too, so far fewer pages than this are fetched.
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    max_urls: u32,
}

/// Fetch one page and return the links on it that stay on its origin.
///
/// The article's `get_urls` returns every `href`, and its caller filters;
/// we filter here, in one place, with the rules of `support::crawl`.
fn get_urls(agent: &ureq::Agent, url: &Url) -> Result<Vec<Url>, String> {
    let mut response = agent.get(url.as_str()).call().map_err(reason)?;
    let headers = response.headers();
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    // Redirects are not followed by the client: a redirect is a link like
    // any other, so it obeys the same-origin rule.
    if response.status().is_redirection() {
        return Ok(redirect_links(url, header("location")));
    }
    // An image or a PDF has no links; do not even read its body.
    if !is_html(header("content-type")) {
        return Ok(Vec::new());
    }
    let html = response.body_mut().read_to_string().map_err(reason)?;
    Ok(same_origin_links(url, &html))
}

/// The serial crawl: take the next URL of the queue, fetch it, queue the
/// links not seen yet, until the queue is empty or `max_urls` are found.
fn get_all_urls(
    agent: &ureq::Agent,
    start: Url,
    max_urls: usize,
    progress: &mut CrawlProgress,
) -> Crawl {
    // `crawl.urls` is both the answer and the queue: the URLs before `next`
    // have been fetched, the ones after it are waiting (the article's `q`
    // and `p`). A VecDeque would pop them and lose the list we print.
    let mut crawl = Crawl {
        urls: vec![start.clone()],
        ..Crawl::default()
    };
    let mut visited = HashSet::from([start]);
    let mut next = 0;
    while next < crawl.urls.len() && crawl.urls.len() < max_urls {
        let page = crawl.urls[next].clone();
        next += 1;
        // The whole lesson of this file: nothing else happens while we wait
        // for this one answer.
        match get_urls(agent, &page) {
            Ok(links) => {
                crawl.fetched += 1;
                for link in links {
                    if crawl.urls.len() >= max_urls {
                        break;
                    }
                    // `insert` is false for a URL already seen: one lookup
                    // both tests and marks it.
                    if visited.insert(link.clone()) {
                        crawl.urls.push(link);
                    }
                }
            }
            // A failed page is counted and skipped; its links stay unknown.
            Err(why) => crawl.note_failure(&page, &why),
        }
        progress.update(crawl.urls.len(), crawl.fetched, crawl.failed);
    }
    crawl
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    let target = match args.crawl.open() {
        Ok(target) => target,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(2);
        }
    };
    // One agent for the whole crawl, like one `requests` session: the
    // connection to the site is opened once and reused for every page.
    let agent = crawl_agent(args.crawl.site.timeout());
    let mut progress = CrawlProgress::new(args.max_urls as usize);

    let timer = Timer::start();
    let crawl = get_all_urls(
        &agent,
        target.start.clone(),
        args.max_urls as usize,
        &mut progress,
    );
    let elapsed = timer.elapsed();
    progress.finish();

    crawl.print_summary();
    let stats = target.stats();
    crawl
        .report("crawl_serial", elapsed, stats.as_ref(), 1)
        .finish(format_args!("{:.2} seconds.", elapsed.as_secs_f64()))
}

/// A short reason for a failed page ("HTTP 500", "timeout: ...").
fn reason(err: ureq::Error) -> String {
    match err {
        ureq::Error::StatusCode(code) => format!("HTTP {code}"),
        other => support::web::describe_error(&other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::crawl::testing::{OffOriginSite, local_site, start_url};

    fn crawl_from(start: Url, max_urls: usize) -> Crawl {
        let agent = crawl_agent(std::time::Duration::from_secs(10));
        get_all_urls(&agent, start, max_urls, &mut CrawlProgress::new(max_urls))
    }

    fn crawl(site: &site::SiteHandle, max_urls: usize) -> Crawl {
        crawl_from(start_url(site), max_urls)
    }

    #[test]
    fn finds_every_reachable_page_exactly_once() {
        let site = local_site(300, 0, 0.0);
        let graph = site::graph_info(300, site::Config::default().seed);
        let result = crawl(&site, 10_000);
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
        let site = local_site(300, 0, 0.0);
        let result = crawl(&site, 40);
        assert_eq!(result.urls.len(), 40);
        assert!(result.all_distinct());
        // It stopped fetching too: fewer pages than URLs found.
        assert!(site.stats().requests < 40);
        assert_eq!(site.stats().requests, result.fetched);
    }

    #[test]
    fn never_requests_another_origin() {
        let fixture = OffOriginSite::start();
        let result = crawl_from(fixture.start_url(), 1_000);
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
        let site = local_site(300, 0, 0.05);
        let result = crawl(&site, 10_000);
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
