//! 100 futures that each sleep a random time, gathered: the whole run takes
//! as long as the longest sleep.
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python" (LinkedIn
//!          notebook), the asyncio cell: `asyncio.gather` of 100 `cal_square`.
//! Run:     cargo run --release -p async_squares [-- --help]
//! Notice:  100 sleeps of up to a second finish in about one second, on one
//!          thread: a sleeping future gives the thread back. The results are
//!          in input order: `join_all`, like `gather`, keeps each in its place.
//! Python -> Rust: `async def` -> `async fn`; `asyncio.gather(*[...])` ->
//!          `join_all`; the notebook's top-level `await` -> a current-thread
//!          runtime's `block_on`. More: notebooks-equivalent/000.

use std::process::ExitCode;

use clap::Parser;
use futures::future::join_all;
use support::sleeps::{self, Settings, inputs, sleep_for, time_scale};
use support::{Report, Timer};

/// Gather N futures that each sleep random() seconds, then return x*x.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// How many futures: cal_square runs on 0..N (the article: 100)
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    inputs: u64,

    /// Multiplies every sleep (the article's size is 1; 0 to 10)
    #[arg(long, default_value_t = 1.0, value_parser = time_scale)]
    time_scale: f64,

    /// Seed for the random sleeps: the same seed gives the same run
    #[arg(long, default_value_t = 2024)]
    seed: u64,
}

/// The article's `cal_square`: sleep, then return the square. Nothing runs
/// until the future is polled; `join_all` polls them all.
#[tracing::instrument] // a span on --timeline's picture
async fn cal_square(x: u64) -> u64 {
    // The article's `await asyncio.sleep(random.random())`, times --time-scale
    // (support::sleeps). While this future waits on its timer, the thread runs the others.
    tokio::time::sleep(sleep_for(x)).await;
    x * x
}

/// The article's `main()`: start every `cal_square` and wait for all of
/// them; the results come back in input order.
async fn async_main() -> Vec<u64> {
    join_all((0..inputs()).map(cal_square)).await
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    sleeps::fix(Settings::gather(args.seed, args.time_scale, args.inputs));
    println!("seed {}, time scale {}", args.seed, args.time_scale);
    let longest = (0..args.inputs).map(sleep_for).max().unwrap_or_default();

    let timer = Timer::start();
    // One thread, like asyncio's event loop: the concurrency is all waiting.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("could not start the tokio runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let res = runtime.block_on(async_main());
    let elapsed = timer.elapsed();

    // The article prints the time first; our closing line carries it, last.
    println!("{res:?}");
    println!(
        "longest sleep {:.3} s (the ideal: the sleeps overlap)",
        longest.as_secs_f64()
    );
    Report::new("async_squares", elapsed)
        .items(res.len() as u64)
        .extra("time_scale", args.time_scale)
        .extra("seed", args.seed)
        .extra("ideal_seconds", longest.as_secs_f64())
        .finish(format!(
            "{:0.2} seconds. (time scale {})",
            elapsed.as_secs_f64(),
            args.time_scale
        ))
}
