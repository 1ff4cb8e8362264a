//! Exercise 04: download with a pool of 5 threads, one session per thread.
//!
//! Read first: the Real-Python-style notebook, "Threading version"; then
//! `cargo run -p download_threads` and its main.rs.
//!
//! What to do: `download_all_sites` starts one thread per URL, so 20 URLs
//! mean 20 threads, 20 sessions and 20 requests at once. The article uses
//! `ThreadPoolExecutor(max_workers=5)`: 5 threads, each taking the next URL
//! until none is left, each with its own session (`threading.local`, here
//! `thread_local!` in `get_session`). Start exactly WORKERS threads that
//! share the list that way; `download_site` and `get_session` are fine.
//!
//! What the check proves: every page was read, the site saw exactly WORKERS
//! requests in flight at once (never more, and not fewer), and no more than
//! WORKERS sessions were made.

use std::cell::OnceCell;
use std::thread;

const WORKERS: usize = 5;

thread_local! {
    static SESSION: OnceCell<ureq::Agent> = const { OnceCell::new() };
}

/// This thread's session, made the first time this thread asks.
fn get_session() -> ureq::Agent {
    SESSION.with(|session| session.get_or_init(make_session).clone())
}

/// Fetch one page with this thread's session; return its size in bytes.
fn download_site(url: &str) -> usize {
    let mut response = get_session()
        .get(url)
        .call()
        .expect("the local site answers");
    let page = response
        .body_mut()
        .read_to_string()
        .expect("the page is text");
    page.len()
}

/// Download every URL; return the pages' sizes, in any order.
fn download_all_sites(urls: &[String]) -> Vec<usize> {
    thread::scope(|scope| {
        let threads: Vec<_> = urls
            .iter()
            .map(|url| scope.spawn(move || download_site(url)))
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join().expect("a download does not panic"))
            .collect()
    })
}

// ---- The check: leave everything below as it is. ----

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

static SESSIONS_MADE: AtomicUsize = AtomicUsize::new(0);

/// A new HTTP session (the twin of `requests.Session()`), counted.
fn make_session() -> ureq::Agent {
    SESSIONS_MADE.fetch_add(1, Ordering::SeqCst);
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .proxy(None)
        .build()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_threads_five_sessions_five_in_flight() {
        let site = site::spawn(site::Config {
            latency_ms: 50,
            jitter_ms: 0,
            pages: 50,
            ..Default::default()
        })
        .expect("the local site starts on a free loopback port");
        let urls: Vec<String> = (1..=20)
            .map(|i| format!("{}/domains/{i}", site.url()))
            .collect();
        let sizes = download_all_sites(&urls);
        let stats = site.stats();
        assert_eq!(sizes.len(), 20, "one size per URL");
        assert!(
            sizes.iter().all(|&size| size > 0),
            "an empty page: {sizes:?}"
        );
        assert_eq!(
            stats.by_status.get(&200),
            Some(&20),
            "the site served: {stats:?}"
        );
        assert_eq!(
            stats.max_in_flight, WORKERS as u64,
            "the site saw {} requests at once: a pool of {WORKERS} threads makes exactly {WORKERS}",
            stats.max_in_flight
        );
        let sessions = SESSIONS_MADE.load(Ordering::SeqCst);
        assert!(
            sessions <= WORKERS,
            "{sessions} sessions were made: one per thread of the pool is at most {WORKERS}"
        );
    }
}
