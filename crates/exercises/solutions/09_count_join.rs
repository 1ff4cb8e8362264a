//! Exercise 09: three `count()`s at once, with one join.
//!
//! Read first: the concept notes, "Asyncio (The Python library)", its
//! `asyncio.gather(count(), count(), count())`; then
//! `cargo run -p async_count` and its main.rs.
//!
//! What to do: `main_program` awaits the three `count()`s one after the
//! other, so the run takes 3 seconds: each `.await` waits for its future to
//! finish before the next one even starts (a Rust future does nothing until
//! it is polled). Run the three at the same time, as `asyncio.gather` does,
//! with `tokio::join!` (or `futures::future::join_all`).
//!
//! What the check proves: the lines come out One One One Two Two Two, and
//! the run takes 1 second of tokio's clock, not 3. The check pauses that
//! clock, so no real second passes: the sleeps end in virtual time.

use std::time::Duration;

async fn count() {
    say("One");
    tokio::time::sleep(Duration::from_secs(1)).await;
    say("Two");
}

async fn main_program() {
    // join! polls all three in turn on this one task: while one sleeps,
    // the next runs, as gather does on asyncio's loop.
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

    #[tokio::test(start_paused = true)]
    async fn three_counts_overlap_in_one_second() {
        let start = tokio::time::Instant::now();
        main_program().await;
        let elapsed = start.elapsed();

        let lines = LINES.lock().expect("not poisoned").clone();
        assert_eq!(lines, ["One", "One", "One", "Two", "Two", "Two"]);
        // Virtual time: exactly the sleeps that were waited for in a row.
        assert_eq!(
            elapsed.as_secs(),
            1,
            "the run took {elapsed:?} of tokio's clock"
        );
    }
}
