//! Exercise 07: a worker process that sends its answer back through a pipe.
//!
//! Read first: the basics article, "Multiprocessing Module"; then
//! `cargo run -p processes_basic` and its main.rs.
//!
//! What to do: this program starts itself again as a worker (the
//! `WORKER_MODE` variable tells the copy to be the worker): the parent
//! writes a number to the worker's stdin, the worker adds up i * i below
//! it and prints its answer to its stdout. A process shares no memory with
//! its parent, so the answer must travel through a pipe. Two pieces are
//! missing: the parent gives the worker no pipe for its stdout, and the
//! worker's answer leaves out its process id. Its answer must be one line,
//! `<pid> <sum>`. Run it: the check's messages say what is wrong.
//!
//! What the check proves: the sum is right, and it was computed in a
//! process other than the parent (another pid), within 10 s.

use std::io::{self, Read, Write};
use std::process::{Child, Command, Stdio};

/// The article's `cpu_bound`: the sum of i * i for i in 0..number.
fn cpu_bound(number: u64) -> u128 {
    (0..u128::from(number)).map(|i| i * i).sum()
}

/// In the worker: read the number from stdin, print the answer on stdout.
fn run_worker() {
    let mut input = String::new();
    io::stdin()
        .read_to_string(&mut input)
        .expect("the parent writes a number");
    let number: u64 = input.trim().parse().expect("the parent writes a number");
    println!("{} {}", std::process::id(), cpu_bound(number));
}

/// In the parent: start this program again as a worker, and send it `number`.
fn start_worker(number: u64) -> io::Result<Child> {
    let mut worker = Command::new(std::env::current_exe()?)
        .env(WORKER_MODE, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped()) // the worker's answer comes back on this pipe
        .spawn()?;
    let mut to_worker = worker.stdin.take().expect("stdin is a pipe");
    writeln!(to_worker, "{number}")?;
    // `to_worker` is dropped here, which closes the pipe: the worker's
    // read_to_string sees the end of its input.
    Ok(worker)
}

// ---- The check: leave everything below as it is. ----

use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

/// Set in the worker's environment: this copy of the program is the worker.
const WORKER_MODE: &str = "EXERCISE_07_WORKER";

fn main() -> ExitCode {
    if std::env::var_os(WORKER_MODE).is_some() {
        run_worker();
        return ExitCode::SUCCESS;
    }
    let number = 1_000_000;
    let mut worker = start_worker(number).expect("this program can start itself");
    let outcome = check(&mut worker, number);
    let _ = worker.kill(); // done or stuck: make sure it ends either way
    let _ = worker.wait();
    match outcome {
        Ok(done) => {
            println!("{done}");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("FAILED: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// Read the worker's answer (waiting at most 10 s) and check it.
fn check(worker: &mut Child, number: u64) -> Result<String, String> {
    let mut pipe = worker
        .stdout
        .take()
        .ok_or("the worker's stdout is not a pipe to the parent, so its answer never reaches us")?;
    // Read on a helper thread, so that the wait for the answer has a bound.
    let (answer_tx, answer_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut answer = String::new();
        let _ = pipe.read_to_string(&mut answer);
        let _ = answer_tx.send(answer);
    });
    let answer = answer_rx
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| "the worker sent no answer within 10 s".to_string())?;
    let bad = || format!("the worker answered {answer:?}: expected one line `<pid> <sum>`");
    let (pid, sum) = answer.trim().split_once(' ').ok_or_else(bad)?;
    let pid: u32 = pid.parse().map_err(|_| bad())?;
    let sum: u128 = sum.parse().map_err(|_| bad())?;
    let n = u128::from(number);
    let expected = n * (n - 1) * (2 * n - 1) / 6;
    if sum != expected {
        return Err(format!("the worker's sum is {sum}, expected {expected}"));
    }
    if pid == std::process::id() {
        return Err(format!("the answer came from the parent's own pid {pid}"));
    }
    Ok(format!(
        "worker {pid} computed {sum} for parent {}",
        std::process::id()
    ))
}
