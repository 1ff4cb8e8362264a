//! Plumbing shared by the examples, and nothing else.
//!
//! The lesson of each example (threads, futures, processes) stays in that
//! example's own `main.rs`. What lives here is what a learner can skip:
//!
//! - [`report`]: a timer and the one closing call every example ends with;
//! - [`web`]: the `--site` flag and the in-process local site;
//! - [`pool`]: a process pool built on `std::process`, because Rust has no
//!   `multiprocessing.Pool`;
//! - [`pages`]: the URL list, per-page lines and tally of the page-fetching
//!   examples (`download_*`, `scrape_*`);
//! - [`sleeps`]: the seeded random sleeps of the article's `cal_square`;
//! - [`exits`]: how an example ends when stdout goes away (`| head`) or the
//!   system refuses a thread: a short line and an exit code, no panic;
//! - [`squares`]: the closed formula the CPU-bound examples check their
//!   sums against;
//! - [`timeline`]: `--timeline FILE`, who worked and who waited, recorded
//!   from the spans of `#[tracing::instrument]`;
//! - [`testkit`]: what the examples' tests share (a local site, running an
//!   example's binary and reading its report back).

pub mod cli;
#[cfg(feature = "crawl")]
pub mod crawl;
pub mod exits;
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
