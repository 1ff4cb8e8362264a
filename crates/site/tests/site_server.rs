//! The `site_server` binary: its first line, its signals, its flag checks.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_site_server");

#[test]
fn prints_the_listening_line_first_serves_and_stops_on_sigterm() {
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--latency-ms", "0", "--pages", "50"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("site_server starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("read the first line");

    let url = first
        .trim_end()
        .strip_prefix("listening on http://127.0.0.1:")
        .map(|port| format!("http://127.0.0.1:{port}"));
    let Some(url) = url else {
        let _ = child.kill();
        panic!("unexpected first line {first:?}");
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .proxy(None)
        .build()
        .into();
    let body = agent
        .get(&format!("{url}/sites/dice"))
        .call()
        .and_then(|r| r.into_body().read_to_string());

    // SIGTERM: a clean stop, exit status 0.
    #[cfg(unix)]
    {
        // SAFETY: sending a signal to the child we started.
        unsafe {
            libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
        }
        let status = child.wait().expect("wait for site_server");
        assert!(status.success(), "site_server after SIGTERM: {status}");
    }
    #[cfg(not(unix))]
    {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(body.expect("GET /sites/dice").contains("Dice"));
}

#[test]
fn bad_flags_exit_2_with_a_clear_message() {
    let cases: [(&[&str], &str); 8] = [
        (&["--latency-ms", "-5"], "negative"),
        (&["--latency-ms=-5"], "negative"),
        (&["--jitter-ms", "soon"], "milliseconds"),
        (&["--error-rate", "1.5"], "between 0 and 1"),
        (&["--reset-rate", "-0.1"], "between 0 and 1"),
        (&["--bind", "10.0.0.1"], "loopback"),
        (&["--pages", "0"], "pages"),
        (&["--max-connections", "0"], "at least 1"),
    ];
    for (args, expected) in cases {
        let output = Command::new(BIN)
            .args(args)
            .output()
            .expect("site_server runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(
            output.stdout.is_empty(),
            "{args:?} printed a listening line"
        );
    }
}

#[test]
fn help_mentions_the_open_files_limit() {
    let output = Command::new(BIN).arg("--help").output().expect("runs");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("RLIMIT_NOFILE"), "{help}");
    for flag in [
        "--port",
        "--bind",
        "--latency-ms",
        "--jitter-ms",
        "--error-rate",
        "--reset-rate",
        "--bandwidth",
        "--max-connections",
        "--seed",
        "--pages",
        "--dir",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
}
