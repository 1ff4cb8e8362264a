//! A breadth-first crawler that fetches its queue in batches of 10 pages at
//! once, on threads (default) or on worker processes (`--processes`).
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python"
//!          (LinkedIn notebook), the crawler cells: `get_all_urls_parallel`
//!          and "parallel method test".
//! Run:     cargo run --release -p crawl_pool [-- --help]
//!          (the article's size: -- --pages 20000 --max-urls 20000)
//! Notice:  the site sees up to `--batch` requests at once (`max_in_flight`
//!          in the report), so the crawl runs about `--batch` times faster than
//!          crawl_serial. Each batch waits for its slowest page before the next
//!          starts: with jitter, the batch's other workers sit idle meanwhile
//!          (crawl_async --continuous removes that wait). With `--processes`,
//!          every URL and every link found crosses a pipe as JSON; compare the
//!          pages per second of both modes at `--latency-ms 0` to see that cost.
//! Python -> Rust: `Pool(10)` + `apply_async(get_urls, callback=post_process)`
//!          -> `std::thread::scope` spawning one thread per URL of the batch,
//!          or `support::pool` (worker processes started from this same
//!          binary). Python needs processes here only because of the GIL's
//!          hold on parsing; Rust threads parse in parallel, so threads are
//!          the default and processes the comparison. The article builds a
//!          new `Pool` for every batch. We start new threads per batch too
//!          (the scope ends with the batch), but new processes per batch would
//!          cost milliseconds each, so the process pool is started once. At
//!          latency 0 that shows: 20,000 short-lived threads cost about 2 s of
//!          system time (fresh stacks and allocator arenas), and the
//!          long-lived processes win despite the pipes.

use std::collections::HashSet;
use std::process::ExitCode;

use clap::Parser;
use support::Timer;
use support::crawl::{
    Crawl, CrawlArgs, CrawlProgress, crawl_agent, is_html, redirect_links, same_origin_links,
};
use support::pool::{Pool, PoolBuilder, TaskTimeoutArg, serve_if_worker};
use url::Url;

/// Crawl the site breadth-first, a batch of pages at a time.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    crawl: CrawlArgs,

    /// Stop once this many URLs are found (the article: 20000). Fetching stops
    /// there too, so fewer pages than this are fetched.
    #[arg(long, value_name = "N", default_value_t = 500,
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    max_urls: u32,

    /// Pages fetched at once: the pool's size (the article: 10).
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=256))]
    batch: u32,

    /// Fetch and parse in worker processes instead of threads.
    #[arg(long)]
    processes: bool,

    #[command(flatten)]
    pool: TaskTimeoutArg,
}

/// Fetch one page and return the links on it that stay on its origin
/// (the same function as in crawl_serial).
fn get_urls(agent: &ureq::Agent, url: &Url) -> Result<Vec<Url>, String> {
    let mut response = agent.get(url.as_str()).call().map_err(reason)?;
    let headers = response.headers();
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if response.status().is_redirection() {
        return Ok(redirect_links(url, header("location")));
    }
    if !is_html(header("content-type")) {
        return Ok(Vec::new());
    }
    let html = response.body_mut().read_to_string().map_err(reason)?;
    Ok(same_origin_links(url, &html))
}

/// Who fetches a batch: threads of this process, or worker processes.
enum Workers {
    Threads(ureq::Agent),
    /// Tasks are URLs, results the links found, both as strings: that is
    /// what crosses the pipes.
    Processes(Box<Pool<String, Vec<String>>>),
}

