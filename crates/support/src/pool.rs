//! A process pool built on `std::process`: the twin of `multiprocessing.Pool`.
//!
//! Why it exists: Python's `multiprocessing.Pool` starts worker processes and
//! runs a function you name inside them. Rust's standard library has threads
//! but no process pool, and a closure cannot be sent to another process. So
//! the program starts copies of *itself* as workers, with [`WORKER_ENV`] set
//! to the worker's index, and `main` calls [`serve_if_worker`] first thing:
//! in a worker it never returns, in the parent it returns at once.
//!
//! The protocol is one JSON line per message on the worker's stdin/stdout:
//!
//! ```text
//! parent -> worker   <init value>             once, first; goes to `init`
//! parent -> worker   {"id":7,"task":<T>}      one task at a time per worker
//! worker -> parent   {"id":7,"ok":<R>}   or   {"id":7,"err":"message"}
//! ```
//!
//! A worker gets its next task only after it answered the last (like
//! `chunksize=1`), so one slow task never holds back the others. A worker that
//! dies (its stdout reaches end of file) fails its task with
//! [`TaskError::WorkerDied`] and a fresh worker takes its place. Dropping the
//! pool closes the workers' stdin (they exit), then kills and reaps stragglers.
//!
//! ```text
//! fn main() -> ExitCode {
//!     support::pool::serve_if_worker(set_global_session, download_site);
//!     let mut pool = PoolBuilder::new(4).initializer(&timeout).spawn()?;
//!     let results = pool.map(urls);           // input order
//!     ...
//! }
//! ```

use std::collections::{HashMap, VecDeque};
use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::marker::PhantomData;
use std::os::fd::FromRawFd;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Set in a worker's environment to its index (0, 1, ...).
pub const WORKER_ENV: &str = "SUPPORT_POOL_WORKER";

/// Why a task produced no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskError {
    /// The task function returned `Err(message)` (or panicked).
    Failed(String),
    /// The worker process died (killed, crashed) while running the task.
    WorkerDied { worker: usize, detail: String },
    /// The pool could not send the task, read its reply, or find a worker.
    Pool(String),
    /// The task ran past the pool's task timeout: its worker was killed and
    /// replaced (Python's `Pool` has no such bound and waits forever).
    TimedOut { worker: usize, after: Duration },
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Failed(message) => write!(f, "{message}"),
            TaskError::WorkerDied { worker, detail } => {
                write!(f, "worker {worker} died: {detail}")
            }
            TaskError::Pool(message) => write!(f, "pool error: {message}"),
            TaskError::TimedOut { worker, after } => write!(
                f,
                "timed out after {} s (worker {worker} was killed and replaced)",
                after.as_secs_f64()
            ),
        }
    }
}

impl std::error::Error for TaskError {}

/// One task on the wire; the parent sends `Request<&T>`, a worker reads `Request<Value>`.
#[derive(Serialize, Deserialize)]
struct Request<T> {
    id: usize,
    task: T,
}

