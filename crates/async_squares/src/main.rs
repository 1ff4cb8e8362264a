//! 100 futures that each sleep a random time, gathered: the whole run takes
//! as long as the longest sleep.
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python"
//!          (LinkedIn notebook), the asyncio cell: `asyncio.gather` of 100
//!          `cal_square` coroutines (`1.00 seconds.`).
//! Run:     cargo run --release -p async_squares [-- --help]
//! Notice:  100 sleeps of up to a second each finish in about one second,
//!          on one thread: while a future sleeps it gives the thread back.
//!          The results print in input order (0 1 4 9 ...) although the
//!          futures finished in random order: `join_all`, like `gather`,
//!          returns each output in the place of its future.
//! Python -> Rust: `async def cal_square` -> `async fn cal_square`;
//!          `await asyncio.sleep(random.random())` ->
//!          `tokio::time::sleep(..).await`; `asyncio.gather(*[...])` ->
//!          `futures::future::join_all`; the notebook's top-level `await` ->
//!          a current-thread tokio runtime's `block_on`. `random.random()`
//!          -> a generator seeded by (`--seed`, x), so a run repeats.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use futures::future::join_all;
use support::sleeps::{random_for, time_scale};
use support::{Report, Timer};

/// Gather N futures that each sleep random() seconds, then return x*x.
#[derive(Parser, Debug)]
#[command(about, long_about = None)]
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

/// How long `cal_square(x)` sleeps: the article's `random.random()` seconds,
/// times the scale. The number comes from a generator seeded by (seed, x),
/// so it is the same whatever order the futures start in. It is rounded to
/// whole milliseconds, the resolution of tokio's timer.
fn sleep_for(seed: u64, x: u64, time_scale: f64) -> Duration {
    let random = random_for(seed, x);
    Duration::from_millis((random * time_scale * 1000.0).round() as u64)
}

/// The article's `cal_square`: sleep, then return the square. Nothing runs
/// until the future is polled; `join_all` polls them all.
async fn cal_square(x: u64, sleep: Duration) -> u64 {
    // While this future waits on its timer, the thread runs the others.
    tokio::time::sleep(sleep).await;
    x * x
}

/// The article's `main()`: start every `cal_square` and wait for all of
/// them. Returns the results in input order and the elapsed time, read from
/// tokio's clock so that a test with a paused clock sees virtual time.
async fn async_main(seed: u64, inputs: u64, time_scale: f64) -> (Vec<u64>, Duration) {
    let start = tokio::time::Instant::now();
    let futures = (0..inputs).map(|x| cal_square(x, sleep_for(seed, x, time_scale)));
    let res = join_all(futures).await;
    (res, start.elapsed())
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    println!("seed {}, time scale {}", args.seed, args.time_scale);
    let longest = (0..args.inputs)
        .map(|x| sleep_for(args.seed, x, args.time_scale))
        .max();
    let longest = longest.unwrap_or_default();

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
    let (res, _) = runtime.block_on(async_main(args.seed, args.inputs, args.time_scale));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn results_in_input_order_after_exactly_the_longest_sleep() {
        let (seed, inputs) = (2024, 100);
        let (res, elapsed) = async_main(seed, inputs, 1.0).await;
        let squares: Vec<u64> = (0..inputs).map(|x| x * x).collect();
        assert_eq!(res, squares);
        // With the clock paused, tokio jumps straight to each next timer, so
        // the virtual time is exactly the longest sleep: the futures overlap.
        let longest = (0..inputs).map(|x| sleep_for(seed, x, 1.0)).max().unwrap();
        assert_eq!(elapsed, longest);
        // And the sleeps really differ, so completion order was not input order.
        let first_two: Vec<Duration> = (0..2).map(|x| sleep_for(seed, x, 1.0)).collect();
        assert_ne!(first_two[0], first_two[1]);
    }

    #[test]
    fn sleeps_depend_only_on_seed_and_input_and_scale() {
        assert_eq!(sleep_for(5, 9, 1.0), sleep_for(5, 9, 1.0));
        assert_ne!(sleep_for(5, 9, 1.0), sleep_for(6, 9, 1.0));
        assert!((0..1000).all(|x| sleep_for(1, x, 1.0) <= Duration::from_secs(1)));
        assert_eq!(sleep_for(1, 3, 0.0), Duration::ZERO);
    }
}
