//! The crawl rules shared by the crawlers (`crawl_serial`, `crawl_pool`,
//! `crawl_async`, `crawl_async_continuous`, `crawl_bottleneck`), written once.
//!
//! This is plumbing: which links count, how they are cleaned up, which pages
//! are HTML, why a page failed ([`PageError`]), the bookkeeping of one
//! fetched page ([`Crawl::post_process`]: the visited set, the counts), the
//! common flags, the progress bar and the summary lines. The lesson of each
//! crawler (the loop that decides *when* and *how many* pages are fetched)
//! stays in its own `main.rs`.
//!
//! The rules, next to the article's string tests:
//!
//! | article (string tests)                     | here (parsed URLs)                              |
//! |--------------------------------------------|-------------------------------------------------|
//! | `href` must start with `https://www`       | resolve relative hrefs against the page URL     |
//! | last segment starting with `?ref` is cut   | the `ref` query parameter is removed            |
//! | last segment starting with `#` is skipped  | the fragment is removed (same page)             |
//! | (nothing)                                  | only http(s): no `mailto:`, `javascript:`, ...  |
//! | `startswith('https://www')` = same site    | same origin as the start page: scheme, host, port |
//! | (nothing)                                  | pages that are not HTML are not parsed          |

use std::collections::HashSet;
use std::fmt;
use std::io::IsTerminal;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use scraper::{Html, Selector};
use url::Url;

use crate::report::shorten;

use crate::Report;
#[cfg(feature = "pool")]
use crate::pool::{Pool, PoolBuilder, TaskError, serve_if_worker};
use crate::web::{IpLiteralResolver, SiteArgs, SiteGuard, Stats, describe_error};

/// The article prints `res[432]`, the 433rd URL found; we print the same one.
pub const SAMPLE_INDEX: usize = 432;

/// The path of the local site's link-graph root.
pub const ROOT_PATH: &str = "/crawl/0";

// ---------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------

/// Every link of an HTML page, resolved against `page_url` and cleaned up by
/// [`resolve`]; links that are not web pages are left out. Links to other
/// origins are kept: the crawler decides with [`same_origin`].
pub fn extract_links(page_url: &Url, html: &str) -> Vec<Url> {
    let document = Html::parse_document(html);
    links_in_document(page_url, &document)
}

/// The second half of [`extract_links`], for a page already parsed
/// (`crawl_bottleneck` times the parse and the extraction separately).
pub fn links_in_document(page_url: &Url, document: &Html) -> Vec<Url> {
    // A CSS selector is compiled once for the whole program, not per page.
    static ANCHORS: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("a[href]").expect("`a[href]` is a valid CSS selector"));
    document
        .select(&ANCHORS)
        .filter_map(|anchor| anchor.value().attr("href"))
        .filter_map(|href| resolve(page_url, href))
        .collect()
}

/// One `href` as it appears on `page_url`, turned into an absolute, clean
/// URL, or `None` when it does not point to a web page (`mailto:`,
/// `javascript:`, `ftp:`, a malformed URL...).
pub fn resolve(page_url: &Url, href: &str) -> Option<Url> {
    // `join` does what a browser does: "../a", "/b", "?q", "//host/c" and
    // absolute URLs all come out absolute.
    let absolute = page_url.join(href.trim()).ok()?;
    normalize(absolute)
}

/// Clean up an absolute URL so that two spellings of one page become one
/// string (the visited set compares strings): no fragment, no `ref`
/// tracking parameter, no empty query. `None` for anything but http(s).
pub fn normalize(mut url: Url) -> Option<Url> {
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return None;
    }
    // `#section` is a place on the same page, never another page.
    url.set_fragment(None);
    // `?ref=menu` says where the click came from; the page is the same.
    // The other parameters are kept byte for byte.
    if let Some(query) = url.query() {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some("ref"))
            .collect();
        let kept = kept.join("&");
        if kept.is_empty() {
            url.set_query(None);
        } else if kept != query {
            url.set_query(Some(&kept));
        }
    }
    Some(url)
}

/// Whether two URLs are on the same origin: scheme, host and port
/// (`http://h` and `http://h:80` are the same origin).
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}

/// The links of a page that a crawler may follow: those on the page's own
/// origin. The crawlers only fetch pages of the start origin, so "the
/// page's origin" is the start origin.
pub fn same_origin_links(page_url: &Url, html: &str) -> Vec<Url> {
    let mut links = extract_links(page_url, html);
    links.retain(|link| same_origin(link, page_url));
    links
}

