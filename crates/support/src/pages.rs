//! Plumbing of the examples that fetch a list of pages (`download_*`,
//! `scrape_*`): which URLs to fetch, which site to ask for stats, the
//! per-page lines (`Read N from URL`, `Failed URL: reason`) and their tally.
//!
//! How the pages are fetched (a loop, threads, futures, processes) stays in
//! each example: that is the lesson. What is here is the same in all eight,
//! so that their lines and exit codes cannot drift apart.

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use serde::{Deserialize, Serialize};

use crate::Report;
use crate::report::shorten;
use crate::web::{SiteArgs, SiteGuard, describe_error, domain_urls, read_url_list};

/// The flags of the four `download_*` examples (flatten them into the
/// example's own `clap` struct with `#[command(flatten)]`).
#[derive(Debug, Clone, Args)]
pub struct DownloadArgs {
    #[command(flatten)]
    pub site: SiteArgs,

    /// How many times the two-site list is repeated (the article: 80, so 160 downloads).
    #[arg(long, default_value_t = 80, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub repeat: u32,

    /// Download the absolute URLs listed in FILE instead (one per line; blank
    /// lines and # comments skipped). Stats are still read from --site, if given.
    #[arg(long, value_name = "FILE")]
    pub urls: Option<PathBuf>,
}

impl DownloadArgs {
    /// The article's `[jython, dice] * repeat` from the site, or the `--urls`
    /// list; see [`Pages::from_flags`] for the site. Like clap's `parse`, it
    /// exits on failure: `error: ...` and exit 2 for a bad `--urls` file, 1
    /// when the local site cannot start.
    pub fn start(&self) -> Pages {
        Pages::or_exit(Pages::try_from_flags(
            &self.site,
            self.urls.as_deref(),
            |site| two_sites(site.base_url(), self.repeat as usize),
        ))
    }

    /// The per-request timeout (`--timeout`).
    pub fn timeout(&self) -> Duration {
        self.site.timeout()
    }
}

/// The flags of the four `scrape_*` examples (flatten them into the
/// example's own `clap` struct with `#[command(flatten)]`).
#[derive(Debug, Clone, Args)]
pub struct ScrapeArgs {
    #[command(flatten)]
    pub site: SiteArgs,

    /// How many "domains" to scrape (the article ran 10 and 500).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub count: u32,

    /// Scrape the URLs listed in FILE (one per line) instead of the local site's.
    #[arg(long, value_name = "FILE")]
    pub urls: Option<PathBuf>,

    /// Print only failures and the summary, not one line per page.
    #[arg(long)]
    pub quiet: bool,
}

impl ScrapeArgs {
    /// The site's top `--count` "domains", or the `--urls` list; see
    /// [`Pages::from_flags`] for the site. Like clap's `parse`, it exits on
    /// failure: `error: ...` and exit 2 for a bad `--urls` file, 1 when the
    /// local site cannot start.
    pub fn start(&self) -> Pages {
        Pages::or_exit(Pages::try_from_flags(
            &self.site,
            self.urls.as_deref(),
            |site| domain_urls(site, self.count as usize),
        ))
    }

    /// The per-request timeout (`--timeout`).
    pub fn timeout(&self) -> Duration {
        self.site.timeout()
    }
}

/// The URLs to fetch, and the site to ask for stats after the run.
pub struct Pages {
    pub urls: Vec<String>,
    /// `None` with `--urls FILE` and no `--site`: no site of ours takes
    /// part, so none is started and there are no stats to read.
    pub site: Option<SiteGuard>,
}

impl Pages {
    /// The `--urls FILE` list if one is given, else `local_urls` of the site
    /// (`--site URL`, or the local site started in-process). The site's
    /// counters are zeroed, so they count this run only.
    ///
    /// On failure the error is printed (`error: ...`) and the exit code to
    /// return is handed back: 2 for a missing, empty or malformed `--urls`
    /// file (bad arguments), 1 when the local site cannot start.
    pub fn from_flags(
        site_args: &SiteArgs,
        urls_file: Option<&Path>,
        local_urls: impl FnOnce(&SiteGuard) -> Vec<String>,
    ) -> Result<Pages, ExitCode> {
        Pages::try_from_flags(site_args, urls_file, local_urls)
            .map_err(|(code, err)| exit_with_error(code, err))
    }

