//! The `--site` flag and the local site behind it.
//!
//! Every network example takes the same flags: with `--site URL` it talks to
//! that server; without it, it starts the bundled local site (crate `site`)
//! in-process on a free loopback port, so nothing ever leaves 127.0.0.1
//! unless the user asks for it.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;

pub use site::Stats;

/// Flags shared by every network example (flatten them into the example's
/// own `clap` struct with `#[command(flatten)]`).
#[derive(Debug, Clone, Args)]
pub struct SiteArgs {
    /// Base URL of a site to use instead of starting the local one
    /// (e.g. http://127.0.0.1:8000 from `site_server`). Nothing but
    /// 127.0.0.1 is contacted unless you pass another address here.
    #[arg(long, value_name = "URL", value_parser = UrlParser { trim_slash: true })]
    pub site: Option<String>,

    /// Latency of each response of the local site, in milliseconds
    /// (ignored with --site).
    #[arg(long, value_name = "MS", default_value_t = 50)]
    pub latency_ms: u64,

    /// Uniform jitter around that latency, in milliseconds (ignored with --site).
    #[arg(long, value_name = "MS", default_value_t = 10)]
    pub jitter_ms: u64,

    /// Fraction of responses the local site answers with a 500, 0 to 1
    /// (ignored with --site).
    #[arg(long, value_name = "RATE", default_value_t = 0.0, value_parser = parse_rate)]
    pub error_rate: f64,

    /// Give up on a request after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0, value_parser = crate::cli::seconds_parser)]
    pub timeout: f64,
}

impl SiteArgs {
    /// The per-request timeout as a `Duration`.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout)
    }

    /// Use `--site`, or start the local site with the latency and error flags.
    pub fn start(&self) -> Result<SiteGuard> {
        self.start_with(site::Config::default())
    }

    /// Like [`SiteArgs::start`], with other defaults for the local site
    /// (an example that needs a small link graph, say).
    pub fn start_with(&self, mut config: site::Config) -> Result<SiteGuard> {
        if let Some(url) = &self.site {
            let url = url.trim_end_matches('/').to_string();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("--site must be an http:// or https:// URL, got {url:?}");
            }
            return Ok(SiteGuard {
                base_url: url,
                local: None,
            });
        }
        config.latency_ms = self.latency_ms;
        config.jitter_ms = self.jitter_ms.min(self.latency_ms);
        config.error_rate = self.error_rate;
        let handle = site::spawn(config).context("could not start the local site")?;
        Ok(SiteGuard {
            base_url: handle.url().to_string(),
            local: Some(handle),
        })
    }
}

/// The site an example talks to; stops the local one when dropped.
pub struct SiteGuard {
    base_url: String,
    local: Option<site::SiteHandle>,
}

impl SiteGuard {
    /// Base URL without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `base_url` joined with an absolute path such as `/jython`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Whether this is the in-process local site.
    pub fn is_local(&self) -> bool {
        self.local.is_some()
    }

    /// The site's counters: from the in-process handle, or from `/stats` of
    /// a `site_server` given with `--site`. `None` if the site has no stats
    /// (it is not ours).
    pub fn stats(&self) -> Option<Stats> {
        match &self.local {
            Some(handle) => Some(handle.stats()),
            None => fetch_stats(&self.base_url).ok(),
        }
    }

    /// The counters once the requests still in flight are gone (looked at
    /// up to 200 times, 10 ms apart): the server notices a closed
    /// connection a moment after its client drops it.
    pub fn settled_stats(&self) -> Option<Stats> {
        let mut stats = self.stats()?;
        for _ in 0..200 {
            if stats.in_flight == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
            stats = self.stats()?;
        }
        Some(stats)
    }

    /// Zero the site's counters before a run (best effort for `--site`).
    pub fn reset_stats(&self) {
        match &self.local {
            Some(handle) => handle.reset_stats(),
            None => {
                let _ = reset_remote_stats(&self.base_url);
            }
        }
    }
}

/// A blocking HTTP client (the twin of `requests.Session`): one connection
/// pool, a timeout on every call, no proxy (we talk to loopback), and HTTP
/// error statuses returned as `Err` so a 500 counts as a failed page.
pub fn blocking_agent(timeout: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .proxy(None)
        .http_status_as_error(true)
        .max_idle_connections_per_host(64)
        .build();
    ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::default(),
        IpLiteralResolver::default(),
    )
}

