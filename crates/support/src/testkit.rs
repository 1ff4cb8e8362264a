//! Test plumbing shared by the examples' tests: a local site with fixed
//! knobs, and a way to run an example's real binary and read back what it
//! printed, its exit code and its report record.
//!
//! It is only used from tests, but it is small and has no dependency of its
//! own, so it lives in the library without a feature flag.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::report::{REPORT_ENV, Report, read_reports};

/// The local site with a fixed latency (no jitter), an error rate, and a
/// small link graph (these tests never crawl, so it starts fast).
pub fn local_site(latency_ms: u64, error_rate: f64) -> site::SiteHandle {
    site::spawn(site::Config {
        latency_ms,
        jitter_ms: 0,
        error_rate,
        pages: 50,
        ..site::Config::default()
    })
    .expect("the local site starts on a free loopback port")
}

/// `count` of the site's stand-in domains: `/domains/1`, `/domains/2`, ...
pub fn domain_urls(site: &site::SiteHandle, count: usize) -> Vec<String> {
    (1..=count)
        .map(|i| format!("{}/domains/{i}", site.url()))
        .collect()
}

/// A loopback port that was free a moment ago: nothing listens there now,
/// so a request to it is refused.
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("the OS hands out a free loopback port")
        .port()
}

/// Six URLs that go wrong in six ways, in this order: a refused
/// connection, a malformed URL, a connection reset mid-answer, a 500, a good
/// page (the run must go on after the failures), and a page slower than a
/// 1-second timeout.
pub fn troublesome_urls(site: &site::SiteHandle) -> Vec<String> {
    let base = site.url();
    vec![
        format!("http://127.0.0.1:{}/sites/dice", closed_port()),
        "http://[::1/not-a-url".to_string(),
        format!("{base}/sites/dice?reset=1"),
        format!("{base}/sites/dice?fail=1"),
        format!("{base}/sites/dice"),
        format!("{base}/sites/dice?latency_ms=5000"),
    ]
}

/// Check a run's outcomes against what the site served, for a site with an
/// error rate and no other fault: every outcome is a page the site answered
/// 200 or a failure it answered 500 (`HTTP 500`), and some failed.
pub fn check_outcomes_match_site<T: std::fmt::Debug>(
    outcomes: &[Result<T, String>],
    site: &site::SiteHandle,
) {
    let failed = outcomes.iter().filter(|o| o.is_err()).count() as u64;
    let read = outcomes.iter().filter(|o| o.is_ok()).count() as u64;
    let stats = site.stats();
    assert!(
        failed > 0,
        "the error rate failed no page of {}",
        outcomes.len()
    );
    assert_eq!(failed, stats.by_status.get(&500).copied().unwrap_or(0));
    assert_eq!(read, stats.by_status.get(&200).copied().unwrap_or(0));
    assert!(
        outcomes
            .iter()
            .flat_map(|o| o.as_ref().err())
            .all(|reason| reason == "HTTP 500"),
        "{outcomes:?}"
    );
}

/// Check what a `download_*` run with failed pages printed and recorded,
/// against what the site served: exit 1, one `Read` line per page read, one
/// `Failed` line per 500, the failures summary and the closing line. Returns
/// the report for the example's own checks.
pub fn check_failed_downloads(run: &ExampleRun, site: &site::SiteHandle, urls: u64) -> Report {
    let stdout = &run.stdout;
    assert_eq!(run.code, Some(1), "partial failure exits 1\n{stdout}");
    let served_500 = site.stats().by_status.get(&500).copied().unwrap_or(0);
    let report = run.report.clone().expect("one report line");
    assert!(served_500 > 0, "the error rate failed no page of {urls}");
    assert_eq!(report.items + report.errors, urls);
    assert_eq!(report.errors, served_500);

    let read_lines = stdout.lines().filter(|l| l.starts_with("Read ")).count() as u64;
    let failed_lines = stdout.lines().filter(|l| l.starts_with("Failed ")).count() as u64;
    assert_eq!(read_lines, report.items);
    assert_eq!(failed_lines, report.errors);
    assert!(stdout.contains(&format!("{served_500} of {urls} downloads failed")));
    assert!(stdout.contains(&format!("Downloaded {} in ", report.items)));
    report
}

