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

/// Start `site_server` with `args` on a free port; (child, base URL).
fn start_server(args: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--pages", "50"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("site_server starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped"))
        .read_line(&mut first)
        .expect("read the first line");
    match first.trim_end().strip_prefix("listening on ") {
        Some(url) => (child, url.to_string()),
        None => {
            let _ = child.kill();
            panic!("unexpected first line {first:?}");
        }
    }
}

/// Wait for the child at most `secs` seconds; kill it and fail if it is
/// still running then.
fn wait_bounded(child: &mut std::process::Child, secs: u64) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().expect("wait for site_server") {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("site_server still running {secs} s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(unix)]
#[test]
fn sigterm_answers_every_request_in_flight_then_exits_0() {
    use std::io::{Read, Write};
    // 200 clients connect, wait for each other, then all send at once; the
    // signal goes out as soon as the site has received all 200 (each is
    // answered 100 ms after it arrived), while some are still in flight.
    let (mut child, url) = start_server(&["--latency-ms", "100", "--jitter-ms", "0"]);
    let addr = url.trim_start_matches("http://").to_string();
    let ready = std::sync::Arc::new(std::sync::Barrier::new(201));
    let clients: Vec<_> = (0..200)
        .map(|_| {
            let addr = addr.clone();
            let ready = std::sync::Arc::clone(&ready);
            std::thread::spawn(move || -> String {
                let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
                stream
                    .set_read_timeout(Some(Duration::from_secs(20)))
                    .expect("a read timeout");
                ready.wait();
                stream
                    .write_all(b"GET /sites/dice HTTP/1.1\r\nHost: x\r\n\r\n")
                    .expect("write the request");
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                answer
            })
        })
        .collect();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .proxy(None)
        .build()
        .into();
    // (in flight, answered): /stats itself is never counted.
    let counts = || -> (u64, u64) {
        let body = agent
            .get(&format!("{url}/stats"))
            .call()
            .and_then(|r| r.into_body().read_to_string())
            .expect("GET /stats");
        let stats: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        let count = |key: &str| stats[key].as_u64().expect("a count");
        (count("in_flight"), count("requests"))
    };
    ready.wait();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let in_flight_at_signal = loop {
        let (in_flight, answered) = counts();
        if in_flight + answered >= 200 {
            break in_flight;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the 200 requests never all arrived"
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    // SAFETY: sending a signal to the child we started.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let answers: Vec<String> = clients
        .into_iter()
        .map(|c| c.join().expect("client thread"))
        .collect();
    let status = wait_bounded(&mut child, 20);
    assert!(status.success(), "site_server after SIGTERM: {status}");
    let answered = answers
        .iter()
        .filter(|a| a.starts_with("HTTP/1.1 200") && a.contains("Dice"))
        .count();
    assert!(
        in_flight_at_signal > 0,
        "the signal came after every answer"
    );
    assert_eq!(answered, 200, "requests in flight answered");
    // And it no longer listens.
    assert!(std::net::TcpStream::connect(&addr).is_err());
}

#[test]
fn silent_sockets_are_closed_so_others_get_served() {
    use std::io::{Read, Write};
    let (mut child, url) = start_server(&["--latency-ms", "0", "--max-connections", "2"]);
    let addr = url.trim_start_matches("http://").to_string();
    // Two sockets that take both slots and never send a request.
    let silent: Vec<_> = (0..2)
        .map(|_| std::net::TcpStream::connect(&addr).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(200)); // let them take the slots
    let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
    // Well under the old 30 s, well over the 5 s a silent socket may last.
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .expect("a read timeout");
    stream
        .write_all(b"GET /sites/dice HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let _ = child.kill();
    let _ = child.wait();
    drop(silent);
    assert!(answer.starts_with("HTTP/1.1 200"), "answer: {answer:?}");
}