/// If this process was started by a pool as a worker, run the initializer
/// once with the pool's initializer value, then answer tasks until stdin
/// closes, and exit. Otherwise return at once. Call it first in `main`.
pub fn serve_if_worker<I, S, T, R>(
    init: impl FnOnce(I) -> S,
    mut task: impl FnMut(&mut S, T) -> Result<R, String>,
) where
    I: DeserializeOwned,
    T: DeserializeOwned,
    R: Serialize,
{
    let Some(index) = worker_id() else { return };
    // The parent's timeline, if it records one, gets this worker's spans.
    let timeline = crate::timeline::record_worker();
    let serve = || -> io::Result<()> {
        let mut protocol = protocol_stdout()?;
        let mut lines = io::stdin().lock().lines();
        let Some(first) = lines.next() else {
            return Ok(());
        };
        let mut state = init(serde_json::from_str(&first?)?);
        for line in lines {
            let request: Request<Value> = serde_json::from_str(&line?)?;
            // Every way a task can go wrong becomes an "err" reply and the
            // worker lives on; even a panic (its message goes to stderr).
            let outcome = serde_json::from_value::<T>(request.task)
                .map_err(|e| format!("worker could not read the task: {e}"))
                .and_then(|t| {
                    catch_unwind(AssertUnwindSafe(|| task(&mut state, t)))
                        .unwrap_or_else(|_| Err("task panicked".to_string()))
                })
                .and_then(|r| serde_json::to_value(r).map_err(|e| e.to_string()));
            let reply = match outcome {
                Ok(value) => json!({"id": request.id, "ok": value}),
                Err(message) => json!({"id": request.id, "err": message}),
            };
            // One write per line, flushed at once: the parent is waiting.
            protocol.write_all(format!("{reply}\n").as_bytes())?;
            protocol.flush()?;
        }
        Ok(())
    };
    // A worker must never fall through into the parent's `main`.
    let served = serve();
    drop(timeline); // `exit` runs no destructors: write the part first
    if let Err(error) = served {
        eprintln!("pool worker {index}: {error}");
        std::process::exit(1);
    }
    std::process::exit(0);
}

/// Keep the real stdout for the protocol and point fd 1 at stderr, so a
/// stray `println!` in task code shows up on the terminal instead of
/// corrupting a reply line.
fn protocol_stdout() -> io::Result<File> {
    io::stdout().flush()?;
    // SAFETY: plain fd calls on fds this process owns. The copy is
    // close-on-exec (a program the task starts cannot hold the pipe open)
    // and is owned by the returned File alone.
    unsafe {
        let fd = libc::fcntl(1, libc::F_DUPFD_CLOEXEC, 3);
        if fd < 0 || libc::dup2(2, 1) < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(File::from_raw_fd(fd))
    }
}

/// In a worker, its index in the pool; `None` in the parent.
pub fn worker_id() -> Option<usize> {
    std::env::var(WORKER_ENV).ok()?.parse().ok()
}

/// The pool examples' `--task-timeout` flag (flatten it into the
/// example's own `clap` struct with `#[command(flatten)]`).
#[derive(Debug, Clone, clap::Args)]
pub struct TaskTimeoutArg {
    /// Fail a task that runs longer than SECS: its worker is killed and
    /// replaced, and the run goes on [default: no limit, as in Python,
    /// whose Pool waits forever for a stopped or stuck worker; so does
    /// this one without the flag]
    #[arg(long, value_name = "SECS", value_parser = crate::cli::seconds_parser)]
    pub task_timeout: Option<f64>,
}

impl TaskTimeoutArg {
    /// The flag as [`PoolBuilder::task_timeout`] takes it.
    pub fn get(&self) -> Option<Duration> {
        self.task_timeout.map(Duration::from_secs_f64)
    }

    /// Make the flag the deadline of every pool this process builds, for
    /// examples whose pool is built inside the article's own function
    /// (whose signature stays the article's).
    pub fn apply_to_every_pool(&self) {
        let _ = DEFAULT_TASK_TIMEOUT.set(self.get());
    }
}

/// The deadline [`PoolBuilder::new`] starts with (see
/// [`TaskTimeoutArg::apply_to_every_pool`]); unset means none.
static DEFAULT_TASK_TIMEOUT: std::sync::OnceLock<Option<Duration>> = std::sync::OnceLock::new();

/// How to start the pool's workers.
pub struct PoolBuilder {
    workers: usize,
    task_timeout: Option<Duration>,
    program: Option<PathBuf>,
    args: Vec<OsString>,
    init: serde_json::Value,
}

impl PoolBuilder {
    /// A pool of `workers` processes (at least 1).
    pub fn new(workers: usize) -> Self {
        PoolBuilder {
            workers: workers.max(1),
            task_timeout: DEFAULT_TASK_TIMEOUT.get().copied().flatten(),
            program: None,
            args: Vec::new(),
            init: serde_json::Value::Null,
        }
    }

