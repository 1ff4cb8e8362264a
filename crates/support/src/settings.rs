//! The article's constant pauses, set once from the command line.
//!
//! The article's `count()` writes `time.sleep(1)` inside its body and takes no
//! parameter. Ours keeps that signature and asks [`pause`] for the length, so
//! `--seconds` (and the tests, which run the binary with a short pause) can
//! change it without a parameter the article does not have.

use std::sync::OnceLock;
use std::time::Duration;

static PAUSE: OnceLock<Duration> = OnceLock::new();

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_setting_holds() {
        set_pause(0.25);
        set_pause(9.0);
        assert_eq!(pause(), Duration::from_millis(250));
    }
}
