//! The local website: a real HTTP/1.1 server on a loopback address, with
//! injected latency, jitter, errors and resets, and a crawlable link graph.
//!
//! The articles download from real sites; every network example here talks
//! to this one instead, so a run works offline and gives the same pages and
//! (nearly) the same timings every time. `spawn` starts it in-process on its
//! own thread and tokio runtime; the `site_server` binary runs it alone.
//!
//! Paths: `/sites/jython` (~10 KB) and `/sites/dice` (~300 B), `/domains/N`
//! (N in 1..=500) and `/domains?count=N`, `/crawl/0`..`/crawl/{pages-1}`,
//! `/graph`, `/stats`, `/stats/reset`. Query knobs on any page:
//! `?latency_ms=&jitter_ms=&fail=&reset=&bandwidth=`.
//!
//! `/stats` counts how many requests were in flight at once: the timing-free
//! proof of how concurrent a client really was.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

mod graph;
mod pages;
mod server;

pub use graph::MAX_PAGES;
pub use pages::{DOMAINS, domain_name};

/// Every knob of the site. `Default` is what `site_server` runs with no flags.
#[derive(Debug, Clone)]
pub struct Config {
    /// Loopback address to bind (127.0.0.1 by default; non-loopback is refused).
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Fixed latency added to every response, in milliseconds (default 50).
    pub latency_ms: u64,
    /// Uniform jitter: latency is latency_ms +/- jitter_ms (default 10).
    pub jitter_ms: u64,
    /// Probability (0..=1) that a response is a 500.
    pub error_rate: f64,
    /// Probability (0..=1) that the connection is dropped mid-response.
    pub reset_rate: f64,
    /// Optional bandwidth cap per response, bytes per second.
    pub bandwidth_bytes_per_sec: Option<u64>,
    /// Optional cap on connections served at once; excess ones wait.
    pub max_connections: Option<usize>,
    /// Seed of the one RNG behind latency, faults and the link graph.
    pub seed: u64,
    /// Number of pages in the crawlable link graph (default 20,000).
    pub pages: usize,
    /// Serve this folder of static files instead of the generated pages.
    pub dir: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            latency_ms: 50,
            jitter_ms: 10,
            error_rate: 0.0,
            reset_rate: 0.0,
            bandwidth_bytes_per_sec: None,
            max_connections: None,
            seed: 42,
            pages: 20_000,
            dir: None,
        }
    }
}

/// What `/stats` returns (JSON) and what `SiteHandle::stats` gives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Requests answered (or dropped) since start or the last reset,
    /// not counting `/stats` itself.
    pub requests: u64,
    /// Count of responses by HTTP status code. A response cut off by the
    /// reset fault is counted in `requests` and `resets`, not here.
    pub by_status: BTreeMap<u16, u64>,
    /// Connections dropped on purpose (the reset fault).
    pub resets: u64,
    /// Requests whose client went away before the whole answer was sent
    /// (it timed out, or cancelled the request). One that left before the
    /// answer was ready counts here and in `requests`, not in `by_status`;
    /// one that left in the middle of the body also counts in `by_status`.
    #[serde(default)]
    pub abandoned: u64,
    /// Requests being handled right now.
    pub in_flight: u64,
    /// The maximum number of requests in flight at once since start or reset.
    pub max_in_flight: u64,
    /// Body bytes sent.
    pub bytes_sent: u64,
}

/// What `/graph` returns: enough to check a crawler's result exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphInfo {
    /// Path of the root page, e.g. "/crawl/0".
    pub root: String,
    /// Pages generated.
    pub pages: usize,
    /// Distinct pages reachable from the root (equals `pages`).
    pub reachable: usize,
    /// Longest shortest-path distance from the root, in links.
    pub max_depth: usize,
}

/// A running site. Dropping it shuts the server down.
pub struct SiteHandle {
    url: String,
    addr: SocketAddr,
    state: Arc<server::State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl SiteHandle {
    /// Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> &str {
        &self.url
    }
    /// The address the server is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.state.counters.snapshot()
    }
    /// Zero the counters (max in flight included: it restarts from the
    /// requests still in flight, normally none).
    pub fn reset_stats(&self) {
        self.state.counters.reset()
    }
    /// Stop serving and wait for the server thread to end.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for SiteHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for SiteHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteHandle")
            .field("url", &self.url)
            .finish()
    }
}

