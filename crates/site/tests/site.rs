//! The site over real sockets, with real clients (ureq and reqwest).
//!
//! Every test starts its own site in-process on a free port, so tests can
//! run in parallel, and asserts what the clients saw and what `/stats`
//! counted, never how long anything took.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::time::Duration;

use scraper::{Html, Selector};
use site::{Config, GraphInfo, SiteHandle, Stats};
use url::Url;

/// A site with no latency (fast tests) and a small graph.
fn quick_site(adjust: impl FnOnce(&mut Config)) -> SiteHandle {
    let mut config = Config {
        latency_ms: 0,
        jitter_ms: 0,
        pages: 300,
        ..Config::default()
    };
    adjust(&mut config);
    site::spawn(config).expect("the site starts on a free loopback port")
}

/// A blocking client that returns 4xx/5xx as responses, not errors.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into()
}

/// GET a URL: (status, body).
fn get(agent: &ureq::Agent, url: &str) -> (u16, Vec<u8>) {
    let response = agent
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .read_to_vec()
        .unwrap_or_else(|e| panic!("body of {url}: {e}"));
    (status, body)
}

fn get_text(agent: &ureq::Agent, url: &str) -> String {
    let (status, body) = get(agent, url);
    assert_eq!(status, 200, "GET {url}");
    String::from_utf8(body).expect("pages are UTF-8")
}

fn fetch_stats(agent: &ureq::Agent, base: &str) -> Stats {
    serde_json::from_str(&get_text(agent, &format!("{base}/stats"))).expect("/stats is JSON")
}

fn title_of(html: &str) -> String {
    let document = Html::parse_document(html);
    let selector = Selector::parse("title").expect("valid selector");
    document
        .select(&selector)
        .next()
        .map(|t| t.text().collect::<String>())
        .unwrap_or_default()
}

fn hrefs(html: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let selector = Selector::parse("a[href]").expect("valid selector");
    document
        .select(&selector)
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect()
}

async fn async_client(pool: usize) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .pool_max_idle_per_host(pool)
        .build()
        .expect("client builds")
}

#[test]
fn pages_parse_as_html_with_the_promised_sizes_and_titles() {
    let site = quick_site(|_| {});
    let base = site.url();
    let agent = agent();

    let jython = get_text(&agent, &format!("{base}/sites/jython"));
    assert!((9_000..=11_000).contains(&jython.len()), "{}", jython.len());
    assert!(title_of(&jython).contains("Jython"));
    let dice = get_text(&agent, &format!("{base}/sites/dice"));
    assert!((250..=350).contains(&dice.len()), "{}", dice.len());
    assert!(title_of(&dice).contains("Dice"));

    // Every domain page names its domain in the title.
    for n in [1, 2, 250, 500] {
        let page = get_text(&agent, &format!("{base}/domains/{n}"));
        assert!(page.len() < 4096);
        assert!(
            title_of(&page).contains(&site::domain_name(n)),
            "domain {n}"
        );
    }
    for bad in [
        "/domains/0",
        "/domains/501",
        "/domains/x",
        "/crawl/300",
        "/crawl/07",
        "/nope",
    ] {
        assert_eq!(get(&agent, &format!("{base}{bad}")).0, 404, "{bad}");
    }

    // The list of domain URLs: absolute, in order, and each one works.
    let list = get_text(&agent, &format!("{base}/domains?count=10"));
    let urls: Vec<&str> = list.lines().collect();
    assert_eq!(urls.len(), 10);
    for (i, url) in urls.iter().enumerate() {
        assert_eq!(*url, format!("{base}/domains/{}", i + 1));
    }
    assert_eq!(
        get_text(&agent, &format!("{base}/domains")).lines().count(),
        500
    );
    assert_eq!(get(&agent, &format!("{base}/domains?count=501")).0, 400);

    // A crawl page: a title, 5 to 15 links, and `?ref=` is the same page.
    let page = get_text(&agent, &format!("{base}/crawl/5"));
    assert!(title_of(&page).contains("Page 5"));
    assert!((5..=15).contains(&hrefs(&page).len()));
    assert!((1_000..=8_000).contains(&page.len()), "{}", page.len());
    assert_eq!(
        page,
        get_text(&agent, &format!("{base}/crawl/5?ref=anything"))
    );
}