/// Check what a `scrape_*` run with failed pages printed and recorded,
/// against what the site served: exit 1, one failure per 500 served, the
/// other pages read, one `Failed` line per failure. Returns the report.
pub fn check_failed_scrape(run: &ExampleRun, site: &site::SiteHandle, urls: u64) -> Report {
    let served_500 = site.stats().by_status.get(&500).copied().unwrap_or(0);
    assert!(served_500 > 0, "the error rate failed no page of {urls}");
    assert_eq!(run.code, Some(1), "partial failure exits 1\n{}", run.stdout);
    let report = run.report.clone().expect("one report line");
    assert_eq!(report.errors, served_500);
    assert_eq!(report.items, urls - served_500);
    assert_eq!(run.stdout.matches("Failed ").count() as u64, served_500);
    report
}

/// Check that the example `bin` refuses a missing and an empty `--urls`
/// file before doing anything: exit 2 (bad arguments), a message that says
/// what is wrong, nothing on stdout, no report record.
pub fn check_bad_url_lists(bin: &str) {
    let missing = temp_path("missing.txt");
    let run = run_example(bin, &["--urls", &missing.to_string_lossy()]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot read the URL list"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "nothing was fetched: {}", run.stdout);
    assert!(run.report.is_none(), "no run, no record");

    let empty = temp_path("empty.txt");
    std::fs::write(&empty, "# only a comment\n\n").expect("the temp folder is writable");
    let run = run_example(bin, &["--urls", &empty.to_string_lossy()]);
    let _ = std::fs::remove_file(&empty);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("has no URLs"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing was fetched: {}", run.stdout);
    assert!(run.report.is_none(), "no run, no record");
}

/// Check that the example `bin` refuses URLs that do not parse exactly,
/// passed with `flag` (`--site`, `--start`, or `--urls`, whose file then
/// holds the URL): exit 2, a message naming the value, nothing on stdout,
/// no report record, and nothing contacted. `small` are the example's flags
/// for a one-page run with a 1-second timeout, so a broken check fails
/// fast instead of waiting on port 80. The proof of nothing contacted: a local
/// site on port P, which the URLs aim at (`:P+65536` is P to a client that
/// wraps the port), serves no request; and a listener on port 80 (where a
/// client that drops the port goes), when this test may bind it, accepts
/// no connection.
pub fn check_refused_urls(bin: &str, flag: &str, small: &[&str]) {
    let site = local_site(0, 0.0);
    let port = site.addr().port();
    let port_80 = std::net::TcpListener::bind("127.0.0.1:80").ok();
    if let Some(listener) = &port_80 {
        listener
            .set_nonblocking(true)
            .expect("a listener can be non-blocking");
    }
    let wrapped = u32::from(port) + 65_536;
    let bad = [
        format!("http://127.0.0.1:{wrapped}/sites/dice"),
        "http://127.0.0.1:99999".to_string(),
        format!("http://:{port}"),
        "http://:80".to_string(),
        format!("ftp://127.0.0.1:{port}/"),
    ];
    for url in &bad {
        let list = temp_path("bad-urls.txt");
        let run = if flag == "--urls" {
            std::fs::write(&list, format!("{}/sites/dice\n{url}\n", site.url()))
                .expect("the temp folder is writable");
            let list = list.to_string_lossy();
            run_example(bin, &[&[flag, list.as_ref()], small].concat())
        } else {
            run_example(bin, &[&[flag, url.as_str()], small].concat())
        };
        let _ = std::fs::remove_file(&list);
        assert_eq!(run.code, Some(2), "{flag} {url}: {}", run.stderr);
        assert!(
            run.stderr.contains(url.as_str()),
            "{flag} {url}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{flag} {url}: {}", run.stdout);
        assert!(run.report.is_none(), "no run, no record");
    }
    assert_eq!(site.stats().requests, 0, "a refused URL contacted the site");
    if let Some(listener) = port_80 {
        assert!(
            listener.accept().is_err(),
            "a refused URL connected to port 80"
        );
    }
}

/// Check a run that was refused threads or processes part-way (see
/// [`run_example_with_task_limit`]): exit 1, one clear line with what the
/// system said, no panic; and once it exited, none of its workers is left
/// (no process of the user `nobody` remains, waiting at most 5 s).
pub fn check_refused_spawn(run: &ExampleRun, expected: &str) {
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.stderr.contains(expected), "{}", run.stderr);
    assert!(
        run.stderr.contains("Resource temporarily unavailable"),
        "{}",
        run.stderr
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !nobodys_processes().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "workers left running: {:?}",
            nobodys_processes()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Pids of the processes of uid 65534 (Linux /proc; empty elsewhere).
fn nobodys_processes() -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/status")).is_ok_and(|status| {
                status
                    .lines()
                    .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("65534"))
            })
        })
        .collect()
}

