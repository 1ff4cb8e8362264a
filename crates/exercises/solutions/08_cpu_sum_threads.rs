//! Exercise 08: split a CPU-bound sum over threads, and keep it exact.
//!
//! Read first: the Real-Python-style notebook, "How to Speed Up a CPU-Bound
//! Program"; then
//! `cargo run -p cpu_threads` and its main.rs.
//!
//! What to do: `cpu_bound` adds up i * i for i below `number` (the
//! notebook's `sum(i * i for i in range(number))`), splitting the range
//! into THREADS chunks, one thread each. Python's integers grow as needed;
//! Rust's do not: for the notebook's 5,000,019 the sum is about 4.2e19,
//! more than a `u64` holds (1.8e19), and this debug build panics with
//! "attempt to add with overflow" instead of wrapping silently. Make every
//! sum that can grow that large a `u128`.
//!
//! What the check proves: the total equals the closed formula
//! n(n-1)(2n-1)/6, and the chunks ran on THREADS distinct threads.

use std::ops::Range;
use std::thread;

/// The sum of i * i over one chunk of the range.
fn sum_of_squares(chunk: Range<u64>) -> u128 {
    note_worker();
    // A chunk's sum can pass u64::MAX too, so it is a u128 from the start.
    let mut total = 0;
    for i in chunk {
        total += u128::from(i) * u128::from(i);
    }
    total
}

/// The sum of i * i for i in 0..number, on THREADS threads.
fn cpu_bound(number: u64) -> u128 {
    let size = number.div_ceil(THREADS as u64);
    thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS as u64)
            .map(|t| {
                let chunk = (t * size).min(number)..((t + 1) * size).min(number);
                scope.spawn(move || sum_of_squares(chunk))
            })
            .collect();
        let mut total = 0;
        for worker in workers {
            total += worker.join().expect("a chunk does not panic");
        }
        total
    })
}

// ---- The check: leave everything below as it is. ----

use std::sync::Mutex;
use std::thread::ThreadId;

const THREADS: usize = 4;

static WORKERS: Mutex<Vec<ThreadId>> = Mutex::new(Vec::new());

/// Call once per chunk, on the thread that sums it.
fn note_worker() {
    WORKERS
        .lock()
        .expect("no thread panics while noting its id")
        .push(thread::current().id());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sum_is_exact_and_split_over_threads() {
        let number: u64 = 5_000_019;
        let n = u128::from(number);
        assert_eq!(
            cpu_bound(number),
            n * (n - 1) * (2 * n - 1) / 6,
            "cpu_bound({number})"
        );
        let ids = WORKERS.lock().expect("no chunk panicked").clone();
        let mut distinct: Vec<String> = ids.iter().map(|id| format!("{id:?}")).collect();
        distinct.sort();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            THREADS,
            "the sum was split over {} thread(s), not {THREADS}: {ids:?}",
            distinct.len()
        );
        assert_eq!(
            ids.len(),
            THREADS,
            "note_worker should be called once per chunk: {ids:?}"
        );
        assert!(
            !ids.contains(&thread::current().id()),
            "a chunk ran on the caller's thread"
        );
    }
}
