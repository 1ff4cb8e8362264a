//! How many CPUs does this machine have, and how many may this process use?
//!
//! Mirrors: "Multithreading vs multiprocessing vs acyncio in Python", its first
//!          cell (`multiprocessing.cpu_count()`).
//! Run:     cargo run --release -p cpu_count [-- --help]
//! Notice:  the two numbers can differ. In a container, or under `taskset`,
//!          the machine may have 16 CPUs while this process may only use 2.
//!          Size a thread pool by the second number, not the first.
//! Python -> Rust: `multiprocessing.cpu_count()` (every online CPU) ->
//!          `sysconf(_SC_NPROCESSORS_ONLN)`; `os.process_cpu_count()` ->
//!          `std::thread::available_parallelism`. More: notebooks-equivalent/000.

use std::num::NonZeroUsize;
use std::process::ExitCode;

use clap::Parser;
use support::{Report, Timer};

/// Print how many CPUs the machine has and how many this process may use.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {}

/// Every CPU the operating system has online: what Python's
/// `multiprocessing.cpu_count()` prints.
#[cfg(unix)]
fn cpu_count() -> usize {
    // SAFETY: `sysconf` only reads a system setting; it takes no pointers
    // and has no preconditions. It returns -1 if the name is unsupported.
    let online = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    match usize::try_from(online) {
        Ok(count) if count >= 1 => count,
        // No answer from the OS: the usable count is the best we know.
        _ => usable_cpu_count(),
    }
}

/// Off Unix there is no `sysconf`; the usable count is the best we know.
#[cfg(not(unix))]
fn cpu_count() -> usize {
    usable_cpu_count()
}

/// How many threads this process can really run at once. The standard
/// library takes the smaller of the CPUs in this process's affinity mask
/// (what `taskset` sets) and the cgroup CPU quota (what `docker --cpus`
/// sets), so it can be lower than `cpu_count()`, never higher.
fn usable_cpu_count() -> usize {
    // It fails only where the OS cannot tell; one CPU is always there.
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

fn main() -> ExitCode {
    support::exit_cleanly_on_io_failure();
    // No flags, but `--help` still works and a stray argument exits 2.
    let _args = Args::parse();
    let timer = Timer::start();

    let online = cpu_count();
    let usable = usable_cpu_count();

    // The article's only line, then what Python's cell does not say.
    println!("Number of cpu : {online}");
    println!("Usable by this process (available_parallelism): {usable}");
    if usable < online {
        println!(
            "This process may use fewer CPUs than the machine has: a cgroup CPU quota \
             (a container limit) or a CPU affinity mask (taskset) restricts it."
        );
    } else {
        println!(
            "Both agree here. They would differ under a cgroup CPU quota (a container \
             limit) or a CPU affinity mask (try: taskset -c 0 cargo run -p cpu_count)."
        );
    }

    let elapsed = timer.elapsed();
    Report::new("cpu_count", elapsed)
        .items(1)
        .extra("cpu_count", online)
        .extra("available_parallelism", usable)
        .finish(format!("Done in {:.2} seconds", elapsed.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usable_cpus_never_exceed_online_cpus() {
        let online = cpu_count();
        let usable = usable_cpu_count();
        assert!(online >= 1, "the machine reports {online} CPUs");
        assert!(usable >= 1, "the process may use {usable} CPUs");
        assert!(
            usable <= online,
            "the process may use {usable} CPUs but only {online} are online"
        );
    }

    /// Count the CPUs in a Linux CPU list such as `0-3,6,8-9` (which is 7).
    #[cfg(target_os = "linux")]
    fn count_cpu_list(list: &str) -> usize {
        list.trim()
            .split(',')
            .filter(|part| !part.is_empty())
            .map(|part| match part.split_once('-') {
                Some((first, last)) => {
                    let first: usize = first.parse().expect("a CPU list holds numbers");
                    let last: usize = last.parse().expect("a CPU list holds numbers");
                    last - first + 1
                }
                None => 1,
            })
            .sum()
    }

    /// An independent check of `cpu_count()`: the kernel lists its online
    /// CPUs in sysfs, and that list must agree with `sysconf`.
    #[cfg(target_os = "linux")]
    #[test]
    fn cpu_count_matches_the_kernels_online_list() {
        assert_eq!(count_cpu_list("0-3,6,8-9"), 7);
        let Ok(list) = std::fs::read_to_string("/sys/devices/system/cpu/online") else {
            return; // no sysfs here (some sandboxes): nothing to compare with
        };
        assert_eq!(cpu_count(), count_cpu_list(&list), "online list: {list:?}");
    }
}
