//! The catalog: every example of the workspace, in one place.
//!
//! One row per thing to time. A row names its package, the article and group
//! it belongs to, the Python construct it mirrors and the Rust one it uses,
//! whether it talks to the local site, its arguments for `--quick` and for
//! the default (article) size, and its ideal lower bound as a small formula
//! ([`Ideal`]) of those arguments and of the machine.
//!
//! README's catalog table and this file must agree; the test at the bottom
//! checks that every example package under `crates/` is listed here and that
//! every row not marked `planned` has its package.
//!
//! A package can have several rows (`variant`), e.g. `gil_sim` and
//! `gil_sim --no-gil`: the variant's flags are added to both argument lists.

use serde::{Deserialize, Serialize};

/// Packages under `crates/` that are infrastructure, not examples.
pub const INFRASTRUCTURE: &[&str] = &["support", "site", "run_all", "exercises"];

/// The site's fixed latency per response in the default (full) run, in ms.
/// 50 ms is the local site's own default; the full crawl of 20,000 URLs
/// fetches a few thousand pages serially, so 100 ms would make one run of
/// `crawl_serial` last several minutes.
pub const FULL_LATENCY_MS: u64 = 50;
/// The site's latency with `--quick`: short, but still far above loopback
/// round-trip and parsing costs, so the I/O-bound lessons still show.
pub const QUICK_LATENCY_MS: u64 = 20;

/// The five articles, by the code the project uses for them.
pub const ARTICLES: &[(&str, &str)] = &[
    (
        "000",
        "Multithreading vs multiprocessing vs acyncio in Python (LinkedIn notebook)",
    ),
    (
        "001",
        "Asyncio vs multithreading vs multiprocessing in Python (blog)",
    ),
    ("002", "What is concurrency? (Real-Python-style notebook)"),
    (
        "003",
        "Multiprocessing vs Multithreading vs Async IO (notes)",
    ),
    (
        "004",
        "Multithreading, Multiprocessing, and Asyncio (basics)",
    ),
];

/// The title of an article code, or the code itself for unknown ones.
pub fn article_title(code: &str) -> &str {
    ARTICLES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, title)| title)
}

/// How many things run at once, for an ideal bound.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Width {
    /// A fixed count (a pool of 5 threads, a semaphore of 100).
    Fixed(u64),
    /// One per CPU of this machine.
    Cores,
    /// Everything at once (all 160 downloads started together).
    All,
}

impl Width {
    fn resolve(self, cores: u64, everything: u64) -> u64 {
        match self {
            Width::Fixed(n) => n.max(1),
            Width::Cores => cores.max(1),
            Width::All => everything.max(1),
        }
    }

    fn describe(self) -> String {
        match self {
            Width::Fixed(n) => n.to_string(),
            Width::Cores => "cores".to_string(),
            Width::All => "all".to_string(),
        }
    }
}

/// How many requests a run makes, for [`Ideal::Waves`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requests {
    /// Known from the arguments (160 downloads, 10 domains).
    Fixed(u64),
    /// Counted by the site during the run (a crawl fetches as many pages
    /// as it needs to find `max_urls` links; only the site knows how many).
    Measured,
}

/// The ideal lower bound of one row: what a perfect implementation of that
/// concurrency model could not beat on this machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ideal {
    /// A demonstration with nothing worth timing (it prints and returns).
    None,
    /// The sleeps on the critical path, in seconds.
    Sleep { seconds: f64, why: String },
    /// Sleeps shared by workers that each sleep in turn (a pool of
    /// sleeping workers): total / workers. Sleeping needs no CPU, so the
    /// worker count is not capped by the cores.
    SleepShare { total_seconds: f64, workers: Width },
    /// Round trips: ceil(requests / concurrency) x the site's latency.
    Waves {
        requests: Requests,
        concurrency: Width,
    },
    /// CPU work: the group's measured sequential baseline divided among
    /// min(workers, cores), since no model can use more cores than exist.
    Share { workers: Width },
    /// A bound only the run knows exactly (the seeded random sleeps it
    /// drew): the number the example put in its report record under `key`,
    /// or `fallback`'s value (an expectation) if the record lacks it.
    Reported {
        key: String,
        what: String,
        fallback: Box<Ideal>,
    },
}

/// What an ideal bound may depend on: the machine and the run.
#[derive(Debug, Clone, Copy)]
pub struct IdealInputs<'a> {
    pub cores: u64,
    /// The site's latency, in seconds.
    pub latency_seconds: f64,
    /// Median time of the group's baseline row, if it ran and succeeded.
    pub baseline_seconds: Option<f64>,
    /// Requests the site counted during the run, if the row uses the site.
    pub site_requests: Option<u64>,
    /// The `extra` figures of the run's report record.
    pub reported: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

