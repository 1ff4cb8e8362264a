//! Exercise 16: a breadth-first crawler that stays on its site.
//!
//! Read first: the LinkedIn notebook, "Use multiprocessing to parse urls"
//! and "Serial method test" (the serial BFS); then
//! `cargo run -p crawl_serial` and its main.rs.
//!
//! What to do: `crawl` already walks the site level by level, but it follows
//! every link it finds. Make it keep only links of the start page's origin
//! (same scheme, host and port: no `mailto:`, no other host), and count
//! `/crawl/7`, `/crawl/7#section-2` and `/crawl/7?ref=nav` as one page, so
//! each page is fetched once.
//!
//! What the check proves: the crawl finds exactly the pages the site says
//! are reachable, asks the site for each of them once, and never asks for a
//! URL off its origin (the check's `fetch` refuses those, and counts them).

use std::collections::{HashSet, VecDeque};

use url::Url;

/// The article's `get_urls`: every link of one page, made absolute.
/// Reading HTML is not this exercise's lesson, so it is done for you.
fn links_of(page: &Url, html: &str) -> Vec<Url> {
    let document = scraper::Html::parse_document(html);
    let anchors = scraper::Selector::parse("a[href]").expect("a valid CSS selector");
    document
        .select(&anchors)
        .filter_map(|a| page.join(a.value().attr("href")?).ok())
        .collect()
}

/// Visit every page reachable from `start`, nearest first; return them.
fn crawl(start: &Url) -> HashSet<Url> {
    let mut seen = HashSet::from([start.clone()]);
    let mut queue = VecDeque::from([start.clone()]);
    while let Some(page) = queue.pop_front() {
        let Ok(html) = fetch(&page) else {
            continue;
        };
        for link in links_of(&page, &html) {
            // Another origin is another site (or no site: mailto:).
            if link.origin() != start.origin() {
                continue;
            }
            // Drop the fragment and only the `ref` parameter: any other
            // parameter could name another page.
            let mut link = link;
            link.set_fragment(None);
            let kept: Vec<(String, String)> = link
                .query_pairs()
                .filter(|(key, _)| key != "ref")
                .map(|(key, value)| (key.into_owned(), value.into_owned()))
                .collect();
            link.set_query(None);
            if !kept.is_empty() {
                link.query_pairs_mut().extend_pairs(kept);
            }
            if seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
    }
    seen
}

// ---- The check: leave everything below as it is. ----

static START: std::sync::Mutex<Option<Url>> = std::sync::Mutex::new(None);
static OFF_ORIGIN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Download one page of the local site. A URL off the start's origin is
/// refused (and noted) before anything is sent: this check never contacts
/// another host.
fn fetch(url: &Url) -> Result<String, String> {
    let start = START
        .lock()
        .expect("not poisoned")
        .clone()
        .expect("set by the test");
    if url.origin() != start.origin() {
        OFF_ORIGIN
            .lock()
            .expect("not poisoned")
            .push(url.to_string());
        return Err(format!("refused: {url} is off the start's origin"));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(10)))
        .proxy(None)
        .build()
        .into();
    let mut response = agent.get(url.as_str()).call().map_err(|e| e.to_string())?;
    response
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crawls_each_reachable_page_once_and_stays_home() {
        let (pages, seed) = (150, 7);
        let site = site::spawn(site::Config {
            latency_ms: 0,
            jitter_ms: 0,
            pages,
            seed,
            ..site::Config::default()
        })
        .expect("the local site starts");
        let graph = site::graph_info(pages, seed);
        let start = Url::parse(&format!("{}{}", site.url(), graph.root)).expect("a URL");
        *START.lock().expect("not poisoned") = Some(start.clone());

        let found = crawl(&start);

        let off = OFF_ORIGIN.lock().expect("not poisoned").clone();
        assert!(
            off.is_empty(),
            "the crawler asked for {} URLs off its origin, such as {:?}",
            off.len(),
            &off[..off.len().min(3)]
        );
        let requests = site.stats().requests;
        assert_eq!(
            requests, graph.reachable as u64,
            "the site answered {requests} requests for {} reachable pages: \
             some page was fetched more than once",
            graph.reachable
        );
        let paths: HashSet<&str> = found.iter().map(|url| url.path()).collect();
        assert_eq!(
            found.len(),
            paths.len(),
            "one page under two URLs: {found:?}"
        );
        assert_eq!(found.len(), graph.reachable, "pages found");
    }
}
