//! Exercise 02: let two threads read the caller's list.
//!
//! Read first: the basics article, "Threading Basics"; then
//! `cargo run -p threads_basic` and its main.rs.
//!
//! What to do: `total_letters` splits its list of names in two and gives
//! each half to a thread that counts the letters. As shipped it does not
//! compile (error E0373): a thread started with `thread::spawn` may outlive
//! the function, so it may not borrow the function's `names`. The
//! compiler's message is the lesson; its suggested `move` is one way out,
//! but not the whole fix. Either start the threads inside `thread::scope`
//! (scoped threads end before the scope returns, so they may borrow), or
//! give each thread a half it owns.
//!
//! What the check proves: the total is right, and the two halves were
//! counted on two different threads, neither of them the caller's.

use std::thread;

fn total_letters(names: Vec<String>) -> usize {
    let half = names.len() / 2;
    let first = thread::spawn(|| count_letters(&names[..half]));
    let second = thread::spawn(|| count_letters(&names[half..]));
    first.join().expect("the first counter does not panic")
        + second.join().expect("the second counter does not panic")
}

// ---- The check: leave everything below as it is. ----

use std::sync::Mutex;
use std::thread::ThreadId;

static COUNTED_ON: Mutex<Vec<ThreadId>> = Mutex::new(Vec::new());

/// Count the letters of some names, and note which thread did it.
fn count_letters(names: &[String]) -> usize {
    COUNTED_ON
        .lock()
        .expect("no thread panics while noting its id")
        .push(thread::current().id());
    names.iter().map(|name| name.chars().count()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_threads_count_the_callers_names() {
        let names = ["Ada", "Grace", "Alan", "Edsger", "Barbara"];
        let total = total_letters(names.iter().map(|n| n.to_string()).collect());
        assert_eq!(total, 25, "the letters of {names:?}");
        let ids = COUNTED_ON.lock().expect("no thread panicked").clone();
        assert_eq!(
            ids.len(),
            2,
            "count_letters should run twice, once per half"
        );
        assert_ne!(
            ids[0], ids[1],
            "both halves were counted on the same thread"
        );
        assert!(
            !ids.contains(&thread::current().id()),
            "a half was counted on the caller's thread, not on a thread of its own"
        );
    }
}
