//! The local website as a process of its own.
//!
//! Run:     cargo run --release -p site --bin site_server -- --port 8000
//! Then:    any network example with `--site http://127.0.0.1:8000`.
//! Notice:  the first line on stdout is exactly `listening on http://ADDR:PORT`,
//!          so a script can start it with `--port 0` and read the port back.
//! Stop:    Ctrl-C or SIGTERM: no new connections, the requests in flight
//!          are answered (for at most 5 s), then exit 0.

use std::io::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// A loopback HTTP/1.1 server with injected latency, errors and resets, and a
/// crawlable link graph: the stand-in for the real web in every example.
///
/// Paths: /sites/jython, /sites/dice, /domains/1../domains/500,
/// /domains?count=N, /crawl/0../crawl/{pages-1}, /graph, /stats, /stats/reset.
/// Query knobs on any page: ?latency_ms=&jitter_ms=&fail=&reset=&bandwidth=.
///
/// At start it raises the soft limit on open files (RLIMIT_NOFILE) to the hard
/// limit, so it can hold thousands of connections at once.
#[derive(Debug, Parser)]
#[command(name = "site_server", version)]
struct Args {
    /// Port to listen on; 0 picks a free one (read it from the first line).
    #[arg(long, default_value_t = 8000)]
    port: u16,

    /// Loopback address to bind (127.0.0.1, another 127.x.y.z, or ::1);
    /// any other address is refused.
    #[arg(long, default_value = "127.0.0.1", value_parser = parse_loopback)]
    bind: IpAddr,

    /// Latency added to every response, in milliseconds.
    #[arg(long, value_name = "MS", default_value = "50", value_parser = parse_ms, allow_negative_numbers = true)]
    latency_ms: u64,

    /// Uniform jitter: each response waits latency +/- jitter milliseconds.
    #[arg(long, value_name = "MS", default_value = "10", value_parser = parse_ms, allow_negative_numbers = true)]
    jitter_ms: u64,

    /// Fraction of responses answered with a 500, from 0 to 1.
    #[arg(long, value_name = "RATE", default_value = "0", value_parser = parse_rate, allow_negative_numbers = true)]
    error_rate: f64,

    /// Fraction of responses cut off mid-body (connection dropped), 0 to 1.
    #[arg(long, value_name = "RATE", default_value = "0", value_parser = parse_rate, allow_negative_numbers = true)]
    reset_rate: f64,

    /// Cap each response at this many bytes per second (default: no cap).
    #[arg(long, value_name = "BYTES_PER_SEC", value_parser = parse_positive_u64, allow_negative_numbers = true)]
    bandwidth: Option<u64>,

    /// Serve at most this many connections at once; others wait their turn
    /// (each connection then carries one request).
    #[arg(long, value_name = "N", value_parser = parse_positive_usize, allow_negative_numbers = true)]
    max_connections: Option<usize>,

    /// Seed of the link graph and of the latency/fault random draws.
    #[arg(long, default_value_t = 42)]
    seed: u64,

    /// Number of pages in the /crawl/ link graph.
    #[arg(long, default_value = "20000", value_parser = parse_pages, allow_negative_numbers = true)]
    pages: usize,

    /// Serve this folder of static files instead of the generated pages
    /// (index.html for folders; /stats still works).
    #[arg(long, value_name = "PATH", value_parser = parse_dir)]
    dir: Option<PathBuf>,
}

fn parse_loopback(text: &str) -> Result<IpAddr, String> {
    let ip: IpAddr = text
        .parse()
        .map_err(|_| format!("{text:?} is not an IP address"))?;
    site::check_loopback(ip).map_err(|error| error.to_string())?;
    Ok(ip)
}

fn parse_ms(text: &str) -> Result<u64, String> {
    match text.parse::<i64>() {
        Ok(ms) if ms < 0 => Err(format!("{ms} ms is negative; use 0 or more")),
        Ok(ms) => Ok(ms as u64),
        Err(_) => Err(format!("{text:?} is not a whole number of milliseconds")),
    }
}

fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!("{rate} is not a rate between 0 and 1"))
    }
}

fn parse_positive_u64(text: &str) -> Result<u64, String> {
    match text.parse::<i64>() {
        Ok(n) if n >= 1 => Ok(n as u64),
        Ok(n) => Err(format!("{n} must be at least 1")),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
}

fn parse_positive_usize(text: &str) -> Result<usize, String> {
    parse_positive_u64(text).map(|n| n as usize)
}

fn parse_pages(text: &str) -> Result<usize, String> {
    let max = site::MAX_PAGES;
    match text.parse::<i64>() {
        Ok(n) if (1..=max as i64).contains(&n) => Ok(n as usize),
        Ok(n) => Err(format!("{n} pages: use 1 to {max}")),
        Err(_) => Err(format!("{text:?} is not a whole number of pages")),
    }
}

fn parse_dir(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    if path.is_dir() {
        Ok(path)
    } else {
        Err(format!("{text:?} is not an existing folder"))
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = site::Config {
        bind: args.bind,
        port: args.port,
        latency_ms: args.latency_ms,
        jitter_ms: args.jitter_ms,
        error_rate: args.error_rate,
        reset_rate: args.reset_rate,
        bandwidth_bytes_per_sec: args.bandwidth,
        max_connections: args.max_connections,
        seed: args.seed,
        pages: args.pages,
        dir: args.dir,
    };
    let limit = site::raise_open_files_limit();
    let handle = match site::spawn(config) {
        Ok(handle) => handle,
        Err(error) => {
            eprintln!("site_server: {error:#}");
            return ExitCode::FAILURE;
        }
    };

    let limit_note = match limit {
        Ok(n) if n > 0 => format!("open files limit {n}; "),
        _ => String::new(),
    };
    // Signal handlers go in before the listening line, so a script that
    // reads the line and then sends SIGTERM always gets a clean stop.
    let announce = || {
        // The contract with scripts: this is the first line, flushed at once.
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "listening on {}", handle.url());
        let _ = stdout.flush();
        eprintln!("site_server: {limit_note}Ctrl-C to stop");
    };
    if let Err(error) = wait_for_signal(announce) {
        eprintln!("site_server: cannot wait for signals: {error}");
        return ExitCode::FAILURE;
    }
    let stats = handle.stats();
    handle.shutdown();
    eprintln!(
        "site_server: stopped after {} requests (max {} in flight at once)",
        stats.requests, stats.max_in_flight
    );
    ExitCode::SUCCESS
}

/// Install the Ctrl-C and (on Unix) SIGTERM handlers, call `ready`, then
/// block until one of those signals arrives.
fn wait_for_signal(ready: impl FnOnce()) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut interrupt = signal(SignalKind::interrupt())?;
            let mut terminate = signal(SignalKind::terminate())?;
            ready();
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            Ok(())
        }
        #[cfg(not(unix))]
        {
            let ctrl_c = tokio::signal::ctrl_c();
            ready();
            ctrl_c.await
        }
    })
}
