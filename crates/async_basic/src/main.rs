//! Two futures print numbers at the same time, on one thread, with `tokio::join!`.
//!
//! Mirrors: "Multithreading, Multiprocessing, and Asyncio", section "Async and Await".
//! Run:     cargo run --release -p async_basic [-- --help]
//! Notice:  0 0 1 1 2 2 3 3 4 4: the two futures take turns, and the run
//!          takes about 5 seconds, as with two threads, yet there is only
//!          one thread: each future hands it back at every `.await`.
//! Python -> Rust: `asyncio.sleep` -> `tokio::time::sleep`; `asyncio.gather(a, b)`
//!          -> `tokio::join!(a, b)`; `asyncio.run(main())` -> `block_on`. A
//!          Rust future does nothing until polled: `print_numbers()` alone
//!          would print nothing.

use std::process::ExitCode;

use clap::Parser;
use support::cli::pause_seconds;
use support::settings::{pause, range_end, set_pause, set_range_end};
use support::{Report, Timer};

/// Two futures each print 0..COUNT, pausing after every number.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// How many numbers each future prints (the article: 5)
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    count: u32,

    /// Pause after each number, in seconds (the article: 1; 0 to 3600)
    #[arg(long, default_value_t = 1.0, value_parser = pause_seconds)]
    seconds: f64,
}

/// The article's `print_numbers` coroutine (`range(5)`: see `--count`).
#[tracing::instrument] // a span on --timeline's picture
async fn print_numbers() {
    for i in 0..range_end() {
        println!("{i}");
        // Not `std::thread::sleep`, which would freeze the only thread and
        // the other future with it. This sleep returns control to the
        // runtime, which runs the other future until the timer fires.
        tokio::time::sleep(pause()).await;
    }
}

/// The article's `async def main()`: run both coroutines concurrently.
async fn async_main() {
    // `join!` polls both futures inside this one task and finishes when
    // both have. Nothing is spawned: this is concurrency, not parallelism.
    tokio::join!(print_numbers(), print_numbers());
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    set_pause(args.seconds);
    set_range_end(args.count);

    let timer = Timer::start();
    // A current-thread runtime: one thread runs every future, like asyncio's single-threaded
    // loop. (tokio's default runtime would start a worker thread per CPU: not needed here.)
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
    // `block_on` is `asyncio.run`: drive the future to completion.
    runtime.block_on(async_main());
    let elapsed = timer.elapsed();

    Report::new("async_basic", elapsed)
        .items(2 * u64::from(args.count))
        .extra("futures", 2)
        .finish(format!("Done in {:.2} seconds", elapsed.as_secs_f64()))
}
