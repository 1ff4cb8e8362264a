//! The real binary against an in-process site: exit status, printed lines and
//! the report record when some pages fail, and bad `--urls` files.

use std::process::{Command, Output};

use support::report::{REPORT_ENV, read_reports};

const BIN: &str = env!("CARGO_BIN_EXE_download_async");

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("download_async-{}-{name}", std::process::id()))
}

fn run(args: &[&str], report: Option<&std::path::Path>) -> Output {
    let mut command = Command::new(BIN);
    command.args(args).env_remove(REPORT_ENV);
    if let Some(path) = report {
        command.env(REPORT_ENV, path);
    }
    command.output().expect("the example binary runs")
}

#[test]
fn ten_percent_errors_are_reported_counted_and_exit_1() {
    let site = site::spawn(site::Config {
        latency_ms: 1,
        jitter_ms: 0,
        error_rate: 0.1,
        ..site::Config::default()
    })
    .expect("the local site starts");
    let report_path = temp_path("report.jsonl");
    let _ = std::fs::remove_file(&report_path);

    let output = run(
        &["--site", site.url(), "--repeat", "80"],
        Some(&report_path),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "partial failure exits 1\n{stdout}"
    );

    let stats = site.stats();
    let served_500 = stats.by_status.get(&500).copied().unwrap_or(0);
    let report = read_reports(&report_path).expect("one report line")[0].clone();
    std::fs::remove_file(&report_path).ok();
    assert!(served_500 > 0, "a 10% error rate over 160 pages fails some");
    assert_eq!(report.items + report.errors, 160);
    assert_eq!(report.errors, served_500);
    assert!(report.extra["limit"].is_null(), "no --limit given");
    let max_in_flight = report.extra["max_in_flight"]
        .as_u64()
        .expect("site stats were read");
    assert!((1..=160).contains(&max_in_flight));

    let read_lines = stdout.lines().filter(|l| l.starts_with("Read ")).count() as u64;
    let failed_lines = stdout.lines().filter(|l| l.starts_with("Failed ")).count() as u64;
    assert_eq!(read_lines, report.items);
    assert_eq!(failed_lines, report.errors);
    assert!(stdout.contains(&format!("{served_500} of 160 downloads failed")));
    assert!(stdout.contains(&format!("Downloaded {} in ", report.items)));
}

#[test]
fn a_missing_or_empty_url_list_is_a_clear_error_with_exit_2() {
    let missing = temp_path("missing.txt");
    let output = run(&["--urls", missing.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read the URL list"));

    let empty = temp_path("empty.txt");
    std::fs::write(&empty, "# only a comment\n\n").unwrap();
    let output = run(&["--urls", empty.to_str().unwrap()], None);
    std::fs::remove_file(&empty).ok();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("has no URLs"));
    assert!(output.stdout.is_empty(), "nothing was downloaded");
}
