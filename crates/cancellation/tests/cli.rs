//! The real binary against a site of the test's own: every page arrives,
//! the slow one is given up three times, and /stats agrees.

use std::time::Duration;

use support::testkit::{local_site, run_example_within};

const BIN: &str = env!("CARGO_BIN_EXE_cancellation");

#[test]
fn every_page_arrives_and_the_site_counts_three_abandoned_requests() {
    let site = local_site(20, 0.0);
    let run = run_example_within(
        BIN,
        &[
            "--site",
            site.url(),
            "--pages",
            "3",
            "--give-up-after",
            "0.2",
            "--slow-ms",
            "60000",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.matches("Read ").count(), 9, "{}", run.stdout);
    assert!(run.stdout.contains("Gave up on "), "{}", run.stdout);
    assert!(
        run.stdout.contains("Stopped waiting for "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Aborted the task fetching "),
        "{}",
        run.stdout
    );
    let report = run.report.expect("one record");
    assert_eq!((report.items, report.errors), (9, 0));
    assert_eq!(report.extra["gave_up"], 3);
    // Taken by the binary before it exited, while its client still lived.
    assert_eq!(report.extra["abandoned"], 3, "{:?}", report.extra);
    let stats = site.stats();
    assert_eq!(stats.requests, 12, "{stats:?}");
    assert_eq!(stats.by_status.get(&200), Some(&9), "{stats:?}");
}

#[test]
fn bad_flags_exit_2() {
    let run = run_example_within(BIN, &["--give-up-after", "0"], Duration::from_secs(60));
    assert_eq!(run.code, Some(2));
}
