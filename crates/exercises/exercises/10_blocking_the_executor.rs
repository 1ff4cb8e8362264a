//! Exercise 10: do not block the event loop.
//!
//! Read first: the concept notes, "Asyncio (The Python library)", point 3:
//! tasks "never give up control without intentionally doing so"; then
//! `cargo run -p async_count`.
//!
//! What to do: the three `count()`s are joined, yet they run one after the
//! other: `std::thread::sleep` blocks the whole thread, and on a one-thread
//! runtime that thread is the event loop, so no other task can run until
//! the sleep ends. An `async fn` gives up control only at an `.await` on
//! something that is not ready. Make the pause one the loop can use.
//!
//! What the check proves: on a one-thread runtime, the lines come out One
//! One One Two Two Two: while one task waits, the others run.

use std::time::Duration;

async fn count() {
    say("One");
    // TODO: this sleep freezes the event loop.
    std::thread::sleep(Duration::from_millis(100));
    say("Two");
}

async fn main_program() {
    tokio::join!(count(), count(), count());
}

// ---- The check: leave everything below as it is. ----

static LINES: std::sync::Mutex<Vec<&str>> = std::sync::Mutex::new(Vec::new());

/// Print a line, and keep it for the check.
fn say(line: &'static str) {
    println!("{line}");
    LINES.lock().expect("not poisoned").push(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    // `#[tokio::test]` is a one-thread runtime, like asyncio's loop.
    #[tokio::test(start_paused = true)]
    async fn the_counts_take_turns_on_one_thread() {
        main_program().await;
        let lines = LINES.lock().expect("not poisoned").clone();
        assert_eq!(
            lines,
            ["One", "One", "One", "Two", "Two", "Two"],
            "One Two One Two...: each task kept the loop until it finished"
        );
    }
}
