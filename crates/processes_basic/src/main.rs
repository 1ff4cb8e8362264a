//! Two child processes print numbers at the same time; the parent waits for both.
//!
//! Mirrors: "Multithreading, Multiprocessing, and Asyncio", section "Multiprocessing Module".
//! Run:     cargo run --release -p processes_basic [-- --help]
//! Notice:  two pids print, neither the parent's; the lines interleave and the
//!          run takes about 5 s, as with threads, but each child has its own memory.
//! Python -> Rust: `multiprocessing.Process(target=print_numbers)` -> the
//!          program starts *itself* again with a hidden `--worker` flag (Rust
//!          cannot start a process at a function; the hidden flag plays the
//!          role of `if __name__ == "__main__":`); `.join()` -> `Child::wait`.

use std::io;
use std::process::{Child, Command, ExitCode};
use std::thread;

use clap::Parser;
use support::cli::pause_seconds;
use support::settings::{pause, range_end, set_pause, set_range_end};
use support::{Report, Timer};

/// Two child processes each print 0..COUNT, pausing after every number.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// How many numbers each process prints (the article: 5)
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    count: u32,
    /// Pause after each number, in seconds (the article: 1; 0 to 3600)
    #[arg(long, default_value_t = 1.0, value_parser = pause_seconds)]
    seconds: f64,
    /// Run as a child: print the numbers and exit (hidden from --help).
    #[arg(long, hide = true)]
    worker: bool,
}

/// The article's `print_numbers`, in a child: each line starts with its pid.
#[tracing::instrument] // a span on --timeline's picture
fn print_numbers() {
    let pid = std::process::id();
    for i in 0..range_end() {
        println!("process {pid}: {i}");
        thread::sleep(pause());
    }
}

/// `multiprocessing.Process(...)` + `.start()`: this program again, sharing our stdout.
fn start_process(count: u32, seconds: f64) -> io::Result<Child> {
    Command::new(std::env::current_exe()?)
        .envs(support::timeline::worker_env()) // --timeline: the child records its part
        .arg("--worker")
        .args(["--count", &count.to_string()])
        .args(["--seconds", &seconds.to_string()])
        .spawn()
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    if args.worker {
        // A child: do the work and leave (the parent writes the one report).
        set_pause(args.seconds);
        set_range_end(args.count);
        print_numbers();
        return ExitCode::SUCCESS;
    }

    println!("parent process {} starts two children", std::process::id());
    let timer = Timer::start();
    // Start both before waiting for either, so they run at once (a refused one counts as failed).
    let children: Vec<Child> = (0..2)
        .filter_map(|_| {
            start_process(args.count, args.seconds)
                .inspect_err(|err| eprintln!("error: could not start a child process: {err}"))
                .ok()
        })
        .collect();

    // The article's `.join()`: a child that fails (or is killed) is counted, not fatal.
    let mut finished = 0;
    for mut child in children {
        let pid = child.id();
        match child.wait() {
            Ok(status) if status.success() => {
                println!("process {pid} finished: {status}");
                finished += 1;
            }
            Ok(status) => eprintln!("error: process {pid} failed: {status}"),
            Err(err) => eprintln!("error: could not wait for process {pid}: {err}"),
        }
    }
    let elapsed = timer.elapsed();

    Report::new("processes_basic", elapsed)
        .items(finished)
        .errors(2 - finished)
        .extra("processes", 2)
        .finish(format!("Done in {:.2} seconds", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parent_passes_flags_the_child_accepts() {
        // The child parses `seconds.to_string()` again: it must round-trip.
        for secs in [0.0, 1.0, 0.001, 1e-9, 3600.0] {
            assert_eq!(pause_seconds(&secs.to_string()), Ok(secs));
        }
        let child = Args::try_parse_from(["processes_basic", "--worker", "--count", "3"])
            .expect("the hidden worker flag parses");
        assert!(child.worker);
    }
}