impl Workers {
    /// Fetch every page of the batch at once; one result per page, in
    /// batch order.
    fn fetch_batch(&mut self, batch: &[Url]) -> Vec<Result<Vec<Url>, String>> {
        match self {
            // One scoped thread per page. `scope` waits for all of them, so
            // at most `batch.len()` requests are ever out, and the threads
            // may borrow the agent and the URLs (no Arc, no clone).
            Workers::Threads(agent) => std::thread::scope(|scope| {
                let agent = &*agent;
                let threads: Vec<_> = batch
                    .iter()
                    .map(|url| scope.spawn(move || get_urls(agent, url)))
                    .collect();
                threads
                    .into_iter()
                    .map(|thread| {
                        thread
                            .join()
                            .unwrap_or_else(|_| Err("the fetching thread panicked".to_string()))
                    })
                    .collect()
            }),
            // The pool has `batch` workers and hands each one task at a time,
            // so here too at most `batch.len()` requests are out.
            Workers::Processes(pool) => {
                let tasks = batch.iter().map(Url::to_string).collect();
                pool.map(tasks)
                    .into_iter()
                    .map(|result| match result {
                        // Links come back as text and are parsed again here:
                        // part of the price of a process boundary.
                        Ok(links) => Ok(links.iter().filter_map(|l| Url::parse(l).ok()).collect()),
                        Err(error) => Err(error.to_string()),
                    })
                    .collect()
            }
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Workers::Threads(_) => "threads",
            Workers::Processes(_) => "processes",
        }
    }
}

/// The batched crawl: take the next `batch_size` URLs of the queue, fetch
/// them at once, queue the new links, until the queue is empty or
/// `max_urls` are found.
fn get_all_urls_parallel(
    workers: &mut Workers,
    start: Url,
    max_urls: usize,
    batch_size: usize,
    progress: &mut CrawlProgress,
) -> Crawl {
    let mut crawl = Crawl {
        urls: vec![start.clone()],
        ..Crawl::default()
    };
    let mut visited = HashSet::from([start]);
    let mut next = 0;
    while next < crawl.urls.len() && crawl.urls.len() < max_urls {
        // <- the change from crawl_serial: a slice of the queue, not one URL.
        let end = (next + batch_size).min(crawl.urls.len());
        let batch = crawl.urls[next..end].to_vec();
        next = end;
        let results = workers.fetch_batch(&batch);
        // The article's `post_process` callback, run here in batch order
        // (its callbacks run in completion order), so every run lists the
        // URLs in the same order. Only this thread touches `visited`: no lock.
        for (page, result) in batch.iter().zip(results) {
            match result {
                Ok(links) => {
                    crawl.fetched += 1;
                    for link in links {
                        if crawl.urls.len() >= max_urls {
                            break;
                        }
                        if visited.insert(link.clone()) {
                            crawl.urls.push(link);
                        }
                    }
                }
                Err(why) => crawl.note_failure(page, &why),
            }
        }
        progress.update(crawl.urls.len(), crawl.fetched, crawl.failed);
    }
    crawl
}

/// In a worker process: one agent per worker (made once, from the
/// timeout the parent sends), then `get_urls` for every URL it is handed.
fn serve_as_worker() {
    serve_if_worker(
        |timeout_secs: f64| crawl_agent(std::time::Duration::from_secs_f64(timeout_secs)),
        |agent: &mut ureq::Agent, url: String| {
            let url = Url::parse(&url).map_err(|e| format!("bad URL {url:?}: {e}"))?;
            let links = get_urls(agent, &url)?;
            Ok(links.into_iter().map(String::from).collect::<Vec<String>>())
        },
    );
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // A worker process never gets past this line.
    serve_as_worker();
    let args = Args::parse();
    args.pool.apply_to_every_pool();
    let target = match args.crawl.open() {
        Ok(target) => target,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(2);
        }
    };
    let batch_size = args.batch as usize;
    let mut workers = if args.processes {
        let pool = PoolBuilder::new(batch_size)
            .initializer(&args.crawl.site.timeout)
            .spawn();
        match pool {
            Ok(pool) => Workers::Processes(Box::new(pool)),
            Err(err) => {
                eprintln!("error: could not start the worker processes: {err}");
                return ExitCode::from(1);
            }
        }
    } else {
        // One agent shared by all threads: its connection pool lets each
        // thread reuse a connection a previous batch opened.
        Workers::Threads(crawl_agent(args.crawl.site.timeout()))
    };
    let mut progress = CrawlProgress::new(args.max_urls as usize);

    let timer = Timer::start();
    let crawl = get_all_urls_parallel(
        &mut workers,
        target.start.clone(),
        args.max_urls as usize,
        batch_size,
        &mut progress,
    );
    let elapsed = timer.elapsed();
    progress.finish();

    crawl.print_summary();
    let stats = target.stats();
    crawl
        .report("crawl_pool", elapsed, stats.as_ref(), batch_size)
        .extra("workers", workers.kind())
        .finish(format_args!("{:.2} seconds.", elapsed.as_secs_f64()))
}

