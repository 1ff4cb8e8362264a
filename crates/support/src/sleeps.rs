//! The random sleeps behind the article's `cal_square` (`pool_map`,
//! `pool_apply_async`, `async_squares`): the `--time-scale` flag, and a
//! random number per input that a worker process and its parent agree on.
//!
//! The article writes its sleep inside `cal_square(x)`, which takes nothing
//! else. Ours keeps that signature: `main` (and each pool worker, from the
//! pool's initializer) fixes the [`Settings`] once with [`fix`], and
//! [`sleep_for`] reads them. `cal_square` itself, and what the pool or the
//! futures do with it, stay in each example.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::OnceLock;
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

/// Which of the article's two `cal_square` sleeps.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Shape {
    /// The pool cells': `random.random() * (1000 - x) / 200` seconds, 1000
    /// being the number of inputs, so the first inputs sleep longest.
    Pool,
    /// The asyncio cell's: `random.random()` seconds.
    Gather,
}

/// Everything a sleep depends on. A pool worker gets it from the pool's
/// initializer, so it draws exactly the sleeps the parent expects.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Settings {
    pub shape: Shape,
    pub seed: u64,
    pub time_scale: f64,
    pub inputs: u64,
}

impl Settings {
    /// The pool cells' sleeps, for `inputs` inputs.
    pub fn pool(seed: u64, time_scale: f64, inputs: u64) -> Self {
        let shape = Shape::Pool;
        Settings {
            shape,
            seed,
            time_scale,
            inputs,
        }
    }

    /// The asyncio cell's sleeps, for `inputs` futures.
    pub fn gather(seed: u64, time_scale: f64, inputs: u64) -> Self {
        let shape = Shape::Gather;
        Settings {
            shape,
            seed,
            time_scale,
            inputs,
        }
    }

    /// How long `cal_square(x)` sleeps under these settings.
    fn sleep(&self, x: u64) -> Duration {
        let random = random_for(self.seed, x);
        let seconds = match self.shape {
            Shape::Pool => random * self.inputs.saturating_sub(x) as f64 / 200.0,
            Shape::Gather => random,
        };
        Duration::from_secs_f64(seconds * self.time_scale)
    }
}

/// The flags `pool_map` and `pool_apply_async` share (flatten them into the
/// example's own `clap` struct with `#[command(flatten)]`).
#[derive(Debug, Clone, clap::Args)]
pub struct PoolSleepArgs {
    /// How many inputs: cal_square runs on 0..N (the article: 1000)
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub inputs: u64,
    /// Multiplies every sleep (1 is the article's size; 0 to 10)
    #[arg(long, default_value_t = 0.01, value_parser = time_scale)]
    pub time_scale: f64,
    /// Seed for the random sleeps: the same seed gives the same run
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// How many results to print (the article prints 10)
    #[arg(long, default_value_t = 10)]
    pub show: usize,
}

impl PoolSleepArgs {
    /// The pool cells' sleeps these flags ask for.
    pub fn settings(&self) -> Settings {
        Settings::pool(self.seed, self.time_scale, self.inputs)
    }
}

static FIXED: OnceLock<Settings> = OnceLock::new();

/// Fix this process's settings: `main` calls it once, right after parsing
/// flags, and a pool worker's initializer with what the parent sent. A
/// second call is ignored, so the sleeps cannot change in the middle of a run.
pub fn fix(settings: Settings) {
    let _ = FIXED.set(settings);
}

fn fixed() -> &'static Settings {
    FIXED
        .get()
        .expect("main (or a pool worker's initializer) fixes the settings before any sleep")
}

/// How long `cal_square(x)` sleeps: the article's random sleep for input
/// `x`, times the time scale, under the settings [`fix`] fixed.
pub fn sleep_for(x: u64) -> Duration {
    fixed().sleep(x)
}

/// How many inputs the fixed settings have (the article's 1000, or 100).
pub fn inputs() -> u64 {
    fixed().inputs
}

