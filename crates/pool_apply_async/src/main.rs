//! `apply_async` with a callback, on 50 worker processes: results arrive in
//! completion order.
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python"
//!          (LinkedIn notebook), section "Multiprocessing examples", the
//!          `# asynchronus multiprocessing` cell (`Pool(50)`, `add_to_res`).
//! Run:     cargo run --release -p pool_apply_async [-- --help]
//! Notice:  the first ten results are *not* 0 1 4 9 ...: the callback appends
//!          each result when its task finishes, and short sleeps finish
//!          first. With 50 workers the time drops towards the ideal line:
//!          the sleeps overlap 50 at a time. The article sleeps 100x longer
//!          (`--time-scale 1`).
//! Python -> Rust: `Pool(50)` -> `PoolBuilder::new(50)` (this same binary,
//!          started 50 times); `p.apply_async(cal_square, args=(i,),
//!          callback=add_to_res)` -> `pool.apply_async(i, add_to_res)`;
//!          `p.close(); p.join()` -> `pool.join()`. Python runs callbacks on a
//!          helper thread of the pool; ours run on the main thread inside
//!          `join`, so the result list needs no lock: `Rc<RefCell<..>>`.
//! A stopped (`kill -STOP`) or stuck worker hangs Python's `Pool` for good,
//! and ours too unless `--task-timeout SECS` fails its task and replaces it.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

use clap::Parser;
use support::cli::workers;
use support::pool::{PoolBuilder, TaskError, TaskTimeoutArg, serve_if_worker};
use support::sleeps::{Settings, sleep_for, time_scale};
use support::{Report, Timer};

/// Apply cal_square (a random sleep, then x*x) to 0..N with a callback each.
#[derive(Parser, Debug)]
#[command(about, long_about = None)]
struct Args {
    /// Worker processes (the article: Pool(50))
    #[arg(long, default_value_t = 50, value_parser = workers)]
    workers: u32,

    /// How many inputs: cal_square runs on 0..N (the article: 1000)
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    inputs: u64,

    /// Multiplies every sleep (the article's size is 1: tens of seconds; 0 to 10)
    #[arg(long, default_value_t = 0.01, value_parser = time_scale)]
    time_scale: f64,

    /// Seed for the random sleeps: the same seed gives the same run
    #[arg(long, default_value_t = 2024)]
    seed: u64,

    /// How many results to print (the article prints 10)
    #[arg(long, default_value_t = 10)]
    show: usize,

    #[command(flatten)]
    pool: TaskTimeoutArg,
}

/// The pool's initializer: each worker keeps the settings for its tasks.
fn set_settings(settings: Settings) -> Settings {
    settings
}

/// The article's `cal_square`, run inside a worker process.
fn cal_square(settings: &mut Settings, x: u64) -> Result<u64, String> {
    // The article's `time.sleep(random.random() * (1000 - x) / 200)`.
    std::thread::sleep(sleep_for(settings, x));
    Ok(x * x)
}