/// Check a config before anything starts: loopback only, rates in 0..=1,
/// a sensible page count, an existing folder for `dir`.
pub fn validate(config: &Config) -> anyhow::Result<()> {
    check_loopback(config.bind)?;
    for (name, rate) in [
        ("error rate", config.error_rate),
        ("reset rate", config.reset_rate),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            bail!("the {name} must be between 0 and 1, got {rate}");
        }
    }
    if !(1..=MAX_PAGES).contains(&config.pages) {
        bail!(
            "the page count must be between 1 and {MAX_PAGES}, got {}",
            config.pages
        );
    }
    if config.bandwidth_bytes_per_sec == Some(0) {
        bail!("a bandwidth cap must be at least 1 byte per second");
    }
    if config.max_connections == Some(0) {
        bail!("max connections must be at least 1");
    }
    if let Some(dir) = &config.dir
        && !dir.is_dir()
    {
        bail!("{} is not a folder", dir.display());
    }
    Ok(())
}

/// Refuse any address a machine other than this one could reach.
pub fn check_loopback(ip: IpAddr) -> anyhow::Result<()> {
    if ip.is_loopback() {
        Ok(())
    } else {
        bail!(
            "refusing to bind {ip}: the local site only listens on loopback \
             addresses (127.0.0.0/8 or ::1), so nothing outside this machine can reach it"
        )
    }
}

/// Raise the soft limit on open files to the hard limit and return the new
/// soft limit. A thousand concurrent clients need a thousand sockets on each
/// side, more than the usual soft limit of 1024.
#[cfg(unix)]
pub fn raise_open_files_limit() -> std::io::Result<u64> {
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        if limit.rlim_cur < limit.rlim_max {
            let wanted = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &wanted) == 0 {
                limit.rlim_cur = limit.rlim_max;
            } else {
                // macOS refuses "unlimited" here; settle for a large number.
                let fallback = libc::rlimit {
                    rlim_cur: limit.rlim_max.min(65_536),
                    rlim_max: limit.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &fallback) == 0 {
                    limit.rlim_cur = fallback.rlim_cur;
                }
            }
        }
        // rlim_t is u64 on Linux and macOS but not on every Unix.
        #[allow(clippy::unnecessary_cast)]
        Ok(limit.rlim_cur as u64)
    }
}

/// Raise the soft limit on open files (nothing to do on this platform).
#[cfg(not(unix))]
pub fn raise_open_files_limit() -> std::io::Result<u64> {
    Ok(0)
}

/// Start the site on its own thread and runtime, so sync code and tests can use it.
pub fn spawn(config: Config) -> anyhow::Result<SiteHandle> {
    validate(&config)?;
    let _ = raise_open_files_limit();
    let addr = SocketAddr::new(config.bind, config.port);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel();

    // Everything async lives on this thread: its own multi-thread runtime,
    // so the caller may be sync code, a test, or another runtime.
    let thread = std::thread::Builder::new()
        .name("site".to_string())
        .spawn(move || {
            let started = (|| -> anyhow::Result<_> {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .thread_name("site-worker")
                    .build()
                    .context("could not start the site's tokio runtime")?;
                let listener = runtime
                    .block_on(async { bind(addr) })
                    .with_context(|| format!("could not listen on {addr}"))?;
                let bound = listener.local_addr()?;
                let state = Arc::new(server::State::new(config, bound)?);
                Ok((runtime, listener, bound, state))
            })();
            match started {
                Ok((runtime, listener, bound, state)) => {
                    let _ = ready_tx.send(Ok((bound, Arc::clone(&state))));
                    runtime.block_on(server::serve(listener, state, shutdown_rx));
                    // Dropping the tasks closes every open connection.
                    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
                }
                Err(error) => {
                    let _ = ready_tx.send(Err(error));
                }
            }
        })
        .context("could not start the site thread")?;

    let (bound, state) = ready_rx
        .recv()
        .context("the site thread ended before it was ready")??;
    Ok(SiteHandle {
        url: format!("http://{bound}"),
        addr: bound,
        state,
        shutdown: Some(shutdown_tx),
        thread: Some(thread),
    })
}

/// A listening socket with a long accept queue: a thousand clients that
/// connect at once must not be dropped by a short default backlog.
fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    // Restarting on a fixed port right after a run must not fail on
    // connections still in TIME_WAIT.
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

/// The link graph's shape for a page count and seed, computed without a server.
///
/// Panics if `pages` is 0 or above [`MAX_PAGES`] (a site cannot be started
/// with such a count either).
pub fn graph_info(pages: usize, seed: u64) -> GraphInfo {
    assert!(
        (1..=MAX_PAGES).contains(&pages),
        "graph_info needs 1..={MAX_PAGES} pages, got {pages}"
    );
    graph::Graph::build(pages, seed).info()
}
