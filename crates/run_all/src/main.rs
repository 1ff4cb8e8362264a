//! Run every example of the catalog and print one timing table.
//!
//! `scripts/run_all.sh` builds the workspace in release mode and then runs
//! this binary: it starts one `site_server` on a free loopback port, runs
//! each example `--repeat` times (more if its runs are short; network ones
//! with `--site URL`), reads each run's report record (`RUN_ALL_REPORT`,
//! never the printed text), and prints a table grouped by article. The
//! same data goes to `target/run_all/results.{md,csv,json,svg}`.
//!
//! Run: scripts/run_all.sh --quick       (or: cargo run --release -p run_all -- --help)

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Parser;

use run_all::catalog::{self, Entry, FULL_LATENCY_MS, QUICK_LATENCY_MS};
use run_all::machine::Machine;
use run_all::run::{Options, Status, run_entries, select};
use run_all::{output, process};

/// Run every example and tabulate the timings, measured on this machine.
///
/// Binaries are taken as built (scripts/run_all.sh builds them in release
/// mode first); nothing but 127.0.0.1 is contacted. Exits 1 if any row failed.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Run only these rows: a comma-separated list of names or substrings
    /// (e.g. `cpu_count,sync_count` or `download_`).
    #[arg(long, value_name = "PATTERN")]
    only: Option<String>,

    /// Small sizes, one run each (more for short rows), 20 ms site latency:
    /// a classroom-sized run.
    #[arg(long)]
    quick: bool,

    /// Runs per example; the table shows the median [default: 3, 1 with
    /// --quick]. A row whose runs add up to under 1 s gets more, up to 11.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    repeat: Option<u32>,

    /// The site's latency per response, in milliseconds
    /// [default: 50, 20 with --quick].
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(0..=60_000))]
    latency_ms: Option<u64>,

    /// Kill an example (and everything it started) after this many seconds
    /// and mark its row failed.
    #[arg(long, value_name = "SECS", default_value_t = 120.0, value_parser = support::cli::seconds_parser)]
    timeout: f64,

    /// Print the catalog (rows, sizes, ideal formulas) and exit.
    #[arg(long)]
    list: bool,

    /// Print the catalog as the Markdown table README.md shows, and exit.
    #[arg(long)]
    list_markdown: bool,

    /// Where the results go [default: target/run_all, next to the binaries' dir].
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,

    /// Where the example binaries are [default: this binary's directory].
    #[arg(long, value_name = "DIR")]
    bin_dir: Option<PathBuf>,

    /// A JSON catalog to use instead of the built-in one (for tests).
    #[arg(long, value_name = "FILE", hide = true)]
    catalog: Option<PathBuf>,

    /// The site server binary's name in --bin-dir (for tests).
    #[arg(long, value_name = "NAME", default_value = "site_server", hide = true)]
    site_bin: String,

    /// Run each example's Python twin (scripts/python) beside it: Python's
    /// median, Rust's speed-up over it, Python's max in flight.
    /// scripts/run_all.sh --python creates the virtual environment first.
    #[arg(long)]
    python: bool,

    /// The twins' interpreter [default: target/python-venv/bin/python]
    #[arg(long, value_name = "FILE", hide = true)]
    python_exe: Option<PathBuf>,
}

fn load_catalog(path: Option<&PathBuf>) -> Result<Vec<Entry>> {
    match path {
        None => Ok(catalog::catalog()),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
        }
    }
}