/// Whether a response's `Content-Type` says HTML. A response without the
/// header is given the benefit of the doubt (small servers often omit it);
/// images, PDFs, JSON and plain text are not parsed.
pub fn is_html(content_type: Option<&str>) -> bool {
    match content_type {
        None => true,
        Some(value) => {
            let mime = value.split(';').next().unwrap_or("").trim();
            mime.eq_ignore_ascii_case("text/html")
                || mime.eq_ignore_ascii_case("application/xhtml+xml")
        }
    }
}

/// The links of a redirect answer (3xx): its `Location`, under the same
/// rules as a link on the page. The crawl clients below do not follow
/// redirects themselves, so a redirect to another origin is never requested.
pub fn redirect_links(page_url: &Url, location: Option<&str>) -> Vec<Url> {
    location
        .and_then(|location| resolve(page_url, location))
        .filter(|target| same_origin(target, page_url))
        .into_iter()
        .collect()
}

// ---------------------------------------------------------------------------
// A fetched page, and why a page failed
// ---------------------------------------------------------------------------

/// What one answer holds for a crawler, before any parsing.
#[derive(Debug)]
pub enum Page {
    /// An HTML page, not parsed yet: *where* it is parsed is up to the
    /// crawler (`crawl_async` parses a whole level after fetching it).
    Html(String),
    /// Links known without parsing: a redirect's target, or none at all for
    /// a page that is not HTML (its body is never read).
    Links(Vec<Url>),
}

impl Page {
    /// Read a [`crawl_agent`] answer to a request for `url`. Error statuses
    /// never get here: the agent already made them a [`PageError`].
    pub fn read(
        url: &Url,
        mut response: ureq::http::Response<ureq::Body>,
    ) -> Result<Page, PageError> {
        let headers = response.headers();
        let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
        // Redirects are not followed by the client: a redirect is a link
        // like any other, so it obeys the same-origin rule.
        if response.status().is_redirection() {
            return Ok(Page::Links(redirect_links(url, header("location"))));
        }
        if !is_html(header("content-type")) {
            return Ok(Page::Links(Vec::new()));
        }
        Ok(Page::Html(response.body_mut().read_to_string()?))
    }

    /// Read a [`crawl_client`] answer to a request for `url`. A 500 is an
    /// answer to reqwest; here it becomes a [`PageError`], as with ureq.
    pub async fn read_async(url: &Url, response: reqwest::Response) -> Result<Page, PageError> {
        let header = |name: &str| {
            let value = response.headers().get(name)?;
            value.to_str().ok().map(str::to_owned)
        };
        if response.status().is_redirection() {
            let location = header("location");
            return Ok(Page::Links(redirect_links(url, location.as_deref())));
        }
        let html = is_html(header("content-type").as_deref());
        let response = response.error_for_status()?;
        if !html {
            return Ok(Page::Links(Vec::new()));
        }
        Ok(Page::Html(response.text().await?))
    }

    /// The links a crawler may follow from this page: for HTML, those of
    /// [`same_origin_links`] (parsed here, on the calling thread).
    pub fn links(self, url: &Url) -> Vec<Url> {
        match self {
            Page::Html(html) => same_origin_links(url, &html),
            Page::Links(links) => links,
        }
    }
}

/// Why one page of a crawl failed, in a few words: `HTTP 500` for an error
/// status, else the error and its causes (`timeout: ...`, `io: Connection
/// refused`). Every crawler's fetch returns it, so a 500 becomes a failure
/// the same way in all of them; [`Crawl::note_failure`] counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError(String);

