//! `apply_async` with a callback, on 50 worker processes: results arrive in
//! completion order.
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python" (LinkedIn
//!          notebook), the `# asynchronus multiprocessing` cell (`Pool(50)`).
//! Run:     cargo run --release -p pool_apply_async [-- --help]
//! Notice:  the results are *not* 0 1 4 9 ...: the callback appends each one
//!          as its task finishes, short sleeps first. 50 workers overlap 50
//!          sleeps, so the time drops towards the ideal line.
//! Python -> Rust: `p.apply_async(cal_square, args=(i,), callback=add_to_res)`
//!          -> `p.apply_async(i, add_to_res)`; more: notebooks-equivalent/000.

use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;

use clap::Parser;
use support::cli::workers;
use support::pool::{PoolBuilder, TaskError, TaskTimeoutArg, serve_if_worker};
use support::sleeps::{self, PoolSleepArgs, sleep_for};
use support::{Report, Timer};

/// Apply cal_square (a random sleep, then x*x) to 0..N with a callback each.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// Worker processes (the article: Pool(50))
    #[arg(long, default_value_t = 50, value_parser = workers)]
    workers: u32,
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
    let (inputs, seed, scale) = (args.sleeps.inputs, args.sleeps.seed, args.sleeps.time_scale);
    sleeps::fix(args.sleeps.settings());
    println!("seed {seed}, time scale {scale}, {} workers", args.workers);

    let timer = Timer::start();
    let mut p = PoolBuilder::new(args.workers as usize)
        .initializer(&args.sleeps.settings())
        .task_timeout(args.pool.get())
        .spawn_or_exit();
    let startup = timer.secs();
    // The article's `res` list. The callbacks run on this thread, inside
    // `p.join()`, so sharing it needs no lock: Rc to share, RefCell to append.
    let res: Rc<RefCell<Vec<u64>>> = Rc::default();
    for i in 0..inputs {
        let res = Rc::clone(&res);
        // The article's `add_to_res`: called once per task, as it completes.
        let add_to_res = move |result: Result<u64, TaskError>| match result {
            Ok(square) => res.borrow_mut().push(square),
            Err(error) => eprintln!("cal_square({i}) failed: {error}"),
        };
        p.apply_async(i, add_to_res); // returns at once; the task runs in a worker
    }
    p.join(); // p.close(); p.join(): the callbacks run here, in completion order
    drop(p); // the workers exit and are reaped
    let elapsed = timer.elapsed();

    let res = res.take();
    let shown = res.iter().take(args.sleeps.show).map(u64::to_string);
    println!("[{}]", shown.collect::<Vec<_>>().join(", "));
    if res.is_sorted() {
        println!("(this run happened to finish in input order)");
    } else {
        println!("(completion order, not input order: each callback ran as its task finished)");
    }
    let ideal = sleeps::ideal(args.workers);
    let (chain, bound) = (ideal.chain, ideal.bound);
    println!(
        "ideal {chain:.3} s (longest chain of sleeps on one worker; no schedule beats \
         {bound:.3} s); starting the workers took {startup:.3} s"
    );
    let seconds = elapsed.as_secs_f64();
    Report::new("pool_apply_async", elapsed)
        .items(res.len() as u64)
        .errors(inputs - res.len() as u64) // each failed task said so on stderr
        .extra("workers", args.workers)
        .extra("time_scale", scale)
        .extra("seed", seed)
        .extra("ideal_seconds", chain)
        .extra("lower_bound_seconds", bound)
        .extra("startup_seconds", startup)
        .finish(format!("--- {seconds} seconds --- (time scale {scale})"))
}
