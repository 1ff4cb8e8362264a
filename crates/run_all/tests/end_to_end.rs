//! run_all end to end, as a user runs it: the real binary, real child
//! processes, a real (stand-in) site server, and the files it writes.
//!
//! Most tests use a small JSON catalog of `run_all_fixture` rows (a stand-in
//! example and site shipped with this crate), so they test the runner and
//! not the examples. `real_catalog_two_cheap_examples` runs the real catalog.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn run_all_exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_run_all"))
}

/// target/debug (or wherever cargo put this test's binaries).
fn bin_dir() -> PathBuf {
    run_all_exe()
        .parent()
        .expect("the run_all binary is in a directory")
        .to_path_buf()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("run_all-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a temp dir");
    dir
}

/// A catalog row running the stand-in example with `args`.
fn fixture_row(name: &str, group: &str, args: &[&str], needs_site: bool, baseline: bool) -> Value {
    let mut variant = vec!["work", "--name", name];
    variant.extend_from_slice(args);
    json!({
        "package": "run_all_fixture",
        "variant": variant,
        "article": "T",
        "group": group,
        "needs_site": needs_site,
        "baseline": baseline,
        "quick": {"args": [], "ideal": "none"},
        "full": {"args": [], "ideal": {"waves": {"requests": "measured", "concurrency": {"fixed": 3}}}},
    })
}

fn write_catalog(dir: &Path, rows: Vec<Value>) -> PathBuf {
    let path = dir.join("catalog.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&Value::Array(rows)).unwrap(),
    )
    .expect("writing the test catalog");
    path
}

/// run_all with a test catalog, the stand-in site, and its own out dir.
fn fixture_command(dir: &Path, catalog: &Path) -> Command {
    let mut command = Command::new(run_all_exe());
    command
        .arg("--catalog")
        .arg(catalog)
        .args(["--site-bin", "run_all_fixture serve"])
        .arg("--bin-dir")
        .arg(bin_dir())
        .arg("--out-dir")
        .arg(dir.join("out"));
    command
}

fn results_json(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("out/results.json")).expect("results.json written");
    serde_json::from_str(&text).expect("results.json is JSON")
}

