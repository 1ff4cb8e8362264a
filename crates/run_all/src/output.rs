//! The results: a terminal table, and results.md / .csv / .json / .svg,
//! and report.html (see [`crate::timelines`]).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::machine::Machine;
use crate::run::{RowResult, Status};

pub fn seconds(value: Option<f64>) -> String {
    match value {
        None => "-".into(),
        Some(s) if s >= 100.0 => format!("{s:.1} s"),
        Some(s) => format!("{s:.3} s"),
    }
}

fn speedup(value: Option<f64>) -> String {
    value.map_or_else(|| "-".into(), |x| format!("{x:.2}x"))
}

fn efficiency(value: Option<f64>) -> String {
    value.map_or_else(|| "-".into(), |x| format!("{:.0}%", x * 100.0))
}

fn in_flight(value: Option<u64>) -> String {
    value.map_or_else(|| "-".into(), |n| n.to_string())
}

fn status(row: &RowResult) -> String {
    match row.status {
        Status::Ok if !row.noise.is_empty() => format!("ok; noisy: {}", row.noise),
        Status::Ok => "ok".into(),
        other => format!("{}: {}", other.as_str(), row.reason),
    }
}

const COLUMNS: [&str; 7] = [
    "example",
    "median",
    "speed-up",
    "ideal",
    "efficiency",
    "max in flight",
    "status",
];

/// Columns added by `--python`, before the status: three figures side by
/// side (the article's, Python here, Rust here) and the ratio.
const PYTHON_COLUMNS: [&str; 4] = ["article", "python", "rust over python", "py in flight"];

fn python_cells(row: &RowResult) -> [String; 4] {
    let twin = row.python_twin.as_ref();
    let py_median = match twin {
        Some(t) if t.status == "ok" => seconds(t.median_seconds),
        Some(t) => t.status.split(':').next().unwrap_or("failed").to_string(),
        None => "-".into(),
    };
    [
        seconds(row.article_seconds),
        py_median,
        speedup(twin.and_then(|t| t.rust_speedup)),
        in_flight(twin.and_then(|t| t.max_in_flight)),
    ]
}

/// The twin's median, when it ran and succeeded.
fn python_median(row: &RowResult) -> Option<f64> {
    row.python_twin
        .as_ref()
        .filter(|t| t.status == "ok")
        .and_then(|t| t.median_seconds)
}

pub(crate) fn with_python(rows: &[RowResult]) -> bool {
    rows.iter().any(|r| r.python_twin.is_some())
}

/// The row's cells, with the Python columns before the status if asked.
pub(crate) fn all_cells(row: &RowResult, python: bool) -> Vec<String> {
    let mut cells: Vec<String> = cells(row).into();
    if python {
        let status = cells.pop().expect("status is the last cell");
        cells.extend(python_cells(row));
        cells.push(status);
    }
    cells
}

pub(crate) fn header(python: bool) -> Vec<String> {
    let mut names: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    if python {
        let status = names.pop().expect("status is the last column");
        names.extend(PYTHON_COLUMNS.iter().map(|c| c.to_string()));
        names.push(status);
    }
    names
}

fn cells(row: &RowResult) -> [String; 7] {
    let mut name = row.example.clone();
    if row.baseline {
        name.push_str(" (baseline)");
    }
    [
        name,
        seconds(row.median_seconds),
        // A noisy figure is not printed as a result: the status says why.
        if row.noise.is_empty() {
            speedup(row.speedup)
        } else {
            "noisy".into()
        },
        seconds(row.ideal_seconds),
        efficiency(row.efficiency),
        in_flight(row.max_in_flight),
        status(row),
    ]
}

/// A group's name and its rows.
type Group<'a> = (&'a str, Vec<&'a RowResult>);
/// An article's code, title and groups.
type Article<'a> = (&'a str, &'a str, Vec<Group<'a>>);

/// Rows split by article, then by group, keeping catalog order.
pub(crate) fn by_article(rows: &[RowResult]) -> Vec<Article<'_>> {
    let mut articles: Vec<Article> = Vec::new();
    for row in rows {
        if articles
            .last()
            .is_none_or(|(code, _, _)| *code != row.article)
        {
            articles.push((&row.article, &row.article_title, Vec::new()));
        }
        let groups = &mut articles.last_mut().expect("pushed above").2;
        if groups.last().is_none_or(|(name, _)| *name != row.group) {
            groups.push((&row.group, Vec::new()));
        }
        groups.last_mut().expect("pushed above").1.push(row);
    }
    articles
}

