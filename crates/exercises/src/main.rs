//! The exercises' checker: `cargo run -p exercises -- <command>`.
//!
//! Each exercise is one file under `crates/exercises/exercises/` that fails
//! until the learner fixes it; the compiler's errors or the failing test's
//! message say what is wrong. `verify` (for the teacher and CI) proves that
//! every exercise fails as shipped and every solution passes.

mod catalog;
mod compile;
mod progress;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use catalog::{EXERCISES, Exercise};
use compile::{Outcome, Toolchain};
use progress::Progress;

/// Concurrency exercises: fix each file until its check passes.
///
/// With no command: the list, what is solved, and what to do next.
#[derive(Debug, Parser)]
#[command(version, after_help = "Start with: cargo run -p exercises -- watch")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// The folder holding exercises/ and solutions/ (for tests and teachers).
    #[arg(long, value_name = "DIR", global = true, hide = true)]
    root: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the exercises, solved or not, and say which is next.
    List,
    /// Compile and test one exercise (default: the first unsolved).
    Check {
        /// An exercise's name or number (e.g. 05_lost_update, or 5).
        name: Option<String>,
    },
    /// Check the current exercise each time its file is saved, and move on
    /// when it passes. Ctrl-C stops.
    Watch,
    /// Show the hint of an exercise.
    Hint { name: String },
    /// Show the reference solution, and how your file differs from it.
    Solution { name: String },
    /// Put an exercise back as shipped (from git), losing your changes.
    Reset { name: String },
    /// For teachers and CI: every exercise fails as shipped and every
    /// solution passes (compiled in a scratch folder, your files untouched).
    Verify {
        /// Only these exercises (default: all).
        names: Vec<String>,
    },
}

/// Where the exercises live and how to compile them.
struct Course {
    root: PathBuf,
    workspace: PathBuf,
    color: bool,
}

impl Course {
    fn exercise_path(&self, exercise: &Exercise) -> PathBuf {
        self.root
            .join("exercises")
            .join(format!("{}.rs", exercise.name))
    }

    fn solution_path(&self, exercise: &Exercise) -> PathBuf {
        self.root
            .join("solutions")
            .join(format!("{}.rs", exercise.name))
    }

    fn progress(&self) -> Progress {
        Progress::load(&self.root.join(".progress"))
    }

    fn toolchain(&self) -> Result<Toolchain> {
        Toolchain::prepare(&self.workspace, self.color)
    }

    /// How many tests the reference solution has: the learner's file must
    /// keep at least that many.
    fn expected_tests(&self, exercise: &Exercise) -> Result<usize> {
        Ok(compile::count_tests(&compile::read(
            &self.solution_path(exercise),
        )?))
    }

    /// The path as the learner would type it, from the workspace root.
    fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.workspace)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// A name or a number, as the learner typed it.
fn lookup(name: &str) -> Result<&'static Exercise, String> {
    if let Some(exercise) = catalog::find(name) {
        return Ok(exercise);
    }
    if let Ok(number) = name.parse::<usize>()
        && let Some(exercise) = number.checked_sub(1).and_then(|i| EXERCISES.get(i))
    {
        return Ok(exercise);
    }
    Err(format!(
        "unknown exercise {name:?}: `cargo run -p exercises` lists the {} names (a number works too)",
        EXERCISES.len()
    ))
}

