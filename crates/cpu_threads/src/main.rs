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
use support::Timer;
use support::cli::workers;
use support::squares::{NumbersArgs, report_sums};

/// Sum the squares below each of COUNT consecutive numbers, on WORKERS threads.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    numbers: NumbersArgs, // --start and --count, as in every cpu_*
    /// Number of threads (the article's `max_workers=5`).
    #[arg(long, default_value_t = 5, value_parser = workers)]
    workers: u32, // <- changed from cpu_sync
}

/// The article's `cpu_bound`: the sum of i * i for i in 0..number, the slow way
/// on purpose. In a `u128`: for 5,000,019 the sum (4.2e19) overflows a `u64`;
/// `black_box` on every element, or LLVM would swap the loop for n(n-1)(2n-1)/6.
#[tracing::instrument] // a span on --timeline's picture
fn cpu_bound(number: u64) -> u128 {
    (0..number)
        .map(|i| {
            let i = u128::from(black_box(i));
            i * i
        })
        .sum()
}

/// The article's `find_sums`, on `workers` threads; results in input order.
/// Like a pool, each thread takes the next unclaimed number until none is left;
/// `thread::scope` joins them all before it returns, like `with ThreadPoolExecutor`.
fn find_sums(numbers: &[u64], workers: u32) -> Vec<u128> {
    // <- changed from cpu_sync: the parameter above, and the whole body
    let next = AtomicUsize::new(0);
    let mut sums = vec![0; numbers.len()];
    thread::scope(|scope| {
        let threads: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new(); // (index, sum) pairs, so `sums` needs no lock
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
    let numbers = args.numbers.list(); // the article's `[5_000_000 + x for x in range(20)]`

    let timer = Timer::start();
    let sums = find_sums(&numbers, args.workers); // <- changed from cpu_sync
    let elapsed = timer.elapsed();

    // Untimed: checks every sum against the closed formula, prints their total.
    report_sums(env!("CARGO_PKG_NAME"), &numbers, &sums, elapsed)
        .extra("workers", args.workers) // <- changed from cpu_sync
        .finish(format!("Duration {:.3} seconds", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use support::squares::{check_sums, sum_of_squares_below};

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
