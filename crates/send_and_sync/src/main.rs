//! asyncio's "no thread-safety worries", in Rust: true on one thread, checked
//! by the compiler on many.
//!
//! Mirrors: "Multiprocessing vs Multithreading vs Async IO", sections "Async
//!          IO" and "Asyncio (The Python library)" (no need to make code
//!          thread-safe). What does not compile is in src/lib.rs (doc tests).
//! Run:     cargo run --release -p send_and_sync [-- --help]
//! Notice:  one tally twice: `Rc<RefCell>` on a one-thread loop, `Arc<Mutex>`
//!          on a multi-thread runtime. Swap them and it does not compile.
//! Python -> Rust: asyncio's single thread -> a current-thread runtime with
//!          `spawn_local`; sharing across threads -> `Arc` + `Mutex`, checked.

use std::cell::RefCell;
use std::collections::HashSet;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use support::cli::workers;
use support::{Report, Timer};

/// Count finished tasks in shared state: on one thread, then on many.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// Tasks in each world
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    tasks: u64,

    /// Worker threads of the multi-thread runtime
    #[arg(long, default_value_t = 4, value_parser = workers)]
    workers: u32,
}

/// asyncio's world: one thread, so `Rc` and `RefCell` are enough. Nothing
/// here is `Send`, and nothing needs to be: `spawn_local` keeps every task
/// on this thread, and a task only lets go of the thread at `.await`.
fn one_thread(tasks: u64) -> std::io::Result<u64> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let done = Rc::new(RefCell::new(0u64));
    let local = tokio::task::LocalSet::new();
    for _ in 0..tasks {
        let done = Rc::clone(&done);
        local.spawn_local(async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            // No `.await` while borrowed: no other task can see it half done.
            *done.borrow_mut() += 1;
        });
    }
    runtime.block_on(local);
    Ok(*done.borrow())
}

/// tokio's default world: tasks move between worker threads, so shared
/// state is `Arc` (a thread-safe count of owners) and `Mutex` (a
/// thread-safe `RefCell`). The lock is let go before every `.await`.
fn many_threads(tasks: u64, workers: u32) -> std::io::Result<(u64, usize)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers as usize)
        .enable_time()
        .build()?;
    let done = Arc::new(Mutex::new((0u64, HashSet::new())));
    runtime.block_on(async {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let done = Arc::clone(&done);
                tokio::spawn(async move {
                    // Where the task starts and where it resumes after the
                    // `.await` may be two different threads.
                    let started_on = std::thread::current().id();
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    let mut done = done.lock().unwrap_or_else(|p| p.into_inner());
                    done.0 += 1;
                    done.1.insert(started_on);
                    done.1.insert(std::thread::current().id());
                })
            })
            .collect();
        for handle in handles {
            let _ = handle.await; // a task that panicked is simply not counted
        }
    });
    let done = done.lock().unwrap_or_else(|p| p.into_inner());
    Ok((done.0, done.1.len()))
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    let timer = Timer::start();
    let (local_total, (shared_total, threads)) = match one_thread(args.tasks)
        .and_then(|l| Ok((l, many_threads(args.tasks, args.workers)?)))
    {
        Ok(totals) => totals,
        Err(err) => {
            eprintln!("error: could not start a tokio runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let (tasks, workers) = (args.tasks, args.workers);
    println!("one thread, Rc<RefCell<u64>>:  {local_total} of {tasks} tasks counted");
    println!(
        "{workers} workers, Arc<Mutex<u64>>:    {shared_total} of {tasks} tasks counted, on {threads} thread(s)"
    );
    let elapsed = timer.elapsed();
    let missing = 2 * args.tasks - local_total - shared_total;
    Report::new("send_and_sync", elapsed)
        .items(local_total + shared_total)
        .errors(missing)
        .extra("threads", threads)
        .finish(format!("executed in {:0.2}s.", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_worlds_count_every_task() {
        assert_eq!(one_thread(50).unwrap(), 50);
        let (total, threads) = many_threads(50, 2).unwrap();
        assert_eq!(total, 50);
        assert!((1..=2).contains(&threads), "{threads} threads");
    }
}
