//! `count()` three times, concurrently, on one thread: the heart of async IO.
//!
//! Mirrors: "Multiprocessing vs Multithreading vs Async IO", section
//!          "Asyncio (The Python library)", the `asyncio.gather` version of `count()`.
//! Run:     cargo run --release -p async_count [-- --help]
//! Notice:  One One One Two Two Two, then `executed in 1.00s.`: each call
//!          prints One, then gives the thread back while it sleeps, so the
//!          next call starts at once. Compare with sync_count (3 s).
//! Python -> Rust: `await asyncio.sleep(1)` -> `tokio::time::sleep(..).await`;
//!          `asyncio.gather` -> `join_all`; `asyncio.run(main())` -> a
//!          current-thread runtime's `block_on`. A Rust future does nothing
//!          until polled: `count()` alone, never awaited, prints nothing.

use std::process::ExitCode;

use clap::Parser;
use futures::future::join_all;
use support::cli::pause_seconds;
use support::settings::{pause, set_pause};
use support::{Report, Timer};

/// Run several count() calls concurrently; each prints One, sleeps, prints Two.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// How many count() calls main gathers (the article: 3)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    calls: u32,

    /// How long count() sleeps, in seconds (the article: 1; 0 to 3600)
    #[arg(long, default_value_t = 1.0, value_parser = pause_seconds)]
    seconds: f64,
}

/// The article's `count()`.
#[tracing::instrument] // a span on --timeline's picture
async fn count() {
    println!("One");
    // `.await` is where this call hands the thread back to the runtime,
    // which then runs the other calls until this timer fires.
    tokio::time::sleep(pause()).await;
    println!("Two");
}

/// The article's `async def main()`, which gathers three `count()` calls
/// (here: `calls`).
async fn async_main(calls: u32) {
    // `tokio::join!(count(), count(), count())` would match the article word
    // for word, but it needs the number of futures when compiling;
    // `join_all` takes however many `--calls` asks for.
    join_all((0..calls).map(|_| count())).await;
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    set_pause(args.seconds);

    let timer = Timer::start();
    // A current-thread runtime: one thread runs every future, like asyncio's
    // single-threaded event loop. Concurrency here owes nothing to threads.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: could not start the tokio runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async_main(args.calls));
    let elapsed = timer.elapsed();

    Report::new("async_count", elapsed)
        .items(u64::from(args.calls))
        .finish(format!("executed in {:0.2}s.", elapsed.as_secs_f64()))
}