    /// The worker program (default: `std::env::current_exe()`). Tests use
    /// the example's real binary, since under `cargo test` the current
    /// executable is the test harness.
    pub fn program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = Some(program.into());
        self
    }

    /// An extra command-line argument for every worker.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// The value every worker's initializer receives (the twin of
    /// `Pool(initializer=..., initargs=...)`).
    pub fn initializer<I: Serialize>(mut self, value: &I) -> Self {
        self.init = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self
    }

    /// Fail a task that runs longer than `timeout` (`None`: wait forever,
    /// as Python's `Pool` does): its worker is killed and replaced, and the
    /// other tasks go on. A worker that is stopped (`kill -STOP`) or stuck
    /// would otherwise hang the pool for good.
    pub fn task_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.task_timeout = timeout;
        self
    }

    /// Start the workers, or, like clap's `parse`, end the program if they
    /// cannot start: one line saying why and how many did (`could not start
    /// the worker processes: ...`), exit 1. The ones started are reaped first.
    pub fn spawn_or_exit<T, R>(self) -> Pool<T, R> {
        self.spawn().unwrap_or_else(|error| {
            eprintln!("could not start the worker processes: {error}");
            std::process::exit(1)
        })
    }

    /// Start the workers.
    pub fn spawn<T, R>(self) -> io::Result<Pool<T, R>> {
        let (sender, events) = mpsc::channel();
        let mut pool = Pool {
            program: self.program.map_or_else(std::env::current_exe, Ok)?,
            args: self.args,
            init_line: format!("{}\n", self.init),
            slots: Vec::new(),
            sender,
            events,
            pending: VecDeque::new(),
            done: VecDeque::new(),
            callbacks: HashMap::new(),
            next_id: 0,
            spawn_error: String::new(),
            task_timeout: self.task_timeout,
            _types: PhantomData,
        };
        // Starting a process costs the parent most of a millisecond (it waits
        // for the child's exec), which adds up for `Pool(50)`: start them from
        // a few threads at once.
        let launchers = thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let per_launcher = self.workers.div_ceil(launchers).max(1);
        let mut started: Vec<Option<io::Result<Worker>>> = Vec::new();
        started.resize_with(self.workers, || None);
        let (program, args, init_line, sender) =
            (&pool.program, &pool.args, &pool.init_line, &pool.sender);
        let mut launch_error = None;
        thread::scope(|scope| {
            for (launcher, slots) in started.chunks_mut(per_launcher).enumerate() {
                // Under a task limit even a launcher thread may be refused:
                // an error, like a refused worker, never a panic.
                let launched = thread::Builder::new().spawn_scoped(scope, move || {
                    for (offset, slot) in slots.iter_mut().enumerate() {
                        let index = launcher * per_launcher + offset;
                        let worker = start_worker(program, args, init_line, sender, index);
                        let failed = worker.is_err();
                        *slot = Some(worker);
                        if failed {
                            break; // the rest would fail the same way
                        }
                    }
                });
                if let Err(error) = launched {
                    launch_error.get_or_insert(error);
                }
            }
        });
        // On error, dropping `pool` kills and reaps the workers already started.
        let mut first_error = launch_error;
        for worker in started.into_iter().flatten() {
            match worker {
                Ok(worker) => pool.slots.push(Some(worker)),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        match first_error {
            Some(error) => Err(io::Error::new(
                error.kind(),
                format!(
                    "started {} of {} worker processes, then the system said: {error}",
                    pool.slots.len(),
                    self.workers
                ),
            )),
            None => Ok(pool),
        }
    }
}

/// A worker process as the parent sees it.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    /// The id of the task it is running, if any, and when it was sent.
    busy: Option<usize>,
    since: Instant,
    /// Tells this process's events from those of the one it replaced.
    generation: u64,
}