/// A breadth-first crawl of the site as a correct crawler does it: same
/// origin only, `/crawl/` paths only, fragments and queries dropped.
#[test]
fn graph_is_fully_reachable_with_the_stated_count_and_depth() {
    let seed = 7;
    let site = quick_site(|c| c.seed = seed);
    let agent = agent();
    let start = Url::parse(&format!("{}/crawl/0", site.url())).expect("valid URL");

    let mut depth: HashMap<String, usize> = HashMap::from([(start.path().to_string(), 0)]);
    let mut queue = VecDeque::from([start.clone()]);
    let mut seen_kinds: HashSet<&str> = HashSet::new();
    while let Some(page) = queue.pop_front() {
        let html = get_text(&agent, page.as_str());
        assert!(title_of(&html).contains("Page"), "{page} has a title");
        let links = hrefs(&html);
        assert!((5..=15).contains(&links.len()), "{page}: {}", links.len());
        let here = depth[page.path()];
        for href in links {
            seen_kinds.insert(classify(&href));
            let Ok(mut target) = page.join(&href) else {
                continue;
            };
            if target.origin() != start.origin() {
                continue;
            }
            assert!(
                target.path().starts_with("/crawl/"),
                "only crawl pages are linked on-site: {href}"
            );
            target.set_fragment(None);
            target.set_query(None);
            if !depth.contains_key(target.path()) {
                depth.insert(target.path().to_string(), here + 1);
                queue.push_back(target);
            }
        }
    }

    let stated: GraphInfo =
        serde_json::from_str(&get_text(&agent, &format!("{}/graph", site.url())))
            .expect("/graph is JSON");
    assert_eq!(stated, site::graph_info(300, seed));
    assert_eq!(stated.root, "/crawl/0");
    assert_eq!(stated.pages, 300);
    assert_eq!(stated.reachable, 300);
    assert_eq!(depth.len(), stated.reachable, "the crawl found every page");
    assert_eq!(depth.values().max().copied(), Some(stated.max_depth));
    // Every kind of link a crawler must handle appears somewhere.
    for kind in [
        "absolute",
        "root-relative",
        "relative",
        "fragment",
        "ref",
        "mailto",
        "javascript",
        "other-host",
        "top",
    ] {
        assert!(
            seen_kinds.contains(kind),
            "no {kind} link seen: {seen_kinds:?}"
        );
    }
    // The default-size graph has a modest depth and is fully reachable.
    let full = site::graph_info(20_000, 42);
    assert_eq!(full.reachable, 20_000);
    assert!((8..=15).contains(&full.max_depth), "{}", full.max_depth);
}

fn classify(href: &str) -> &'static str {
    if href.starts_with("mailto:") {
        "mailto"
    } else if href.starts_with("javascript:") {
        "javascript"
    } else if href == "#top" {
        "top"
    } else if href.starts_with("http://127.0.0.1:") {
        "absolute"
    } else if href.starts_with("http") {
        "other-host"
    } else if href.contains("?ref=") {
        "ref"
    } else if href.contains('#') {
        "fragment"
    } else if href.starts_with('/') {
        "root-relative"
    } else {
        "relative"
    }
}

#[test]
fn same_seed_gives_the_same_bytes() {
    let (a, b) = (quick_site(|c| c.seed = 5), quick_site(|c| c.seed = 5));
    let other = quick_site(|c| c.seed = 6);
    let agent = agent();
    // Absolute links carry each server's own address: compare without it.
    let fetch = |site: &SiteHandle, path: &str| {
        get_text(&agent, &format!("{}{path}", site.url())).replace(site.url(), "BASE")
    };
    for path in [
        "/crawl/0",
        "/crawl/1",
        "/crawl/150",
        "/crawl/299",
        "/sites/jython",
        "/domains/7",
    ] {
        // Different request order on the two servers on purpose.
        let from_b_first = fetch(&b, path);
        assert_eq!(fetch(&a, path), from_b_first, "{path}");
    }
    assert_ne!(fetch(&a, "/crawl/150"), fetch(&other, "/crawl/150"));
}