/// The terminal table.
pub fn terminal_table(machine: &Machine, rows: &[RowResult]) -> String {
    let python = with_python(rows);
    let all: Vec<Vec<String>> = rows.iter().map(|r| all_cells(r, python)).collect();
    let header = header(python);
    let mut widths: Vec<usize> = header.iter().map(|c| c.len()).collect();
    for cells in &all {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    // The status column is last: never pad it.
    let line = |cells: &[String]| {
        let mut text = String::from("    ");
        for (i, cell) in cells.iter().enumerate() {
            if i == 0 || i == cells.len() - 1 {
                let _ = write!(text, "{cell:<w$}  ", w = widths[i]);
            } else {
                let _ = write!(text, "{cell:>w$}  ", w = widths[i]);
            }
        }
        text.trim_end().to_string()
    };
    let mut out = String::new();
    let _ = writeln!(out, "run_all: every example, measured on this machine");
    for fact in machine.lines() {
        let _ = writeln!(out, "  {fact}");
    }
    let mut index = 0;
    for (code, title, groups) in by_article(rows) {
        let _ = writeln!(out, "\n{code}  {title}");
        let _ = writeln!(out, "{}", line(&header));
        for (group, group_rows) in groups {
            let _ = writeln!(out, "  {group}");
            for _ in group_rows {
                let _ = writeln!(out, "{}", line(&all[index]));
                index += 1;
            }
        }
    }
    let failed = rows.iter().filter(|r| r.status == Status::Failed).count();
    let skipped = rows.iter().filter(|r| r.status == Status::Skipped).count();
    let _ = writeln!(
        out,
        "\n{} rows: {} ok, {failed} failed, {skipped} skipped. speed-up: over the group's \
         baseline; efficiency: ideal / median.",
        rows.len(),
        rows.len() - failed - skipped
    );
    if python {
        let _ = writeln!(out, "{}", python_notes(rows));
    }
    out
}

/// What the Python columns mean, and which rows differ by library default
/// and which by language.
fn python_notes(rows: &[RowResult]) -> String {
    let mut out = String::from(
        "article: the author's figure (their machine, the real web); python: the twin \
         (scripts/python) here, same site, same runs; rust over python: python / rust.",
    );
    let mut seen = std::collections::BTreeSet::new();
    for row in rows {
        if !row.comparison_note.is_empty() && seen.insert(row.comparison_note.clone()) {
            let same: Vec<&str> = rows
                .iter()
                .filter(|r| r.comparison_note == row.comparison_note)
                .map(|r| r.example.as_str())
                .collect();
            let _ = write!(out, "\n  {}: {}", same.join(", "), row.comparison_note);
        }
    }
    out
}

fn markdown_escape(text: &str) -> String {
    text.replace('|', "\\|")
}

/// results.md: the machine header, then one table per article.
pub fn markdown(machine: &Machine, rows: &[RowResult], command: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# run_all results\n");
    let _ = writeln!(out, "Produced by `{command}`.\n");
    for fact in machine.lines() {
        let _ = writeln!(out, "- {fact}");
    }
    let _ = writeln!(
        out,
        "\nspeed-up: over the group's sequential baseline; ideal: the lower bound \
         its formula gives on this machine; efficiency: ideal / median; max in \
         flight: the most requests the site served at once."
    );
    let python = with_python(rows);
    for (code, title, groups) in by_article(rows) {
        let _ = writeln!(out, "\n## {code}: {title}\n");
        let names = header(python);
        let _ = writeln!(out, "| group | {} | ideal formula |", names.join(" | "));
        let aligns: Vec<&str> = names
            .iter()
            .enumerate()
            .map(|(i, _)| {
                if i == 0 || i == names.len() - 1 {
                    "---"
                } else {
                    "--:"
                }
            })
            .collect();
        let _ = writeln!(out, "|---|{}|---|", aligns.join("|"));
        for (group, group_rows) in groups {
            for (i, row) in group_rows.iter().enumerate() {
                let cells = all_cells(row, python);
                let group_cell = if i == 0 { group } else { "" };
                let _ = write!(out, "| {} |", markdown_escape(group_cell));
                for cell in &cells {
                    let _ = write!(out, " {} |", markdown_escape(cell));
                }
                let _ = writeln!(out, " {} |", markdown_escape(&row.ideal_formula));
            }
        }
    }
    if python {
        let _ = writeln!(out, "\n{}", python_notes(rows).replace("\n  ", "\n- "));
    }
    out
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

pub const CSV_HEADER: &str = "article,group,example,package,args,baseline,status,reason,runs,\
median_seconds,speedup,ideal_seconds,efficiency,max_in_flight,site_requests,items,errors,ideal_formula,noise,\
article_seconds,python_status,python_median_seconds,rust_over_python,python_max_in_flight,comparison_note";

/// results.csv: one line per row, numbers unformatted.
pub fn csv(rows: &[RowResult]) -> String {
    let number = |value: Option<f64>| value.map_or_else(String::new, |x| format!("{x:.6}"));
    let count = |value: Option<u64>| value.map_or_else(String::new, |n| n.to_string());
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for row in rows {
        let twin = row.python_twin.as_ref();
        let fields = [
            row.article.clone(),
            row.group.clone(),
            row.example.clone(),
            row.package.clone(),
            row.args.join(" "),
            row.baseline.to_string(),
            row.status.as_str().to_string(),
            row.reason.clone(),
            row.runs.len().to_string(),
            number(row.median_seconds),
            number(row.speedup),
            number(row.ideal_seconds),
            number(row.efficiency),
            count(row.max_in_flight),
            count(row.site_requests),
            count(row.items),
            count(row.errors),
            row.ideal_formula.clone(),
            row.noise.clone(),
            // With --python: the article's figure, the twin's, and the ratio
            // (empty without --python).
            number(row.article_seconds),
            twin.map_or_else(String::new, |t| t.status.clone()),
            number(twin.and_then(|t| t.median_seconds)),
            number(twin.and_then(|t| t.rust_speedup)),
            count(twin.and_then(|t| t.max_in_flight)),
            row.comparison_note.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

#[derive(Serialize)]
struct JsonResults<'a> {
    machine: &'a Machine,
    rows: &'a [RowResult],
}

pub fn json(machine: &Machine, rows: &[RowResult]) -> Result<String> {
    serde_json::to_string_pretty(&JsonResults { machine, rows }).context("serialising results")
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// results.svg: one panel per group, a bar per row (median wall time), a
/// tick at the ideal bound, the speed-up after the bar. Each group has its
/// own scale, because a group's rows do the same work and a 16 s download
/// would flatten a 0.1 s one elsewhere.
pub fn svg(machine: &Machine, rows: &[RowResult]) -> String {
    const WIDTH: f64 = 980.0;
    const LABEL: f64 = 290.0;
    const BAR_MAX: f64 = 480.0;
    // With --python each row has a second, orange bar: the twin's median,
    // on the same scale, so the gap between the languages is drawn as is.
    let python = with_python(rows);
    let row_h: f64 = if python { 34.0 } else { 22.0 };
    let mut body = String::new();
    let mut y = 46.0;
    for (code, _, groups) in by_article(rows) {
        for (group, group_rows) in groups {
            let shown: Vec<&&RowResult> = group_rows
                .iter()
                .filter(|r| r.status != Status::Skipped)
                .collect();
            if shown.is_empty() {
                continue;
            }
            let scale = shown
                .iter()
                .flat_map(|r| [r.median_seconds, r.ideal_seconds, python_median(r)])
                .flatten()
                .fold(0.0_f64, f64::max)
                // Below 10 ms a bar is a sliver: nothing worth comparing.
                .max(0.01);
            y += 20.0;
            let _ = writeln!(
                body,
                r#"<text x="10" y="{y:.0}" font-weight="bold">{} · {}</text>"#,
                xml(code),
                xml(group)
            );
            y += 6.0;
            for row in shown {
                let text_y = y + 15.0;
                let _ = writeln!(
                    body,
                    r#"<text x="20" y="{text_y:.0}">{}</text>"#,
                    xml(&row.example)
                );
                match (row.status, row.median_seconds) {
                    (Status::Ok, Some(median)) => {
                        let width = if scale > 0.0 {
                            median / scale * BAR_MAX
                        } else {
                            0.0
                        };
                        let colour = if row.baseline { "#9e9e9e" } else { "#4878b0" };
                        let _ = writeln!(
                            body,
                            r#"<rect x="{LABEL}" y="{:.0}" width="{:.1}" height="{:.0}" fill="{colour}"/>"#,
                            y + 4.0,
                            width.max(1.0),
                            16.0
                        );
                        if let Some(ideal) = row.ideal_seconds {
                            let x = LABEL + ideal / scale * BAR_MAX;
                            let _ = writeln!(
                                body,
                                r##"<line x1="{x:.1}" y1="{:.0}" x2="{x:.1}" y2="{:.0}" stroke="#d62728" stroke-width="2"/>"##,
                                y + 1.0,
                                y + 21.0
                            );
                        }
                        let mut label = seconds(Some(median));
                        if let Some(s) = row.speedup {
                            let _ = write!(label, "  ({s:.2}x)");
                        }
                        let _ = writeln!(
                            body,
                            r#"<text x="{:.1}" y="{text_y:.0}">{}</text>"#,
                            LABEL + width.max(1.0) + 8.0,
                            xml(&label)
                        );
                    }
                    _ => {
                        let _ = writeln!(
                            body,
                            r##"<text x="{LABEL}" y="{text_y:.0}" fill="#d62728">failed: {}</text>"##,
                            xml(&row.reason.chars().take(80).collect::<String>())
                        );
                    }
                }
                if let Some(py) = python_median(row) {
                    let width = py / scale * BAR_MAX;
                    let mut label = format!("python {}", seconds(Some(py)));
                    if let Some(ratio) = row.python_twin.as_ref().and_then(|t| t.rust_speedup) {
                        let _ = write!(label, "  (rust {ratio:.1}x faster)");
                    }
                    let _ = writeln!(
                        body,
                        r##"<rect x="{LABEL}" y="{:.0}" width="{:.1}" height="9" fill="#e8891c"/>"##,
                        y + 22.0,
                        width.max(1.0)
                    );
                    let _ = writeln!(
                        body,
                        r##"<text x="{:.1}" y="{:.0}" font-size="11" fill="#a05a00">{}</text>"##,
                        LABEL + width.max(1.0) + 8.0,
                        y + 31.0,
                        xml(&label)
                    );
                }
                y += row_h;
            }
        }
    }
    let height = y + 20.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" font-family="sans-serif" font-size="13">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="10" y="22" font-size="16" font-weight="bold">run_all: median wall time per example ({} CPUs, site latency {} ms, {} mode)</text>"#,
        machine.cpus, machine.site_latency_ms, machine.mode
    );
    let _ = writeln!(
        out,
        r##"<text x="10" y="42" fill="#555">bar: median seconds (grey: the group's baseline); red tick: ideal bound; (Nx): speed-up over the baseline. Each group has its own scale.{}</text>"##,
        if python {
            " Orange: the Python twin, same run, same scale."
        } else {
            ""
        }
    );
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}

/// Write the four files; returns their paths.
pub fn write_files(
    out_dir: &Path,
    machine: &Machine,
    rows: &[RowResult],
    command: &str,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let files = [
        ("results.md", markdown(machine, rows, command)),
        ("results.csv", csv(rows)),
        ("results.json", json(machine, rows)?),
        ("results.svg", svg(machine, rows)),
        (
            "report.html",
            crate::timelines::report_html(machine, rows, out_dir, command),
        ),
    ];
    let mut paths = Vec::new();
    for (name, text) in files {
        let path = out_dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        paths.push(path);
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::PythonResult;

    /// cpu_sync's row as --python leaves it: Rust 0.06 s, its twin 5.1 s.
    fn row_with_twin() -> RowResult {
        let entry = crate::catalog::catalog()
            .into_iter()
            .find(|e| e.name() == "cpu_sync")
            .expect("cpu_sync is in the catalog");
        let mut row = RowResult::new(&entry, false);
        row.status = Status::Ok;
        row.median_seconds = Some(0.06);
        row.comparison_note = crate::run::comparison_note(&entry).to_string();
        row.python_twin = Some(PythonResult {
            status: "ok".into(),
            runs: vec![5.1],
            median_seconds: Some(5.1),
            rust_speedup: Some(85.0),
            max_in_flight: None,
            items: Some(20),
            errors: Some(0),
        });
        row
    }

    /// One line's fields, honouring csv_field's quotes.
    fn split_csv(line: &str) -> Vec<String> {
        let (mut fields, mut field, mut quoted) = (Vec::new(), String::new(), false);
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                (c, _) => field.push(c),
            }
        }
        fields.push(field);
        fields
    }

    fn field(csv: &str, name: &str) -> String {
        let mut lines = csv.lines();
        let header = split_csv(lines.next().expect("a header"));
        let row = split_csv(lines.next().expect("one row"));
        assert_eq!(header.len(), row.len(), "{csv}");
        let index = header.iter().position(|h| h == name).expect(name);
        row[index].clone()
    }

    #[test]
    fn csv_carries_the_twin_beside_the_rust_figures() {
        let text = csv(&[row_with_twin()]);
        assert_eq!(field(&text, "median_seconds"), "0.060000");
        assert_eq!(field(&text, "python_status"), "ok");
        assert_eq!(field(&text, "python_median_seconds"), "5.100000");
        assert_eq!(field(&text, "rust_over_python"), "85.000000");
        assert_eq!(field(&text, "article_seconds"), "11.100000");
        assert!(text.contains("the GIL"), "{text}");
        // Without --python the columns are there, and empty.
        let mut plain = row_with_twin();
        plain.python_twin = None;
        assert_eq!(field(&csv(&[plain]), "python_median_seconds"), "");
    }

    #[test]
    fn svg_draws_the_twin_as_a_second_bar() {
        let machine = Machine::probe(0, false, 1);
        let with = svg(&machine, &[row_with_twin()]);
        assert_eq!(with.matches(r##"fill="#e8891c""##).count(), 1, "{with}");
        assert!(
            with.contains("python 5.100 s  (rust 85.0x faster)"),
            "{with}"
        );
        let mut plain = row_with_twin();
        plain.python_twin = None;
        let without = svg(&machine, &[plain]);
        assert!(!without.contains("#e8891c"), "{without}");
    }
}
