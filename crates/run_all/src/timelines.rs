//! The timelines: one SVG per recorded row, and report.html around them.
//!
//! Each I/O- and CPU-bound row whose example takes `--timeline` gets one
//! extra run with recording on (`RUN_ALL_TIMELINE`), after its timed runs:
//! the medians come from runs that recorded nothing. The picture is the
//! article's diagram drawn from that run: one row per lane (thread, task or
//! worker process), blue where the lane worked, red where it waited.

use std::fmt::Write as _;
use std::path::Path;

use support::timeline::trace::{Lane, Trace};

use crate::machine::Machine;
use crate::output::{all_cells, by_article, header, svg as bar_chart, with_python};
use crate::run::{RowResult, Status};

/// The groups whose rows are recorded: everything that does I/O- or
/// CPU-bound work (not the event-loop internals, nor the pitfalls).
pub fn records_timeline(group: &str) -> bool {
    !matches!(
        group,
        "Coroutines and event loops" | "Pitfalls, shown and fixed"
    )
}

/// Whether the example's binary takes `--timeline` (its `--help` says so).
pub fn takes_timeline_flag(bin: &Path) -> bool {
    std::process::Command::new(bin)
        .arg("--help")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("--timeline"))
}

/// What the article says the picture shows, for the rows that have a claim.
pub fn claim(example: &str) -> &'static str {
    match example {
        "download_sync" => "one request at a time: each wait starts when the last one ends",
        "download_threads" => "threads overlap their waits: 5 lanes, 5 requests waiting at once",
        "download_async" => "one thread, one task per page: the waits all overlap",
        "download_processes" => "each worker process waits on its own requests, side by side",
        "cpu_sync" => "one lane computes, number after number, and never waits",
        "cpu_threads" => "no GIL in Rust: the threads compute at the same time",
        "cpu_processes" => "each process computes its own numbers at the same time",
        "cpu_rayon" => "rayon's threads share the numbers and compute at once",
        "gil_sim" => "with the GIL only one lane works at a time; the others wait for it",
        "gil_sim --no-gil" => "without the GIL the same threads work at the same time",
        "gil_sim_io" => "the GIL is let go while waiting, so the waits still overlap",
        "sync_count" => "count() after count(): each sleep waits its turn (3 s)",
        "async_count" => "three tasks, each waiting once, all three at the same moment (1 s)",
        "download_async --limit 100" => "aiohttp's cap: at most 100 tasks waiting at once",
        "scrape_threads --as-in-article" => "one worker: each page waits for the one before",
        "scrape_threads" => "a pool of threads: as many pages waiting as there are threads",
        "scrape_async" | "scrape_async --limit 100" => {
            "one thread, one task per page: the waits overlap"
        }
        "scrape_processes" => "one lane per worker process, each waiting on its pages",
        "scrape_async_processes" => "an event loop in each process: waits overlap inside each",
        "crawl_serial" => "one page at a time: the crawl is a line of waits",
        "crawl_pool" => "a pool of 10 workers: up to 10 pages waiting at once",
        "crawl_async" => "up to 100 tasks waiting at once, level after level",
        "crawl_async_continuous" => "no levels: a new page starts as soon as one ends",
        "crawl_bottleneck" => "the wait is the request; parsing is the thin blue work",
        "pool_map" => "one lane per worker process; each sleeps through its chunk",
        "pool_apply_async" => "50 worker processes, each waiting through its tasks",
        "async_squares" => "every cal_square waits at once on one thread",
        "event_loop" => "our own loop: three tasks waiting at the same moment",
        "threads_basic" => "two threads, each sleeping between numbers, side by side",
        "processes_basic" => "two processes, two pids, sleeping side by side",
        "async_basic" => "two futures on one thread, waiting at the same time",
        "async_fetch_sim" => "three simulated fetches waiting at the same moment",
        _ => "",
    }
}

const WIDTH: f64 = 940.0;
const LABEL: f64 = 170.0;
const LANE_H: f64 = 14.0;
/// Lanes drawn at most; the rest are counted below the picture.
pub const MOST_LANES_DRAWN: usize = 60;

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round step for about `ticks` ticks over `span` seconds.
fn tick_step(span: f64, ticks: f64) -> f64 {
    let raw = (span / ticks).max(1e-6);
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * power)
}