/// ureq's default resolver, when a timeout is set, starts a thread for
/// every request to bound the name lookup, even for `127.0.0.1` and even
/// when a pooled connection is reused: measured, that doubled the CPU a
/// serial crawl spends per page at latency 0. An IP address needs no
/// lookup, so this resolver answers it at once and leaves host names to
/// the default resolver.
#[derive(Debug, Default)]
pub struct IpLiteralResolver(ureq::unversioned::resolver::DefaultResolver);

impl ureq::unversioned::resolver::Resolver for IpLiteralResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let default_port = if uri.scheme_str() == Some("https") {
            443
        } else {
            80
        };
        let port = uri.port_u16().unwrap_or(default_port);
        // `[::1]` is written with brackets in a URL.
        let host = uri
            .host()
            .unwrap_or("")
            .trim_start_matches('[')
            .trim_end_matches(']');
        match host.parse::<std::net::IpAddr>() {
            Ok(ip) => {
                let mut addrs = self.empty();
                addrs.push(std::net::SocketAddr::new(ip, port));
                Ok(addrs)
            }
            Err(_) => self.0.resolve(uri, config, timeout),
        }
    }
}

/// An async HTTP client (the twin of `aiohttp.ClientSession`): one shared
/// connection pool, a timeout on every request, system proxies off.
///
/// reqwest is built with rustls but without a bundled crypto provider, so
/// this installs `ring` (the one ureq uses) as the process default first.
pub fn async_client(timeout: Duration) -> Result<reqwest::Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .no_proxy()
        .pool_max_idle_per_host(1024)
        .build()
        .context("building the HTTP client")
}

/// The local site's stand-ins for the most visited domains: `count` URLs
/// `/domains/1`, `/domains/2`, ... (the site has 500; past that the list
/// wraps around, so any positive count works).
pub fn domain_urls(site: &SiteGuard, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| site.url(&format!("/domains/{}", i % 500 + 1)))
        .collect()
}

/// An error and its causes on one line ("error sending request: connection
/// refused"), since HTTP clients wrap the useful part several levels deep.
pub fn describe_error(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Read `/stats` of a running `site_server`.
pub fn fetch_stats(base_url: &str) -> Result<Stats> {
    let agent = stats_agent();
    let body = agent
        .get(&format!("{}/stats", base_url.trim_end_matches('/')))
        .call()
        .context("GET /stats")?
        .into_body()
        .read_to_string()
        .context("reading /stats")?;
    serde_json::from_str(&body).context("parsing /stats")
}

/// Zero the counters of a running `site_server` (`POST /stats/reset`).
pub fn reset_remote_stats(base_url: &str) -> Result<()> {
    stats_agent()
        .post(&format!("{}/stats/reset", base_url.trim_end_matches('/')))
        .send_empty()
        .context("POST /stats/reset")?;
    Ok(())
}

fn stats_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .proxy(None)
        .build()
        .into()
}

/// Check a URL the user typed (`--site`, `--start`, a `--urls` line) once,
/// before anything is contacted. It must parse exactly: `http://` or
/// `https://`, a host, a port from 1 to 65535 if one is given, and the
/// `url` crate (reqwest, the crawlers) and `http::Uri` (ureq) must agree on
/// its port. Without this, `http://127.0.0.1:99999` reached ureq as "no
/// port" and went to port 80. The error names the value (shortened).
pub fn check_url(text: &str) -> std::result::Result<url::Url, String> {
    let shown = crate::report::shorten(text);
    let bad = |why: &str| format!("{shown:?} is not a usable URL: {why}");
    let url = url::Url::parse(text).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(&format!(
            "the scheme must be http or https, not {}",
            url.scheme()
        )));
    }
    // The url crate forgives `http:/host` and `http:\\host`; a typo like
    // that is refused here rather than guessed at.
    let prefix = format!("{}://", url.scheme());
    if !text
        .get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(&prefix))
    {
        return Err(bad(&format!("it must start with {prefix}")));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    let port = url.port_or_known_default();
    if port == Some(0) {
        return Err(bad("port 0 cannot be connected to"));
    }
    let uri: ureq::http::Uri = text.parse().map_err(|e| bad(&format!("{e}")))?;
    let default = if uri.scheme_str() == Some("https") {
        443
    } else {
        80
    };
    if uri.host().is_none_or(str::is_empty) || Some(uri.port_u16().unwrap_or(default)) != port {
        return Err(bad("its host or port is ambiguous"));
    }
    Ok(url)
}