#[test]
fn error_rate_of_a_fifth_gives_about_a_fifth_of_500s() {
    let site = quick_site(|c| c.error_rate = 0.2);
    let agent = agent();
    let url = format!("{}/sites/dice", site.url());
    let failures = (0..1000).filter(|_| get(&agent, &url).0 == 500).count();
    assert!(
        (150..=250).contains(&failures),
        "{failures} of 1000 were 500s"
    );

    let stats = fetch_stats(&agent, site.url());
    assert_eq!(stats.requests, 1000, "/stats itself is not counted");
    assert_eq!(stats.by_status.get(&500).copied(), Some(failures as u64));
    assert_eq!(
        stats.by_status.get(&200).copied(),
        Some(1000 - failures as u64)
    );

    // Per-request knobs override the config; control paths are never faulted.
    assert_eq!(get(&agent, &format!("{url}?fail=0")).0, 200);
    assert_eq!(get(&agent, &format!("{url}?fail=1")).0, 500);
    assert_eq!(get(&agent, &format!("{url}?fail=2")).0, 400);
    assert_eq!(get(&agent, &format!("{url}?latency_ms=-1")).0, 400);
    for _ in 0..20 {
        assert_eq!(get(&agent, &format!("{}/graph", site.url())).0, 200);
    }
    let stats = fetch_stats(&agent, site.url());
    assert_eq!(stats.requests, 1004);

    // Reset by POST zeroes the counters.
    agent
        .post(&format!("{}/stats/reset", site.url()))
        .send_empty()
        .expect("POST /stats/reset");
    assert_eq!(fetch_stats(&agent, site.url()), Stats::default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_are_all_in_flight_at_once() {
    let site = quick_site(|c| c.latency_ms = 1000);
    let client = async_client(1000).await;
    let url = format!("{}/sites/dice", site.url());
    let requests = (0..1000).map(|_| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let response = client.get(&url).send().await?;
            let status = response.status();
            response.bytes().await?;
            Ok::<_, reqwest::Error>(status)
        }
    });
    let results = futures::future::join_all(requests).await;
    let ok = results
        .iter()
        .filter(|r| matches!(r, Ok(status) if status.as_u16() == 200))
        .count();
    assert_eq!(
        ok,
        1000,
        "first failure: {:?}",
        results.iter().find(|r| r.is_err())
    );

    let body = client
        .get(format!("{}/stats", site.url()))
        .send()
        .await
        .expect("GET /stats")
        .bytes()
        .await
        .expect("body of /stats");
    let stats: Stats = serde_json::from_slice(&body).expect("/stats is JSON");
    assert_eq!(stats.max_in_flight, 1000);
    assert_eq!(stats.requests, 1000);
    assert_eq!(stats.in_flight, 0);
    assert_eq!(stats.by_status, BTreeMap::from([(200, 1000)]));
    assert_eq!(site.stats(), stats, "the handle sees the same counters");
}

#[test]
fn a_non_loopback_address_is_refused() {
    let config = Config {
        bind: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        ..Config::default()
    };
    let error = site::spawn(config).expect_err("10.0.0.1 must be refused");
    assert!(error.to_string().contains("loopback"), "{error}");
    // Another loopback address is fine.
    let other = quick_site(|c| c.bind = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    assert!(other.url().starts_with("http://127.0.0.2:"));
    assert_eq!(get(&agent(), &format!("{}/sites/dice", other.url())).0, 200);
}

#[test]
fn reset_rate_one_cuts_every_response_and_counts_it() {
    let site = quick_site(|c| c.reset_rate = 1.0);
    let agent = agent();
    let url = format!("{}/sites/jython", site.url());
    for _ in 0..20 {
        let outcome = agent
            .get(&url)
            .call()
            .map_err(|e| e.to_string())
            .and_then(|r| r.into_body().read_to_vec().map_err(|e| e.to_string()));
        assert!(outcome.is_err(), "a reset response must not arrive whole");
    }
    let stats = fetch_stats(&agent, site.url());
    assert_eq!(stats.resets, 20);
    assert_eq!(stats.requests, 20);
    // About half of each body went out before the cut.
    assert!(stats.bytes_sent > 0 && stats.bytes_sent < 20 * 10_500);
    // The server is still serving; a per-request knob turns the fault off.
    assert_eq!(get(&agent, &format!("{url}?reset=0")).0, 200);
}

#[test]
fn misbehaving_clients_do_not_stop_the_server() {
    let site = quick_site(|c| c.latency_ms = 20);
    let addr = site.addr();
    // Half a request, then hang up.
    let mut half = TcpStream::connect(addr).expect("connect");
    half.write_all(b"GET /sites/dice HTT").expect("write");
    drop(half);
    // A whole request, then hang up before the answer.
    let mut impatient = TcpStream::connect(addr).expect("connect");
    impatient
        .write_all(b"GET /sites/jython HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("write");
    drop(impatient);
    // Garbage.
    let mut garbage = TcpStream::connect(addr).expect("connect");
    garbage
        .write_all(b"\x00\x01 not http at all\r\n\r\n")
        .expect("write");
    let mut answer = Vec::new();
    let _ = garbage.read_to_end(&mut answer);
    // A connection that stays silent while others are served.
    let _silent = TcpStream::connect(addr).expect("connect");

    let agent = agent();
    for _ in 0..5 {
        assert_eq!(get(&agent, &format!("{}/sites/dice", site.url())).0, 200);
    }
}

#[test]
fn max_connections_two_keeps_at_most_two_in_flight() {
    let site = quick_site(|c| {
        c.latency_ms = 50;
        c.max_connections = Some(2);
    });
    let url = format!("{}/sites/dice", site.url());
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..20)
            .map(|_| scope.spawn(|| get(&agent(), &url).0))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("client thread"))
            .collect()
    });
    assert_eq!(statuses, vec![200; 20]);
    let stats = site.stats();
    assert_eq!(stats.requests, 20);
    assert_eq!(stats.max_in_flight, 2, "20 clients, 2 served at a time");
}

