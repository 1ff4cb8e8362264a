//! Exercise 14: `jumping_range`, a generator with `send`, as a state machine.
//!
//! Read first: the concept notes, "Coroutines" (generators with `send`);
//! then `cargo run -p generator_send` and its main.rs.
//!
//! What to do: Python's generator keeps its local variables between
//! `yield`s; in Rust that state is a struct, and resuming is a method call.
//! `send(Some(jump))` is the article's `iterator.send(jump)`, and
//! `send(None)` (what `next()` calls) is `next(iterator)`, which the
//! generator reads as a jump of 1. Today every resume moves by 1, whatever
//! was sent. Make `send` move the index by the value sent.
//!
//! What the check proves: the article's calls (next, send 2, next, send -1,
//! then a for loop) give 0 2 3 2 3 4, and a finished generator stays done.

/// The state of `jumping_range(up_to)` between two `yield`s.
struct JumpingRange {
    up_to: i64,
    index: i64,
    started: bool,
    finished: bool,
}

fn jumping_range(up_to: i64) -> JumpingRange {
    JumpingRange {
        up_to,
        index: 0,
        started: false,
        finished: false,
    }
}

impl JumpingRange {
    /// Resume the generator with a value; return what it yields next, or
    /// `None` once its loop has ended (Python's `StopIteration`).
    fn send(&mut self, jump: Option<i64>) -> Option<i64> {
        if self.finished {
            return None;
        }
        // The first resume runs up to the first `yield`: nothing to add.
        if self.started {
            // `jump = yield index`, and `if jump is None: jump = 1`.
            self.index += jump.unwrap_or(1);
        }
        self.started = true;
        if self.index >= self.up_to {
            self.finished = true;
            return None;
        }
        Some(self.index)
    }
}

/// `for x in iterator` and `next(iterator)` send nothing.
impl Iterator for JumpingRange {
    type Item = i64;
    fn next(&mut self) -> Option<i64> {
        self.send(None)
    }
}

// ---- The check: leave everything below as it is. ----

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_articles_calls_print_0_2_3_2_3_4() {
        let mut iterator = jumping_range(5);
        let mut printed = vec![iterator.next(), iterator.send(Some(2))];
        printed.push(iterator.next());
        printed.push(iterator.send(Some(-1)));
        printed.extend(iterator.by_ref().map(Some));
        let printed: Vec<i64> = printed.into_iter().flatten().collect();
        assert_eq!(printed, [0, 2, 3, 2, 3, 4]);

        // Once its loop has ended, a generator stays finished.
        assert_eq!(iterator.next(), None);
        assert_eq!(iterator.send(Some(-3)), None);
    }

    #[test]
    fn plain_iteration_counts_up() {
        assert_eq!(jumping_range(4).collect::<Vec<_>>(), [0, 1, 2, 3]);
    }
}
