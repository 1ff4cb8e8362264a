//! Running the selected rows and turning runs into table rows.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::catalog::{Entry, Ideal, IdealInputs, LIKE_FOR_LIKE};
use crate::machine::Machine;
use crate::process::{RunSpec, SiteServer, run_once};

/// How to run (from the command line).
#[derive(Debug, Clone)]
pub struct Options {
    pub quick: bool,
    pub repeat: u32,
    pub latency_ms: u64,
    pub timeout: Duration,
    pub bin_dir: PathBuf,
    pub out_dir: PathBuf,
    /// Name of the site server binary in `bin_dir`, optionally followed by
    /// arguments that go first (for a test stand-in).
    pub site_bin: String,
    /// `--python`: the twins' interpreter and folder, or why they cannot run.
    pub python: Option<PythonSide>,
}

/// How the Python twins run beside the Rust rows (`--python`).
#[derive(Debug, Clone)]
pub struct PythonSide {
    /// The venv's python, or the one-line reason the twins are "not run".
    pub exe: std::result::Result<PathBuf, String>,
    /// scripts/python: a row has a twin when `<package>.py` is there.
    pub scripts: PathBuf,
}

/// The Python side of one row (`--python`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct PythonResult {
    /// "ok", "not run", "no twin", or "failed: reason".
    pub status: String,
    pub runs: Vec<f64>,
    pub median_seconds: Option<f64>,
    /// Python's median / Rust's median.
    pub rust_speedup: Option<f64>,
    pub max_in_flight: Option<u64>,
    pub items: Option<u64>,
    pub errors: Option<u64>,
}

/// ok, failed (the run goes on, run_all exits 1), or skipped (a planned
/// example that does not exist yet: not a failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Failed,
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

/// One row of the results.
#[derive(Debug, Clone, Serialize)]
pub struct RowResult {
    pub article: String,
    pub article_title: String,
    pub group: String,
    pub example: String,
    pub package: String,
    pub python: String,
    pub rust: String,
    pub args: Vec<String>,
    pub baseline: bool,
    pub needs_site: bool,
    pub status: Status,
    /// Why it failed or was skipped; empty when ok.
    pub reason: String,
    /// Why the speed-up is noise rather than a result (above the cores for
    /// CPU work, or runs spread too widely); empty when it is a result.
    pub noise: String,
    /// Every run's wall seconds, from the report records.
    pub runs: Vec<f64>,
    pub median_seconds: Option<f64>,
    /// Group baseline's median / this median.
    pub speedup: Option<f64>,
    pub ideal_seconds: Option<f64>,
    pub ideal_formula: String,
    /// ideal / measured: 1.0 means the bound was reached.
    pub efficiency: Option<f64>,
    /// Highest max-in-flight the site saw over the runs.
    pub max_in_flight: Option<u64>,
    /// Requests the site served during the last run.
    pub site_requests: Option<u64>,
    pub items: Option<u64>,
    pub errors: Option<u64>,
    /// The last run's free-form figures from its report record.
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
    /// The article's own published time for this row at this size, if any
    /// (the author's machine, the real web).
    pub article_seconds: Option<f64>,
    /// The Python twin, with `--python`.
    pub python_twin: Option<PythonResult>,
    /// Why this row's Rust and Python figures differ, with `--python`.
    pub comparison_note: String,
    /// The recorded run's timeline, relative to the output folder (one
    /// extra run after the timed ones, not in the medians).
    pub timeline: Option<String>,
}

impl RowResult {
    pub(crate) fn new(entry: &Entry, quick: bool) -> Self {
        RowResult {
            article: entry.article.clone(),
            article_title: crate::catalog::article_title(&entry.article).to_string(),
            group: entry.group.clone(),
            example: entry.name(),
            package: entry.package.clone(),
            python: entry.python.clone(),
            rust: entry.rust.clone(),
            args: entry.args(quick),
            baseline: entry.baseline,
            needs_site: entry.needs_site,
            status: Status::Skipped,
            reason: String::new(),
            noise: String::new(),
            runs: Vec::new(),
            median_seconds: None,
            speedup: None,
            ideal_seconds: None,
            ideal_formula: entry.ideal(quick).formula(),
            efficiency: None,
            max_in_flight: None,
            site_requests: None,
            items: None,
            errors: None,
            extra: None,
            article_seconds: article_seconds(&entry.name(), quick),
            python_twin: None,
            comparison_note: String::new(),
            timeline: None,
        }
    }
}

