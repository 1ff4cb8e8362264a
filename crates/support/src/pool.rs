//! A process pool built on `std::process` (API stub: to be implemented).
//!
//! Python's `multiprocessing.Pool` forks workers that run a function you
//! name. Rust has no such pool in its standard library, so we build one:
//! the program starts copies of *itself* as workers (with an environment
//! variable that tells them so), and tasks and results cross the children's
//! stdin and stdout as one JSON line each.
//!
//! ```text
//! fn main() -> ExitCode {
//!     // In a worker, this serves tasks until stdin closes, then exits.
//!     support::pool::serve_if_worker(set_global_session, download_site);
//!     let mut pool = PoolBuilder::new(4).initializer(&timeout).spawn()?;
//!     let results = pool.map(urls);           // input order
//!     ...
//! }
//! ```

use std::ffi::OsString;
use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Set in a worker's environment to its index (0, 1, ...).
pub const WORKER_ENV: &str = "SUPPORT_POOL_WORKER";

/// Why a task produced no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskError {
    /// The task function returned `Err(message)`.
    Failed(String),
    /// The worker process died (killed, crashed) while running the task.
    WorkerDied { worker: usize, detail: String },
    /// The pool could not hand the task to any worker.
    Pool(String),
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Failed(message) => write!(f, "{message}"),
            TaskError::WorkerDied { worker, detail } => {
                write!(f, "worker {worker} died: {detail}")
            }
            TaskError::Pool(message) => write!(f, "pool error: {message}"),
        }
    }
}

impl std::error::Error for TaskError {}

/// If this process was started by a pool as a worker, run the initializer
/// once with the pool's initializer value, then answer tasks until stdin
/// closes, and exit. Otherwise return at once. Call it first in `main`.
pub fn serve_if_worker<I, S, T, R>(
    init: impl FnOnce(I) -> S,
    task: impl FnMut(&mut S, T) -> Result<R, String>,
) where
    I: DeserializeOwned,
    T: DeserializeOwned,
    R: Serialize,
{
    let _ = (init, task);
    if std::env::var_os(WORKER_ENV).is_some() {
        unimplemented!("pool is not built yet")
    }
}

/// In a worker, its index in the pool; `None` in the parent.
pub fn worker_id() -> Option<usize> {
    std::env::var(WORKER_ENV).ok()?.parse().ok()
}

/// How to start the pool's workers.
pub struct PoolBuilder {
    workers: usize,
    program: Option<PathBuf>,
    args: Vec<OsString>,
    init: serde_json::Value,
}

impl PoolBuilder {
    /// A pool of `workers` processes (at least 1).
    pub fn new(workers: usize) -> Self {
        PoolBuilder {
            workers: workers.max(1),
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

    /// Start the workers.
    pub fn spawn<T, R>(self) -> std::io::Result<Pool<T, R>> {
        let _ = (self.workers, self.program, self.args, self.init);
        Err(std::io::Error::other("pool is not built yet"))
    }
}

/// A running pool: tasks of type `T` in, results of type `R` out.
/// Dropping it closes the workers' stdin and waits for (or kills) them.
pub struct Pool<T, R> {
    _types: PhantomData<fn(T) -> R>,
}

impl<T: Serialize, R: DeserializeOwned> Pool<T, R> {
    /// Number of worker processes.
    pub fn workers(&self) -> usize {
        unimplemented!("pool is not built yet")
    }

    /// The workers' process ids.
    pub fn pids(&self) -> Vec<u32> {
        unimplemented!("pool is not built yet")
    }

    /// Run every task; results in input order (the twin of `Pool.map`).
    pub fn map(&mut self, tasks: Vec<T>) -> Vec<Result<R, TaskError>> {
        let _ = tasks;
        unimplemented!("pool is not built yet")
    }

    /// Run every task; yield `(input index, result)` in completion order
    /// (the twin of `Pool.imap_unordered`).
    pub fn imap_unordered(
        &mut self,
        tasks: Vec<T>,
    ) -> impl Iterator<Item = (usize, Result<R, TaskError>)> + '_ {
        let _ = tasks;
        std::iter::empty()
    }

    /// Queue one task; `callback` runs in this process with its result when
    /// it completes, during [`Pool::join`] (the twin of
    /// `apply_async(..., callback=...)`).
    pub fn apply_async(&mut self, task: T, callback: impl FnOnce(Result<R, TaskError>) + 'static) {
        let _ = (task, callback);
        unimplemented!("pool is not built yet")
    }

    /// Wait until every queued task has completed and its callback has run,
    /// in completion order (the twin of `pool.close(); pool.join()`).
    pub fn join(&mut self) {
        unimplemented!("pool is not built yet")
    }
}
