//! Python's GIL, rebuilt in Rust: threads that must hold one global lock to compute.
//!
//! Mirrors: "What is concurrency?", section "How to Speed Up a CPU-Bound
//!          Program" (the threading version, and why it gains nothing), and
//!          the GIL paragraphs of "Multiprocessing vs Multithreading vs Async
//!          IO" and "Multithreading, Multiprocessing, and Asyncio".
//! Run:     cargo run --release -p gil_sim [-- --help]
//!          cargo run --release -p gil_sim -- --no-gil
//!          cargo run --release -p gil_sim -- --io
//! Notice:  this is cpu_threads plus one lock. With the lock, 5 threads take
//!          as long as cpu_sync (the article: 11.1 s sync, 10.7 s threads) and
//!          "most threads computing at once" is 1. With --no-gil the same
//!          threads run in parallel and that figure reaches the thread count.
//!          With --io the threads sleep without the lock, like CPython threads
//!          blocked in a socket read, so the waits overlap even with the GIL.
//! Python -> Rust: the GIL -> a `Gil` struct: a fair (first come, first
//!          served) lock every thread takes before running "Python code" and
//!          gives back every --switch-interval iterations, the way CPython
//!          makes the running thread drop the GIL so another can run.

use std::hint::black_box;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use clap::Parser;
use support::squares::{MAX_NUMBER, check_sums};
use support::{Report, Timer};

/// Sum the squares below each of COUNT consecutive numbers, on WORKERS threads
/// that share one global interpreter lock.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The first number (the article uses 5,000,000).
    #[arg(long, default_value_t = 5_000_000, value_parser = clap::value_parser!(u64).range(1..=MAX_NUMBER))]
    start: u64,

    /// How many consecutive numbers to sum up to (the article uses 20);
    /// with --io, how many simulated requests.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    count: u64,

    /// Number of threads (the article's `max_workers=5`).
    #[arg(long, default_value_t = 5, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=256))]
    workers: usize,

    /// A thread gives the GIL back after this many iterations of its loop.
    ///
    /// CPython's rule is time-based: a waiting thread asks the holder to let
    /// go after 5 ms (`sys.getswitchinterval()`), about 45,000 iterations of
    /// this loop in CPython. Here one iteration costs under a nanosecond, so
    /// 5 ms would be millions, more than a whole number; and reading the
    /// clock in the loop would cost more than the work, hence a count. The
    /// default is a slice of about 0.65 ms on a 2-core cloud VM, 5 handoffs per
    /// number. Every handoff costs a thread wake-up (tens of microseconds):
    /// try 5000 to watch the lock itself eat the time.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    switch_interval: u64,

    /// Run without the GIL: the threads compute in parallel (like cpu_threads,
    /// or a free-threaded CPython 3.13t build).
    #[arg(long)]
    no_gil: bool,

    /// I/O-bound mode: each of COUNT tasks sleeps --sleep-ms, holding the GIL
    /// only to start and to finish, not while it waits.
    #[arg(long)]
    io: bool,

    /// With --io, how long each simulated request waits, in milliseconds.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    sleep_ms: u64,
}

/// The simulated global interpreter lock.
///
/// Why not a plain `Mutex<()>`? Because std's mutex is not fair: a thread
/// that unlocks and at once locks again nearly always wins, since the thread
/// it woke is still being scheduled. In an experiment on a 2-core Linux
/// machine with 5 threads releasing every 5000 iterations, the same thread
/// got the lock back about 99 times in 100, so one thread ran while four
/// starved; `thread::yield_now()` after unlocking still left one re-grab in
/// five. CPython avoids this (since 3.2)
/// by making a thread that was asked to drop the GIL wait until another
/// thread has taken it. We get the same effect with a ticket lock: each
/// thread takes a numbered ticket and waits for its number to be served, so
/// the GIL passes round-robin to whoever has waited longest.
struct Gil {
    /// `false` for --no-gil: `acquire` only does the bookkeeping.
    enabled: bool,
    turns: Mutex<Turns>,
    /// Signalled whenever `now_serving` moves on.
    turn_changed: Condvar,
    /// Threads inside the "running Python code" section right now, and the
    /// most seen at once: the timing-free proof of how parallel the run was.
    /// Raised after the lock is taken and lowered before it is given back,
    /// so with the GIL it can never exceed 1 unless the lock is broken.
    holders: AtomicUsize,
    max_holders: AtomicUsize,
    /// Where the threads line up before the race, so what the counters show
    /// does not depend on how the OS happens to schedule a short run:
    /// - with the GIL, the first thread to get it keeps it until every other
    ///   thread is queued for it: they all really contend for one lock;
    /// - without it, each thread's first slice waits at a barrier until every
    ///   thread is inside its first slice, so `max_holders` reaches the thread
    ///   count. (With the GIL that barrier would never open: only one thread
    ///   can get past the lock. That is the whole point of a GIL.)
    start_line: Option<StartLine>,
}

