//! Small flag parsers shared by several examples (use them as clap
//! `value_parser`s so a bad value exits 2 with a clear message).

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

/// How many workers a pool starts when the user does not say: one per CPU
/// this process may use, like Python's `multiprocessing.Pool()` (1 if the
/// system cannot tell).
pub fn cpu_count_default() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_are_checked() {
        assert_eq!(pause_seconds("0"), Ok(0.0));
        assert_eq!(pause_seconds("1.5"), Ok(1.5));
        for bad in ["-1", "3601", "NaN", "inf", "1e400", "soon", ""] {
            assert!(pause_seconds(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
