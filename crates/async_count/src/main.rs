//! `count()` three times, concurrently, on one thread: the heart of async IO.
//!
//! Mirrors: "Multiprocessing vs Multithreading vs Async IO", section
//!          "Asyncio (The Python library)", the `asyncio.gather` version of `count()`.
//! Run:     cargo run --release -p async_count [-- --help]
//! Notice:  One One One Two Two Two, then `executed in 1.00s.`: each call
//!          prints One, then gives the thread back while it sleeps, so the
//!          next call starts at once. Compare with sync_count (3 s).
//! Python -> Rust: `async def` -> `async fn`; `await asyncio.sleep(1)` ->
//!          `tokio::time::sleep(..).await`; `asyncio.gather(count(), ...)` ->
//!          `join_all`; `asyncio.run(main())` -> a current-thread tokio
//!          runtime's `block_on`. A Rust future does nothing until polled:
//!          `count(..)` alone, never awaited, would print nothing at all.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use futures::future::join_all;
use support::cli::pause_seconds;
use support::{Report, Timer};

/// Run several count() calls concurrently; each prints One, sleeps, prints Two.
#[derive(Parser, Debug)]
#[command(about, long_about = None)]
struct Args {
    /// How many count() calls main gathers (the article: 3)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    calls: u32,

    /// How long count() sleeps, in seconds (the article: 1; 0 to 3600)
    #[arg(long, default_value_t = 1.0, value_parser = pause_seconds)]
    seconds: f64,
}

/// The article's `count()`. `say` prints a line (the tests record it instead).
#[tracing::instrument(skip_all)] // a span on --timeline's picture
async fn count(pause: Duration, say: &impl Fn(&str)) {
    say("One");
    // `.await` is where this call hands the thread back to the runtime,
    // which then runs the other calls until this timer fires.
    tokio::time::sleep(pause).await;
    say("Two");
}

/// The article's `async def main()`, which gathers three `count()` calls
/// (here: `calls`).
async fn async_main(calls: u32, pause: Duration, say: &impl Fn(&str)) {
    // `tokio::join!(count(..), count(..), count(..))` would match the
    // article word for word, but it needs the number of futures when
    // compiling; `join_all` takes however many `--calls` asks for.
    join_all((0..calls).map(|_| count(pause, say))).await;
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    let pause = Duration::from_secs_f64(args.seconds);

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
    runtime.block_on(async_main(args.calls, pause, &|line: &str| {
        println!("{line}")
    }));
    let elapsed = timer.elapsed();

    Report::new("async_count", elapsed)
        .items(u64::from(args.calls))
        .finish(format!("executed in {:0.2}s.", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    // `start_paused`: tokio's clock is frozen and jumps to the next timer
    // whenever every future is waiting, so the 1-second sleeps cost no real
    // time, and the clock tells how much waiting there was.
    #[tokio::test(start_paused = true)]
    async fn every_call_starts_before_any_finishes() {
        let lines = RefCell::new(Vec::new());
        let record = |line: &str| lines.borrow_mut().push(line.to_string());
        async_main(3, Duration::from_secs(1), &record).await;
        assert_eq!(
            lines.into_inner(),
            ["One", "One", "One", "Two", "Two", "Two"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_sleeps_overlap() {
        // Three 1-second sleeps: one after another would be 3 s of virtual
        // time; overlapping, the clock moves by one sleep only.
        let pause = Duration::from_secs(1);
        let start = tokio::time::Instant::now();
        async_main(3, pause, &|_: &str| {}).await;
        let elapsed = start.elapsed();
        assert!(
            elapsed >= pause && elapsed < 2 * pause,
            "virtual time passed: {elapsed:?}"
        );
    }
}
