//! The article's constants, set once from the command line.
//!
//! The article's `count()` writes `time.sleep(1)` inside its body, and its
//! `print_numbers()` writes `range(5)`: neither takes a parameter. Ours keep
//! those signatures and ask [`pause`] and [`range_end`], so `--seconds` and
//! `--count` (and the tests, which run the binary with short pauses) can
//! change them without a parameter the article does not have.

use std::sync::OnceLock;
use std::time::Duration;

static PAUSE: OnceLock<Duration> = OnceLock::new();
static RANGE_END: OnceLock<u32> = OnceLock::new();

/// Fix this run's pause; `main` calls it once, right after parsing flags.
/// A second call is ignored, so the pause cannot change in the middle of a run.
pub fn set_pause(seconds: f64) {
    let _ = PAUSE.set(Duration::from_secs_f64(seconds.max(0.0)));
}

/// The pause the article writes as a constant: what [`set_pause`] fixed, or
/// one second if nothing did.
pub fn pause() -> Duration {
    PAUSE.get().copied().unwrap_or(Duration::from_secs(1))
}

/// Fix the end of the article's `range(5)`; `main` calls it once, like
/// [`set_pause`].
pub fn set_range_end(end: u32) {
    let _ = RANGE_END.set(end);
}

/// The end of the article's `range(5)`: what [`set_range_end`] fixed, or 5.
pub fn range_end() -> u32 {
    RANGE_END.get().copied().unwrap_or(5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_setting_holds() {
        set_pause(0.25);
        set_pause(9.0);
        assert_eq!(pause(), Duration::from_millis(250));
        set_range_end(3);
        set_range_end(7);
        assert_eq!(range_end(), 3);
    }
}
