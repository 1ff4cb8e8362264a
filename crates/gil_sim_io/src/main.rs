//! Threads that wait on I/O give the GIL back, so their waits overlap even under it.
//!
//! Mirrors: "What is concurrency?", section "Threading" of the I/O-bound
//!          downloads (why threads helped there despite the GIL), and the GIL
//!          paragraphs of the concept notes and of the basics.
//! Run:     cargo run --release -p gil_sim_io [-- --help]
//! Notice:  20 waits of 100 ms on 5 threads end in about 0.4 s (4 rounds):
//!          "most threads holding the GIL at once" is 1, yet "most threads
//!          waiting on I/O at once" is 5. gil_sim shows the CPU-bound side.
//! Python -> Rust: the GIL -> one global `Mutex<()>`, held to run "Python
//!          code" and dropped around the wait, as CPython drops it around
//!          every blocking system call; `sock.recv()` -> `thread::sleep`.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use clap::Parser;
use support::cli::workers;
use support::most_at_once::MostAtOnce;
use support::{Report, Timer};

/// Run COUNT simulated requests on WORKERS threads that share one global
/// interpreter lock.
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

/// The GIL, as much of it as this lesson needs: one global lock. (gil_sim
/// needs a fair one; here every holder lets go within microseconds.)
static GIL: Mutex<()> = Mutex::new(());
/// The threads holding the GIL, and the most at once.
static HOLDING: MostAtOnce = MostAtOnce::new();
/// The threads waiting on their "socket", and the most at once.
static WAITING: MostAtOnce = MostAtOnce::new();

/// A moment of "Python code": only with the GIL held.
fn run_python_code() {
    // Nothing panics while holding the GIL, so a poisoned lock is still good.
    let _gil = GIL.lock().unwrap_or_else(PoisonError::into_inner);
    let _holding = HOLDING.enter(); // dropped first: out before the GIL goes
}

/// One simulated request, as a CPython thread runs it: code to build and
/// send it (GIL held), a wait for the answer (GIL released), code to read
/// the reply (GIL held again).
fn io_bound(wait: Duration) {
    run_python_code();
    {
        let _waiting = WAITING.enter();
        thread::sleep(wait); // the GIL is free while this thread waits
    }
    run_python_code();
}

/// Run `tasks` requests on `workers` threads, each taking the next until
/// none is left; returns how many each thread did.
fn find_waits(tasks: u64, workers: u32, wait: Duration) -> Vec<usize> {
    let next = AtomicU64::new(0);
    thread::scope(|scope| {
        let threads: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = 0;
                    // Relaxed: the counter only hands out distinct tasks.
                    while next.fetch_add(1, Ordering::Relaxed) < tasks {
                        io_bound(wait);
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        threads
            .into_iter()
            // A thread only fails by panicking: pass the panic on unchanged.
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    println!(
        "I/O-bound: {} tasks waiting {} ms each on {} threads, GIL on",
        args.count, args.sleep_ms, args.workers
    );

    let timer = Timer::start();
    let per_thread = find_waits(
        args.count,
        args.workers,
        Duration::from_millis(args.sleep_ms),
    );
    let elapsed = timer.elapsed();

    println!("Most threads holding the GIL at once: {}", HOLDING.most());
    println!("Most threads waiting on I/O at once: {}", WAITING.most());
    println!("Tasks per thread: {per_thread:?}");
    Report::new(env!("CARGO_PKG_NAME"), elapsed)
        .items(args.count)
        .extra("mode", "io")
        .extra("gil", true)
        .extra("workers", args.workers)
        .extra("max_holders", HOLDING.most())
        .extra("max_sleepers", WAITING.most())
        .finish(format!("Duration {:.3} seconds", elapsed.as_secs_f64()))
}
