//! How many requests per second the local site serves.
//!
//! Run:     cargo run --release -p site --bin site_bench -- --requests 200000
//! Notice:  with no `--url` it starts the site in-process at latency 0, so
//!          client and server share the machine's cores: the figure is a
//!          floor for the server alone. Every response must be a 200.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;

/// Measure the local site's throughput with a concurrent keep-alive client.
#[derive(Debug, Parser)]
#[command(name = "site_bench")]
struct Args {
    /// Number of requests to send.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
    requests: u64,

    /// Requests in flight at once (one keep-alive connection each).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    concurrency: u64,

    /// Full URL to request (e.g. http://127.0.0.1:8000/sites/dice?latency_ms=0);
    /// default: /sites/dice on an in-process site with latency 0.
    #[arg(long)]
    url: Option<String>,
}

/// User plus system CPU time of this process so far, in seconds.
fn cpu_seconds() -> f64 {
    #[cfg(unix)]
    {
        // SAFETY: getrusage only writes the struct we pass.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0 {
            let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
            return secs(usage.ru_utime) + secs(usage.ru_stime);
        }
    }
    0.0
}

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    failed: AtomicU64,
    bytes: AtomicU64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("site_bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> anyhow::Result<u64> {
    // The local site at full speed, unless a URL was given.
    let local = match &args.url {
        Some(_) => None,
        None => Some(site::spawn(site::Config {
            latency_ms: 0,
            jitter_ms: 0,
            pages: 100,
            ..site::Config::default()
        })?),
    };
    let url = match (&args.url, &local) {
        (Some(url), _) => url.clone(),
        (None, Some(site)) => format!("{}/sites/dice", site.url()),
        (None, None) => unreachable!("a local site is started when no --url is given"),
    };

    // Parse the URL once: the client should spend its time on HTTP.
    let target = reqwest::Url::parse(&url).with_context(|| format!("bad --url {url:?}"))?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(args.concurrency as usize)
        .build()
        .context("building the HTTP client")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the client runtime")?;

    let next = Arc::new(AtomicU64::new(0));
    let tally = Arc::new(Tally::default());
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    runtime.block_on(async {
        let mut workers = Vec::new();
        for _ in 0..args.concurrency {
            let (client, url, next, tally, first_error) = (
                client.clone(),
                target.clone(),
                Arc::clone(&next),
                Arc::clone(&tally),
                Arc::clone(&first_error),
            );
            let total = args.requests;
            workers.push(tokio::spawn(async move {
                // Each worker takes the next request number until all are taken.
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    let outcome = match client.get(url.clone()).send().await {
                        Ok(response) if response.status() == reqwest::StatusCode::OK => {
                            response.bytes().await.map_err(|e| e.to_string())
                        }
                        Ok(response) => Err(format!("status {}", response.status())),
                        Err(error) => Err(error.to_string()),
                    };
                    match outcome {
                        Ok(body) => {
                            tally.ok.fetch_add(1, Ordering::Relaxed);
                            tally.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                        }
                        Err(error) => {
                            tally.failed.fetch_add(1, Ordering::Relaxed);
                            let mut first = first_error.lock().unwrap_or_else(|p| p.into_inner());
                            first.get_or_insert(error);
                        }
                    }
                }
            }));
        }
        for worker in workers {
            let _ = worker.await;
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;

    let ok = tally.ok.load(Ordering::Relaxed);
    let failed = tally.failed.load(Ordering::Relaxed);
    println!(
        "{} requests to {url} with concurrency {} in {elapsed:.2} s: {:.0} requests/s \
         ({ok} ok, {failed} failed, {:.1} MB received)",
        ok + failed,
        args.concurrency,
        (ok + failed) as f64 / elapsed,
        tally.bytes.load(Ordering::Relaxed) as f64 / 1e6,
    );
    // On a busy machine the wall-clock figure depends on the neighbours;
    // CPU time per request does not.
    let per_request_us = cpu / (ok + failed) as f64 * 1e6;
    println!(
        "cpu: {cpu:.2} s in this process ({per_request_us:.1} us per request{})",
        if local.is_some() {
            ", client and server together"
        } else {
            ", client only"
        }
    );
    if let Some(site) = &local {
        let stats = site.stats();
        println!(
            "site: {} requests counted, max {} in flight at once",
            stats.requests, stats.max_in_flight
        );
    }
    if let Some(error) = first_error.lock().unwrap_or_else(|p| p.into_inner()).take() {
        eprintln!("site_bench: first failure: {error}");
    }
    Ok(failed)
}