fn main() -> ExitCode {
    // A reader that goes away (`| head`) ends the checker quietly, as it
    // ends `ls` or `grep`, instead of a panic on the next println!.
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let course = Course {
        root: cli.root.clone().unwrap_or_else(|| manifest.clone()),
        workspace: manifest
            .parent()
            .and_then(Path::parent)
            .expect("crates/exercises sits two levels below the workspace root")
            .to_path_buf(),
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };

    // Names are checked before anything runs: a typo is a usage error (2).
    let names: Vec<&String> = match &cli.command {
        Some(Command::Check { name: Some(name) })
        | Some(Command::Hint { name })
        | Some(Command::Solution { name })
        | Some(Command::Reset { name }) => vec![name],
        Some(Command::Verify { names }) => names.iter().collect(),
        _ => Vec::new(),
    };
    for name in names {
        if let Err(message) = lookup(name) {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    }

    let result = match cli.command.unwrap_or(Command::List) {
        Command::List => list(&course),
        Command::Check { name } => check(&course, name.as_deref()),
        Command::Watch => watch(&course),
        Command::Hint { name } => hint(&course, &name),
        Command::Solution { name } => solution(&course, &name),
        Command::Reset { name } => reset(&course, &name),
        Command::Verify { names } => verify(&course, &names),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn list(course: &Course) -> Result<ExitCode> {
    let progress = course.progress();
    let solved = EXERCISES
        .iter()
        .filter(|e| progress.is_solved(e, &course.exercise_path(e)))
        .count();
    println!(
        "Concurrency exercises: {solved} of {} solved\n",
        EXERCISES.len()
    );
    for (number, exercise) in EXERCISES.iter().enumerate() {
        let mark = if progress.is_solved(exercise, &course.exercise_path(exercise)) {
            "[x]"
        } else {
            "[ ]"
        };
        println!(
            "{:>3}  {mark}  {:<26} {:>3} min  {}",
            number + 1,
            exercise.name,
            exercise.minutes,
            exercise.reading
        );
    }
    println!();
    match progress.next_unsolved(|e| course.exercise_path(e)) {
        Some(next) => println!(
            "Next: {} ({})\n      cargo run -p exercises -- watch   (or: check, hint {})",
            next.name,
            course.shown(&course.exercise_path(next)),
            next.name
        ),
        None => println!("All {} exercises solved.", EXERCISES.len()),
    }
    Ok(ExitCode::SUCCESS)
}

/// Check one exercise with a ready toolchain, record a pass, and say what
/// happened and what comes next. Returns whether it passed.
fn check_one(course: &Course, toolchain: &Toolchain, exercise: &Exercise) -> Result<bool> {
    let path = course.exercise_path(exercise);
    println!("Checking {} ({})", exercise.name, course.shown(&path));
    let outcome = toolchain.check(
        exercise.name,
        exercise.kind,
        &path,
        course.expected_tests(exercise)?,
        false,
    )?;
    let name = exercise.name;
    match outcome {
        Outcome::Passed => {
            let mut progress = course.progress();
            progress.record(exercise, &path)?;
            println!("\n{name} solved.");
            match progress.next_unsolved(|e| course.exercise_path(e)) {
                Some(next) => println!(
                    "Next: {} ({})",
                    next.name,
                    course.shown(&course.exercise_path(next))
                ),
                None => println!("All {} exercises solved.", EXERCISES.len()),
            }
            return Ok(true);
        }
        Outcome::DoesNotCompile => {
            println!("\n{name} does not compile yet: the compiler's errors above are the lesson.")
        }
        Outcome::Failed => println!(
            "\n{name} compiles, but its check fails: read the {} message above.",
            match exercise.kind {
                catalog::Kind::Test => "failing test's",
                catalog::Kind::Program => "program's",
            }
        ),
        Outcome::TimedOut => println!(
            "\n{name} was still running after {} s and was stopped: something waits forever.",
            compile::CHECK_TIMEOUT.as_secs()
        ),
        Outcome::MissingTests { found, expected } => println!(
            "\n{name} has {found} tests where the exercise has {expected}: \
             make the tests pass rather than removing them (`reset {name}` restores the file)."
        ),
    }
    println!("Hint: cargo run -p exercises -- hint {name}");
    Ok(false)
}

fn check(course: &Course, name: Option<&str>) -> Result<ExitCode> {
    let exercise = match name {
        Some(name) => lookup(name).map_err(anyhow::Error::msg)?,
        None => match course.progress().next_unsolved(|e| course.exercise_path(e)) {
            Some(next) => next,
            None => {
                println!("All {} exercises solved.", EXERCISES.len());
                return Ok(ExitCode::SUCCESS);
            }
        },
    };
    let toolchain = course.toolchain()?;
    Ok(if check_one(course, &toolchain, exercise)? {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What wakes the watch loop.
enum Wake {
    Saved(PathBuf),
    Stop,
}

fn watch(course: &Course) -> Result<ExitCode> {
    use notify::{RecursiveMode, Watcher};

    let (wake, woken) = mpsc::channel();
    let stop = wake.clone();
    ctrlc::set_handler(move || {
        let _ = stop.send(Wake::Stop);
    })
    .context("could not install the Ctrl-C handler")?;
    // Watch the folder, not the file: many editors save by writing a new
    // file and renaming it over the old one.
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && (event.kind.is_modify() || event.kind.is_create())
        {
            for path in event.paths {
                let _ = wake.send(Wake::Saved(path));
            }
        }
    })
    .context("could not start watching files")?;
    let folder = course.root.join("exercises");
    watcher
        .watch(&folder, RecursiveMode::NonRecursive)
        .with_context(|| format!("could not watch {}", folder.display()))?;

    let toolchain = course.toolchain()?;
    loop {
        let Some(current) = course.progress().next_unsolved(|e| course.exercise_path(e)) else {
            println!("All {} exercises solved. Well done!", EXERCISES.len());
            return Ok(ExitCode::SUCCESS);
        };
        let passed = check_one(course, &toolchain, current)?;
        if passed {
            continue;
        }
        let path = course.exercise_path(current);
        println!(
            "\nWatching {}: save it to check again (Ctrl-C stops).",
            course.shown(&path)
        );
        // Wait for a save of this exercise's file. One save often comes as
        // several events, so drain what arrives in the next 100 ms.
        loop {
            match woken.recv() {
                Ok(Wake::Stop) | Err(_) => {
                    println!("\nStopped watching.");
                    return Ok(ExitCode::SUCCESS);
                }
                Ok(Wake::Saved(saved)) if saved.file_name() == path.file_name() => {
                    while let Ok(extra) = woken.recv_timeout(Duration::from_millis(100)) {
                        if let Wake::Stop = extra {
                            println!("\nStopped watching.");
                            return Ok(ExitCode::SUCCESS);
                        }
                    }
                    println!();
                    break;
                }
                Ok(Wake::Saved(_)) => {}
            }
        }
    }
}

fn hint(course: &Course, name: &str) -> Result<ExitCode> {
    let exercise = lookup(name).map_err(anyhow::Error::msg)?;
    let path = course
        .root
        .join("solutions")
        .join(format!("{}.hint.md", exercise.name));
    print!("{}", compile::read(&path)?);
    println!(
        "\nRead first: {} (and `cargo run -p {}`).",
        exercise.reading, exercise.example
    );
    Ok(ExitCode::SUCCESS)
}

fn solution(course: &Course, name: &str) -> Result<ExitCode> {
    let exercise = lookup(name).map_err(anyhow::Error::msg)?;
    let solution_path = course.solution_path(exercise);
    let learner_path = course.exercise_path(exercise);
    let solution = compile::read(&solution_path)?;
    let learner = compile::read(&learner_path)?;
    println!(
        "The reference solution ({}):\n",
        course.shown(&solution_path)
    );
    print!("{solution}");
    println!(
        "\nHow your file ({}) differs from it (- yours, + the solution):\n",
        course.shown(&learner_path)
    );
    let diff = similar::TextDiff::from_lines(&learner, &solution);
    print!("{}", diff.unified_diff().context_radius(2));
    Ok(ExitCode::SUCCESS)
}

fn reset(course: &Course, name: &str) -> Result<ExitCode> {
    let exercise = lookup(name).map_err(anyhow::Error::msg)?;
    let path = course.exercise_path(exercise);
    let shipped = shipped_version(&path)?;
    std::fs::write(&path, shipped)
        .with_context(|| format!("could not write {}", path.display()))?;
    println!("{} is back as shipped.", course.shown(&path));
    Ok(ExitCode::SUCCESS)
}

/// The file as committed in git (`HEAD`): what was shipped, before the
/// learner's edits.
fn shipped_version(path: &Path) -> Result<Vec<u8>> {
    let folder = path.parent().context("an exercise lives in a folder")?;
    let file = path.file_name().context("an exercise has a file name")?;
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(folder)
        .arg("show")
        .arg(format!("HEAD:./{}", Path::new(file).display()))
        .output()
        .context("reset needs git, to read the file as shipped")?;
    if !output.status.success() {
        bail!(
            "git has no shipped copy of {}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output.stdout)
}

/// The part of a file from the check's marker on: the tests, which the
/// exercise and every solution must share word for word.
fn the_check(source: &str) -> Option<&str> {
    source.find(catalog::CHECK_MARKER).map(|at| &source[at..])
}

fn verify(course: &Course, names: &[String]) -> Result<ExitCode> {
    let selected: Vec<&Exercise> = if names.is_empty() {
        EXERCISES.iter().collect()
    } else {
        names
            .iter()
            .map(|name| lookup(name).map_err(anyhow::Error::msg))
            .collect::<Result<_>>()?
    };
    let toolchain = course.toolchain()?;
    let scratch = tempfile_dir(course)?;
    let mut broken = Vec::new();
    for exercise in &selected {
        let problems = verify_one(course, &toolchain, &scratch, exercise)?;
        if problems.is_empty() {
            println!("ok      {}", exercise.name);
        } else {
            for problem in &problems {
                println!("BROKEN  {}: {problem}", exercise.name);
            }
            broken.push(exercise.name);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    if broken.is_empty() {
        println!(
            "\nverify: all {} exercises fail as shipped and their solutions pass.",
            selected.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!("\nverify: broken: {}", broken.join(", "));
        Ok(ExitCode::FAILURE)
    }
}

/// A scratch folder for verify's copies, under target/.
fn tempfile_dir(course: &Course) -> Result<PathBuf> {
    let dir = course
        .workspace
        .join("target")
        .join("exercises")
        .join(format!("verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    Ok(dir)
}

/// What is wrong with one exercise: nothing when it fails as shipped, every
/// solution of it passes, and all share the same check.
fn verify_one(
    course: &Course,
    toolchain: &Toolchain,
    scratch: &Path,
    exercise: &Exercise,
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let shipped_path = course.exercise_path(exercise);
    let shipped = compile::read(&shipped_path)?;
    let expected_tests = course.expected_tests(exercise)?;
    let Some(check) = the_check(&shipped) else {
        problems.push(format!(
            "the exercise has no line `{}`",
            catalog::CHECK_MARKER
        ));
        return Ok(problems);
    };

    let copy = scratch.join(format!("{}.rs", exercise.name));
    std::fs::write(&copy, &shipped)?;
    match toolchain.check(exercise.name, exercise.kind, &copy, expected_tests, true)? {
        Outcome::Passed => problems.push("the exercise already passes as shipped".to_string()),
        Outcome::MissingTests { found, expected } => problems.push(format!(
            "the exercise has {found} tests, its solution {expected}"
        )),
        Outcome::DoesNotCompile | Outcome::Failed | Outcome::TimedOut => {}
    }

    for solution_path in solutions_of(course, exercise)? {
        let shown = course.shown(&solution_path);
        let solution = compile::read(&solution_path)?;
        if the_check(&solution) != Some(check) {
            problems.push(format!("{shown} changes the check"));
        }
        std::fs::write(&copy, &solution)?;
        let outcome = toolchain.check(exercise.name, exercise.kind, &copy, expected_tests, true)?;
        if outcome != Outcome::Passed {
            problems.push(format!("{shown} does not pass: {outcome:?}"));
        }
    }
    Ok(problems)
}

/// The reference solution, and any other solutions kept to prove that the
/// check accepts more than one answer (`solutions/other/NAME.*.rs`).
fn solutions_of(course: &Course, exercise: &Exercise) -> Result<Vec<PathBuf>> {
    let mut paths = vec![course.solution_path(exercise)];
    let others = course.root.join("solutions").join("other");
    if let Ok(entries) = std::fs::read_dir(&others) {
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| {
                        name.starts_with(&format!("{}.", exercise.name)) && name.ends_with(".rs")
                    })
            })
            .collect();
        found.sort();
        paths.extend(found);
    }
    Ok(paths)
}
