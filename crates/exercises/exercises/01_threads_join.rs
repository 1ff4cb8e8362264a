//! Exercise 01: start two threads, and wait for both.
//!
//! Read first: the basics article, "Threading Basics"; then
//! `cargo run -p threads_basic` and its main.rs.
//!
//! What to do: `start_and_join` starts two threads that print numbers, but
//! returns at once, so the program could end before the threads have
//! printed anything. Make it wait until both threads are done, as Python's
//! `thread.join()` does. Keep both threads running at the same time.
//!
//! What the check proves: when `start_and_join` returns, each thread has
//! printed its whole sequence, and the two threads ran side by side (thread
//! 2 started before thread 1 finished).

use std::thread;
use std::time::Duration;

fn print_numbers(name: &str) {
    for i in 0..5 {
        say(format!("{name}: {i}"));
        thread::sleep(Duration::from_millis(20));
    }
}

fn start_and_join() {
    let thread1 = thread::spawn(|| print_numbers("thread 1"));
    let thread2 = thread::spawn(|| print_numbers("thread 2"));
    // TODO: wait for both threads to finish before returning.
}

// ---- The check: leave everything below as it is. ----

static LINES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Print a line, and keep it for the check.
fn say(line: String) {
    println!("{line}");
    LINES
        .lock()
        .expect("no thread panics while printing")
        .push(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_threads_finish_and_overlap() {
        start_and_join();
        let lines = LINES.lock().expect("no thread panicked").clone();
        for name in ["thread 1", "thread 2"] {
            let own: Vec<&String> = lines.iter().filter(|l| l.starts_with(name)).collect();
            assert_eq!(
                own.len(),
                5,
                "when start_and_join returned, {name} had printed {} of its 5 lines: {lines:?}",
                own.len()
            );
        }
        let first_of_2 = lines.iter().position(|l| l == "thread 2: 0");
        let last_of_1 = lines.iter().position(|l| l == "thread 1: 4");
        assert!(
            first_of_2 < last_of_1,
            "thread 2 started only after thread 1 had finished: they did not run side by side: {lines:?}"
        );
    }
}
