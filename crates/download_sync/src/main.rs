//! Download 160 pages one after the other, reusing one HTTP agent.
//!
//! Mirrors: "What Is Concurrency?" (Real-Python-style notebook), section
//!          "How to Speed Up an I/O-Bound Program", the synchronous version.
//! Run:     cargo run --release -p download_sync [-- --help]
//! Notice:  the `Read` lines come out in list order, and the run lasts about
//!          160 x the site's latency: the program spends nearly all its time
//!          waiting for answers. The site never sees more than one request at
//!          a time (`max_in_flight` 1 in the report).
//! Python -> Rust: `requests.Session()` -> `ureq::Agent`. Both keep the
//!          connection open between requests, so 160 pages cost one TCP
//!          handshake per site instead of 160. This file is the baseline its
//!          three siblings (download_threads, download_async,
//!          download_processes) are diffed against.
//!
//! Exit status: 0 when every page was read, 1 when any failed (each failure
//! is printed and counted, the run goes on), 2 for bad arguments, including
//! a `--urls` file that is missing, empty, or has a line that is not a URL.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use support::web::{SiteArgs, SiteGuard, blocking_agent, read_url_list};
use support::{Report, Timer};

/// Download the article's two pages 80 times each, one after the other.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    site: SiteArgs,

    /// How many times the two-site list is repeated (the article: 80, so 160 downloads).
    #[arg(long, default_value_t = 80, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    repeat: u32,

    /// Download the absolute URLs listed in FILE instead (one per line; blank
    /// lines and # comments skipped). Stats are still read from --site, if given.
    #[arg(long, value_name = "FILE")]
    urls: Option<PathBuf>,
}

/// What downloading one URL gave: the number of bytes read, or why it failed.
type Outcome = Result<usize, String>;

/// Fetch one page with the shared session and say how big it was.
fn download_site(url: &str, session: &ureq::Agent) -> Outcome {
    // `blocking_agent` turns 4xx/5xx statuses into errors, so a 500 takes the
    // same path as a refused connection, a timeout or a malformed URL: an
    // `Err` we print and return. Nothing here can panic on bad input.
    let result = session
        .get(url)
        .call()
        .and_then(|response| response.into_body().read_to_vec());
    match result {
        Ok(body) => {
            println!("Read {} from {url}", body.len());
            Ok(body.len())
        }
        Err(err) => {
            let reason = failure_reason(err);
            println!("Failed {url}: {reason}");
            Err(reason)
        }
    }
}

/// Download every URL in order; one outcome per URL, in input order.
fn download_all_sites(sites: &[String], timeout: Duration) -> Vec<Outcome> {
    // One agent for the whole run, like `with requests.Session() as session`.
    let session = blocking_agent(timeout);
    // The whole lesson of this file: one request at a time. Each iteration
    // waits for its answer before the next request is even sent.
    sites
        .iter()
        .map(|url| download_site(url, &session))
        .collect()
}

fn main() -> ExitCode {
    let args = Args::parse();
    // With --urls and no --site there is no site of ours to ask for stats,
    // so none is started.
    let site = if args.urls.is_some() && args.site.site.is_none() {
        None
    } else {
        match args.site.start() {
            Ok(site) => Some(site),
            Err(err) => return exit_with_error(1, err),
        }
    };
    let sites = match list_sites(&args, site.as_ref()) {
        Ok(sites) => sites,
        Err(err) => return exit_with_error(2, err),
    };
    if let Some(site) = &site {
        site.reset_stats();
    }

    let timer = Timer::start();
    let outcomes = download_all_sites(&sites, args.site.timeout());
    let elapsed = timer.elapsed();

    let failed = outcomes.iter().filter(|outcome| outcome.is_err()).count();
    let downloaded = outcomes.len() - failed;
    if failed > 0 {
        println!(
            "{failed} of {} downloads failed (see the Failed lines above)",
            outcomes.len()
        );
    }
    let mut report = Report::new("download_sync", elapsed)
        .items(downloaded as u64)
        .errors(failed as u64)
        .extra("urls", outcomes.len())
        .extra("workers", 1)
        .extra("concurrency", 1);
    if let Some(stats) = site.as_ref().and_then(SiteGuard::stats) {
        report = report.extra("max_in_flight", stats.max_in_flight);
    }
    // The article prints len(sites), every URL it tried; we count the pages
    // actually read, so a run with failures does not look complete.
    report.finish(format_args!(
        "Downloaded {downloaded} in {:.2} seconds",
        elapsed.as_secs_f64()
    ))
}

// ---- plumbing, the same in the four download_* examples ----

