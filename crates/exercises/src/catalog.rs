//! The exercises, in the order a class does them.
//!
//! The order walks the articles from the first thread to a whole crawler:
//! threads (the basics article, then the Real-Python-style notebook), the
//! dangers the scraper blog names, processes, CPU-bound work, then asyncio
//! (the concept notes, then the notebook's downloads), coroutines by hand,
//! and the LinkedIn notebook's crawler last.

/// How an exercise is compiled and what counts as passing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `rustc --test`: passes when every test of the file passes.
    Test,
    /// A plain program with a `main` that checks itself (it may run itself
    /// again as a worker): passes when it exits 0.
    Program,
}

/// One exercise: its file is `exercises/NAME.rs`, its reference solution
/// `solutions/NAME.rs`, its hint `solutions/NAME.hint.md`.
#[derive(Debug, Clone, Copy)]
pub struct Exercise {
    pub name: &'static str,
    pub kind: Kind,
    /// Minutes a learner typically needs (for the teacher's plan).
    pub minutes: u32,
    /// Which article and section to read first.
    pub reading: &'static str,
    /// The example package of this workspace that shows the same idea.
    pub example: &'static str,
}

const fn test(
    name: &'static str,
    minutes: u32,
    reading: &'static str,
    example: &'static str,
) -> Exercise {
    Exercise {
        name,
        kind: Kind::Test,
        minutes,
        reading,
        example,
    }
}

pub const EXERCISES: &[Exercise] = &[
    test(
        "01_threads_join",
        10,
        "basics, \"Threading Basics\"",
        "threads_basic",
    ),
    test(
        "02_threads_borrow",
        10,
        "basics, \"Threading Basics\"",
        "threads_basic",
    ),
    test(
        "03_rc_to_arc",
        10,
        "basics, \"Threading Basics\" (Shared Memory, GIL)",
        "threads_basic",
    ),
    test(
        "04_thread_pool_downloads",
        20,
        "Real-Python-style notebook, \"Threading Version\"",
        "download_threads",
    ),
    test(
        "05_lost_update",
        15,
        "scraper blog, \"how does multithreading work\" (drawbacks); concept notes, \"Multithreading\"",
        "gil_sim",
    ),
    test(
        "06_deadlock",
        15,
        "scraper blog, \"how does multithreading work\" (drawbacks)",
        "gil_sim",
    ),
    Exercise {
        name: "07_worker_process",
        kind: Kind::Program,
        minutes: 15,
        reading: "basics, \"Multiprocessing Module\"",
        example: "processes_basic",
    },
    test(
        "08_cpu_sum_threads",
        15,
        "Real-Python-style notebook, \"How to Speed Up a CPU-Bound Program\"",
        "cpu_threads",
    ),
    test(
        "09_count_join",
        10,
        "concept notes, \"Asyncio (The Python library)\", count()",
        "async_count",
    ),
    test(
        "10_blocking_the_executor",
        10,
        "concept notes, \"Asyncio (The Python library)\", point 3",
        "async_count",
    ),
    test(
        "11_gather_errors",
        15,
        "Real-Python-style notebook, \"Asyncio\" (return_exceptions)",
        "download_async",
    ),
    test(
        "12_semaphore",
        15,
        "scraper blog, \"how does Asyncio work\"; notebook, \"Asyncio\"",
        "download_async",
    ),
    test(
        "13_timeout",
        15,
        "scraper blog, \"how does Asyncio work\"",
        "download_async",
    ),
    test(
        "14_jumping_range",
        20,
        "concept notes, \"Coroutines\"",
        "generator_send",
    ),
    test(
        "15_block_on",
        25,
        "concept notes, \"Event Loop\"",
        "coroutine_by_hand",
    ),
    test(
        "16_crawler_bfs",
        30,
        "LinkedIn notebook, \"Use multiprocessing to parse urls\" (serial method)",
        "crawl_serial",
    ),
];

/// The exercise of that name.
pub fn find(name: &str) -> Option<&'static Exercise> {
    EXERCISES.iter().find(|exercise| exercise.name == name)
}

/// The line that starts the check in every exercise: what is above it is
/// the learner's to change, what is below it stays as shipped (`verify`
/// checks that each solution keeps it word for word).
pub const CHECK_MARKER: &str = "// ---- The check: leave everything below as it is. ----";