/// A short reason for a failed page ("HTTP 500", "timeout: ...").
fn reason(err: ureq::Error) -> String {
    match err {
        ureq::Error::StatusCode(code) => format!("HTTP {code}"),
        other => support::web::describe_error(&other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::crawl::testing::{OffOriginSite, local_site, start_url};

    fn crawl_from(start: Url, max_urls: usize, batch: usize) -> Crawl {
        let mut workers = Workers::Threads(crawl_agent(std::time::Duration::from_secs(10)));
        let mut progress = CrawlProgress::new(max_urls);
        get_all_urls_parallel(&mut workers, start, max_urls, batch, &mut progress)
    }

    #[test]
    fn finds_every_reachable_page_exactly_once() {
        let site = local_site(300, 0, 0.0);
        let graph = site::graph_info(300, site::Config::default().seed);
        let result = crawl_from(start_url(&site), 10_000, 10);
        assert_eq!(result.urls.len(), graph.reachable);
        assert!(result.all_distinct());
        assert_eq!(result.failed, 0);
        assert_eq!(result.fetched, graph.reachable as u64);
        let stats = site.stats();
        assert_eq!(
            stats.requests, graph.reachable as u64,
            "each page fetched once"
        );
        assert!(
            stats.max_in_flight <= 10,
            "max in flight {} > batch",
            stats.max_in_flight
        );
    }

    #[test]
    fn batches_really_overlap_and_stay_within_the_batch_size() {
        // A 20 ms answer leaves the threads of a batch plenty of time to
        // meet at the site; the batch size still caps them.
        let site = local_site(300, 20, 0.0);
        crawl_from(start_url(&site), 150, 4);
        let stats = site.stats();
        assert!(stats.max_in_flight >= 2, "no two requests ever overlapped");
        assert!(
            stats.max_in_flight <= 4,
            "max in flight {} > batch 4",
            stats.max_in_flight
        );
    }

    #[test]
    fn stops_at_max_urls() {
        let site = local_site(300, 0, 0.0);
        let result = crawl_from(start_url(&site), 40, 10);
        assert_eq!(result.urls.len(), 40);
        assert!(result.all_distinct());
        assert!(site.stats().requests < 40);
        assert_eq!(site.stats().requests, result.fetched);
    }

    #[test]
    fn never_requests_another_origin() {
        let fixture = OffOriginSite::start();
        let result = crawl_from(fixture.start_url(), 1_000, 10);
        assert_eq!(
            fixture.other.stats().requests,
            0,
            "the other site was contacted"
        );
        assert_eq!(result.urls.len(), fixture.own_pages());
        assert!(result.urls.iter().all(|url| fixture.is_own(url)));
    }

    #[test]
    fn failures_are_counted_and_the_crawl_completes() {
        let site = local_site(300, 0, 0.05);
        let result = crawl_from(start_url(&site), 10_000, 10);
        let stats = site.stats();
        assert_eq!(result.fetched + result.failed, stats.requests);
        assert_eq!(
            result.failed,
            stats.by_status.get(&500).copied().unwrap_or(0)
        );
        assert_eq!(stats.requests, result.urls.len() as u64);
    }
}
