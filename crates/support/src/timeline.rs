//! `--timeline FILE`: who worked and who waited, recorded from a real run.
//!
//! The lesson marks its units of work with `#[tracing::instrument]` (one
//! `download_site`, one `cpu_bound(number)`, one `count()`), and `main`
//! parses its flags with [`parse`], which adds `--timeline FILE`. With the
//! flag (or [`TIMELINE_ENV`], which run_all sets) a [`tracing`] layer
//! records every span; without it no subscriber is installed at all, and an
//! instrumented function costs one relaxed atomic load (tracing's disabled
//! fast path).
//!
//! What is recorded, per span:
//!
//! - its **lane**: the thread it ran on, or, for a future that was polled
//!   more than once (it waited at least once), the task: the outermost
//!   instrumented span of that future. A future that never waited ran like
//!   a plain call, so it stays on its thread's lane;
//! - its **pid**, and start and end on `CLOCK_MONOTONIC`, which on Linux is
//!   one clock for every process, so a pool's workers line up with the
//!   parent;
//! - **work and wait** inside it. Every enter and exit of a span is a
//!   checkpoint; the stretch between two checkpoints belongs to the span
//!   innermost on that thread, and is *work* if the thread never blocked in
//!   it (`getrusage(RUSAGE_THREAD)` counts no voluntary context switch: it
//!   computed, or was runnable but preempted) or spent at least half of it
//!   on the CPU (`CLOCK_THREAD_CPUTIME_ID`); otherwise it is *wait* (a
//!   socket, a sleep, a lock). A future's time between polls, when it is
//!   entered nowhere, is *wait* too (pending).
//!
//! On a machine with fewer cores than busy threads, the kernel often
//! preempts a thread at the recorder's own system calls, between two spans:
//! its lane then shows a short blank there (runnable, in no span).
//!
//! Pool workers ([`crate::pool`]), and children a program starts itself
//! with [`worker_env`], inherit [`PARTS_ENV`]: each writes its spans to a
//! part file there as it exits, and the parent merges the parts into its
//! own file. The file is Chrome Trace Event JSON (see [`trace`] for
//! its exact shape and a reader): it opens in `chrome://tracing` and in
//! Perfetto.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

pub mod trace;

/// Set by run_all: record this run's timeline into the file it names
/// (`--timeline FILE` wins over it).
pub const TIMELINE_ENV: &str = "RUN_ALL_TIMELINE";

/// Set by the parent for its pool workers: the folder their part files go to.
pub const PARTS_ENV: &str = "SUPPORT_TIMELINE_PARTS";

/// The `--timeline FILE` flag ([`parse`] adds it to an example's own flags).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TimelineArg {
    /// Record who worked and who waited, as Chrome Trace Event JSON in FILE
    /// (open it in chrome://tracing or Perfetto; run_all draws it)
    #[arg(long, value_name = "FILE")]
    pub timeline: Option<PathBuf>,
}

impl TimelineArg {
    /// Start recording if the flag or [`TIMELINE_ENV`] names a file. In a
    /// child that a recording parent started with [`worker_env`] (such as
    /// processes_basic's), record a part into the parent's folder instead.
    pub fn record(&self) -> Recording {
        if self.timeline.is_none() && std::env::var_os(PARTS_ENV).is_some() {
            return record_worker();
        }
        let file = self
            .timeline
            .clone()
            .or_else(|| std::env::var_os(TIMELINE_ENV).map(PathBuf::from));
        match file {
            Some(file) => Recording::start(Output::File(file)),
            None => Recording(None),
        }
    }
}

/// `A::parse()` plus `--timeline FILE`: the example's flags, and the
/// recording, which writes the file when it is dropped (keep it alive to
/// the end of `main`: `let (args, _timeline) = support::timeline::parse::<Args>();`).
pub fn parse<A: clap::Parser>() -> (A, Recording) {
    use clap::{Args, FromArgMatches};
    // `augment_args` sets the command's about to TimelineArg's doc comment:
    // put the example's own back, or its --help would open with ours.
    let command = A::command();
    let kept = |text: Option<&clap::builder::StyledStr>| match text {
        Some(text) => clap::builder::Resettable::Value(text.clone()),
        None => clap::builder::Resettable::Reset,
    };
    let (about, long_about) = (kept(command.get_about()), kept(command.get_long_about()));
    let mut command = TimelineArg::augment_args(command)
        .about(about)
        .long_about(long_about);
    let mut matches = command.get_matches_mut();
    let args = A::from_arg_matches_mut(&mut matches);
    let timeline = TimelineArg::from_arg_matches_mut(&mut matches);
    match (args, timeline) {
        (Ok(args), Ok(timeline)) => (args, timeline.record()),
        (Err(error), _) | (_, Err(error)) => error.format(&mut command).exit(),
    }
}

