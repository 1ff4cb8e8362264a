//! The bookkeeping of the `deadlock` example: a board beside the locks
//! that says who holds and who waits for which, so the watchdog can tell
//! the story of a deadlock instead of hanging. The lesson is in main.rs.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The two locks' names, by account number.
pub const NAMES: [&str; 2] = ["A", "B"];

/// What each thread holds and waits for, kept beside the locks so the
/// watchdog can tell the story. `moves` counts every change: progress.
#[derive(Default)]
pub struct Board {
    pub holds: [Vec<usize>; 2],
    pub waits_for: [Option<usize>; 2],
    pub done: [bool; 2],
    pub moves: u64,
}

/// The board behind its own lock, which is never held while a thread
/// takes an account's lock, so the board itself cannot deadlock.
#[derive(Default)]
pub struct Noticeboard(Mutex<Board>);

impl Noticeboard {
    fn read(&self) -> std::sync::MutexGuard<'_, Board> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Write a change on the board; every change counts as progress.
    pub fn note(&self, change: impl FnOnce(&mut Board)) {
        let mut board = self.read();
        change(&mut board);
        board.moves += 1;
    }

    /// So that the unlucky timing happens on every run, not once in a
    /// thousand: after its first lock, a thread waits (at most 5 s) until
    /// the other thread holds a lock, waits for one, or is done.
    pub fn let_the_other_start(&self, thread: usize) {
        let other = 1 - thread;
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let board = self.read();
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

    /// Watch the board until both threads are done (true) or nothing moved
    /// for `patience` (false: a deadlock, and the board says why).
    pub fn watchdog(&self, patience: Duration) -> bool {
        let (mut last_moves, mut last_change) = (u64::MAX, Instant::now());
        loop {
            let board = self.read();
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
}