/// [`check_url`] as a clap `value_parser`: a bad URL exits 2 with the
/// message. Unlike a plain function parser, clap's own `invalid value
/// '...'` line is not printed, since it repeats the value whole.
#[derive(Debug, Clone, Copy)]
pub struct UrlParser {
    /// Drop a trailing `/` (a base URL, as `--site` wants it).
    pub trim_slash: bool,
}

impl clap::builder::TypedValueParser for UrlParser {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<String, clap::Error> {
        let flag = arg.map_or("a URL".to_string(), |arg| format!("--{}", arg.get_id()));
        let fail = |why: String| {
            let message = format!("invalid value for {flag}: {why}\n");
            clap::Error::raw(clap::error::ErrorKind::ValueValidation, message).with_cmd(cmd)
        };
        let text = value
            .to_str()
            .ok_or_else(|| fail("it is not valid UTF-8".to_string()))?
            .trim();
        check_url(text).map_err(fail)?;
        Ok(if self.trim_slash {
            text.trim_end_matches('/').to_string()
        } else {
            text.to_string()
        })
    }
}

fn parse_rate(text: &str) -> std::result::Result<f64, String> {
    let rate: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!("{rate} is not between 0 and 1"))
    }
}

/// Parse a probability between 0 and 1 (for examples' own clap flags).
pub fn rate_parser(text: &str) -> std::result::Result<f64, String> {
    parse_rate(text)
}

/// Kept here for older callers: the parser now lives in [`crate::cli`].
pub use crate::cli::seconds_parser;

/// Read a `--urls FILE`: one absolute http(s) URL per line; blank lines and
/// lines starting with `#` are skipped. An unreadable or empty file, or a
/// line [`check_url`] refuses, is an error naming the file and line.
pub fn read_url_list(path: &std::path::Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the URL list {}", path.display()))?;
    let mut urls = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Err(why) = check_url(line) {
            bail!("{}:{}: {why}", path.display(), number + 1);
        }
        urls.push(line.to_string());
    }
    if urls.is_empty() {
        bail!("the URL list {} has no URLs", path.display());
    }
    Ok(urls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_list_skips_comments_and_rejects_junk() {
        let dir = std::env::temp_dir().join(format!("support-urls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.txt");
        std::fs::write(
            &good,
            "# top sites\nhttp://127.0.0.1:1/a\n\n https://127.0.0.1:1/b \n",
        )
        .unwrap();
        assert_eq!(
            read_url_list(&good).unwrap(),
            vec!["http://127.0.0.1:1/a", "https://127.0.0.1:1/b"]
        );
        let bad = dir.join("bad.txt");
        std::fs::write(&bad, "http://127.0.0.1:1/a\nftp://x\n").unwrap();
        let err = read_url_list(&bad).unwrap_err().to_string();
        assert!(err.contains(":2:"), "{err}");
        let empty = dir.join("empty.txt");
        std::fs::write(&empty, "# nothing\n").unwrap();
        assert!(read_url_list(&empty).is_err());
        assert!(read_url_list(&dir.join("missing.txt")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_exact_http_urls_pass() {
        for good in [
            "http://127.0.0.1:8000",
            "http://127.0.0.1:8000/",
            "https://127.0.0.1/a?b=1",
            "http://localhost:65535/x",
            "HTTP://127.0.0.1:1",
            "http://[::1]:8000/",
        ] {
            assert!(check_url(good).is_ok(), "{good:?}: {:?}", check_url(good));
        }
        for bad in [
            "http://127.0.0.1:99999",
            "http://127.0.0.1:65536/",
            "http://127.0.0.1:0",
            "http://:80",
            "http://",
            "ftp://127.0.0.1/",
            "file:///etc/passwd",
            "http:/127.0.0.1:8000",
            "127.0.0.1:8000",
            "http://[::1/not-a-url",
            "",
        ] {
            let err = check_url(bad).expect_err(bad);
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
        let long = format!("ftp://127.0.0.1/{}", "a".repeat(100_000));
        assert!(check_url(&long).unwrap_err().len() < 400);
    }

    #[test]
    fn rates_and_seconds_are_checked() {
        assert!(rate_parser("0.2").is_ok());
        assert!(rate_parser("1.5").is_err());
        assert!(rate_parser("-0.1").is_err());
        assert!(rate_parser("abc").is_err());
        assert!(seconds_parser("0.5").is_ok());
        assert!(seconds_parser("0").is_err());
        assert!(seconds_parser("-1").is_err());
        assert!(seconds_parser("inf").is_err());
    }
}
