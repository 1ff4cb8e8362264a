//! Exercise 05: threads update one counter, and some updates are lost.
//!
//! Read first: the scraper blog, "race conditions", and the notebook's
//! `x = x + 1` switch; then `cargo run -p gil_sim` and its main.rs.
//!
//! What to do: `Counter::update` reads the count, computes the new value
//! with `change`, then writes it: separate steps. When two threads both
//! read 41 before either writes, both write 42, and one update is lost.
//! Each step is atomic on its own, which is not enough. Make the whole
//! read-change-write one indivisible step, so that 4 threads making 25
//! updates each always reach 100. (`change` may be called more than once.)
//!
//! What the check proves: after 4 threads, on 4 distinct threads, have each
//! added one 25 times through `update`, `get` returns exactly 100.

use std::sync::Mutex;

struct Counter {
    count: Mutex<u64>,
}

impl Counter {
    fn new() -> Counter {
        Counter {
            count: Mutex::new(0),
        }
    }

    /// Replace the count with `change(count)`.
    fn update(&self, change: impl Fn(u64) -> u64) {
        // The lock is held from the read to the write: one thread at a time.
        let mut count = self.count.lock().expect("no thread panics holding it");
        *count = change(*count);
    }

    fn get(&self) -> u64 {
        *self.count.lock().expect("no thread panics holding it")
    }
}

// ---- The check: leave everything below as it is. ----

use std::thread;
use std::time::Duration;

/// The change every thread makes: one more. It takes a moment, as real
/// work between a read and a write does (and as Python may switch threads
/// between the read and the write of `x = x + 1`).
fn add_one(count: u64) -> u64 {
    thread::sleep(Duration::from_millis(1));
    count + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;

    const THREADS: u64 = 4;
    const PER_THREAD: u64 = 25;

    #[test]
    fn no_update_is_lost() {
        let counter = Counter::new();
        // All the threads start together, so that they really overlap.
        let start = Barrier::new(THREADS as usize);
        let ids: Vec<thread::ThreadId> = thread::scope(|scope| {
            let threads: Vec<_> = (0..THREADS)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        for _ in 0..PER_THREAD {
                            counter.update(add_one);
                        }
                        thread::current().id()
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().expect("an updater does not panic"))
                .collect()
        });
        let mut distinct: Vec<String> = ids.iter().map(|id| format!("{id:?}")).collect();
        distinct.sort();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            THREADS as usize,
            "the updaters shared threads: {ids:?}"
        );
        let total = counter.get();
        assert_eq!(
            total,
            THREADS * PER_THREAD,
            "{} updates were lost: two threads read the same count and both wrote count + 1",
            THREADS * PER_THREAD - total
        );
    }
}
