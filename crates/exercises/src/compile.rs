//! Compile one exercise file and run its check, reusing the workspace's
//! already compiled dependencies.
//!
//! The exercise files are not part of any Cargo target (some do not compile,
//! on purpose), so the checker compiles each one itself with `rustc`, the way
//! early rustlings did. The crates an exercise may use (tokio, reqwest, ureq,
//! scraper, url, the local `site`...) are this package's own dependencies:
//! `cargo build -p exercises` has compiled them already, and its JSON
//! messages say where each library's `.rlib` is. A check therefore costs one
//! `rustc` of one file, a few seconds, with no network.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::catalog::Kind;

/// The libraries an exercise may name, by crate name: the direct
/// dependencies of this package that exercises use.
const LIBRARIES: &[&str] = &[
    "tokio",
    "futures",
    "reqwest",
    "rustls",
    "ureq",
    "scraper",
    "url",
    "site",
    "serde_json",
];

/// A check that runs longer than this is stuck (a deadlock, a lost wake-up):
/// it is killed and counted as failed, so a check can never hang.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(60);

/// What the toolchain needs to compile an exercise: the `--extern` paths of
/// the libraries and the folder holding their own dependencies.
#[derive(Debug, Clone)]
pub struct Toolchain {
    rustc: PathBuf,
    externs: BTreeMap<String, PathBuf>,
    deps_dir: PathBuf,
    scratch: PathBuf,
    color: bool,
}

#[derive(Deserialize)]
struct Message {
    reason: String,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    filenames: Vec<PathBuf>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// rustc refused the file (its errors were shown).
    DoesNotCompile,
    /// It compiled, and a test failed or the program exited non-zero.
    Failed,
    /// It ran past [`CHECK_TIMEOUT`] and was killed.
    TimedOut,
    /// It compiled, but has fewer tests than the reference solution: a test
    /// was deleted instead of made to pass.
    MissingTests {
        found: usize,
        expected: usize,
    },
}