/// One recorded run as an SVG: lanes as rows, work and wait in two colours,
/// a time axis in seconds, the example's name and the run's total.
pub fn timeline_svg(example: &str, trace: &Trace) -> String {
    let (start, end) = trace.bounds_us();
    let total_s = (end - start) / 1e6;
    let drawn: Vec<&Lane> = trace.lanes.iter().take(MOST_LANES_DRAWN).collect();
    let plot_w = WIDTH - LABEL - 20.0;
    let x = |us: f64| LABEL + (us - start) / (end - start).max(1.0) * plot_w;
    let top = 34.0;
    let height = top + drawn.len() as f64 * LANE_H + 44.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" data-example="{}" data-lanes="{}" font-family="sans-serif" font-size="11">"#,
        xml(example),
        trace.lanes.len()
    );
    let pids = trace.pids().len();
    let _ = writeln!(
        out,
        r#"<text x="4" y="16" font-size="13" font-weight="bold">{} <tspan font-weight="normal">— {} lanes in {} process{}, {total_s:.3} s recorded</tspan></text>"#,
        xml(example),
        trace.lanes.len(),
        pids,
        if pids == 1 { "" } else { "es" },
    );
    for (index, lane) in drawn.iter().enumerate() {
        let y = top + index as f64 * LANE_H;
        let _ = writeln!(
            out,
            r#"<g class="lane" data-lane="{}" data-pid="{}"><text x="{}" y="{}" text-anchor="end">{}</text>"#,
            xml(&lane.name),
            lane.pid,
            LABEL - 6.0,
            y + LANE_H - 4.0,
            xml(&lane.name)
        );
        let _ = writeln!(
            out,
            r##"<rect x="{LABEL}" y="{y}" width="{plot_w}" height="{}" fill="#f3f3f3"/>"##,
            LANE_H - 2.0
        );
        for piece in &lane.pieces {
            let (x0, x1) = (x(piece.start_us), x(piece.end_us));
            let (class, colour) = match piece.work {
                true => ("work", "#2f6fd0"),
                false => ("wait", "#d8453b"),
            };
            let _ = writeln!(
                out,
                r#"<rect class="{class}" x="{x0:.2}" y="{y}" width="{:.2}" height="{}" fill="{colour}"/>"#,
                (x1 - x0).max(0.3),
                LANE_H - 2.0
            );
        }
        for span in &lane.spans {
            let (x0, x1) = (x(span.start_us), x(span.end_us));
            let args: Vec<String> = span
                .args
                .iter()
                .filter(|(k, _)| !k.ends_with("_us"))
                .map(|(k, v)| format!("{k}={}", v.as_str().map_or(v.to_string(), str::to_string)))
                .collect();
            let _ = writeln!(
                out,
                r##"<rect class="span" x="{x0:.2}" y="{y}" width="{:.2}" height="{}" fill="none" stroke="#222" stroke-width="0.4"><title>{} {} ({:.3} ms)</title></rect>"##,
                (x1 - x0).max(0.3),
                LANE_H - 2.0,
                xml(&span.name),
                xml(&args.join(" ")),
                (span.end_us - span.start_us) / 1000.0
            );
        }
        out.push_str("</g>\n");
    }
    // The time axis.
    let axis_y = top + drawn.len() as f64 * LANE_H + 4.0;
    let _ = writeln!(
        out,
        r##"<line x1="{LABEL}" y1="{axis_y}" x2="{}" y2="{axis_y}" stroke="#444"/>"##,
        LABEL + plot_w
    );
    let step = tick_step(total_s, 8.0);
    let mut tick = 0.0;
    while tick <= total_s + 1e-9 {
        let tx = x(start + tick * 1e6);
        let _ = writeln!(
            out,
            r##"<line x1="{tx:.2}" y1="{axis_y}" x2="{tx:.2}" y2="{}" stroke="#444"/><text x="{tx:.2}" y="{}" text-anchor="middle">{}</text>"##,
            axis_y + 4.0,
            axis_y + 15.0,
            format_seconds(tick, step)
        );
        tick += step;
    }
    let legend_y = axis_y + 32.0;
    let hidden = trace.lanes.len().saturating_sub(drawn.len());
    let more = if hidden > 0 {
        format!("   ({hidden} more lanes not drawn)")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        r##"<rect x="{LABEL}" y="{}" width="10" height="10" fill="#2f6fd0"/><text x="{}" y="{legend_y}">work (on the CPU, or being polled)</text><rect x="{}" y="{}" width="10" height="10" fill="#d8453b"/><text x="{}" y="{legend_y}">wait (socket, sleep, lock, pending){}</text>"##,
        legend_y - 9.0,
        LABEL + 14.0,
        LABEL + 230.0,
        legend_y - 9.0,
        LABEL + 244.0,
        xml(&more)
    );
    out.push_str("</svg>\n");
    out
}