/// The ideal time: the longest chain of sleeps one worker runs when each
/// worker takes the next input as soon as it is free (what the pool does,
/// minus its overhead). Also the lower bound no schedule can beat: the
/// longest single sleep, or each worker's share of the total.
fn ideal(settings: &Settings, workers: u32) -> (Duration, Duration) {
    let sleeps: Vec<Duration> = (0..settings.inputs)
        .map(|x| sleep_for(settings, x))
        .collect();
    // When each worker is next free; the earliest on top.
    let mut free_at: BinaryHeap<Reverse<Duration>> =
        (0..workers).map(|_| Reverse(Duration::ZERO)).collect();
    for sleep in &sleeps {
        let Reverse(start) = free_at.pop().expect("there is at least one worker");
        free_at.push(Reverse(start + *sleep));
    }
    let chain = free_at
        .into_iter()
        .map(|Reverse(end)| end)
        .max()
        .unwrap_or_default();
    let longest = sleeps.iter().max().copied().unwrap_or_default();
    let total: Duration = sleeps.iter().sum();
    (chain, longest.max(total / workers))
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // A worker is this same program started by the pool: it serves
    // cal_square tasks here and exits, never reaching the code below.
    serve_if_worker(set_settings, cal_square);

    let args = Args::parse();
    let workers = args.workers;
    let settings = Settings {
        seed: args.seed,
        time_scale: args.time_scale,
        inputs: args.inputs,
    };
    println!(
        "seed {}, time scale {}, {workers} workers",
        args.seed, args.time_scale
    );

    let timer = Timer::start();
    let mut pool = match PoolBuilder::new(workers as usize)
        .initializer(&settings)
        .task_timeout(args.pool.get())
        .spawn()
    {
        Ok(pool) => pool,
        Err(error) => {
            eprintln!("could not start the worker processes: {error}");
            return ExitCode::FAILURE;
        }
    };
    let startup = timer.elapsed();
    // The article's `res` list. The callbacks and this function share it,
    // all on this one thread: Rc for sharing, RefCell for appending.
    let res: Rc<RefCell<Vec<u64>>> = Rc::default();
    let failed: Rc<RefCell<Vec<(u64, TaskError)>>> = Rc::default();
    for i in 0..args.inputs {
        let (res, failed) = (Rc::clone(&res), Rc::clone(&failed));
        // The article's `add_to_res`: called once per task, as it completes.
        let add_to_res = move |result: Result<u64, TaskError>| match result {
            Ok(square) => res.borrow_mut().push(square),
            Err(error) => failed.borrow_mut().push((i, error)),
        };
        pool.apply_async(i, add_to_res); // returns at once; the task runs in a worker
    }
    pool.join(); // wait for every task; the callbacks run here, in completion order
    drop(pool); // the workers exit and are reaped
    let elapsed = timer.elapsed();

    let res = res.take();
    let failed = failed.take();
    for (i, error) in &failed {
        eprintln!("cal_square({i}) failed: {error}");
    }
    let shown: Vec<String> = res.iter().take(args.show).map(u64::to_string).collect();
    println!("[{}]", shown.join(", "));
    if res.is_sorted() {
        println!("(this run happened to finish in input order)");
    } else {
        println!("(completion order, not input order: each callback ran as its task finished)");
    }

    let (chain, bound) = ideal(&settings, workers);
    println!(
        "ideal {:.3} s (longest chain of sleeps on one worker; no schedule beats {:.3} s); \
         starting the workers took {:.3} s",
        chain.as_secs_f64(),
        bound.as_secs_f64(),
        startup.as_secs_f64(),
    );
    let errors = failed.len() as u64;
    Report::new("pool_apply_async", elapsed)
        .items(res.len() as u64)
        .errors(errors)
        .extra("workers", workers)
        .extra("time_scale", args.time_scale)
        .extra("seed", args.seed)
        .extra("ideal_seconds", chain.as_secs_f64())
        .extra("lower_bound_seconds", bound.as_secs_f64())
        .extra("startup_seconds", startup.as_secs_f64())
        .finish(format!(
            "--- {} seconds --- (time scale {})",
            elapsed.as_secs_f64(),
            args.time_scale
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_sits_between_the_bound_and_the_total() {
        let s = Settings {
            seed: 7,
            time_scale: 1.0,
            inputs: 1000,
        };
        let total: Duration = (0..1000).map(|x| sleep_for(&s, x)).sum();
        let (one_chain, one_bound) = ideal(&s, 1);
        assert_eq!((one_chain, one_bound), (total, total));
        let (chain, bound) = ideal(&s, 50);
        assert!(bound <= chain && chain < total);
        // With more workers than inputs each sleep has its own worker.
        let longest = (0..1000).map(|x| sleep_for(&s, x)).max().unwrap();
        assert_eq!(ideal(&s, 2000), (longest, longest));
    }
}
