//! One async program, four event loops: the article's `count()` as tasks on
//! tokio (current-thread and multi-thread), async-std and smol.
//!
//! Mirrors: "Multiprocessing vs Multithreading vs Async IO" (notes), sections
//!          "Event Loop" ("event loops are pluggable") and "Asyncio" (count()).
//! Run:     cargo run --release -p async_runtimes [-- --help]
//! Notice:  every runtime prints One One One Two Two Two in about 1 s: the
//!          program does not care which loop runs it. The table shows what
//!          does differ: time and peak memory (try `--tasks 10000 | tail -8`).
//!          async-std is discontinued upstream; its authors point to smol.
//! Python -> Rust: asyncio / curio / trio -> tokio / async-std / smol;
//!          `asyncio.sleep` -> the runtime's timer; `create_task` -> its `spawn`.

use std::io;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use futures::future::join_all;
use serde::{Deserialize, Serialize};
use support::memory::{Comparison, serve_child};
use support::settings::{pause, set_pause};
use support::{Report, Timer};

/// The article's `count()`. A sleep is the one thing each runtime plugs in:
/// its timer is part of its loop (tokio's `sleep` panics outside tokio).
async fn count<F: Future>(sleep: fn(Duration) -> F) {
    println!("One");
    sleep(pause()).await;
    println!("Two");
}

// ---- The four loops, side by side: only the names change. Each one spawns
// ---- every task (`create_task`), then waits for them all (`gather`).

fn on_tokio_current_thread(tasks: u64) -> io::Result<u64> {
    // One thread runs every task: asyncio's model.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let spawn = |_| runtime.spawn(count(tokio::time::sleep));
    let done = runtime.block_on(join_all((0..tasks).map(spawn)));
    Ok(done.iter().filter(|task| task.is_ok()).count() as u64) // Err: it panicked
}

fn on_tokio_multi_thread(tasks: u64) -> io::Result<u64> {
    // One worker thread per core, stealing tasks from each other.
    let runtime = tokio::runtime::Builder::new_multi_thread() // <- the only change
        .enable_time()
        .build()?;
    let spawn = |_| runtime.spawn(count(tokio::time::sleep));
    let done = runtime.block_on(join_all((0..tasks).map(spawn)));
    Ok(done.iter().filter(|task| task.is_ok()).count() as u64)
}

fn on_async_std(tasks: u64) -> io::Result<u64> {
    // A global executor, one thread per core, started on first use.
    let spawn = |_| async_std::task::spawn(count(async_std::task::sleep));
    let done = async_std::task::block_on(join_all((0..tasks).map(spawn)));
    Ok(done.len() as u64) // a task's panic would resurface in join_all
}

fn on_smol(tasks: u64) -> io::Result<u64> {
    // A global executor on one background thread (SMOL_THREADS for more).
    let spawn = |_| smol::spawn(count(smol::Timer::after));
    let done = smol::block_on(join_all((0..tasks).map(spawn)));
    Ok(done.len() as u64)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Runtime {
    TokioCurrentThread,
    TokioMultiThread,
    /// Discontinued upstream in favour of smol.
    AsyncStd,
    Smol,
}

impl Runtime {
    /// Its row's label in the table, and its loop above.
    fn label_and_loop(self) -> (&'static str, fn(u64) -> io::Result<u64>) {
        match self {
            Runtime::TokioCurrentThread => ("tokio current-thread", on_tokio_current_thread),
            Runtime::TokioMultiThread => ("tokio multi-thread", on_tokio_multi_thread),
            Runtime::AsyncStd => ("async-std (discontinued)", on_async_std),
            Runtime::Smol => ("smol", on_smol),
        }
    }
}

/// What one runtime did, in a child process of its own (see `support::memory`).
#[derive(Debug, Serialize, Deserialize)]
struct Outcome {
    completed: u64,
    tasks_seconds: f64,
}

/// The child's work: `tasks` count() tasks, timed as the article's main does.
fn run(runtime: Runtime, tasks: u64) -> io::Result<Outcome> {
    let s = Timer::start();
    let completed = (runtime.label_and_loop().1)(tasks)?;
    println!("executed in {:0.2}s.", s.secs());
    let tasks_seconds = s.secs();
    Ok(Outcome {
        completed,
        tasks_seconds,
    })
}

/// The article's count() as N tasks on tokio, async-std (discontinued) and smol
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// How many count() tasks each runtime spawns (the article: 3)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=2_000_000))]
    tasks: u64,
    /// How long count() sleeps between One and Two, in seconds
    #[arg(long, default_value_t = 1.0, value_parser = support::cli::seconds_parser)]
    seconds: f64,
    /// Which runtimes to compare (comma-separated)
    #[arg(long, value_enum, value_delimiter = ',',
          default_values_t = Runtime::value_variants().to_vec())]
    runtimes: Vec<Runtime>,
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    set_pause(args.seconds);
    // A child started by `Comparison::run` below runs one runtime and exits here.
    serve_child(|runtime| run(runtime, args.tasks));

    let s = Timer::start();
    let comparison = Comparison::run(&args.runtimes, |runtime| runtime.label_and_loop().0);
    let tasks_column = format!("{} x count()", args.tasks);
    let columns = [("runtime", 26), (&tasks_column, 16), ("completed", 11)];
    comparison.print_table(&columns, |outcome: &Outcome| {
        let completed = format!("{}/{}", outcome.completed, args.tasks);
        vec![format!("{:.3} s", outcome.tasks_seconds), completed]
    });
    println!("Note: async-std is discontinued upstream; its authors recommend smol.");
    let completed: u64 = comparison.answers().map(|outcome| outcome.completed).sum();
    comparison
        .add_to(Report::new("async_runtimes", s.elapsed()))
        .items(completed)
        .errors(args.tasks * args.runtimes.len() as u64 - completed)
        .extra("tasks", args.tasks)
        .finish(format!("executed in {:0.2}s.", s.secs()))
}
