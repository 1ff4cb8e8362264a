//! A tiny worker program for the pool's integration tests (`tests/pool.rs`).
//! Run by itself (not as a pool worker) it does nothing.

use serde::{Deserialize, Serialize};

/// What the tests ask a worker to do.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Task {
    Square(i64),
    Sleep { ms: u64, value: i64 },
    Die(i32),
    Fail(String),
    Panic(String),
}

/// What every successful task answers: its value and who computed it.
#[derive(Serialize)]
struct Done {
    value: i64,
    worker: usize,
    pid: u32,
    prefix: String,
    /// How many tasks this worker process has run, this one included.
    tasks_run: usize,
}

struct State {
    prefix: String,
    tasks_run: usize,
}

fn run(state: &mut State, task: Task) -> Result<Done, String> {
    // Noise on stdout: the pool must keep it out of the protocol.
    println!("stray output from a task");
    state.tasks_run += 1;
    let value = match task {
        Task::Square(x) => x * x,
        Task::Sleep { ms, value } => {
            std::thread::sleep(std::time::Duration::from_millis(ms));
            value
        }
        Task::Die(code) => std::process::exit(code),
        Task::Fail(message) => return Err(message),
        Task::Panic(message) => panic!("{message}"),
    };
    Ok(Done {
        value,
        worker: support::pool::worker_id().expect("runs only in a worker"),
        pid: std::process::id(),
        prefix: state.prefix.clone(),
        tasks_run: state.tasks_run,
    })
}

fn main() {
    support::pool::serve_if_worker(
        |prefix: String| State {
            prefix,
            tasks_run: 0,
        },
        run,
    );
}
