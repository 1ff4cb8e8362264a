//! Exercise 11: gather that keeps every error.
//!
//! Read first: the Real-Python-style notebook, "Asyncio"
//! (`asyncio.gather(*tasks, return_exceptions=True)`); then
//! `cargo run -p download_async -- --error-rate 0.1`.
//!
//! What to do: `download_all_sites` downloads every page at once, but
//! with `try_join_all`, which stops at the first failure: one 500 and
//! every other result is lost (the futures still running are dropped).
//! Keep one result per URL, errors included, as `return_exceptions=True`
//! does, so the run can count and report its failures and go on.
//!
//! What the check proves: one result per URL; exactly as many failures as
//! the site answered 500s, as many pages as it answered 200s; and the
//! downloads overlapped (the site saw more than one request at once).

/// Every URL's result, in the order of `urls`.
async fn download_all_sites(urls: &[String]) -> Vec<Result<usize, String>> {
    let client = client();
    let downloads = urls.iter().map(|url| download_site(&client, url));
    // TODO: keep every result, errors included.
    match futures::future::try_join_all(downloads).await {
        Ok(sizes) => sizes.into_iter().map(Ok).collect(),
        Err(first_failure) => vec![Err(first_failure)],
    }
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
    async fn every_failure_is_kept_and_counted() {
        let site = local_site(20, 0.3);
        let urls = urls(&site, 40);
        let results = download_all_sites(&urls).await;

        let stats = site.stats();
        let served = |status| stats.by_status.get(&status).copied().unwrap_or(0);
        let failed = results.iter().filter(|r| r.is_err()).count() as u64;
        let read = results.iter().filter(|r| r.is_ok()).count() as u64;
        assert_eq!(results.len(), urls.len(), "one result per URL: {results:?}");
        assert!(served(500) > 0, "the site failed no page this time");
        assert_eq!(failed, served(500), "failures kept vs 500s the site sent");
        assert_eq!(read, served(200), "pages read vs 200s the site sent");
        assert!(stats.max_in_flight > 1, "the downloads ran one at a time");
    }
}