/// The articles' own figures, where the row runs the article's size: the
/// CPU-bound sums (002), the threads scraper for 10 and 500 URLs (001, the
/// article's code) and the gathered count() (003).
pub fn article_seconds(example: &str, quick: bool) -> Option<f64> {
    match (example, quick) {
        ("cpu_sync", false) => Some(11.1),
        ("cpu_threads", false) => Some(10.7),
        ("cpu_processes", false) => Some(2.5),
        ("scrape_threads --as-in-article" | "scrape_threads", true) => Some(5.1),
        ("scrape_threads --as-in-article" | "scrape_threads", false) => Some(44.6),
        ("async_count", false) => Some(1.01),
        _ => None,
    }
}

/// Which rows differ by library default and which by language.
pub fn comparison_note(entry: &Entry) -> &'static str {
    if entry.variant == LIKE_FOR_LIKE {
        return "like for like: reqwest capped at aiohttp's 100 connections (--limit 100), \
                so what is left is the language and each library's cost per request";
    }
    match entry.package.as_str() {
        "download_async" | "scrape_async" | "scrape_async_processes" => {
            "library: aiohttp's session holds at most 100 connections by default, reqwest has no cap"
        }
        "cpu_sync" | "cpu_threads" | "cpu_processes" => {
            "language: interpreted loop over Python ints vs compiled u128 sum; threads: the GIL"
        }
        "pool_map" | "pool_apply_async" | "crawl_pool" | "download_processes"
        | "scrape_processes" | "processes_basic" => {
            "language/runtime: starting and feeding Python interpreters vs small Rust processes"
        }
        _ => "",
    }
}

/// A row has a twin when scripts/python/<package>.py exists and the row is
/// the package's plain form (or the one variant a twin takes).
fn twin_script(entry: &Entry, python: &PythonSide) -> Option<PathBuf> {
    let variant_ok = entry.variant.is_empty()
        || entry.variant == ["--as-in-article"]
        || entry.variant == LIKE_FOR_LIKE;
    let script = python.scripts.join(format!("{}.py", entry.package));
    (variant_ok && script.is_file()).then_some(script)
}

/// The median of some run times (mean of the middle two for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    })
}

/// Keep the rows `--only` names: a comma-separated list of patterns. A
/// pattern equal to a package or row name selects exactly those rows (so
/// `sync_count` does not drag in `async_count`); any other pattern selects
/// every row whose name contains it (`download_`, `crawl`).
pub fn select(entries: Vec<Entry>, only: Option<&str>) -> Vec<Entry> {
    let Some(only) = only else { return entries };
    let patterns: Vec<String> = only
        .split(',')
        .map(|p| p.trim().to_lowercase())
        .filter(|p| !p.is_empty())
        .collect();
    let exact = |entry: &Entry, pattern: &str| {
        entry.package.to_lowercase() == pattern || entry.name().to_lowercase() == pattern
    };
    let matches = |entry: &Entry| {
        patterns.iter().any(|pattern| {
            if entries.iter().any(|e| exact(e, pattern)) {
                exact(entry, pattern)
            } else {
                entry.name().to_lowercase().contains(pattern.as_str())
            }
        })
    };
    let keep: Vec<bool> = entries.iter().map(matches).collect();
    entries
        .into_iter()
        .zip(keep)
        .filter_map(|(entry, keep)| keep.then_some(entry))
        .collect()
}

