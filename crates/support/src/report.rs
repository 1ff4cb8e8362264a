//! The closing line, and the report record for `run_all`.
//!
//! Every example ends with one call: [`Report::finish`]. It prints the
//! article-style closing line (`executed in 1.00s.`) and, when the environment
//! variable `RUN_ALL_REPORT` names a file, appends one JSON line there, so the
//! run-all script never has to parse human-readable text.

use std::fmt::Display;
use std::fs::OpenOptions;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The environment variable that names the file report lines are appended to.
pub const REPORT_ENV: &str = "RUN_ALL_REPORT";

/// A wall-clock timer, started where the article calls `time.perf_counter()`.
#[derive(Debug, Clone, Copy)]
pub struct Timer(Instant);

impl Timer {
    pub fn start() -> Self {
        Timer(Instant::now())
    }

    pub fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }

    /// Seconds elapsed, as the articles print them.
    pub fn secs(&self) -> f64 {
        self.elapsed().as_secs_f64()
    }
}

/// One run's record: what `run_all` reads back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The package name, e.g. `async_count`.
    pub example: String,
    pub wall_seconds: f64,
    /// Units of work done (pages read, sums computed, tasks finished).
    pub items: u64,
    /// Units of work that failed (and were counted, not fatal).
    pub errors: u64,
    /// Free-form figures: workers, max in flight seen by the site, ...
    #[serde(default)]
    pub extra: Map<String, Value>,
}

impl Report {
    pub fn new(example: &str, elapsed: Duration) -> Self {
        Report {
            example: example.to_string(),
            wall_seconds: elapsed.as_secs_f64(),
            items: 0,
            errors: 0,
            extra: Map::new(),
        }
    }

    pub fn items(mut self, items: u64) -> Self {
        self.items = items;
        self
    }

    pub fn errors(mut self, errors: u64) -> Self {
        self.errors = errors;
        self
    }

    pub fn extra(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_string(), value.into());
        self
    }

    /// Print the closing line, append the record if asked to, and return the
    /// exit code: success when no item failed, failure (1) otherwise.
    pub fn finish(self, closing_line: impl Display) -> ExitCode {
        println!("{closing_line}");
        self.finish_silently()
    }

    /// [`Report::finish`] without the closing line, for an example whose
    /// stdout must be exactly the article's output (generator_send).
    pub fn finish_silently(self) -> ExitCode {
        if let Err(err) = self.append_if_requested() {
            eprintln!("warning: could not write the {REPORT_ENV} record: {err}");
        }
        if self.errors == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }

    /// Append this record as one JSON line to the file named by
    /// `RUN_ALL_REPORT`, if it is set. Returns whether a line was written.
    pub fn append_if_requested(&self) -> std::io::Result<bool> {
        match std::env::var_os(REPORT_ENV) {
            Some(path) if !path.is_empty() => {
                self.append_to(std::path::Path::new(&path))?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Append this record as one JSON line to `path`.
    ///
    /// The file is opened with O_APPEND and the whole line goes out in a
    /// single `write`, so lines from several processes never interleave.
    pub fn append_to(&self, path: &std::path::Path) -> std::io::Result<()> {
        let mut line = serde_json::to_string(self).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut file = OpenOptions::new().create(true).append(true).open(path)?;
        let written = file.write(line.as_bytes())?;
        if written != line.len() {
            return Err(std::io::Error::other("short write of a report line"));
        }
        Ok(())
    }
}

/// Values longer than this many characters are shortened in messages.
pub const MESSAGE_VALUE_CHARS: usize = 200;

/// A value as a message shows it: whole up to [`MESSAGE_VALUE_CHARS`]
/// characters, else its start and end around `...` and its length, so a
/// 100 KB `--site` value prints a line, not 100 KB per failure. Report
/// records keep values whole; this is for what people read.
pub fn shorten(value: &str) -> std::borrow::Cow<'_, str> {
    let chars = value.chars().count();
    if chars <= MESSAGE_VALUE_CHARS {
        return value.into();
    }
    let head: String = value.chars().take(150).collect();
    let tail: String = value.chars().skip(chars - 30).collect();
    format!("{head}...{tail} ({chars} characters)").into()
}

/// Read every record of a report file (used by `run_all` and tests).
pub fn read_reports(path: &std::path::Path) -> std::io::Result<Vec<Report>> {
    let text = std::fs::read_to_string(path)?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).map_err(std::io::Error::other))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_shortened_for_messages_only() {
        let short = "x".repeat(MESSAGE_VALUE_CHARS);
        assert_eq!(shorten(&short), short.as_str());
        let long = format!("http://127.0.0.1:1/{}end", "é".repeat(100_000));
        let shown = shorten(&long);
        assert!(shown.chars().count() < 220, "{shown}");
        assert!(shown.starts_with("http://127.0.0.1:1/"));
        assert!(shown.ends_with(&format!("end ({} characters)", long.chars().count())));
    }

    #[test]
    fn appended_lines_read_back() {
        let dir = std::env::temp_dir().join(format!("support-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.jsonl");
        let _ = std::fs::remove_file(&path);
        Report::new("a", Duration::from_millis(1500))
            .items(3)
            .append_to(&path)
            .unwrap();
        Report::new("b", Duration::from_millis(10))
            .errors(2)
            .extra("workers", 5)
            .append_to(&path)
            .unwrap();
        let reports = read_reports(&path).unwrap();
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[0].example, "a");
        assert_eq!(reports[0].items, 3);
        assert_eq!(reports[0].wall_seconds, 1.5);
        assert_eq!(reports[1].errors, 2);
        assert_eq!(reports[1].extra["workers"], 5);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn concurrent_appends_never_interleave() {
        let dir = std::env::temp_dir().join(format!("support-append-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.jsonl");
        let _ = std::fs::remove_file(&path);
        std::thread::scope(|scope| {
            for t in 0..8 {
                let path = &path;
                scope.spawn(move || {
                    for i in 0..50 {
                        Report::new(&format!("t{t}"), Duration::ZERO)
                            .items(i)
                            .extra("padding", "x".repeat(500))
                            .append_to(path)
                            .unwrap();
                    }
                });
            }
        });
        let reports = read_reports(&path).unwrap();
        assert_eq!(reports.len(), 400);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
