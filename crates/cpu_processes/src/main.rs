//! CPU-bound work in a pool of worker processes, one task per number.
//!
//! Mirrors: "What is concurrency?", section "CPU-Bound multiprocessing
//!          Version" (`multiprocessing.Pool().map(cpu_bound, numbers)`).
//! Run:     cargo run --release -p cpu_processes [-- --help]
//! Notice:  about as fast as cpu_threads, but only after paying to start a
//!          process per core and to send every number and sum through a
//!          pipe. In Python this is the version that beats the GIL; in Rust
//!          threads already run in parallel, so processes buy isolation (a
//!          crashing worker cannot take the others down), not speed.
//! Python -> Rust: `multiprocessing.Pool()` -> `support::pool`, built on
//!          `std::process`: the program starts copies of itself as workers
//!          and `serve_if_worker` at the top of `main` turns a copy into a
//!          worker, much as `if __name__ == "__main__":` keeps Python's
//!          workers from re-running the parent's code.

use std::hint::black_box;
use std::process::ExitCode;

use clap::Parser;
use support::pool::{PoolBuilder, TaskTimeoutArg, serve_if_worker};
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

    /// Number of worker processes (like `multiprocessing.Pool()`, one per core
    /// by default).
    #[arg(long, default_value_t = cpu_count(), value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=64))]
    workers: usize, // <- new in cpu_processes

    #[command(flatten)]
    pool: TaskTimeoutArg,
}

/// The article's default pool size, `os.cpu_count()`.
fn cpu_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
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

// <- the only real change from cpu_sync: this function (and the first line of main).
/// Compute the sums for every number in `workers` processes; results in
/// input order, like `Pool.map`.
///
/// Each number travels to a worker as one line of JSON on its stdin, and
/// its sum comes back the same way. That is the price of processes: start-up
/// (a fresh copy of this program per worker) and serialising every task and
/// result, which `ThreadPoolExecutor` never pays. Here a task is a few
/// milliseconds of work and a message is a few bytes, so both stay small.
///
/// Unlike threads, a worker can die (killed, out of memory) and take its
/// task with it; `map` then reports that task as failed instead of hanging.
/// Like Python's `pool.map`, which raises, we give up on the first failure.
fn find_sums(numbers: &[u64], workers: usize) -> Result<Vec<u128>, String> {
    let mut pool = PoolBuilder::new(workers)
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

/// What a worker process does with one task: the article's `cpu_bound`.
///
/// The sum goes back as decimal text, not as a number: the u128 trap bites
/// a second time at the process boundary. JSON numbers are read as f64 by
/// many parsers, and serde_json's `Value` (which the pool's wire format goes
/// through) holds at most a u64, so a sum of 4.2e19 would fail with "number
/// out of range". Python never notices: pickle carries ints of any size.
/// The `Result` is the pool's way to let a task fail with a message.
fn worker_task(_state: &mut (), number: u64) -> Result<String, String> {
    Ok(cpu_bound(number).to_string())
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // <- new in cpu_processes. In a worker copy of this program this call
    // answers tasks until the parent closes the pipe, then exits; in the
    // parent it returns at once. It must come before anything else, so a
    // worker never parses flags or starts a pool of its own.
    serve_if_worker(|(): ()| (), worker_task);
    let args = Args::parse();
    args.pool.apply_to_every_pool();
    // The article's `[5_000_000 + x for x in range(20)]`.
    let numbers: Vec<u64> = (0..args.count).map(|x| args.start + x).collect();

    let timer = Timer::start();
    let sums = match find_sums(&numbers, args.workers) {
        // <- changed from cpu_sync: a process pool can fail, threads cannot
        Ok(sums) => sums,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let elapsed = timer.elapsed();

    // Every sum is checked against the closed formula n(n-1)(2n-1)/6 (in
    // support), after the timer stopped, so the check costs the timing nothing.
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
