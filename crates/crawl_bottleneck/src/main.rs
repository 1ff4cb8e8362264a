//! Where a crawler's time goes: the request, the parse and the link
//! extraction of a page, timed separately.
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python" (LinkedIn
//!          notebook), the cell "understanding bottleneck".
//! Run:     cargo run --release -p crawl_bottleneck [-- --help]
//!          (one page of your choice: -- --site URL --start URL --samples 1)
//! Notice:  at the local site's 50 ms the request takes hundreds of times the
//!          parse, as in the article (0.29 s vs 0.033 s vs 0.0006 s): a crawler
//!          waits far more than it computes, so overlapping waits is what pays.
//! Python -> Rust: `time.time()` around `requests.get`, BeautifulSoup and
//!          `find_all('a')` -> `Instant` around `ureq`, `scraper`, `a[href]`.

use std::collections::{HashSet, VecDeque}; // <- changed from crawl_serial
use std::process::ExitCode;
use std::time::{Duration, Instant}; // <- changed from crawl_serial

use clap::Parser;
use scraper::Html; // <- changed from crawl_serial
use support::Timer;
use support::crawl::{
    Crawl, CrawlArgs, Page, PageError, crawl_agent, links_in_document, median, same_origin,
};
use url::Url;

/// Time the request, the parse and the link extraction of a few pages.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    crawl: CrawlArgs,

    /// How many pages to time (the article times one).
    #[arg(long, value_name = "N", default_value_t = 20, // <- changed from crawl_serial
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    samples: u32, // <- changed from crawl_serial
}

/// The three timings of one page (the article's s2-s1, s3-s2, s4-s3).
struct PageTimes {
    request: Duration, // <- changed from crawl_serial
    parse: Duration,   // <- changed from crawl_serial
    extract: Duration, // <- changed from crawl_serial
    bytes: usize,      // <- changed from crawl_serial
}