impl PageError {
    /// A failure described in words (a task that panicked, ...).
    pub fn new(reason: impl Into<String>) -> Self {
        PageError(reason.into())
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PageError {}

impl From<ureq::Error> for PageError {
    fn from(err: ureq::Error) -> Self {
        match err {
            ureq::Error::StatusCode(code) => PageError(format!("HTTP {code}")),
            other => PageError(describe_error(&other)),
        }
    }
}

impl From<reqwest::Error> for PageError {
    fn from(err: reqwest::Error) -> Self {
        match err.status() {
            Some(status) => PageError(format!("HTTP {}", status.as_u16())),
            None => PageError(describe_error(&err)),
        }
    }
}

/// A page fetched in a worker process: the worker's own `PageError` comes
/// back as its text, and a worker that died or timed out says so.
#[cfg(feature = "pool")]
impl From<TaskError> for PageError {
    fn from(err: TaskError) -> Self {
        PageError(err.to_string())
    }
}

// ---------------------------------------------------------------------------
// The HTTP clients of the crawlers
// ---------------------------------------------------------------------------

/// The blocking client of the crawlers: [`crate::web::blocking_agent`]'s
/// settings (timeout, no proxy, error statuses as `Err`), but redirects are
/// not followed: the crawler treats them as links ([`redirect_links`]).
///
/// It also answers IP addresses without a lookup (see [`IpLiteralResolver`]),
/// as [`crate::web::blocking_agent`] does.
pub fn crawl_agent(timeout: Duration) -> ureq::Agent {
    let config = ureq::config::Config::builder()
        .timeout_global(Some(timeout))
        .proxy(None)
        .http_status_as_error(true)
        .max_redirects(0)
        .max_idle_connections_per_host(1024)
        .max_idle_connections(1024)
        .build();
    ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::default(),
        IpLiteralResolver::default(),
    )
}

/// The async client of the crawlers: [`crate::web::async_client`] without
/// following redirects (see [`crawl_agent`]). Like clap's `parse`, it ends
/// the program if it cannot (`error: ...`, exit 1: no TLS provider), before
/// anything is fetched.
pub fn crawl_client(timeout: Duration) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1024)
        .build()
        .unwrap_or_else(|err| {
            eprintln!("error: building the HTTP client: {}", describe_error(&err));
            std::process::exit(1)
        })
}

// ---------------------------------------------------------------------------
// Worker processes that run a crawler's `get_urls`
// ---------------------------------------------------------------------------

/// A crawler's `get_urls`: fetch one page, return the links to follow.
#[cfg(feature = "pool")]
pub type GetUrls = fn(&ureq::Agent, &Url) -> Result<Vec<Url>, PageError>;

/// A [`crate::pool`] of worker processes (copies of the crawler's own
/// binary) that run its `get_urls`, one URL at a time each. This is the
/// wire protocol only: URLs go out and links come back as text, and are
/// parsed again here, part of the price of a process boundary.
#[cfg(feature = "pool")]
pub struct CrawlWorkers(Pool<String, Vec<String>>);

#[cfg(feature = "pool")]
impl CrawlWorkers {
    /// Start `workers` processes, each with a [`crawl_agent`] of `timeout`;
    /// the binary's `main` must call [`serve_if_crawl_worker`] first. Like
    /// clap's `parse`, it ends the program if it cannot: it says why
    /// (`error: ...`, how many started) and exits 1, the code of a failed run.
    pub fn start(workers: usize, timeout: Duration) -> Self {
        let spawned = PoolBuilder::new(workers)
            .initializer(&timeout.as_secs_f64())
            .spawn();
        spawned.map(CrawlWorkers).unwrap_or_else(|err| {
            eprintln!("error: could not start the worker processes: {err}");
            std::process::exit(1)
        })
    }

    /// Run `get_urls` on every URL of `batch`; one result per URL, in
    /// batch order. A worker that died or timed out fails its page.
    pub fn map(&mut self, batch: &[Url]) -> Vec<Result<Vec<Url>, PageError>> {
        let tasks = batch.iter().map(Url::to_string).collect();
        let parse = |links: Vec<String>| links.iter().flat_map(|l| Url::parse(l)).collect();
        (self.0.map(tasks).into_iter())
            .map(|result| Ok(parse(result?)))
            .collect()
    }
}

/// In a worker process started by [`CrawlWorkers::start`]: make one agent,
/// then run `get_urls` on every URL handed over, and exit; never returns.
/// In any other process it returns at once. Call it first in `main`.
#[cfg(feature = "pool")]
pub fn serve_if_crawl_worker(get_urls: GetUrls) {
    serve_if_worker(
        |timeout_secs: f64| crawl_agent(Duration::from_secs_f64(timeout_secs)),
        |agent: &mut ureq::Agent, url: String| {
            let url = Url::parse(&url).map_err(|e| format!("bad URL {url:?}: {e}"))?;
            let links = get_urls(agent, &url).map_err(|why| why.to_string())?;
            Ok(links.into_iter().map(String::from).collect::<Vec<String>>())
        },
    );
}

// ---------------------------------------------------------------------------
// The common flags and the site behind them
// ---------------------------------------------------------------------------

