//! run_all: one command runs every example and tabulates the timings.
//!
//! The binary (`src/main.rs`) parses the flags; this library holds the
//! catalog and the machinery, so tests can reach both:
//!
//! - [`catalog`]: every example, its sizes and its ideal bound;
//! - [`process`]: the site server and example runs as child processes
//!   (own process groups, timeouts, cleanup on Ctrl-C);
//! - [`run`]: repeats, medians, speed-ups and efficiencies;
//! - [`machine`]: the header (CPUs, OS, rustc, date, latency);
//! - [`output`]: the terminal table and the files under `target/run_all/`;
//! - [`timelines`]: the recorded runs drawn as SVG, and report.html.

pub mod catalog;
pub mod machine;
pub mod output;
pub mod process;
pub mod run;
pub mod timelines;
