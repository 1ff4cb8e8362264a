//! CPU-bound work with rayon: the idiomatic Rust way, one word from cpu_sync.
//!
//! Mirrors: "What is concurrency?", section "How to Speed Up a CPU-Bound Program"
//!          (no Python twin: what Rust writes instead of threading or multiprocessing).
//! Run:     cargo run --release -p cpu_rayon [-- --help]
//! Notice:  `iter()` became `par_iter()` and the run is about as fast as
//!          cpu_threads: rayon keeps one thread per core, splits the numbers
//!          between them and lets idle threads steal work from busy ones.
//! Python -> Rust: `multiprocessing.Pool().map(cpu_bound, numbers)` (a worker
//!          per core, results in order) -> `numbers.par_iter().map(..)` on
//!          rayon's global thread pool: the same shape, on threads.

use std::hint::black_box;
use std::process::ExitCode;

use clap::Parser;
use rayon::prelude::*; // <- changed from cpu_sync
use support::Timer;
use support::cli::workers; // <- changed from cpu_sync
use support::squares::{NumbersArgs, report_sums};

/// Sum the squares below each of COUNT consecutive numbers, on rayon's thread pool.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    numbers: NumbersArgs, // --start and --count, as in every cpu_*
    /// Number of threads in rayon's pool [default: one per CPU, or RAYON_NUM_THREADS]
    #[arg(long, value_parser = workers)]
    workers: Option<u32>, // <- changed from cpu_sync
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

/// The article's `find_sums`, on rayon's threads; results in input order,
/// because `collect` on an indexed parallel iterator puts each in its slot.
fn find_sums(numbers: &[u64]) -> Vec<u128> {
    // <- changed from cpu_sync: `iter` became `par_iter`.
    numbers
        .par_iter()
        .map(|&number| cpu_bound(number))
        .collect()
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    // <- changed from cpu_sync: size the global pool before its first use.
    if let Some(workers) = args.workers
        && let Err(err) = rayon::ThreadPoolBuilder::new()
            .num_threads(workers as usize)
            .build_global()
    {
        eprintln!("error: cannot start {workers} rayon threads: {err}");
        return ExitCode::FAILURE;
    }
    let numbers = args.numbers.list(); // the article's `[5_000_000 + x for x in range(20)]`

    let timer = Timer::start();
    let sums = find_sums(&numbers);
    let elapsed = timer.elapsed();

    // Untimed: checks every sum against the closed formula, prints their total.
    report_sums(env!("CARGO_PKG_NAME"), &numbers, &sums, elapsed)
        .extra("workers", rayon::current_num_threads()) // <- changed from cpu_sync
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
        let sums = find_sums(&numbers);
        assert_eq!(sums.len(), numbers.len());
        for (&number, &sum) in numbers.iter().zip(&sums) {
            assert_eq!(sum, sum_of_squares_below(number), "number {number}");
        }
        assert_eq!(check_sums(&numbers, &sums), 0);
    }

    #[test]
    fn every_pool_size_gives_the_same_sums() {
        // A local pool, so the test does not depend on the global one.
        let numbers = small_numbers();
        for threads in [1, 2, 5] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a small thread pool starts");
            let sums = pool.install(|| find_sums(&numbers));
            assert_eq!(check_sums(&numbers, &sums), 0, "{threads} threads");
            assert_eq!(sums.len(), numbers.len());
        }
    }
}