/// Flags shared by the crawlers (flatten into the example's own struct).
#[derive(Debug, Clone, Args)]
pub struct CrawlArgs {
    #[command(flatten)]
    pub site: SiteArgs,

    /// Start page. Default: the link-graph root of the site (`{site}/crawl/0`).
    /// Only links on the start page's origin (scheme, host, port) are followed.
    #[arg(long, visible_alias = "url", value_name = "URL", value_parser = crate::web::UrlParser { trim_slash: false })]
    pub start: Option<String>,

    /// Pages in the local site's link graph (ignored with --site or --start).
    /// 20000 is the article's size.
    #[arg(long, value_name = "N", default_value_t = 2_000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub pages: u32,

    /// Seed of the local site's link graph, latency and faults.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
}

/// Where a crawl starts, and the site serving it (if it is ours).
pub struct CrawlTarget {
    /// The start page, already normalized.
    pub start: Url,
    /// The local site, or a `--site` server; `None` with `--start` alone.
    pub site: Option<SiteGuard>,
}

impl CrawlArgs {
    /// Start the local site (unless `--site` or `--start` says where to go)
    /// and work out the start page. Like clap's `parse`, it ends the
    /// program on failure: `error: ...`, exit 2 (bad arguments).
    pub fn open(&self) -> CrawlTarget {
        self.try_open().unwrap_or_else(|err| {
            eprintln!("error: {err:#}");
            std::process::exit(2)
        })
    }

    fn try_open(&self) -> Result<CrawlTarget> {
        let site = if self.start.is_some() && self.site.site.is_none() {
            None
        } else {
            let config = site::Config {
                pages: self.pages as usize,
                seed: self.seed,
                ..site::Config::default()
            };
            Some(self.site.start_with(config)?)
        };
        let start_text = match (&self.start, &site) {
            (Some(start), _) => start.clone(),
            (None, Some(site)) => site.url(ROOT_PATH),
            (None, None) => unreachable!("a site is started whenever --start is absent"),
        };
        let start = Url::parse(&start_text)
            .ok()
            .and_then(normalize)
            .with_context(|| format!("the start page {start_text:?} is not an http(s) URL"))?;
        if let Some(site) = &site {
            // Counters from zero, so `max_in_flight` is this crawl's.
            site.reset_stats();
        }
        Ok(CrawlTarget { start, site })
    }
}

impl CrawlTarget {
    /// The site's counters, when it has them (local site or `site_server`).
    pub fn stats(&self) -> Option<Stats> {
        self.site.as_ref().and_then(SiteGuard::stats)
    }
}

// ---------------------------------------------------------------------------
// The result and how it is printed
// ---------------------------------------------------------------------------

/// What every crawler returns.
#[derive(Debug, Clone, Default)]
pub struct Crawl {
    /// URLs found, in the order found; the start page first (the article's `q`).
    pub urls: Vec<Url>,
    /// Pages fetched with a 2xx answer (HTML or not).
    pub fetched: u64,
    /// Pages whose request failed (error status, reset, timeout...).
    pub failed: u64,
    /// Every URL queued so far (the article's `visited` dict): a URL is
    /// queued once, however many pages link to it.
    visited: HashSet<Url>,
    /// The cap on `urls` (the article's `max_urls`).
    max_urls: usize,
    /// The bar of a crawl made by [`Crawl::new`].
    progress: Option<CrawlProgress>,
}

impl Crawl {
    /// A crawl that has found its start page only, with a progress bar
    /// toward `max_urls` URLs (see [`CrawlProgress`]). (`Crawl::default()`
    /// is a tally with no cap room: its `post_process` queues nothing.)
    pub fn new(start: Url, max_urls: usize) -> Self {
        Crawl {
            urls: vec![start.clone()],
            visited: HashSet::from([start]),
            max_urls,
            progress: Some(CrawlProgress::new(max_urls)),
            ..Crawl::default()
        }
    }

    /// What every crawler does with one fetched page, whoever fetched it:
    /// count it and queue its links not visited yet, until `max_urls` are
    /// known (the article's inner loop, which its pool version names
    /// `post_process`); or count its failure and skip it, its links unknown.
    pub fn post_process(&mut self, page: &Url, result: Result<Vec<Url>, PageError>) {
        match result {
            Ok(links) => {
                self.fetched += 1;
                let room = self.max_urls.saturating_sub(self.urls.len());
                // `insert` is false for a URL seen before: one lookup tests
                // and marks it.
                let visited = &mut self.visited;
                let new = links
                    .into_iter()
                    .filter(|link| visited.insert(link.clone()));
                self.urls.extend(new.take(room));
            }
            Err(why) => self.note_failure(page, &why),
        }
        self.show_progress();
    }

