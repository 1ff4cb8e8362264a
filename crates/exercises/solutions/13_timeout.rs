//! Exercise 13: a timeout cancels a slow request, and the run goes on.
//!
//! Read first: the scraper blog, "how does Asyncio work in Python?"; then
//! `cargo run -p download_async -- --help` (its `--timeout`).
//!
//! What to do: one page of the list answers only after 5 seconds, and the
//! whole run waits for it. Give each download at most `PATIENCE` with
//! `tokio::time::timeout`, and report a page that takes longer as an error
//! (`"timed out"`). In Rust a future is cancelled by dropping it: when
//! the timeout wins, the request's future is dropped and its connection
//! closed; Python needs `task.cancel()` for the same.
//!
//! What the check proves: every other page arrived, the slow one is an
//! error, the site did receive the slow request, and the run ended without
//! waiting for it (a check that waits 3 s at most).

use std::time::Duration;

const PATIENCE: Duration = Duration::from_millis(500);

async fn download_with_patience(client: &reqwest::Client, url: &str) -> Result<usize, String> {
    // If PATIENCE passes first, timeout drops the download's future,
    // which cancels it, and returns Err(Elapsed).
    tokio::time::timeout(PATIENCE, download_site(client, url))
        .await
        .map_err(|_| "timed out".to_string())?
}

async fn download_all_sites(urls: &[String]) -> Vec<Result<usize, String>> {
    let client = client();
    let downloads = urls.iter().map(|url| download_with_patience(&client, url));
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
    async fn the_slow_page_is_abandoned_and_the_others_arrive() {
        let site = local_site(20, 0.0);
        let mut urls = urls(&site, 6);
        urls[2] = format!("{}/domains/3?latency_ms=5000", site.url());

        let results = tokio::time::timeout(Duration::from_secs(3), download_all_sites(&urls))
            .await
            .expect("the run waited for the slow page: no timeout cancelled it");

        for (url, result) in urls.iter().zip(&results) {
            if url.contains("latency_ms") {
                let error = result.as_ref().expect_err("the slow page is an error");
                assert!(error.contains("timed out"), "{error}");
            } else {
                assert!(result.is_ok(), "{url}: {result:?}");
            }
        }
        // The site counts a request when it answers it, and holds the slow
        // one for 5 s: it received it, and no one waits for it any more.
        let stats = site.stats();
        assert_eq!(stats.in_flight, 1, "the slow request reached the site");
        assert_eq!(stats.requests, urls.len() as u64 - 1, "answered requests");
    }
}
