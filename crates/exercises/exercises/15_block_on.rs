//! Exercise 15: a minimal `block_on`, the heart of every event loop.
//!
//! Read first: the concept notes, "Event Loop"; then
//! `cargo run -p coroutine_by_hand` and `cargo run -p event_loop`.
//!
//! What to do: `block_on` polls a future until it is ready, parking the
//! thread in between. A future that is not ready keeps the `Waker` it was
//! polled with and calls `wake()` when it can make progress, from any
//! thread. The waker here does nothing, so a parked `block_on` is never
//! told to poll again. Make `ThreadWaker::wake` unpark the thread that runs
//! `block_on` (it is stored in the waker).
//!
//! What the check proves: a future woken from another thread completes and
//! its value comes back; and `block_on` polls only when woken (no busy
//! loop). A `block_on` that sleeps forever fails the check after 3 s.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

/// A waker that knows which thread to wake.
struct ThreadWaker {
    thread: Thread,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        // TODO: wake the thread that is parked in `block_on`.
    }
}

/// Run a future to completion on this thread.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker {
        thread: thread::current(),
    }));
    let mut context = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut context) {
            return value;
        }
        // Nothing to do until the future's waker is called: sleep until then.
        thread::park();
    }
}

// ---- The check: leave everything below as it is. ----

/// A future that is ready once a timer thread has fired, counting its polls.
struct Timer {
    fired: Arc<std::sync::atomic::AtomicBool>,
    started: bool,
    polls: Arc<std::sync::atomic::AtomicUsize>,
}

impl Future for Timer {
    type Output = &'static str;
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<&'static str> {
        use std::sync::atomic::Ordering::SeqCst;
        self.polls.fetch_add(1, SeqCst);
        if self.fired.load(SeqCst) {
            return Poll::Ready("rang");
        }
        if !self.started {
            self.started = true;
            let (fired, waker) = (Arc::clone(&self.fired), cx.waker().clone());
            thread::spawn(move || {
                thread::sleep(std::time::Duration::from_millis(50));
                fired.store(true, SeqCst);
                waker.wake();
            });
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// Run `block_on` on its own thread; give up on it after 3 s.
    fn run_bounded<F: Future + Send + 'static>(future: F) -> F::Output
    where
        F::Output: Send + 'static,
    {
        let (done, result) = mpsc::channel();
        thread::spawn(move || {
            let _ = done.send(block_on(future));
        });
        result
            .recv_timeout(Duration::from_secs(3))
            .expect("block_on never returned: was its thread ever woken?")
    }

    #[test]
    fn a_ready_future_needs_no_waking() {
        assert_eq!(run_bounded(async { 6 * 7 }), 42);
    }

    #[test]
    fn a_future_woken_from_another_thread_completes() {
        let polls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let timer = Timer {
            fired: Arc::default(),
            started: false,
            polls: Arc::clone(&polls),
        };
        assert_eq!(run_bounded(timer), "rang");
        // Polled once to start, once after the wake: a spurious unpark may
        // add one, a busy loop would add thousands.
        let polls = polls.load(std::sync::atomic::Ordering::SeqCst);
        assert!(polls <= 3, "polled {polls} times for one wake: a busy loop");
    }
}
