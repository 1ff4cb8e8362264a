//! The random sleeps behind the article's `cal_square` (`pool_map`,
//! `pool_apply_async`, `async_squares`): the `--time-scale` flag, and a
//! random number per input that a worker process and its parent agree on.
//!
//! `cal_square` itself, and what the pool or the futures do with it, stay in
//! each example.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Parse `--time-scale`: a number from 0 to 10 (0 makes every sleep zero;
/// 1 is the article's size). Anything else is a usage error (exit 2).
pub fn time_scale(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(scale) if (0.0..=10.0).contains(&scale) => Ok(scale),
        _ => Err(format!("{text:?} is not a number from 0 to 10")),
    }
}

/// The article's `random.random()` for input `x`: a number in [0, 1) from a
/// generator seeded by (seed, x) alone, so it does not matter which worker
/// (or future) draws it, or in which order.
pub fn random_for(seed: u64, x: u64) -> f64 {
    // Multiplying by a large odd constant spreads neighbouring x apart.
    StdRng::seed_from_u64(seed ^ x.wrapping_mul(0x9E37_79B9_7F4A_7C15)).random()
}

/// What every pool worker learns once, from the pool's initializer: enough
/// to draw exactly the sleeps the parent expects.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Settings {
    pub seed: u64,
    pub time_scale: f64,
    pub inputs: u64,
}

/// How long the pool examples' `cal_square(x)` sleeps: `random() * (1000 -
/// x) / 200` seconds in the article (1000 is the input count), times the
/// time scale.
pub fn sleep_for(settings: &Settings, x: u64) -> Duration {
    let seconds = random_for(settings.seed, x) * (settings.inputs - x) as f64 / 200.0;
    Duration::from_secs_f64(seconds * settings.time_scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(seed: u64) -> Settings {
        Settings {
            seed,
            time_scale: 1.0,
            inputs: 1000,
        }
    }

    #[test]
    fn a_sleep_depends_only_on_seed_and_input() {
        let (a, b) = (settings(1), settings(2));
        // Drawing in a different order gives the same numbers.
        let forward: Vec<Duration> = (0..50).map(|x| sleep_for(&a, x)).collect();
        let backward: Vec<Duration> = (0..50).rev().map(|x| sleep_for(&a, x)).collect();
        assert!(forward.iter().eq(backward.iter().rev()));
        assert_ne!(
            forward,
            (0..50).map(|x| sleep_for(&b, x)).collect::<Vec<_>>()
        );
        // And they stay inside the article's range: below (1000 - x) / 200 s.
        assert!((0..1000).all(|x| sleep_for(&a, x).as_secs_f64() < (1000 - x) as f64 / 200.0));
    }

    #[test]
    fn time_scales_are_checked() {
        assert_eq!(time_scale("0"), Ok(0.0));
        assert_eq!(time_scale("10"), Ok(10.0));
        for bad in ["-1", "11", "NaN", "x", ""] {
            assert!(time_scale(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
