//! Exercise 03: share one value with several threads.
//!
//! Read first: the basics article, "Threading Basics" (and the comparison
//! table's GIL row); then `cargo run -p threads_basic` and its main.rs.
//!
//! What to do: `share_with_threads` puts a list of prices behind a
//! reference-counted pointer and hands a clone of the pointer to each of
//! three threads. As shipped it does not compile (error E0277): `Rc` counts
//! its owners with plain, non-atomic additions, so two threads cloning or
//! dropping at once could get the count wrong, and the compiler refuses to
//! send an `Rc` to another thread. The compiler's message is the lesson.
//! Swap in the pointer whose count is atomic and that may cross threads.
//!
//! What the check proves: every thread saw the whole list, the threads were
//! three distinct ones, and once they were joined the caller was again the
//! only owner (a strong count of 1).

use std::sync::Arc;
use std::thread;

/// Start three readers of one shared list, wait for them, and return how
/// many owners the list has left.
fn share_with_threads(prices: Vec<u64>) -> usize {
    let shared = Arc::new(prices); // an atomic count: safe to clone and drop on any thread
    let mut readers = Vec::new();
    for _ in 0..3 {
        let mine = Arc::clone(&shared);
        readers.push(thread::spawn(move || add_up(&mine)));
    }
    for reader in readers {
        reader.join().expect("a reader does not panic");
    }
    Arc::strong_count(&shared)
}

// ---- The check: leave everything below as it is. ----

use std::sync::Mutex;
use std::thread::ThreadId;

static SEEN: Mutex<Vec<(ThreadId, u64)>> = Mutex::new(Vec::new());

/// Add up the prices, and note which thread saw which total.
fn add_up(prices: &[u64]) {
    let total = prices.iter().sum();
    SEEN.lock()
        .expect("no thread panics while noting its total")
        .push((thread::current().id(), total));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_threads_share_one_list() {
        let owners = share_with_threads(vec![120, 45, 300, 5]);
        let seen = SEEN.lock().expect("no thread panicked").clone();
        assert_eq!(
            seen.len(),
            3,
            "each of the 3 readers adds up once: {seen:?}"
        );
        for (_, total) in &seen {
            assert_eq!(*total, 470, "a reader saw another list: {seen:?}");
        }
        let mut ids: Vec<String> = seen.iter().map(|(id, _)| format!("{id:?}")).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(
            ids.len(),
            3,
            "the 3 readers did not run on 3 threads: {seen:?}"
        );
        assert!(
            seen.iter().all(|(id, _)| *id != thread::current().id()),
            "a reader ran on the caller's thread"
        );
        assert_eq!(
            owners, 1,
            "after the joins, the threads' clones are gone: the caller should be the only owner"
        );
    }
}