/// What a worker's reader thread reports: a line, or end of file (death).
/// Each carries the worker's index and generation.
enum Event {
    Line(usize, u64, String),
    Closed(usize, u64),
}

type Callback<R> = Box<dyn FnOnce(Result<R, TaskError>)>;

/// A running pool: tasks of type `T` in, results of type `R` out.
/// Dropping it closes the workers' stdin and waits for (or kills) them.
pub struct Pool<T, R> {
    program: PathBuf,
    args: Vec<OsString>,
    init_line: String,
    /// One slot per worker index; `None` once a worker is gone for good.
    slots: Vec<Option<Worker>>,
    sender: Sender<Event>,
    events: Receiver<Event>,
    /// Tasks waiting for an idle worker: (id, request line).
    pending: VecDeque<(usize, String)>,
    /// Tasks that finished without reaching a worker (could not be sent).
    done: VecDeque<(usize, Result<R, TaskError>)>,
    callbacks: HashMap<usize, Callback<R>>,
    next_id: usize,
    spawn_error: String,
    task_timeout: Option<Duration>,
    _types: PhantomData<fn(T)>,
}

impl<T, R> Pool<T, R> {
    /// Start worker `index` again (after it died).
    fn start_worker(&self, index: usize) -> io::Result<Worker> {
        start_worker(
            &self.program,
            &self.args,
            &self.init_line,
            &self.sender,
            index,
        )
    }
}

impl<T: Serialize, R: DeserializeOwned> Pool<T, R> {
    /// Number of worker processes.
    pub fn workers(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// The workers' process ids.
    pub fn pids(&self) -> Vec<u32> {
        self.slots.iter().flatten().map(|w| w.child.id()).collect()
    }

    /// Run every task; results in input order (the twin of `Pool.map`).
    pub fn map(&mut self, tasks: Vec<T>) -> Vec<Result<R, TaskError>> {
        let mut results: Vec<Option<_>> = (0..tasks.len()).map(|_| None).collect();
        for (index, result) in self.imap_unordered(tasks) {
            results[index] = Some(result);
        }
        let lost = || Err(TaskError::Pool("the task was lost".to_string()));
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(lost))
            .collect()
    }

