//! Download 160 pages with a pool of worker processes, one agent each.
//!
//! Mirrors: "What Is Concurrency?", section "Multiprocessing" (of the I/O-bound program).
//! Run:     cargo run --release -p download_processes [-- --workers 4]
//! Notice:  each line names its worker; the site sees one request per worker at once.
//! Python -> Rust: `Pool(initializer=...)` -> `support::pool`: this binary, run again.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, anyhow};
use clap::Parser;
use support::Timer;
use support::cli::{cpu_count_default, workers};
use support::pages::{
    DownloadArgs, Tally, WorkerPage, exit_with_error, print_outcome, ureq_failure,
};
use support::pool::{PoolBuilder, TaskTimeoutArg, serve_if_worker};
use support::web::blocking_agent;

/// Download the article's two pages 80 times each, with a pool of processes.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    pages: DownloadArgs, // --site, --repeat, --urls, --timeout: as in every download_*
    /// Number of worker processes (one per CPU, as Pool()).
    #[arg(long, default_value_t = cpu_count_default(), value_parser = workers)]
    workers: u32, // <- changed from download_sync
    #[command(flatten)]
    pool: TaskTimeoutArg, // <- changed from download_sync
}

/// What downloading one URL gave: the number of bytes read, or why it failed.
type Outcome = Result<usize, String>;

/// The pool's initializer, once per worker: its Agent (Python's global) goes to each task.
fn set_global_session(timeout: Duration) -> ureq::Agent {
    blocking_agent(timeout) // <- changed from download_sync
}

/// Fetch one page with this worker's session, in a worker; the parent prints the line.
#[tracing::instrument(skip(session))] // a span on --timeline's picture
fn download_site(url: &str, session: &ureq::Agent) -> Result<WorkerPage, String> {
    // <- changed from download_sync: the page says who read it
    session
        .get(url)
        .call()
        .and_then(|response| response.into_body().read_to_vec())
        .map(|body| WorkerPage::read_here(body.len())) // <- changed from download_sync
        .map_err(ureq_failure) // a 4xx/5xx too: blocking_agent makes it an `Err`
}

/// Hand every URL to `workers` processes; one outcome per URL, in input order.
fn download_all_sites(sites: &[String], timeout: Duration, workers: u32) -> Result<Vec<Outcome>> {
    // <- changed from download_sync: the signature above, and the whole body
    let timer = Timer::start();
    let pool = PoolBuilder::new(workers as usize).initializer(&timeout); // `Pool(initializer=...)`
    let mut pool = pool
        .spawn::<String, WorkerPage>()
        .map_err(|err| anyhow!("could not start the worker processes: {err}"))?;
    let (started, seconds) = (pool.workers(), timer.secs());
    println!("Started {started} worker processes in {seconds:.3} seconds");
    let mut outcomes = vec![Err("the pool lost this task".to_string()); sites.len()];
    for (index, result) in pool.imap_unordered(sites.to_vec()) {
        print_outcome(&sites[index], &result); // as each page lands
        outcomes[index] = result.map(|page| page.bytes).map_err(|err| err.to_string());
    }
    Ok(outcomes) // dropping the pool closes the workers' stdin: they exit
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // A worker runs the initializer, answers tasks and exits here; the parent goes on.
    serve_if_worker(set_global_session, |session, url: String| {
        download_site(&url, session)
    }); // <- changed from download_sync
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    args.pool.apply_to_every_pool(); // <- changed from download_sync
    let pages = args.pages.start(); // the article's `[jython, dice] * 80`, or --urls

    let timer = Timer::start();
    let outcomes = match download_all_sites(&pages.urls, args.pages.timeout(), args.workers) {
        // <- changed from download_sync: the workers may fail to start
        Ok(outcomes) => outcomes,
        Err(err) => return exit_with_error(1, err),
    };
    let elapsed = timer.elapsed();

    let tally = Tally::count(&outcomes); // counts pages read; the article printed len(sites)
    tally.print_failures("downloads");
    let (read, seconds) = (tally.read(), elapsed.as_secs_f64());
    tally
        .report(env!("CARGO_PKG_NAME"), elapsed, pages.max_in_flight())
        .extra("workers", args.workers) // <- changed from download_sync
        .extra("concurrency", outcomes.len().min(args.workers as usize)) // <- changed from download_sync
        .finish(format_args!("Downloaded {read} in {seconds:.2} seconds"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::pages::two_sites;
    use support::testkit::{local_site, troublesome_urls};

    // The pool itself needs the real binary as its workers (under `cargo
    // test` the current executable is this test harness), so the pool runs
    // are in tests/cli.rs; here the task function runs in this process.

    #[test]
    fn the_task_reads_pages_with_the_initializers_agent() {
        let site = local_site(1, 0.0);
        let session = set_global_session(Duration::from_secs(10));
        let sites = two_sites(site.url(), 2);
        let reads: Vec<WorkerPage> = sites
            .iter()
            .map(|url| download_site(url, &session).expect("the page is served"))
            .collect();

        let stats = site.stats();
        let total: usize = reads.iter().map(|read| read.bytes).sum();
        assert_eq!(total as u64, stats.bytes_sent);
        assert_eq!(reads[0], reads[2], "same page, same size");
        assert_ne!(reads[0].bytes, reads[1].bytes, "jython and dice differ");
        assert!(reads.iter().all(|read| read.pid == std::process::id()));
    }

    #[test]
    fn bad_urls_refused_connections_resets_and_timeouts_fail_without_panic() {
        let site = local_site(1, 0.0);
        // Refused, malformed, reset, 500, good, slower than the timeout.
        let sites = troublesome_urls(&site);
        let session = set_global_session(Duration::from_secs(1));
        let outcomes: Vec<_> = sites
            .iter()
            .map(|url| download_site(url, &session))
            .collect();
        assert!(outcomes[..4].iter().all(|o| o.is_err()), "{outcomes:?}");
        assert_eq!(outcomes[3], Err("HTTP 500".to_string()));
        assert!(
            outcomes[4].is_ok(),
            "the session still works after failures"
        );
        assert!(
            outcomes[5].as_ref().unwrap_err().contains("timeout"),
            "{:?}",
            outcomes[5]
        );
    }
}
