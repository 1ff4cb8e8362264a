//! The simulated GIL: one lock, handed over fairly, as CPython hands over its own.
//!
//! Why not a plain `Mutex<()>`? Because std's mutex is not fair: a thread
//! that unlocks and at once locks again nearly always wins, since the thread
//! it woke is still being scheduled. In an experiment on a 2-core Linux
//! machine with 5 threads releasing every 5000 iterations, the same thread
//! got the lock back about 99 times in 100, so one thread ran while four
//! starved; `thread::yield_now()` after unlocking still left one re-grab in
//! five. CPython avoids this (since 3.2) by making a thread that was asked
//! to drop the GIL wait until another thread has taken it. A ticket lock
//! has the same effect: each thread takes a numbered ticket and sleeps until
//! its number is served, so the GIL passes round-robin to whoever has waited
//! longest.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};

/// The GIL's two flags (flattened into gil_sim's own).
#[derive(Debug, Clone, clap::Args)]
pub struct GilArgs {
    /// A thread gives the GIL back after this many iterations (CPython: after 5 ms).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub switch_interval: u64,

    /// Run without the GIL, like cpu_threads (or a free-threaded CPython 3.13t).
    #[arg(long)]
    pub no_gil: bool,
}

/// A fair global lock that can also be switched off (for --no-gil).
pub struct Gil {
    /// `false` for --no-gil: `acquire` returns at once.
    enabled: AtomicBool,
    /// Iterations a thread may run before it must give the GIL back.
    switch_interval: AtomicU64,
    turns: Mutex<Turns>,
    /// Signalled whenever `now_serving` moves on.
    turn_changed: Condvar,
}

struct Turns {
    next_ticket: u64,
    now_serving: u64,
    /// Who held the GIL last, to count handoffs between threads.
    last_holder: Option<ThreadId>,
    handoffs: u64,
}

/// Proof of holding the GIL (`None` when it is off); dropping it serves the
/// next ticket. While it lives, the thread is inside a "holding the GIL"
/// span, which `--timeline` draws.
pub struct GilGuard<'a>(Option<&'a Gil>, Option<tracing::span::EnteredSpan>);

impl Gil {
    /// A GIL that is on. `const`, so it can be a `static`.
    pub const fn new() -> Self {
        Gil {
            enabled: AtomicBool::new(true),
            switch_interval: AtomicU64::new(1_000_000),
            turns: Mutex::new(Turns {
                next_ticket: 0,
                now_serving: 0,
                last_holder: None,
                handoffs: 0,
            }),
            turn_changed: Condvar::new(),
        }
    }

    /// Switch the GIL on or off, and set its switch interval (at least 1),
    /// like `sys.setswitchinterval`; call it before any thread starts.
    pub fn configure(&self, enabled: bool, switch_interval: u64) {
        self.enabled.store(enabled, Ordering::Relaxed);
        self.switch_interval
            .store(switch_interval.max(1), Ordering::Relaxed);
    }

    /// Iterations a thread may run before it must give the GIL back.
    pub fn switch_interval(&self) -> u64 {
        self.switch_interval.load(Ordering::Relaxed)
    }

    /// The bookkeeping never panics half-way, so a poisoned lock (another
    /// thread panicked) still holds consistent numbers.
    fn turns(&self) -> MutexGuard<'_, Turns> {
        self.turns.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Take a ticket and sleep (not spin) until it is served, like a CPython
    /// thread waiting on the GIL's condition variable.
    pub fn acquire(&self) -> GilGuard<'_> {
        if !self.enabled.load(Ordering::Relaxed) {
            return GilGuard(None, None);
        }
        let mut turns = self.turns();
        let ticket = turns.next_ticket;
        turns.next_ticket += 1;
        let mut turns = self
            .turn_changed
            .wait_while(turns, |turns| turns.now_serving != ticket)
            .unwrap_or_else(PoisonError::into_inner);
        let me = thread::current().id();
        if turns.last_holder.is_some_and(|last| last != me) {
            turns.handoffs += 1;
        }
        turns.last_holder = Some(me);
        drop(turns);
        // Entered once the GIL is ours, left before it goes (in `drop`).
        let holding = tracing::info_span!("holding the GIL").entered();
        GilGuard(Some(self), Some(holding))
    }

    /// Tickets taken and not yet served: the holder and the threads queued.
    #[cfg(test)]
    pub fn tickets_out(&self) -> u64 {
        let turns = self.turns();
        turns.next_ticket - turns.now_serving
    }

    /// How many times the GIL went from one thread to another.
    pub fn handoffs(&self) -> u64 {
        self.turns().handoffs
    }
}

/// "GIL on (switch every N iterations)" or "GIL off", for the first line.
impl fmt::Display for Gil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.enabled.load(Ordering::Relaxed) {
            true => write!(
                f,
                "GIL on (switch every {} iterations)",
                self.switch_interval()
            ),
            false => write!(f, "GIL off"),
        }
    }
}

impl Drop for GilGuard<'_> {
    fn drop(&mut self) {
        drop(self.1.take()); // out of "holding the GIL" first
        if let Some(gil) = self.0 {
            gil.turns().now_serving += 1;
            // Every waiter checks whether the new number is its own: with a
            // handful of threads, simpler than a queue of signals.
            gil.turn_changed.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn the_gil_is_handed_over_first_come_first_served() {
        let gil = Gil::new();
        // Pushed while holding the GIL, so this is the order it was held in.
        let order = Mutex::new(Vec::new());
        let push = |who: usize| {
            order
                .lock()
                .expect("no thread panics while pushing")
                .push(who)
        };
        let hold = |who: usize| {
            let _gil = gil.acquire();
            push(who);
        };
        // Wait (at most a minute) until `queued` tickets are out, unserved.
        let deadline = Instant::now() + Duration::from_secs(60);
        let wait_for = |queued: u64| {
            while gil.tickets_out() < queued {
                assert!(Instant::now() < deadline, "a thread never queued");
                thread::yield_now();
            }
        };
        thread::scope(|scope| {
            let first = gil.acquire();
            push(0);
            // Thread 1 queues, then thread 2.
            scope.spawn(|| hold(1));
            wait_for(2);
            scope.spawn(|| hold(2));
            wait_for(3);
            // Thread 0 gives the GIL back and asks again at once: a plain
            // Mutex would usually let it win; the ticket lock puts it last.
            drop(first);
            hold(0);
        });
        let order = order.into_inner().expect("no thread panics while pushing");
        assert_eq!(order, vec![0, 1, 2, 0]);
        assert_eq!(gil.handoffs(), 3);
    }

    #[test]
    fn a_gil_that_is_off_lets_everyone_in() {
        let gil = Gil::new();
        gil.configure(false, 1000);
        let (a, b) = (gil.acquire(), gil.acquire()); // would deadlock if on
        drop((a, b));
        assert_eq!(gil.handoffs(), 0);
    }
}