/// Fetch, parse and extract one page, with a clock read between each step;
/// its timings (none for a redirect or a page that is not HTML) and links.
fn time_page(agent: &ureq::Agent, url: &Url) -> Result<(Option<PageTimes>, Vec<Url>), PageError> {
    let s1 = Instant::now(); // <- changed from crawl_serial
    let response = agent.get(url.as_str()).call()?; // <- changed from crawl_serial
    // The request includes reading the body, as `requests.get` does.
    let html = match Page::read(url, response)? {
        Page::Html(html) => html, // <- changed from crawl_serial
        other => return Ok((None, other.links(url))), // <- changed from crawl_serial
    };
    let s2 = Instant::now(); // <- changed from crawl_serial
    // The parse builds the whole DOM tree (html5ever, a browser-grade parser).
    let document = Html::parse_document(&html); // <- changed from crawl_serial
    let s3 = Instant::now(); // <- changed from crawl_serial
    // The extraction walks that tree for `a[href]` and applies the crawl rules.
    let mut links = links_in_document(url, &document); // <- changed from crawl_serial
    links.retain(|link| same_origin(link, url)); // <- changed from crawl_serial
    let s4 = Instant::now(); // <- changed from crawl_serial
    let times = PageTimes {
        request: s2 - s1,  // <- changed from crawl_serial
        parse: s3 - s2,    // <- changed from crawl_serial
        extract: s4 - s3,  // <- changed from crawl_serial
        bytes: html.len(), // <- changed from crawl_serial
    };
    Ok((Some(times), links)) // <- changed from crawl_serial
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    let target = args.crawl.open();
    let agent = crawl_agent(args.crawl.site.timeout());
    let samples = args.samples as usize; // <- changed from crawl_serial

    // Visit pages breadth-first from the start page until enough are timed,
    // one at a time, so that nothing else competes for the CPU meanwhile.
    let timer = Timer::start();
    let mut crawl = Crawl::default(); // <- changed from crawl_serial
    let mut times = Vec::new(); // <- changed from crawl_serial
    let mut queue = VecDeque::from([target.start.clone()]); // <- changed from crawl_serial
    let mut seen = HashSet::from([target.start.clone()]); // <- changed from crawl_serial
    let secs = |duration: Duration| duration.as_secs_f64(); // <- changed from crawl_serial
    println!("request (s)   parse (s)     extract (s)   bytes  page");
    while times.len() < samples {
        let Some(url) = queue.pop_front() else { break }; // <- changed from crawl_serial
        crawl.urls.push(url.clone()); // <- changed from crawl_serial
        let result = time_page(&agent, &url); // <- changed from crawl_serial
        match &result {
            Ok(_) => crawl.fetched += 1, // <- changed from crawl_serial
            Err(why) => crawl.note_failure(&url, why), // <- changed from crawl_serial
        }
        let (timed, links) = result.unwrap_or_default(); // <- changed from crawl_serial
        if let Some(page) = timed {
            let [request, parse, extract] = [page.request, page.parse, page.extract].map(secs);
            let bytes = page.bytes; // <- changed from crawl_serial
            println!("{request:<13.6} {parse:<13.6} {extract:<13.6} {bytes:<6} {url}");
            times.push(page); // <- changed from crawl_serial
        }
        queue.extend(links.into_iter().filter(|link| seen.insert(link.clone())));
    }
    let elapsed = timer.elapsed();

    let median_of = // <- changed from crawl_serial
        |part: fn(&PageTimes) -> Duration| secs(median(times.iter().map(part).collect()));
    let (request, parse) = (median_of(|t| t.request), median_of(|t| t.parse));
    let (extract, cpu) = (median_of(|t| t.extract), median_of(|t| t.parse + t.extract));
    let (pages, cores) = (
        times.len(), // <- changed from crawl_serial
        std::thread::available_parallelism().map_or(1, |n| n.get()), // <- changed from crawl_serial
    );
    println!("\nmedians over {pages} pages (request, parse, extract, in seconds):");
    // The article's line: three numbers, request then parse then extract.
    println!("{request:.6} {parse:.6} {extract:.6}"); // <- changed from crawl_serial
    if cpu > 0.0 {
        println!(
            "the request takes {:.0}x the parse and extraction together; CPU per page {:.1} us, \
             so {cores} cores parse at most {:.0} pages/s",
            request / cpu,      // <- changed from crawl_serial
            cpu * 1e6,          // <- changed from crawl_serial
            cores as f64 / cpu, // <- changed from crawl_serial
        );
    }
    let stats = target.stats();
    crawl // <- changed from crawl_serial
        .report("crawl_bottleneck", elapsed, stats.as_ref(), 1) // <- changed from crawl_serial
        .extra("request_s", request) // <- changed from crawl_serial
        .extra("parse_s", parse) // <- changed from crawl_serial
        .extra("extract_s", extract) // <- changed from crawl_serial
        .extra("cpu_per_page_s", cpu) // <- changed from crawl_serial
        .finish(format_args!("{:.2} seconds.", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::crawl::testing::{graph_root, site_of_linked_pages};

    #[test]
    fn a_page_is_timed_in_three_parts_and_its_links_found() {
        let site = site_of_linked_pages(100, 0, 0.0);
        let agent = crawl_agent(Duration::from_secs(10));
        let root = graph_root(&site);
        let Ok((Some(times), links)) = time_page(&agent, &root) else {
            panic!("the root of the local site is an HTML page");
        };
        assert!(times.bytes > 0);
        assert!(!links.is_empty());
        assert!(links.iter().all(|link| same_origin(link, &root)));
        assert_eq!(site.stats().requests, 1, "one request per timed page");
    }

    #[test]
    fn failures_are_errors_not_panics() {
        let site = site_of_linked_pages(100, 0, 1.0);
        let agent = crawl_agent(Duration::from_secs(10));
        let result = time_page(&agent, &graph_root(&site));
        assert_eq!(
            result.err().map(|why| why.to_string()).as_deref(),
            Some("HTTP 500")
        );
    }
}
