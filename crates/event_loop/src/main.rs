//! An event loop from scratch: a ready list, wakers that refill it, a timer
//! heap for `sleep`, and the loop that ties them together. No runtime crate.
//!
//! Mirrors: "Multiprocessing vs Multithreading vs Async IO" (notes), "Event
//!          Loop" and count(); the blog's "how does Asyncio work" (the ready
//!          and waiting lists); the basics article's simulated fetch_data.
//! Run:     cargo run --release -p event_loop -- --trace
//!          cargo run --release -p event_loop -- --demo fetch --trace
//! Notice:  with --trace, turn 1 runs all three tasks to their first `.await`
//!          (three "One"); then the ready list is empty and the loop sleeps
//!          until the earliest timer. Three one-second sleeps cost one second.
//!          The waker is the "done" callback: the only way back to ready.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use support::settings::{pause, set_pause};
use support::{Report, Timer};

// ---- The programs: plain async Rust, written as the articles write them. ----

#[tracing::instrument] // a span on --timeline's picture
async fn count() {
    println!("One");
    sleep(pause()).await; // "I'll be a while: run something else meanwhile"
    println!("Two");
}

/// Names only: nothing is contacted, the sleep stands in for the download.
const URLS: [&str; 3] = [
    "http://example.com",
    "http://example.org",
    "http://example.net",
];

#[tracing::instrument] // a span on --timeline's picture
async fn fetch_data(url: &str) {
    println!("Fetching {url}");
    sleep(pause()).await; // waiting on the network, simulated
    println!("Finished fetching {url}");
}

// ---- Timers: how `sleep` asks the loop to wake it later. ----

/// The timer heap: every pending sleep's waker, earliest deadline first (a
/// `BTreeMap` keyed by (deadline, filing order) is a priority queue).
#[derive(Default)]
struct Timers {
    heap: BTreeMap<(Instant, u64), Waker>,
    next_seq: u64,
}

thread_local! {
    // The running loop's timers: how `sleep()` finds its loop, as `asyncio.sleep` does.
    static TIMERS: RefCell<Timers> = RefCell::default();
}

/// `sleep`'s future: polled too early, it files its waker and says Pending.
struct Sleep {
    deadline: Instant,
}

fn sleep(duration: Duration) -> Sleep {
    let deadline = Instant::now() + duration;
    Sleep { deadline }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        TIMERS.with_borrow_mut(|timers| {
            let seq = timers.next_seq;
            timers.next_seq += 1;
            timers.heap.insert((self.deadline, seq), cx.waker().clone());
        });
        Poll::Pending
    }
}

/// Wake every timer that is due. Waking only queues the task for a turn.
fn wake_due_timers(now: Instant) {
    let due: Vec<Waker> = TIMERS.with_borrow_mut(|timers| {
        let later = timers.heap.split_off(&(now, u64::MAX)); // keys after `now`
        std::mem::replace(&mut timers.heap, later)
            .into_values()
            .collect()
    });
    due.into_iter().for_each(Waker::wake); // outside the borrow: a waker may do anything
}

fn next_deadline() -> Option<Instant> {
    TIMERS.with_borrow(|timers| timers.heap.keys().next().map(|&(deadline, _)| deadline))
}

// ---- Tasks and wakers. ----

type TaskId = usize;

/// A task: a future the loop polls, a name, and the waker that re-queues it.
struct Task {
    name: String,
    future: Pin<Box<dyn Future<Output = ()>>>,
    waker: Waker,
}

/// Waking a task puts its id on the ready list, through a channel: wakers must be
/// `Send + Sync` (an I/O thread may fire them); the futures stay on one thread.
struct TaskWaker {
    id: TaskId,
    ready: Sender<TaskId>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        // If the loop is gone there is nobody left to run the task: ignore.
        let _ = self.ready.send(self.id);
    }
}

// ---- The loop. ----

struct EventLoop {
    tasks: BTreeMap<TaskId, Task>, // every unfinished task, ready or waiting, by id
    next_id: TaskId,
    woken_tx: Sender<TaskId>, // cloned into every waker
    woken_rx: Receiver<TaskId>,
    trace: bool,
}

/// What a run did: tasks finished, polls made, turns of the loop.
#[derive(Debug, Default)]
struct RunStats {
    completed: usize,
    polls: usize,
    turns: usize,
}

impl EventLoop {
    fn new(trace: bool) -> Self {
        let (woken_tx, woken_rx) = channel();
        EventLoop {
            tasks: BTreeMap::new(),
            next_id: 0,
            woken_tx,
            woken_rx,
            trace,
        }
    }

    /// Wrap a future in a task and make it ready: it has not run at all yet.
    fn spawn(&mut self, name: impl Into<String>, future: impl Future<Output = ()> + 'static) {
        let id = self.next_id;
        self.next_id += 1;
        let ready = self.woken_tx.clone();
        let waker = Waker::from(Arc::new(TaskWaker { id, ready }));
        let (name, future) = (name.into(), Box::pin(future));
        self.tasks.insert(
            id,
            Task {
                name,
                future,
                waker,
            },
        );
        let _ = self.woken_tx.send(id); // we hold the receiver: this cannot fail
    }

