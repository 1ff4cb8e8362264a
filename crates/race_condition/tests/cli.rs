//! The real binary: three totals, the forced lost update, the record.

use support::testkit::run_example;

const BIN: &str = env!("CARGO_BIN_EXE_race_condition");

#[test]
fn the_binary_prints_three_totals_and_reports() {
    let run = run_example(BIN, &["--workers", "2", "--increments", "10000"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let total_of = |name: &str| -> u64 {
        let line = run
            .stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("a {name} line in:\n{}", run.stdout));
        line[name.len()..]
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a total after the name")
    };
    assert_eq!(total_of("expected"), 20_000);
    assert_eq!(total_of("fetch_add"), 20_000);
    assert_eq!(total_of("Mutex"), 20_000);
    assert!(total_of("load then store") <= 20_000);
    assert!(run.stdout.contains("total 1, expected 2"), "{}", run.stdout);
    let report = run.report.expect("one report record");
    assert_eq!(report.errors, 0);
    assert_eq!(report.extra["forced_total"], 1);
}

#[test]
fn bad_flags_exit_2_without_a_record() {
    let run = run_example(BIN, &["--workers", "0"]);
    assert_eq!(run.code, Some(2));
    assert!(run.report.is_none());
}
