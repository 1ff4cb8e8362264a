//! What a command-line tool does when its reader goes away.
//!
//! Learners pipe an example into `head`, `grep -m1` or `less`. When that
//! reader exits, the next `println!` fails with "Broken pipe" (Rust ignores
//! SIGPIPE, so the write returns an error instead of killing the process),
//! and `println!` turns a failed write into a panic: exit 101 and a panic
//! message. [`handle_closed_stdout`], the first line of every example's
//! `main`, replaces that with what `cat` or `grep` do:
//!
//! - the reader went away (`EPIPE`): stop quietly, exit 0;
//! - any other failed write (a full disk, `>/dev/full`): one line on
//!   stderr, `error: cannot write to standard output: ...`, exit 1.
//!
//! A closed stdout (fd 1 not open at all) needs nothing: Rust's runtime
//! opens /dev/null in its place at start-up, so the output is discarded.

use std::any::Any;
use std::io;
use std::process;
use std::sync::atomic::{AtomicBool, Ordering};

/// The start of the message `println!` panics with when its write fails.
const PRINT_FAILED: &str = "failed printing to stdout: ";

/// Install the panic hook described in the module header. Call it first in
/// `main`; any other panic still gets the default hook (message, exit 101).
pub fn handle_closed_stdout() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Some(error) = payload_text(info.payload()).and_then(|m| m.strip_prefix(PRINT_FAILED))
        {
            stdout_failed(error);
        }
        default_hook(info);
    }));
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
    static REPORTED: AtomicBool = AtomicBool::new(false);
    let (code, line) = exit_for_write_error(error);
    if let Some(line) = line
        && !REPORTED.swap(true, Ordering::SeqCst)
    {
        eprintln!("{line}");
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
}
