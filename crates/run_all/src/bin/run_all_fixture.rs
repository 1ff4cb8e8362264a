//! A stand-in example and a stand-in site, for run_all's own tests only.
//!
//! `run_all_fixture work ...` behaves like an example: it sleeps, optionally
//! makes requests to `--site` with some concurrency, and ends with the same
//! `support::Report` record every example writes. `run_all_fixture serve`
//! behaves like `site_server` as far as run_all cares: the `listening on`
//! line, a fixed latency, `/stats` and `/stats/reset`. With them the runner's
//! machinery (site start and stop, stats, repeats, timeouts, failures) is
//! tested without depending on the real examples or the real site.
//!
//! Not a lesson: learners can skip this file.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::{Parser, Subcommand};
use support::web::Stats;
use support::{Report, Timer};

#[derive(Debug, Parser)]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
    /// `--timeline FILE` (run_all sets RUN_ALL_TIMELINE instead): the sleep
    /// and each request become spans, as an example's units of work.
    #[command(flatten)]
    timeline: support::timeline::TimelineArg,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Act as an example.
    Work {
        /// The name written in the report record.
        #[arg(long, default_value = "run_all_fixture")]
        name: String,
        /// Seconds to sleep first.
        #[arg(long, default_value_t = 0.0)]
        sleep: f64,
        /// Requests to make to `--site` (GET /fixture).
        #[arg(long, default_value_t = 0)]
        requests: u64,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 1)]
        concurrency: u64,
        #[arg(long)]
        site: Option<String>,
        /// Report this many failed items (the exit code becomes 1).
        #[arg(long, default_value_t = 0)]
        errors: u64,
        /// Exit without writing a report record.
        #[arg(long)]
        no_report: bool,
        /// Write this process's id to a file first.
        #[arg(long)]
        pid_file: Option<std::path::PathBuf>,
    },
    /// Act as site_server (flags it does not use are accepted and ignored).
    Serve {
        #[arg(long, default_value_t = 0)]
        port: u16,
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        #[arg(long, default_value_t = 0)]
        jitter_ms: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _timeline = cli.timeline.record();
    match cli.mode {
        Mode::Work {
            name,
            sleep,
            requests,
            concurrency,
            site,
            errors,
            no_report,
            pid_file,
        } => {
            if let Some(path) = pid_file
                && let Err(err) = std::fs::write(&path, std::process::id().to_string())
            {
                eprintln!("cannot write {}: {err}", path.display());
                return ExitCode::from(2);
            }
            let timer = Timer::start();
            tracing::info_span!("sleep")
                .in_scope(|| std::thread::sleep(Duration::from_secs_f64(sleep.max(0.0))));
            let mut failed = errors;
            if requests > 0 {
                let Some(site) = site else {
                    eprintln!("--requests needs --site");
                    return ExitCode::from(2);
                };
                failed += fetch_all(&site, requests, concurrency.max(1));
            }
            if no_report {
                println!("done, no report");
                return ExitCode::SUCCESS;
            }
            Report::new(&name, timer.elapsed())
                .items(requests.max(1))
                .errors(failed)
                .finish(format!("{name} finished in {:.3} s", timer.secs()))
        }
        Mode::Serve {
            port,
            latency_ms,
            jitter_ms: _,
        } => match serve(port, Duration::from_millis(latency_ms)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("serve: {err}");
                ExitCode::FAILURE
            }
        },
    }
}

/// GET /fixture `requests` times from `concurrency` threads; returns failures.
fn fetch_all(site: &str, requests: u64, concurrency: u64) -> u64 {
    let next = AtomicU64::new(0);
    let failed = AtomicU64::new(0);
    let agent = support::web::blocking_agent(Duration::from_secs(10));
    std::thread::scope(|scope| {
        for _ in 0..concurrency {
            scope.spawn(|| {
                while next.fetch_add(1, Ordering::SeqCst) < requests {
                    let request = tracing::info_span!("request").entered();
                    let answer = agent.get(&format!("{site}/fixture")).call();
                    drop(request);
                    if answer.is_err() {
                        failed.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    failed.into_inner()
}

fn serve(port: u16, latency: Duration) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    println!("listening on http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    let stats = Arc::new(Mutex::new(Stats::default()));
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let stats = Arc::clone(&stats);
        std::thread::spawn(move || {
            let _ = handle(stream, latency, &stats);
        });
    }
    Ok(())
}

fn handle(stream: TcpStream, latency: Duration, stats: &Mutex<Stats>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let lock = || {
        stats
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    let body = match path {
        "/stats" => serde_json::to_string(&*lock()).map_err(std::io::Error::other)?,
        "/stats/reset" => {
            let mut stats = lock();
            let in_flight = stats.in_flight;
            *stats = Stats {
                in_flight,
                max_in_flight: in_flight,
                ..Stats::default()
            };
            "reset".to_string()
        }
        _ => {
            {
                let mut stats = lock();
                stats.in_flight += 1;
                stats.max_in_flight = stats.max_in_flight.max(stats.in_flight);
            }
            std::thread::sleep(latency);
            let mut stats = lock();
            stats.in_flight -= 1;
            stats.requests += 1;
            *stats.by_status.entry(200).or_default() += 1;
            stats.bytes_sent += 2;
            "ok".to_string()
        }
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}