struct Turns {
    next_ticket: u64,
    now_serving: u64,
    /// Who held the GIL last, to count handoffs between threads.
    last_holder: Option<usize>,
    handoffs: u64,
}

struct StartLine {
    /// How many threads line up: one per thread that gets a first task,
    /// i.e. min(workers, tasks). Every task starts by asking for the GIL, and
    /// no thread can finish a task (and take a second one) before the start,
    /// so the first `runners` requests come from distinct threads.
    runners: usize,
    /// Without the GIL: the barrier, and how many requests have reached it.
    barrier: Barrier,
    entries: AtomicUsize,
}

/// Proof of holding the GIL; dropping it gives the GIL to the next thread.
struct GilGuard<'a> {
    gil: &'a Gil,
}

impl Gil {
    fn new(enabled: bool, workers: usize, tasks: usize) -> Self {
        let runners = workers.min(tasks);
        Gil {
            enabled,
            turns: Mutex::new(Turns {
                next_ticket: 0,
                now_serving: 0,
                last_holder: None,
                handoffs: 0,
            }),
            turn_changed: Condvar::new(),
            holders: AtomicUsize::new(0),
            max_holders: AtomicUsize::new(0),
            start_line: (runners > 0).then(|| StartLine {
                runners,
                barrier: Barrier::new(runners),
                entries: AtomicUsize::new(0),
            }),
        }
    }

    /// The bookkeeping never panics half-way, so a poisoned lock (some
    /// other thread panicked) still holds consistent numbers.
    fn turns(&self) -> std::sync::MutexGuard<'_, Turns> {
        self.turns.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wait for our turn, then enter the "running Python code" section.
    fn acquire(&self, worker: usize) -> GilGuard<'_> {
        if self.enabled {
            let mut turns = self.turns();
            let ticket = turns.next_ticket;
            turns.next_ticket += 1;
            let runners = self
                .start_line
                .as_ref()
                .map_or(0, |start| start.runners as u64);
            if turns.next_ticket <= runners {
                // Still lining up: tell the first holder one more is queued.
                self.turn_changed.notify_all();
            }
            // Sleep (not spin) until our number comes up, like a CPython
            // thread waiting on the GIL's condition variable.
            let mut turns = self
                .turn_changed
                .wait_while(turns, |turns| turns.now_serving != ticket)
                .unwrap_or_else(PoisonError::into_inner);
            if ticket == 0 {
                // The start line: hold on to the GIL until every runner is
                // queued behind us (`wait_while` lets go of `turns`, not of
                // the GIL, while it sleeps).
                turns = self
                    .turn_changed
                    .wait_while(turns, |turns| turns.next_ticket < runners)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if turns.last_holder.is_some_and(|last| last != worker) {
                turns.handoffs += 1;
            }
            turns.last_holder = Some(worker);
        }
        let now = self.holders.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_holders.fetch_max(now, Ordering::SeqCst);
        if let Some(start) = &self.start_line
            && !self.enabled
            && start.entries.fetch_add(1, Ordering::SeqCst) < start.runners
        {
            start.barrier.wait();
        }
        GilGuard { gil: self }
    }

    fn max_holders(&self) -> usize {
        self.max_holders.load(Ordering::SeqCst)
    }

    fn handoffs(&self) -> u64 {
        self.turns().handoffs
    }
}

