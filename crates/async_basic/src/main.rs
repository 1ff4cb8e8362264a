//! Two futures print numbers at the same time, on one thread, with `tokio::join!`.
//!
//! Mirrors: "Multithreading, Multiprocessing, and Asyncio", section "Async and Await".
//! Run:     cargo run --release -p async_basic [-- --help]
//! Notice:  the lines of future 1 and future 2 interleave and the run takes
//!          about 5 seconds, as with two threads, yet there is only one
//!          thread: each future hands the thread back at every `.await`.
//! Python -> Rust: `async def` -> `async fn`; `asyncio.sleep` ->
//!          `tokio::time::sleep`; `asyncio.gather(a, b)` -> `tokio::join!(a, b)`;
//!          `asyncio.run(main())` -> a tokio runtime's `block_on`. A Rust
//!          future does nothing until something polls it: calling
//!          `print_numbers(..)` alone would print nothing.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use support::cli::pause_seconds;
use support::{Report, Timer};

/// Two futures each print 0..COUNT, pausing after every number.
#[derive(Parser, Debug)]
#[command(about, long_about = None)]
struct Args {
    /// How many numbers each future prints (the article: 5)
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    count: u32,

    /// Pause after each number, in seconds (the article: 1; 0 to 3600)
    #[arg(long, default_value_t = 1.0, value_parser = pause_seconds)]
    seconds: f64,
}

/// The article's `print_numbers` coroutine. It also takes a name, so every
/// line says which future printed it, and `say`, which prints the line (the
/// tests record it instead).
async fn print_numbers(name: &str, count: u32, pause: Duration, say: &impl Fn(&str)) {
    for i in 0..count {
        say(&format!("{name}: {i}"));
        // Not `std::thread::sleep`, which would freeze the only thread and
        // the other future with it. This sleep returns control to the
        // runtime, which runs the other future until the timer fires.
        tokio::time::sleep(pause).await;
    }
}

/// The article's `async def main()`: run both coroutines concurrently.
async fn async_main(count: u32, pause: Duration, say: &impl Fn(&str)) {
    // `join!` polls both futures inside this one task and finishes when
    // both have. Nothing is spawned: this is concurrency, not parallelism.
    tokio::join!(
        print_numbers("future 1", count, pause, say),
        print_numbers("future 2", count, pause, say),
    );
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    let pause = Duration::from_secs_f64(args.seconds);

    let timer = Timer::start();
    // A current-thread runtime: one thread runs every future, like
    // asyncio's single-threaded event loop. (tokio's default runtime would
    // start one worker thread per CPU, which this lesson does not need.)
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
    runtime.block_on(async_main(args.count, pause, &|line: &str| {
        println!("{line}")
    }));
    let elapsed = timer.elapsed();

    Report::new("async_basic", elapsed)
        .items(2 * u64::from(args.count))
        .extra("futures", 2)
        .finish(format!("Done in {:.2} seconds", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    // `start_paused`: tokio's clock is frozen and jumps straight to the next
    // timer whenever every future is waiting, so 1-second sleeps cost no
    // real time and the order of events is exact.
    #[tokio::test(start_paused = true)]
    async fn the_futures_take_turns_and_both_finish() {
        let lines = Mutex::new(Vec::new());
        let record = |line: &str| {
            lines
                .lock()
                .expect("one thread only")
                .push(line.to_string())
        };
        async_main(4, Duration::from_secs(1), &record).await;
        let lines = lines.into_inner().expect("one thread only");

        // Round i holds both futures' number i, before any number i + 1.
        // (Which future goes first within a round is up to `join!`, which
        // rotates the one it polls first, for fairness.)
        assert_eq!(lines.len(), 8, "{lines:?}");
        for (i, round) in lines.chunks(2).enumerate() {
            let mut round = round.to_vec();
            round.sort();
            assert_eq!(
                round,
                [format!("future 1: {i}"), format!("future 2: {i}")],
                "{lines:?}"
            );
        }
    }
}
