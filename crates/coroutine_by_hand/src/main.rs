//! A coroutine resumed by hand: an `async fn` that suspends several times,
//! driven one `poll` at a time, with no runtime at all.
//!
//! Mirrors: "Multiprocessing vs Multithreading vs Async IO" (notes), section
//!          "Coroutines" ("a function that can suspend its execution before
//!          reaching return") and the `jumping_range` generator with send().
//! Run:     cargo run --release -p coroutine_by_hand [-- --help]
//! Notice:  creating the future prints nothing: its body has not run a line.
//!          Each `poll` runs it to the next `.await` that is not ready
//!          (Pending) or to its end (Ready). The value we put in the mailbox
//!          before a poll is what the body reads after it resumes: the twin of
//!          `generator.send(value)`.
//! Python -> Rust: `next(gen)` / `gen.send(v)` -> `Future::poll` with a
//!          `Context`; `yield` -> an `.await` that returns Pending once;
//!          StopIteration(value) -> `Poll::Ready(value)`. A future takes no
//!          argument when resumed, so the value travels through shared state.

use std::cell::Cell;
use std::future::Future;
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
        // A future that returns Pending promises to call its waker when it
        // is worth polling again. We are ready at once, so we wake now. With
        // `Waker::noop()` below nobody listens: our driver polls anyway.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn suspend() -> YieldNow {
    YieldNow { yielded: false }
}

/// The shared state between the driver and the coroutine. `Rc<..>` because
/// both hold it; `Cell` because only one of them runs at any moment (the
/// driver is stopped inside `poll` while the body runs), so no lock is needed.
#[derive(Default)]
struct Mailbox {
    /// What the coroutine offers at each suspension (Python: `yield index`).
    offered: Cell<Option<i64>>,
    /// What the driver hands in before a resume (Python: `send(jump)`).
    sent: Cell<Option<i64>>,
}

/// `jumping_range` again, now as an `async fn`. The compiler turns this body
/// into a state machine just like the hand-written one in `generator_send`:
/// `index`, `up_to` and `mailbox` live in the variant for the `.await`.
/// It returns the jumps it received, in order, so the driver can check them.
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
    // A Context carries the waker the future must call when it can make
    // progress. We poll by hand and never wait, so a no-op waker is enough.
    let mut cx = Context::from_waker(Waker::noop());
    coroutine.poll(&mut cx)
}

/// Drive the coroutine the way the article drives its generator:
/// next, send(2), next, send(-1), then next until it finishes. Returns what
/// it printed in order, how many times `poll` said Pending, and the output.
fn drive_like_the_article(up_to: i64, mailbox: &Rc<Mailbox>) -> (Vec<i64>, u64, Vec<Option<i64>>) {
    let mut coroutine = pin!(jumping_range(up_to, Rc::clone(mailbox)));
    // Lazy: the body has not run, so it has offered nothing yet.
    println!(
        "future created; offered so far: {:?} (its body has not run)",
        mailbox.offered.get()
    );

    let script = [None, Some(2), None, Some(-1)];
    let mut offered = Vec::new();
    let mut pendings = 0u64;
    let mut step = 0;
    loop {
        // The article's four calls first, then a `for` loop of next().
        let jump = script.get(step).copied().flatten();
        step += 1;
        println!("driver: poll #{step}, sending {jump:?}");
        match resume(coroutine.as_mut(), mailbox, jump) {
            Poll::Pending => {
                pendings += 1;
                let value = mailbox
                    .offered
                    .get()
                    .expect("a suspended jumping_range always offers a value");
                println!("driver: Pending, offered {value}");
                offered.push(value);
            }
            Poll::Ready(received) => {
                println!("driver: Ready({received:?})");
                return (offered, pendings, received);
            }
        }
    }
}

#[derive(Parser, Debug)]
#[command(about = "An async fn polled by hand with Waker::noop, passing values in between polls")]
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
    let (offered, pendings, received) = drive_like_the_article(args.up_to, &mailbox);
    println!("offered: {offered:?}");
    Report::new("coroutine_by_hand", timer.elapsed())
        .items(offered.len() as u64)
        .extra("pending", pendings)
        .extra("resumes", received.len() as u64)
        .finish(format!(
            "Pending {pendings} times, then Ready after {} resumes.",
            received.len()
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
        let (offered, pendings, received) = drive_like_the_article(5, &mailbox);
        assert_eq!(offered, vec![0, 2, 3, 2, 3, 4]); // the generator's output
        assert_eq!(pendings, 6);
        // Poll 1 only starts the body; polls 2..=7 each deliver one value,
        // the article's send(2), next(), send(-1), then the for loop's next()s.
        assert_eq!(received, vec![Some(2), None, Some(-1), None, None, None]);
    }

    #[test]
    fn an_empty_range_is_ready_at_the_first_poll() {
        let mailbox = Rc::new(Mailbox::default());
        let (offered, pendings, received) = drive_like_the_article(0, &mailbox);
        assert_eq!((offered, pendings, received), (vec![], 0, vec![]));
    }
}