/// The first printed list of numbers, e.g. the line `[0, 1, 4]` -> `[0, 1, 4]`.
pub fn printed_list(stdout: &str) -> Vec<u64> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with('['))
        .unwrap_or_else(|| panic!("a result line in:\n{stdout}"));
    line.trim_matches(['[', ']'])
        .split(", ")
        .map(|n| n.parse().expect("a number"))
        .collect()
}

/// A path in the temp folder no other test (in this process or another) uses.
pub fn temp_path(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("testkit-{}-{n}-{name}", std::process::id()))
}

/// What one run of an example's binary gave.
#[derive(Debug)]
pub struct ExampleRun {
    /// The exit code (`None` if a signal ended it).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The record it appended to `RUN_ALL_REPORT`, if it wrote one.
    pub report: Option<Report>,
    /// The example's own process id (its pool workers have others).
    pub pid: u32,
}

/// Run the binary `bin` (pass `env!("CARGO_BIN_EXE_<name>")`) with `args`,
/// `RUN_ALL_REPORT` pointing at a fresh temp file, and no stdin; wait for it
/// (at most 10 minutes) and read back its output and report record.
pub fn run_example(bin: &str, args: &[&str]) -> ExampleRun {
    run_example_within(bin, args, Duration::from_secs(600))
}

/// [`run_example`], killing the binary if it has not ended within `limit`
/// (a hung example then fails its test instead of hanging it): the run
/// comes back with `code: None`.
pub fn run_example_within(bin: &str, args: &[&str], limit: Duration) -> ExampleRun {
    run_command(Command::new(bin), bin, args, limit)
}

/// [`run_example_within`], looking at the running example in /proc every
/// couple of milliseconds: which threads and worker processes it really
/// had, and what each of them did (see [`Watched`]). The example is not
/// asked anything, so a lesson needs no counter for its test.
#[cfg(target_os = "linux")]
pub fn run_example_watched(bin: &str, args: &[&str], limit: Duration) -> (ExampleRun, Watched) {
    let mut watched = Watched::default();
    let pause = Duration::from_millis(2);
    let run = run_command_sampling(Command::new(bin), bin, args, limit, pause, &mut |pid| {
        watched.sample(pid);
    });
    (run, watched)
}

/// [`run_example_within`] with `--timeline` pointing at a fresh temp file
/// (appended to `args`), and the timeline it wrote, read back.
pub fn run_example_timeline(
    bin: &str,
    args: &[&str],
    limit: Duration,
) -> (ExampleRun, crate::timeline::trace::Trace) {
    let file = temp_path("timeline.json");
    let file_arg = file.to_string_lossy().into_owned();
    let mut all_args = args.to_vec();
    all_args.extend(["--timeline", &file_arg]);
    let run = run_example_within(bin, &all_args, limit);
    let trace = crate::timeline::trace::Trace::read(&file)
        .unwrap_or_else(|err| panic!("{err}\nstderr:\n{}", run.stderr));
    let _ = std::fs::remove_file(&file);
    (run, trace)
}

/// The N of a crawler's closing line `pages requested: N, ...`.
pub fn pages_requested(stdout: &str) -> usize {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("pages requested: "));
    let number = line.and_then(|rest| rest.split(',').next()?.parse().ok());
    number.unwrap_or_else(|| panic!("no `pages requested` line in:\n{stdout}"))
}

/// Check that `trace` has `lanes` lanes, each named `prefix...` (`thread `,
/// `task fetch`), all in the example's own process: threads or tasks, no
/// worker process.
pub fn check_lanes_in_one_process(
    run: &ExampleRun,
    trace: &crate::timeline::trace::Trace,
    lanes: usize,
    prefix: &str,
) {
    let names: Vec<&str> = trace.lanes.iter().map(|lane| lane.name.as_str()).collect();
    assert_eq!(names.len(), lanes, "lanes: {names:?}");
    assert!(
        names.iter().all(|name| name.starts_with(prefix)),
        "{prefix}...: {names:?}"
    );
    assert_eq!(trace.pids(), [run.pid], "all in the example's process");
}

/// Check that `trace` has one lane per worker process, named `worker 1` to
/// `worker N`, each in a process of its own that is not the example's (the
/// parent hands out the work and does none), and `spans` spans named `span`
/// in all. What the workers did at the same moment is each test's own check.
pub fn check_one_lane_per_worker(
    run: &ExampleRun,
    trace: &crate::timeline::trace::Trace,
    workers: usize,
    span: &str,
    spans: usize,
) {
    let names: Vec<&str> = trace.lanes.iter().map(|lane| lane.name.as_str()).collect();
    let expected: Vec<String> = (1..=workers).map(|n| format!("worker {n}")).collect();
    assert_eq!(names, expected, "one lane per worker process");
    let pids = trace.pids();
    assert_eq!(
        pids.len(),
        workers,
        "each lane in its own process: {pids:?}"
    );
    assert!(
        !pids.contains(&run.pid),
        "the parent did the work itself: {pids:?}"
    );
    let all = trace.lanes.iter().flat_map(|lane| &lane.spans);
    assert_eq!(
        all.filter(|s| s.name == span).count(),
        spans,
        "{span} spans"
    );
}

