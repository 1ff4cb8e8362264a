//! Exercise 12: a semaphore caps the requests in flight.
//!
//! Read first: the scraper blog, "how does Asyncio work in Python?"; the
//! Real-Python-style notebook, "Asyncio"; then
//! `cargo run -p download_async -- --limit 5`.
//!
//! What to do: `download_all_sites` starts every download at once, but a
//! polite client sends at most `limit` requests at a time (aiohttp's
//! session does this with its connection limit). It takes a permit of a
//! `tokio::sync::Semaphore` before each request, yet the cap does not
//! hold. Find out why and fix it: a permit gives its place back when it is
//! dropped.
//!
//! What the check proves: the site saw exactly `limit` requests at once,
//! never more, and every page arrived.

use tokio::sync::Semaphore;

async fn download_all_sites(urls: &[String], limit: usize) -> Vec<Result<usize, String>> {
    let client = client();
    let semaphore = Semaphore::new(limit);
    let downloads = urls.iter().map(|url| async {
        // `let _ =` would drop the permit at once; a named binding keeps
        // it until the end of this block, after the download.
        let _permit = semaphore
            .acquire()
            .await
            .expect("the semaphore is never closed");
        download_site(&client, url).await
    });
    futures::future::join_all(downloads).await
}

// ---- The check: leave everything below as it is. ----

/// The HTTP client the check hands out: plain http to 127.0.0.1, no proxy.
fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client with default settings builds")
}

/// The article's `download_site`: one page's length, or why it failed
/// (a 500 from the site is a failure too).
async fn download_site(client: &reqwest::Client, url: &str) -> Result<usize, String> {
    let response = client.get(url).send().await.map_err(|e| e.to_string())?;
    let response = response.error_for_status().map_err(|e| e.to_string())?;
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    Ok(body.len())
}

/// The local site with a fixed latency and error rate.
fn local_site(latency_ms: u64, error_rate: f64) -> site::SiteHandle {
    site::spawn(site::Config {
        latency_ms,
        jitter_ms: 0,
        error_rate,
        pages: 20,
        ..site::Config::default()
    })
    .expect("the local site starts")
}

fn urls(site: &site::SiteHandle, count: usize) -> Vec<String> {
    (1..=count)
        .map(|i| format!("{}/domains/{i}", site.url()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn at_most_limit_requests_in_flight() {
        let site = local_site(50, 0.0);
        let urls = urls(&site, 12);
        let results = download_all_sites(&urls, 3).await;

        assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
        assert_eq!(results.len(), urls.len());
        let in_flight = site.stats().max_in_flight;
        assert_eq!(in_flight, 3, "most requests the site saw at once");
    }
}
