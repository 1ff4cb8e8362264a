//! One async program, four event loops: tokio (current-thread and
//! multi-thread), async-std and smol, each timed and weighed.
//!
//! Mirrors: "Multiprocessing vs Multithreading vs Async IO" (notes), sections
//!          "Event Loop" ("event loops are pluggable") and "Asyncio" (count()
//!          and the other frameworks, curio and trio).
//! Run:     cargo run --release -p async_runtimes [-- --help]
//! Notice:  the count() demo prints One One One Two Two Two in about 1 s on
//!          every runtime: the program does not care which loop runs it. The
//!          table then shows what does differ: wall time and peak memory for
//!          N sleeping tasks. Each runtime runs in its own child process, so
//!          each peak is its own (a peak only ever grows inside one process),
//!          and an empty child gives the baseline to subtract.
//!          async-std is discontinued upstream; its authors point users to
//!          smol. It stays here as a third loop to compare, not as advice.
//! Python -> Rust: asyncio / curio / trio -> tokio / async-std / smol.
//!          `asyncio.run(main())` -> each runtime's `block_on`;
//!          `asyncio.sleep` -> `tokio::time::sleep`, `async_std::task::sleep`,
//!          `smol::Timer::after`; `create_task` -> each runtime's `spawn`.

use std::future::Future;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::{Parser, ValueEnum};
use serde::{Deserialize, Serialize};
use support::{Report, Timer};

// ---- The program, written once. Only the sleep function is plugged in. ----

async fn count<F: Future>(sleep: impl Fn(Duration) -> F, seconds: Duration) {
    println!("One");
    sleep(seconds).await;
    println!("Two");
}

/// `asyncio.gather(count(), count(), count())`. `futures::join!` belongs to
/// no runtime: it polls the three futures in turn on whatever loop runs it.
async fn gather_counts<F: Future>(sleep: impl Fn(Duration) -> F, seconds: Duration) -> Duration {
    let s = Instant::now();
    futures::join!(
        count(&sleep, seconds),
        count(&sleep, seconds),
        count(&sleep, seconds)
    );
    let elapsed = s.elapsed();
    println!("executed in {:0.2}s.", elapsed.as_secs_f64());
    elapsed
}

/// One spawned task of the load test: sleep, then report success.
async fn sleeper<F: Future>(sleep: impl Fn(Duration) -> F, nap: Duration) -> u64 {
    sleep(nap).await;
    1
}

/// What one runtime did with the job.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Outcome {
    count_seconds: f64,
    completed: u64,
    tasks_seconds: f64,
}

/// The work every runtime is given: the count demo, then `tasks` tasks that
/// each sleep `nap`, all spawned before any is awaited.
#[derive(Debug, Clone, Copy)]
struct Job {
    seconds: Duration,
    tasks: u64,
    nap: Duration,
}

// ---- The four loops. Read them side by side: only the names change. ----

fn on_tokio_current_thread(job: Job) -> anyhow::Result<Outcome> {
    // One thread runs every task: asyncio's model.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    Ok(runtime.block_on(async {
        let count_time = gather_counts(tokio::time::sleep, job.seconds).await;
        let s = Instant::now();
        let handles: Vec<_> = (0..job.tasks)
            .map(|_| tokio::spawn(sleeper(tokio::time::sleep, job.nap)))
            .collect();
        let mut completed = 0;
        for handle in handles {
            completed += handle.await.unwrap_or(0); // Err = the task panicked
        }
        Outcome {
            count_seconds: count_time.as_secs_f64(),
            completed,
            tasks_seconds: s.elapsed().as_secs_f64(),
        }
    }))
}

fn on_tokio_multi_thread(job: Job) -> anyhow::Result<Outcome> {
    // One worker thread per core, stealing tasks from each other.
    let runtime = tokio::runtime::Builder::new_multi_thread() // <- the only change
        .enable_time()
        .build()?;
    Ok(runtime.block_on(async {
        let count_time = gather_counts(tokio::time::sleep, job.seconds).await;
        let s = Instant::now();
        let handles: Vec<_> = (0..job.tasks)
            .map(|_| tokio::spawn(sleeper(tokio::time::sleep, job.nap)))
            .collect();
        let mut completed = 0;
        for handle in handles {
            completed += handle.await.unwrap_or(0);
        }
        Outcome {
            count_seconds: count_time.as_secs_f64(),
            completed,
            tasks_seconds: s.elapsed().as_secs_f64(),
        }
    }))
}

