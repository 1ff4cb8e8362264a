//! report.html: one timeline SVG per recorded row, with the lanes as the
//! recorded file has them. The stand-in example (`run_all_fixture`) records
//! its sleep and its requests as spans, like an instrumented example.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use support::timeline::trace::Trace;

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_run_all"))
        .parent()
        .expect("the run_all binary is in a directory")
        .to_path_buf()
}

fn fixture_row(name: &str, group: &str, args: &[&str], needs_site: bool) -> Value {
    let mut variant = vec!["work", "--name", name];
    variant.extend_from_slice(args);
    json!({
        "package": "run_all_fixture", "variant": variant, "article": "T", "group": group,
        "needs_site": needs_site, "baseline": false,
        "quick": {"args": [], "ideal": "none"}, "full": {"args": [], "ideal": "none"},
    })
}

/// The `<svg class="timeline" ...>...</svg>` blocks of the page.
fn timeline_svgs(page: &str) -> Vec<&str> {
    page.split(r#"<svg class="timeline""#)
        .skip(1)
        .map(|rest| rest.split("</svg>").next().expect("a closed svg"))
        .collect()
}

fn attribute<'a>(svg: &'a str, name: &str) -> &'a str {
    let start = format!(r#"{name}=""#);
    let rest = &svg[svg.find(&start).unwrap_or_else(|| panic!("no {name}")) + start.len()..];
    &rest[..rest.find('"').expect("a closing quote")]
}

#[test]
fn one_timeline_per_recorded_row_with_the_recorded_lanes() {
    let dir = std::env::temp_dir().join(format!("run_all-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let rows = vec![
        fixture_row("fixture_sleep", "I/O", &["--sleep", "0.05"], false),
        fixture_row(
            "fixture_requests",
            "I/O",
            &["--requests", "6", "--concurrency", "3"],
            true,
        ),
        // Not an I/O- or CPU-bound group: timed, never recorded.
        fixture_row("fixture_pitfall", "Pitfalls, shown and fixed", &[], false),
    ];
    let catalog = dir.join("catalog.json");
    std::fs::write(&catalog, Value::Array(rows).to_string()).expect("writing the catalog");
    let output = Command::new(env!("CARGO_BIN_EXE_run_all"))
        .arg("--catalog")
        .arg(&catalog)
        .args([
            "--site-bin",
            "run_all_fixture serve",
            "--quick",
            "--latency-ms",
            "30",
        ])
        .arg("--bin-dir")
        .arg(bin_dir())
        .arg("--out-dir")
        .arg(dir.join("out"))
        .output()
        .expect("running run_all");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");

    let page = std::fs::read_to_string(dir.join("out/report.html")).expect("report.html");
    assert!(page.starts_with("<!doctype html>") && page.trim_end().ends_with("</html>"));
    for fetched in ["<script", "<link", "src=", "@import"] {
        assert!(!page.contains(fetched), "works offline: no {fetched}");
    }
    // The table and the bar chart are there, every row in the table.
    assert_eq!(page.matches("<table>").count(), 1);
    for name in ["fixture_sleep", "fixture_requests", "fixture_pitfall"] {
        assert!(
            page.contains(&format!("<td>run_all_fixture work --name {name}")),
            "{name}"
        );
    }
    assert!(page.contains("<h2>The bar chart</h2>\n<svg"));

    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("out/results.json")).expect("results.json"),
    )
    .expect("JSON");
    let rows = results["rows"].as_array().expect("rows");
    assert_eq!(
        rows[2]["timeline"],
        Value::Null,
        "the pitfall row is not recorded"
    );
    let svgs = timeline_svgs(&page);
    assert_eq!(svgs.len(), 2, "one SVG per recorded row");
    for (row, svg) in rows.iter().zip(&svgs) {
        let file = row["timeline"]
            .as_str()
            .expect("a recorded row names its file");
        let trace = Trace::read(&dir.join("out").join(file)).expect("the timeline reads");
        assert_eq!(
            attribute(svg, "data-example"),
            row["example"].as_str().unwrap()
        );
        assert_eq!(attribute(svg, "data-lanes"), trace.lanes.len().to_string());
        let drawn: Vec<&str> = svg
            .split(r#"<g class="lane" data-lane=""#)
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .collect();
        let recorded: Vec<&str> = trace.lanes.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(drawn, recorded, "the lanes as recorded, in order");
    }
    // What the stand-in did: its main thread slept; then (second row) it
    // slept no time and three threads made the requests.
    let lanes = |i: usize| attribute(svgs[i], "data-lanes").to_string();
    assert_eq!((lanes(0), lanes(1)), ("1".to_string(), "4".to_string()));
    assert!(svgs[1].contains(r#"class="wait""#), "requests wait");
    let _ = std::fs::remove_dir_all(&dir);
}