impl Ideal {
    /// The bound in seconds, or `None` when there is none (or an input is
    /// missing, e.g. the baseline did not run).
    pub fn seconds(&self, inputs: &IdealInputs) -> Option<f64> {
        match self {
            Ideal::None => None,
            Ideal::Sleep { seconds, .. } => Some(*seconds),
            Ideal::SleepShare {
                total_seconds,
                workers,
            } => Some(total_seconds / workers.resolve(inputs.cores, u64::MAX) as f64),
            Ideal::Waves {
                requests,
                concurrency,
            } => {
                let requests = match requests {
                    Requests::Fixed(n) => *n,
                    Requests::Measured => inputs.site_requests?,
                };
                let width = concurrency.resolve(inputs.cores, requests);
                Some(requests.div_ceil(width) as f64 * inputs.latency_seconds)
            }
            Ideal::Share { workers } => {
                let width = workers
                    .resolve(inputs.cores, inputs.cores)
                    .min(inputs.cores);
                Some(inputs.baseline_seconds? / width.max(1) as f64)
            }
            Ideal::Reported { key, fallback, .. } => inputs
                .reported
                .and_then(|extra| extra.get(key))
                .and_then(serde_json::Value::as_f64)
                .or_else(|| fallback.seconds(inputs)),
        }
    }

    /// The formula, for the Markdown table and `--list`.
    pub fn formula(&self) -> String {
        match self {
            Ideal::None => "-".to_string(),
            Ideal::Sleep { seconds, why } => format!("{} s ({why})", short(*seconds)),
            Ideal::SleepShare {
                total_seconds,
                workers,
            } => format!(
                "{} s of sleep / {}",
                short(*total_seconds),
                workers.describe()
            ),
            Ideal::Waves {
                requests,
                concurrency,
            } => {
                let requests = match requests {
                    Requests::Fixed(n) => n.to_string(),
                    Requests::Measured => "requests".to_string(),
                };
                format!("ceil({requests} / {}) x latency", concurrency.describe())
            }
            Ideal::Share {
                workers: Width::Cores | Width::All,
            } => "T(baseline) / cores".to_string(),
            Ideal::Share { workers } => {
                format!("T(baseline) / min({}, cores)", workers.describe())
            }
            Ideal::Reported { what, fallback, .. } => {
                format!("{what}, as drawn (expected: {})", fallback.formula())
            }
        }
    }
}

/// A number for a formula: at most 4 decimals, no trailing zeros.
fn short(value: f64) -> String {
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// One size of a row: its arguments and the bound that goes with them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Size {
    pub args: Vec<String>,
    pub ideal: Ideal,
}

/// One row of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The Cargo package, which is also the binary's name.
    pub package: String,
    /// Extra flags that make this row a variant of the package (shown in
    /// the row's name and passed in both sizes).
    #[serde(default)]
    pub variant: Vec<String>,
    /// Article code, "000".."004".
    pub article: String,
    /// The article's section this row mirrors.
    #[serde(default)]
    pub section: String,
    /// Rows of one group do comparable work; speed-ups are within a group.
    pub group: String,
    #[serde(default)]
    pub python: String,
    #[serde(default)]
    pub rust: String,
    /// Whether it gets `--site URL` of run_all's site server.
    #[serde(default)]
    pub needs_site: bool,
    /// The group's sequential baseline (at most one per group).
    #[serde(default)]
    pub baseline: bool,
    pub quick: Size,
    pub full: Size,
    /// Listed before the package exists; skipped (not failed) while missing.
    #[serde(default)]
    pub planned: bool,
}

impl Entry {
    /// The row's name: the package, plus the variant's flags.
    pub fn name(&self) -> String {
        if self.variant.is_empty() {
            self.package.clone()
        } else {
            format!("{} {}", self.package, self.variant.join(" "))
        }
    }

    /// This entry's line in README.md's catalog table.
    pub fn markdown_row(&self) -> String {
        format!(
            "| `{}` | {} | {} | {} | {} |",
            self.name(),
            self.article,
            self.group,
            self.python,
            self.rust
        )
    }

    /// The arguments for one size, the variant's flags first.
    pub fn args(&self, quick: bool) -> Vec<String> {
        let size = if quick { &self.quick } else { &self.full };
        self.variant.iter().chain(&size.args).cloned().collect()
    }

    pub fn ideal(&self, quick: bool) -> &Ideal {
        if quick {
            &self.quick.ideal
        } else {
            &self.full.ideal
        }
    }
}

// ---------------------------------------------------------------------------
// The rows. Helpers first, so each row below reads as one line of a table.

struct Row(Entry);

/// The variant that gives reqwest aiohttp's default cap of 100 connections,
/// so the Rust-over-Python ratio compares languages, not library defaults.
pub const LIKE_FOR_LIKE: [&str; 2] = ["--limit", "100"];