/// In a pool worker or child: record into the parent's parts folder, if it asked.
pub(crate) fn record_worker() -> Recording {
    match std::env::var_os(PARTS_ENV) {
        Some(folder) => Recording::start(Output::Part(PathBuf::from(folder))),
        None => Recording(None),
    }
}

/// The variable to set in a worker's or child's environment, if this
/// process records a timeline: its spans then join this file. The pool sets
/// it; a program that starts its own children passes it on with
/// `Command::new(..).envs(support::timeline::worker_env())`.
pub fn worker_env() -> Option<(&'static str, PathBuf)> {
    let recorder = RECORDER.get()?;
    let Output::File(_) = recorder.output else {
        return None;
    };
    Some((PARTS_ENV, recorder.parts.clone()))
}

/// A running recording; dropping it writes the file (a worker: its part).
#[must_use = "the timeline is written when this is dropped: keep it to the end of main"]
pub struct Recording(Option<&'static Recorder>);

enum Output {
    File(PathBuf),
    Part(PathBuf),
}

/// The process's one recorder (tracing has one global subscriber).
struct Recorder {
    output: Output,
    /// Where this process's pool workers write their parts.
    parts: PathBuf,
    /// When recording started: time 0 of the file.
    origin_ns: u64,
    closed: Mutex<Vec<Closed>>,
}

static RECORDER: std::sync::OnceLock<Recorder> = std::sync::OnceLock::new();
static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

impl Recording {
    fn start(output: Output) -> Recording {
        let parts = std::env::temp_dir().join(format!("timeline-parts-{}", std::process::id()));
        let recorder = Recorder {
            output,
            parts,
            origin_ns: now_ns(libc::CLOCK_MONOTONIC),
            closed: Mutex::new(Vec::new()),
        };
        if RECORDER.set(recorder).is_err() {
            return Recording(None); // already recording in this process
        }
        let recorder = RECORDER.get().expect("set just above");
        let subscriber = tracing_subscriber::registry().with(SpanLayer);
        if tracing::subscriber::set_global_default(subscriber).is_err() {
            eprintln!("warning: another tracing subscriber is installed; no timeline");
            return Recording(None);
        }
        Recording(Some(recorder))
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        let Some(recorder) = self.0 else { return };
        let closed =
            std::mem::take(&mut *recorder.closed.lock().unwrap_or_else(|e| e.into_inner()));
        let spans = resolve_lanes(closed);
        let written = match &recorder.output {
            Output::Part(folder) => std::fs::create_dir_all(folder).and_then(|()| {
                let part = folder.join(format!("{}.json", std::process::id()));
                std::fs::write(part, serde_json::to_vec(&spans).unwrap_or_default())
            }),
            Output::File(file) => {
                let mut all = spans;
                all.extend(read_parts(&recorder.parts));
                let _ = std::fs::remove_dir_all(&recorder.parts);
                let trace = chrome_trace(&all, recorder.origin_ns);
                write_file(file, &trace)
            }
        };
        if let Err(error) = written {
            eprintln!("warning: could not write the timeline: {error}");
        }
    }
}

fn write_file(file: &Path, trace: &Value) -> std::io::Result<()> {
    if let Some(folder) = file.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)?;
    }
    std::fs::write(file, serde_json::to_vec(trace).unwrap_or_default())
}

/// The workers' part files, each a JSON list of [`Spanned`].
fn read_parts(folder: &Path) -> Vec<Spanned> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| std::fs::read(entry.path()).ok())
        .filter_map(|bytes| serde_json::from_slice::<Vec<Spanned>>(&bytes).ok())
        .flatten()
        .collect()
}

