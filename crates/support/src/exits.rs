//! What a command-line tool does when its reader goes away, or when the
//! system has no thread left to give.
//!
//! Learners pipe an example into `head`, `grep -m1` or `less`. When that
//! reader exits, the next `println!` fails with "Broken pipe" (Rust ignores
//! SIGPIPE, so the write returns an error instead of killing the process),
//! and `println!` turns a failed write into a panic: exit 101 and a panic
//! message. [`exit_cleanly_on_io_failure`], the first line of every
//! example's `main`, replaces that with what `cat` or `grep` do:
//!
//! - the reader went away (`EPIPE`): stop quietly, exit 0;
//! - any other failed write (a full disk, `>/dev/full`): one line on
//!   stderr, `error: cannot write to standard output: ...`, exit 1.
//!
//! A closed stdout (fd 1 not open at all) needs nothing: Rust's runtime
//! opens /dev/null in its place at start-up, so the output is discarded.
//!
//! Likewise `std::thread::spawn` (and `scope.spawn`) panic when the system
//! refuses a thread (a `ulimit -u` or cgroup `pids.max` reached): that
//! becomes `error: could not start a thread: ...`, exit 1. Exiting ends the
//! threads already started; pool workers see their stdin close and exit.
//! The process pool itself reports a failed start as an error, with how
//! many workers started (see [`crate::pool`]).

use std::any::Any;
use std::io;
use std::process;
use std::sync::atomic::{AtomicBool, Ordering};

/// The start of the message `println!` panics with when its write fails.
const PRINT_FAILED: &str = "failed printing to stdout: ";

/// The start of the message `thread::spawn` panics with when the system
/// refuses a thread.
const SPAWN_FAILED: &str = "failed to spawn thread: ";

/// Install the panic hook described in the module header. Call it first in
/// `main`; any other panic still gets the default hook (message, exit 101).
pub fn exit_cleanly_on_io_failure() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = payload_text(info.payload()).unwrap_or_default();
        if let Some(error) = message.strip_prefix(PRINT_FAILED) {
            stdout_failed(error);
        }
        if let Some(error) = message.strip_prefix(SPAWN_FAILED) {
            let running = running_threads()
                .map(|n| format!(" ({n} threads of this process were running)"))
                .unwrap_or_default();
            eprintln_once(&format!(
                "error: could not start a thread{running}: {}",
                os_error_text(error)
            ));
            process::exit(1);
        }
        default_hook(info);
    }));
}

/// How many threads this process has (Linux: /proc/self/status), to say
/// how far the example got before the system refused one more.
fn running_threads() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))?
        .trim()
        .parse()
        .ok()
}

/// `Os { code: 11, kind: WouldBlock, message: "Resource temporarily
/// unavailable" }` (the Debug form the panic carries) -> `Resource
/// temporarily unavailable (os error 11)`.
fn os_error_text(debug: &str) -> String {
    let code = debug
        .split_once("code: ")
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|code| code.parse().ok());
    match code {
        Some(code) => io::Error::from_raw_os_error(code).to_string(),
        None => debug.to_string(),
    }
}

/// Print `line` on stderr unless another thread already printed its own.
fn eprintln_once(line: &str) {
    static REPORTED: AtomicBool = AtomicBool::new(false);
    if !REPORTED.swap(true, Ordering::SeqCst) {
        eprintln!("{line}");
    }
}

/// The exit code and the line (if any) for a failed write to stdout, from
/// the error's text, e.g. `Broken pipe (os error 32)`.
pub fn exit_for_write_error(error: &str) -> (i32, Option<String>) {
    if os_error_kind(error) == Some(io::ErrorKind::BrokenPipe) {
        (0, None)
    } else {
        (
            1,
            Some(format!("error: cannot write to standard output: {error}")),
        )
    }
}

/// Leave the process as [`exit_for_write_error`] says. Several threads may
/// fail at once: only the first prints its line.
fn stdout_failed(error: &str) -> ! {
    let (code, line) = exit_for_write_error(error);
    if let Some(line) = line {
        eprintln_once(&line);
    }
    process::exit(code)
}

fn payload_text(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
}

/// The kind of the OS error an `io::Error` message ends with
/// (`... (os error 32)` is EPIPE).
fn os_error_kind(error: &str) -> Option<io::ErrorKind> {
    let code = error.rsplit_once("(os error ")?.1.strip_suffix(')')?;
    Some(io::Error::from_raw_os_error(code.parse().ok()?).kind())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_pipe_is_quiet_and_a_full_disk_is_one_line() {
        let epipe = io::Error::from_raw_os_error(libc::EPIPE).to_string();
        assert_eq!(exit_for_write_error(&epipe), (0, None));
        let enospc = io::Error::from_raw_os_error(libc::ENOSPC).to_string();
        let (code, line) = exit_for_write_error(&enospc);
        assert_eq!(code, 1);
        assert_eq!(
            line.as_deref(),
            Some(format!("error: cannot write to standard output: {enospc}").as_str())
        );
        assert_eq!(exit_for_write_error("something odd").0, 1);
    }

    #[test]
    fn a_refused_thread_reads_as_the_os_error() {
        let debug = format!("{:?}", io::Error::from_raw_os_error(libc::EAGAIN));
        assert_eq!(
            os_error_text(&debug),
            io::Error::from_raw_os_error(libc::EAGAIN).to_string()
        );
    }
}
