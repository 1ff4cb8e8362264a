//! Child processes: the site server and one example run at a time.
//!
//! Every child is started in its own process group, so that a timeout or a
//! Ctrl-C can kill it *and* whatever it started (a process pool's workers)
//! with one signal, and so that the terminal's Ctrl-C reaches run_all alone,
//! which then cleans up in order. Live groups are kept in a registry that the
//! Ctrl-C handler reads: no orphan site_server survives an interrupted run.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use support::report::{REPORT_ENV, Report, read_reports};
use support::timeline::TIMELINE_ENV;

/// Process groups (= leader pids) alive right now.
static LIVE_GROUPS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn register(pid: u32) {
    LIVE_GROUPS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(pid);
}

fn unregister(pid: u32) {
    LIVE_GROUPS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .retain(|&p| p != pid);
}

/// Set by the Ctrl-C handler before it kills anything.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The Ctrl-C (SIGINT, SIGTERM, SIGHUP) handler: stop every child, reap
/// them, and leave with the shell's code for an interrupt.
pub fn interrupt_and_exit() -> ! {
    INTERRUPTED.store(true, Ordering::SeqCst);
    kill_all_children();
    eprintln!("\nrun_all: interrupted; site server and running example stopped");
    std::process::exit(130);
}

/// Called by the main thread around every child: once interrupted, it must
/// neither start another child nor go on to print a table of killed runs,
/// so it waits here for the handler to end the process.
fn stop_if_interrupted() {
    while INTERRUPTED.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Kill every live child group (called from the Ctrl-C handler).
fn kill_all_children() {
    let groups = LIVE_GROUPS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    for &pid in &groups {
        kill_group(pid);
    }
    // Reap the killed leaders (our own children) so that none lingers as a
    // zombie under an init that does not reap; give up after a second.
    #[cfg(unix)]
    {
        let deadline = Instant::now() + Duration::from_secs(1);
        let mut left: Vec<i32> = groups
            .iter()
            .filter_map(|&p| i32::try_from(p).ok())
            .collect();
        while !left.is_empty() && Instant::now() < deadline {
            // SAFETY: waitpid on our own children, with no pointer but null.
            left.retain(|&pid| unsafe {
                libc::waitpid(pid, std::ptr::null_mut(), libc::WNOHANG) == 0
            });
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Send SIGKILL to a whole process group.
fn kill_group(pid: u32) {
    #[cfg(unix)]
    {
        let Ok(pid) = i32::try_from(pid) else { return };
        // SAFETY: kill(2) with a negative pid signals that process group; it
        // touches no memory of ours. The group is one we created and have
        // not reaped the leader of yet, so the id cannot have been reused.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// Put the child in a new process group (its pid becomes the group id).
fn own_group(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    #[cfg(not(unix))]
    let _ = command;
}

/// The last non-empty line of a log file, for a failure's reason.
fn last_line(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    let line = line.trim();
    Some(if line.chars().count() > 120 {
        let cut: String = line.chars().take(117).collect();
        format!("{cut}...")
    } else {
        line.to_string()
    })
}

/// A running `site_server`. Dropping it stops the server.
pub struct SiteServer {
    child: Child,
    url: String,
}

impl SiteServer {
    /// Start `bin` with `--port 0` and the latency, and wait for its
    /// `listening on http://127.0.0.1:PORT` line.
    /// `first_args` go before the flags (a test stand-in's subcommand).
    pub fn start(
        bin: &Path,
        first_args: &[String],
        latency_ms: u64,
        log_dir: &Path,
    ) -> Result<Self> {
        if !bin.is_file() {
            bail!("{} not found (is the workspace built?)", bin.display());
        }
        let stderr_log = log_dir.join("site_server.err");
        let mut command = Command::new(bin);
        command
            .args(first_args)
            .args(["--port", "0", "--jitter-ms", "0", "--latency-ms"])
            .arg(latency_ms.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&stderr_log).context("creating the site_server log")?);
        own_group(&mut command);
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::process::CommandExt;
            // SAFETY: prctl is async-signal-safe and this closure allocates
            // nothing. It asks the kernel to SIGTERM the server if run_all
            // dies without cleaning up (SIGKILL), the one case the Ctrl-C
            // handler and Drop cannot cover.
            unsafe {
                command.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                    Ok(())
                });
            }
        }
        stop_if_interrupted();
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        register(child.id());
        let stdout = child.stdout.take().expect("stdout was piped above");
        let (first_line, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = first_line.send(lines.next());
            // Keep draining, so a chatty server never blocks on a full pipe.
            for _ in lines {}
        });
        let mut server = SiteServer {
            child,
            url: String::new(),
        };
        let line = match receive.recv_timeout(Duration::from_secs(60)) {
            Ok(Some(Ok(line))) => line,
            Ok(_) => {
                let _ = server.child.wait();
                bail!(
                    "site_server exited before listening: {}",
                    last_line(&stderr_log).unwrap_or_else(|| "no message".into())
                );
            }
            Err(_) => bail!("site_server did not say where it listens within 60 s"),
        };
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .with_context(|| format!("unexpected first line from site_server: {line:?}"))?
            .trim_end_matches('/')
            .to_string();
        // run_all contacts nothing but loopback.
        if !url.starts_with("http://127.0.0.1:") {
            bail!("site_server listens on {url}, not on 127.0.0.1");
        }
        server.url = url;
        Ok(server)
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for SiteServer {
    fn drop(&mut self) {
        stop_if_interrupted();
        let pid = self.child.id();
        #[cfg(unix)]
        if let Ok(raw) = i32::try_from(pid) {
            // SAFETY: as in kill_group; SIGTERM lets the server shut down cleanly.
            unsafe {
                libc::kill(-raw, libc::SIGTERM);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() >= deadline => {
                    kill_group(pid);
                    let _ = self.child.wait();
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        unregister(pid);
    }
}

/// What one run of one example produced.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The example's report record, or why the run failed.
    pub outcome: std::result::Result<Report, String>,
    /// The site's counters after the run (network examples only).
    pub max_in_flight: Option<u64>,
    pub site_requests: Option<u64>,
}

/// One example run, fully described.
pub struct RunSpec<'a> {
    pub bin: &'a Path,
    pub package: &'a str,
    pub args: &'a [String],
    pub site: Option<&'a str>,
    pub timeout: Duration,
    /// Where the run's stdout and stderr go (overwritten by each run).
    pub log_stem: PathBuf,
    /// Record this run's timeline into this file (`RUN_ALL_TIMELINE`).
    pub timeline: Option<PathBuf>,
}

static RUN_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Run an example once: reset the site's stats, start it with
/// `RUN_ALL_REPORT` naming a fresh file, wait (or kill it at the timeout),
/// read the site's stats and the report record back.
pub fn run_once(spec: &RunSpec) -> RunResult {
    let report_path = std::env::temp_dir().join(format!(
        "run_all-{}-{}.jsonl",
        std::process::id(),
        RUN_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&report_path);
    let mut result = RunResult {
        outcome: Err(String::new()),
        max_in_flight: None,
        site_requests: None,
    };
    if let Some(site) = spec.site
        && let Err(err) = support::web::reset_remote_stats(site)
    {
        result.outcome = Err(format!("could not reset the site's stats: {err:#}"));
        return result;
    }
    let status = spawn_and_wait(spec, &report_path);
    if let Some(site) = spec.site {
        match support::web::fetch_stats(site) {
            Ok(stats) => {
                result.max_in_flight = Some(stats.max_in_flight);
                result.site_requests = Some(stats.requests);
            }
            Err(err) => eprintln!("warning: could not read the site's stats: {err:#}"),
        }
    }
    let records = read_reports(&report_path);
    let _ = std::fs::remove_file(&report_path);
    result.outcome = status.and_then(|status| judge(spec, status, records));
    result
}

fn spawn_and_wait(spec: &RunSpec, report_path: &Path) -> std::result::Result<ExitStatus, String> {
    let stdout_log = spec.log_stem.with_extension("out");
    let stderr_log = spec.log_stem.with_extension("err");
    let open = |path: &Path| {
        File::create(path).map_err(|err| format!("cannot create {}: {err}", path.display()))
    };
    let mut command = Command::new(spec.bin);
    command.args(spec.args);
    if let Some(site) = spec.site {
        command.args(["--site", site]);
    }
    command
        .env(REPORT_ENV, report_path)
        .env_remove(TIMELINE_ENV)
        .stdin(Stdio::null())
        .stdout(open(&stdout_log)?)
        .stderr(open(&stderr_log)?);
    if let Some(file) = &spec.timeline {
        command.env(TIMELINE_ENV, file);
    }
    own_group(&mut command);
    stop_if_interrupted();
    let mut child = command
        .spawn()
        .map_err(|err| format!("cannot start {}: {err}", spec.bin.display()))?;
    let pid = child.id();
    register(pid);
    let deadline = Instant::now() + spec.timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                kill_group(pid);
                let _ = child.wait();
                break Err(format!("timed out after {} s", spec.timeout.as_secs_f64()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(err) => {
                kill_group(pid);
                let _ = child.wait();
                break Err(format!("lost the child process: {err}"));
            }
        }
    };
    // A child killed by the handler is no result: wait for the exit.
    stop_if_interrupted();
    unregister(pid);
    status.map_err(|reason| match last_line(&stderr_log) {
        Some(line) => format!("{reason}; stderr: {line}"),
        None => reason,
    })
}

/// Decide whether a finished run is a success, from its exit status and
/// its report record (never from its printed text).
fn judge(
    spec: &RunSpec,
    status: ExitStatus,
    records: std::io::Result<Vec<Report>>,
) -> std::result::Result<Report, String> {
    let stderr_log = spec.log_stem.with_extension("err");
    if !status.success() {
        let code = status.code().map_or_else(
            || "killed by a signal".to_string(),
            |c| format!("exit code {c}"),
        );
        // An example that counted failures says so in its record: the
        // clearest reason. Otherwise its last word on stderr.
        let counted = records.as_ref().ok().and_then(|records| {
            records
                .iter()
                .find(|r| r.errors > 0)
                .map(|r| format!("{} errors reported ({} items done)", r.errors, r.items))
        });
        return Err(match (counted, last_line(&stderr_log)) {
            (Some(counted), _) => format!("{code}: {counted}"),
            (None, Some(line)) => format!("{code}: {line}"),
            (None, None) => code,
        });
    }
    let records = records.map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => format!("no report record (${REPORT_ENV} not written)"),
        _ => format!("unreadable report record: {err}"),
    })?;
    // Prefer the record named after the package; an example that writes
    // exactly one record under another name is accepted too.
    let mut named: Vec<Report> = records
        .iter()
        .filter(|r| r.example == spec.package)
        .cloned()
        .collect();
    let record = match (named.pop(), records.len()) {
        (Some(record), _) => record,
        (None, 1) => records.into_iter().next().expect("exactly one record"),
        (None, 0) => return Err(format!("no report record (${REPORT_ENV} empty)")),
        (None, n) => return Err(format!("{n} report records, none named {}", spec.package)),
    };
    if record.errors > 0 {
        return Err(format!(
            "{} errors reported ({} items done)",
            record.errors, record.items
        ));
    }
    if !record.wall_seconds.is_finite() || record.wall_seconds < 0.0 {
        return Err(format!("bad wall_seconds {}", record.wall_seconds));
    }
    Ok(record)
}