/// A clock reading in nanoseconds (`CLOCK_MONOTONIC`, `CLOCK_THREAD_CPUTIME_ID`).
fn now_ns(clock: libc::clockid_t) -> u64 {
    let mut time = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec we own.
    unsafe { libc::clock_gettime(clock, &mut time) };
    time.tv_sec as u64 * 1_000_000_000 + time.tv_nsec as u64
}

/// What a thread has done so far: wall time, CPU time, times it blocked.
#[derive(Clone, Copy, Default)]
struct Sample {
    wall_ns: u64,
    cpu_ns: u64,
    blocked: u64,
}

impl Sample {
    fn now() -> Sample {
        let wall_ns = now_ns(libc::CLOCK_MONOTONIC);
        // SAFETY: getrusage writes one rusage we own.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
        Sample {
            wall_ns,
            cpu_ns: now_ns(libc::CLOCK_THREAD_CPUTIME_ID),
            blocked: usage.ru_nvcsw as u64,
        }
    }

    /// The stretch from `self` to `later`, judged work or wait.
    fn segment_to(&self, later: &Sample) -> Segment {
        let wall = later.wall_ns.saturating_sub(self.wall_ns);
        let cpu = later.cpu_ns.saturating_sub(self.cpu_ns);
        let never_blocked = later.blocked == self.blocked;
        Segment {
            start_ns: self.wall_ns,
            end_ns: later.wall_ns,
            work: never_blocked || 2 * cpu >= wall,
            cpu_ns: cpu,
        }
    }
}

/// A stretch of a span: work or wait.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Segment {
    start_ns: u64,
    end_ns: u64,
    work: bool,
    cpu_ns: u64,
}

/// What the layer keeps in each open span.
struct Open {
    key: u64,
    root: u64,
    fields: BTreeMap<String, String>,
    entries: u32,
    first_ns: u64,
    last_ns: u64,
    thread: Option<(u64, String)>,
    segments: Vec<Segment>,
    /// `segments.len()` and `last_ns` before the latest entry.
    before_entry: (usize, u64),
}

/// A span that closed, before its lane is known.
struct Closed {
    name: &'static str,
    open: Open,
}

/// A span as the file holds it, lane resolved (also a worker's part file).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Spanned {
    name: String,
    fields: BTreeMap<String, String>,
    pid: u32,
    /// The thread id, or for a task lane a number above every thread id.
    lane: u64,
    /// "thread", "main thread" or "task NAME".
    lane_kind: String,
    start_ns: u64,
    end_ns: u64,
    segments: Vec<Segment>,
}

/// Task lanes' ids start here, above any Linux thread id (at most 2^22).
const TASK_LANES: u64 = 1 << 32;