    /// The pages, or print `error: ...` and exit at once with the code of
    /// [`Pages::from_flags`] (2: a bad `--urls` file, 1: no local site), the
    /// way clap exits 2 on a bad flag. Nothing has been fetched yet, so
    /// nothing is left half done.
    fn or_exit(pages: Result<Pages, (u8, anyhow::Error)>) -> Pages {
        pages.unwrap_or_else(|(code, err)| {
            eprintln!("error: {err:#}");
            std::process::exit(code.into())
        })
    }

    /// [`Pages::from_flags`], with the exit code and the error handed back
    /// unprinted.
    fn try_from_flags(
        site_args: &SiteArgs,
        urls_file: Option<&Path>,
        local_urls: impl FnOnce(&SiteGuard) -> Vec<String>,
    ) -> Result<Pages, (u8, anyhow::Error)> {
        let listed = urls_file
            .map(read_url_list)
            .transpose()
            .map_err(|err| (2, err))?;
        let site = if listed.is_some() && site_args.site.is_none() {
            None
        } else {
            Some(site_args.start().map_err(|err| (1, err))?)
        };
        let urls = match (listed, &site) {
            (Some(urls), _) => urls,
            (None, Some(site)) => local_urls(site),
            (None, None) => unreachable!("a site is started whenever there is no --urls file"),
        };
        if let Some(site) = &site {
            site.reset_stats();
        }
        Ok(Pages { urls, site })
    }

    /// The most requests the site saw at once since `from_flags`, if it is a
    /// site with stats (ours, in-process or `site_server`).
    pub fn max_in_flight(&self) -> Option<u64> {
        let stats = self.site.as_ref().and_then(SiteGuard::stats)?;
        Some(stats.max_in_flight)
    }
}

/// The article's `[jython, dice] * repeat`: the site's two pages
/// `/sites/jython` and `/sites/dice`, in turn, `repeat` times.
pub fn two_sites(base_url: &str, repeat: usize) -> Vec<String> {
    let base_url = base_url.trim_end_matches('/');
    let pair = [
        format!("{base_url}/sites/jython"),
        format!("{base_url}/sites/dice"),
    ];
    std::iter::repeat_n(pair, repeat).flatten().collect()
}

/// Print `error: ...` (with the causes) and give back `code` to exit with.
pub fn exit_with_error(code: u8, err: anyhow::Error) -> ExitCode {
    eprintln!("error: {err:#}");
    ExitCode::from(code)
}

/// A short reason for a page ureq could not fetch: `HTTP 500` for an error
/// status, else the error and its causes (`io: Connection refused`).
pub fn ureq_failure(err: ureq::Error) -> String {
    match err {
        ureq::Error::StatusCode(code) => format!("HTTP {code}"),
        other => describe_error(&other),
    }
}

/// The same for reqwest: `HTTP 500` for an error status (from
/// `error_for_status`), else the error and its causes, without the URL
/// (the `Failed` line has it already).
pub fn reqwest_failure(err: reqwest::Error) -> String {
    match err.status() {
        Some(status) => format!("HTTP {}", status.as_u16()),
        None => describe_error(&err.without_url()),
    }
}

/// A page as its `Read` line shows it: its size, then who read it when
/// that is part of the lesson (a worker process).
pub trait PageLine {
    /// The page's size in bytes.
    fn bytes(&self) -> usize;
    /// What follows the URL on the `Read` line, e.g. ` (worker 1, pid 4242)`.
    fn reader(&self) -> String {
        String::new()
    }
}

/// A page read in this process: its size is all there is to say.
impl PageLine for usize {
    fn bytes(&self) -> usize {
        *self
    }
}

/// A page a worker process read, as it crosses the pipe back to the parent
/// (hence the serde derives): its size, and which worker read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerPage {
    pub bytes: usize,
    /// The worker's index in its pool (0, 1, ...; 0 outside a pool).
    pub worker: usize,
    /// The worker's process id: another process than the parent's.
    pub pid: u32,
}

