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

use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use clap::Parser;
use support::{Report, Timer};

/// Two threads move money between two accounts, each locking both.
#[derive(Parser, Debug)]
#[command(about, long_about = None)]
struct Args {
    /// Take the two locks in one global order (A before B) in both threads
    #[arg(long)]
    fix: bool,

    /// Seconds without progress before the watchdog calls it a deadlock (0.1 to 60)
    #[arg(long, default_value_t = 1.0, value_parser = patience)]
    patience: f64,
}

fn patience(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if (0.1..=60.0).contains(&secs) => Ok(secs),
        _ => Err(format!("{text:?} is not between 0.1 and 60 seconds")),
    }
}

const NAMES: [&str; 2] = ["A", "B"];

/// What each thread holds and waits for, kept beside the locks so the
/// watchdog can tell the story. `moves` counts every change: progress.
#[derive(Default)]
struct Board {
    holds: [Vec<usize>; 2],
    waits_for: [Option<usize>; 2],
    done: [bool; 2],
    moves: u64,
}

struct Bank {
    accounts: [Mutex<i64>; 2],
    board: Mutex<Board>,
}

impl Bank {
    fn note(&self, change: impl FnOnce(&mut Board)) {
        let mut board = self.board.lock().unwrap_or_else(|p| p.into_inner());
        change(&mut board);
        board.moves += 1;
    }

    /// Lock one account, writing on the board that we wait, then hold it.
    fn take(&self, thread: usize, account: usize) -> MutexGuard<'_, i64> {
        println!("thread {}: waiting for lock {}", thread + 1, NAMES[account]);
        self.note(|b| b.waits_for[thread] = Some(account));
        let guard = self.accounts[account]
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        self.note(|b| {
            b.waits_for[thread] = None;
            b.holds[thread].push(account);
        });
        println!("thread {}: took lock {}", thread + 1, NAMES[account]);
        guard
    }

    /// So that the unlucky timing happens on every run, not once in a
    /// thousand: after its first lock, a thread waits (at most 5 s) until
    /// the other thread holds a lock, waits for one, or is done.
    fn let_the_other_start(&self, thread: usize) {
        let other = 1 - thread;
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let board = self.board.lock().unwrap_or_else(|p| p.into_inner());
            if !board.holds[other].is_empty()
                || board.waits_for[other].is_some()
                || board.done[other]
            {
                return;
            }
            drop(board);
            std::thread::sleep(Duration::from_millis(1));
        }
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
    bank.let_the_other_start(thread);
    let mut second_guard = bank.take(thread, second);
    let (from_guard, to_guard) = if first == from {
        (&mut first_guard, &mut second_guard)
    } else {
        (&mut second_guard, &mut first_guard)
    };
    **from_guard -= amount;
    **to_guard += amount;
    println!(
        "thread {}: moved {amount} from {} to {}",
        thread + 1,
        NAMES[from],
        NAMES[to]
    );
    drop((first_guard, second_guard));
    bank.note(|b| {
        b.holds[thread].clear();
        b.done[thread] = true;
    });
}

/// Watch the board until both threads are done (true) or nothing moved
/// for `patience` (false: a deadlock, and the board says why).
fn watchdog(bank: &Bank, patience: Duration) -> bool {
    let (mut last_moves, mut last_change) = (u64::MAX, Instant::now());
    loop {
        let board = bank.board.lock().unwrap_or_else(|p| p.into_inner());
        if board.done.iter().all(|d| *d) {
            return true;
        }
        if board.moves != last_moves {
            (last_moves, last_change) = (board.moves, Instant::now());
        } else if last_change.elapsed() >= patience {
            println!(
                "watchdog: no thread moved for {:.1} s: deadlock",
                patience.as_secs_f64()
            );
            for thread in 0..2 {
                let held: Vec<&str> = board.holds[thread].iter().map(|a| NAMES[*a]).collect();
                let Some(wanted) = board.waits_for[thread] else {
                    continue;
                };
                let owner = (0..2).find(|t| board.holds[*t].contains(&wanted));
                let owner = owner.map_or("nobody".to_string(), |t| format!("thread {}", t + 1));
                println!(
                    "  thread {} holds lock {}, waits for lock {} (held by {owner})",
                    thread + 1,
                    held.join(", "),
                    NAMES[wanted]
                );
            }
            return false;
        }
        drop(board);
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let bank = Arc::new(Bank {
        accounts: [Mutex::new(100), Mutex::new(100)],
        board: Mutex::new(Board::default()),
    });
    let timer = Timer::start();
    // Thread 1 pays B from A, thread 2 pays A from B: opposite orders.
    for (thread, from, to) in [(0, 0, 1), (1, 1, 0)] {
        let bank = Arc::clone(&bank);
        std::thread::spawn(move || transfer(&bank, thread, from, to, 10, args.fix));
    }
    // Deadlocked threads can never be joined; main returns without them,
    // and returning from main ends the process, stuck threads and all.
    let finished = watchdog(&bank, Duration::from_secs_f64(args.patience));
    let elapsed = timer.elapsed();
    let report = Report::new("deadlock", elapsed)
        .items(if finished { 2 } else { 0 })
        .errors(if finished { 0 } else { 2 })
        .extra("fix", args.fix);
    if finished {
        report.finish(format!(
            "Both transfers done in {:.2} seconds",
            elapsed.as_secs_f64()
        ))
    } else {
        report.finish(format!(
            "Deadlocked; gave up after {:.2} seconds",
            elapsed.as_secs_f64()
        ))
    }
}
