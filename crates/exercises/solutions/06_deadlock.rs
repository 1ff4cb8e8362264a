//! Exercise 06: two threads, two locks, and each waits for the other.
//!
//! Read first: the scraper blog, "deadlocking"; then `cargo run -p gil_sim`
//! and its main.rs.
//!
//! What to do: Alice pays Bob while Bob pays Alice, each on a thread. Each
//! payment locks both accounts, but `alice_pays_bob` locks Alice's first
//! and `bob_pays_alice` locks Bob's first. So each thread takes one lock,
//! then waits forever for the lock the other holds: a deadlock. (Taking a
//! lock with `alice()` or `bob()` pauses a little, as real work would, so
//! the deadlock happens every time, not once in a while.) Change the
//! payments so that it can never happen.
//!
//! What the check proves: both payments finish (within 3 s), and the
//! balances are right afterwards: no money made or lost.

fn alice_pays_bob(accounts: &Accounts, amount: i64) {
    let mut alice = accounts.alice();
    let mut bob = accounts.bob();
    *alice -= amount;
    *bob += amount;
}

fn bob_pays_alice(accounts: &Accounts, amount: i64) {
    // Alice's account first, as in alice_pays_bob: whichever payment gets
    // it first gets both, and the other waits for the pair.
    let mut alice = accounts.alice();
    let mut bob = accounts.bob();
    *bob -= amount;
    *alice += amount;
}

// ---- The check: leave everything below as it is. ----

use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

struct Accounts {
    alice: Mutex<i64>,
    bob: Mutex<i64>,
}

impl Accounts {
    /// Lock Alice's account, then pause, as a payment would while it works.
    fn alice(&self) -> MutexGuard<'_, i64> {
        let account = self.alice.lock().expect("no payment panics");
        thread::sleep(Duration::from_millis(100));
        account
    }

    /// Lock Bob's account, then pause, as a payment would while it works.
    fn bob(&self) -> MutexGuard<'_, i64> {
        let account = self.bob.lock().expect("no payment panics");
        thread::sleep(Duration::from_millis(100));
        account
    }
}

static ACCOUNTS: Accounts = Accounts {
    alice: Mutex::new(100),
    bob: Mutex::new(100),
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier, mpsc};

    #[test]
    fn both_payments_finish() {
        let (done, finished) = mpsc::channel();
        let also_done = done.clone();
        // Both payments start at the same moment (the barrier), as in a busy bank.
        let start = Arc::new(Barrier::new(2));
        let also_start = Arc::clone(&start);
        thread::spawn(move || {
            start.wait();
            alice_pays_bob(&ACCOUNTS, 30);
            let _ = done.send(());
        });
        thread::spawn(move || {
            also_start.wait();
            bob_pays_alice(&ACCOUNTS, 20);
            let _ = also_done.send(());
        });
        // A stuck payment never sends, so each wait has a bound: a deadlock
        // fails the test instead of hanging it (the stuck threads are left
        // behind, and end with the test process).
        for _ in 0..2 {
            if finished.recv_timeout(Duration::from_secs(3)).is_err() {
                panic!(
                    "deadlock: a payment did not finish within 3 s: each thread holds one \
                     lock and waits for the other's; take the locks in the same order"
                );
            }
        }
        let alice = *ACCOUNTS.alice.lock().expect("no payment panicked");
        let bob = *ACCOUNTS.bob.lock().expect("no payment panicked");
        assert_eq!(
            (alice, bob),
            (90, 110),
            "Alice and Bob after paying 30 and 20"
        );
    }
}
