//! The acceptance check, through the real binary: stdout is exactly the six
//! numbers the article prints, and nothing else.

use std::process::Command;

#[test]
fn prints_exactly_the_article_lines() {
    let out = Command::new(env!("CARGO_BIN_EXE_generator_send"))
        .env_remove("RUN_ALL_REPORT")
        .output()
        .expect("the generator_send binary was built by cargo for this test");
    assert!(out.status.success(), "exit status {:?}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n2\n3\n2\n3\n4\n");
}

#[test]
fn an_early_stop_iteration_exits_1_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_generator_send"))
        .args(["--up-to", "3"])
        .env_remove("RUN_ALL_REPORT")
        .output()
        .expect("the generator_send binary was built by cargo for this test");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n2\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("StopIteration"));
}

#[test]
fn version_answers() {
    let out = Command::new(env!("CARGO_BIN_EXE_generator_send"))
        .arg("--version")
        .output()
        .expect("the generator_send binary was built by cargo for this test");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("generator_send "));
}