    /// Show the counts on the progress bar; cheap enough after every page.
    fn show_progress(&mut self) {
        if let Some(progress) = &mut self.progress {
            progress.update(self.urls.len(), self.fetched, self.failed);
        }
    }

    /// The URL the article prints (`res[432]`), or the last one found.
    pub fn sample(&self) -> Option<&Url> {
        self.urls.get(SAMPLE_INDEX).or(self.urls.last())
    }

    /// Whether `urls` holds each URL once (a check for tests).
    pub fn all_distinct(&self) -> bool {
        let distinct: HashSet<&Url> = self.urls.iter().collect();
        distinct.len() == self.urls.len()
    }

    /// Count a failed page, and say why on stderr for the first few (a
    /// crawl with a 5% error rate would otherwise bury the output).
    pub fn note_failure(&mut self, url: &Url, error: &dyn std::fmt::Display) {
        const SHOWN: u64 = 3;
        self.failed += 1;
        if self.failed <= SHOWN {
            let (url, error) = (url.as_str(), error.to_string());
            eprintln!("failed: {}: {}", shorten(url), shorten(&error));
        } else if self.failed == SHOWN + 1 {
            eprintln!("(further failures are only counted)");
        }
    }

    /// Count a task that ended without a result (it panicked: a bug, not
    /// the network), its page unknown, and say so on stderr.
    pub fn note_task_failure(&mut self, error: &dyn std::fmt::Display) {
        self.failed += 1;
        eprintln!("a crawl task failed: {error}");
    }

    /// What every crawler does once its timer has stopped: print the
    /// summary ([`Crawl::print_summary`]: the article's `len(res), res[432]`
    /// and the failures), then start the record ([`Crawl::report`]). The
    /// example adds its extras and finishes with its closing line.
    pub fn summarize(
        &self,
        example: &str,
        elapsed: Duration,
        stats: Option<Stats>,
        concurrency: usize,
    ) -> Report {
        self.print_summary();
        self.report(example, elapsed, stats.as_ref(), concurrency)
    }

    /// The record for `run_all`: pages fetched are the items, failed pages
    /// the errors; the URLs found, the concurrency the crawler allows and
    /// the site's own max in flight (when the site is ours) as extras.
    pub fn report(
        &self,
        example: &str,
        elapsed: Duration,
        stats: Option<&Stats>,
        concurrency: usize,
    ) -> Report {
        let secs = elapsed.as_secs_f64().max(1e-9);
        let mut report = Report::new(example, elapsed)
            .items(self.fetched)
            .errors(self.failed)
            .extra("urls_found", self.urls.len() as u64)
            .extra("concurrency", concurrency as u64)
            .extra(
                "pages_per_sec",
                ((self.fetched + self.failed) as f64 / secs).round(),
            );
        if let Some(stats) = stats {
            report = report
                .extra("max_in_flight", stats.max_in_flight)
                .extra("site_requests", stats.requests);
        }
        report
    }

    /// Remove the progress bar, then print the article's line (`len(res),
    /// res[432]`) and the failures.
    pub fn print_summary(&self) {
        if let Some(progress) = &self.progress {
            progress.finish();
        }
        let index = if self.urls.len() > SAMPLE_INDEX {
            SAMPLE_INDEX
        } else {
            self.urls.len().saturating_sub(1)
        };
        match self.sample() {
            Some(url) => println!(
                "{} {}   (urls[{index}])",
                self.urls.len(),
                shorten(url.as_str())
            ),
            None => println!("0 (no URL found)"),
        }
        println!(
            "pages requested: {}, failed: {}",
            self.fetched + self.failed,
            self.failed
        );
    }
}

/// The median of some durations (the mean of the middle two for an even
/// count; zero for none): one page's timing is noisy, a median of 20 is not.
pub fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    match values.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2,
    }
}

// ---------------------------------------------------------------------------
// The progress bar
// ---------------------------------------------------------------------------

/// A progress bar on stderr that stays hidden for the first second (a
/// quick crawl prints nothing extra) and whenever stderr is not a terminal
/// (pipes, `run_all`, tests).
#[derive(Debug, Clone)]
pub struct CrawlProgress {
    bar: ProgressBar,
    started: Instant,
    shown: bool,
    enabled: bool,
}

