//! A generator you can talk back to: `jumping_range`, written by hand as a
//! state machine with `next()` and `send()`.
//!
//! Mirrors: "Multiprocessing vs Multithreading vs Async IO" (notes), section "Coroutines".
//! Run:     cargo run --release -p generator_send [-- --help]
//! Notice:  the output is 0 2 3 2 3 4, one per line. `send(2)` does not just
//!          hand a value in: it resumes the paused body, which adds the jump
//!          and runs on to the *next* yield, whose value `send` returns.
//!          stdout holds those six lines only (the run_all record is still written).
//! Python -> Rust: `jump = yield index` -> an enum of "where the body is
//!          paused" plus a `resume` method that runs on to the next pause:
//!          stable Rust has no `yield`, so we write what Python writes for us.

use std::fmt;
use std::process::ExitCode;

use clap::Parser;
use support::{Report, Timer};

/// The generator object, what `jumping_range(5)` returns in Python: nothing
/// but its frame. Each variant is a place the body can be paused, holding the
/// locals that must survive that pause (rustc builds the same for `async fn`).
#[derive(Debug, Clone, PartialEq)]
enum JumpingRange {
    /// Created but the body has not run a single line (Python: GEN_CREATED).
    Start { up_to: i64 },
    /// Paused at `jump = yield index`, waiting for a value (GEN_SUSPENDED).
    Suspended { index: i64, up_to: i64 },
    /// The body returned; every further resume raises StopIteration (GEN_CLOSED).
    Done,
}

/// What Python would raise instead of giving back a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GeneratorError {
    /// The body returned: there is no next yield.
    StopIteration,
    /// `send(value)` before the first `next()`: there is no paused `yield`
    /// to receive the value yet, so Python refuses with a TypeError.
    JustStarted,
}

impl fmt::Display for GeneratorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GeneratorError::StopIteration => "StopIteration: the generator has finished",
            GeneratorError::JustStarted => {
                "TypeError: can't send a value to a just-started generator (call next() first)"
            }
        })
    }
}

/// Calling a generator function runs none of its body; it only builds the
/// paused frame. Same in Rust: this does no work.
fn jumping_range(up_to: i64) -> JumpingRange {
    JumpingRange::Start { up_to }
}

impl JumpingRange {
    /// Run the body from where it is paused to the next `yield`, handing
    /// `sent` to the paused `yield` expression (None is what `next()` sends).
    fn resume(&mut self, sent: Option<i64>) -> Result<i64, GeneratorError> {
        let (index, up_to) = match *self {
            // Refused before the frame is touched: the generator stays unstarted.
            Self::Start { .. } if sent.is_some() => return Err(GeneratorError::JustStarted),
            Self::Start { up_to } => (0, up_to), // `index = 0`, then the loop test
            // Back from `jump = yield index`: the rest of the loop body.
            Self::Suspended { index, up_to } => {
                let jump = sent.unwrap_or(1); // `if jump is None: jump = 1`
                (index.saturating_add(jump), up_to) // no overflow panic; the loop still ends
            }
            Self::Done => return Err(GeneratorError::StopIteration),
        };
        // `while index < up_to`: pause at the yield again, or return for good.
        if index < up_to {
            *self = Self::Suspended { index, up_to };
            Ok(index)
        } else {
            *self = Self::Done;
            Err(GeneratorError::StopIteration)
        }
    }

    /// `iterator.send(jump)`: resume with a value, get the next yielded one.
    fn send(&mut self, jump: i64) -> Result<i64, GeneratorError> {
        self.resume(Some(jump))
    }
}

/// `next(iterator)` and `for x in iterator` are the same as `send(None)`;
/// implementing `Iterator` lets the final loop read like the Python one.
impl Iterator for JumpingRange {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        self.resume(None).ok()
    }
}