fn binary_path(bin_dir: &Path, name: &str) -> PathBuf {
    bin_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Run every entry `repeat` times, in catalog order, and build the rows.
pub fn run_entries(entries: &[Entry], options: &Options, machine: &Machine) -> Vec<RowResult> {
    let log_dir = options.out_dir.join("logs");
    if let Err(err) = std::fs::create_dir_all(&log_dir) {
        eprintln!("warning: cannot create {}: {err}", log_dir.display());
    }

    // Start the one site server only if a row that will run needs it.
    let site_wanted = entries
        .iter()
        .any(|e| e.needs_site && binary_path(&options.bin_dir, &e.package).is_file());
    let site = if site_wanted {
        // "NAME ARGS..." lets a test run a stand-in with a subcommand.
        let mut words = options.site_bin.split_whitespace().map(str::to_string);
        let name = words.next().unwrap_or_else(|| "site_server".into());
        let first_args: Vec<String> = words.collect();
        let bin = binary_path(&options.bin_dir, &name);
        match SiteServer::start(&bin, &first_args, options.latency_ms, &log_dir) {
            Ok(server) => {
                eprintln!(
                    "site_server (pid {}) listening on {}, latency {} ms",
                    server.pid(),
                    server.url(),
                    options.latency_ms
                );
                Ok(server)
            }
            Err(err) => {
                eprintln!("site_server failed to start: {err:#}");
                Err(format!("site_server failed to start: {err:#}"))
            }
        }
    } else {
        Err("no site needed".to_string())
    };

    let mut baselines: HashMap<(String, String), f64> = HashMap::new();
    let mut rows = Vec::with_capacity(entries.len());
    let total = entries.len();
    for (index, entry) in entries.iter().enumerate() {
        let mut row = RowResult::new(entry, options.quick);
        let bin = binary_path(&options.bin_dir, &entry.package);
        eprint!("[{:>2}/{total}] {:<34} ", index + 1, row.example);
        if !bin.is_file() {
            if entry.planned {
                row.status = Status::Skipped;
                row.reason = "planned: not in the workspace yet".into();
            } else {
                row.status = Status::Failed;
                row.reason = format!("binary not found: {} (is it built?)", bin.display());
            }
        } else {
            let site_url = match (&site, entry.needs_site) {
                (_, false) => Ok(None),
                (Ok(server), true) => Ok(Some(server.url())),
                (Err(reason), true) => Err(reason.clone()),
            };
            match site_url {
                Err(reason) => {
                    row.status = Status::Failed;
                    row.reason = reason;
                }
                Ok(site_url) => run_row(
                    entry,
                    &bin,
                    site_url,
                    options,
                    options.repeat,
                    &log_dir,
                    &mut row,
                ),
            }
        }
        let key = (entry.article.clone(), entry.group.clone());
        // A baseline is its own reference (speed-up 1), also for its noise.
        let baseline_seconds = match entry.baseline {
            true => row.median_seconds,
            false => baselines.get(&key).copied(),
        };
        score(&mut row, entry, baseline_seconds, options, machine);
        if row.status == Status::Ok
            && row.runs.len() < NOISY_ROW_RUNS
            && !noise(&row, entry, options.quick, machine.cpus).is_empty()
        {
            // Noisy: take more runs before saying anything.
            let site_url = site
                .as_ref()
                .ok()
                .filter(|_| entry.needs_site)
                .map(|s| s.url());
            eprint!("noisy, more runs ... ");
            let repeat = NOISY_ROW_RUNS as u32;
            run_row(entry, &bin, site_url, options, repeat, &log_dir, &mut row);
            let baseline_seconds = match entry.baseline {
                true => row.median_seconds,
                false => baseline_seconds,
            };
            score(&mut row, entry, baseline_seconds, options, machine);
        }
        row.noise = noise(&row, entry, options.quick, machine.cpus).join("; ");
        if entry.baseline
            && let Some(median) = row.median_seconds
        {
            baselines.insert(key, median);
        }
        match row.status {
            Status::Ok => eprintln!(
                "{:>9}  ok",
                row.median_seconds
                    .map_or_else(|| "-".into(), |s| format!("{s:.3} s"))
            ),
            Status::Failed => eprintln!("failed: {}", row.reason),
            Status::Skipped => eprintln!("skipped: {}", row.reason),
        }
        rows.push(row);
    }
    // The site server stops here (Drop), before the files are written.
    drop(site);
    rows
}

/// One extra run of an I/O- or CPU-bound row with its timeline recorded
/// (`timelines/<row>.json` under `out_dir`), if its example takes
/// `--timeline`. It is not one of the timed runs: their medians come from
/// runs that recorded nothing.
fn record_timeline(entry: &Entry, spec: &RunSpec, out_dir: &Path, stem: &str) -> Option<String> {
    if !crate::timelines::records_timeline(&entry.group)
        || !crate::timelines::takes_timeline_flag(spec.bin)
    {
        return None;
    }
    let relative = format!("timelines/{stem}.json");
    let file = out_dir.join(&relative);
    let _ = std::fs::remove_file(&file);
    let recorded = RunSpec {
        timeline: Some(file.clone()),
        log_stem: spec.log_stem.with_file_name(format!("{stem}_timeline")),
        ..*spec
    };
    let result = run_once(&recorded);
    (result.outcome.is_ok() && file.is_file()).then_some(relative)
}

/// A row whose runs add up to less than this gets more of them...
pub const SHORT_ROW_SECONDS: f64 = 1.0;
/// ...up to this many: one run of 50 ms on a shared machine is mostly
/// noise (another process, a page fault storm, the previous row's sockets
/// closing), and a median of 11 is not.
pub const SHORT_ROW_RUNS: usize = 11;

/// `--repeat` runs at least; more for a short row, until it has
/// [`SHORT_ROW_RUNS`] runs or [`SHORT_ROW_SECONDS`] of them.
fn needs_another_run(runs: &[f64], repeat: u32) -> bool {
    let total: f64 = runs.iter().sum();
    runs.len() < repeat as usize || (runs.len() < SHORT_ROW_RUNS && total < SHORT_ROW_SECONDS)
}

/// Runs of one row that spread by more than this fraction of their median
/// ((slowest - fastest) / median) make its speed-up noise...
pub const SPREAD_LIMIT: f64 = 0.25;
/// ...and so does a CPU-bound row faster than the baseline times the
/// cores. Such a row first gets up to this many runs.
pub const NOISY_ROW_RUNS: usize = 7;

/// Why this row's speed-up is not a result, if it is not: a CPU-bound row
/// ([`Ideal::Share`]) cannot beat the baseline by more than the cores, so a
/// higher figure measures noise (a slow baseline run on a busy machine);
/// and runs that spread widely give a median that another run would move.
pub fn noise(row: &RowResult, entry: &Entry, quick: bool, cores: u64) -> Vec<String> {
    let mut why = Vec::new();
    let Some(speedup) = row.speedup else {
        return why;
    };
    if matches!(entry.ideal(quick), Ideal::Share { .. }) && speedup > cores as f64 {
        why.push(format!(
            "speed-up {speedup:.2}x is above the {cores} cores: noise, not a result"
        ));
    }
    if let Some(median) = row.median_seconds.filter(|m| *m > 0.0) {
        let fastest = row.runs.iter().copied().fold(f64::INFINITY, f64::min);
        let slowest = row.runs.iter().copied().fold(0.0, f64::max);
        let spread = (slowest - fastest) / median;
        if spread > SPREAD_LIMIT {
            why.push(format!(
                "{} runs spread by {:.0}% of their median (over {:.0}%)",
                row.runs.len(),
                spread * 100.0,
                SPREAD_LIMIT * 100.0
            ));
        }
    }
    why
}

/// The row's speed-up, ideal and efficiency from its median.
fn score(
    row: &mut RowResult,
    entry: &Entry,
    baseline_seconds: Option<f64>,
    options: &Options,
    machine: &Machine,
) {
    if let Some(median) = row.median_seconds {
        row.speedup = baseline_seconds.map(|base| base / median);
        let inputs = IdealInputs {
            cores: machine.cpus,
            latency_seconds: options.latency_ms as f64 / 1000.0,
            baseline_seconds,
            site_requests: row.site_requests,
            reported: row.extra.as_ref(),
        };
        row.ideal_seconds = entry.ideal(options.quick).seconds(&inputs);
        row.efficiency = row.ideal_seconds.map(|ideal| ideal / median);
    }
}

fn run_row(
    entry: &Entry,
    bin: &Path,
    site_url: Option<&str>,
    options: &Options,
    repeat: u32,
    log_dir: &Path,
    row: &mut RowResult,
) {
    let file_stem: String = row
        .example
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let args = entry.args(options.quick);
    let spec = RunSpec {
        bin,
        package: &entry.package,
        args: &args,
        site: site_url,
        timeout: options.timeout,
        log_stem: log_dir.join(&file_stem),
        timeline: None,
    };
    // With --python, the twin runs beside each Rust run (interleaved, so a
    // slow moment of the machine falls on both), against the same site.
    let python_side = options.python.as_ref();
    let twin = python_side.map(|side| match (&side.exe, twin_script(entry, side)) {
        (_, None) => Err("no twin".to_string()),
        (Err(_), Some(_)) => Err("not run".to_string()),
        (Ok(exe), Some(script)) => {
            let mut twin_args = vec![script.display().to_string()];
            // The like-for-like flag is Rust's side of the comparison: the
            // twin runs as it always does (aiohttp's default is the cap).
            let own_flags = if entry.variant == LIKE_FOR_LIKE {
                entry.variant.len()
            } else {
                0
            };
            twin_args.extend(args.iter().skip(own_flags).cloned());
            // The twin runs the size its Rust row runs: a row whose quick
            // run keeps the article's size (the CPU sums) keeps it for the
            // twin too, or "rust over python" would compare two sizes.
            if options.quick && entry.args(true) != entry.args(false) {
                twin_args.push("--quick".into());
            }
            Ok((exe.clone(), twin_args))
        }
    });
    if python_side.is_some() {
        row.comparison_note = comparison_note(entry).to_string();
    }
    let mut python = PythonResult {
        status: match &twin {
            Some(Err(reason)) => reason.clone(),
            _ => "ok".into(),
        },
        ..PythonResult::default()
    };
    let twin_spec = match &twin {
        Some(Ok((exe, twin_args))) => Some(RunSpec {
            bin: exe,
            package: &entry.package,
            args: twin_args,
            site: site_url,
            timeout: options.timeout,
            log_stem: log_dir.join(format!("{file_stem}_python")),
            timeline: None,
        }),
        _ => None,
    };
    row.status = Status::Ok;
    loop {
        let rust_more = row.status == Status::Ok && needs_another_run(&row.runs, repeat);
        let python_more =
            twin_spec.is_some() && python.status == "ok" && needs_another_run(&python.runs, repeat);
        if !rust_more && !python_more {
            break;
        }
        if rust_more {
            let result = run_once(&spec);
            if let Some(max) = result.max_in_flight {
                row.max_in_flight = Some(row.max_in_flight.map_or(max, |m| m.max(max)));
            }
            row.site_requests = result.site_requests.or(row.site_requests);
            match result.outcome {
                Ok(record) => {
                    row.runs.push(record.wall_seconds);
                    row.items = Some(record.items);
                    row.errors = Some(record.errors);
                    row.extra = Some(record.extra);
                }
                Err(reason) => {
                    // One failed run fails the row; repeating would only wait.
                    row.status = Status::Failed;
                    row.reason = reason;
                }
            }
        }
        if python_more && let Some(twin_spec) = &twin_spec {
            let result = run_once(twin_spec);
            if let Some(max) = result.max_in_flight {
                python.max_in_flight = Some(python.max_in_flight.map_or(max, |m| m.max(max)));
            }
            match result.outcome {
                Ok(record) => {
                    python.runs.push(record.wall_seconds);
                    python.items = Some(record.items);
                    python.errors = Some(record.errors);
                }
                Err(reason) => python.status = format!("failed: {reason}"),
            }
        }
    }
    if row.status == Status::Ok {
        row.median_seconds = median(&row.runs);
        if row.timeline.is_none() {
            row.timeline = record_timeline(entry, &spec, &options.out_dir, &file_stem);
        }
    }
    if python.status == "ok" {
        python.median_seconds = median(&python.runs);
        python.rust_speedup = python
            .median_seconds
            .zip(row.median_seconds)
            .map(|(py, rust)| py / rust.max(1e-9));
    }
    if python_side.is_some() {
        row.python_twin = Some(python);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn short_rows_get_more_runs_and_long_ones_only_repeat() {
        let runs_for = |seconds: f64, repeat: u32| {
            let mut runs = Vec::new();
            while needs_another_run(&runs, repeat) {
                runs.push(seconds);
            }
            runs.len()
        };
        assert_eq!(runs_for(0.05, 1), SHORT_ROW_RUNS);
        assert_eq!(runs_for(0.3, 1), 4, "stops once the runs add up to 1 s");
        assert_eq!(runs_for(2.0, 1), 1);
        assert_eq!(runs_for(2.0, 3), 3);
        assert_eq!(
            runs_for(0.05, 20),
            20,
            "--repeat above the cap still counts"
        );
    }

    #[test]
    fn only_matches_substrings_and_comma_lists() {
        let names = |only: &str| -> Vec<String> {
            select(crate::catalog::catalog(), Some(only))
                .iter()
                .map(Entry::name)
                .collect()
        };
        assert_eq!(names("cpu_count"), ["cpu_count"]);
        assert_eq!(names("sync_count, CPU_COUNT"), ["cpu_count", "sync_count"]);
        assert_eq!(names("_count"), ["cpu_count", "sync_count", "async_count"]);
        assert_eq!(
            names("download_"),
            [
                "download_sync",
                "download_threads",
                "download_async",
                "download_async --limit 100",
                "download_processes"
            ]
        );
        assert_eq!(names("crawl_async"), ["crawl_async"]);
        assert_eq!(names("crawl_async_"), ["crawl_async_continuous"]);
        assert!(names("no such thing").is_empty());
    }
}
