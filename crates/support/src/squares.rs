//! The known answer the CPU-bound examples check themselves against.
//!
//! `cpu_bound(n)` (the sum of i * i for i in 0..n, computed the slow way)
//! is the lesson and stays in each example. What lives here is the check:
//! the closed formula n(n-1)(2n-1)/6, which costs nothing, so every timed
//! run proves its sums right without trusting the loop it timed.

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
