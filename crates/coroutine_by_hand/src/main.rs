//! A coroutine resumed by hand: an `async fn` that suspends several times,
//! driven one `poll` at a time, with no runtime at all.
//!
//! Mirrors: "Multiprocessing vs Multithreading vs Async IO" (notes), section
//!          "Coroutines" (a function that can suspend) and `jumping_range`.
//! Run:     cargo run --release -p coroutine_by_hand [-- --help]
//! Notice:  creating the future prints nothing: its body has not run a line.
//!          Each `poll` runs it to the next `.await` that is not ready
//!          (Pending) or to its end (Ready). The value put in the mailbox
//!          before a poll is what the body reads after it: `send(value)`.
//! Python -> Rust: `next()` / `send(v)` -> `Future::poll`; `yield` -> an
//!          `.await` that is Pending once; StopIteration -> `Poll::Ready`.

use std::cell::Cell;
use std::pin::{Pin, pin};
use std::process::ExitCode;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use clap::Parser;
use support::{Report, Timer};

/// A future that is Pending the first time it is polled and Ready the
/// second: the smallest possible suspension point, Rust's bare `yield`.
struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // Pending promises a call to the waker once polling again is worth
        // it: at once, here. (Our driver's no-op waker ignores it.)
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn suspend() -> YieldNow {
    YieldNow { yielded: false }
}

/// What the driver and the coroutine share: `Rc` because both hold it,
/// `Cell` because only one of them runs at any moment, so no lock is needed.
#[derive(Default)]
struct Mailbox {
    /// What the coroutine offers at each suspension (Python: `yield index`).
    offered: Cell<Option<i64>>,
    /// What the driver hands in before a resume (Python: `send(jump)`).
    sent: Cell<Option<i64>>,
}

/// `jumping_range` again, now as an `async fn`: the compiler writes the state
/// machine that `generator_send` writes by hand. It returns the jumps it
/// received, in order, for the driver's last line.
async fn jumping_range(up_to: i64, mailbox: Rc<Mailbox>) -> Vec<Option<i64>> {
    println!("    [coroutine] body starts");
    let mut received = Vec::new();
    let mut index: i64 = 0;
    while index < up_to {
        mailbox.offered.set(Some(index)); // `yield index`, part 1: offer it
        println!("    [coroutine] offers {index}, suspends");
        suspend().await; // part 2: give control back to whoever polled us
        let jump = mailbox.sent.take(); // part 3: `jump = ` what was sent
        println!("    [coroutine] resumed with {jump:?}");
        received.push(jump);
        index = index.saturating_add(jump.unwrap_or(1));
    }
    mailbox.offered.set(None);
    println!("    [coroutine] loop done, returns");
    received
}

/// One step of the driver: put `jump` in the mailbox (None is `next()`),
/// then poll once. What a runtime's scheduler does, minus the scheduling.
fn resume<F: Future>(
    coroutine: Pin<&mut F>,
    mailbox: &Mailbox,
    jump: Option<i64>,
) -> Poll<F::Output> {
    mailbox.sent.set(jump);
    // We poll by hand and never wait for a wake-up, so a no-op waker will do.
    let mut cx = Context::from_waker(Waker::noop());
    coroutine.poll(&mut cx)
}

/// Drive the coroutine the way the article drives its generator: next,
/// send(2), next, send(-1), then next until it finishes. Returns what it
/// offered (one value per Pending) and what it returned.
fn drive_like_the_article(up_to: i64, mailbox: &Rc<Mailbox>) -> (Vec<i64>, Vec<Option<i64>>) {
    let mut coroutine = pin!(jumping_range(up_to, Rc::clone(mailbox)));
    let so_far = mailbox.offered.get(); // lazy: the body has not run yet
    println!("future created; offered so far: {so_far:?} (its body has not run)");
    // The article's four calls first, then a `for` loop of next().
    let script = [None, Some(2), None, Some(-1)];
    let mut offered = Vec::new();
    for step in 1.. {
        let jump = script.get(step - 1).copied().flatten();
        println!("driver: poll #{step}, sending {jump:?}");
        match resume(coroutine.as_mut(), mailbox, jump) {
            Poll::Pending => {
                let value = mailbox.offered.get();
                let value = value.expect("a suspended jumping_range always offers a value");
                println!("driver: Pending, offered {value}");
                offered.push(value);
            }
            Poll::Ready(received) => {
                println!("driver: Ready({received:?})");
                return (offered, received);
            }
        }
    }
    unreachable!("the loop above only ends by returning")
}

/// An async fn polled by hand with Waker::noop, passing values in between polls
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// The coroutine's `up_to`, as in generator_send (the article uses 5).
    #[arg(long, default_value_t = 5, allow_negative_numbers = true,
          value_parser = clap::value_parser!(i64).range(-1_000_000..=1_000_000))]
    up_to: i64,
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    let timer = Timer::start();
    let mailbox = Rc::new(Mailbox::default());
    let (offered, received) = drive_like_the_article(args.up_to, &mailbox);
    println!("offered: {offered:?}");
    let (pendings, resumes) = (offered.len(), received.len());
    Report::new("coroutine_by_hand", timer.elapsed())
        .items(pendings as u64)
        .extra("pending", pendings as u64)
        .extra("resumes", resumes as u64)
        .finish(format!(
            "Pending {pendings} times, then Ready after {resumes} resumes."
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yield_now_is_pending_exactly_once() {
        let mut fut = pin!(suspend());
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(fut.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(()));
    }

    #[test]
    fn creating_the_future_runs_nothing() {
        let mailbox = Rc::new(Mailbox::default());
        mailbox.sent.set(Some(7));
        let coroutine = jumping_range(5, Rc::clone(&mailbox));
        // Had the body run, it would have offered 0 and taken the 7.
        assert_eq!(mailbox.offered.get(), None);
        assert_eq!(mailbox.sent.get(), Some(7));
        drop(coroutine);
    }

    #[test]
    fn pending_six_times_then_ready_with_the_jumps_in_order() {
        let mailbox = Rc::new(Mailbox::default());
        let (offered, received) = drive_like_the_article(5, &mailbox);
        assert_eq!(offered, vec![0, 2, 3, 2, 3, 4]); // the generator's output, one per Pending
        // Poll 1 only starts the body; polls 2..=7 each deliver one value,
        // the article's send(2), next(), send(-1), then the for loop's next()s.
        assert_eq!(received, vec![Some(2), None, Some(-1), None, None, None]);
    }

    #[test]
    fn an_empty_range_is_ready_at_the_first_poll() {
        let mailbox = Rc::new(Mailbox::default());
        let (offered, received) = drive_like_the_article(0, &mailbox);
        assert_eq!((offered, received), (vec![], vec![]));
    }
}
