//! `Pool.map` over 1000 random sleeps: every worker busy, results in input order.
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python" (LinkedIn
//!          notebook), "Multiprocessing examples", the `p.map(cal_square, ...)` cell.
//! Run:     cargo run --release -p pool_map [-- --help]
//! Notice:  the results read 0 1 4 9 ... although the tasks finish scrambled:
//!          `map` puts each result in its input's place. The time is near the
//!          ideal (total sleep / workers): no worker waits for another.
//! Python -> Rust: `Pool()` -> `support::pool::PoolBuilder`, which starts this
//!          binary again as workers; `p.map(cal_square, ...)` -> `p.map(...)`.
//!          Chunks, seeded sleeps, `--task-timeout`: notebooks-equivalent/000.

use std::process::ExitCode;

use clap::Parser;
use support::cli::{cpu_count_default, workers};
use support::pool::{PoolBuilder, TaskTimeoutArg, serve_if_worker};
use support::sleeps::{self, PoolSleepArgs, sleep_for};
use support::{Report, Timer};

/// Map cal_square (a random sleep, then x*x) over 0..N with a process pool.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// Worker processes [default: the number of CPUs, as Pool()]
    #[arg(long, value_parser = workers)]
    workers: Option<u32>,
    #[command(flatten)]
    sleeps: PoolSleepArgs,
    #[command(flatten)]
    pool: TaskTimeoutArg,
}

/// The article's `cal_square`, run inside a worker process.
#[tracing::instrument] // a span on --timeline's picture
fn cal_square(x: u64) -> u64 {
    // `time.sleep(random.random() * (1000 - x) / 200)`: 1000 is --inputs; times --time-scale.
    std::thread::sleep(sleep_for(x));
    x * x
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // In a worker (this program, started by the pool): serve cal_square, exit.
    serve_if_worker(sleeps::fix, |_, x| Ok(cal_square(x)));
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    let workers = args.workers.unwrap_or(cpu_count_default());
    let (inputs, seed, scale) = (args.sleeps.inputs, args.sleeps.seed, args.sleeps.time_scale);
    sleeps::fix(args.sleeps.settings());
    println!("seed {seed}, time scale {scale}, {workers} workers");

    let timer = Timer::start();
    let mut p = PoolBuilder::new(workers as usize)
        .initializer(&args.sleeps.settings())
        .task_timeout(args.pool.get())
        .spawn_or_exit();
    let startup = timer.secs();
    // The whole lesson: one call, and the results come back in input order.
    let res = p.map((0..inputs).collect());
    drop(p); // p.close(); p.join(): the workers exit and are reaped
    let elapsed = timer.elapsed();
    let seconds = elapsed.as_secs_f64();

    let mut errors = 0;
    for (x, result) in res.iter().enumerate() {
        if let Err(error) = result {
            errors += 1;
            eprintln!("cal_square({x}) failed: {error}");
        }
    }
    let shown = res.iter().take(args.sleeps.show);
    let shown: Vec<String> = shown
        .map(|r| r.as_ref().map_or("error".into(), u64::to_string))
        .collect();
    println!("[{}]", shown.join(", "));
    // The best any schedule could do: no worker ends before the longest
    // single sleep, nor before its share of the total sleep.
    let ideal = sleeps::ideal(workers);
    let (best, longest, total) = (ideal.bound, ideal.longest, ideal.total);
    println!(
        "ideal {best:.3} s = max(longest sleep {longest:.3} s, total sleep {total:.3} s / \
         {workers} workers); starting the workers took {startup:.3} s"
    );
    Report::new("pool_map", elapsed)
        .items(inputs - errors)
        .errors(errors)
        .extra("workers", workers)
        .extra("time_scale", scale)
        .extra("seed", seed)
        .extra("ideal_seconds", best)
        .extra("startup_seconds", startup)
        .finish(format!("--- {seconds} seconds --- (time scale {scale})"))
}
