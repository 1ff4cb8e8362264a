//! CPU-bound work on 5 threads: in Rust, unlike Python, threads make it faster.
//!
//! Mirrors: "What is concurrency?", section "How to Speed Up a CPU-Bound
//!          Program" (the threading version, `ThreadPoolExecutor(max_workers=5)`).
//! Run:     cargo run --release -p cpu_threads [-- --help]
//! Notice:  the duration drops to about cpu_sync's divided by the cores. The
//!          article saved nothing (11.1 s -> 10.7 s): CPython's GIL lets one
//!          thread run Python code at a time; Rust has none (gil_sim adds one).
//!          `diff cpu_sync/src/main.rs cpu_threads/src/main.rs` is the lesson.
//! Python -> Rust: `executor.map(cpu_bound, numbers)` -> `std::thread::scope`
//!          with 5 threads taking numbers from a shared atomic index; results
//!          land in input order, as with `executor.map`.

use std::hint::black_box;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering}; // <- changed from cpu_sync
use std::thread; // <- changed from cpu_sync

use clap::Parser;
use support::cli::workers;
use support::squares::{MAX_NUMBER, check_sums};
use support::{Report, Timer};

/// Sum the squares below each of COUNT consecutive numbers, on WORKERS threads.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The first number (the article uses 5,000,000).
    #[arg(long, default_value_t = 5_000_000, value_parser = clap::value_parser!(u64).range(1..=MAX_NUMBER))]
    start: u64,

    /// How many consecutive numbers to sum up to (the article uses 20).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    count: u64,

    // <- changed from cpu_sync: the worker flag, these three lines.
    /// Number of threads (the article's `max_workers=5`).
    #[arg(long, default_value_t = 5, value_parser = workers)]
    workers: u32,
}

/// The article's `cpu_bound`: the sum of i * i for i in 0..number, done the
/// slow way on purpose, to keep a core busy. In a `u128`, because for
/// 5,000,019 the sum (4.2e19) overflows a `u64`; every element goes through
/// `black_box`, or LLVM would swap the loop for n(n-1)(2n-1)/6.
#[tracing::instrument] // a span on --timeline's picture
fn cpu_bound(number: u64) -> u128 {
    (0..number)
        .map(|i| {
            let i = u128::from(black_box(i));
            i * i
        })
        .sum()
}

// <- changed from cpu_sync: the whole of `find_sums`.
/// The article's `find_sums`, on `workers` threads; results in input order.
///
/// Like a pool, each thread takes the next unclaimed number until none is
/// left: the queue is an index that `fetch_add` hands out once each, so a
/// thread that finishes early simply takes more. `thread::scope` lets the
/// threads borrow `numbers` and joins them all before it returns, like the
/// end of the article's `with ThreadPoolExecutor(...)` block.
fn find_sums(numbers: &[u64], workers: u32) -> Vec<u128> {
    let next = AtomicUsize::new(0);
    let mut sums = vec![0; numbers.len()];
    thread::scope(|scope| {
        let threads: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    // (index, sum) pairs, so that `sums` needs no lock.
                    let mut done = Vec::new();
                    loop {
                        // Relaxed: the counter only hands out distinct indices.
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&number) = numbers.get(index) else {
                            return done; // the queue is empty
                        };
                        done.push((index, cpu_bound(number)));
                    }
                })
            })
            .collect();
        for thread in threads {
            // A thread only fails by panicking: pass the panic on unchanged.
            let done = thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for (index, sum) in done {
                sums[index] = sum;
            }
        }
    });
    sums
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    // The article's `[5_000_000 + x for x in range(20)]`.
    let numbers: Vec<u64> = (0..args.count).map(|x| args.start + x).collect();

    let timer = Timer::start();
    let sums = find_sums(&numbers, args.workers); // <- changed from cpu_sync
    let elapsed = timer.elapsed();

    // Each sum is checked against the closed formula (support::squares)
    // after the timer stopped, so the check costs the timing nothing.
    let errors = check_sums(&numbers, &sums);
    let total: u128 = sums.iter().sum();
    println!("Total of the {} sums: {total}", numbers.len());
    Report::new(env!("CARGO_PKG_NAME"), elapsed)
        .items(numbers.len() as u64)
        .errors(errors)
        .extra("workers", args.workers) // <- changed from cpu_sync
        // A JSON number cannot hold a u128 exactly: send the digits as text.
        .extra("total", total.to_string())
        .finish(format!("Duration {:.3} seconds", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::squares::sum_of_squares_below;

    /// Small numbers keep the debug-build test fast; the arithmetic is the same.
    fn small_numbers() -> Vec<u64> {
        (0..20).map(|x| 10_000 + x).collect()
    }

    #[test]
    fn cpu_bound_matches_python_on_tiny_inputs() {
        // sum(i * i for i in range(n)) for n = 0, 1, 2, 4: 0, 0, 1, 0+1+4+9.
        assert_eq!(cpu_bound(0), 0);
        assert_eq!(cpu_bound(1), 0);
        assert_eq!(cpu_bound(2), 1);
        assert_eq!(cpu_bound(4), 14);
    }

    #[test]
    fn every_sum_equals_the_closed_formula() {
        let numbers = small_numbers();
        // One thread, the article's five, and more threads than numbers
        // (the extra ones find the queue empty and stop).
        for workers in [1, 5, 25] {
            let sums = find_sums(&numbers, workers);
            assert_eq!(sums.len(), numbers.len());
            for (&number, &sum) in numbers.iter().zip(&sums) {
                assert_eq!(
                    sum,
                    sum_of_squares_below(number),
                    "number {number}, {workers} workers"
                );
            }
            assert_eq!(check_sums(&numbers, &sums), 0);
        }
    }
}
