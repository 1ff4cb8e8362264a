//! Download 160 pages with a pool of worker processes, one agent each.
//!
//! Mirrors: "What Is Concurrency?" (Real-Python-style notebook), section
//!          "Multiprocessing" of "How to Speed Up an I/O-Bound Program".
//! Run:     cargo run --release -p download_processes [-- --help]
//! Notice:  each line says which worker process read the page; the site
//!          sees as many requests at once as there are workers (one per CPU
//!          by default, `max_in_flight` in the report). Starting processes
//!          costs time the threads never pay (the `Started` line), and on a
//!          2-CPU machine 2 workers are slower than download_threads' 5
//!          threads: for waiting on the network, processes buy nothing.
//! Python -> Rust: `multiprocessing.Pool(initializer=set_global_session)` ->
//!          `support::pool`, which starts this same binary again as workers
//!          (Rust has no fork-based pool in its standard library); a URL goes
//!          to a worker and its result comes back as one JSON line on a pipe.
//!          The module-level `session` global -> the state the initializer
//!          returns, which the pool hands to every task in that worker.
//!
//! Exit status: 0 when every page was read, 1 when any failed (each failure
//! is printed and counted, the run goes on), 2 for bad arguments, including
//! a `--urls` file that is missing, empty, or has a line that is not a URL.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use serde::{Deserialize, Serialize};
use support::Timer;
use support::pages::{
    DownloadArgs, Tally, exit_with_error, print_failed, print_read, ureq_failure,
};
use support::pool::{PoolBuilder, TaskTimeoutArg, serve_if_worker, worker_id};
use support::web::blocking_agent;

/// Download the article's two pages 80 times each, with a pool of processes.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    // --site, --repeat, --urls and the local site's knobs, the same in the
    // four download_* examples.
    #[command(flatten)]
    pages: DownloadArgs,

    /// Number of worker processes [default: the number of CPUs, as Pool()]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    workers: Option<u32>,

    #[command(flatten)]
    pool: TaskTimeoutArg,
}

/// A page read by a worker: its size, and who read it. It crosses the pipe
/// from worker to parent as JSON, hence the serde derives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Read {
    bytes: usize,
    /// The worker's index in the pool (0, 1, ...).
    worker: usize,
    /// The worker's process id: a different process from the parent.
    pid: u32,
}

/// What downloading one URL gave: the page read, or why it failed.
type Outcome = Result<Read, String>;

/// The pool's initializer: runs once in each worker process, before its
/// first task, and makes that process's one agent.
///
/// Python stores the session in a module global; here the initializer
/// returns it and the pool passes it to every task of this worker, so there
/// is no global. The timeout arrives from the parent (as JSON on the pipe),
/// like `initargs`.
fn set_global_session(timeout: Duration) -> ureq::Agent {
    blocking_agent(timeout)
}

/// Fetch one page with this worker's session; runs in a worker process.
///
/// It does not print: the pool keeps a worker's real stdout for its replies
/// (a `println!` here would land on stderr), so the parent prints the
/// `Read` line when the result arrives.
fn download_site(session: &mut ureq::Agent, url: String) -> Result<Read, String> {
    // `blocking_agent` turns 4xx/5xx statuses into errors, so a 500 takes the
    // same path as a refused connection, a timeout or a malformed URL: an
    // `Err` sent back to the parent. Nothing here can panic on bad input.
    let body = session
        .get(&url)
        .call()
        .and_then(|response| response.into_body().read_to_vec())
        .map_err(ureq_failure)?;
    Ok(Read {
        bytes: body.len(),
        // 0 outside a pool, when the unit tests call download_site directly.
        worker: worker_id().unwrap_or(0),
        pid: std::process::id(),
    })
}

/// Hand every URL to a pool of `workers` processes; one outcome per URL, in
/// input order (like `pool.map`), though the lines print in completion order.
/// (The whole body differs from download_sync: this is the lesson.)
fn download_all_sites(
    sites: &[String],
    workers: usize,
    timeout: Duration,
) -> anyhow::Result<Vec<Outcome>> {
    // `with Pool(initializer=set_global_session) as pool`: start the worker
    // processes and send each one the timeout for its initializer. The
    // pool's Drop closes their stdin and waits for them to exit.
    let started = std::time::Instant::now();
    let mut pool = PoolBuilder::new(workers)
        .initializer(&timeout)
        .spawn::<String, Read>()
        .map_err(|err| anyhow::anyhow!("could not start the worker processes: {err}"))?;
    println!(
        "Started {} worker processes in {:.3} seconds",
        pool.workers(),
        started.elapsed().as_secs_f64()
    );

    let mut outcomes: Vec<Option<Outcome>> = vec![None; sites.len()];
    // The article's workers print as they go; ours leave stdout to the
    // pool, so we take results in completion order (`imap_unordered`) and
    // print each one as it lands, which reads the same. A worker that dies
    // mid-task comes back as an error for that URL, not a hang.
    for (index, result) in pool.imap_unordered(sites.to_vec()) {
        let url = &sites[index];
        let outcome = result.map_err(|err| err.to_string());
        match &outcome {
            Ok(read) => print_read(
                url,
                read.bytes,
                format_args!(" (worker {}, pid {})", read.worker, read.pid),
            ),
            Err(reason) => print_failed(url, reason),
        }
        outcomes[index] = Some(outcome);
    }
    Ok(outcomes
        .into_iter()
        .map(|outcome| outcome.unwrap_or_else(|| Err("the pool lost this task".to_string())))
        .collect())
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // In a worker process this never returns: it runs the initializer, then
    // answers tasks until the parent closes the pipe, then exits. The parent
    // goes on. Python's fork-based pool needs no such line; a pool that
    // re-runs its own binary does, first thing, before flags are parsed.
    serve_if_worker(set_global_session, download_site); // <- changed from download_sync
    let args = Args::parse();
    args.pool.apply_to_every_pool();
    // The article's `[jython, dice] * 80` from our site, or the --urls file.
    let pages = match args.pages.start() {
        Ok(pages) => pages,
        Err(exit_code) => return exit_code,
    };

    let timer = Timer::start();
    // `multiprocessing.Pool()` starts one process per CPU; so do we.
    let workers = args.workers.map_or_else(cpu_count, |n| n as usize);
    let result = download_all_sites(&pages.urls, workers, args.pages.timeout()); // <- changed from download_sync
    let outcomes = match result {
        Ok(outcomes) => outcomes,
        Err(err) => return exit_with_error(1, err),
    };
    let elapsed = timer.elapsed();

    let tally = Tally::count(&outcomes);
    tally.print_failures("downloads");
    // The article prints len(sites), every URL it tried; we count the pages
    // actually read, so a run with failures does not look complete.
    tally
        .report("download_processes", elapsed, pages.max_in_flight())
        .extra("workers", workers)
        .extra("concurrency", workers.min(outcomes.len()))
        .finish(format_args!(
            "Downloaded {} in {:.2} seconds",
            tally.read(),
            elapsed.as_secs_f64()
        ))
}

/// The number of CPUs, as `multiprocessing.cpu_count()` (1 if unknown).
fn cpu_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
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
        let mut session = set_global_session(Duration::from_secs(10));
        let sites = two_sites(site.url(), 2);
        let reads: Vec<Read> = sites
            .iter()
            .map(|url| download_site(&mut session, url.clone()).expect("the page is served"))
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
        let mut session = set_global_session(Duration::from_secs(1));
        let outcomes: Vec<Outcome> = sites
            .into_iter()
            .map(|url| download_site(&mut session, url))
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