/// A span's lane: its root's task if the root was polled more than once,
/// else the thread it ran on. A task's pending gaps become wait segments.
fn resolve_lanes(closed: Vec<Closed>) -> Vec<Spanned> {
    let pid = std::process::id();
    let roots: HashMap<u64, (u32, &'static str)> = closed
        .iter()
        .filter(|c| c.open.key == c.open.root)
        .map(|c| (c.open.key, (c.open.entries, c.name)))
        .collect();
    let mut spans: Vec<(Spanned, bool)> = closed
        .into_iter()
        .filter(|c| c.open.entries > 0)
        .map(|Closed { name, open }| {
            let (tid, thread_name) = open.thread.clone().unwrap_or_default();
            let (lane, lane_kind) = match roots.get(&open.root) {
                Some(&(entries, root_name)) if entries > 1 => {
                    (TASK_LANES + open.root, format!("task {root_name}"))
                }
                _ if thread_name == "main" => (tid, "main thread".to_string()),
                _ => (tid, "thread".to_string()),
            };
            let span = Spanned {
                name: name.to_string(),
                fields: open.fields,
                pid,
                lane,
                lane_kind,
                start_ns: open.first_ns,
                end_ns: open.last_ns.max(open.first_ns),
                segments: open.segments,
            };
            (span, open.key == open.root)
        })
        .collect();
    // A task's time between polls, when none of its spans is entered, is
    // wait: it goes on the root span, which spans the whole task.
    let mut covered: HashMap<u64, Vec<(u64, u64)>> = HashMap::new();
    for (span, _) in spans.iter().filter(|(s, _)| s.lane >= TASK_LANES) {
        let stretches = covered.entry(span.lane).or_default();
        stretches.extend(span.segments.iter().map(|s| (s.start_ns, s.end_ns)));
    }
    for (root, _) in spans
        .iter_mut()
        .filter(|(s, is_root)| *is_root && s.lane >= TASK_LANES)
    {
        let mut stretches = covered.remove(&root.lane).unwrap_or_default();
        stretches.sort_unstable();
        let mut at = root.start_ns;
        for (start, end) in stretches {
            if start > at {
                root.segments.push(Segment {
                    start_ns: at,
                    end_ns: start,
                    work: false,
                    cpu_ns: 0,
                });
            }
            at = at.max(end);
        }
        root.segments.sort_by_key(|s| s.start_ns);
    }
    spans.into_iter().map(|(span, _)| span).collect()
}

/// The layer: keeps an [`Open`] in every span, checkpoints at every enter
/// and exit, and hands closed spans to the recorder.
struct SpanLayer;

thread_local! {
    /// The spans entered on this thread (innermost last), and the sample
    /// taken at the last checkpoint.
    static THREAD: RefCell<(Vec<Id>, Sample)> = RefCell::new((Vec::new(), Sample::default()));
}

/// Field values as text, for the file's `args`.
struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl SpanLayer {
    /// Give the stretch since the last checkpoint to the innermost span.
    fn checkpoint<S>(ctx: &Context<'_, S>, stack: &[Id], last: &Sample, now: &Sample)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let Some(span) = stack.last().and_then(|top| ctx.span(top)) else {
            return;
        };
        if let Some(open) = span.extensions_mut().get_mut::<Open>() {
            open.segments.push(last.segment_to(now));
        }
    }
}

