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

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use serde::{Deserialize, Serialize};
use support::pool::{PoolBuilder, serve_if_worker, worker_id};
use support::web::{SiteArgs, SiteGuard, blocking_agent, read_url_list};
use support::{Report, Timer};

/// Download the article's two pages 80 times each, with a pool of processes.
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

    /// Number of worker processes [default: the number of CPUs, as Pool()]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    workers: Option<u32>,
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
        .map_err(failure_reason)?;
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
            Ok(read) => println!(
                "Read {} from {url} (worker {}, pid {})",
                read.bytes, read.worker, read.pid
            ),
            Err(reason) => println!("Failed {url}: {reason}"),
        }
        outcomes[index] = Some(outcome);
    }
    Ok(outcomes
        .into_iter()
        .map(|outcome| outcome.unwrap_or_else(|| Err("the pool lost this task".to_string())))
        .collect())
}

fn main() -> ExitCode {
    // In a worker process this never returns: it runs the initializer, then
    // answers tasks until the parent closes the pipe, then exits. The parent
    // goes on. Python's fork-based pool needs no such line; a pool that
    // re-runs its own binary does, first thing, before flags are parsed.
    serve_if_worker(set_global_session, download_site); // <- changed from download_sync
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
    // `multiprocessing.Pool()` starts one process per CPU; so do we.
    let workers = args.workers.map_or_else(cpu_count, |n| n as usize);
    let result = download_all_sites(&sites, workers, args.site.timeout()); // <- changed from download_sync
    let outcomes = match result {
        Ok(outcomes) => outcomes,
        Err(err) => return exit_with_error(1, err),
    };
    let elapsed = timer.elapsed();

    let failed = outcomes.iter().filter(|outcome| outcome.is_err()).count();
    let downloaded = outcomes.len() - failed;
    if failed > 0 {
        println!(
            "{failed} of {} downloads failed (see the Failed lines above)",
            outcomes.len()
        );
    }
    let mut report = Report::new("download_processes", elapsed)
        .items(downloaded as u64)
        .errors(failed as u64)
        .extra("urls", outcomes.len())
        .extra("workers", workers)
        .extra("concurrency", workers.min(outcomes.len()));
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

/// The number of CPUs, as `multiprocessing.cpu_count()` (1 if unknown).
fn cpu_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
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

    // The pool itself needs the real binary as its workers (under `cargo
    // test` the current executable is this test harness), so the pool runs
    // are in tests/cli.rs; here the task function runs in this process.

    #[test]
    fn the_task_reads_pages_with_the_initializers_agent() {
        let site = local_site(1, 0.0);
        let mut session = set_global_session(Duration::from_secs(10));
        let sites = two_sites(&site, 2);
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
