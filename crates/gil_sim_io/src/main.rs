//! Threads that wait on I/O give the GIL back, so their waits overlap even under it.
//!
//! Mirrors: "What is concurrency?", section "Threading" (why threads sped up the
//!          downloads despite the GIL); the GIL in the concept notes and the basics.
//! Run:     cargo run --release -p gil_sim_io [-- --help]
//! Notice:  20 waits of 100 ms on 5 threads take about 0.4 s (4 rounds): at most
//!          1 thread holds the GIL at once, yet 5 wait on I/O. gil_sim: the CPU side.
//! Python -> Rust: the GIL -> a global `Mutex<()>`, dropped around the wait as
//!          CPython drops it around blocking calls; `sock.recv()` -> `thread::sleep`.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use clap::Parser;
use support::cli::workers;
use support::most_at_once::MostAtOnce;
use support::{Report, Timer};

/// Run COUNT simulated requests on WORKERS threads that share one global interpreter lock.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// How many simulated requests.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    count: u64,
    /// Number of threads (the article's `max_workers=5`).
    #[arg(long, default_value_t = 5, value_parser = workers)]
    workers: u32,
    /// How long each simulated request waits, in milliseconds.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    sleep_ms: u64,
}

static GIL: Mutex<()> = Mutex::new(()); // the GIL: one lock (gil_sim needs a fair one)
static HOLDING: MostAtOnce = MostAtOnce::new(); // threads holding the GIL, and the most at once
static WAITING: MostAtOnce = MostAtOnce::new(); // threads waiting on their "socket", likewise

/// A moment of "Python code": only with the GIL held.
fn run_python_code() {
    // Nothing panics while holding the GIL, so a poisoned lock is still good.
    let _gil = GIL.lock().unwrap_or_else(PoisonError::into_inner);
    let _holding = HOLDING.enter(); // dropped first: out before the GIL goes
}

/// One simulated request as CPython runs it: send (GIL held), wait (released), read (held).
#[tracing::instrument] // a span on --timeline's picture
fn io_bound(wait: Duration) {
    run_python_code();
    let waiting = WAITING.enter();
    thread::sleep(wait); // the GIL is free while this thread waits
    drop(waiting);
    run_python_code();
}

/// Run `tasks` requests on `workers` threads, each taking the next; how many each did.
fn find_waits(tasks: u64, workers: u32, wait: Duration) -> Vec<usize> {
    let next = AtomicU64::new(0); // Relaxed below: it only hands out distinct tasks
    let worker = || {
        let mut done = 0;
        while next.fetch_add(1, Ordering::Relaxed) < tasks {
            io_bound(wait);
            done += 1;
        }
        done
    };
    thread::scope(|scope| {
        let threads: Vec<_> = (0..workers).map(|_| scope.spawn(worker)).collect();
        // A thread only fails by panicking: pass the panic on unchanged.
        let joined = threads.into_iter().map(|thread| thread.join());
        joined
            .map(|done| done.unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    let (count, workers, sleep_ms) = (args.count, args.workers, args.sleep_ms);
    println!("I/O-bound: {count} tasks waiting {sleep_ms} ms each on {workers} threads, GIL on");

    let timer = Timer::start();
    let per_thread = find_waits(count, workers, Duration::from_millis(sleep_ms));
    let elapsed = timer.elapsed();

    println!("Most threads holding the GIL at once: {}", HOLDING.most());
    println!("Most threads waiting on I/O at once: {}", WAITING.most());
    println!("Tasks per thread: {per_thread:?}");
    Report::new(env!("CARGO_PKG_NAME"), elapsed)
        .items(count)
        .extra("mode", "io")
        .extra("gil", true)
        .extra("workers", workers)
        .extra("max_holders", HOLDING.most())
        .extra("max_sleepers", WAITING.most())
        .finish(format!("Duration {:.3} seconds", elapsed.as_secs_f64()))
}
