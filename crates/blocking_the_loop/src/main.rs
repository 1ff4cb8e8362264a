//! `count()` with a blocking call inside: one sleeping task freezes the loop.
//!
//! Mirrors: "Multiprocessing vs Multithreading vs Async IO", section "Asyncio
//!          (The Python library)": tasks "never give up control without
//!          intentionally doing so"; the LinkedIn notebook's `run_in_executor`.
//! Run:     cargo run --release -p blocking_the_loop [-- --only thread-sleep]
//! Notice:  `std::thread::sleep` in an async fn: One Two One Two One Two, 3 s;
//!          `tokio::time::sleep(..).await`: One One One Two Two Two, 1 s; CPU
//!          work in `spawn_blocking`: One One One Two Two Two, 1 s again.
//! Python -> Rust: `time.sleep` in `async def` -> `std::thread::sleep` in an
//!          `async fn` (compiles, blocks just the same); `run_in_executor` ->
//!          `tokio::task::spawn_blocking`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use futures::future::join_all;
use support::cli::pause_seconds;
use support::settings::{pause, set_pause};
use support::{Report, Timer};

/// Run count() three times on a one-thread loop, blocking it and not.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// Run one part only (the default runs all three in turn)
    #[arg(long, value_enum)]
    only: Option<Part>,

    /// How long each count() waits or works, in seconds (the article: 1)
    #[arg(long, default_value_t = 1.0, value_parser = pause_seconds)]
    seconds: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
enum Part {
    /// std::thread::sleep inside the async fn: the loop is frozen
    ThreadSleep,
    /// tokio::time::sleep(..).await: the loop runs the others meanwhile
    TokioSleep,
    /// CPU work handed to spawn_blocking: the loop stays free
    SpawnBlocking,
}

/// The mistake: a blocking call inside an async fn. It never reaches an
/// `.await` while it sleeps, so the one loop thread sleeps with it and no
/// other task can run: the three calls take turns, start to end.
async fn count_with_thread_sleep() {
    println!("One");
    std::thread::sleep(pause()); // <- the only change from async_count
    println!("Two");
}

/// The article's `count()`: `.await` hands the thread back while it waits.
async fn count() {
    println!("One");
    tokio::time::sleep(pause()).await;
    println!("Two");
}

/// CPU-heavy work that cannot await (here: spinning for `pause`) goes to
/// tokio's pool of blocking threads; the task awaits its result, and the
/// loop runs the other tasks meanwhile.
async fn count_with_cpu_work() {
    println!("One");
    let work = tokio::task::spawn_blocking(|| busy_for(pause()));
    // The work cannot fail but it can panic; say so rather than hide it.
    if work.await.is_err() {
        println!("the CPU work panicked");
    }
    println!("Two");
}

/// Keep one CPU busy for `pause`, a stand-in for parsing or hashing.
fn busy_for(pause: Duration) -> u64 {
    let start = Instant::now();
    let mut spins = 0u64;
    while start.elapsed() < pause {
        spins = std::hint::black_box(spins + 1);
    }
    spins
}

/// The article's `main()`: gather three `count()` calls of one kind.
async fn async_main(part: Part) {
    match part {
        Part::ThreadSleep => join_all((0..3).map(|_| count_with_thread_sleep())).await,
        Part::TokioSleep => join_all((0..3).map(|_| count())).await,
        Part::SpawnBlocking => join_all((0..3).map(|_| count_with_cpu_work())).await,
    };
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    set_pause(args.seconds);
    // One thread runs every task, like asyncio's loop: a blocked task
    // blocks them all. (spawn_blocking still has its own threads.)
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
    let parts = match args.only {
        Some(part) => vec![part],
        None => vec![Part::ThreadSleep, Part::TokioSleep, Part::SpawnBlocking],
    };
    let timer = Timer::start();
    let mut report = Report::new("blocking_the_loop", Duration::ZERO);
    for part in &parts {
        let name = part.to_possible_value().map(|v| v.get_name().to_string());
        let name = name.unwrap_or_default();
        println!("--- {name}");
        let started = Timer::start();
        runtime.block_on(async_main(*part));
        println!("{name}: {:.2} s", started.secs());
        report = report.extra(&format!("{name}_seconds"), started.secs());
    }
    let elapsed = timer.elapsed();
    report.wall_seconds = elapsed.as_secs_f64();
    report
        .items(3 * parts.len() as u64)
        .finish(format!("executed in {:0.2}s.", elapsed.as_secs_f64()))
}
