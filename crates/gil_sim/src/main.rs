//! Python's GIL, rebuilt in Rust: cpu_threads plus one global lock to compute.
//!
//! Mirrors: "What is concurrency?", section "How to Speed Up a CPU-Bound
//!          Program" (the threading version, and why it gains nothing).
//! Run:     cargo run --release -p gil_sim [-- --no-gil]
//! Notice:  with the lock, 5 threads take as long as cpu_sync (the article:
//!          11.1 s sync, 10.7 s threads) and "most threads computing at once"
//!          is 1; with --no-gil the same threads overlap again.
//! Python -> Rust: the GIL -> `GIL`, a fair lock each thread holds to run
//!          "Python code" and gives back every --switch-interval iterations.
//!          `diff cpu_threads/src/main.rs gil_sim/src/main.rs` is the lesson.

use std::hint::black_box;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use clap::Parser;
use support::Timer;
use support::cli::workers;
use support::most_at_once::MostAtOnce; // <- changed from cpu_threads
use support::squares::{NumbersArgs, report_sums};

mod gil; // <- changed from cpu_threads

/// Sum the squares below each of COUNT consecutive numbers, on WORKERS threads under one GIL.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    numbers: NumbersArgs, // --start and --count, as in every cpu_*
    /// Number of threads (the article's `max_workers=5`).
    #[arg(long, default_value_t = 5, value_parser = workers)]
    workers: u32,
    #[command(flatten)] // <- changed from cpu_threads
    gil: gil::GilArgs, // <- changed from cpu_threads: --switch-interval and --no-gil
}

// <- changed from cpu_threads: the GIL (one per interpreter, so a global), and
// the threads inside `cpu_bound`'s loop with the most at once.
static GIL: gil::Gil = gil::Gil::new();
static COMPUTING: MostAtOnce = MostAtOnce::new();

/// The article's `cpu_bound`, as CPython runs it: the loop advances only while this thread
/// holds the GIL, given back every switch interval. (`u128`, `black_box`: see cpu_threads.)
#[tracing::instrument] // a span on --timeline's picture
fn cpu_bound(number: u64) -> u128 {
    // <- changed from cpu_threads: in slices, under the GIL
    let slice = GIL.switch_interval();
    let mut total = 0;
    for first in (0..number).step_by(slice as usize) {
        let _gil = GIL.acquire(); // no computing without the GIL
        let _computing = COMPUTING.enter(); // dropped first: out before the GIL goes
        for i in first..number.min(first.saturating_add(slice)) {
            let i = u128::from(black_box(i));
            total += i * i;
        }
    }
    total
}

/// The article's `find_sums`, on `workers` threads; results in input order,
/// and how many numbers each thread did (the pool itself is cpu_threads').
fn find_sums(numbers: &[u64], workers: u32) -> (Vec<u128>, Vec<usize>) {
    let next = AtomicUsize::new(0);
    let mut sums = vec![0; numbers.len()];
    let mut per_thread = Vec::new(); // <- changed from cpu_threads
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
            per_thread.push(done.len()); // <- changed from cpu_threads
            for (index, sum) in done {
                sums[index] = sum;
            }
        }
    });
    (sums, per_thread) // <- changed from cpu_threads
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    GIL.configure(!args.gil.no_gil, args.gil.switch_interval); // <- changed from cpu_threads
    let numbers = args.numbers.list(); // the article's `[5_000_000 + x for x in range(20)]`
    let (count, workers) = (numbers.len(), args.workers); // <- changed from cpu_threads
    println!("CPU-bound: {count} numbers on {workers} threads, {GIL}"); // <- changed from cpu_threads

    let timer = Timer::start();
    let (sums, per_thread) = find_sums(&numbers, args.workers); // <- changed from cpu_threads
    let elapsed = timer.elapsed();

    // <- changed from cpu_threads: what the GIL did, in three lines.
    let (most, handoffs) = (COMPUTING.most(), GIL.handoffs());
    println!("Most threads computing at once: {most}");
    if !args.gil.no_gil {
        println!("GIL handoffs between threads: {handoffs}");
    }
    println!("Numbers per thread: {per_thread:?}");
    // Untimed: checks every sum against the closed formula, prints their total.
    report_sums(env!("CARGO_PKG_NAME"), &numbers, &sums, elapsed)
        .extra("mode", "cpu") // <- changed from cpu_threads
        .extra("gil", !args.gil.no_gil) // <- changed from cpu_threads
        .extra("workers", args.workers)
        .extra("max_holders", most) // <- changed from cpu_threads
        .extra("handoffs", handoffs) // <- changed from cpu_threads
        .finish(format!("Duration {:.3} seconds", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};
    use support::squares::{check_sums, sum_of_squares_below};

    /// Run `f` on its own thread; the receiver gets its result, and a
    /// bounded wait on it fails (instead of hanging the suite) if a broken
    /// lock deadlocks.
    fn in_background<T: Send + 'static>(
        f: impl FnOnce() -> T + Send + 'static,
    ) -> mpsc::Receiver<T> {
        let (done, result) = mpsc::channel();
        thread::spawn(move || {
            let _ = done.send(f());
        });
        result
    }

    /// The only test that uses the global GIL (tests share it), with the
    /// GIL on. The binary's tests cover --no-gil.
    #[test]
    fn with_the_gil_one_thread_computes_at_a_time_and_all_take_turns() {
        GIL.configure(true, 1000);
        let numbers: Vec<u64> = (0..20).map(|x| 100_000 + x).collect();
        // This test holds the GIL until all 5 threads have claimed a number
        // and queued for it (at most a minute), so they really contend
        // however slowly the machine starts them.
        let held = GIL.acquire();
        let run = in_background({
            let numbers = numbers.clone();
            move || find_sums(&numbers, 5)
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        while GIL.tickets_out() < 6 {
            assert!(Instant::now() < deadline, "the threads never queued");
            thread::sleep(Duration::from_millis(1));
        }
        drop(held);
        let (sums, per_thread) = run
            .recv_timeout(Duration::from_secs(60))
            .expect("the run finished in 60 s (else: deadlock, or it panicked)");
        assert_eq!(check_sums(&numbers, &sums), 0);
        for (&number, &sum) in numbers.iter().zip(&sums) {
            assert_eq!(sum, sum_of_squares_below(number), "number {number}");
        }
        assert_eq!(per_thread.iter().sum::<usize>(), 20);
        assert!(per_thread.iter().all(|&done| done > 0), "{per_thread:?}");
        assert_eq!(COMPUTING.most(), 1, "two threads computed at once");
        // 2,000 slices on 5 threads: the GIL went round, again and again.
        let handoffs = GIL.handoffs();
        assert!(handoffs >= 5, "only {handoffs} handoffs");
        // sum(i * i for i in range(n)) for n = 0, 1, 2, 4: 0, 0, 1, 0+1+4+9.
        assert_eq!([0, 1, 2, 4].map(cpu_bound), [0, 0, 1, 14]);
    }
}