impl CrawlProgress {
    /// How long a crawl runs before the bar appears.
    pub const DELAY: Duration = Duration::from_secs(1);

    /// A bar that counts URLs found, up to `max_urls`.
    pub fn new(max_urls: usize) -> Self {
        let bar =
            ProgressBar::with_draw_target(Some(max_urls as u64), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} URLs found, {msg}",
        )
        .expect("the progress template is valid")
        .progress_chars("=> ");
        bar.set_style(style);
        CrawlProgress {
            bar,
            started: Instant::now(),
            shown: false,
            enabled: std::io::stderr().is_terminal(),
        }
    }

    /// Report the crawl's counts; cheap enough to call after every page.
    pub fn update(&mut self, found: usize, fetched: u64, failed: u64) {
        if self.enabled && !self.shown && self.started.elapsed() >= Self::DELAY {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.shown = true;
        }
        self.bar.set_position(found as u64);
        if self.shown {
            self.bar
                .set_message(format!("{fetched} pages fetched, {failed} failed"));
        }
    }

    /// Remove the bar before the summary is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

// ---------------------------------------------------------------------------
// Test fixtures for the crawlers' own tests
// ---------------------------------------------------------------------------

/// Local sites for the crawlers' tests (small, fast, on 127.0.0.1).
pub mod testing {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use url::Url;

    /// A local site whose link graph has `pages` linked pages, `latency_ms`
    /// per answer, no jitter, and `error_rate` of the answers a 500 (not
    /// `testkit::local_site`, whose graph is tiny: its tests never crawl).
    pub fn site_of_linked_pages(
        pages: usize,
        latency_ms: u64,
        error_rate: f64,
    ) -> site::SiteHandle {
        site::spawn(site::Config {
            pages,
            latency_ms,
            jitter_ms: 0,
            error_rate,
            ..site::Config::default()
        })
        .expect("the local site starts on a free loopback port")
    }

    /// The root of a local site's link graph, where a crawl starts.
    pub fn graph_root(site: &site::SiteHandle) -> Url {
        Url::parse(&format!("{}{}", site.url(), super::ROOT_PATH))
            .expect("the local site's URL is a valid URL")
    }

    /// Two local sites: `site` serves three hand-written pages (from a
    /// folder) that link to each other and, in every spelling we could
    /// think of, to `other`. A correct crawler of `site` finds the three
    /// pages and sends `other` nothing.
    pub struct OffOriginSite {
        pub site: site::SiteHandle,
        pub other: site::SiteHandle,
        dir: PathBuf,
    }

    /// The pages of the folder site, and what each links to. `{other}` is
    /// the other site's base URL (`http://127.0.0.1:PORT`), `{port}` its port.
    const PAGES: [(&str, &str); 3] = [
        (
            "a.html",
            r#"<a href="b.html">b</a> <a href="/c.html?ref=home">c</a>
               <a href="{other}/crawl/0">other root</a> <a href="{other}/a.html">same path elsewhere</a>
               <a href="//127.0.0.1:{port}/b.html">protocol-relative</a>
               <a href="http://localhost:{port}/c.html">other name</a>
               <a href="mailto:someone@example.com">mail</a> <a href="javascript:void(0)">js</a>"#,
        ),
        (
            "b.html",
            r#"<a href="a.html#top">a</a> <a href="./c.html">c</a>
               <a href="{other}/crawl/1?ref=b">other</a> <a href="https://127.0.0.1:{port}/">https</a>"#,
        ),
        (
            "c.html",
            r#"<a href="/a.html?ref=c">a</a> <a href="{other}/">other home</a>"#,
        ),
    ];

