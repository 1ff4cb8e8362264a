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
use support::cli::{cpu_count_default, workers}; // <- changed from cpu_sync
use support::pool::{PoolBuilder, TaskTimeoutArg, serve_if_worker}; // <- changed from cpu_sync
use support::squares::{MAX_NUMBER, check_sums};
use support::{Report, Timer};

/// Sum the squares below each of COUNT consecutive numbers, in worker processes.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The first number (the article uses 5,000,000).
    #[arg(long, default_value_t = 5_000_000, value_parser = clap::value_parser!(u64).range(1..=MAX_NUMBER))]
    start: u64,

    /// How many consecutive numbers to sum up to (the article uses 20).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    count: u64,

    // <- changed from cpu_sync: the worker flag and the pool's task timeout.
    /// Number of worker processes [default: one per CPU, as `Pool()`]
    #[arg(long, value_parser = workers)]
    workers: Option<u32>,

    #[command(flatten)]
    pool: TaskTimeoutArg,
}

/// The article's `cpu_bound`: the sum of i * i for i in 0..number, done the
/// slow way on purpose, to keep a core busy. In a `u128`, because for
/// 5,000,019 the sum (4.2e19) overflows a `u64`; every element goes through
/// `black_box`, or LLVM would swap the loop for n(n-1)(2n-1)/6.
fn cpu_bound(number: u64) -> u128 {
    (0..number)
        .map(|i| {
            let i = u128::from(black_box(i));
            i * i
        })
        .sum()
}

// <- changed from cpu_sync: the whole of `find_sums`.
/// The article's `find_sums`, in `workers` processes; results in input
/// order, like `Pool.map`.
///
/// Each number travels to a worker as a line of JSON on its stdin and its
/// sum comes back the same way: start-up and serialising are the price of
/// processes, which threads never pay. A worker can also die (killed, out of
/// memory) and take its task with it; like Python's `pool.map`, which
/// raises, we give up on the first failure.
fn find_sums(numbers: &[u64], workers: u32) -> Result<Vec<u128>, String> {
    let mut pool = PoolBuilder::new(workers as usize)
        .spawn()
        .map_err(|err| format!("cannot start {workers} worker processes: {err}"))?;
    let results: Vec<Result<String, _>> = pool.map(numbers.to_vec());
    // Leaving this function drops `pool`: its workers see their stdin close
    // and exit, like leaving the article's `with multiprocessing.Pool()` block.
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
/// The article's `cpu_bound`, in a worker. The sum goes back as decimal
/// text: the pool's wire format (serde_json's `Value`) holds at most a u64,
/// and 4.2e19 would fail as "number out of range"; Python's pickle carries
/// ints of any size. The `Result` lets a task fail with a message.
fn worker_task(_state: &mut (), number: u64) -> Result<String, String> {
    Ok(cpu_bound(number).to_string())
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // <- changed from cpu_sync: in a worker copy of this program, answer
    // tasks until the parent closes the pipe, then exit; in the parent,
    // return at once. First, so a worker never parses flags or starts a pool.
    serve_if_worker(|(): ()| (), worker_task);
    let args = Args::parse();
    args.pool.apply_to_every_pool(); // <- changed from cpu_sync
    let workers = args.workers.unwrap_or(cpu_count_default() as u32); // <- changed from cpu_sync
    // The article's `[5_000_000 + x for x in range(20)]`.
    let numbers: Vec<u64> = (0..args.count).map(|x| args.start + x).collect();

    let timer = Timer::start();
    // <- changed from cpu_sync: a process pool can fail, threads cannot.
    let sums = match find_sums(&numbers, workers) {
        Ok(sums) => sums,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let elapsed = timer.elapsed();

    // Each sum is checked against the closed formula (support::squares)
    // after the timer stopped, so the check costs the timing nothing.
    let errors = check_sums(&numbers, &sums);
    let total: u128 = sums.iter().sum();
    println!("Total of the {} sums: {total}", numbers.len());
    Report::new(env!("CARGO_PKG_NAME"), elapsed)
        .items(numbers.len() as u64)
        .errors(errors)
        .extra("workers", workers) // <- changed from cpu_sync
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
