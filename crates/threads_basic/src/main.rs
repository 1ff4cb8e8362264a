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
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use clap::Parser;
use support::cli::pause_seconds;
use support::{Report, Timer};

/// Two threads each print 0..COUNT, pausing after every number.
#[derive(Parser, Debug)]
#[command(about, long_about = None)]
struct Args {
    /// How many numbers each thread prints (the article: 5)
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    count: u32,

    /// Pause after each number, in seconds (the article: 1; 0 to 3600)
    #[arg(long, default_value_t = 1.0, value_parser = pause_seconds)]
    seconds: f64,
}

/// The article's `print_numbers`. It also takes the thread's name, so every
/// line says who printed it, and `say`, which prints the line (the tests
/// record it instead).
fn print_numbers(name: &str, count: u32, pause: Duration, say: &dyn Fn(&str)) {
    for i in 0..count {
        say(&format!("{name}: {i}"));
        // Blocks this thread only; meanwhile the OS runs the other one.
        thread::sleep(pause);
    }
}

/// The article's module-level code: create two threads, start them, and
/// wait for both. Returns how many threads failed (panicked).
fn start_and_join(count: u32, pause: Duration, say: impl Fn(&str) + Send + Sync + 'static) -> u64 {
    // Both threads use the same `say`. An `Arc` lets them share it, and it
    // must be `Send + Sync` because two threads call it at once.
    let say = Arc::new(say);

    // `spawn` creates *and* starts the thread. Its closure must own what it
    // uses (`move`): the compiler cannot know the thread ends before this
    // function returns, so nothing may be borrowed from here.
    let say1 = Arc::clone(&say);
    let thread1 = thread::spawn(move || print_numbers("thread 1", count, pause, &*say1));
    let say2 = Arc::clone(&say);
    let thread2 = thread::spawn(move || print_numbers("thread 2", count, pause, &*say2));

    // `join` waits for the thread. It returns `Err` if the thread panicked:
    // we count that as a failure instead of panicking in turn.
    let mut failed = 0;
    for (name, thread) in [("thread 1", thread1), ("thread 2", thread2)] {
        if thread.join().is_err() {
            eprintln!("error: {name} panicked");
            failed += 1;
        }
    }
    failed
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    let pause = Duration::from_secs_f64(args.seconds);

    let timer = Timer::start();
    let failed = start_and_join(args.count, pause, |line| println!("{line}"));
    let elapsed = timer.elapsed();

    Report::new("threads_basic", elapsed)
        .items(2 * u64::from(args.count))
        .errors(failed)
        .extra("threads", 2)
        .finish(format!("Done in {:.2} seconds", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Instant;

    /// Run the two threads with a `say` that records every line, in the
    /// order the threads really printed them.
    fn record(count: u32, pause: Duration) -> Vec<String> {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        let failed = start_and_join(count, pause, move |line| {
            sink.lock()
                .expect("no test thread panics while holding the lock")
                .push(line.to_string())
        });
        assert_eq!(failed, 0);
        lines.lock().expect("both threads have finished").clone()
    }

    fn lines_of(lines: &[String], name: &str) -> Vec<String> {
        lines
            .iter()
            .filter(|line| line.starts_with(&format!("{name}:")))
            .cloned()
            .collect()
    }

    #[test]
    fn each_thread_prints_its_whole_sequence_in_order() {
        let lines = record(4, Duration::ZERO);
        assert_eq!(lines.len(), 8, "{lines:?}");
        for name in ["thread 1", "thread 2"] {
            let expected: Vec<String> = (0..4).map(|i| format!("{name}: {i}")).collect();
            assert_eq!(lines_of(&lines, name), expected);
        }
    }

    #[test]
    fn the_two_threads_overlap() {
        // If the threads ran one after the other, thread 2 would print
        // nothing until thread 1 had printed its last number. So: before
        // thread 1 prints its last number, we wait for thread 2's first line.
        // Run concurrently, that line comes; run sequentially, it never
        // does, and after the deadline the order check below fails.
        let count = 3;
        let last_of_thread1 = format!("thread 1: {}", count - 1);
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = Arc::clone(&lines);
        let failed = start_and_join(count, Duration::from_millis(5), move |line| {
            if line == last_of_thread1 {
                let deadline = Instant::now() + Duration::from_secs(10);
                while Instant::now() < deadline
                    && !sink
                        .lock()
                        .expect("lock not poisoned")
                        .iter()
                        .any(|l| l == "thread 2: 0")
                {
                    thread::sleep(Duration::from_millis(1));
                }
            }
            sink.lock()
                .expect("lock not poisoned")
                .push(line.to_string());
        });
        assert_eq!(failed, 0);

        let lines = lines.lock().expect("both threads have finished");
        let position = |wanted: &str| lines.iter().position(|l| l == wanted);
        let first_of_thread2 = position("thread 2: 0").expect("thread 2 printed");
        let last_of_thread1 = position("thread 1: 2").expect("thread 1 printed");
        assert!(
            first_of_thread2 < last_of_thread1,
            "thread 2 started only after thread 1 ended: {lines:?}"
        );
    }
}
