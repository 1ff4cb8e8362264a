//! The Python twins (`scripts/python/`): every one compiles, and, when the
//! virtual environment `target/python-venv` exists (`scripts/python/make_venv.sh`,
//! which `.ci/run` calls), each runs at a tiny size against a real
//! `site_server` and writes the record run_all reads (checked by
//! `scripts/python/test_twins.py`: items, errors, the site's max in flight).
//! Without python3 or the venv, the part that needs it is skipped, with a line
//! that says so.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_run_all"))
        .parent()
        .expect("the run_all binary is in a directory")
        .to_path_buf()
}

/// Runs `command` with a bound: the twins' own runs have 120 s timeouts,
/// so 600 s in all means something is stuck.
fn run_bounded(mut command: Command, limit: Duration) -> std::process::Output {
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starting the twins' test script");
    let started = std::time::Instant::now();
    loop {
        if child.try_wait().expect("waiting for the script").is_some() {
            return child
                .wait_with_output()
                .expect("reading the script's output");
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("test_twins.py did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn check(output: std::process::Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or_default().to_string();
    assert!(
        output.status.success() && last.ends_with(" 0 failed"),
        "test_twins.py: {last}\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_twin_compiles() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let script = repo_root().join("scripts/python/test_twins.py");
    let mut command = Command::new("python3");
    command.arg(script).arg("--compile-only");
    check(run_bounded(command, Duration::from_secs(60)));
}

#[test]
fn every_twin_runs_against_the_local_site() {
    // make_venv.sh puts the venv in $CARGO_TARGET_DIR (or target/): the
    // folder above this test's binaries, wherever that is.
    let target_dir = bin_dir()
        .parent()
        .expect("the binaries' folder is inside the target folder")
        .to_path_buf();
    let python = target_dir.join("python-venv/bin/python");
    if !python.exists() {
        eprintln!(
            "skipped: no {} (scripts/python/make_venv.sh creates it)",
            python.display()
        );
        return;
    }
    let site_server = bin_dir().join("site_server");
    if !site_server.exists() {
        eprintln!(
            "skipped: no {} (cargo build -p site)",
            site_server.display()
        );
        return;
    }
    let mut command = Command::new(python);
    command
        .arg(repo_root().join("scripts/python/test_twins.py"))
        .arg("--site-server")
        .arg(site_server);
    check(run_bounded(command, Duration::from_secs(600)));
}
