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

use scraper::Html; // <- changed from crawl_serial
use support::Timer;
use support::crawl::{Crawl, CrawlArgs, Page, PageError, crawl_agent};
use support::crawl::{links_in_document, median, same_origin}; // <- changed from crawl_serial
use url::Url;

/// Time the request, the parse and the link extraction of a few pages.
#[derive(Debug, clap::Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    crawl: CrawlArgs,
    /// How many pages to time (the article times one).
    #[arg(long, value_name = "N", default_value_t = 20, // <- changed from crawl_serial
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    samples: u32, // <- changed from crawl_serial
}

/// One page's timings and size. // <- changed from crawl_serial: all of it
struct PageTimes {
    steps: [Duration; 3], // request, parse, extract: the article's s2-s1, s3-s2, s4-s3
    bytes: usize,
}

/// Fetch, parse and extract one page, with a clock read between each step;
/// its timings (none for a redirect or a page that is not HTML) and links.
#[tracing::instrument(skip_all, fields(url = %url))] // a span on --timeline's picture
fn time_page(agent: &ureq::Agent, url: &Url) -> Result<(Option<PageTimes>, Vec<Url>), PageError> {
    // <- changed from crawl_serial: all of it
    let s1 = Instant::now();
    let response = agent.get(url.as_str()).call()?;
    let html = match Page::read(url, response)? {
        Page::Html(html) => html, // the request includes reading the body, as `requests.get` does
        other => return Ok((None, other.links(url))),
    };
    let s2 = Instant::now();
    let document = Html::parse_document(&html); // the whole DOM tree (html5ever, as browsers)
    let s3 = Instant::now();
    let mut links = links_in_document(url, &document); // `a[href]`, and the crawl rules
    links.retain(|link| same_origin(link, url));
    let steps = [s2 - s1, s3 - s2, s3.elapsed()];
    Ok((
        Some(PageTimes {
            steps,
            bytes: html.len(),
        }),
        links,
    ))
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    let target = args.crawl.open();
    let agent = crawl_agent(args.crawl.site.timeout());
    let samples = args.samples as usize; // <- changed from crawl_serial

    // <- changed from crawl_serial: from here to the report. Visit pages breadth-first
    // until enough are timed, one at a time, so nothing else competes for the CPU.
    let timer = Timer::start();
    let (mut crawl, mut times) = (Crawl::default(), Vec::new());
    let mut queue = VecDeque::from([target.start.clone()]);
    let mut seen = HashSet::from([target.start.clone()]);
    let secs = |duration: Duration| duration.as_secs_f64();
    println!("request (s)   parse (s)     extract (s)   bytes  page");
    while times.len() < samples {
        let Some(url) = queue.pop_front() else { break };
        crawl.urls.push(url.clone());
        let result = time_page(&agent, &url);
        match &result {
            Ok(_) => crawl.fetched += 1,
            Err(why) => crawl.note_failure(&url, why),
        }
        let (timed, links) = result.unwrap_or_default();
        if let Some(page) = timed {
            let ([request, parse, extract], bytes) = (page.steps.map(secs), page.bytes);
            println!("{request:<13.6} {parse:<13.6} {extract:<13.6} {bytes:<6} {url}");
            times.push(page);
        }
        queue.extend(links.into_iter().filter(|link| seen.insert(link.clone())));
    }
    let elapsed = timer.elapsed();

    let median_of =
        |part: &dyn Fn(&PageTimes) -> Duration| secs(median(times.iter().map(part).collect()));
    let [request, parse, extract] = [0, 1, 2].map(|step| median_of(&|t| t.steps[step]));
    let cpu = median_of(&|t| t.steps[1] + t.steps[2]);
    let (pages, cores) = (
        times.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
    println!("\nmedians over {pages} pages (request, parse, extract, in seconds):");
    println!("{request:.6} {parse:.6} {extract:.6}"); // the article's line
    if cpu > 0.0 {
        let (ratio, micros, pages_per_sec) = (request / cpu, cpu * 1e6, cores as f64 / cpu);
        println!(
            "the request takes {ratio:.0}x the parse and extraction together; CPU per page \
             {micros:.1} us, so {cores} cores parse at most {pages_per_sec:.0} pages/s"
        );
    }
    let stats = target.stats();
    crawl
        .report(env!("CARGO_PKG_NAME"), elapsed, stats.as_ref(), 1)
        .extra("request_s", request)
        .extra("parse_s", parse)
        .extra("extract_s", extract)
        .extra("cpu_per_page_s", cpu)
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