/// The pool examples' ideal lines, in seconds, for the fixed settings: what
/// the sleeps alone cost on `workers` workers, with no pool overhead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ideal {
    /// Every sleep, one after another.
    pub total: f64,
    /// The longest single sleep.
    pub longest: f64,
    /// The bound no schedule beats: no worker ends before the longest
    /// sleep, nor before its share of the total.
    pub bound: f64,
    /// The longest chain of sleeps on one worker when each worker takes the
    /// next input as soon as it is free, in input order (what the pool does).
    pub chain: f64,
}

/// [`Ideal`] for the inputs `0..inputs()` on `workers` workers (at least 1).
pub fn ideal(workers: u32) -> Ideal {
    let sleeps: Vec<Duration> = (0..inputs()).map(sleep_for).collect();
    let total: Duration = sleeps.iter().sum();
    let longest = sleeps.iter().max().copied().unwrap_or_default();
    // When each worker is next free; the earliest on top.
    let mut free_at: BinaryHeap<Reverse<Duration>> = (0..workers.max(1))
        .map(|_| Reverse(Duration::ZERO))
        .collect();
    for sleep in &sleeps {
        let Reverse(start) = free_at.pop().expect("there is at least one worker");
        free_at.push(Reverse(start + *sleep));
    }
    let chain = free_at.into_iter().map(|Reverse(end)| end).max();
    Ideal {
        total: total.as_secs_f64(),
        longest: longest.as_secs_f64(),
        bound: longest.max(total / workers.max(1)).as_secs_f64(),
        chain: chain.unwrap_or_default().as_secs_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sleep_depends_only_on_seed_and_input() {
        let (a, b) = (Settings::pool(1, 1.0, 1000), Settings::pool(2, 1.0, 1000));
        // Drawing in a different order gives the same numbers.
        let forward: Vec<Duration> = (0..50).map(|x| a.sleep(x)).collect();
        let backward: Vec<Duration> = (0..50).rev().map(|x| a.sleep(x)).collect();
        assert!(forward.iter().eq(backward.iter().rev()));
        assert_ne!(forward, (0..50).map(|x| b.sleep(x)).collect::<Vec<_>>());
        // And they stay inside the article's range: below (1000 - x) / 200 s.
        assert!((0..1000).all(|x| a.sleep(x).as_secs_f64() < (1000 - x) as f64 / 200.0));
    }

    #[test]
    fn the_gather_sleeps_are_up_to_a_second_times_the_scale() {
        let (one, two) = (Settings::gather(5, 1.0, 100), Settings::gather(5, 2.0, 100));
        for x in 0..1000 {
            assert!(one.sleep(x) < Duration::from_secs(1));
            let random = random_for(5, x);
            assert_eq!(one.sleep(x), Duration::from_secs_f64(random));
            assert_eq!(two.sleep(x), Duration::from_secs_f64(2.0 * random));
        }
        assert_eq!(Settings::gather(5, 0.0, 100).sleep(3), Duration::ZERO);
    }

    // The only test that fixes this process's settings: the first fix holds.
    #[test]
    fn the_first_settings_fixed_hold_and_the_ideal_follows_them() {
        fix(Settings::pool(7, 1.0, 1000));
        fix(Settings::gather(9, 1.0, 7));
        assert_eq!(inputs(), 1000);
        assert_eq!(sleep_for(3), Settings::pool(7, 1.0, 1000).sleep(3));

        // One worker runs every sleep; the bound is the fair share.
        let one = ideal(1);
        assert_eq!((one.chain, one.bound), (one.total, one.total));
        let fifty = ideal(50);
        assert!(fifty.bound <= fifty.chain && fifty.chain < fifty.total);
        assert!(fifty.bound >= fifty.longest);
        // With more workers than inputs each sleep has its own worker.
        let many = ideal(2000);
        assert_eq!((many.chain, many.bound), (many.longest, many.longest));
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
