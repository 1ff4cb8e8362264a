//! The printed order is the lesson: every "Fetching" before any "Finished"
//! means all the fetches were waiting at the same moment. No clock is read.

use std::time::Duration;

use support::testkit::run_example_within;

const BIN: &str = env!("CARGO_BIN_EXE_async_fetch_sim");

#[test]
fn every_fetch_starts_before_any_finishes() {
    let urls = [
        "http://a.test",
        "http://b.test",
        "http://c.test",
        "http://d.test",
    ];
    let mut args = vec!["--seconds", "0.05"];
    args.extend(urls);
    let run = run_example_within(BIN, &args, Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 9, "{lines:?}");
    let (started, finished) = lines[..8].split_at(4);
    for url in urls {
        assert!(
            started.contains(&format!("Fetching {url}").as_str()),
            "{lines:?}"
        );
        let end = format!("Finished fetching {url}");
        assert!(finished.contains(&end.as_str()), "{lines:?}");
    }
    assert!(lines[8].starts_with("Done in "), "{lines:?}");
    assert_eq!(run.report.expect("a report record").items, 4);
}