    /// Turn until every task has finished, or until none can ever be woken.
    fn run(&mut self) -> RunStats {
        let mut stats = RunStats::default();
        let mut ready: VecDeque<TaskId> = VecDeque::new();
        while !self.tasks.is_empty() {
            // 1. Due timers wake their tasks; 2. the woken join the ready
            // list, first woken first run (the blog's FIFO).
            wake_due_timers(Instant::now());
            ready.extend(self.woken_rx.try_iter());
            stats.turns += 1;
            if self.trace {
                self.print_lists(stats.turns, &ready);
            }
            if ready.is_empty() {
                // 3. Nothing can run. Sleep the whole thread until the
                // earliest timer: nothing else could wake a task before then.
                let Some(deadline) = next_deadline() else {
                    break; // no timer either: the rest wait forever
                };
                std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
                continue;
            }
            // 4. Run each ready task until it awaits something not ready.
            // It never gets interrupted: it gives control back by returning.
            for id in ready.drain(..) {
                // A task woken twice, or after finishing, is just skipped.
                let Some(task) = self.tasks.get_mut(&id) else {
                    continue;
                };
                stats.polls += 1;
                let mut cx = Context::from_waker(&task.waker);
                if task.future.as_mut().poll(&mut cx).is_ready() {
                    self.tasks.remove(&id);
                    stats.completed += 1;
                }
            }
        }
        // Leftover timers belong to futures that were dropped: forget them.
        TIMERS.with_borrow_mut(|timers| timers.heap.clear());
        stats
    }

    /// The blog's two lists: who is ready to run, and who is waiting.
    fn print_lists(&self, turn: usize, ready: &VecDeque<TaskId>) {
        let waiting = self.tasks.keys().filter(|id| !ready.contains(id));
        let (ready, waiting) = (self.names(ready.iter()), self.names(waiting));
        let next = next_deadline().map(|at| at.saturating_duration_since(Instant::now()));
        let timers = next.map_or(String::new(), |d| {
            format!(" | next timer in {:.3}s", d.as_secs_f64())
        });
        println!("[loop] turn {turn}: ready {ready:?} | waiting {waiting:?}{timers}");
    }

    fn names<'a>(&'a self, ids: impl Iterator<Item = &'a TaskId>) -> Vec<&'a str> {
        ids.filter_map(|id| self.tasks.get(id))
            .map(|task| task.name.as_str())
            .collect()
    }
}

// ---- main: pick a program, hand its coroutines to the loop, run it. ----

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Demo {
    /// The notes' count(): gather of three, One One One Two Two Two.
    Count,
    /// The basics article's fetch_data for three URLs (simulated).
    Fetch,
}

#[derive(Parser, Debug)]
#[command(
    version,
    about = "A single-threaded event loop from scratch, running count() or a simulated fetch"
)]
struct Args {
    /// Which program to run.
    #[arg(long, value_enum, default_value = "count")]
    demo: Demo,
    /// How long each sleep lasts [default: 1 for count, 2 for fetch, as in the articles].
    #[arg(long, value_parser = support::cli::seconds_parser)]
    seconds: Option<f64>,
    /// Print the ready and waiting lists at every turn of the loop.
    #[arg(long)]
    trace: bool,
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let (args, _timeline) = support::timeline::parse::<Args>(); // + --timeline FILE
    let mut event_loop = EventLoop::new(args.trace);
    let s = Timer::start();
    // `asyncio.gather(a, b, c)`: each coroutine a task; `run` ends when all have.
    match args.demo {
        Demo::Count => {
            set_pause(args.seconds.unwrap_or(1.0));
            for n in 1..=3 {
                event_loop.spawn(format!("count {n}"), count());
            }
        }
        Demo::Fetch => {
            set_pause(args.seconds.unwrap_or(2.0));
            for url in URLS {
                event_loop.spawn(format!("fetch_data {url}"), fetch_data(url));
            }
        }
    }
    let spawned = event_loop.tasks.len();
    let stats = event_loop.run();
    Report::new("event_loop", s.elapsed())
        .items(stats.completed as u64)
        .errors((spawned - stats.completed) as u64)
        .extra("turns", stats.turns)
        .extra("polls", stats.polls)
        .finish(format!("executed in {:0.2}s.", s.secs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn timers_wake_tasks_in_deadline_order() {
        let finished = Rc::new(RefCell::new(Vec::new()));
        let mut event_loop = EventLoop::new(false);
        for ms in [30, 10, 20] {
            // Tasks never leave this thread, so they may hold an `Rc`.
            let finished = Rc::clone(&finished);
            event_loop.spawn(format!("{ms} ms"), async move {
                sleep(Duration::from_millis(ms)).await;
                finished.borrow_mut().push(ms);
            });
        }
        let stats = event_loop.run();
        assert_eq!(*finished.borrow(), vec![10, 20, 30]);
        // Each task is polled twice: once to start, once when its own timer
        // fires. No busy polling, no early wake-ups.
        assert_eq!((stats.completed, stats.polls), (3, 6));
    }

    #[test]
    fn three_counts_run_their_first_halves_in_one_turn() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut event_loop = EventLoop::new(false);
        for n in 1..=3 {
            let log = Rc::clone(&log);
            event_loop.spawn(format!("count {n}"), async move {
                log.borrow_mut().push(format!("One {n}"));
                sleep(Duration::from_millis(20)).await;
                log.borrow_mut().push(format!("Two {n}"));
            });
        }
        let stats = event_loop.run();
        assert_eq!(
            *log.borrow(),
            ["One 1", "One 2", "One 3", "Two 1", "Two 2", "Two 3"]
        );
        assert_eq!((stats.completed, stats.polls), (3, 6));
    }

    #[test]
    fn a_task_nobody_will_wake_ends_the_run_instead_of_hanging() {
        let mut event_loop = EventLoop::new(false);
        event_loop.spawn("forever", std::future::pending::<()>());
        event_loop.spawn("quick", async {});
        let stats = event_loop.run();
        assert_eq!(stats.completed, 1);
        assert_eq!(event_loop.tasks.len(), 1);
    }
}
