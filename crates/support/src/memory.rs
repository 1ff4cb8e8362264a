//! Peak memory, each part of a program measured in a process of its own.
//!
//! A process's peak resident memory (Linux: `VmHWM` in /proc/self/status)
//! only ever grows, so two parts run one after the other in one process
//! cannot be told apart: the second peak includes the first. Instead,
//! [`Comparison::run`] re-runs the current binary, with the same arguments,
//! once per part (a value of the example's own `ValueEnum`). The child's
//! `main` calls [`serve_child`] right after parsing its flags: it runs that
//! part, prints what the part returned and its own peak on one marked line,
//! and exits. The parent echoes the child's other lines, indented by two
//! spaces, and reads the marked line back. One more child runs no part at
//! all: the baseline, what the process itself costs, which the table
//! subtracts from each part's peak.
//!
//! The part's name travels in an environment variable, so the example needs
//! no hidden flag; the children write no report record (only the parent does).

use std::fmt::Display;
use std::io::{self, Write};
use std::process::{Command, Stdio};

use clap::ValueEnum;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Report;

/// Names the part a child is to run; set for the children only.
pub const PART_ENV: &str = "SUPPORT_MEMORY_PART";

/// The part name of the empty child (`@` keeps it apart from `ValueEnum` names).
const BASELINE: &str = "@baseline";

/// Starts the child's answer line; the rest of the line is JSON.
const ANSWER_MARK: &str = "@measurement ";

/// The width of the table's peak and over-baseline columns.
const PEAK_WIDTHS: (usize, usize) = (9, 14);

/// What a child answered: its part's figures and its own peak.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measured<T> {
    /// What the part returned.
    pub figures: T,
    /// The child's peak resident memory in KiB (`None` where unknown).
    pub peak_rss_kib: Option<u64>,
}

impl<T> Measured<T> {
    /// The peak above `baseline`, if both are known.
    pub fn over(&self, baseline: Option<u64>) -> Option<u64> {
        let (peak, base) = self.peak_rss_kib.zip(baseline)?;
        Some(peak.saturating_sub(base))
    }
}

/// The most memory this process ever had resident (Linux: `VmHWM`), in KiB;
/// `None` on systems without /proc.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// KiB as the table prints them: `7.6 MB`, or `n/a` when unknown.
pub fn megabytes(kib: Option<u64>) -> String {
    kib.map_or("n/a".into(), |kib| format!("{:.1} MB", kib as f64 / 1024.0))
}

/// The name a part goes by: its `ValueEnum` name (`tokio-current-thread`).
pub fn part_name<P: ValueEnum>(part: P) -> String {
    part.to_possible_value()
        .map(|value| value.get_name().to_string())
        .unwrap_or_default()
}

/// One part of a [`Comparison`].
#[derive(Debug)]
pub struct Row<P, T> {
    pub part: P,
    pub label: String,
    /// What its child answered; `None` if it failed (and said why on stderr).
    pub measured: Option<Measured<T>>,
}

/// Several parts of one program, each measured in a child of its own.
#[derive(Debug)]
pub struct Comparison<P, T> {
    /// The peak of a child that ran no part, in KiB.
    pub baseline_kib: Option<u64>,
    pub rows: Vec<Row<P, T>>,
}

impl<P: ValueEnum + Copy, T: DeserializeOwned + Serialize> Comparison<P, T> {
    /// Measure the baseline, then run each part in its own child, one after
    /// another, each under a line `== label ==` and its child's echoed lines.
    pub fn run(parts: &[P], label: impl Fn(P) -> &'static str) -> Self {
        let baseline_kib = in_child::<IgnoredAny>(BASELINE)
            .ok()
            .and_then(|measured| measured.peak_rss_kib);
        let rows = parts
            .iter()
            .map(|&part| {
                println!("== {} ==", label(part));
                let measured = in_child(&part_name(part));
                if let Err(err) = &measured {
                    eprintln!("{err}");
                }
                Row {
                    part,
                    label: label(part).to_string(),
                    measured: measured.ok(),
                }
            })
            .collect();
        Comparison { baseline_kib, rows }
    }