/// [`run_example`] under a real limit on tasks: `RLIMIT_NPROC` = `limit`
/// threads and processes, counted over the example's user. The limit does
/// not bind root (CAP_SYS_RESOURCE), so as root the example runs as the
/// user `nobody` (uid 65534), which has no other process; as another user
/// the limit is 1, so that user's own processes already use it up and
/// every thread or process the example starts is refused.
#[cfg(unix)]
pub fn run_example_with_task_limit(bin: &str, args: &[&str], limit: u64) -> ExampleRun {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(bin);
    // SAFETY: geteuid has no preconditions.
    let limit = if unsafe { libc::geteuid() } == 0 {
        command.uid(65534).gid(65534);
        limit
    } else {
        1
    };
    // SAFETY: setrlimit is async-signal-safe; it runs in the child between
    // fork and exec (after std has switched the user).
    unsafe {
        command.pre_exec(move || {
            let rlimit = libc::rlimit {
                rlim_cur: limit as libc::rlim_t,
                rlim_max: limit as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_NPROC, &rlimit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    run_command(command, bin, args, Duration::from_secs(600))
}

fn run_command(command: Command, bin: &str, args: &[&str], limit: Duration) -> ExampleRun {
    let pause = Duration::from_millis(10);
    run_command_sampling(command, bin, args, limit, pause, &mut |_| {})
}

/// [`run_command`], calling `sample` with the example's pid every `pause`
/// while it runs.
fn run_command_sampling(
    mut command: Command,
    bin: &str,
    args: &[&str],
    limit: Duration,
    pause: Duration,
    sample: &mut dyn FnMut(u32),
) -> ExampleRun {
    let report_path = temp_path("report.jsonl");
    let mut child = command
        .args(args)
        .env(REPORT_ENV, &report_path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("the example binary {bin} starts: {err}"));
    let pid = child.id();
    // Read both pipes on their own threads, so a chatty child never blocks
    // on a full pipe while we wait for it to end.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => {
                sample(pid);
                std::thread::sleep(pause);
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Err(err) => panic!("waiting for the example binary {bin}: {err}"),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let reports = read_reports(&report_path).ok();
    let _ = std::fs::remove_file(&report_path);
    if let Some(reports) = &reports {
        assert!(reports.len() <= 1, "one run writes one record: {reports:?}");
    }
    ExampleRun {
        code: status.and_then(|status| status.code()),
        stdout,
        stderr,
        report: reports.and_then(|reports| reports.into_iter().next()),
        pid,
    }
}

/// A `cargo` command for a test to run, without the variables cargo set
/// for the test's own package (`CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR`...).
/// Some build scripts (ring's) ask to be rerun when those change, so
/// passing them on would rebuild ring and everything above it, and the
/// next plain `cargo` command would rebuild it all again.
pub fn cargo_command() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    for (name, _) in std::env::vars_os() {
        let per_package = name.to_str().is_some_and(|name| {
            ["CARGO_PKG_", "CARGO_BIN_EXE_", "CARGO_MANIFEST_"]
                .iter()
                .any(|prefix| name.starts_with(prefix))
                || [
                    "CARGO_CRATE_NAME",
                    "CARGO_BIN_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                    "CARGO_RUSTC_CURRENT_DIR",
                    "OUT_DIR",
                ]
                .contains(&name)
        });
        if per_package {
            command.env_remove(&name);
        }
    }
    command
}

/// The pids whose parent is `parent` (Linux /proc).
#[cfg(target_os = "linux")]
pub fn children_of(parent: u32) -> Vec<u32> {
    let entries = std::fs::read_dir("/proc").expect("/proc is readable");
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            // /proc/PID/stat: "pid (name) state ppid ..."; the name may hold spaces.
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                stat.rsplit_once(") ")
                    .and_then(|(_, rest)| rest.split(' ').nth(1))
                    .is_some_and(|ppid| ppid == parent.to_string())
            })
        })
        .collect()
}

