//! The known answer the CPU-bound examples check themselves against.
//!
//! `cpu_bound(n)` (the sum of i * i for i in 0..n, computed the slow way)
//! is the lesson and stays in each example. What lives here is the check:
//! the closed formula n(n-1)(2n-1)/6, which costs nothing, so every timed
//! run proves its sums right without trusting the loop it timed. Also here:
//! the `--start`/`--count` flags and the report the examples end with.

use std::time::Duration;

use crate::Report;

/// Above this the closed formula would no longer fit in a `u128` (and the
/// loop would take hours anyway): the examples' `--start` stops here.
pub const MAX_NUMBER: u64 = 1_000_000_000_000;

/// The sum of i * i for i in 0..number, by formula.
pub fn sum_of_squares_below(number: u64) -> u128 {
    let n = u128::from(number);
    if n == 0 {
        return 0;
    }
    n * (n - 1) * (2 * n - 1) / 6
}

/// Print (to stderr) and count every sum that differs from the formula, and
/// a missing or extra sum as one more error.
pub fn check_sums(numbers: &[u64], sums: &[u128]) -> u64 {
    let mut errors = 0;
    for (&number, &sum) in numbers.iter().zip(sums) {
        let expected = sum_of_squares_below(number);
        if sum != expected {
            eprintln!("error: cpu_bound({number}) returned {sum}, expected {expected}");
            errors += 1;
        }
    }
    if sums.len() != numbers.len() {
        eprintln!("error: {} sums for {} numbers", sums.len(), numbers.len());
        errors += 1;
    }
    errors
}

/// The CPU-bound examples' `--start` and `--count` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct NumbersArgs {
    /// The first number (the article uses 5,000,000).
    #[arg(long, default_value_t = 5_000_000, value_parser = clap::value_parser!(u64).range(1..=MAX_NUMBER))]
    pub start: u64,

    /// How many consecutive numbers to sum up to (the article uses 20).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub count: u64,
}

impl NumbersArgs {
    /// The article's `[5_000_000 + x for x in range(20)]`, from the flags.
    pub fn list(&self) -> Vec<u64> {
        (0..self.count).map(|x| self.start + x).collect()
    }
}

/// What every CPU-bound example does once its timer has stopped (so none of
/// it is timed): check each sum against the formula ([`check_sums`]), print
/// `Total of the N sums: T`, and start the report record: the numbers as
/// items, the wrong sums as errors, and the total as text (a JSON number
/// cannot hold a u128 exactly). The example adds its figures and finishes.
pub fn report_sums(example: &str, numbers: &[u64], sums: &[u128], elapsed: Duration) -> Report {
    let errors = check_sums(numbers, sums);
    let total: u128 = sums.iter().sum();
    println!("Total of the {} sums: {total}", numbers.len());
    Report::new(example, elapsed)
        .items(numbers.len() as u64)
        .errors(errors)
        .extra("total", total.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_formula_equals_the_sum_it_stands_for() {
        for number in 0..2000_u64 {
            let by_hand: u128 = (0..u128::from(number)).map(|i| i * i).sum();
            assert_eq!(sum_of_squares_below(number), by_hand, "number {number}");
        }
    }

    #[test]
    fn wrong_missing_and_extra_sums_are_counted() {
        let numbers: Vec<u64> = (100..120).collect();
        let mut sums: Vec<u128> = numbers.iter().map(|&n| sum_of_squares_below(n)).collect();
        assert_eq!(check_sums(&numbers, &sums), 0);
        sums[3] += 1;
        assert_eq!(check_sums(&numbers, &sums), 1);
        assert_eq!(check_sums(&numbers, &sums[..5]), 2);
        sums.push(0);
        assert_eq!(check_sums(&numbers, &sums), 2);
    }

    #[test]
    fn the_flags_list_the_articles_numbers_and_the_report_counts_wrong_sums() {
        let numbers = NumbersArgs {
            start: 5_000_000,
            count: 20,
        }
        .list();
        assert_eq!(numbers.len(), 20);
        assert_eq!((numbers[0], numbers[19]), (5_000_000, 5_000_019));
        let mut sums: Vec<u128> = numbers.iter().map(|&n| sum_of_squares_below(n)).collect();
        sums[0] += 1;
        let report = report_sums("cpu_test", &numbers, &sums, Duration::from_millis(5));
        assert_eq!((report.items, report.errors), (20, 1));
        let total: u128 = sums.iter().sum();
        assert_eq!(report.extra["total"], total.to_string());
    }

    #[test]
    fn the_article_sizes_need_u128_and_the_limit_fits_it() {
        // The article's largest number: its sum no longer fits a u64.
        assert!(sum_of_squares_below(5_000_019) > u128::from(u64::MAX));
        // The formula's largest product stays in range up to the limit.
        let n = u128::from(MAX_NUMBER);
        assert!(
            n.checked_mul(n)
                .and_then(|x| x.checked_mul(2 * n))
                .is_some()
        );
    }
}