/// results.csv as (header, rows of fields); fields here never need quoting
/// except `reason`, which tests only check with `contains`.
fn results_csv(dir: &Path) -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(dir.join("out/results.csv")).expect("results.csv written");
    let mut lines = text.lines().map(str::to_string);
    let header = lines
        .next()
        .expect("a header line")
        .split(',')
        .map(str::to_string)
        .collect();
    (header, lines.collect())
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn repeats_take_the_median_and_read_the_sites_stats() {
    let dir = temp_dir("ok");
    let catalog = write_catalog(
        &dir,
        vec![
            // 3 runs of 0.35 s add up to over 1 s: exactly --repeat runs.
            fixture_row("fixture_base", "G", &["--sleep", "0.35"], false, true),
            // About 80 ms a run: a short row, so run_all takes more samples.
            fixture_row(
                "fixture_site",
                "G",
                &["--requests", "6", "--concurrency", "3"],
                true,
                false,
            ),
        ],
    );
    let output = fixture_command(&dir, &catalog)
        .args(["--repeat", "3", "--latency-ms", "40"])
        .output()
        .expect("running run_all");
    assert!(
        output.status.success(),
        "run_all failed: {}",
        stderr_of(&output)
    );

    let (header, rows) = results_csv(&dir);
    for name in [
        "example",
        "status",
        "runs",
        "median_seconds",
        "speedup",
        "ideal_seconds",
        "efficiency",
        "max_in_flight",
        "site_requests",
    ] {
        column(&header, name);
    }
    assert_eq!(rows.len(), 2, "one CSV line per row: {rows:?}");
    let mut csv_runs = Vec::new();
    for row in &rows {
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(fields.len(), header.len(), "{row}");
        assert_eq!(fields[column(&header, "status")], "ok", "{row}");
        csv_runs.push(fields[column(&header, "runs")].to_string());
    }

    let json = results_json(&dir);
    assert_eq!(json["machine"]["site_latency_ms"], 40);
    assert_eq!(json["machine"]["repeat"], 3);
    let rows = json["rows"].as_array().expect("rows");
    for (index, row) in rows.iter().enumerate() {
        let runs: Vec<f64> = row["runs"]
            .as_array()
            .expect("runs")
            .iter()
            .map(|r| r.as_f64().expect("a number"))
            .collect();
        assert_eq!(
            csv_runs[index],
            runs.len().to_string(),
            "CSV and JSON agree"
        );
        if index == 0 {
            // The long row: exactly --repeat runs.
            assert_eq!(runs.len(), 3);
        } else {
            // The short row got more than --repeat, and stopped where the
            // rule says: at 11 runs, or at the run that took the total past
            // 1 s (whichever came first on this machine).
            assert!(runs.len() > 3, "{runs:?}");
            let before_last: f64 = runs[..runs.len() - 1].iter().sum();
            assert!(before_last < 1.0, "{runs:?}");
            assert!(
                runs.len() == 11 || runs.iter().sum::<f64>() >= 1.0,
                "{runs:?}"
            );
        }
        // The median is the middle of the recorded runs.
        let mut sorted = runs.clone();
        sorted.sort_by(f64::total_cmp);
        let mid = sorted.len() / 2;
        let median = if sorted.len() % 2 == 1 {
            sorted[mid]
        } else {
            (sorted[mid - 1] + sorted[mid]) / 2.0
        };
        assert_eq!(row["median_seconds"].as_f64(), Some(median));
    }
    // The network row: run_all gave it the site, reset the stats before
    // each run, and read them after: 6 requests, 3 at once.
    let site_row = &rows[1];
    assert_eq!(site_row["max_in_flight"], 3);
    assert_eq!(site_row["site_requests"], 6);
    assert_eq!(rows[0]["max_in_flight"], Value::Null);
    // Its ideal: ceil(6 / 3) round trips of 40 ms, measured requests.
    let ideal = site_row["ideal_seconds"].as_f64().expect("an ideal bound");
    assert!((ideal - 0.08).abs() < 1e-9, "ideal {ideal}");
    assert_eq!(
        rows[0]["speedup"].as_f64(),
        Some(1.0),
        "the baseline against itself"
    );

    for file in ["results.md", "results.svg"] {
        let text = std::fs::read_to_string(dir.join("out").join(file)).expect(file);
        assert!(text.contains("fixture_site"), "{file} lists the rows");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_or_failing_example_is_a_failed_row_and_exit_1() {
    let dir = temp_dir("fail");
    let mut missing = fixture_row("unused", "G", &[], false, false);
    missing["package"] = json!("no_such_example");
    missing["variant"] = json!([]);
    let mut planned = missing.clone();
    planned["package"] = json!("planned_example");
    planned["planned"] = json!(true);
    let catalog = write_catalog(
        &dir,
        vec![
            missing,
            fixture_row("fixture_errors", "G", &["--errors", "2"], false, false),
            fixture_row("fixture_silent", "G", &["--no-report"], false, false),
            planned,
            fixture_row("fixture_ok", "G", &[], false, false),
        ],
    );
    let output = fixture_command(&dir, &catalog)
        .arg("--quick")
        .output()
        .expect("running run_all");
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));

    let json = results_json(&dir);
    let rows = json["rows"].as_array().expect("rows");
    let summary: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["status"].as_str().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary.len(),
        5,
        "the run went on after failures: {summary:?}"
    );
    assert_eq!(summary[0].0, "failed");
    assert!(summary[0].1.contains("not found"), "{summary:?}");
    assert_eq!(summary[1].0, "failed");
    assert!(summary[1].1.contains("2 errors"), "{summary:?}");
    assert_eq!(summary[2].0, "failed");
    assert!(summary[2].1.contains("no report record"), "{summary:?}");
    assert_eq!(
        summary[3].0, "skipped",
        "a planned example is not a failure"
    );
    assert_eq!(summary[4], ("ok", ""));
    let (header, csv_rows) = results_csv(&dir);
    let status = column(&header, "status");
    let statuses: Vec<String> = csv_rows
        .iter()
        .map(|r| r.split(',').nth(status).unwrap().to_string())
        .collect();
    assert_eq!(statuses, ["failed", "failed", "failed", "skipped", "ok"]);
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("failed: binary not found"), "{table}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whether a process exists and is not a zombie.
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name in parentheses.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

