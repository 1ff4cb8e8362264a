//! Two threads, two locks, opposite orders: each waits for the other forever.
//!
//! Mirrors: "Asyncio vs multithreading vs multiprocessing in Python", section
//!          "how does multithreading work in Python?", drawback "deadlocking".
//! Run:     cargo run --release -p deadlock [-- --fix] [-- --help]
//! Notice:  without --fix a watchdog sees that no thread moved, prints who
//!          holds which lock and waits for which, and exits 1. With --fix both
//!          threads take the locks in one global order and finish.
//! Python -> Rust: `threading.Lock` -> `std::sync::Mutex`; the borrow checker
//!          stops data races, not deadlocks: this compiles and hangs in both
//!          languages. The cure is the same too: one lock order for everyone.

mod board;

use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use board::{NAMES, Noticeboard};
use clap::Parser;
use support::{Report, Timer};

/// Two threads move money between two accounts, each locking both.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// Take the two locks in one global order (A before B) in both threads
    #[arg(long)]
    fix: bool,

    /// Seconds without progress before the watchdog calls it a deadlock
    #[arg(long, default_value_t = 1.0, value_parser = support::cli::seconds_parser)]
    patience: f64,
}

/// Two accounts, each behind its own lock, and the board beside them.
struct Bank {
    accounts: [Mutex<i64>; 2],
    board: Noticeboard,
}

impl Bank {
    /// Lock one account, writing on the board that we wait, then hold it.
    fn take(&self, thread: usize, account: usize) -> MutexGuard<'_, i64> {
        println!("thread {}: waiting for lock {}", thread + 1, NAMES[account]);
        self.board.note(|b| b.waits_for[thread] = Some(account));
        let guard = self.accounts[account].lock();
        let guard = guard.unwrap_or_else(|poisoned| poisoned.into_inner());
        self.board.note(|b| {
            b.waits_for[thread] = None;
            b.holds[thread].push(account);
        });
        println!("thread {}: took lock {}", thread + 1, NAMES[account]);
        guard
    }
}

/// Move `amount` from one account to the other, holding both locks.
fn transfer(bank: &Bank, thread: usize, from: usize, to: usize, amount: i64, fix: bool) {
    // The fix: every thread locks the lower-numbered account first, so no
    // thread can hold the second lock while another holds the first.
    let (first, second) = if fix {
        (from.min(to), from.max(to))
    } else {
        (from, to)
    };
    let mut first_guard = bank.take(thread, first);
    bank.board.let_the_other_start(thread);
    let mut second_guard = bank.take(thread, second);
    let (from_guard, to_guard) = if first == from {
        (&mut first_guard, &mut second_guard)
    } else {
        (&mut second_guard, &mut first_guard)
    };
    **from_guard -= amount;
    **to_guard += amount;
    let (who, from, to) = (thread + 1, NAMES[from], NAMES[to]);
    println!("thread {who}: moved {amount} from {from} to {to}");
    drop((first_guard, second_guard));
    bank.board.note(|b| {
        b.holds[thread].clear();
        b.done[thread] = true;
    });
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let args = Args::parse();
    let bank = Arc::new(Bank {
        accounts: [Mutex::new(100), Mutex::new(100)],
        board: Noticeboard::default(),
    });
    let timer = Timer::start();
    // Thread 1 pays B from A, thread 2 pays A from B: opposite orders.
    for (thread, from, to) in [(0, 0, 1), (1, 1, 0)] {
        let bank = Arc::clone(&bank);
        std::thread::spawn(move || transfer(&bank, thread, from, to, 10, args.fix));
    }
    // Deadlocked threads can never be joined; main returns without them,
    // and returning from main ends the process, stuck threads and all.
    let finished = bank.board.watchdog(Duration::from_secs_f64(args.patience));
    let elapsed = timer.elapsed();
    let seconds = elapsed.as_secs_f64();
    let last_line = if finished {
        format!("Both transfers done in {seconds:.2} seconds")
    } else {
        format!("Deadlocked; gave up after {seconds:.2} seconds")
    };
    Report::new("deadlock", elapsed)
        .items(if finished { 2 } else { 0 })
        .errors(if finished { 0 } else { 2 })
        .extra("fix", args.fix)
        .finish(last_line)
}
