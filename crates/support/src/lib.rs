//! Plumbing shared by the examples, and nothing else.
//!
//! The lesson of each example (threads, futures, processes) stays in that
//! example's own `main.rs`. What lives here is what a learner can skip:
//!
//! - [`cli`]: the shared flag parsers (`--workers`, seconds) and CPU-count defaults;
//! - [`crawl`]: the crawlers' link extraction, progress bar, `PageError` and record;
//! - [`exits`]: a short line and an exit code when stdout closes or a thread is refused;
//! - [`memory`]: the peak memory of each part of a program, each in a child process;
//! - [`most_at_once`]: counts how many were inside a section at the same time;
//! - [`pages`]: the URL list, per-page lines and tally of `download_*` and `scrape_*`;
//! - [`pool`]: a process pool on `std::process`: the binary runs itself as a worker;
//! - [`report`]: a timer and the one closing call every example ends with;
//! - [`settings`]: the article's constants (a pause, a `range(5)`), set once from flags;
//! - [`sleeps`]: the seeded random sleeps of the article's `cal_square`;
//! - [`squares`]: the closed formula the CPU-bound examples check their sums against;
//! - [`testkit`]: the tests' local site, binary runner, report reader and /proc watcher;
//! - [`timeline`]: `--timeline FILE`: who worked and who waited, from `#[tracing::instrument]` spans;
//! - [`web`]: the `--site` flag, the in-process local site and the HTTP agents.
//!
//! The layers are cargo features (see `Cargo.toml`): the core modules build
//! with clap and serde only; `web`, `crawl`, `pool`, `sleeps`, `memory`,
//! `timeline` and `testkit` add the rest, so `cargo run -p async_count`
//! compiles no HTTP stack.

pub mod cli;
#[cfg(feature = "crawl")]
pub mod crawl;
pub mod exits;
#[cfg(feature = "memory")]
pub mod memory;
pub mod most_at_once;
#[cfg(feature = "web")]
pub mod pages;
#[cfg(feature = "pool")]
pub mod pool;
pub mod report;
pub mod settings;
#[cfg(feature = "sleeps")]
pub mod sleeps;
pub mod squares;
#[cfg(feature = "testkit")]
pub mod testkit;
#[cfg(feature = "timeline")]
pub mod timeline;
#[cfg(feature = "web")]
pub mod web;

pub use exits::exit_cleanly_on_io_failure;
pub use report::{Report, Timer};