fn on_async_std(job: Job) -> anyhow::Result<Outcome> {
    // A global executor with one thread per core, started on first use.
    Ok(async_std::task::block_on(async {
        let count_time = gather_counts(async_std::task::sleep, job.seconds).await;
        let s = Instant::now();
        let handles: Vec<_> = (0..job.tasks)
            .map(|_| async_std::task::spawn(sleeper(async_std::task::sleep, job.nap)))
            .collect();
        let mut completed = 0;
        for handle in handles {
            completed += handle.await; // a panic in the task would resurface here
        }
        Outcome {
            count_seconds: count_time.as_secs_f64(),
            completed,
            tasks_seconds: s.elapsed().as_secs_f64(),
        }
    }))
}

fn on_smol(job: Job) -> anyhow::Result<Outcome> {
    // `smol::spawn` uses a global executor run by one background thread
    // (SMOL_THREADS changes that); `block_on` drives the main future here.
    Ok(smol::block_on(async {
        let count_time = gather_counts(smol::Timer::after, job.seconds).await;
        let s = Instant::now();
        let handles: Vec<_> = (0..job.tasks)
            .map(|_| smol::spawn(sleeper(smol::Timer::after, job.nap)))
            .collect();
        let mut completed = 0;
        for handle in handles {
            completed += handle.await;
        }
        Outcome {
            count_seconds: count_time.as_secs_f64(),
            completed,
            tasks_seconds: s.elapsed().as_secs_f64(),
        }
    }))
}

// ---- One child process per runtime, so each peak memory is its own. ----

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Runtime {
    /// An empty child: runs nothing, measures the process itself.
    #[value(hide = true)]
    Baseline,
    TokioCurrentThread,
    TokioMultiThread,
    /// Discontinued upstream in favour of smol.
    AsyncStd,
    Smol,
}

impl Runtime {
    const COMPARED: [Runtime; 4] = [
        Runtime::TokioCurrentThread,
        Runtime::TokioMultiThread,
        Runtime::AsyncStd,
        Runtime::Smol,
    ];

    fn label(self) -> &'static str {
        match self {
            Runtime::Baseline => "empty child (baseline)",
            Runtime::TokioCurrentThread => "tokio current-thread",
            Runtime::TokioMultiThread => "tokio multi-thread",
            Runtime::AsyncStd => "async-std (discontinued)",
            Runtime::Smol => "smol",
        }
    }

    fn key(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().replace('-', "_"))
            .unwrap_or_default()
    }

    fn run(self, job: Job) -> anyhow::Result<Outcome> {
        match self {
            Runtime::Baseline => Ok(Outcome {
                count_seconds: 0.0,
                completed: 0,
                tasks_seconds: 0.0,
            }),
            Runtime::TokioCurrentThread => on_tokio_current_thread(job),
            Runtime::TokioMultiThread => on_tokio_multi_thread(job),
            Runtime::AsyncStd => on_async_std(job),
            Runtime::Smol => on_smol(job),
        }
    }
}

/// The child's answer to the parent: one line, marked, then JSON.
const MEASUREMENT_MARK: &str = "@measurement ";

#[derive(Debug, Serialize, Deserialize)]
struct Measurement {
    count_seconds: f64,
    completed: u64,
    tasks_seconds: f64,
    peak_rss_kib: Option<u64>,
}

/// The most memory this process ever had resident (Linux: VmHWM), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Child side: run one runtime, then report on the marked line.
fn run_child(runtime: Runtime, job: Job) -> anyhow::Result<()> {
    let outcome = runtime.run(job)?;
    let measurement = Measurement {
        count_seconds: outcome.count_seconds,
        completed: outcome.completed,
        tasks_seconds: outcome.tasks_seconds,
        peak_rss_kib: peak_rss_kib(),
    };
    println!("{MEASUREMENT_MARK}{}", serde_json::to_string(&measurement)?);
    Ok(())
}

/// Parent side: re-run this binary as `--runtime NAME`, show its count()
/// lines, and read back its measurement.
fn measure_in_child(runtime: Runtime, args: &Args) -> anyhow::Result<Measurement> {
    let exe = std::env::current_exe().context("cannot find this program to re-run it")?;
    let name = runtime
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    let output = Command::new(exe)
        .args(["--runtime", &name, "--tasks", &args.tasks.to_string()])
        .args([
            "--sleep-ms",
            &args.sleep_ms.to_string(),
            "--seconds",
            &args.seconds.to_string(),
        ])
        .env_remove(support::report::REPORT_ENV) // only the parent writes a record
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot start the {name} child"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut measurement = None;
    for line in stdout.lines() {
        match line.strip_prefix(MEASUREMENT_MARK) {
            Some(json) => measurement = Some(serde_json::from_str(json)?),
            None => println!("  {line}"),
        }
    }
    match measurement {
        Some(m) if output.status.success() => Ok(m),
        _ => bail!("the {name} child failed ({})", output.status),
    }
}