    /// Run every task; yield `(input index, result)` in completion order
    /// (the twin of `Pool.imap_unordered`).
    pub fn imap_unordered(
        &mut self,
        tasks: Vec<T>,
    ) -> impl Iterator<Item = (usize, Result<R, TaskError>)> + '_ {
        let first = self.next_id;
        let mut left = tasks.len();
        for task in &tasks {
            self.submit(task);
        }
        std::iter::from_fn(move || {
            while left > 0 {
                let (id, result) = self.next_done()?;
                if let Some(callback) = self.callbacks.remove(&id) {
                    callback(result); // an earlier apply_async finished meanwhile
                } else if id >= first {
                    left -= 1;
                    return Some((id - first, result));
                } // else: left over from an iterator dropped before its end
            }
            None
        })
    }

    /// Queue one task; `callback` runs in this process with its result when
    /// it completes, during [`Pool::join`] (the twin of
    /// `apply_async(..., callback=...)`). The task starts at once if a
    /// worker is idle.
    pub fn apply_async(&mut self, task: T, callback: impl FnOnce(Result<R, TaskError>) + 'static) {
        let id = self.submit(&task);
        self.callbacks.insert(id, Box::new(callback));
        self.dispatch();
    }

    /// Wait until every queued task has completed and its callback has run,
    /// in completion order (the twin of `pool.close(); pool.join()`).
    pub fn join(&mut self) {
        while let Some((id, result)) = self.next_done() {
            if let Some(callback) = self.callbacks.remove(&id) {
                callback(result);
            }
        }
    }

    /// Give the task an id and queue its request line.
    fn submit(&mut self, task: &T) -> usize {
        let id = self.next_id;
        self.next_id += 1;
        match serde_json::to_string(&Request { id, task }) {
            Ok(line) => self.pending.push_back((id, line + "\n")),
            Err(e) => self
                .done
                .push_back((id, Err(TaskError::Pool(format!("unsendable task: {e}"))))),
        }
        id
    }

    /// The scheduler: hand the next pending task to each idle worker.
    fn dispatch(&mut self) {
        if self.slots.iter().all(Option::is_none) {
            for (id, _) in self.pending.drain(..) {
                let why = format!("no worker left to run it ({})", self.spawn_error);
                self.done.push_back((id, Err(TaskError::Pool(why))));
            }
        }
        for worker in self.slots.iter_mut().flatten().filter(|w| w.busy.is_none()) {
            let Some((id, line)) = self.pending.pop_front() else {
                break;
            };
            // If the write fails the worker is dead: its reader thread will
            // report `Closed`, and that fails this task as WorkerDied.
            let _ = worker.stdin.write_all(line.as_bytes());
            worker.busy = Some(id);
            worker.since = Instant::now();
        }
    }

    /// Block until some task finishes; `None` when nothing is outstanding.
    fn next_done(&mut self) -> Option<(usize, Result<R, TaskError>)> {
        loop {
            self.dispatch();
            if let Some(done) = self.done.pop_front() {
                return Some(done);
            }
            // After dispatch, "no worker busy" means nothing is pending either.
            if !self.slots.iter().flatten().any(|w| w.busy.is_some()) {
                return None;
            }
            let event = match self.first_deadline() {
                None => self.events.recv().expect("the pool holds a sender"),
                Some(deadline) => {
                    let wait = deadline.saturating_duration_since(Instant::now());
                    match self.events.recv_timeout(wait) {
                        Ok(event) => event,
                        Err(_) => {
                            self.time_out_overdue();
                            continue;
                        }
                    }
                }
            };
            if let Some(done) = self.handle(event) {
                return Some(done);
            }
        }
    }

    /// When the first running task passes the task timeout, if there is one.
    fn first_deadline(&self) -> Option<Instant> {
        let timeout = self.task_timeout?;
        self.slots
            .iter()
            .flatten()
            .filter(|w| w.busy.is_some())
            .map(|w| w.since + timeout)
            .min()
    }

    /// Kill every worker whose task is past the timeout, fail its task, and
    /// start a fresh worker in its place.
    fn time_out_overdue(&mut self) {
        let Some(timeout) = self.task_timeout else {
            return;
        };
        for index in 0..self.slots.len() {
            let overdue = self.slots[index]
                .as_ref()
                .is_some_and(|w| w.busy.is_some() && w.since.elapsed() >= timeout);
            if !overdue {
                continue;
            }
            let Some(mut worker) = self.slots[index].take() else {
                continue;
            };
            reap(&mut worker.child, Instant::now()); // kill works on a stopped process too
            if let Some(id) = worker.busy {
                let timed_out = TaskError::TimedOut {
                    worker: index,
                    after: timeout,
                };
                self.done.push_back((id, Err(timed_out)));
            }
            match self.start_worker(index) {
                Ok(fresh) => self.slots[index] = Some(fresh),
                Err(e) => self.spawn_error = format!("could not restart worker {index}: {e}"),
            }
        }
    }

    fn handle(&mut self, event: Event) -> Option<(usize, Result<R, TaskError>)> {
        // Events of a worker killed for a timeout come late: ignore them.
        let (Event::Line(index, generation, _) | Event::Closed(index, generation)) = &event;
        if self.slots[*index].as_ref()?.generation != *generation {
            return None;
        }
        match event {
            Event::Line(index, _, line) => {
                let id = self.slots[index].as_mut()?.busy.take()?;
                Some((id, parse_reply(&line, id)))
            }
            Event::Closed(index, _) => {
                let mut worker = self.slots[index].take()?;
                let detail = reap(
                    &mut worker.child,
                    Instant::now() + Duration::from_millis(500),
                );
                // A worker that dies idle is not replaced (that could loop
                // forever if workers die at start-up); one that dies
                // mid-task is, so the rest of the work keeps its pool.
                let id = worker.busy?;
                match self.start_worker(index) {
                    Ok(fresh) => self.slots[index] = Some(fresh),
                    Err(e) => self.spawn_error = format!("could not restart worker {index}: {e}"),
                }
                Some((
                    id,
                    Err(TaskError::WorkerDied {
                        worker: index,
                        detail,
                    }),
                ))
            }
        }
    }
}