/// The article's `if __name__ == '__main__':` block, step for step; `print`
/// is its `print` (main's also counts the values for the run_all record).
/// A StopIteration raised by `next` or `send` ends it early, as in Python.
fn drive_like_the_article(up_to: i64, mut print: impl FnMut(i64)) -> Result<(), GeneratorError> {
    let mut iterator = jumping_range(up_to);
    print(iterator.next().ok_or(GeneratorError::StopIteration)?);
    print(iterator.send(2)?);
    print(iterator.next().ok_or(GeneratorError::StopIteration)?);
    print(iterator.send(-1)?);
    // A `for` loop swallows the final StopIteration: it just ends.
    for x in iterator {
        print(x);
    }
    Ok(())
}

/// jumping_range(up_to) as a hand-written generator with next() and send()
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// The generator's `up_to` (the article: 5). Below 5 it stops before the
    /// script's send() calls: StopIteration, as Python would raise (exit 1).
    #[arg(long, default_value_t = 5, allow_negative_numbers = true,
          value_parser = clap::value_parser!(i64).range(-1_000_000..=1_000_000))]
    up_to: i64,
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    let timer = Timer::start();
    let mut printed = 0u64;
    let outcome = drive_like_the_article(args.up_to, |x| {
        println!("{x}");
        printed += 1;
    });
    if let Err(err) = outcome {
        eprintln!("{err} (after {printed} values)");
    }
    // No closing line: stdout is exactly the article's six numbers.
    Report::new("generator_send", timer.elapsed())
        .items(printed)
        .errors(u64::from(outcome.is_err()))
        .extra("up_to", args.up_to)
        .finish_silently()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drive(up_to: i64) -> (Vec<i64>, Result<(), GeneratorError>) {
        let mut seen = Vec::new();
        let outcome = drive_like_the_article(up_to, |x| seen.push(x));
        (seen, outcome)
    }

    #[test]
    fn the_article_sequence() {
        assert_eq!(drive(5), (vec![0, 2, 3, 2, 3, 4], Ok(())));
    }

    #[test]
    fn plain_iteration_counts_up_by_one() {
        assert_eq!(jumping_range(4).collect::<Vec<_>>(), vec![0, 1, 2, 3]);
    }

    #[test]
    fn up_to_zero_or_negative_yields_nothing() {
        assert_eq!(jumping_range(0).next(), None);
        assert_eq!(jumping_range(-3).count(), 0);
        // The article's script then hits StopIteration at its first next().
        assert_eq!(drive(0), (vec![], Err(GeneratorError::StopIteration)));
    }

    #[test]
    fn stop_iteration_midway_keeps_what_was_printed() {
        // up_to = 3: next -> 0, send(2) -> 2, next -> index 3 ends the loop.
        assert_eq!(drive(3), (vec![0, 2], Err(GeneratorError::StopIteration)));
    }

    #[test]
    fn negative_jumps_go_back_and_can_repeat_forever() {
        let mut g = jumping_range(3);
        assert_eq!(g.next(), Some(0));
        assert_eq!(g.send(2), Ok(2));
        assert_eq!(g.send(-2), Ok(0));
        assert_eq!(g.send(0), Ok(0)); // a zero jump yields the same index again
        assert_eq!(g.send(-5), Ok(-5));
        assert_eq!(g.collect::<Vec<_>>(), vec![-4, -3, -2, -1, 0, 1, 2]);
    }

    #[test]
    fn send_before_next_is_refused_and_changes_nothing() {
        let mut g = jumping_range(2);
        assert_eq!(g.send(1), Err(GeneratorError::JustStarted));
        assert_eq!(g.next(), Some(0));
        assert_eq!(g.send(1), Ok(1));
    }

    #[test]
    fn a_finished_generator_stays_finished() {
        let mut g = jumping_range(1);
        assert_eq!(g.next(), Some(0));
        assert_eq!(g.next(), None);
        assert_eq!(g.send(-10), Err(GeneratorError::StopIteration));
        assert_eq!(g.next(), None);
    }

    #[test]
    fn huge_jumps_end_the_loop_instead_of_overflowing() {
        let mut g = jumping_range(i64::MAX);
        assert_eq!(g.next(), Some(0));
        assert_eq!(g.send(i64::MAX), Err(GeneratorError::StopIteration));
    }
}