fn print_list(entries: &[Entry]) {
    for entry in entries {
        println!(
            "{:<28} {} {:<30} {}{}",
            entry.name(),
            entry.article,
            entry.group,
            if entry.needs_site { "site " } else { "" },
            if entry.planned { "(planned)" } else { "" },
        );
        println!("    python: {}  ->  rust: {}", entry.python, entry.rust);
        println!(
            "    --quick: [{}]  ideal {}",
            entry.args(true).join(" "),
            entry.ideal(true).formula()
        );
        println!(
            "    full:    [{}]  ideal {}",
            entry.args(false).join(" "),
            entry.ideal(false).formula()
        );
    }
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    let cli = Cli::parse();
    match real_main(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("run_all: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn real_main(cli: Cli) -> Result<ExitCode> {
    let entries = select(load_catalog(cli.catalog.as_ref())?, cli.only.as_deref());
    if entries.is_empty() {
        bail!(
            "no catalog row matches --only {:?} (see --list)",
            cli.only.unwrap_or_default()
        );
    }
    if cli.list {
        print_list(&entries);
        return Ok(ExitCode::SUCCESS);
    }
    if cli.list_markdown {
        println!("| package (row) | article | group | Python | Rust |");
        println!("|---|---|---|---|---|");
        for entry in entries.iter().filter(|entry| !entry.planned) {
            println!("{}", entry.markdown_row());
        }
        return Ok(ExitCode::SUCCESS);
    }

    let bin_dir = match cli.bin_dir {
        Some(dir) => dir,
        None => std::env::current_exe()
            .context("locating run_all's own binary")?
            .parent()
            .context("run_all's binary has no directory")?
            .to_path_buf(),
    };
    // target/release -> target/run_all
    let out_dir = match cli.out_dir {
        Some(dir) => dir,
        None => bin_dir
            .parent()
            .map_or_else(|| bin_dir.join("run_all"), |target| target.join("run_all")),
    };
    let bin_dir_for_python = bin_dir.clone();
    let options = Options {
        quick: cli.quick,
        repeat: cli.repeat.unwrap_or(if cli.quick { 1 } else { 3 }),
        latency_ms: cli.latency_ms.unwrap_or(if cli.quick {
            QUICK_LATENCY_MS
        } else {
            FULL_LATENCY_MS
        }),
        timeout: Duration::from_secs_f64(cli.timeout),
        bin_dir,
        out_dir,
        site_bin: cli.site_bin,
        python: python_side(cli.python, cli.python_exe, &bin_dir_for_python),
    };

    // Ctrl-C (and SIGTERM/SIGHUP): kill the site server and the running
    // example with everything they started, then leave. The children live
    // in their own process groups, so this handler is the only way they die.
    ctrlc::set_handler(|| process::interrupt_and_exit())
        .context("installing the Ctrl-C handler")?;

    let machine = Machine::probe(options.latency_ms, options.quick, options.repeat);
    let rows = run_entries(&entries, &options, &machine);

    let quoted: Vec<String> = std::env::args()
        .skip(1)
        .map(|arg| {
            if arg.contains(char::is_whitespace) {
                format!("'{arg}'")
            } else {
                arg
            }
        })
        .collect();
    let command = format!("scripts/run_all.sh {}", quoted.join(" "));
    println!("{}", output::terminal_table(&machine, &rows));
    let paths = output::write_files(&options.out_dir, &machine, &rows, command.trim_end())?;
    for path in paths {
        eprintln!("wrote {}", path.display());
    }
    Ok(if rows.iter().any(|r| r.status == Status::Failed) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// With `--python`: the venv's interpreter (target/python-venv, beside the
/// release folder), or the reason the Python column says "not run".
fn python_side(
    wanted: bool,
    exe: Option<PathBuf>,
    bin_dir: &std::path::Path,
) -> Option<run_all::run::PythonSide> {
    if !wanted {
        return None;
    }
    let target = bin_dir.parent().unwrap_or(bin_dir);
    let exe = exe.unwrap_or_else(|| target.join("python-venv/bin/python"));
    let scripts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/python");
    // run_all.sh sets this when it could not create the venv (no python3,
    // no package index): its one line is the reason.
    let why_not = std::env::var("RUN_ALL_PYTHON_NOT_RUN").unwrap_or_default();
    let exe = if !why_not.trim().is_empty() {
        let reason = why_not.trim().to_string();
        eprintln!("{reason}");
        Err(reason)
    } else if exe.is_file() {
        Ok(exe)
    } else {
        let reason = format!(
            "python twins: not run: no {} (scripts/run_all.sh --python creates it)",
            exe.display()
        );
        eprintln!("{reason}");
        Err(reason)
    };
    Some(run_all::run::PythonSide { exe, scripts })
}