/// Run a pool example, stop (SIGSTOP) one of its `workers` worker processes
/// as soon as they have all started, and wait at most 30 s for the run to
/// end: a run that hangs on the stopped worker fails the test. Returns the
/// output and the stopped worker's pid.
#[cfg(target_os = "linux")]
pub fn run_with_one_worker_stopped(
    bin: &str,
    args: &[&str],
    workers: usize,
) -> (std::process::Output, u32) {
    let child = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("the example binary {bin} starts: {err}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let started = loop {
        let started = children_of(child.id());
        if started.len() >= workers || Instant::now() > deadline {
            break started;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(started.len(), workers, "all workers started");
    let stopped = started[0];
    // SAFETY: kill(2) on a child of the process we started.
    unsafe { libc::kill(stopped as i32, libc::SIGSTOP) };

    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    match receiver.recv_timeout(Duration::from_secs(30)) {
        Ok(output) => (output.expect("the example runs"), stopped),
        Err(_) => {
            // SAFETY: as above; a stopped process still dies of SIGKILL.
            unsafe { libc::kill(stopped as i32, libc::SIGKILL) };
            panic!("the run hung on a stopped worker");
        }
    }
}

/// What [`run_example_watched`] saw of a running example in /proc: the
/// threads and child processes it really had, and what each one did.
#[cfg(target_os = "linux")]
#[derive(Debug, Default, Clone)]
pub struct Watched {
    /// Every thread of the example but its main thread, by thread id, with
    /// the most CPU time it was seen to have used, in clock ticks (1/100 s).
    pub thread_cpu_ticks: std::collections::BTreeMap<u32, u64>,
    /// The most threads besides the main one alive in one look.
    pub most_threads_at_once: usize,
    /// Every child process (a pool's worker), by pid, with the most write
    /// system calls it was seen to have made. A pool worker makes one per
    /// answer and none before its first, so this counts its finished tasks.
    pub child_writes: std::collections::BTreeMap<u32, u64>,
    /// Every child process, with the most CPU time it was seen to have used.
    pub child_cpu_ticks: std::collections::BTreeMap<u32, u64>,
    /// The most child processes alive in one look.
    pub most_children_at_once: usize,
}

#[cfg(target_os = "linux")]
impl Watched {
    /// Threads (not the main one) that used CPU time: the ones that computed.
    pub fn threads_that_computed(&self) -> usize {
        self.thread_cpu_ticks.values().filter(|&&t| t > 0).count()
    }

    /// Child processes that answered at least one task.
    pub fn children_that_answered(&self) -> usize {
        self.child_writes.values().filter(|&&w| w > 0).count()
    }

    /// Child processes that used CPU time: the ones that computed.
    pub fn children_that_computed(&self) -> usize {
        self.child_cpu_ticks.values().filter(|&&t| t > 0).count()
    }

    /// One look at process `pid`, its threads and its children. A thread
    /// or child that ends between two reads is simply skipped.
    fn sample(&mut self, pid: u32) {
        let mut threads = 0;
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
            for tid in tasks
                .flatten()
                .filter_map(|t| t.file_name().to_str()?.parse().ok())
            {
                if tid == pid {
                    continue;
                }
                threads += 1;
                if let Some(ticks) = cpu_ticks(&format!("/proc/{pid}/task/{tid}/stat")) {
                    keep_most(&mut self.thread_cpu_ticks, tid, ticks);
                }
            }
        }
        self.most_threads_at_once = self.most_threads_at_once.max(threads);
        let children = children_of(pid);
        self.most_children_at_once = self.most_children_at_once.max(children.len());
        for child in children {
            if let Some(ticks) = cpu_ticks(&format!("/proc/{child}/stat")) {
                keep_most(&mut self.child_cpu_ticks, child, ticks);
            }
            let io = std::fs::read_to_string(format!("/proc/{child}/io")).unwrap_or_default();
            let writes = io
                .lines()
                .find_map(|line| line.strip_prefix("syscw: "))
                .and_then(|count| count.trim().parse().ok());
            if let Some(writes) = writes {
                keep_most(&mut self.child_writes, child, writes);
            }
        }
    }
}

/// utime + stime from a /proc stat file ("pid (name) state ppid ...").
#[cfg(target_os = "linux")]
fn cpu_ticks(stat_path: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    let (_, rest) = stat.rsplit_once(") ")?;
    let fields: Vec<&str> = rest.split(' ').collect();
    // After the name: state is field 0, utime field 11, stime field 12.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

#[cfg(target_os = "linux")]
fn keep_most(seen: &mut std::collections::BTreeMap<u32, u64>, id: u32, value: u64) {
    let most = seen.entry(id).or_insert(0);
    *most = (*most).max(value);
}
