//! `count()` three times, one after the other: the baseline for async_count.
//!
//! Mirrors: "Multiprocessing vs Multithreading vs Async IO", section
//!          "Asyncio (The Python library)", the synchronous `count()`.
//! Run:     cargo run --release -p sync_count [-- --help]
//! Notice:  One Two One Two One Two, then `executed in 3.00s.`: each call
//!          sleeps its full second before the next call may even begin.
//!          Compare with async_count: One One One Two Two Two, in one second.
//! Python -> Rust: `time.sleep(1)` -> `std::thread::sleep`, which blocks the
//!          thread exactly as Python's does; `time.perf_counter()` ->
//!          `std::time::Instant` (inside `support::Timer`).

use std::process::ExitCode;
use std::thread;

use clap::Parser;
use support::cli::pause_seconds;
use support::settings::{pause, set_pause};
use support::{Report, Timer};

/// Call count() several times in a row; each prints One, sleeps, prints Two.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// How many times main calls count() (the article: 3)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    calls: u32,

    /// How long count() sleeps, in seconds (the article: 1; 0 to 3600)
    #[arg(long, default_value_t = 1.0, value_parser = pause_seconds)]
    seconds: f64,
}

/// The article's `count()`.
#[tracing::instrument] // a span on --timeline's picture
fn count() {
    println!("One");
    thread::sleep(pause()); // the thread does nothing else until the sleep ends
    println!("Two");
}

/// The article's `main()`, which calls `count()` three times (here: `calls`).
fn sync_main(calls: u32) {
    for _ in 0..calls {
        count();
    }
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    set_pause(args.seconds);

    let timer = Timer::start();
    sync_main(args.calls);
    let elapsed = timer.elapsed();

    Report::new("sync_count", elapsed)
        .items(u64::from(args.calls))
        .finish(format!("executed in {:0.2}s.", elapsed.as_secs_f64()))
}
