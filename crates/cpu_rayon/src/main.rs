//! CPU-bound work with rayon: the idiomatic Rust way, one word from cpu_sync.
//!
//! Mirrors: "What is concurrency?", section "How to Speed Up a CPU-Bound
//!          Program" (no Python twin: this is what a Rust programmer would
//!          write instead of the threading or multiprocessing version).
//! Run:     cargo run --release -p cpu_rayon [-- --help]
//! Notice:  `iter()` became `par_iter()` and the run is about as fast as
//!          cpu_threads: rayon keeps one thread per core and splits the
//!          numbers between them, stealing work from busy threads.
//!          `diff cpu_sync/src/main.rs cpu_rayon/src/main.rs` is the lesson.
//! Python -> Rust: `multiprocessing.Pool().map(cpu_bound, numbers)` (one
//!          worker per core, results in order) -> `numbers.par_iter().map(..)`
//!          on rayon's global thread pool: same shape, but threads, since
//!          Rust threads have no GIL to escape.

use std::hint::black_box;
use std::process::ExitCode;

use clap::Parser;
use rayon::prelude::*;
use support::squares::{MAX_NUMBER, check_sums};
use support::{Report, Timer};

/// Sum the squares below each of COUNT consecutive numbers, on rayon's thread pool.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The first number (the article uses 5,000,000).
    #[arg(long, default_value_t = 5_000_000, value_parser = clap::value_parser!(u64).range(1..=MAX_NUMBER))]
    start: u64,

    /// How many consecutive numbers to sum up to (the article uses 20).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    count: u64,

    /// Number of threads in rayon's pool (default: one per core, rayon's
    /// own choice, which also honours RAYON_NUM_THREADS).
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=256))]
    threads: Option<usize>, // <- new in cpu_rayon
}

/// The sum of i * i for i in 0..number, computed the slow way on purpose:
/// it stands for "real work that keeps a core busy".
///
/// Two traps hide in this one line of Python:
///
/// - Width. For number = 5,000,019 the sum is about 4.2e19, above
///   `u64::MAX` (1.8e19). Python's ints never overflow; in Rust a `u64` total
///   would panic in a debug build and silently wrap in a release build. A
///   `u128` holds it with room to spare.
/// - Cleverness. LLVM recognises "sum of squares of a range" and replaces
///   the whole loop by the closed formula n(n-1)(2n-1)/6: about 200 ns
///   instead of about 60 ms, which would make every timing here meaningless.
///   `black_box` hides each element's value from the optimiser, so it must
///   really square and add five million numbers.
fn cpu_bound(number: u64) -> u128 {
    (0..number)
        .map(|i| {
            let i = u128::from(black_box(i));
            i * i
        })
        .sum()
}

/// Compute the sums for every number on rayon's threads; results in input
/// order, because `collect` on an indexed parallel iterator puts each result
/// back in its slot.
fn find_sums(numbers: &[u64]) -> Vec<u128> {
    // <- the only change from cpu_sync: `iter` became `par_iter`.
    numbers
        .par_iter()
        .map(|&number| cpu_bound(number))
        .collect()
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    // <- new in cpu_rayon: size the global pool before its first use.
    if let Some(threads) = args.threads
        && let Err(err) = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
    {
        eprintln!("error: cannot start {threads} rayon threads: {err}");
        return ExitCode::FAILURE;
    }
    // The article's `[5_000_000 + x for x in range(20)]`.
    let numbers: Vec<u64> = (0..args.count).map(|x| args.start + x).collect();

    let timer = Timer::start();
    let sums = find_sums(&numbers);
    let elapsed = timer.elapsed();

    // Every sum is checked against the closed formula n(n-1)(2n-1)/6 (in
    // support), after the timer stopped, so the check costs the timing nothing.
    let errors = check_sums(&numbers, &sums);
    let total: u128 = sums.iter().sum();
    println!("Total of the {} sums: {total}", numbers.len());
    Report::new(env!("CARGO_PKG_NAME"), elapsed)
        .items(numbers.len() as u64)
        .errors(errors)
        .extra("workers", rayon::current_num_threads()) // <- changed from cpu_sync
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