    /// The figures of the parts whose child answered.
    pub fn answers(&self) -> impl Iterator<Item = &T> {
        self.rows
            .iter()
            .filter_map(|row| row.measured.as_ref().map(|m| &m.figures))
    }

    /// Print a blank line, then the table: a heading, the baseline's row,
    /// and one row per part. `columns` are the headings with their widths,
    /// the label column first; `cells` formats a part's figures for the
    /// columns after it. The peak and the peak over the baseline close
    /// each row; a part whose child failed reads `FAILED`.
    pub fn print_table(&self, columns: &[(&str, usize)], cells: impl Fn(&T) -> Vec<String>) {
        let widths: Vec<usize> = columns.iter().map(|&(_, width)| width).collect();
        let headings = columns.iter().map(|&(heading, _)| heading.to_string());
        println!();
        print_row(&widths, headings.collect(), "peak RSS", "over baseline");
        let mut baseline = vec!["empty child (baseline)".to_string()];
        baseline.resize(columns.len(), "-".to_string());
        print_row(&widths, baseline, &megabytes(self.baseline_kib), "-");
        for row in &self.rows {
            let Some(measured) = &row.measured else {
                let mut line = vec![row.label.clone(), "FAILED".to_string()];
                line.truncate(columns.len());
                print_row(&widths, line, "", "");
                continue;
            };
            let mut line = vec![row.label.clone()];
            line.extend(cells(&measured.figures));
            let peak = megabytes(measured.peak_rss_kib);
            print_row(
                &widths,
                line,
                &peak,
                &megabytes(measured.over(self.baseline_kib)),
            );
        }
    }

    /// Add to `report` the baseline (`baseline_peak_rss_kib`) and, for each
    /// part that answered, its peak and each of its figures' fields, named
    /// `<part>_peak_rss_kib` and `<part>_<field>` (the part's name in
    /// snake_case: `tokio_current_thread_completed`).
    pub fn add_to(&self, mut report: Report) -> Report {
        report = report.extra("baseline_peak_rss_kib", self.baseline_kib);
        for row in &self.rows {
            let Some(measured) = &row.measured else {
                continue;
            };
            let key = part_name(row.part).replace('-', "_");
            if let Ok(Value::Object(fields)) = serde_json::to_value(&measured.figures) {
                for (field, value) in fields {
                    report = report.extra(&format!("{key}_{field}"), value);
                }
            }
            report = report.extra(&format!("{key}_peak_rss_kib"), measured.peak_rss_kib);
        }
        report
    }
}

/// One line of the table: the first cell left-aligned, the rest right-aligned
/// (a failed row's blank memory cells leave no trailing spaces).
fn print_row(widths: &[usize], cells: Vec<String>, peak: &str, over: &str) {
    let mut line = String::new();
    for (i, (cell, &width)) in cells.iter().zip(widths).enumerate() {
        if i == 0 {
            line.push_str(&format!("{cell:<width$}"));
        } else {
            line.push_str(&format!(" {cell:>width$}"));
        }
    }
    let (peak_width, over_width) = PEAK_WIDTHS;
    let line = format!("{line} {peak:>peak_width$} {over:>over_width$}");
    println!("{}", line.trim_end());
}

/// In a child started by [`Comparison::run`]: run the part asked for, print
/// the answer line, and exit the process (0, or 1 with the part's error on
/// stderr). In any other process: return at once.
pub fn serve_child<P, T, E>(part: impl FnOnce(P) -> Result<T, E>)
where
    P: ValueEnum,
    T: Serialize,
    E: Display,
{
    let Some(name) = std::env::var_os(PART_ENV) else {
        return;
    };
    let name = name.to_string_lossy();
    let code = match answer(&name, part) {
        Ok(line) => {
            let mut stdout = io::stdout().lock();
            match writeln!(stdout, "{ANSWER_MARK}{line}").and_then(|()| stdout.flush()) {
                Ok(()) => 0,
                Err(err) => {
                    eprintln!("{name}: cannot answer the parent: {err}");
                    1
                }
            }
        }
        Err(err) => {
            eprintln!("{name}: {err}");
            1
        }
    };
    std::process::exit(code);
}

