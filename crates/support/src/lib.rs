//! Plumbing shared by the examples, and nothing else.
//!
//! The lesson of each example (threads, futures, processes) stays in that
//! example's own `main.rs`. What lives here is what a learner can skip:
//!
//! - [`report`]: a timer and the one closing call every example ends with;
//! - [`web`]: the `--site` flag and the in-process local site;
//! - [`pool`]: a process pool built on `std::process`, because Rust has no
//!   `multiprocessing.Pool`.

pub mod cli;
pub mod crawl;
pub mod pool;
pub mod report;
pub mod web;

pub use report::{Report, Timer};
