//! Every example with its stdout gone: a reader that went away (a broken
//! pipe, as with `| head -1`), a full disk (`>/dev/full`), and fd 1 closed
//! outright. None may panic or exit above 2; a broken pipe exits 0 quietly,
//! a full disk exits 1 with one line. The examples come from the catalog,
//! so a new one is covered as soon as it has a row.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sizes that finish in a moment in a debug build (the site's latency at
/// 0); a row not listed here runs with its `--quick` arguments.
fn small_args(package: &str) -> Option<&'static [&'static str]> {
    Some(match package {
        "pool_map" | "pool_apply_async" => &["--time-scale", "0.0002", "--inputs", "50"],
        "async_squares" => &["--time-scale", "0.01"],
        "crawl_serial" | "crawl_pool" | "crawl_async" | "crawl_async_continuous" => {
            &["--max-urls", "20", "--latency-ms", "0", "--pages", "50"]
        }
        "crawl_bottleneck" => &["--samples", "2", "--latency-ms", "0", "--pages", "50"],
        "scrape_threads" | "scrape_async" | "scrape_processes" | "scrape_async_processes" => {
            &["--count", "4", "--latency-ms", "0"]
        }
        "download_sync" | "download_threads" | "download_async" | "download_processes" => {
            &["--repeat", "2", "--latency-ms", "0"]
        }
        "cpu_sync" | "cpu_threads" | "cpu_processes" | "cpu_rayon" | "gil_sim" => {
            &["--start", "1000", "--count", "4"]
        }
        "gil_sim_io" => &["--count", "4", "--sleep-ms", "1"],
        "sync_count" | "async_count" | "event_loop" | "threads_basic" | "processes_basic"
        | "async_basic" | "async_fetch_sim" => &["--seconds", "0.01"],
        "async_runtimes" => &["--tasks", "10", "--seconds", "0.01"],
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stdout {
    /// A pipe whose reader is gone before the first write: EPIPE.
    BrokenPipe,
    /// /dev/full: every write fails with ENOSPC.
    Full,
    /// fd 1 not open at all.
    Closed,
}

struct Outcome {
    code: Option<i32>,
    stderr: String,
    timed_out: bool,
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_run_all"))
        .parent()
        .expect("the run_all binary is in a directory")
        .to_path_buf()
}

/// Run `bin args` with stdout in `mode`, in its own process group, killed
/// with everything it started after 60 s.
fn run(bin: &Path, args: &[String], mode: Stdout, scratch: &Path) -> Outcome {
    let stderr_path = scratch.with_extension("stderr");
    let stderr = File::create(&stderr_path).expect("the temp folder is writable");
    let mut command = Command::new(bin);
    command
        .args(args)
        .stdin(Stdio::null())
        .stderr(stderr)
        .process_group(0);
    match mode {
        Stdout::BrokenPipe => command.stdout(Stdio::piped()),
        Stdout::Full => command.stdout(File::create("/dev/full").expect("/dev/full opens")),
        Stdout::Closed => {
            command.stdout(Stdio::null());
            // SAFETY: close(2) is async-signal-safe; it runs in the child
            // between fork and exec.
            unsafe {
                command.pre_exec(|| {
                    libc::close(1);
                    Ok(())
                })
            }
        }
    };
    let mut child = command.spawn().expect("the example starts");
    // The reader goes away before the example writes anything.
    drop(child.stdout.take());
    let deadline = Instant::now() + Duration::from_secs(60);
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait().expect("waiting for the example") {
            break (Some(status), false);
        }
        if Instant::now() > deadline {
            // SAFETY: kill(2) on the process group we created.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let _ = std::fs::remove_file(&stderr_path);
    Outcome {
        code: status.and_then(|s| s.code()),
        stderr,
        timed_out,
    }
}

#[test]
fn every_example_survives_a_closed_stdout() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/");
    let rows: Vec<(String, Vec<String>)> = run_all::catalog::catalog()
        .into_iter()
        .filter(|e| !e.planned && crates.join(&e.package).is_dir())
        .map(|e| {
            let size = match small_args(&e.package) {
                Some(args) => args.iter().map(|a| a.to_string()).collect(),
                None => e.quick.args.clone(),
            };
            (
                e.package.clone(),
                e.variant.iter().cloned().chain(size).collect(),
            )
        })
        .collect();
    build();

    let mut jobs = Vec::new();
    for (package, args) in &rows {
        for mode in [Stdout::BrokenPipe, Stdout::Full, Stdout::Closed] {
            jobs.push((package.clone(), args.clone(), mode));
        }
    }
    let jobs = Mutex::new(jobs);
    let failures = Mutex::new(Vec::new());
    let scratch = std::env::temp_dir().join(format!("closed-stdout-{}", std::process::id()));
    // Two at a time: CI has 2 cores.
    std::thread::scope(|scope| {
        for lane in 0..2 {
            let (jobs, failures, scratch) = (&jobs, &failures, &scratch);
            scope.spawn(move || {
                let mut n = 0;
                while let Some((package, args, mode)) = jobs.lock().unwrap().pop() {
                    n += 1;
                    let bin = bin_dir().join(&package);
                    let scratch = scratch.with_file_name(format!(
                        "{}-{lane}-{n}",
                        scratch.file_name().unwrap().to_string_lossy()
                    ));
                    let outcome = run(&bin, &args, mode, &scratch);
                    if let Some(problem) = judge(mode, &outcome) {
                        failures.lock().unwrap().push(format!(
                            "{package} {} with stdout {mode:?}: {problem}\n  stderr: {}",
                            args.join(" "),
                            outcome.stderr.trim()
                        ));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What is wrong with this outcome, if anything.
fn judge(mode: Stdout, outcome: &Outcome) -> Option<String> {
    if outcome.timed_out {
        return Some("still running after 60 s".into());
    }
    if outcome.stderr.contains("panicked") {
        return Some("it panicked".into());
    }
    let want = match mode {
        Stdout::BrokenPipe | Stdout::Closed => 0,
        Stdout::Full => 1,
    };
    if outcome.code != Some(want) {
        return Some(format!("exit {:?}, expected {want}", outcome.code));
    }
    if mode == Stdout::Full {
        let lines: Vec<&str> = outcome.stderr.lines().collect();
        let expected = "error: cannot write to standard output: No space left on device";
        if !lines.iter().any(|l| l.starts_with(expected)) {
            return Some(format!("no line {expected:?}"));
        }
    }
    if mode == Stdout::BrokenPipe && !outcome.stderr.trim().is_empty() {
        return Some("a broken pipe is not an error: stderr should be empty".into());
    }
    None
}

/// Build every binary of the workspace. `--workspace` (not `-p` per
/// package) unifies features as `cargo test --workspace` does, so in CI this
/// only links what is missing and rebuilds no library.
fn build() {
    let status = support::testkit::cargo_command()
        .args(["build", "--quiet", "--workspace", "--bins"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("running cargo build");
    assert!(status.success(), "cargo build --workspace --bins failed");
}

/// Every example answers `--version` with its name and the workspace's
/// version, and exits 0: one rule for the whole catalog.
#[test]
fn every_example_has_a_version() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/");
    let mut packages: Vec<String> = run_all::catalog::catalog()
        .into_iter()
        .filter(|e| !e.planned && crates.join(&e.package).is_dir())
        .map(|e| e.package)
        .collect();
    packages.dedup();
    build();
    let mut missing = Vec::new();
    for package in &packages {
        let output = Command::new(bin_dir().join(package))
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .expect("the example starts");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let expected = format!("{package} {}", env!("CARGO_PKG_VERSION"));
        if !output.status.success() || stdout.trim() != expected {
            missing.push(format!("{package}: {:?} {stdout:?}", output.status.code()));
        }
    }
    assert!(packages.len() > 30, "the catalog lists {packages:?}");
    assert!(missing.is_empty(), "no --version: {missing:?}");
}
