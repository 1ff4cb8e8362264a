//! The duration and scale flags shared by several examples (use them as clap
//! `value_parser`s so a bad value exits 2 with a clear message), and the
//! defaults of the `--workers` flags.

/// The CPUs this process may use (1 if unknown): the default size of
/// `multiprocessing.Pool()` and `ProcessPoolExecutor()`, whose twins take
/// it as `#[arg(long, default_value_t = cpu_count_default())]`.
pub fn cpu_count_default() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get().try_into().unwrap_or(u32::MAX))
}

/// The default size of `ThreadPoolExecutor()`: min(32, CPUs + 4).
pub fn thread_pool_executor_default() -> u32 {
    cpu_count_default().saturating_add(4).min(32)
}

/// The one `--workers` parser of every example (threads, processes, pools):
/// a whole number from 1 to 256, so a typo like `--workers 0` or
/// `--workers 100000` exits 2 with a clear message instead of starting nothing
/// or exhausting the machine.
pub fn workers(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(n) if (1..=256).contains(&n) => Ok(n),
        _ => Err(format!("{text:?} is not a number of workers from 1 to 256")),
    }
}

/// A pause in seconds for the sleep-based examples: 0 to 3600 (0 makes a
/// quick run; more than an hour is surely a typo).
pub fn pause_seconds(text: &str) -> Result<f64, String> {
    let secs: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if (0.0..=3600.0).contains(&secs) {
        Ok(secs)
    } else {
        Err(format!("{secs} is not between 0 and 3600 seconds"))
    }
}

/// A positive, finite number of seconds below a million (timeouts, task
/// time limits, the examples' own duration flags).
pub fn seconds_parser(text: &str) -> Result<f64, String> {
    let secs: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if secs.is_finite() && secs > 0.0 && secs < 1e6 {
        Ok(secs)
    } else {
        Err(format!("{secs} must be a positive number of seconds"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_are_one_to_256() {
        assert_eq!(workers("1"), Ok(1));
        assert_eq!(workers("256"), Ok(256));
        for bad in ["0", "257", "-3", "five", ""] {
            assert!(workers(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn worker_defaults_follow_python() {
        assert!(cpu_count_default() >= 1);
        let threads = thread_pool_executor_default();
        assert_eq!(threads, (cpu_count_default() + 4).min(32));
    }

    #[test]
    fn pauses_are_checked() {
        assert_eq!(pause_seconds("0"), Ok(0.0));
        assert_eq!(pause_seconds("1.5"), Ok(1.5));
        for bad in ["-1", "3601", "NaN", "inf", "1e400", "soon", ""] {
            assert!(pause_seconds(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(seconds_parser("0.5"), Ok(0.5));
        for bad in ["0", "-1", "NaN", "inf", "1e6", "soon"] {
            assert!(seconds_parser(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
