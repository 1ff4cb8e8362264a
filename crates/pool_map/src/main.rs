//! `Pool.map` over 1000 random sleeps: every CPU busy, results in input order.
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python"
//!          (LinkedIn notebook), section "Multiprocessing examples", the
//!          `p.map(cal_square, ...)` cell.
//! Run:     cargo run --release -p pool_map [-- --help]
//! Notice:  the first ten results come back as 0 1 4 9 ... although the
//!          tasks finish in a scrambled order: `map` puts every result back
//!          in its input's place. The time is close to the ideal line (total
//!          sleep / workers): the workers never wait for one another.
//!          The article sleeps 100x longer (`--time-scale 1`, minutes).
//! Python -> Rust: `Pool()` -> `support::pool::PoolBuilder`, which starts
//!          this same binary again as workers (Rust has no fork-based pool);
//!          `p.map(cal_square, range(1000))` -> `pool.map((0..1000).collect())`.
//!          Python sends tasks in chunks (25 per trip here); our pool sends
//!          one at a time, so a long sleep never holds up a chunk behind it.
//!          `random.random()` -> a generator seeded by (`--seed`, x), so the
//!          worker that runs x draws the same sleep the parent computes its
//!          ideal from, and a run repeats exactly.
//! A stopped (`kill -STOP`) or stuck worker hangs Python's `Pool` for good,
//! and ours too unless `--task-timeout SECS` fails its task and replaces it.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use support::cli::workers;
use support::pool::{PoolBuilder, TaskTimeoutArg, serve_if_worker};
use support::sleeps::{Settings, sleep_for, time_scale};
use support::{Report, Timer};

/// Map cal_square (a random sleep, then x*x) over 0..N with a process pool.
#[derive(Parser, Debug)]
#[command(about, long_about = None)]
struct Args {
    /// Worker processes [default: the number of CPUs, as Pool()]
    #[arg(long, value_parser = workers)]
    workers: Option<u32>,

    /// How many inputs: cal_square runs on 0..N (the article: 1000)
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    inputs: u64,

    /// Multiplies every sleep (the article's size is 1: minutes; 0 to 10)
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

/// The best any schedule could do: no worker can finish before the longest
/// single sleep, nor before its share of the total sleep.
fn ideal(settings: &Settings, workers: u32) -> (Duration, Duration, Duration) {
    let sleeps: Vec<Duration> = (0..settings.inputs)
        .map(|x| sleep_for(settings, x))
        .collect();
    let total: Duration = sleeps.iter().sum();
    let longest = sleeps.iter().max().copied().unwrap_or_default();
    (total, longest, longest.max(total / workers))
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // A worker is this same program started by the pool: it serves
    // cal_square tasks here and exits, never reaching the code below.
    serve_if_worker(set_settings, cal_square);

    let args = Args::parse();
    let cpus = support::cli::cpu_count_default() as u32;
    let workers = args.workers.unwrap_or(cpus);
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
    // The whole lesson: one call, and the results come back in input order.
    let res = pool.map((0..args.inputs).collect());
    drop(pool); // p.close(); p.join(): the workers exit and are reaped
    let elapsed = timer.elapsed();

    let mut errors = 0;
    for (x, result) in res.iter().enumerate() {
        if let Err(error) = result {
            errors += 1;
            eprintln!("cal_square({x}) failed: {error}");
        }
    }
    let shown: Vec<String> = res
        .iter()
        .take(args.show)
        .map(|r| r.as_ref().map_or("error".to_string(), u64::to_string))
        .collect();
    println!("[{}]", shown.join(", "));

    let (total, longest, best) = ideal(&settings, workers);
    println!(
        "ideal {:.3} s = max(longest sleep {:.3} s, total sleep {:.3} s / {workers} workers); \
         starting the workers took {:.3} s",
        best.as_secs_f64(),
        longest.as_secs_f64(),
        total.as_secs_f64(),
        startup.as_secs_f64(),
    );
    Report::new("pool_map", elapsed)
        .items(args.inputs - errors)
        .errors(errors)
        .extra("workers", workers)
        .extra("time_scale", args.time_scale)
        .extra("seed", args.seed)
        .extra("ideal_seconds", best.as_secs_f64())
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

    fn settings(seed: u64) -> Settings {
        Settings {
            seed,
            time_scale: 1.0,
            inputs: 1000,
        }
    }

    #[test]
    fn the_ideal_is_the_larger_of_longest_sleep_and_fair_share() {
        let s = settings(7);
        let (total, longest, one) = ideal(&s, 1);
        assert_eq!(one, total);
        let (_, _, many) = ideal(&s, 100_000);
        assert_eq!(many, longest);
    }
}