impl Drop for GilGuard<'_> {
    fn drop(&mut self) {
        let gil = self.gil;
        gil.holders.fetch_sub(1, Ordering::SeqCst);
        if gil.enabled {
            gil.turns().now_serving += 1;
            // Everyone waiting checks whether the new number is theirs; with
            // a handful of threads that is cheaper to read than a queue of
            // per-thread signals.
            gil.turn_changed.notify_all();
        }
    }
}

/// The article's `cpu_bound`, as CPython runs it: the loop only advances
/// while this thread holds the GIL, and gives it back every
/// `switch_interval` iterations so the other threads get a turn.
///
/// The sum is a `u128` because for 5,000,019 it is about 4.2e19, above
/// `u64::MAX` (Python's ints never overflow), and every element goes through
/// `black_box` or LLVM would replace the loop by n(n-1)(2n-1)/6 (see cpu_sync).
fn cpu_bound(number: u64, gil: &Gil, worker: usize, switch_interval: u64) -> u128 {
    let mut total = 0;
    let mut i = 0;
    while i < number {
        let _gil = gil.acquire(worker); // <- new: no computing without the GIL
        let end = number.min(i.saturating_add(switch_interval));
        total += (i..end)
            .map(|i| {
                let i = u128::from(black_box(i));
                i * i
            })
            .sum::<u128>();
        i = end;
        // `_gil` is dropped here: the GIL goes to the next thread in line,
        // and this thread queues again at the back.
    }
    total
}

/// cpu_threads' `find_sums`: `workers` threads take numbers from a shared
/// index until none is left; sums come back in input order. Also returns how
/// many numbers each thread did, to show that every thread had its turn.
fn find_sums(
    numbers: &[u64],
    workers: usize,
    gil: &Gil,
    switch_interval: u64,
) -> (Vec<u128>, Vec<usize>) {
    let next = AtomicUsize::new(0);
    let mut sums = vec![0; numbers.len()];
    let mut per_worker = vec![0; workers];
    thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let next = &next;
                scope.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&number) = numbers.get(index) else {
                            break; // the queue is empty
                        };
                        done.push((index, cpu_bound(number, gil, worker, switch_interval)));
                    }
                    done
                })
            })
            .collect();
        for (worker, handle) in handles.into_iter().enumerate() {
            // A thread only fails by panicking; pass the panic on unchanged.
            let done = handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            per_worker[worker] = done.len();
            for (index, sum) in done {
                sums[index] = sum;
            }
        }
    });
    (sums, per_worker)
}

/// Counts threads inside their I/O wait, and the most at once.
#[derive(Default)]
struct Sleepers {
    now: AtomicUsize,
    max: AtomicUsize,
}

/// One simulated request, as a CPython thread runs it: a little Python code
/// to send it (GIL held), a wait for the answer (GIL released: CPython drops
/// it around every blocking system call), a little code to read the reply.
fn io_bound(gil: &Gil, worker: usize, wait: Duration, sleepers: &Sleepers) {
    drop(gil.acquire(worker)); // build and send the request
    let now = sleepers.now.fetch_add(1, Ordering::SeqCst) + 1;
    sleepers.max.fetch_max(now, Ordering::SeqCst);
    thread::sleep(wait); // the GIL is free while we wait
    sleepers.now.fetch_sub(1, Ordering::SeqCst);
    drop(gil.acquire(worker)); // parse the response
}

