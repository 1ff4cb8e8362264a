//! pool_map through its real binary: the binary is also the pool's worker.

use std::process::Command;

fn pool_map(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pool_map"))
        .args(args)
        .output()
        .expect("pool_map runs")
}

/// The printed result list, e.g. "[0, 1, 4]" -> [0, 1, 4].
fn results(stdout: &str) -> Vec<u64> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with('['))
        .expect("a result line");
    line.trim_matches(['[', ']'])
        .split(", ")
        .map(|n| n.parse().expect("a number"))
        .collect()
}

#[test]
fn every_result_is_x_squared_in_input_order() {
    let out = pool_map(&[
        "--inputs",
        "60",
        "--workers",
        "3",
        "--time-scale",
        "0.2",
        "--show",
        "60",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: Vec<u64> = (0..60).map(|x| x * x).collect();
    assert_eq!(results(&stdout), expected);
    assert!(stdout.contains("seed 2024"), "{stdout}");
    assert!(stdout.contains("(time scale 0.2)"), "{stdout}");
}

#[test]
fn default_output_shows_the_first_ten() {
    let out = pool_map(&["--inputs", "20", "--workers", "2", "--time-scale", "0"]);
    assert!(out.status.success());
    assert_eq!(
        results(&String::from_utf8_lossy(&out.stdout)),
        vec![0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
    );
}

#[test]
fn bad_flags_exit_2() {
    for bad in [
        &["--time-scale", "-1"][..],
        &["--workers", "0"],
        &["--inputs", "x"],
    ] {
        let out = pool_map(bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}