#[cfg(feature = "pool")]
impl WorkerPage {
    /// `bytes` read by this process, as the pool worker it is.
    pub fn read_here(bytes: usize) -> WorkerPage {
        WorkerPage {
            bytes,
            worker: crate::pool::worker_id().unwrap_or(0),
            pid: std::process::id(),
        }
    }
}

impl PageLine for WorkerPage {
    fn bytes(&self) -> usize {
        self.bytes
    }
    fn reader(&self) -> String {
        format!(" (worker {}, pid {})", self.worker, self.pid)
    }
}

/// Print one page's line: `Read N from URL` (and who read it) or `Failed
/// URL: reason`.
pub fn print_outcome<P: PageLine, E: Display>(url: &str, outcome: &Result<P, E>) {
    match outcome {
        Ok(page) => print_read(url, page.bytes(), page.reader()),
        Err(reason) => print_failed(url, reason),
    }
}

/// `Read N from URL`, then `detail` as is (e.g. ` (worker 1, pid 4242)`).
pub fn print_read(url: &str, bytes: usize, detail: impl Display) {
    println!("Read {bytes} from {}{detail}", shorten(url));
}

/// `Failed URL: reason`.
pub fn print_failed(url: &str, reason: impl Display) {
    // A URL or reason past 200 characters is shortened: a 100 KB --site
    // value must not print 100 KB per failure.
    println!("Failed {}: {}", shorten(url), shorten(&reason.to_string()));
}

/// How many pages were read and how many failed, and the lines that sum
/// them up.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    urls: usize,
    failed: usize,
    /// Print only the `Failed` lines, not one `Read` line per page.
    quiet: bool,
}

impl Tally {
    /// An empty tally that prints each page's line as it is recorded (with
    /// `quiet`, only the `Failed` ones).
    pub fn new(quiet: bool) -> Tally {
        Tally {
            quiet,
            ..Tally::default()
        }
    }

    /// Count outcomes whose lines were printed already, as they came in.
    pub fn count<T, E>(outcomes: &[Result<T, E>]) -> Tally {
        Tally {
            urls: outcomes.len(),
            failed: outcomes.iter().filter(|outcome| outcome.is_err()).count(),
            quiet: false,
        }
    }

    /// Count one page and print its line (see [`print_outcome`]).
    pub fn record<P: PageLine, E: Display>(&mut self, url: &str, outcome: &Result<P, E>) {
        match outcome {
            Ok(page) => self.page_read(url, page.bytes(), page.reader()),
            Err(reason) => self.page_failed(url, reason),
        }
    }

    /// [`record`](Self::record) every `(index into urls, outcome)` pair, in
    /// the order given (the order the pages completed in).
    pub fn record_completed<P: PageLine, E: Display>(
        &mut self,
        urls: &[String],
        completed: &[(usize, Result<P, E>)],
    ) {
        for (index, outcome) in completed {
            self.record(&urls[*index], outcome);
        }
    }

    /// Count a page read and print `Read N from URL{detail}` (unless quiet).
    pub fn page_read(&mut self, url: &str, bytes: usize, detail: impl Display) {
        self.urls += 1;
        if !self.quiet {
            print_read(url, bytes, detail);
        }
    }

    /// Count a failed page and print `Failed URL: reason` (always).
    pub fn page_failed(&mut self, url: &str, reason: impl Display) {
        self.urls += 1;
        self.failed += 1;
        print_failed(url, reason);
    }

    /// URLs counted, read or failed.
    pub fn urls(&self) -> usize {
        self.urls
    }

    /// Pages read.
    pub fn read(&self) -> usize {
        self.urls - self.failed
    }

    /// Pages that failed.
    pub fn failed(&self) -> usize {
        self.failed
    }

    /// If any failed: `F of N {what} failed (see the Failed lines above)`.
    pub fn print_failures(&self, what: &str) {
        if self.failed > 0 {
            println!(
                "{} of {} {what} failed (see the Failed lines above)",
                self.failed, self.urls
            );
        }
    }