/// The child's answer: the part's figures (none for the baseline) and the
/// peak this process reached running it, as one line of JSON.
fn answer<P: ValueEnum, T: Serialize, E: Display>(
    name: &str,
    part: impl FnOnce(P) -> Result<T, E>,
) -> Result<String, String> {
    let figures = if name == BASELINE {
        Value::Null
    } else {
        let chosen = P::from_str(name, false)?;
        let figures = part(chosen).map_err(|err| err.to_string())?;
        serde_json::to_value(figures).map_err(|err| err.to_string())?
    };
    let measured = Measured {
        figures,
        peak_rss_kib: peak_rss_kib(),
    };
    serde_json::to_string(&measured).map_err(|err| err.to_string())
}

/// Re-run this binary with the same arguments as the child for part `name`,
/// echo its stdout lines indented by two spaces (its stderr passes straight
/// through), and read its answer.
fn in_child<T: DeserializeOwned>(name: &str) -> io::Result<Measured<T>> {
    let exe = std::env::current_exe()
        .map_err(|err| io::Error::new(err.kind(), format!("cannot find this program: {err}")))?;
    let output = Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(PART_ENV, name)
        .env_remove(crate::report::REPORT_ENV)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|err| {
            io::Error::new(err.kind(), format!("cannot start the {name} child: {err}"))
        })?;
    let mut answer = None;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        match line.strip_prefix(ANSWER_MARK) {
            Some(json) => answer = Some(serde_json::from_str(json).map_err(io::Error::other)?),
            None => println!("  {line}"),
        }
    }
    match answer {
        Some(measured) if output.status.success() => Ok(measured),
        _ => Err(io::Error::other(format!(
            "the {name} child failed ({})",
            output.status
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_kib().is_some_and(|kib| kib > 0));
        }
    }

    #[test]
    fn over_subtracts_the_baseline_and_never_goes_below_zero() {
        let measured = Measured {
            figures: (),
            peak_rss_kib: Some(5000),
        };
        assert_eq!(measured.over(Some(3000)), Some(2000));
        assert_eq!(measured.over(Some(9000)), Some(0));
        assert_eq!(measured.over(None), None);
    }

    #[test]
    fn megabytes_print_one_decimal() {
        assert_eq!(megabytes(Some(7782)), "7.6 MB");
        assert_eq!(megabytes(None), "n/a");
    }

    #[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
    enum Part {
        TokioMultiThread,
        Smol,
    }

    #[derive(Debug, Serialize, Deserialize)]
    struct Figures {
        completed: u64,
        tasks_seconds: f64,
    }

    #[test]
    fn the_record_names_each_field_after_its_part() {
        let measured = |completed| {
            Some(Measured {
                figures: Figures {
                    completed,
                    tasks_seconds: 0.5,
                },
                peak_rss_kib: Some(7000),
            })
        };
        let comparison = Comparison {
            baseline_kib: Some(3000),
            rows: vec![
                Row {
                    part: Part::TokioMultiThread,
                    label: "tokio multi-thread".into(),
                    measured: measured(3),
                },
                Row {
                    part: Part::Smol,
                    label: "smol".into(),
                    measured: None,
                },
            ],
        };
        let report = comparison.add_to(Report::new("x", std::time::Duration::ZERO));
        let mut keys: Vec<&str> = report.extra.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "baseline_peak_rss_kib",
                "tokio_multi_thread_completed",
                "tokio_multi_thread_peak_rss_kib",
                "tokio_multi_thread_tasks_seconds",
            ]
        );
        assert_eq!(report.extra["tokio_multi_thread_completed"], 3);
        assert_eq!(comparison.answers().map(|f| f.completed).sum::<u64>(), 3);
    }
}