#[test]
fn bandwidth_cap_still_delivers_every_byte() {
    let site = quick_site(|c| c.bandwidth_bytes_per_sec = Some(400_000));
    let agent = agent();
    let capped = get_text(&agent, &format!("{}/sites/jython", site.url()));
    let uncapped = get_text(&agent, &format!("{}/sites/jython?bandwidth=0", site.url()));
    assert_eq!(capped, uncapped);
    assert_eq!(site.stats().bytes_sent, 2 * capped.len() as u64);
}

#[test]
fn dir_serves_files_and_never_leaves_the_folder() {
    let scratch = std::env::temp_dir().join(format!("site-dir-test-{}", std::process::id()));
    let root = scratch.join("public");
    std::fs::create_dir_all(root.join("docs")).expect("mkdir");
    std::fs::write(root.join("index.html"), "<html><title>home</title></html>").expect("write");
    std::fs::write(root.join("docs/index.html"), "<p>docs</p>").expect("write");
    std::fs::write(root.join("docs/a b.txt"), "spaced").expect("write");
    std::fs::write(scratch.join("secret.txt"), "SECRET").expect("write");

    let site = quick_site(|c| c.dir = Some(root.clone()));
    let base = site.url().to_string();
    let agent = agent();
    assert!(get_text(&agent, &format!("{base}/")).contains("home"));
    assert!(get_text(&agent, &format!("{base}/docs/")).contains("docs"));
    assert!(
        get_text(&agent, &format!("{base}/docs")).contains("docs"),
        "redirect followed"
    );
    assert_eq!(
        get_text(&agent, &format!("{base}/docs/a%20b.txt")),
        "spaced"
    );
    assert_eq!(get(&agent, &format!("{base}/missing.html")).0, 404);
    assert_eq!(
        get(&agent, &format!("{base}/crawl/0")).0,
        404,
        "no generated pages"
    );

    // Raw requests, so no client tidies the path up first.
    for path in [
        "/../secret.txt",
        "/docs/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
    ] {
        let mut stream = TcpStream::connect(site.addr()).expect("connect");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .expect("write");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        assert!(answer.starts_with("HTTP/1.1 404"), "{path}: {answer}");
        assert!(!answer.contains("SECRET"), "{path} escaped the folder");
    }
    // A folder without its '/' redirects to a path on this site, never to
    // `//docs/`, which a client reads as the host `docs`.
    for (path, location) in [
        ("/docs", "/docs/"),
        ("//docs", "/docs/"),
        ("///docs", "/docs/"),
        ("//docs//", "/docs//"),
    ] {
        let mut stream = TcpStream::connect(site.addr()).expect("connect");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .expect("write");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        if path.ends_with('/') {
            assert!(answer.starts_with("HTTP/1.1 200"), "{path}: {answer}");
            continue;
        }
        assert!(answer.starts_with("HTTP/1.1 301"), "{path}: {answer}");
        let header = format!("\r\nlocation: {location}\r\n");
        assert!(
            answer.to_ascii_lowercase().contains(&header),
            "{path}: {answer}"
        );
    }
    drop(site);
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn shutdown_stops_serving() {
    let site = quick_site(|_| {});
    let addr = site.addr();
    assert_eq!(get(&agent(), &format!("{}/sites/dice", site.url())).0, 200);
    site.shutdown();
    assert!(
        TcpStream::connect(addr).is_err(),
        "nothing listens after shutdown"
    );
}

#[test]
fn a_client_that_stops_waiting_is_counted_as_abandoned() {
    let site = quick_site(|_| {});
    let agent = agent();
    let base = site.url().to_string();
    // A client that gives up after 100 ms on a page that takes 5 s.
    let impatient = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_millis(100)))
        .proxy(None)
        .build();
    let impatient: ureq::Agent = impatient.into();
    let slow = impatient
        .get(&format!("{base}/sites/dice?latency_ms=5000"))
        .call();
    assert!(slow.is_err(), "the slow page cannot arrive within 100 ms");
    // Whole answers, GET and HEAD, are not abandoned.
    assert_eq!(get(&agent, &format!("{base}/sites/dice")).0, 200);
    let head = agent
        .head(&format!("{base}/sites/dice"))
        .call()
        .expect("HEAD");
    assert_eq!(head.status().as_u16(), 200);
    // The server notices the closed connection while it waits; poll a
    // bounded while for the handler to be dropped.
    let mut stats = fetch_stats(&agent, &base);
    for _ in 0..200 {
        if stats.in_flight == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
        stats = fetch_stats(&agent, &base);
    }
    assert_eq!(
        stats.in_flight, 0,
        "the abandoned request still runs: {stats:?}"
    );
    assert_eq!(stats.abandoned, 1, "{stats:?}");
    assert_eq!(stats.requests, 3, "{stats:?}");
    assert_eq!(stats.by_status.get(&200), Some(&2), "{stats:?}");
}