/// Start worker `index`, send it the initializer value, and start a
/// thread that turns its stdout into events on our channel.
fn start_worker(
    program: &Path,
    args: &[OsString],
    init_line: &str,
    sender: &Sender<Event>,
    index: usize,
) -> io::Result<Worker> {
    let mut command = Command::new(program);
    if let Some((name, folder)) = crate::timeline::worker_env() {
        command.env(name, folder);
    }
    let mut child = command
        .args(args)
        .env(WORKER_ENV, index.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    if let Err(error) = stdin.write_all(init_line.as_bytes()) {
        reap(&mut child, Instant::now());
        return Err(error);
    }
    static GENERATIONS: AtomicU64 = AtomicU64::new(0);
    let generation = GENERATIONS.fetch_add(1, Ordering::Relaxed);
    let sender = sender.clone();
    let reader = thread::Builder::new().spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(Event::Line(index, generation, line)).is_err() {
                return; // the pool is gone
            }
        }
        let _ = sender.send(Event::Closed(index, generation));
    });
    if let Err(error) = reader {
        reap(&mut child, Instant::now());
        return Err(error);
    }
    Ok(Worker {
        child,
        stdin,
        busy: None,
        since: Instant::now(),
        generation,
    })
}

/// Read `{"id":N,"ok":R}` or `{"id":N,"err":"..."}`.
fn parse_reply<R: DeserializeOwned>(line: &str, id: usize) -> Result<R, TaskError> {
    let bad = |why: String| TaskError::Pool(format!("unreadable reply to task {id}: {why}"));
    let mut reply: Value = serde_json::from_str(line).map_err(|e| bad(format!("{e}: {line}")))?;
    if reply["id"] != id {
        return Err(bad(format!("wrong id: {line}")));
    }
    if let Some(message) = reply.get("err") {
        return Err(TaskError::Failed(
            message.as_str().unwrap_or_default().to_string(),
        ));
    }
    let ok = reply.get_mut("ok").map(Value::take).unwrap_or(Value::Null);
    serde_json::from_value(ok).map_err(|e| bad(e.to_string()))
}

/// Wait for a child until `deadline`, then kill it; always reap it (no
/// zombie is left behind). Returns how it ended, e.g. "signal: 9 (SIGKILL)".
fn reap(child: &mut Child, deadline: Instant) -> String {
    // Poll often at first (a worker whose stdin closed exits within a
    // millisecond or so, and the pool's shutdown is part of every timing),
    // then back off.
    let mut pause = Duration::from_micros(100);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.to_string(),
            Ok(None) if Instant::now() < deadline => {
                thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(5));
            }
            _ => {
                let _ = child.kill();
                return child
                    .wait()
                    .map_or_else(|e| e.to_string(), |s| s.to_string());
            }
        }
    }
}

impl<T, R> Drop for Pool<T, R> {
    fn drop(&mut self) {
        // Closing stdin is the "no more tasks" signal: idle workers exit at
        // once; busy ones get a second to finish, then are killed.
        let mut children = Vec::new();
        for Worker { child, stdin, .. } in self.slots.drain(..).flatten() {
            drop(stdin);
            children.push(child);
        }
        let deadline = Instant::now() + Duration::from_secs(1);
        for child in &mut children {
            reap(child, deadline);
        }
    }
}