fn megabytes(kib: Option<u64>) -> String {
    kib.map_or("n/a".into(), |kib| format!("{:.1} MB", kib as f64 / 1024.0))
}

#[derive(Parser, Debug)]
#[command(
    about = "The count() demo and N sleeping tasks on tokio, async-std (discontinued) and smol"
)]
struct Args {
    /// How many tasks each runtime spawns (each one just sleeps).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=2_000_000))]
    tasks: u64,
    /// How long each of those tasks sleeps, in milliseconds.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    sleep_ms: u64,
    /// How long count() sleeps between One and Two, in seconds.
    #[arg(long, default_value_t = 1.0, value_parser = support::cli::seconds_parser)]
    seconds: f64,
    /// Which runtimes to compare (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = Runtime::COMPARED)]
    runtimes: Vec<Runtime>,
    /// Internal: run a single runtime in this process (used by the parent).
    #[arg(long, value_enum, hide = true)]
    runtime: Option<Runtime>,
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    let job = Job {
        seconds: Duration::from_secs_f64(args.seconds),
        tasks: args.tasks,
        nap: Duration::from_millis(args.sleep_ms),
    };
    if let Some(runtime) = args.runtime {
        return match run_child(runtime, job) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("{}: {err:#}", runtime.label());
                ExitCode::FAILURE
            }
        };
    }

    let s = Timer::start();
    let baseline = measure_in_child(Runtime::Baseline, &args)
        .ok()
        .and_then(|m| m.peak_rss_kib);
    let mut rows = Vec::new();
    // The baseline always runs first, once; it is no row of its own.
    for &runtime in args.runtimes.iter().filter(|&&r| r != Runtime::Baseline) {
        println!("== {} ==", runtime.label());
        let result = measure_in_child(runtime, &args);
        if let Err(err) = &result {
            eprintln!("{err:#}");
        }
        rows.push((runtime, result.ok()));
    }

    let tasks_column = format!("{} tasks x {} ms", args.tasks, args.sleep_ms);
    println!();
    println!(
        "{:<26} {:>8} {:>22} {:>11} {:>9} {:>14}",
        "runtime", "count()", tasks_column, "completed", "peak RSS", "over baseline"
    );
    println!(
        "{:<26} {:>8} {:>22} {:>11} {:>9} {:>14}",
        Runtime::Baseline.label(),
        "-",
        "-",
        "-",
        megabytes(baseline),
        "-"
    );
    let mut report = Report::new("async_runtimes", s.elapsed());
    let (mut completed, mut errors) = (0, 0);
    for (runtime, measurement) in &rows {
        let Some(m) = measurement else {
            println!("{:<26} {:>8}", runtime.label(), "FAILED");
            errors += args.tasks;
            continue;
        };
        let over = m
            .peak_rss_kib
            .zip(baseline)
            .map(|(peak, base)| peak.saturating_sub(base));
        println!(
            "{:<26} {:>6.2} s {:>20.3} s {:>5}/{:<5} {:>9} {:>14}",
            runtime.label(),
            m.count_seconds,
            m.tasks_seconds,
            m.completed,
            args.tasks,
            megabytes(m.peak_rss_kib),
            megabytes(over),
        );
        completed += m.completed;
        errors += args.tasks.saturating_sub(m.completed);
        let key = runtime.key();
        report = report
            .extra(&format!("{key}_completed"), m.completed)
            .extra(&format!("{key}_tasks_seconds"), m.tasks_seconds)
            .extra(&format!("{key}_peak_rss_kib"), m.peak_rss_kib);
    }
    println!("Note: async-std is discontinued upstream; its authors recommend smol.");
    report
        .items(completed)
        .errors(errors)
        .extra("tasks", args.tasks)
        .extra("baseline_peak_rss_kib", baseline)
        .finish(format!("executed in {:0.2}s.", s.secs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Job = Job {
        seconds: Duration::from_millis(10),
        tasks: 200,
        nap: Duration::from_millis(10),
    };

    #[test]
    fn tokio_current_thread_completes_every_task() {
        assert_eq!(
            on_tokio_current_thread(SMALL).map(|o| o.completed).ok(),
            Some(200)
        );
    }

    #[test]
    fn tokio_multi_thread_completes_every_task() {
        assert_eq!(
            on_tokio_multi_thread(SMALL).map(|o| o.completed).ok(),
            Some(200)
        );
    }

    #[test]
    fn async_std_completes_every_task() {
        assert_eq!(on_async_std(SMALL).map(|o| o.completed).ok(), Some(200));
    }

    #[test]
    fn smol_completes_every_task() {
        assert_eq!(on_smol(SMALL).map(|o| o.completed).ok(), Some(200));
    }

    #[test]
    fn peak_rss_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_kib().is_some_and(|kib| kib > 0));
        }
    }
}