impl<S> Layer<S> for SpanLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        // Spans at INFO or above: `#[instrument]`'s default level. Libraries
        // trace their internals at DEBUG and TRACE, and we want no events.
        if metadata.is_span() && *metadata.level() <= Level::INFO {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
        let parent_root = span
            .parent()
            .and_then(|parent| parent.extensions().get::<Open>().map(|open| open.root));
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        span.extensions_mut().insert(Open {
            key,
            root: parent_root.unwrap_or(key),
            fields,
            entries: 0,
            first_ns: 0,
            last_ns: 0,
            thread: None,
            segments: Vec::new(),
            before_entry: (0, 0),
        });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(open) = span.extensions_mut().get_mut::<Open>()
        {
            values.record(&mut Fields(&mut open.fields));
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let now = Sample::now();
        THREAD.with_borrow_mut(|(stack, last)| {
            Self::checkpoint(&ctx, stack, last, &now);
            stack.push(id.clone());
            *last = now;
        });
        if let Some(span) = ctx.span(id)
            && let Some(open) = span.extensions_mut().get_mut::<Open>()
        {
            open.entries += 1;
            open.before_entry = (open.segments.len(), open.last_ns);
            if open.thread.is_none() {
                open.first_ns = now.wall_ns;
                let thread = std::thread::current();
                // SAFETY: gettid has no preconditions.
                let tid = unsafe { libc::gettid() } as u64;
                open.thread = Some((tid, thread.name().unwrap_or_default().to_string()));
            }
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        let now = Sample::now();
        THREAD.with_borrow_mut(|(stack, last)| {
            Self::checkpoint(&ctx, stack, last, &now);
            if let Some(at) = stack.iter().rposition(|entered| entered == id) {
                stack.remove(at);
            }
            *last = now;
        });
        if let Some(span) = ctx.span(id)
            && let Some(open) = span.extensions_mut().get_mut::<Open>()
        {
            open.last_ns = now.wall_ns;
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(mut open) = span.extensions_mut().remove::<Open>() else {
            return;
        };
        // tracing enters a future's span once more to drop the future (its
        // `Instrumented` does, since 0.1.38). That entry is no poll: leave
        // it out, or every future would look polled twice.
        if open.entries > 1 {
            open.entries -= 1;
            open.segments.truncate(open.before_entry.0);
            open.last_ns = open.before_entry.1;
        }
        if let Some(recorder) = RECORDER.get() {
            let closed = Closed {
                name: span.name(),
                open,
            };
            recorder
                .closed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(closed);
        }
    }
}

/// The spans as Chrome Trace Event JSON, times in microseconds from `origin_ns`.
fn chrome_trace(spans: &[Spanned], origin_ns: u64) -> Value {
    let us = |ns: u64| ns.saturating_sub(origin_ns) as f64 / 1000.0;
    let parent = std::process::id();
    let example = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let mut events = Vec::new();
    // Lanes in order of their first span, numbered within each kind.
    let mut lanes: Vec<(u32, u64, &str, u64)> = Vec::new();
    for span in spans {
        match lanes
            .iter_mut()
            .find(|(pid, lane, ..)| (*pid, *lane) == (span.pid, span.lane))
        {
            Some(seen) => seen.3 = seen.3.min(span.start_ns),
            None => lanes.push((span.pid, span.lane, &span.lane_kind, span.start_ns)),
        }
    }
    lanes.sort_by_key(|&(pid, _, _, first)| (pid != parent, first));
    let mut workers: Vec<u32> = Vec::new();
    let mut numbered: HashMap<String, usize> = HashMap::new();
    for (sort_index, &(pid, lane, kind, _)) in lanes.iter().enumerate() {
        if pid != parent && !workers.contains(&pid) {
            workers.push(pid);
            let name = format!("{example} worker {} (pid {pid})", workers.len());
            events.push(json!({"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": name}}));
            events.push(json!({"ph": "M", "name": "process_sort_index", "pid": pid, "tid": 0, "args": {"sort_index": workers.len()}}));
        }
        let worker = workers
            .iter()
            .position(|&w| w == pid)
            .map_or(0, |at| at + 1);
        let n = numbered.entry(format!("{pid} {kind}")).or_insert(0);
        *n += 1;
        let name = match (pid != parent, kind) {
            (true, "main thread") => format!("worker {worker}"),
            (false, "main thread") => "main thread".to_string(),
            (true, _) => format!("worker {worker} {kind} {n}"),
            (false, _) => format!("{kind} {n}"),
        };
        events.push(json!({"ph": "M", "name": "thread_name", "pid": pid, "tid": lane, "args": {"name": name}}));
        events.push(json!({"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": lane, "args": {"sort_index": sort_index}}));
    }
    events.push(json!({"ph": "M", "name": "process_name", "pid": parent, "tid": 0, "args": {"name": format!("{example} (pid {parent})")}}));
    for span in spans {
        let (work, wait) = span.segments.iter().fold((0, 0), |(work, wait), s| {
            let length = s.end_ns - s.start_ns;
            if s.work {
                (work + length, wait)
            } else {
                (work, wait + length)
            }
        });
        let mut args: serde_json::Map<String, Value> = span
            .fields
            .iter()
            .map(|(name, value)| (name.clone(), Value::from(value.as_str())))
            .collect();
        args.insert("work_us".into(), json!(work as f64 / 1000.0));
        args.insert("wait_us".into(), json!(wait as f64 / 1000.0));
        let cpu: u64 = span.segments.iter().map(|s| s.cpu_ns).sum();
        args.insert("cpu_us".into(), json!(cpu as f64 / 1000.0));
        events.push(json!({
            "ph": "X", "cat": "span", "name": span.name, "pid": span.pid, "tid": span.lane,
            "ts": us(span.start_ns), "dur": (span.end_ns - span.start_ns) as f64 / 1000.0,
            "args": args,
        }));
        for segment in &span.segments {
            let (kind, colour) = match segment.work {
                true => ("work", "thread_state_running"),
                false => ("wait", "thread_state_iowait"),
            };
            events.push(json!({
                "ph": "X", "cat": kind, "name": kind, "cname": colour,
                "pid": span.pid, "tid": span.lane,
                "ts": us(segment.start_ns), "dur": (segment.end_ns - segment.start_ns) as f64 / 1000.0,
                "args": {"span": span.name, "cpu_us": segment.cpu_ns as f64 / 1000.0},
            }));
        }
    }
    json!({
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {"example": example, "clock": "CLOCK_MONOTONIC", "recorder": "support::timeline"},
    })
}

#[cfg(test)]
mod tests {
    use super::trace::Trace;
    use super::*;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context as TaskContext, Poll, Waker};
    use std::time::Duration;
    use tracing::Instrument;

    /// A future that is pending once, then ready: one wait between two polls.
    async fn pending_once() {
        let mut first = true;
        std::future::poll_fn(|_| {
            if std::mem::take(&mut first) {
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await
    }

    // The only test that installs the global subscriber (one per process).
    #[test]
    fn threads_tasks_work_and_wait_as_recorded() {
        let file = std::env::temp_dir().join(format!("timeline-unit-{}.json", std::process::id()));
        let recording = TimelineArg {
            timeline: Some(file.clone()),
        }
        .record();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let _span = tracing::info_span!("sleeper").entered();
                std::thread::sleep(Duration::from_millis(30));
            });
            scope.spawn(|| {
                let _span = tracing::info_span!("computer", n = 7).entered();
                let start = std::time::Instant::now();
                while start.elapsed() < Duration::from_millis(30) {
                    std::hint::black_box(0);
                }
            });
        });
        // Two tasks on this thread, polled by hand: each waits once.
        let mut tasks: Vec<_> = (0..2)
            .map(|i| Box::pin(pending_once().instrument(tracing::info_span!("task", i))))
            .collect();
        let mut context = TaskContext::from_waker(Waker::noop());
        for task in &mut tasks {
            assert!(task.as_mut().poll(&mut context).is_pending());
        }
        std::thread::sleep(Duration::from_millis(10));
        for task in &mut tasks {
            assert!(task.as_mut().poll(&mut context).is_ready());
        }
        drop(tasks);
        // A future that never waits runs like a call: on this thread's lane.
        {
            let mut quick = pin!(async {}.instrument(tracing::info_span!("quick")));
            assert!(quick.as_mut().poll(&mut context).is_ready());
        } // closed here: spans still open at the end are not recorded
        drop(recording);

        let trace = Trace::read(&file).expect("the file reads back");
        let _ = std::fs::remove_file(&file);
        let lane = |span: &str| {
            let found = trace
                .lanes
                .iter()
                .find(|l| l.spans.iter().any(|s| s.name == span));
            found.unwrap_or_else(|| panic!("a lane with {span}: {trace:?}"))
        };
        let kinds =
            |span: &str| -> Vec<bool> { lane(span).pieces.iter().map(|p| p.work).collect() };
        assert_eq!(kinds("sleeper"), [false], "a sleep is a wait");
        assert_eq!(kinds("computer"), [true], "a busy loop is work");
        assert_eq!(lane("computer").spans[0].args["n"], "7");
        assert!(
            lane("task").name.starts_with("task task"),
            "{}",
            lane("task").name
        );
        assert_eq!(
            kinds("task"),
            [true, false, true],
            "polled, pending, polled"
        );
        assert_eq!(trace.lanes.len(), 5, "2 threads, 2 tasks, this thread");
        assert_eq!(trace.most_lanes_in("task"), 2);
        assert_eq!(
            trace.most_lanes_at_once(false),
            2,
            "the tasks wait together"
        );
        assert!(lane("quick").tid < 1 << 32, "a thread lane");
    }

    #[test]
    fn stretches_that_only_touch_do_not_overlap() {
        let json = serde_json::json!({"traceEvents": [
            {"ph": "X", "cat": "span", "name": "a", "pid": 1, "tid": 1, "ts": 0.0, "dur": 5.0},
            {"ph": "X", "cat": "span", "name": "a", "pid": 1, "tid": 2, "ts": 5.0, "dur": 5.0},
            {"ph": "X", "cat": "span", "name": "a", "pid": 2, "tid": 1, "ts": 9.0, "dur": 5.0},
        ]});
        let trace = Trace::from_json(&json).expect("a trace");
        assert_eq!(trace.lanes.len(), 3);
        assert_eq!(trace.pids(), [1, 2]);
        assert_eq!(trace.most_lanes_in("a"), 2, "only the last two overlap");
        assert_eq!(trace.bounds_us(), (0.0, 14.0));
    }
}
