//! The two demos through the real binary, with short sleeps: the printed
//! order is the lesson, so that is what we check.

use std::process::Command;

fn run(args: &[&str]) -> (bool, Vec<String>) {
    let out = Command::new(env!("CARGO_BIN_EXE_event_loop"))
        .args(args)
        .env_remove("RUN_ALL_REPORT")
        .output()
        .expect("the event_loop binary was built by cargo for this test");
    let text = String::from_utf8_lossy(&out.stdout);
    (
        out.status.success(),
        text.lines().map(str::to_string).collect(),
    )
}

#[test]
fn three_counts_print_every_one_before_any_two() {
    let (ok, lines) = run(&["--seconds", "0.05"]);
    assert!(ok);
    assert_eq!(lines[..6], ["One", "One", "One", "Two", "Two", "Two"]);
    assert!(
        lines[6].starts_with("executed in ") && lines.len() == 7,
        "{lines:?}"
    );
}

#[test]
fn fetch_starts_all_three_before_finishing_any() {
    let (ok, lines) = run(&["--demo", "fetch", "--seconds", "0.05"]);
    assert!(ok);
    let starts = lines
        .iter()
        .take(3)
        .filter(|l| l.starts_with("Fetching http://example."))
        .count();
    let ends = lines
        .iter()
        .skip(3)
        .take(3)
        .filter(|l| l.starts_with("Finished fetching"))
        .count();
    assert_eq!((starts, ends), (3, 3), "{lines:?}");
}

#[test]
fn trace_shows_the_ready_list_then_the_waiting_list() {
    let (ok, lines) = run(&["--trace", "--seconds", "0.05"]);
    assert!(ok);
    let all = r#"["count 1", "count 2", "count 3"]"#;
    assert_eq!(lines[0], format!("[loop] turn 1: ready {all} | waiting []"));
    assert_eq!(lines[1..4], ["One", "One", "One"]);
    assert!(
        lines[4].starts_with(&format!(
            "[loop] turn 2: ready [] | waiting {all} | next timer in"
        )),
        "{lines:?}"
    );
}

#[test]
fn a_bad_flag_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_event_loop"))
        .args(["--seconds", "-1"])
        .output()
        .expect("the event_loop binary was built by cargo for this test");
    assert_eq!(out.status.code(), Some(2));
}
