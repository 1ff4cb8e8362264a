//! Through the real binary: the lazy first line, the offered values and the
//! closing line; `--version` answers and a bad flag exits 2.

use std::process::Command;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_coroutine_by_hand"))
        .args(args)
        .env_remove("RUN_ALL_REPORT")
        .output()
        .expect("the coroutine_by_hand binary was built by cargo for this test")
}

#[test]
fn the_future_is_lazy_and_offers_the_generators_values() {
    let out = run(&[]);
    assert!(out.status.success(), "exit status {:?}", out.status);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"future created; offered so far: None (its body has not run)")
    );
    assert_eq!(lines.get(1), Some(&"driver: poll #1, sending None"));
    assert_eq!(
        lines[lines.len() - 2..],
        [
            "offered: [0, 2, 3, 2, 3, 4]",
            "Pending 6 times, then Ready after 6 resumes."
        ]
    );
}

#[test]
fn version_answers_and_a_bad_flag_exits_2() {
    let out = run(&["--version"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("coroutine_by_hand "));
    assert_eq!(run(&["--up-to", "x"]).status.code(), Some(2));
}