impl Toolchain {
    /// Ask cargo where this package's dependencies are (building them if
    /// needed) and prepare a scratch folder for this process's checks.
    pub fn prepare(workspace: &Path, color: bool) -> Result<Toolchain> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(&cargo);
        // `cargo run` and `cargo test` hand their program the variables of
        // the package being run (CARGO_PKG_NAME=exercises, ...). Some build
        // scripts (ring's) ask to be rerun when those change, so passing
        // them on would rebuild ring and everything above it on every
        // check, and again on the learner's next plain `cargo` command.
        for (name, _) in std::env::vars_os() {
            if name.to_str().is_some_and(is_per_package_variable) {
                command.env_remove(&name);
            }
        }
        command
            .current_dir(workspace)
            .args(["build", "-p", "exercises", "--message-format=json"]);
        if !cfg!(debug_assertions) {
            command.arg("--release");
        }
        let output = command
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("could not run {}", Path::new(&cargo).display()))?;
        if !output.status.success() {
            bail!("`cargo build -p exercises` failed: the workspace itself does not build");
        }

        let mut externs = BTreeMap::new();
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let Ok(message) = serde_json::from_str::<Message>(line) else {
                continue;
            };
            let Some(target) = message.target else {
                continue;
            };
            if message.reason != "compiler-artifact" || !LIBRARIES.contains(&target.name.as_str()) {
                continue;
            }
            if !target.kind.iter().any(|k| k == "lib" || k == "rlib") {
                continue;
            }
            if let Some(rlib) = message
                .filenames
                .into_iter()
                .find(|f| f.extension().is_some_and(|e| e == "rlib"))
            {
                externs.insert(target.name, rlib);
            }
        }
        let missing: Vec<&str> = LIBRARIES
            .iter()
            .copied()
            .filter(|name| !externs.contains_key(*name))
            .collect();
        if !missing.is_empty() {
            bail!(
                "cargo did not report these libraries: {}",
                missing.join(", ")
            );
        }
        let deps_dir = externs["tokio"]
            .parent()
            .context("an rlib lives in a folder")?
            .to_path_buf();
        let scratch = deps_dir
            .parent()
            .and_then(Path::parent)
            .context("the deps folder is target/<profile>/deps")?
            .join("exercises")
            .join(format!("run-{}", std::process::id()));
        std::fs::create_dir_all(&scratch)
            .with_context(|| format!("could not create {}", scratch.display()))?;
        let rustc = std::env::var_os("RUSTC").map_or_else(|| PathBuf::from("rustc"), PathBuf::from);
        Ok(Toolchain {
            rustc,
            externs,
            deps_dir,
            scratch,
            color,
        })
    }

    /// Compile `source` (as exercise `name`) into the scratch folder and run
    /// its check. The compiler's and the check's output go to this process's
    /// stdout and stderr as they come, as `cargo test` would show them.
    /// A test file must hold at least `expected_tests` tests.
    pub fn check(
        &self,
        name: &str,
        kind: Kind,
        source: &Path,
        expected_tests: usize,
        quiet: bool,
    ) -> Result<Outcome> {
        let binary = self.scratch.join(name);
        let mut rustc = Command::new(&self.rustc);
        rustc
            .args(["--edition", "2024", "--crate-name", "exercise"])
            .arg(source)
            .arg("-o")
            .arg(&binary)
            .arg("-L")
            .arg(format!("dependency={}", self.deps_dir.display()))
            .args(["-C", "debuginfo=0"])
            .arg(format!(
                "--color={}",
                if self.color { "always" } else { "never" }
            ));
        if kind == Kind::Test {
            rustc.arg("--test");
        }
        for (crate_name, rlib) in &self.externs {
            rustc
                .arg("--extern")
                .arg(format!("{crate_name}={}", rlib.display()));
        }
        if quiet {
            rustc.stdout(Stdio::null()).stderr(Stdio::null());
        }
        let status = rustc
            .status()
            .with_context(|| format!("could not run {}", self.rustc.display()))?;
        if !status.success() {
            return Ok(Outcome::DoesNotCompile);
        }

        if kind == Kind::Test {
            let listed = Command::new(&binary)
                .args(["--list", "--format=terse"])
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .output()
                .with_context(|| format!("could not run {}", binary.display()))?;
            let found = String::from_utf8_lossy(&listed.stdout)
                .lines()
                .filter(|line| line.ends_with(": test"))
                .count();
            if found < expected_tests {
                return Ok(Outcome::MissingTests {
                    found,
                    expected: expected_tests,
                });
            }
        }

        let mut run = Command::new(&binary);
        if kind == Kind::Test {
            // One test at a time, so tests that print (or share the local
            // site's counters) never mix; the output is the learner's to read.
            run.args(["--test-threads=1"]);
            if self.color {
                run.arg("--color=always");
            }
        }
        // A backtrace would bury the failing check's message; the message
        // and its line number are what the learner needs.
        run.stdin(Stdio::null()).env("RUST_BACKTRACE", "0");
        if quiet {
            run.stdout(Stdio::null()).stderr(Stdio::null());
        }
        let mut child = run
            .spawn()
            .with_context(|| format!("could not run {}", binary.display()))?;
        let deadline = Instant::now() + CHECK_TIMEOUT;
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(if status.success() {
                    Outcome::Passed
                } else {
                    Outcome::Failed
                });
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Ok(Outcome::TimedOut);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Toolchain {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// Read a whole file, with its path in the error.
pub fn read(path: &Path) -> Result<String> {
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|mut file| file.read_to_string(&mut text))
        .with_context(|| format!("could not read {}", path.display()))?;
    Ok(text)
}

/// The variables cargo sets for the one package it compiles or runs, which
/// must not leak into another cargo command.
fn is_per_package_variable(name: &str) -> bool {
    const PREFIXES: &[&str] = &["CARGO_PKG_", "CARGO_BIN_EXE_", "CARGO_MANIFEST_"];
    const NAMES: &[&str] = &[
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "CARGO_RUSTC_CURRENT_DIR",
        "OUT_DIR",
    ];
    NAMES.contains(&name) || PREFIXES.iter().any(|prefix| name.starts_with(prefix))
}

/// How many tests a source file declares (`#[test]`, `#[tokio::test]`).
pub fn count_tests(source: &str) -> usize {
    source
        .lines()
        .map(str::trim_start)
        .filter(|line| line.starts_with("#[test]") || line.starts_with("#[tokio::test"))
        .count()
}
