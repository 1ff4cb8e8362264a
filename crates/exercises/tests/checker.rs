//! Tests of the checker itself, run against scratch copies of the exercise
//! tree (`--root`), never the learner's files.
//!
//! Exercise 01 is the fixture: its shipped file fails and its solution
//! passes, so copying one over the other makes each of verify's two rules
//! break. Every wait on a child process is bounded.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CHECKER: &str = env!("CARGO_BIN_EXE_exercises");
const SHIPPED: &str = env!("CARGO_MANIFEST_DIR");

/// A copy of exercises/ and solutions/ in a fresh folder, removed on drop.
struct Fixture {
    root: PathBuf,
}

impl Fixture {
    fn new(test: &str) -> Fixture {
        let root = std::env::temp_dir().join(format!("exercises-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for folder in ["exercises", "solutions"] {
            copy_dir(&Path::new(SHIPPED).join(folder), &root.join(folder));
        }
        Fixture { root }
    }

    fn exercise(&self, name: &str) -> PathBuf {
        self.root.join("exercises").join(format!("{name}.rs"))
    }

    fn solution(&self, name: &str) -> PathBuf {
        self.root.join("solutions").join(format!("{name}.rs"))
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(CHECKER);
        command
            .arg("--root")
            .arg(&self.root)
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        command
    }

    /// Run the checker to its end, within `limit`.
    fn run(&self, args: &[&str], limit: Duration) -> Output {
        let child = self
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the checker starts");
        wait_bounded(child, limit)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("scratch folder");
    for entry in std::fs::read_dir(from).expect("shipped folder is readable") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a shipped file");
        }
    }
}

/// Wait for a child with a deadline; kill it and fail the test past it.
fn wait_bounded(mut child: Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("wait on the checker").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the checker did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("the checker's output")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Generous: the first check may have to build this package's dependencies.
const CHECK_LIMIT: Duration = Duration::from_secs(600);

fn shipped_exercise_count() -> usize {
    std::fs::read_dir(Path::new(SHIPPED).join("exercises"))
        .expect("exercises/ is readable")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .count()
}

#[test]
fn a_fresh_tree_lists_every_exercise_unsolved_and_names_the_first() {
    let fixture = Fixture::new("list");
    let output = fixture.run(&[], Duration::from_secs(30));
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    let count = shipped_exercise_count();
    assert!(count >= 16, "only {count} exercises are shipped");
    assert!(text.contains(&format!("0 of {count} solved")), "{text}");
    assert_eq!(text.matches("[ ]").count(), count, "{text}");
    assert!(text.contains("Next: 01_threads_join"), "{text}");
}

#[test]
fn unknown_names_are_usage_errors() {
    let fixture = Fixture::new("unknown");
    for args in [
        &["check", "no_such_exercise"][..],
        &["hint", "99"],
        &["verify", "01_threads_join", "nope"],
    ] {
        let output = fixture.run(args, Duration::from_secs(30));
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("unknown exercise"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let output = fixture.run(&["--bogus"], Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn verify_accepts_a_sound_exercise() {
    let fixture = Fixture::new("verify-ok");
    let output = fixture.run(&["verify", "01_threads_join"], CHECK_LIMIT);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("ok      01_threads_join"), "{text}");
}

#[test]
fn verify_names_an_exercise_that_already_passes() {
    let fixture = Fixture::new("verify-solved");
    let name = "01_threads_join";
    std::fs::copy(fixture.solution(name), fixture.exercise(name)).expect("copy");
    let output = fixture.run(&["verify", name], CHECK_LIMIT);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("BROKEN  {name}: the exercise already passes")),
        "{text}"
    );
}

#[test]
fn verify_names_a_broken_solution() {
    let fixture = Fixture::new("verify-broken");
    let name = "01_threads_join";
    std::fs::copy(fixture.exercise(name), fixture.solution(name)).expect("copy");
    let output = fixture.run(&["verify", name], CHECK_LIMIT);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains(&format!("BROKEN  {name}: ")), "{text}");
    assert!(text.contains("does not pass"), "{text}");
}

#[test]
fn a_solved_check_is_recorded_and_names_the_next_exercise() {
    let fixture = Fixture::new("check");
    let name = "01_threads_join";
    let failed = fixture.run(&["check", name], CHECK_LIMIT);
    assert_eq!(failed.status.code(), Some(1), "{}", stdout(&failed));
    assert!(stdout(&failed).contains("its check fails"));

    std::fs::copy(fixture.solution(name), fixture.exercise(name)).expect("copy");
    let passed = fixture.run(&["check", name], CHECK_LIMIT);
    let text = stdout(&passed);
    assert_eq!(passed.status.code(), Some(0), "{text}");
    assert!(text.contains(&format!("{name} solved.")), "{text}");
    assert!(text.contains("Next: 02_"), "{text}");

    let listed = stdout(&fixture.run(&[], Duration::from_secs(30)));
    assert!(listed.contains("1 of "), "{listed}");
    assert_eq!(listed.matches("[x]").count(), 1, "{listed}");

    // An edit after the pass makes it unsolved again until checked.
    let mut text = std::fs::read_to_string(fixture.exercise(name)).expect("read");
    text.push_str("\n// edited\n");
    std::fs::write(fixture.exercise(name), text).expect("write");
    let listed = stdout(&fixture.run(&[], Duration::from_secs(30)));
    assert!(listed.contains("0 of "), "{listed}");
}

#[test]
fn a_deleted_test_does_not_count_as_solved() {
    let fixture = Fixture::new("no-tests");
    let name = "01_threads_join";
    let solution = std::fs::read_to_string(fixture.solution(name)).expect("read");
    let gutted = solution.replace("#[test]", "");
    std::fs::write(fixture.exercise(name), gutted).expect("write");
    let output = fixture.run(&["check", name], CHECK_LIMIT);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("has 0 tests where the exercise has 1"),
        "{text}"
    );
}

#[test]
fn reset_puts_back_the_file_as_committed() {
    let fixture = Fixture::new("reset");
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .arg("-C")
            .arg(&fixture.root)
            .args(["-c", "user.name=test", "-c", "user.email=test@localhost"])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "shipped"]);

    let name = "01_threads_join";
    let path = fixture.exercise(name);
    let shipped = std::fs::read(&path).expect("read");
    std::fs::write(&path, b"fn main() { /* the learner's attempt */ }\n").expect("write");
    let output = fixture.run(&["reset", name], Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(std::fs::read(&path).expect("read"), shipped);
}

#[test]
fn watch_moves_on_when_the_current_file_is_saved_solved() {
    let fixture = Fixture::new("watch");
    let name = "01_threads_join";
    let mut child = fixture
        .command(&["watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("watch starts");
    let (line_tx, lines) = mpsc::channel();
    let out = child.stdout.take().expect("piped stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if line_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let mut wait_for = |wanted: &str, limit: Duration| {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(wanted);
                    seen.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!("watch never printed {wanted:?}; it printed: {seen:#?}"),
            }
        }
    };

    wait_for("Watching ", CHECK_LIMIT);
    std::fs::copy(fixture.solution(name), fixture.exercise(name)).expect("save the solution");
    wait_for(&format!("{name} solved."), Duration::from_secs(120));
    wait_for("Checking 02_", Duration::from_secs(30));
    let _ = child.kill();
    let _ = child.wait();
}