fn row(package: &str, article: &str, section: &str, group: &str) -> Row {
    Row(Entry {
        package: package.to_string(),
        variant: Vec::new(),
        article: article.to_string(),
        section: section.to_string(),
        group: group.to_string(),
        python: String::new(),
        rust: String::new(),
        needs_site: false,
        baseline: false,
        quick: Size {
            args: Vec::new(),
            ideal: Ideal::None,
        },
        full: Size {
            args: Vec::new(),
            ideal: Ideal::None,
        },
        planned: false,
    })
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

fn sleep(seconds: f64, why: &str) -> Ideal {
    Ideal::Sleep {
        seconds,
        why: why.to_string(),
    }
}

fn waves(requests: u64, concurrency: Width) -> Ideal {
    Ideal::Waves {
        requests: Requests::Fixed(requests),
        concurrency,
    }
}

fn crawl_waves(concurrency: Width) -> Ideal {
    Ideal::Waves {
        requests: Requests::Measured,
        concurrency,
    }
}

fn share(workers: Width) -> Ideal {
    Ideal::Share { workers }
}

/// The example's own `ideal_seconds`, with an expected value to fall back on.
fn reported(what: &str, fallback: Ideal) -> Ideal {
    Ideal::Reported {
        key: "ideal_seconds".to_string(),
        what: what.to_string(),
        fallback: Box::new(fallback),
    }
}

impl Row {
    fn constructs(mut self, python: &str, rust: &str) -> Self {
        self.0.python = python.to_string();
        self.0.rust = rust.to_string();
        self
    }
    fn variant(mut self, flags: &[&str]) -> Self {
        self.0.variant = strings(flags);
        self
    }
    fn site(mut self) -> Self {
        self.0.needs_site = true;
        self
    }
    fn baseline(mut self) -> Self {
        self.0.baseline = true;
        self
    }
    /// The same arguments and bound for both sizes.
    fn both(self, args: &[&str], ideal: Ideal) -> Self {
        self.quick(args, ideal.clone()).full(args, ideal)
    }
    fn quick(mut self, args: &[&str], ideal: Ideal) -> Self {
        self.0.quick = Size {
            args: strings(args),
            ideal,
        };
        self
    }
    fn full(mut self, args: &[&str], ideal: Ideal) -> Self {
        self.0.full = Size {
            args: strings(args),
            ideal,
        };
        self
    }
    /// For a row added before its package lands (none right now).
    #[allow(dead_code)]
    fn planned(mut self) -> Self {
        self.0.planned = true;
        self
    }
}

/// Total expected sleep of `cal_square` over 0..1000 at time scale 1:
/// each input x sleeps random() * (1000 - x) / 200 s, random() averages 1/2,
/// so the sum is 0.5 / 200 * (1 + 2 + ... + 1000) = 1251.25 s.
const CAL_SQUARE_TOTAL_SLEEP: f64 = 1251.25;

/// Expected longest of 100 uniform sleeps in [0, 1): 100 / 101.
const LONGEST_OF_100: f64 = 100.0 / 101.0;

/// Every row, in the order the table prints them (by article, then group;
/// a group's baseline first, because other rows' bounds need its time).
///
/// Quick sizes are chosen so `scripts/run_all.sh --quick` stays well under
/// two minutes on 2 cores; each is noted where it departs from the default.
pub fn catalog() -> Vec<Entry> {
    const BASICS: &str = "Basics";
    const POOLS: &str = "Pools and gather";
    const CRAWLER: &str = "Crawler";
    const BOTTLENECK: &str = "Crawler: where the time goes";
    const SCRAPERS: &str = "Scrapers";
    const DOWNLOADS: &str = "I/O-bound downloads";
    const CPU: &str = "CPU-bound";
    const GIL_IO: &str = "I/O-bound under the GIL";
    const COUNT: &str = "count(): sleep vs await";
    const BY_HAND: &str = "Coroutines and event loops";
    const PITFALLS: &str = "Pitfalls, shown and fixed";

    let rows = vec![
        // ---- 000: the LinkedIn notebook --------------------------------
        row("cpu_count", "000", "Multiprocessing examples", BASICS)
            .constructs(
                "multiprocessing.cpu_count()",
                "sysconf(online CPUs) + std::thread::available_parallelism",
            )
            .both(&[], Ideal::None),
        // cal_square(x) sleeps random() * (1000 - x) / 200 s times
        // --time-scale. pool_map reports its exact bound (the seeded sleeps
        // it drew): max(longest sleep, total sleep / workers); the fallback
        // is the expectation, total 1251.25 s x scale over one worker per
        // CPU. The default scale 0.01 sleeps about 12.5 s in total, 6 s on
        // 2 cores; --quick uses 0.002 (about 1.3 s).
        row("pool_map", "000", "Multiprocessing examples", POOLS)
            .constructs("Pool().map, ordered results", "process pool map")
            .quick(
                &["--time-scale", "0.002"],
                reported(
                    "max(longest sleep, total sleep / workers)",
                    Ideal::SleepShare {
                        total_seconds: CAL_SQUARE_TOTAL_SLEEP * 0.002,
                        workers: Width::Cores,
                    },
                ),
            )
            .full(
                &[],
                reported(
                    "max(longest sleep, total sleep / workers)",
                    Ideal::SleepShare {
                        total_seconds: CAL_SQUARE_TOTAL_SLEEP * 0.01,
                        workers: Width::Cores,
                    },
                ),
            ),
        // 50 sleeping workers (--workers): about 12.5 s / 50 = 0.25 s at the
        // default scale; the example reports the longest chain of sleeps
        // one worker ran as its ideal.
        row(
            "pool_apply_async",
            "000",
            "asynchronus multiprocessing",
            POOLS,
        )
        .constructs(
            "Pool(50).apply_async + callback",
            "process pool + callback, completion order",
        )
        .both(
            &[],
            reported(
                "the longest chain of sleeps one worker ran",
                Ideal::SleepShare {
                    total_seconds: CAL_SQUARE_TOTAL_SLEEP * 0.01,
                    workers: Width::Fixed(50),
                },
            ),
        ),
        // 100 futures sleeping random() x --time-scale: the bound is the
        // longest sleep (reported; expected 100/101 of the scale).
        row("async_squares", "000", "Async IO", POOLS)
            .constructs("gather(100 x cal_square)", "join_all of 100 futures")
            .quick(
                &["--time-scale", "0.2"],
                reported(
                    "the longest sleep",
                    sleep(LONGEST_OF_100 * 0.2, "expected longest of 100 sleeps"),
                ),
            )
            .full(
                &[],
                reported(
                    "the longest sleep",
                    sleep(LONGEST_OF_100, "expected longest of 100 sleeps"),
                ),
            ),
        // The crawlers' bound counts the pages the site actually served:
        // at least ceil(pages / concurrency) round trips. The article
        // collects 20,000 URLs; on the local site's link graph (20,000
        // pages, few new links per page: 1,000 URLs took 358 fetches here)
        // that is several thousand fetches, minutes serially at 50 ms, so
        // the default size is 2,000 URLs and --quick 1,000 (about 7 s
        // serially at 20 ms). `--max-urls 20000` by hand is the article.
        row("crawl_serial", "000", "Serial method test", CRAWLER)
            .constructs("BFS with requests + BeautifulSoup", "ureq + scraper")
            .site()
            .baseline()
            .quick(&["--max-urls", "1000"], crawl_waves(Width::Fixed(1)))
            .full(&["--max-urls", "2000"], crawl_waves(Width::Fixed(1))),
        row("crawl_pool", "000", "parallel method test", CRAWLER)
            .constructs(
                "Pool(10) batches of apply_async",
                "batches of 10 on scoped threads (--processes: support::pool)",
            )
            .site()
            .quick(&["--max-urls", "1000"], crawl_waves(Width::Fixed(10)))
            .full(&["--max-urls", "2000"], crawl_waves(Width::Fixed(10))),
        // crawl_async and crawl_async_continuous cap their fetches in
        // flight (--concurrency, 100).
        row("crawl_async", "000", "test asyncio method", CRAWLER)
            .constructs(
                "asyncio + run_in_executor, level by level",
                "tokio + reqwest, level by level",
            )
            .site()
            .quick(&["--max-urls", "1000"], crawl_waves(Width::Fixed(100)))
            .full(&["--max-urls", "2000"], crawl_waves(Width::Fixed(100))),
        row(
            "crawl_async_continuous",
            "000",
            "test asyncio method",
            CRAWLER,
        )
        .constructs(
            "(the article's crawler, done continuously)",
            "tokio + reqwest, bounded fetches always in flight",
        )
        .site()
        .quick(&["--max-urls", "1000"], crawl_waves(Width::Fixed(100)))
        .full(&["--max-urls", "2000"], crawl_waves(Width::Fixed(100))),
        // It times --samples pages (20) one after the other: one round trip
        // per page the site served. --quick times 5.
        row(
            "crawl_bottleneck",
            "000",
            "understanding bottleneck",
            BOTTLENECK,
        )
        .constructs("time request vs parse vs extract", "the same with Instant")
        .site()
        .quick(&["--samples", "5"], crawl_waves(Width::Fixed(1)))
        .full(&[], crawl_waves(Width::Fixed(1))),
        // ---- 001: the scraper blog -----------------------------------------
        // The baseline is the article's own threads scraper, whose
        // as_completed loop inside the submit loop makes it sequential.
        row(
            "scrape_threads",
            "001",
            "Speed testing multithreading vs async vs multiprocessing?",
            SCRAPERS,
        )
        .variant(&["--as-in-article"])
        .constructs(
            "ThreadPoolExecutor, as_completed inside the submit loop",
            "the same mistake: one request at a time",
        )
        .site()
        .baseline()
        .quick(&["--count", "10"], waves(10, Width::Fixed(1)))
        .full(&["--count", "500"], waves(500, Width::Fixed(1))),
        // Its default pool is Python's: min(32, CPUs + 4) threads; the row
        // pins 6 (that default on 2 cores) so the bound is the same anywhere.
        row(
            "scrape_threads",
            "001",
            "how does multithreading work in Python?",
            SCRAPERS,
        )
        .constructs(
            "ThreadPoolExecutor + as_completed",
            "threads + channel, completion order",
        )
        .site()
        .quick(
            &["--count", "10", "--workers", "6"],
            waves(10, Width::Fixed(6)),
        )
        .full(
            &["--count", "500", "--workers", "6"],
            waves(500, Width::Fixed(6)),
        ),
        row(
            "scrape_async",
            "001",
            "how does Asyncio work in Python?",
            SCRAPERS,
        )
        .constructs(
            "aiohttp + gather + async_to_sync",
            "reqwest + Runtime::block_on behind a sync fn",
        )
        .site()
        .quick(&["--count", "10"], waves(10, Width::All))
        .full(&["--count", "500"], waves(500, Width::All)),
        // Like for like with the twin: aiohttp's 100-connection default.
        row(
            "scrape_async",
            "001",
            "how does Asyncio work in Python?",
            SCRAPERS,
        )
        .variant(&LIKE_FOR_LIKE)
        .constructs(
            "aiohttp's default: 100 connections",
            "reqwest, at most 100 in flight",
        )
        .site()
        .quick(&["--count", "10"], waves(10, Width::Fixed(100)))
        .full(&["--count", "500"], waves(500, Width::Fixed(100))),
        row(
            "scrape_processes",
            "001",
            "how does multiprocessing work?",
            SCRAPERS,
        )
        .constructs("ProcessPoolExecutor", "std::process workers")
        .site()
        .quick(&["--count", "10"], waves(10, Width::Cores))
        .full(&["--count", "500"], waves(500, Width::Cores)),
        // Chunks of --per-process URLs, one worker process per CPU, each
        // fetching its whole chunk at once: ceil(chunks / cores) round trips.
        // 10 URLs in chunks of 1 = 10 chunks; 500 in chunks of 42 = 12.
        row(
            "scrape_async_processes",
            "001",
            "Is it possible to combine Asyncio with multiprocessing?",
            SCRAPERS,
        )
        .constructs(
            "processes each running asyncio",
            "processes each running a tokio runtime",
        )
        .site()
        .quick(
            &["--count", "10", "--per-process", "1"],
            waves(10, Width::Cores),
        )
        .full(
            &["--count", "500", "--per-process", "42"],
            waves(12, Width::Cores),
        ),
        // Without --fix the two threads deadlock on purpose and the run
        // fails (exit 1) by design, so the table times the fixed run.
        row(
            "deadlock",
            "001",
            "how does multithreading work in Python?",
            PITFALLS,
        )
        .variant(&["--fix"])
        .constructs(
            "deadlocking: two threads waiting for each other",
            "two Mutexes in opposite orders + a watchdog; --fix: one lock order",
        )
        .both(&[], Ideal::None),
        // ---- 002: the Real-Python-style notebook ---------------------------
        // 160 downloads (2 sites x 80) in both sizes: --quick only lowers the
        // site's latency (20 ms instead of 50).
        row(
            "download_sync",
            "002",
            "How to Speed Up an I/O-Bound Program: Synchronous Version",
            DOWNLOADS,
        )
        .constructs("requests.Session loop", "ureq::Agent loop")
        .site()
        .baseline()
        .both(&[], waves(160, Width::Fixed(1))),
        row("download_threads", "002", "Threading", DOWNLOADS)
            .constructs(
                "ThreadPoolExecutor(5) + threading.local",
                "5 threads + thread_local! agent",
            )
            .site()
            .both(&[], waves(160, Width::Fixed(5))),
        row("download_async", "002", "Asyncio", DOWNLOADS)
            .constructs(
                "aiohttp + gather(return_exceptions=True)",
                "tokio + reqwest + join_all, errors kept",
            )
            .site()
            .both(&[], waves(160, Width::All)),
        // Like for like with the Python twin: aiohttp's session holds at
        // most 100 connections, so --limit 100 gives reqwest the same cap.
        row("download_async", "002", "Asyncio", DOWNLOADS)
            .variant(&LIKE_FOR_LIKE)
            .constructs(
                "aiohttp's default: 100 connections",
                "tokio + reqwest, at most 100 in flight",
            )
            .site()
            .both(&[], waves(160, Width::Fixed(100))),
        row("download_processes", "002", "Multiprocessing", DOWNLOADS)
            .constructs(
                "Pool(initializer=set_global_session)",
                "std::process workers, one agent each",
            )
            .site()
            .both(&[], waves(160, Width::Cores)),
        // 20 sums of about 5,000,000 squares: a fraction of a second in
        // release Rust, so --quick runs the article's size too.
        row(
            "cpu_sync",
            "002",
            "How to Speed Up a CPU-Bound Program: Synchronous Version",
            CPU,
        )
        .constructs(
            "sum(i*i for i in range(n))",
            "iterator sum in u128, black_box",
        )
        .baseline()
        .both(&[], share(Width::Fixed(1))),
        row("cpu_threads", "002", "Threading and Asyncio versions", CPU)
            .constructs(
                "ThreadPoolExecutor(5): no speed-up",
                "std::thread::scope: speed-up",
            )
            .both(&[], share(Width::Fixed(5))),
        row(
            "cpu_processes",
            "002",
            "CPU-Bound multiprocessing Version",
            CPU,
        )
        .constructs("multiprocessing.Pool.map", "std::process workers")
        .both(&[], share(Width::Cores)),
        row("cpu_rayon", "002", "(Rust idiom, no article)", CPU)
            .constructs("(Rust idiom)", "rayon par_iter")
            .both(&[], share(Width::Cores)),
        // With the simulated GIL only one thread computes at a time, so the
        // bound is the sequential time; without it, the threads' bound.
        row("gil_sim", "002", "Threading and Asyncio versions", CPU)
            .constructs(
                "the GIL",
                "threads that must hold one global Mutex to compute",
            )
            .both(&[], share(Width::Fixed(1))),
        // --no-gil keeps the 5 threads (--workers) and drops the lock.
        row("gil_sim", "002", "Threading and Asyncio versions", CPU)
            .variant(&["--no-gil"])
            .constructs(
                "(no GIL: what Rust threads do)",
                "the same threads, lock removed",
            )
            .both(&[], share(Width::Fixed(5))),
        // 20 waits of 100 ms (--sleep-ms) on 5 threads (--workers) that
        // drop the GIL while they wait: ceil(20 / 5) = 4 rounds.
        row("gil_sim_io", "002", "Threading", GIL_IO)
            .constructs(
                "the GIL, released during I/O",
                "threads that drop one global Mutex while they sleep",
            )
            .quick(
                &["--sleep-ms", "20"],
                sleep(0.08, "4 rounds of 5 waits of 20 ms"),
            )
            .full(&[], sleep(0.4, "4 rounds of 5 waits of 100 ms")),
        // The slow page is given up after 0.5 s (--give-up-after) twice
        // (timeout, then abort after the same wait); select! stops waiting
        // after one wave of the other pages.
        row("cancellation", "002", "Asyncio", PITFALLS)
            .constructs(
                "asyncio.wait_for, task.cancel()",
                "timeout, select!, JoinHandle::abort: a dropped future",
            )
            .site()
            .quick(&[], sleep(1.02, "2 x 0.5 s given up + one 20 ms wave"))
            .full(&[], sleep(1.05, "2 x 0.5 s given up + one 50 ms wave")),
        // ---- 003: the concept notes ----------------------------------------
        // count() sleeps 1 s (--seconds) between One and Two, 3 calls.
        // event_loop's default demo is the same count(), on our own executor.
        row("sync_count", "003", "Asyncio (The Python library)", COUNT)
            .constructs("count() with time.sleep, 3 s", "std::thread::sleep")
            .baseline()
            .quick(&["--seconds", "0.2"], sleep(0.6, "3 x 0.2 s in a row"))
            .full(&[], sleep(3.0, "3 x 1 s in a row")),
        row("async_count", "003", "Asyncio (The Python library)", COUNT)
            .constructs(
                "gather(count() x3), 1 s",
                "join_all + tokio::time::sleep, one thread",
            )
            .quick(&["--seconds", "0.2"], sleep(0.2, "3 x 0.2 s at once"))
            .full(&[], sleep(1.0, "3 x 1 s at once")),
        row("event_loop", "003", "Event Loop", COUNT)
            .constructs(
                "the event loop's ready/waiting lists",
                "a hand-written executor: ready queue, wakers, timer heap",
            )
            .quick(&["--seconds", "0.2"], sleep(0.2, "3 x 0.2 s at once"))
            .full(&[], sleep(1.0, "3 x 1 s at once")),
        row("generator_send", "003", "Coroutines", BY_HAND)
            .constructs(
                "generator with .send()",
                "a hand-written state machine with send()",
            )
            .both(&[], Ideal::None),
        row("coroutine_by_hand", "003", "Coroutines", BY_HAND)
            .constructs(
                "a coroutine can suspend",
                "an async fn resumed by hand with Waker::noop",
            )
            .both(&[], Ideal::None),
        // The same executor running article 004's simulated fetch (2 s).
        row("event_loop", "003", "Event Loop", BY_HAND)
            .variant(&["--demo", "fetch"])
            .constructs(
                "gather of simulated fetches",
                "our executor: timer heap wakes all three",
            )
            .quick(
                &["--seconds", "0.2"],
                sleep(0.2, "3 fetches of 0.2 s at once"),
            )
            .full(&[], sleep(2.0, "3 fetches of 2 s at once")),
        // Four runtimes (tokio current-thread, tokio multi-thread, async-std,
        // smol), one after the other, each running --tasks count() tasks
        // that sleep --seconds: 10,000 x 0.1 s (the peak-memory comparison);
        // --quick: 1,000 x 0.2 s.
        row("async_runtimes", "003", "Event Loop", BY_HAND)
            .constructs(
                "asyncio / curio / trio: loops are pluggable",
                "the same program on tokio, async-std, smol",
            )
            .quick(
                &["--tasks", "1000", "--seconds", "0.2"],
                sleep(0.8, "4 runtimes x 0.2 s"),
            )
            .full(
                &["--tasks", "10000", "--seconds", "0.1"],
                sleep(0.4, "4 runtimes x 0.1 s"),
            ),
        // x = x + 1 from 4 threads x 1,000,000: nothing worth a bound.
        row("race_condition", "003", "Multithreading", PITFALLS)
            .constructs(
                "x = x + 1 from many threads",
                "refused (E0499); load+store loses updates; fetch_add, Mutex",
            )
            .both(&[], Ideal::None),
        // count() three times with 1 s pauses (--seconds) in both sizes: the
        // blocked loop takes 3 s, the two that free it 1 s.
        row(
            "blocking_the_loop",
            "003",
            "Asyncio (The Python library)",
            PITFALLS,
        )
        .variant(&["--only", "thread-sleep"])
        .constructs(
            "time.sleep inside async def",
            "std::thread::sleep in an async fn: the loop is frozen",
        )
        .both(&[], sleep(3.0, "3 x 1 s in a row, the loop blocked")),
        row(
            "blocking_the_loop",
            "003",
            "Asyncio (The Python library)",
            PITFALLS,
        )
        .variant(&["--only", "tokio-sleep"])
        .constructs("await asyncio.sleep(1)", "tokio::time::sleep(..).await")
        .both(&[], sleep(1.0, "3 x 1 s at once")),
        row(
            "blocking_the_loop",
            "003",
            "Asyncio (The Python library)",
            PITFALLS,
        )
        .variant(&["--only", "spawn-blocking"])
        .constructs(
            "loop.run_in_executor",
            "tokio::task::spawn_blocking for CPU work",
        )
        .both(&[], sleep(1.0, "3 x 1 s of work on blocking threads")),
        row(
            "send_and_sync",
            "003",
            "Asyncio (The Python library)",
            PITFALLS,
        )
        .constructs(
            "no thread-safety worries in asyncio",
            "Rc/RefCell refused across threads (Send, Sync); Arc + Mutex",
        )
        .both(&[], Ideal::None),
        // ---- 004: the basics -----------------------------------------------
        // Two workers each print 0..5 with a pause (--seconds, 1 s) after
        // each line: 5 pauses, not 10, because both run at once.
        row("threads_basic", "004", "Threading Basics", BASICS)
            .constructs(
                "threading.Thread start/join",
                "std::thread::spawn, JoinHandle::join",
            )
            .quick(
                &["--seconds", "0.1"],
                sleep(0.5, "5 pauses of 0.1 s, both threads at once"),
            )
            .full(&[], sleep(5.0, "5 pauses of 1 s, both threads at once")),
        row("processes_basic", "004", "Multiprocessing Module", BASICS)
            .constructs(
                "multiprocessing.Process",
                "std::process::Command re-running itself",
            )
            .quick(
                &["--seconds", "0.1"],
                sleep(0.5, "5 pauses of 0.1 s, both processes at once"),
            )
            .full(&[], sleep(5.0, "5 pauses of 1 s, both processes at once")),
        row("async_basic", "004", "Async and Await", BASICS)
            .constructs("asyncio.gather of two coroutines", "tokio::join!")
            .quick(
                &["--seconds", "0.1"],
                sleep(0.5, "5 pauses of 0.1 s, both futures at once"),
            )
            .full(&[], sleep(5.0, "5 pauses of 1 s, both futures at once")),
        row(
            "async_fetch_sim",
            "004",
            "Using Asyncio for Concurrent Tasks",
            BASICS,
        )
        .constructs(
            "gather of simulated fetches",
            "join_all + tokio::time::sleep",
        )
        .quick(
            &["--seconds", "0.2"],
            sleep(0.2, "3 fetches of 0.2 s at once"),
        )
        .full(&[], sleep(2.0, "3 fetches of 2 s at once")),
    ];
    rows.into_iter().map(|Row(entry)| entry).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Package directories under crates/ that are examples.
    fn example_dirs() -> BTreeSet<String> {
        let crates = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("crates/run_all has a parent directory");
        std::fs::read_dir(crates)
            .expect("crates/ is readable")
            .map(|entry| entry.expect("a readable directory entry").path())
            .filter(|path| path.join("Cargo.toml").is_file())
            .map(|path| {
                path.file_name()
                    .expect("a directory has a name")
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| !INFRASTRUCTURE.contains(&name.as_str()))
            .collect()
    }

    #[test]
    fn every_example_package_is_in_the_catalog_and_back() {
        let listed: BTreeSet<String> = catalog().into_iter().map(|e| e.package).collect();
        let existing = example_dirs();
        let unlisted: Vec<_> = existing.difference(&listed).collect();
        assert!(
            unlisted.is_empty(),
            "example packages missing from the catalog: {unlisted:?}"
        );
        for entry in catalog() {
            if !entry.planned {
                assert!(
                    existing.contains(&entry.package),
                    "catalog row {:?} is not planned but crates/{} does not exist",
                    entry.name(),
                    entry.package
                );
            }
        }
    }

    /// README's catalog table has one line per row, in catalog order, with
    /// the same article and constructs: the two cannot drift apart.
    #[test]
    fn the_readme_table_matches_the_catalog() {
        let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
        let readme = std::fs::read_to_string(readme).expect("README.md is readable");
        // The rows of the table under "## Catalog", up to the next section.
        let table: Vec<&str> = readme
            .lines()
            .skip_while(|line| *line != "## Catalog")
            .skip(1)
            .take_while(|line| !line.starts_with("## "))
            .filter(|line| line.starts_with("| `"))
            .collect();
        let expected: Vec<String> = catalog()
            .iter()
            .filter(|entry| !entry.planned)
            .map(Entry::markdown_row)
            .collect();
        assert_eq!(
            table, expected,
            "README.md's catalog table differs from crates/run_all/src/catalog.rs \
             (regenerate it with `run_all --list-markdown`)"
        );
    }

    #[test]
    fn rows_are_unique_and_groups_have_at_most_one_baseline_listed_first() {
        let rows = catalog();
        let names: BTreeSet<String> = rows.iter().map(Entry::name).collect();
        assert_eq!(names.len(), rows.len(), "two rows share a name");
        let mut seen_groups = BTreeSet::new();
        for (i, entry) in rows.iter().enumerate() {
            let key = (entry.article.clone(), entry.group.clone());
            let first_of_group = seen_groups.insert(key);
            if entry.baseline {
                assert!(
                    first_of_group,
                    "{}: a baseline must open its group",
                    entry.name()
                );
            }
            // A group's rows are contiguous, so the table prints it once.
            if !first_of_group {
                let previous = &rows[i - 1];
                assert_eq!(
                    (&previous.article, &previous.group),
                    (&entry.article, &entry.group),
                    "{}: group rows must be contiguous",
                    entry.name()
                );
            }
            assert!(
                ARTICLES.iter().any(|(code, _)| *code == entry.article),
                "{}: unknown article {}",
                entry.name(),
                entry.article
            );
        }
    }

    #[test]
    fn share_bounds_have_a_baseline_in_their_group() {
        let rows = catalog();
        for entry in &rows {
            if matches!(entry.full.ideal, Ideal::Share { .. }) {
                assert!(
                    rows.iter().any(|b| b.baseline
                        && b.group == entry.group
                        && b.article == entry.article),
                    "{} divides a baseline its group lacks",
                    entry.name()
                );
            }
        }
    }

    #[test]
    fn ideal_formulas_compute_what_they_say() {
        let inputs = IdealInputs {
            cores: 2,
            latency_seconds: 0.1,
            baseline_seconds: Some(1.0),
            site_requests: Some(95),
            reported: None,
        };
        let close = |a: Option<f64>, b: f64| (a.expect("a bound") - b).abs() < 1e-9;
        assert!(close(waves(160, Width::Fixed(5)).seconds(&inputs), 3.2));
        assert!(close(waves(160, Width::All).seconds(&inputs), 0.1));
        assert!(close(waves(161, Width::Cores).seconds(&inputs), 8.1));
        assert!(close(crawl_waves(Width::Fixed(10)).seconds(&inputs), 1.0));
        assert!(close(share(Width::Fixed(5)).seconds(&inputs), 0.5));
        assert!(close(share(Width::Fixed(1)).seconds(&inputs), 1.0));
        let pool = Ideal::SleepShare {
            total_seconds: 12.5,
            workers: Width::Fixed(50),
        };
        assert!(close(pool.seconds(&inputs), 0.25));
        let no_baseline = IdealInputs {
            baseline_seconds: None,
            site_requests: None,
            ..inputs
        };
        assert_eq!(share(Width::Cores).seconds(&no_baseline), None);
        assert_eq!(crawl_waves(Width::All).seconds(&no_baseline), None);
        assert_eq!(Ideal::None.seconds(&inputs), None);
        // A reported bound wins over its expectation, which is the fallback.
        let drawn = reported("the longest sleep", sleep(0.99, "expected"));
        assert!(close(drawn.seconds(&inputs), 0.99));
        let extra = serde_json::json!({"ideal_seconds": 0.97});
        let with_report = IdealInputs {
            reported: extra.as_object(),
            ..inputs
        };
        assert!(close(drawn.seconds(&with_report), 0.97));
    }
}
