//! Where a crawler's time goes: the request, the parse and the link
//! extraction of a page, timed separately.
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python"
//!          (LinkedIn notebook), the cell "understanding bottleneck".
//! Run:     cargo run --release -p crawl_bottleneck [-- --help]
//!          (one page of your choice: -- --site URL --start URL --samples 1)
//! Notice:  with the local site's default 50 ms latency the request is
//!          hundreds of times slower than the parse, as in the article
//!          (0.29 s vs 0.033 s vs 0.0006 s): a crawler waits far more than it
//!          computes, so overlapping the waits is what speeds it up. At
//!          `--latency-ms 0` the request shrinks to the CPU cost of HTTP on
//!          both ends, and parse + extract ("CPU per page") is what bounds a
//!          crawler on all cores: pages/s <= cores / (CPU per page).
//! Python -> Rust: `time.time()` around `requests.get`,
//!          `BeautifulSoup(..., 'html.parser')` and the `find_all('a')` loop ->
//!          `Instant` around `ureq`, `scraper::Html::parse_document` and the
//!          `a[href]` selection. One page's timing is noisy, so we time
//!          `--samples` pages (the start page, then the pages it links to,
//!          breadth-first) and print the medians.

use std::collections::{HashSet, VecDeque};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use scraper::Html;
use support::Timer;
use support::crawl::{
    Crawl, CrawlArgs, crawl_agent, is_html, links_in_document, redirect_links, same_origin,
};
use url::Url;

/// Time the request, the parse and the link extraction of a few pages.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    crawl: CrawlArgs,

    /// How many pages to time (the article times one).
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    samples: u32,
}

/// The three timings of one page (the article's s2-s1, s3-s2, s4-s3).
struct PageTimes {
    request: Duration,
    parse: Duration,
    extract: Duration,
    bytes: usize,
}

/// What timing one URL gave.
enum Sample {
    /// An HTML page: its timings, and its same-origin links to sample next.
    Page(PageTimes, Vec<Url>),
    /// A redirect or a page that is not HTML: nothing to time, maybe a link.
    Skipped(Vec<Url>),
}

/// Fetch, parse and extract one page, with a clock read between each step.
fn time_page(agent: &ureq::Agent, url: &Url) -> Result<Sample, String> {
    let s1 = Instant::now();
    let mut response = agent.get(url.as_str()).call().map_err(reason)?;
    let headers = response.headers();
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if response.status().is_redirection() {
        return Ok(Sample::Skipped(redirect_links(url, header("location"))));
    }
    if !is_html(header("content-type")) {
        return Ok(Sample::Skipped(Vec::new()));
    }
    // The request includes reading the body, as `requests.get` does.
    let html = response.body_mut().read_to_string().map_err(reason)?;
    let s2 = Instant::now();
    // The parse builds the whole DOM tree (html5ever, a browser-grade parser).
    let document = Html::parse_document(&html);
    let s3 = Instant::now();
    // The extraction walks that tree for `a[href]` and applies the crawl rules.
    let mut links = links_in_document(url, &document);
    links.retain(|link| same_origin(link, url));
    let s4 = Instant::now();
    let times = PageTimes {
        request: s2 - s1,
        parse: s3 - s2,
        extract: s4 - s3,
        bytes: html.len(),
    };
    Ok(Sample::Page(times, links))
}

/// The median of some durations (the mean of the middle two for an even count).
fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    match values.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2,
    }
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
    let agent = crawl_agent(args.crawl.site.timeout());
    let samples = args.samples as usize;

    // Visit pages breadth-first from the start page until enough are timed.
    // `crawl` only keeps the counts and the URLs seen; one page at a time,
    // so that nothing else competes for the CPU while a page is timed.
    let timer = Timer::start();
    let mut crawl = Crawl::default();
    let mut times = Vec::new();
    let mut queue = VecDeque::from([target.start.clone()]);
    let mut seen = HashSet::from([target.start.clone()]);
    println!("request (s)   parse (s)     extract (s)   bytes  page");
    while times.len() < samples {
        let Some(url) = queue.pop_front() else { break };
        crawl.urls.push(url.clone());
        let links = match time_page(&agent, &url) {
            Ok(Sample::Page(page, links)) => {
                crawl.fetched += 1;
                println!(
                    "{:<13.6} {:<13.6} {:<13.6} {:<6} {url}",
                    page.request.as_secs_f64(),
                    page.parse.as_secs_f64(),
                    page.extract.as_secs_f64(),
                    page.bytes,
                );
                times.push(page);
                links
            }
            Ok(Sample::Skipped(links)) => {
                crawl.fetched += 1;
                links
            }
            Err(why) => {
                crawl.note_failure(&url, &why);
                Vec::new()
            }
        };
        queue.extend(links.into_iter().filter(|link| seen.insert(link.clone())));
    }
    let elapsed = timer.elapsed();

    let request = median(times.iter().map(|t| t.request).collect());
    let parse = median(times.iter().map(|t| t.parse).collect());
    let extract = median(times.iter().map(|t| t.extract).collect());
    let cpu = median(times.iter().map(|t| t.parse + t.extract).collect());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!();
    println!(
        "medians over {} pages (request, parse, extract, in seconds):",
        times.len()
    );
    // The article's line: three numbers, request then parse then extract.
    println!(
        "{:.6} {:.6} {:.6}",
        request.as_secs_f64(),
        parse.as_secs_f64(),
        extract.as_secs_f64()
    );
    if !cpu.is_zero() {
        println!(
            "the request takes {:.0}x the parse and extraction together; CPU per page {:.1} us, \
             so {cores} cores parse at most {:.0} pages/s",
            request.as_secs_f64() / cpu.as_secs_f64(),
            cpu.as_secs_f64() * 1e6,
            cores as f64 / cpu.as_secs_f64(),
        );
    }
    let stats = target.stats();
    crawl
        .report("crawl_bottleneck", elapsed, stats.as_ref(), 1)
        .extra("request_s", request.as_secs_f64())
        .extra("parse_s", parse.as_secs_f64())
        .extra("extract_s", extract.as_secs_f64())
        .extra("cpu_per_page_s", cpu.as_secs_f64())
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
    use support::crawl::testing::{local_site, start_url};

    #[test]
    fn a_page_is_timed_in_three_parts_and_its_links_found() {
        let site = local_site(100, 0, 0.0);
        let agent = crawl_agent(Duration::from_secs(10));
        let root = start_url(&site);
        let Ok(Sample::Page(times, links)) = time_page(&agent, &root) else {
            panic!("the root of the local site is an HTML page");
        };
        assert!(times.bytes > 0);
        assert!(!links.is_empty());
        assert!(links.iter().all(|link| same_origin(link, &root)));
        assert_eq!(site.stats().requests, 1, "one request per timed page");
    }

    #[test]
    fn failures_are_errors_not_panics() {
        let site = local_site(100, 0, 1.0);
        let agent = crawl_agent(Duration::from_secs(10));
        let result = time_page(&agent, &start_url(&site));
        assert_eq!(result.err().as_deref(), Some("HTTP 500"));
    }

    #[test]
    fn medians() {
        let ms = Duration::from_millis;
        assert_eq!(median(vec![ms(3), ms(1), ms(2)]), ms(2));
        assert_eq!(
            median(vec![ms(4), ms(1), ms(3), ms(2)]),
            Duration::from_micros(2500)
        );
        assert_eq!(median(Vec::new()), Duration::ZERO);
    }
}
