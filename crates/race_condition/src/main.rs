//! `x = x + 1` from many threads: the lost update, and two ways to keep it.
//!
//! Mirrors: "Multiprocessing vs Multithreading vs Async IO", section
//!          "Multithreading" (a switch "in the middle of `x = x + 1`"), and the
//!          scraper blog's drawback "race condition".
//! Run:     cargo run --release -p race_condition [-- --help]
//! Notice:  `load then store` ends below the expected total (updates lost);
//!          `fetch_add` and `Mutex` hit it exactly. The plain `u64` version
//!          does not compile at all: see src/lib.rs.
//! Python -> Rust: `x = x + 1` on a shared int -> refused (E0499); the racy
//!          read-then-write must be spelled out (`load`, then `store`); the
//!          fixes are `AtomicU64::fetch_add` and `Mutex<u64>`.

use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use support::cli::workers;
use support::{Report, Timer};

/// Add 1 to one shared counter from many threads, three ways, and compare.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// Threads that each add to the counter
    #[arg(long, default_value_t = 4, value_parser = workers)]
    workers: u32,

    /// Additions per thread
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    increments: u64,
}

/// `x = x + 1` written out as Python runs it: read, add, write back. Each
/// step is atomic, the three together are not, so another thread's write
/// can land between our read and our write and be overwritten.
fn add_with_load_then_store(x: &AtomicU64, increments: u64) {
    for _ in 0..increments {
        let read = x.load(Ordering::Relaxed);
        x.store(read + 1, Ordering::Relaxed);
    }
}

/// One instruction that reads, adds and writes: nothing can fall between.
fn add_with_fetch_add(x: &AtomicU64, increments: u64) {
    for _ in 0..increments {
        x.fetch_add(1, Ordering::Relaxed);
    }
}

/// The lock makes the read and the write one step for everyone else.
fn add_with_mutex(x: &Mutex<u64>, increments: u64) {
    for _ in 0..increments {
        // A poisoned lock only means another adder panicked; the count in
        // it is still a number, so keep counting.
        let mut guard = x.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *guard += 1;
    }
}

/// Run `add` on `threads` threads at once; return what it took.
fn race(threads: u32, add: impl Fn() + Sync) -> Duration {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(&add);
        }
    });
    start.elapsed()
}

/// The lost update on purpose: two threads each run `x = x + 1` once, and
/// neither writes until both have read. Both read 0, both write 1: the
/// total is 1, not 2, every time. Returns the total.
fn forced_lost_update() -> u64 {
    let x = AtomicU64::new(0);
    let have_read = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                let read = x.load(Ordering::SeqCst);
                have_read.fetch_add(1, Ordering::SeqCst);
                // Wait, with a bound, until the other thread has read too:
                // this is the scheduler switching "in the middle of x = x + 1".
                let deadline = Instant::now() + Duration::from_secs(10);
                while have_read.load(Ordering::SeqCst) < 2 {
                    assert!(Instant::now() < deadline, "the other thread never read");
                    std::thread::yield_now();
                }
                x.store(read + 1, Ordering::SeqCst);
            });
        }
    });
    x.into_inner()
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    let expected = u64::from(args.workers) * args.increments;
    let timer = Timer::start();

    let racy = AtomicU64::new(0);
    let racy_time = race(args.workers, || {
        add_with_load_then_store(&racy, args.increments)
    });
    let atomic = AtomicU64::new(0);
    let atomic_time = race(args.workers, || {
        add_with_fetch_add(&atomic, args.increments)
    });
    let locked = Mutex::new(0);
    let mutex_time = race(args.workers, || add_with_mutex(&locked, args.increments));

    let racy = racy.into_inner();
    let atomic = atomic.into_inner();
    let locked = locked.into_inner().unwrap_or_else(|p| p.into_inner());
    println!("{} threads x {} additions", args.workers, args.increments);
    println!("expected         {expected:>12}");
    for (name, total, took) in [
        ("load then store", racy, racy_time),
        ("fetch_add", atomic, atomic_time),
        ("Mutex", locked, mutex_time),
    ] {
        let lost = expected - total;
        println!(
            "{name:<16} {total:>12}  lost {lost:>10}  {:.3} s",
            took.as_secs_f64()
        );
    }
    let forced = forced_lost_update();
    println!(
        "forced interleaving: both threads read 0, then both wrote 1: total {forced}, expected 2"
    );

    let elapsed = timer.elapsed();
    // The lost updates are the lesson, not a failure; a wrong total from
    // fetch_add or the Mutex would be one.
    let wrong = u64::from(atomic != expected) + u64::from(locked != expected);
    Report::new("race_condition", elapsed)
        .items(3 * expected)
        .errors(wrong)
        .extra("lost_updates", expected - racy)
        .extra("forced_total", forced)
        .finish(format!("Counted in {:.2} seconds", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forced_interleaving_loses_one_update_every_time() {
        for _ in 0..20 {
            assert_eq!(forced_lost_update(), 1);
        }
    }

    #[test]
    fn fetch_add_and_the_mutex_lose_nothing() {
        let atomic = AtomicU64::new(0);
        race(4, || add_with_fetch_add(&atomic, 100_000));
        assert_eq!(atomic.into_inner(), 400_000);
        let locked = Mutex::new(0);
        race(4, || add_with_mutex(&locked, 100_000));
        assert_eq!(locked.into_inner().unwrap(), 400_000);
    }
}