fn wait_until_dead(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && !text.is_empty()
        {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_timeout_kills_the_example_and_the_run_goes_on() {
    let dir = temp_dir("timeout");
    let pid_file = dir.join("example.pid");
    let pid_arg = pid_file.to_string_lossy().into_owned();
    let catalog = write_catalog(
        &dir,
        vec![
            fixture_row(
                "fixture_hangs",
                "G",
                &["--sleep", "60", "--pid-file", &pid_arg],
                false,
                false,
            ),
            fixture_row("fixture_after", "G", &[], false, false),
        ],
    );
    let output = fixture_command(&dir, &catalog)
        .args(["--quick", "--timeout", "0.5"])
        .output()
        .expect("running run_all");
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let pid: u32 = std::fs::read_to_string(&pid_file)
        .expect("the example started")
        .trim()
        .parse()
        .expect("a pid");
    assert!(!alive(pid), "the timed-out example {pid} is still running");
    let json = results_json(&dir);
    assert_eq!(json["rows"][0]["status"], "failed");
    assert!(
        json["rows"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("timed out")
    );
    assert_eq!(json["rows"][1]["status"], "ok");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_site_server_and_the_running_example() {
    let dir = temp_dir("ctrlc");
    let pid_file = dir.join("example.pid");
    let pid_arg = pid_file.to_string_lossy().into_owned();
    let catalog = write_catalog(
        &dir,
        vec![fixture_row(
            "fixture_long",
            "G",
            &["--sleep", "60", "--pid-file", &pid_arg],
            true,
            false,
        )],
    );
    let mut child = fixture_command(&dir, &catalog)
        .arg("--quick")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting run_all");
    // run_all names the site server's pid on stderr when it starts.
    let stderr = child.stderr.take().expect("piped");
    let (lines_out, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_out.send(line);
        }
    });
    let site_pid: u32 = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("run_all reports its site server");
        if let Some(rest) = line.strip_prefix("site_server (pid ") {
            break rest
                .split(')')
                .next()
                .and_then(|pid| pid.parse().ok())
                .expect("a pid in the site_server line");
        }
    };
    let example_pid: u32 = wait_for_file(&pid_file).trim().parse().expect("a pid");
    assert!(alive(site_pid) && alive(example_pid));

    // SAFETY: signalling the run_all child this test started.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let status = child.wait().expect("run_all exits");
    assert_eq!(status.code(), Some(130));
    assert!(wait_until_dead(site_pid), "orphan site_server {site_pid}");
    assert!(wait_until_dead(example_pid), "orphan example {example_pid}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_flags_and_empty_selections_are_clear_errors() {
    let output = Command::new(run_all_exe())
        .args(["--repeat", "0"])
        .output()
        .expect("running run_all");
    assert_eq!(output.status.code(), Some(2));
    let output = Command::new(run_all_exe())
        .args(["--only", "no_such_row", "--list"])
        .output()
        .expect("running run_all");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr_of(&output).contains("no catalog row matches"));
    let output = Command::new(run_all_exe())
        .args(["--list", "--only", "download_"])
        .output()
        .expect("running run_all");
    assert!(output.status.success());
    let listing = String::from_utf8_lossy(&output.stdout);
    assert!(listing.contains("download_threads") && listing.contains("ceil(160 / 5) x latency"));
}

/// Build workspace packages' binaries into this test's target dir.
///
/// `cargo test` builds a package's binary only for that package's own
/// integration tests (checked: `cargo test -p cpu_count --no-run` builds
/// just its unit-test harness), so neither `cargo test -p run_all` nor
/// `cargo test --workspace` guarantees these binaries exist or are fresh.
/// The outer cargo has released its build lock by the time tests run.
fn build(packages: &[&str]) {
    let mut command = support::testkit::cargo_command();
    command.arg("build");
    for package in packages {
        command.args(["-p", package]);
    }
    let status = command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("running cargo build");
    assert!(status.success(), "cargo build {packages:?} failed");
    for package in packages {
        let bin = bin_dir().join(format!("{package}{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.is_file(), "{} not built where expected", bin.display());
    }
}

#[test]
fn real_catalog_two_cheap_examples() {
    const CHEAP: [&str; 2] = ["cpu_count", "sync_count"];
    let catalog = run_all::catalog::catalog();
    let crates = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/");
    for package in CHEAP {
        let entry = catalog
            .iter()
            .find(|e| e.package == package)
            .expect("the cheap examples are in the catalog");
        if !crates.join(package).is_dir() {
            // Only a planned row may lack its package (the catalog test
            // enforces it); there is nothing to run yet.
            assert!(entry.planned, "{package} is not planned but missing");
            eprintln!("skipping: {package} is planned and not in the workspace yet");
            return;
        }
    }
    build(&CHEAP);
    let dir = temp_dir("real");
    let output = Command::new(run_all_exe())
        .args(["--quick", "--only", &CHEAP.join(",")])
        .arg("--bin-dir")
        .arg(bin_dir())
        .arg("--out-dir")
        .arg(dir.join("out"))
        .output()
        .expect("running run_all");
    assert!(output.status.success(), "{}", stderr_of(&output));
    let (header, rows) = results_csv(&dir);
    let example = column(&header, "example");
    let status = column(&header, "status");
    let runs = column(&header, "runs");
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            let f: Vec<&str> = r.split(',').collect();
            (f[example].into(), f[status].into(), f[runs].into())
        })
        .collect();
    // --quick means one run, but both rows are short: cpu_count (well under
    // a millisecond) gets the 11 runs of a short row; sync_count (3 sleeps
    // of 0.2 s) stops at 2, once its runs add up to over 1 s.
    let want: Vec<(String, String, String)> = CHEAP
        .iter()
        .zip(["11", "2"])
        .map(|(p, runs)| (p.to_string(), "ok".to_string(), runs.to_string()))
        .collect();
    assert_eq!(got, want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_cpu_row_faster_than_the_cores_allow_is_flagged_not_reported() {
    let dir = temp_dir("noisy");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    // A "CPU-bound" group whose second row beats the baseline by 4x the
    // cores: on a real machine only noise (a slow baseline run) does that.
    let share = json!({"share": {"workers": "cores"}});
    let mut base = fixture_row("fixture_cpu_base", "CPU", &["--sleep", "0.4"], false, true);
    base["quick"]["ideal"] = share.clone();
    let fast = format!("{:.4}", 0.4 / (cores * 4.0));
    let mut row = fixture_row("fixture_cpu_fast", "CPU", &["--sleep", &fast], false, false);
    row["quick"]["ideal"] = share;
    let catalog = write_catalog(&dir, vec![base, row]);
    let output = fixture_command(&dir, &catalog)
        .args(["--quick"])
        .output()
        .expect("running run_all");
    assert!(output.status.success(), "{}", stderr_of(&output));

    let results = results_json(&dir);
    let rows = results["rows"].as_array().expect("rows");
    assert_eq!(rows[0]["noise"], "", "the baseline is 1.00x: {}", rows[0]);
    let noise = rows[1]["noise"].as_str().expect("a noise field");
    assert!(noise.contains("is above the"), "{}", rows[1]);
    assert!(noise.contains("cores: noise, not a result"), "{noise}");
    let runs = rows[1]["runs"].as_array().expect("runs").len();
    assert!(
        runs >= run_all::run::NOISY_ROW_RUNS,
        "it took more runs: {runs}"
    );
    // The table does not print the figure as a result.
    let table = String::from_utf8_lossy(&output.stdout);
    let line = table
        .lines()
        .find(|l| l.contains("fixture_cpu_fast"))
        .expect("the row in the table");
    // The speed-up column says "noisy"; the figure is only in the reason.
    assert!(line.contains(" noisy "), "{line}");
    assert!(line.contains("ok; noisy: speed-up "), "{line}");
    let (header, csv_rows) = results_csv(&dir);
    assert!(csv_rows[1].contains("noise, not a result"), "{header:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
