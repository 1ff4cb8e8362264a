//! pool_apply_async through its real binary: the binary is also the worker.

use support::testkit::{ExampleRun, printed_list, run_example};

fn pool_apply_async(args: &[&str]) -> ExampleRun {
    run_example(env!("CARGO_BIN_EXE_pool_apply_async"), args)
}

#[test]
fn the_callback_sees_every_result_once_in_completion_order() {
    // Sleeps of 0 to 150 ms, varied at random, on 4 workers.
    let args = [
        "--inputs",
        "30",
        "--workers",
        "4",
        "--time-scale",
        "1",
        "--show",
        "30",
    ];
    let out = pool_apply_async(&args);
    let stdout = &out.stdout;
    assert_eq!(out.code, Some(0), "{stdout}{}", out.stderr);
    let seen = printed_list(stdout);
    let in_input_order: Vec<u64> = (0..30).map(|x| x * x).collect();
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(sorted, in_input_order, "every x*x exactly once");
    assert_ne!(seen, in_input_order, "completion order is not input order");
    assert!(stdout.contains("not input order"), "{stdout}");
    assert!(stdout.contains("seed 2024"), "{stdout}");
    assert!(stdout.contains("(time scale 1)"), "{stdout}");
}

#[test]
fn bad_flags_exit_2() {
    for bad in [
        &["--time-scale", "11"][..],
        &["--workers", "0"],
        &["--seed", "-3"],
    ] {
        let out = pool_apply_async(bad);
        assert_eq!(out.code, Some(2), "{bad:?}");
    }
}
