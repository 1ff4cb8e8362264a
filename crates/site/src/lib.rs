//! The local website (API stub: to be implemented, see issue 3).
//!
//! The public surface below is a contract other crates already build against;
//! keep these names and types.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

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
    /// Count of responses by HTTP status code.
    pub by_status: BTreeMap<u16, u64>,
    /// Connections dropped on purpose (the reset fault).
    pub resets: u64,
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
    _private: (),
}

impl SiteHandle {
    /// Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> &str {
        unimplemented!("site is not built yet")
    }
    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        unimplemented!("site is not built yet")
    }
    /// Zero the counters (max in flight included).
    pub fn reset_stats(&self) {
        unimplemented!("site is not built yet")
    }
    /// Stop serving and wait for the server thread to end.
    pub fn shutdown(self) {}
}

/// Start the site on its own thread and runtime, so sync code and tests can use it.
pub fn spawn(config: Config) -> anyhow::Result<SiteHandle> {
    let _ = config;
    anyhow::bail!("site is not built yet")
}

/// The link graph's shape for a page count and seed, computed without a server.
pub fn graph_info(pages: usize, seed: u64) -> GraphInfo {
    let _ = (pages, seed);
    unimplemented!("site is not built yet")
}