/// The URLs to fetch: the `--urls` file, or the article's two sites
/// (`/sites/jython`, `/sites/dice` of our site) repeated, 160 by default.
fn list_sites(args: &Args, site: Option<&SiteGuard>) -> anyhow::Result<Vec<String>> {
    match (&args.urls, site) {
        (Some(path), _) => read_url_list(path),
        (None, Some(site)) => {
            // The article's `[jython, dice] * 80`: the pair, over and over.
            let two_sites = [site.url("/sites/jython"), site.url("/sites/dice")];
            Ok(std::iter::repeat_n(two_sites, args.repeat as usize)
                .flatten()
                .collect())
        }
        (None, None) => anyhow::bail!("no --urls file and no site to download from"),
    }
}

/// A short reason for a failed download ("HTTP 500", "io: Connection refused").
fn failure_reason(err: ureq::Error) -> String {
    match err {
        ureq::Error::StatusCode(code) => format!("HTTP {code}"),
        other => support::web::describe_error(&other),
    }
}

fn exit_with_error(code: u8, err: anyhow::Error) -> ExitCode {
    eprintln!("error: {err:#}");
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A local site with a fixed latency (no jitter) and an error rate.
    fn local_site(latency_ms: u64, error_rate: f64) -> site::SiteHandle {
        site::spawn(site::Config {
            latency_ms,
            jitter_ms: 0,
            error_rate,
            ..site::Config::default()
        })
        .expect("the local site starts on a free loopback port")
    }

    fn two_sites(site: &site::SiteHandle, repeat: usize) -> Vec<String> {
        let base = site.url();
        let two_sites = [format!("{base}/sites/jython"), format!("{base}/sites/dice")];
        std::iter::repeat_n(two_sites, repeat).flatten().collect()
    }

    #[test]
    fn one_request_at_a_time_and_every_byte_counted() {
        let site = local_site(20, 0.0);
        let sites = two_sites(&site, 10);
        let outcomes = download_all_sites(&sites, Duration::from_secs(10));

        let stats = site.stats();
        assert_eq!(stats.max_in_flight, 1, "a loop never has two requests out");
        assert_eq!(stats.requests, sites.len() as u64);
        let bytes: Vec<usize> = outcomes.iter().map(|o| *o.as_ref().unwrap()).collect();
        assert_eq!(bytes.iter().sum::<usize>() as u64, stats.bytes_sent);
        // Outcomes are in input order: every jython page has one size, every
        // dice page another.
        assert!(bytes.chunks(2).all(|pair| pair == &bytes[..2]));
        assert_ne!(bytes[0], bytes[1]);
    }

    #[test]
    fn failed_pages_are_counted_and_the_run_goes_on() {
        let site = local_site(1, 0.1);
        let sites = two_sites(&site, 80);
        let outcomes = download_all_sites(&sites, Duration::from_secs(10));

        let failed = outcomes.iter().filter(|o| o.is_err()).count() as u64;
        let read = outcomes.iter().filter(|o| o.is_ok()).count() as u64;
        let stats = site.stats();
        assert_eq!(read + failed, 160);
        assert!(failed > 0, "a 10% error rate over 160 pages fails some");
        assert_eq!(failed, stats.by_status.get(&500).copied().unwrap_or(0));
        assert_eq!(read, stats.by_status.get(&200).copied().unwrap_or(0));
        assert!(
            outcomes
                .iter()
                .flat_map(|o| o.as_ref().err())
                .all(|r| r == "HTTP 500")
        );
    }

    #[test]
    fn bad_urls_refused_connections_resets_and_timeouts_fail_without_panic() {
        let site = local_site(1, 0.0);
        // A port that was free a moment ago: nothing listens there now.
        let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("the OS hands out a free loopback port")
            .port();
        let sites = vec![
            format!("http://127.0.0.1:{closed_port}/sites/dice"),
            "http://[::1/not-a-url".to_string(),
            format!("{}/sites/dice?reset=1", site.url()),
            format!("{}/sites/dice?fail=1", site.url()),
            format!("{}/sites/dice", site.url()),
            // Slower than the 1-second timeout below.
            format!("{}/sites/dice?latency_ms=5000", site.url()),
        ];
        let outcomes = download_all_sites(&sites, Duration::from_secs(1));
        assert_eq!(outcomes.len(), 6);
        assert!(outcomes[..4].iter().all(|o| o.is_err()), "{outcomes:?}");
        assert_eq!(outcomes[3], Err("HTTP 500".to_string()));
        assert!(outcomes[4].is_ok(), "the run goes on after failures");
        assert!(
            outcomes[5].as_ref().unwrap_err().contains("timeout"),
            "{:?}",
            outcomes[5]
        );
    }
}