    /// The scrapers' summary: `Scraped R of N pages{setup}, F failed; most
    /// requests in flight at once: M` (`unknown` for a site without stats).
    /// `setup` says how, e.g. ` with 6 threads`, or is empty.
    pub fn print_scraped(&self, setup: impl Display, max_in_flight: Option<u64>) {
        let max_in_flight = max_in_flight.map_or("unknown".to_string(), |n| n.to_string());
        println!(
            "Scraped {} of {} pages{setup}, {} failed; most requests in flight at once: {max_in_flight}",
            self.read(),
            self.urls,
            self.failed
        );
    }

    /// The run's report record, with what every page-fetching example
    /// measures (pages read, failed, URLs, the site's max in flight); the
    /// example adds its own figures and calls `finish`.
    pub fn report(&self, example: &str, elapsed: Duration, max_in_flight: Option<u64>) -> Report {
        Report::new(example, elapsed)
            .items(self.read() as u64)
            .errors(self.failed as u64)
            .extra("urls", self.urls)
            .extra("max_in_flight", max_in_flight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_sites_alternates_the_pair() {
        let urls = two_sites("http://127.0.0.1:1/", 2);
        assert_eq!(
            urls,
            [
                "http://127.0.0.1:1/sites/jython",
                "http://127.0.0.1:1/sites/dice",
                "http://127.0.0.1:1/sites/jython",
                "http://127.0.0.1:1/sites/dice",
            ]
        );
    }

    #[test]
    fn a_tally_counts_reads_and_failures() {
        let mut tally = Tally::new(true);
        tally.record("http://127.0.0.1:1/a", &Ok::<usize, String>(10));
        tally.record("http://127.0.0.1:1/b", &Err::<usize, _>("HTTP 500"));
        tally.page_read("http://127.0.0.1:1/c", 5, " (worker 0)");
        let page = WorkerPage::read_here(7);
        tally.record("http://127.0.0.1:1/d", &Ok::<_, String>(page));
        assert_eq!((page.worker, page.pid), (0, std::process::id()));
        assert_eq!(page.reader(), format!(" (worker 0, pid {})", page.pid));
        assert_eq!((tally.urls(), tally.read(), tally.failed()), (4, 3, 1));
        let counted = Tally::count(&[Ok(1), Err(()), Err(())]);
        assert_eq!(
            (counted.urls(), counted.read(), counted.failed()),
            (3, 1, 2)
        );

        let report = tally.report("x", Duration::ZERO, Some(4));
        assert_eq!((report.items, report.errors), (3, 1));
        assert_eq!(report.extra["urls"], 4);
        assert_eq!(report.extra["max_in_flight"], 4);
        let report = tally.report("x", Duration::ZERO, None);
        assert!(report.extra["max_in_flight"].is_null());
    }

    #[test]
    fn completed_pairs_are_counted_against_their_urls() {
        let urls: Vec<String> = ["a", "b", "c"]
            .map(|p| format!("http://127.0.0.1:1/{p}"))
            .into();
        let mut tally = Tally::new(true);
        let completed = [(2, Ok::<usize, String>(5)), (0, Err("HTTP 500".into()))];
        tally.record_completed(&urls, &completed);
        assert_eq!((tally.urls(), tally.read(), tally.failed()), (2, 1, 1));
    }

    #[test]
    fn a_bad_url_file_exits_2_and_starts_no_site() {
        use clap::Parser;
        #[derive(Parser)]
        struct Flags {
            #[command(flatten)]
            site: SiteArgs,
        }
        let flags = Flags::parse_from(["test"]);
        let missing =
            std::env::temp_dir().join(format!("support-pages-{}-missing.txt", std::process::id()));
        let result = Pages::from_flags(&flags.site, Some(&missing), |_| {
            unreachable!("no local URLs with a --urls file")
        });
        assert_eq!(result.err(), Some(ExitCode::from(2)));

        let listed = missing.with_file_name(format!("support-pages-{}.txt", std::process::id()));
        std::fs::write(&listed, "http://127.0.0.1:9/a\n").unwrap();
        let pages = Pages::from_flags(&flags.site, Some(&listed), |_| unreachable!())
            .unwrap_or_else(|_| panic!("the list is good"));
        std::fs::remove_file(&listed).ok();
        assert_eq!(pages.urls, ["http://127.0.0.1:9/a"]);
        assert!(pages.site.is_none(), "--urls without --site starts no site");
        assert_eq!(pages.max_in_flight(), None);
    }
}
