//! Two threads print numbers at the same time; the main thread waits for both.
//!
//! Mirrors: "Multithreading, Multiprocessing, and Asyncio", section "Threading Basics".
//! Run:     cargo run --release -p threads_basic [-- --help]
//! Notice:  the lines of thread 1 and thread 2 interleave, and the run takes
//!          about 5 seconds, not 10: while one thread sleeps, the other prints.
//! Python -> Rust: `threading.Thread(target=print_numbers)` + `.start()` ->
//!          `std::thread::spawn`, which creates and starts in one call;
//!          `.join()` -> `JoinHandle::join`, which also tells whether the thread
//!          panicked. Rust has no GIL: these same threads could compute in
//!          parallel, not only sleep side by side.

use std::process::ExitCode;
use std::thread;

use clap::Parser;
use support::cli::pause_seconds;
use support::settings::{pause, range_end, set_pause, set_range_end};
use support::{Report, Timer};

/// Two threads each print 0..COUNT, pausing after every number.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// How many numbers each thread prints (the article: 5)
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    count: u32,

    /// Pause after each number, in seconds (the article: 1; 0 to 3600)
    #[arg(long, default_value_t = 1.0, value_parser = pause_seconds)]
    seconds: f64,
}

/// The article's `print_numbers` (`range(5)`: see `--count`). The thread's
/// own name starts each line, so the learner sees who printed it.
#[tracing::instrument] // a span on --timeline's picture
fn print_numbers() {
    let name = thread::current().name().unwrap_or("unnamed").to_string();
    for i in 0..range_end() {
        println!("{name}: {i}");
        // Blocks this thread only; meanwhile the OS runs the other one.
        thread::sleep(pause());
    }
}

/// The article's module-level code: create two threads, start them, and
/// wait for both. Returns how many threads failed (refused or panicked).
fn start_and_join() -> u64 {
    // `spawn` creates *and* starts the thread; a `Builder` also names it,
    // and says so (`Err`) if the system refuses one, instead of panicking.
    let mut failed = 0;
    let mut threads = Vec::new();
    for name in ["thread 1", "thread 2"] {
        match thread::Builder::new()
            .name(name.into())
            .spawn(print_numbers)
        {
            Ok(thread) => threads.push((name, thread)),
            Err(err) => {
                eprintln!("error: could not start {name}: {err}");
                failed += 1;
            }
        }
    }
    // `join` waits; its `Err` says the thread panicked: a failure counted, not a panic.
    for (name, thread) in threads {
        if thread.join().is_err() {
            eprintln!("error: {name} panicked");
            failed += 1;
        }
    }
    failed
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    set_pause(args.seconds);
    set_range_end(args.count);

    let timer = Timer::start();
    let failed = start_and_join();
    let elapsed = timer.elapsed();

    Report::new("threads_basic", elapsed)
        .items(2 * u64::from(args.count))
        .errors(failed)
        .extra("threads", 2)
        .finish(format!("Done in {:.2} seconds", elapsed.as_secs_f64()))
}
