//! cpu_count through its real binary.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_cpu_count");

#[test]
fn prints_the_articles_line_then_the_usable_count() {
    let output = Command::new(BIN).output().expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    let online: usize = lines[0]
        .strip_prefix("Number of cpu : ")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the article's line first: {stdout}"));
    let usable: usize = lines[1]
        .strip_prefix("Usable by this process (available_parallelism): ")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the usable count second: {stdout}"));
    assert!(1 <= usable && usable <= online, "{stdout}");
    assert!(
        lines.last().is_some_and(|l| l.starts_with("Done in ")),
        "{stdout}"
    );
}

#[test]
fn version_exits_0_and_a_stray_argument_exits_2() {
    let output = Command::new(BIN).arg("--version").output().expect("runs");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("cpu_count "));
    let output = Command::new(BIN).arg("extra").output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

/// The lesson's point: under an affinity mask of one CPU (what `taskset -c 0`
/// sets) the process may use 1, whatever the machine has, and says why.
#[cfg(target_os = "linux")]
#[test]
fn an_affinity_mask_of_one_cpu_leaves_one_usable() {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(BIN);
    // SAFETY: sched_setaffinity on the child itself (pid 0), between fork
    // and exec; it only reads the mask it is given.
    unsafe {
        command.pre_exec(|| {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(0, &mut set);
            if libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let output = command.output().expect("the binary runs on CPU 0");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("Usable by this process (available_parallelism): 1\n"),
        "{stdout}"
    );
    let online: usize = stdout
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("Number of cpu : ")?.parse().ok())
        .expect("the article's line first");
    if online > 1 {
        assert!(
            stdout.contains("may use fewer CPUs than the machine has"),
            "{stdout}"
        );
    }
}