/// Run `tasks` simulated requests on `workers` threads; returns how many
/// tasks each thread did.
fn find_waits(
    tasks: usize,
    workers: usize,
    gil: &Gil,
    wait: Duration,
    sleepers: &Sleepers,
) -> Vec<usize> {
    let next = AtomicUsize::new(0);
    thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let next = &next;
                scope.spawn(move || {
                    let mut done = 0;
                    while next.fetch_add(1, Ordering::Relaxed) < tasks {
                        io_bound(gil, worker, wait, sleepers);
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    let gil_state = if args.no_gil {
        "GIL off".to_string()
    } else if args.io {
        "GIL on".to_string()
    } else {
        format!("GIL on (switch every {} iterations)", args.switch_interval)
    };
    let report_name = env!("CARGO_PKG_NAME");

    if args.io {
        let tasks = usize::try_from(args.count).expect("--count is at most 10,000");
        let gil = Gil::new(!args.no_gil, args.workers, tasks);
        let sleepers = Sleepers::default();
        println!(
            "I/O-bound: {tasks} tasks waiting {} ms each on {} threads, {gil_state}",
            args.sleep_ms, args.workers
        );
        let timer = Timer::start();
        let per_worker = find_waits(
            tasks,
            args.workers,
            &gil,
            Duration::from_millis(args.sleep_ms),
            &sleepers,
        );
        let elapsed = timer.elapsed();
        let max_sleepers = sleepers.max.load(Ordering::SeqCst);
        println!(
            "Most threads holding the GIL at once: {}",
            gil.max_holders()
        );
        println!("Most threads waiting on I/O at once: {max_sleepers}");
        println!("Tasks per thread: {per_worker:?}");
        return Report::new(report_name, elapsed)
            .items(args.count)
            .extra("mode", "io")
            .extra("gil", !args.no_gil)
            .extra("workers", args.workers)
            .extra("max_holders", gil.max_holders())
            .extra("max_sleepers", max_sleepers)
            .finish(format!("Duration {:.3} seconds", elapsed.as_secs_f64()));
    }

    // The article's `[5_000_000 + x for x in range(20)]`.
    let numbers: Vec<u64> = (0..args.count).map(|x| args.start + x).collect();
    let gil = Gil::new(!args.no_gil, args.workers, numbers.len());
    println!(
        "CPU-bound: {} numbers on {} threads, {gil_state}",
        numbers.len(),
        args.workers
    );

    let timer = Timer::start();
    let (sums, per_worker) = find_sums(&numbers, args.workers, &gil, args.switch_interval);
    let elapsed = timer.elapsed();

    // Every sum is checked against the closed formula n(n-1)(2n-1)/6 (in
    // support), after the timer stopped, so the check costs the timing nothing.
    let errors = check_sums(&numbers, &sums);
    let total: u128 = sums.iter().sum();
    println!("Most threads computing at once: {}", gil.max_holders());
    if !args.no_gil {
        println!("GIL handoffs between threads: {}", gil.handoffs());
    }
    println!("Numbers per thread: {per_worker:?}");
    println!("Total of the {} sums: {total}", numbers.len());
    Report::new(report_name, elapsed)
        .items(numbers.len() as u64)
        .errors(errors)
        .extra("mode", "cpu")
        .extra("gil", !args.no_gil)
        .extra("workers", args.workers)
        .extra("max_holders", gil.max_holders())
        .extra("handoffs", gil.handoffs())
        // A JSON number cannot hold a u128 exactly: send the digits as text.
        .extra("total", total.to_string())
        .finish(format!("Duration {:.3} seconds", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use support::squares::sum_of_squares_below;

    /// Small numbers keep the debug-build test fast; the arithmetic is the same.
    fn small_numbers() -> Vec<u64> {
        (0..20).map(|x| 10_000 + x).collect()
    }

    /// Run `f` on its own thread and fail (instead of hanging the suite) if
    /// it does not finish: a broken lock shows up as a deadlock.
    fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (done, result) = mpsc::channel();
        thread::spawn(move || {
            let _ = done.send(f());
        });
        result
            .recv_timeout(Duration::from_secs(60))
            .expect("the run did not finish in 60 s: deadlock, or it panicked")
    }

    fn assert_sums_are_right(numbers: &[u64], sums: &[u128]) {
        assert_eq!(sums.len(), numbers.len());
        for (&number, &sum) in numbers.iter().zip(sums) {
            assert_eq!(sum, sum_of_squares_below(number), "number {number}");
        }
        assert_eq!(check_sums(numbers, sums), 0);
    }

    #[test]
    fn with_the_gil_one_thread_computes_at_a_time() {
        let (sums, per_worker, max_holders, handoffs) = within_a_minute(|| {
            let numbers = small_numbers();
            let gil = Gil::new(true, 5, numbers.len());
            // 10 slices per number: 200 chances to break mutual exclusion.
            let (sums, per_worker) = find_sums(&numbers, 5, &gil, 1000);
            (sums, per_worker, gil.max_holders(), gil.handoffs())
        });
        assert_sums_are_right(&small_numbers(), &sums);
        assert_eq!(per_worker.iter().sum::<usize>(), 20);
        assert_eq!(max_holders, 1, "two threads held the GIL at once");
        // And the threads did contend: thanks to the start line all 5 were
        // queued for the GIL at once, each had a number, and the GIL went
        // round all of them at least once.
        assert!(per_worker.iter().all(|&done| done > 0), "{per_worker:?}");
        assert!(handoffs >= 4, "only {handoffs} handoffs");
    }

    #[test]
    fn without_the_gil_every_thread_computes_at_once() {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        if cores < 2 {
            eprintln!("skipped: this machine has {cores} core; parallel threads need 2 or more");
            return;
        }
        for workers in [2, 5] {
            let (sums, max_holders) = within_a_minute(move || {
                let numbers = small_numbers();
                let gil = Gil::new(false, workers, numbers.len());
                let (sums, _) = find_sums(&numbers, workers, &gil, 1000);
                (sums, gil.max_holders())
            });
            assert_sums_are_right(&small_numbers(), &sums);
            assert_eq!(max_holders, workers, "{workers} threads");
        }
        // More threads than numbers: only 3 get a number, so at most 3 meet.
        let (sums, max_holders) = within_a_minute(|| {
            let numbers: Vec<u64> = vec![10_000, 10_001, 10_002];
            let gil = Gil::new(false, 5, numbers.len());
            let (sums, per_worker) = find_sums(&numbers, 5, &gil, 1000);
            assert_eq!(per_worker.iter().sum::<usize>(), 3);
            (sums, gil.max_holders())
        });
        assert_sums_are_right(&[10_000, 10_001, 10_002], &sums);
        assert_eq!(max_holders, 3);
    }

    #[test]
    fn the_gil_is_handed_over_first_come_first_served() {
        // One runner: no start line to wait at, this test lines threads up
        // itself.
        let gil = Gil::new(true, 1, 1);
        // Pushed while holding the GIL, so this is the order it was held in.
        let order = Mutex::new(Vec::new());
        let hold = |worker: usize| {
            let _gil = gil.acquire(worker);
            order
                .lock()
                .expect("no thread panics while pushing")
                .push(worker);
        };
        let waiting = || {
            let turns = gil.turns();
            turns.next_ticket - turns.now_serving
        };
        thread::scope(|scope| {
            let first = gil.acquire(0);
            order
                .lock()
                .expect("no thread panics while pushing")
                .push(0);
            // Thread 1 queues, then thread 2 (the main thread waits until
            // the ticket counter shows each one is in line).
            scope.spawn(|| hold(1));
            while waiting() < 2 {
                thread::yield_now();
            }
            scope.spawn(|| hold(2));
            while waiting() < 3 {
                thread::yield_now();
            }
            // Thread 0 gives the GIL back and asks again at once: a plain
            // Mutex would usually let it win; the ticket lock puts it last.
            drop(first);
            hold(0);
        });
        let order = order.into_inner().expect("no thread panics while pushing");
        assert_eq!(order, vec![0, 1, 2, 0]);
        assert_eq!(gil.max_holders(), 1);
    }

    #[test]
    fn io_waits_overlap_even_with_the_gil() {
        for gil_on in [true, false] {
            let (per_worker, max_holders, max_sleepers) = within_a_minute(move || {
                let gil = Gil::new(gil_on, 5, 10);
                let sleepers = Sleepers::default();
                // Two waves of 5 tasks. The 300 ms wait is only a margin:
                // all 5 threads must start waiting within 300 ms of each
                // other, which takes microseconds unless the machine stalls.
                let per_worker = find_waits(10, 5, &gil, Duration::from_millis(300), &sleepers);
                (
                    per_worker,
                    gil.max_holders(),
                    sleepers.max.load(Ordering::SeqCst),
                )
            });
            assert_eq!(per_worker.iter().sum::<usize>(), 10);
            assert_eq!(max_sleepers, 5, "gil {gil_on}: waits did not overlap");
            if gil_on {
                assert_eq!(max_holders, 1);
            }
        }
    }
}