fn format_seconds(value: f64, step: f64) -> String {
    let decimals = (-step.log10()).ceil().max(0.0) as usize;
    format!("{value:.decimals$} s")
}

/// report.html: the table, the bar chart, and the timelines grouped by
/// article, each beside its claim. Self-contained: no script, no network.
pub fn report_html(machine: &Machine, rows: &[RowResult], out_dir: &Path, command: &str) -> String {
    let mut out = String::new();
    out.push_str(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>run_all report</title>\n<style>\n\
         body { font-family: sans-serif; margin: 2em; max-width: 1000px; }\n\
         table { border-collapse: collapse; font-size: 13px; }\n\
         td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }\n\
         td:first-child, th:first-child { text-align: left; }\n\
         figure { margin: 1em 0 2em 0; }\n\
         figcaption { margin-bottom: 0.3em; }\n\
         .claim { color: #333; font-style: italic; }\n\
         </style>\n</head>\n<body>\n",
    );
    let _ = writeln!(out, "<h1>run_all: this machine's run</h1>");
    let _ = writeln!(
        out,
        "<p>Produced by <code>{}</code>.</p>\n<ul>",
        xml(command)
    );
    for fact in machine.lines() {
        let _ = writeln!(out, "<li>{}</li>", xml(&fact));
    }
    out.push_str("</ul>\n<h2>The table</h2>\n");
    let python = with_python(rows);
    for (code, title, groups) in by_article(rows) {
        let _ = writeln!(out, "<h3>{code}: {}</h3>\n<table>\n<tr>", xml(title));
        for name in header(python) {
            let _ = write!(out, "<th>{}</th>", xml(&name));
        }
        out.push_str("</tr>\n");
        for (_, group_rows) in groups {
            for row in group_rows {
                out.push_str("<tr>");
                for cell in all_cells(row, python) {
                    let _ = write!(out, "<td>{}</td>", xml(&cell));
                }
                out.push_str("</tr>\n");
            }
        }
        out.push_str("</table>\n");
    }
    out.push_str("<h2>The bar chart</h2>\n");
    out.push_str(&bar_chart(machine, rows));
    out.push_str(
        "\n<h2>Timelines</h2>\n<p>One recorded run per row (an extra run, not in the medians): \
         one row per thread, task or worker process; blue where it worked, red where it \
         waited. Hover a box for the span. The JSON files beside this page open in \
         chrome://tracing and in Perfetto.</p>\n",
    );
    for (code, title, groups) in by_article(rows) {
        let recorded: Vec<&RowResult> = groups
            .iter()
            .flat_map(|(_, rows)| rows.iter().copied())
            .filter(|row| row.status == Status::Ok && row.timeline.is_some())
            .collect();
        if recorded.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<h3>{code}: {}</h3>", xml(title));
        for row in recorded {
            let file = row.timeline.as_deref().unwrap_or_default();
            let _ = write!(
                out,
                "<figure data-example=\"{}\">\n<figcaption><b>{}</b> <span class=\"claim\">{}</span> \
                 (<a href=\"{}\">JSON</a>)</figcaption>\n",
                xml(&row.example),
                xml(&row.example),
                xml(claim(&row.example)),
                xml(file)
            );
            match Trace::read(&out_dir.join(file)) {
                Ok(trace) if !trace.lanes.is_empty() => {
                    out.push_str(&timeline_svg(&row.example, &trace))
                }
                Ok(_) => out
                    .push_str("<p>(no spans recorded: this example is not instrumented yet)</p>\n"),
                Err(err) => {
                    let _ = writeln!(out, "<p>(timeline unreadable: {})</p>", xml(&err));
                }
            }
            out.push_str("</figure>\n");
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}
