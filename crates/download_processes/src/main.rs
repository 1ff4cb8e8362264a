//! Download 160 pages with a pool of worker processes, one agent each.
//!
//! Mirrors: "What Is Concurrency?" (Real-Python-style notebook), section
//!          "Multiprocessing" of "How to Speed Up an I/O-Bound Program".
//! Run:     cargo run --release -p download_processes [-- --workers 4]
//! Notice:  each line names the worker process that read the page; the site
//!          sees one request per worker at once (`max_in_flight`), and the
//!          workers cost a start-up the threads never pay (`Started` line).
//! Python -> Rust: `Pool(initializer=set_global_session)` -> `support::pool`,
//!          which runs this binary again as its workers: a URL goes down a
//!          pipe to a worker, its page comes back as a JSON line.
//! Exit:    0 all pages read, 1 some failed (each printed), 2 bad arguments.

use std::process::ExitCode;
use std::time::{Duration, Instant};

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
    // --site, --repeat, --urls, --timeout and the local site's knobs, the
    // same in the four download_* examples.
    #[command(flatten)]
    pages: DownloadArgs,

    /// Number of worker processes (one per CPU, as Pool()).
    #[arg(long, default_value_t = cpu_count_default(), value_parser = workers)]
    workers: u32, // <- changed from download_sync

    #[command(flatten)]
    pool: TaskTimeoutArg, // <- changed from download_sync
}

/// What downloading one URL gave: the number of bytes read, or why it failed.
type Outcome = Result<usize, String>;

/// The pool's initializer: runs once in each worker process, before its first
/// task. Python keeps the session in a global; the pool hands what this
/// returns to every task of the worker instead.
fn set_global_session(timeout: Duration) -> ureq::Agent {
    blocking_agent(timeout) // <- changed from download_sync
}

/// Fetch one page with this worker's session, in a worker process. Its stdout
/// is the pool's pipe, so the parent prints the line when the page lands.
#[tracing::instrument(skip(session))] // a span on --timeline's picture
fn download_site(url: &str, session: &ureq::Agent) -> Result<WorkerPage, String> {
    // <- changed from download_sync: the page says who read it
    // `blocking_agent` turns 4xx/5xx statuses into errors, so a 500 takes the
    // same path as a refused connection or a timeout: an `Err` sent back to
    // the parent. Nothing here can panic on bad input.
    session
        .get(url)
        .call()
        .and_then(|response| response.into_body().read_to_vec())
        .map(|body| WorkerPage::read_here(body.len())) // <- changed from download_sync
        .map_err(ureq_failure)
}

/// Hand every URL to a pool of `workers` processes; one outcome per URL, in
/// input order (like `pool.map`), though the lines print in completion order.
fn download_all_sites(
    sites: &[String],
    timeout: Duration,
    workers: usize,
) -> anyhow::Result<Vec<Outcome>> {
    // <- changed from download_sync: the signature above, and the whole body
    // `with Pool(initializer=set_global_session) as pool`: start the workers,
    // each of which gets the timeout for its initializer. Dropping the pool
    // closes their stdin and waits for them to exit.
    let started = Instant::now();
    let mut pool = PoolBuilder::new(workers)
        .initializer(&timeout)
        .spawn::<String, WorkerPage>()
        .map_err(|err| anyhow::anyhow!("could not start the worker processes: {err}"))?;
    let started = started.elapsed().as_secs_f64();
    println!(
        "Started {} worker processes in {started:.3} seconds",
        pool.workers()
    );
    // Results in completion order (`imap_unordered`), each line printed as
    // it lands. A worker that dies mid-task fails that URL, it never hangs.
    let mut outcomes = vec![Err("the pool lost this task".to_string()); sites.len()];
    for (index, result) in pool.imap_unordered(sites.to_vec()) {
        print_outcome(&sites[index], &result);
        outcomes[index] = result.map(|page| page.bytes).map_err(|err| err.to_string());
    }
    Ok(outcomes)
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // In a worker process this runs the initializer, answers tasks until the
    // parent closes the pipe, and exits; in the parent it returns at once.
    serve_if_worker(set_global_session, |session, url: String| {
        download_site(&url, session)
    }); // <- changed from download_sync
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    args.pool.apply_to_every_pool(); // <- changed from download_sync
    // The article's `[jython, dice] * 80` from our site, or the --urls file.
    let pages = args.pages.start();

    let timer = Timer::start();
    let workers = args.workers as usize; // <- changed from download_sync
    let outcomes = match download_all_sites(&pages.urls, args.pages.timeout(), workers) {
        // <- changed from download_sync: the workers may fail to start
        Ok(outcomes) => outcomes,
        Err(err) => return exit_with_error(1, err),
    };
    let elapsed = timer.elapsed();

    let tally = Tally::count(&outcomes);
    tally.print_failures("downloads");
    // The article prints len(sites), every URL it tried; we count the pages
    // actually read, so a run with failures does not look complete.
    let (read, seconds) = (tally.read(), elapsed.as_secs_f64());
    tally
        .report("download_processes", elapsed, pages.max_in_flight()) // <- changed from download_sync
        .extra("workers", workers) // <- changed from download_sync
        .extra("concurrency", workers.min(outcomes.len())) // <- changed from download_sync
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
