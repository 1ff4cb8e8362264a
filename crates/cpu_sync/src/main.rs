//! CPU-bound work, one number after another: the baseline the other cpu_* examples beat.
//!
//! Mirrors: "What is concurrency?", "How to Speed Up a CPU-Bound Program" (synchronous).
//! Run:     cargo run --release -p cpu_sync [-- --help]
//! Notice:  the duration is the sum of the 20 single sums: one core works,
//!          the others idle. cpu_threads, cpu_rayon and cpu_processes differ
//!          from this file in `find_sums` and little else (`diff` them).
//! Python -> Rust: `sum(i * i for i in range(number))` -> an iterator summed
//!          into a `u128` (Python's ints never overflow), each element passed
//!          through `black_box` (the compiler would skip the work otherwise).

use std::hint::black_box;
use std::process::ExitCode;

use clap::Parser;
use support::Timer;
use support::squares::{NumbersArgs, report_sums};

/// Sum the squares below each of COUNT consecutive numbers, one after another.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    numbers: NumbersArgs, // --start and --count, as in every cpu_*
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

/// The article's `find_sums`: every sum, one after another, in order.
fn find_sums(numbers: &[u64]) -> Vec<u128> {
    numbers.iter().map(|&number| cpu_bound(number)).collect()
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    let numbers = args.numbers.list(); // the article's `[5_000_000 + x for x in range(20)]`

    let timer = Timer::start();
    let sums = find_sums(&numbers);
    let elapsed = timer.elapsed();

    // Untimed: checks every sum against the closed formula, prints their total.
    report_sums(env!("CARGO_PKG_NAME"), &numbers, &sums, elapsed)
        .extra("workers", 1)
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
}