    impl OffOriginSite {
        pub fn start() -> Self {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let other = site_of_linked_pages(10, 0, 0.0);
            let other_url = Url::parse(other.url()).expect("the site's URL is a valid URL");
            let port = other_url
                .port()
                .expect("the local site has an explicit port")
                .to_string();
            let dir = std::env::temp_dir().join(format!(
                "crawl-off-origin-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&dir).expect("the temp dir is writable");
            for (name, body) in PAGES {
                let body = body
                    .replace("{other}", other.url())
                    .replace("{port}", &port);
                let html = format!("<!doctype html><html><body>{body}</body></html>");
                std::fs::write(dir.join(name), html).expect("the temp dir is writable");
            }
            let site = site::spawn(site::Config {
                latency_ms: 0,
                jitter_ms: 0,
                dir: Some(dir.clone()),
                ..site::Config::default()
            })
            .expect("the folder site starts on a free loopback port");
            other.reset_stats();
            OffOriginSite { site, other, dir }
        }

        /// Where the crawl starts: `a.html`.
        pub fn start_url(&self) -> Url {
            Url::parse(&format!("{}/a.html", self.site.url())).expect("a valid URL")
        }

        /// How many pages of the folder site are reachable from `a.html`.
        pub fn own_pages(&self) -> usize {
            PAGES.len()
        }

        /// Whether a URL is one of the folder site's pages.
        pub fn is_own(&self, url: &Url) -> bool {
            url.as_str().starts_with(&format!("{}/", self.site.url()))
        }
    }

    impl Drop for OffOriginSite {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn page() -> Url {
        url("http://127.0.0.1:8000/crawl/7")
    }

    fn resolved(href: &str) -> Option<String> {
        resolve(&page(), href).map(String::from)
    }

    #[test]
    fn relative_links_resolve_against_the_page() {
        assert_eq!(
            resolved("/crawl/9").as_deref(),
            Some("http://127.0.0.1:8000/crawl/9")
        );
        assert_eq!(
            resolved("8").as_deref(),
            Some("http://127.0.0.1:8000/crawl/8")
        );
        assert_eq!(
            resolved("../about").as_deref(),
            Some("http://127.0.0.1:8000/about")
        );
        assert_eq!(
            resolved("  /spaced  ").as_deref(),
            Some("http://127.0.0.1:8000/spaced")
        );
        assert_eq!(
            resolved("//other.test/x").as_deref(),
            Some("http://other.test/x")
        );
        assert_eq!(
            resolved("https://a.test/b").as_deref(),
            Some("https://a.test/b")
        );
    }

    #[test]
    fn fragments_are_dropped() {
        assert_eq!(
            resolved("#top").as_deref(),
            Some("http://127.0.0.1:8000/crawl/7")
        );
        assert_eq!(
            resolved("/crawl/3#links").as_deref(),
            Some("http://127.0.0.1:8000/crawl/3")
        );
    }

    #[test]
    fn ref_variants_are_the_same_page() {
        assert_eq!(
            resolved("/a?ref=menu").as_deref(),
            Some("http://127.0.0.1:8000/a")
        );
        assert_eq!(
            resolved("/a/?ref=outind").as_deref(),
            Some("http://127.0.0.1:8000/a/")
        );
        assert_eq!(
            resolved("/a?x=1&ref=menu&y=%20").as_deref(),
            Some("http://127.0.0.1:8000/a?x=1&y=%20")
        );
        assert_eq!(
            resolved("/a?ref").as_deref(),
            Some("http://127.0.0.1:8000/a")
        );
        // Only the parameter named exactly `ref` goes.
        assert_eq!(
            resolved("/a?refresh=1").as_deref(),
            Some("http://127.0.0.1:8000/a?refresh=1")
        );
        // An empty query is no query.
        assert_eq!(resolved("/a?").as_deref(), Some("http://127.0.0.1:8000/a"));
        assert_eq!(resolved("/a?ref=1#f").as_deref(), resolved("/a").as_deref());
    }

    #[test]
    fn non_web_links_are_skipped() {
        assert_eq!(resolved("mailto:someone@example.com"), None);
        assert_eq!(resolved("javascript:void(0)"), None);
        assert_eq!(resolved("JavaScript:alert(1)"), None);
        assert_eq!(resolved("ftp://files.test/a"), None);
        assert_eq!(resolved("tel:+123"), None);
        assert_eq!(resolved("data:text/html,hi"), None);
        assert_eq!(resolved("http://"), None);
    }

    #[test]
    fn same_origin_compares_scheme_host_and_port() {
        let start = url("http://127.0.0.1:8000/crawl/0");
        assert!(same_origin(&start, &url("http://127.0.0.1:8000/other?q=1")));
        assert!(!same_origin(&start, &url("http://127.0.0.1:8001/crawl/0")));
        assert!(!same_origin(&start, &url("https://127.0.0.1:8000/crawl/0")));
        assert!(!same_origin(&start, &url("http://localhost:8000/crawl/0")));
        // The default port is the same port, written or not.
        assert!(same_origin(
            &url("http://a.test/"),
            &url("http://a.test:80/x")
        ));
        assert!(!same_origin(
            &url("http://a.test/"),
            &url("http://www.a.test/")
        ));
    }

    #[test]
    fn links_are_extracted_from_anchors_only() {
        let html = r##"<html><head><link href="/style.css"></head><body>
            <a href="/crawl/1">one</a> <a href="2?ref=x">two</a>
            <a name="no-href">none</a> <a href="#top">self</a>
            <a href="mailto:x@y.z">mail</a> <a href="http://elsewhere.test/p">off</a>
            <img src="/img.png"></body></html>"##;
        let links: Vec<String> = extract_links(&page(), html)
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            links,
            [
                "http://127.0.0.1:8000/crawl/1",
                "http://127.0.0.1:8000/crawl/2",
                "http://127.0.0.1:8000/crawl/7",
                "http://elsewhere.test/p",
            ]
        );
        let own: Vec<String> = same_origin_links(&page(), html)
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(own.len(), 3);
        assert!(
            own.iter()
                .all(|link| link.starts_with("http://127.0.0.1:8000/"))
        );
    }

    #[test]
    fn broken_html_still_yields_its_links() {
        let links = extract_links(&page(), "<p><a href=/x>x<a href='/y'>y</div>");
        assert_eq!(links.len(), 2);
    }

    #[test]
    fn only_html_content_types_are_parsed() {
        assert!(is_html(Some("text/html")));
        assert!(is_html(Some("text/html; charset=utf-8")));
        assert!(is_html(Some("TEXT/HTML")));
        assert!(is_html(Some("application/xhtml+xml")));
        assert!(is_html(None));
        assert!(!is_html(Some("application/json")));
        assert!(!is_html(Some("text/plain; charset=utf-8")));
        assert!(!is_html(Some("image/png")));
    }

    #[test]
    fn ip_addresses_resolve_without_a_lookup() {
        use ureq::unversioned::resolver::Resolver;
        let resolver = IpLiteralResolver::default();
        let config = ureq::config::Config::default();
        let resolve = |uri: &str| {
            let uri: ureq::http::Uri = uri.parse().unwrap();
            let timeout = ureq::unversioned::transport::NextTimeout::default();
            resolver.resolve(&uri, &config, timeout).unwrap().to_vec()
        };
        assert_eq!(
            resolve("http://127.0.0.1:8000/x"),
            ["127.0.0.1:8000".parse().unwrap()]
        );
        assert_eq!(
            resolve("http://127.0.0.1/x"),
            ["127.0.0.1:80".parse().unwrap()]
        );
        assert_eq!(resolve("https://[::1]/x"), ["[::1]:443".parse().unwrap()]);
    }

    #[test]
    fn post_process_queues_each_new_link_once_up_to_max_urls() {
        let start = url("http://h.test/0");
        let mut crawl = Crawl::new(start.clone(), 4);
        let links = |paths: &[&str]| -> Vec<Url> {
            paths
                .iter()
                .map(|p| url(&format!("http://h.test/{p}")))
                .collect()
        };
        crawl.post_process(&start, Ok(links(&["0", "1", "2", "1"])));
        let paths: Vec<&str> = crawl.urls.iter().map(Url::path).collect();
        assert_eq!(
            paths,
            ["/0", "/1", "/2"],
            "the start and repeats are not queued again"
        );
        crawl.post_process(&crawl.urls[1].clone(), Ok(links(&["2", "3", "4", "5"])));
        assert_eq!(crawl.urls.len(), 4, "the cap holds");
        assert_eq!(crawl.urls[3].path(), "/3");
        crawl.post_process(&crawl.urls[2].clone(), Err(PageError::new("HTTP 500")));
        assert_eq!((crawl.fetched, crawl.failed), (2, 1));
        assert!(crawl.all_distinct());
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

    #[test]
    fn the_sample_is_the_433rd_url_or_the_last() {
        let mut crawl = Crawl::default();
        assert!(crawl.sample().is_none());
        crawl.urls = (0..10)
            .map(|i| url(&format!("http://h.test/{i}")))
            .collect();
        assert_eq!(crawl.sample().unwrap().path(), "/9");
        crawl.urls = (0..1000)
            .map(|i| url(&format!("http://h.test/{i}")))
            .collect();
        assert_eq!(crawl.sample().unwrap().path(), "/432");
        assert!(crawl.all_distinct());
    }
}
