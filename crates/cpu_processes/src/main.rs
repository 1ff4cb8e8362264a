//! CPU-bound work in a pool of worker processes, one task per number.
//!
//! Mirrors: "What is concurrency?", section "CPU-Bound multiprocessing
//!          Version" (`multiprocessing.Pool().map(cpu_bound, numbers)`).
//! Run:     cargo run --release -p cpu_processes [-- --help]
//! Notice:  about as fast as cpu_threads, after paying to start a process per
//!          core and to send every number and sum through a pipe. In Python
//!          this version beats the GIL; in Rust threads already run in
//!          parallel, so processes buy isolation (a crash stays in its worker).
//! Python -> Rust: `multiprocessing.Pool()` -> `support::pool`: the program
//!          starts copies of itself as workers, and `serve_if_worker` at the
//!          top of `main` plays `if __name__ == "__main__":`.

use std::hint::black_box;
use std::process::ExitCode;

use clap::Parser;
use support::Timer;
use support::cli::{cpu_count_default, workers}; // <- changed from cpu_sync
use support::pool::{PoolBuilder, TaskTimeoutArg, serve_if_worker}; // <- changed from cpu_sync
use support::squares::{NumbersArgs, report_sums};

/// Sum the squares below each of COUNT consecutive numbers, in worker processes.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    numbers: NumbersArgs, // --start and --count, as in every cpu_*
    /// Number of worker processes [default: one per CPU, as `Pool()`]
    #[arg(long, value_parser = workers)]
    workers: Option<u32>, // <- changed from cpu_sync
    #[command(flatten)]
    pool: TaskTimeoutArg, // <- changed from cpu_sync
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

/// The article's `find_sums`, in `workers` processes; results in input order,
/// like `Pool.map`, which also gives up on the first failed task (a worker
/// killed or out of memory). Start-up and pipes are the price of processes.
fn find_sums(numbers: &[u64], workers: u32) -> Result<Vec<u128>, String> {
    // <- changed from cpu_sync: the parameter and result above, and the whole body
    let mut pool = PoolBuilder::new(workers as usize)
        .spawn()
        .map_err(|err| format!("cannot start {workers} worker processes: {err}"))?;
    let results: Vec<Result<String, _>> = pool.map(numbers.to_vec());
    // Returning drops `pool`: the workers' stdin closes and they exit, as after `with Pool()`.
    numbers
        .iter()
        .zip(results)
        .map(|(number, result)| {
            let digits = result.map_err(|err| format!("cpu_bound({number}) failed: {err}"))?;
            digits
                .parse::<u128>()
                .map_err(|err| format!("cpu_bound({number}) sent {digits:?}: {err}"))
        })
        .collect()
}

// <- changed from cpu_sync: what a worker process does with one task.
/// The article's `cpu_bound`, in a worker. The sum goes back as text: the pool's
/// JSON holds at most a u64 (Python's pickle carries ints of any size).
fn worker_task(_state: &mut (), number: u64) -> Result<String, String> {
    Ok(cpu_bound(number).to_string())
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // <- changed from cpu_sync: a worker answers tasks here, then exits; the parent goes on.
    serve_if_worker(|(): ()| (), worker_task);
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    args.pool.apply_to_every_pool(); // <- changed from cpu_sync
    let workers = args.workers.unwrap_or(cpu_count_default()); // <- changed from cpu_sync
    let numbers = args.numbers.list(); // the article's `[5_000_000 + x for x in range(20)]`

    let timer = Timer::start();
    let sums = find_sums(&numbers, workers); // <- changed from cpu_sync: a pool can fail
    let Ok(sums) = sums.inspect_err(|err| eprintln!("error: {err}")) else {
        return ExitCode::FAILURE; // <- changed from cpu_sync
    };
    let elapsed = timer.elapsed();

    // Untimed: checks every sum against the closed formula, prints their total.
    report_sums(env!("CARGO_PKG_NAME"), &numbers, &sums, elapsed)
        .extra("workers", workers) // <- changed from cpu_sync
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

    // `find_sums` starts copies of the running executable, which under
    // `cargo test` is this test harness, not cpu_processes: the pool is
    // tested against the real binary in tests/cpu_processes.rs. Here we
    // check what a worker computes.
    #[test]
    fn every_sum_equals_the_closed_formula() {
        let numbers = small_numbers();
        let sums: Vec<u128> = numbers
            .iter()
            .map(|&number| {
                let digits = worker_task(&mut (), number).expect("cpu_bound cannot fail");
                digits.parse().expect("a worker sends a u128's digits")
            })
            .collect();
        assert_eq!(sums.len(), numbers.len());
        for (&number, &sum) in numbers.iter().zip(&sums) {
            assert_eq!(sum, sum_of_squares_below(number), "number {number}");
        }
        assert_eq!(check_sums(&numbers, &sums), 0);
    }
}
