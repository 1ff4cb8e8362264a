//! Reading a timeline back: for the examples' tests and run_all's pictures.
//!
//! The file is Chrome Trace Event JSON, `{"traceEvents": [...]}`, with:
//!
//! ```text
//! {"ph":"M","name":"process_name","pid":P,"args":{"name":"download_processes worker 2 (pid P)"}}
//! {"ph":"M","name":"thread_name","pid":P,"tid":T,"args":{"name":"thread 3"}}      one per lane
//! {"ph":"M","name":"thread_sort_index","pid":P,"tid":T,"args":{"sort_index":2}}
//! {"ph":"X","cat":"span","name":"download_site","pid":P,"tid":T,"ts":12.5,"dur":80.1,
//!  "args":{"url":"...","work_us":1.2,"wait_us":78.9}}                             one per span
//! {"ph":"X","cat":"work","name":"work","pid":P,"tid":T,"ts":..,"dur":..,"args":{"span":"download_site","cpu_us":..}}
//! {"ph":"X","cat":"wait","name":"wait",...}                                       inside the spans
//! ```
//!
//! `ts` and `dur` are microseconds from the start of the recording, on one
//! clock for every process. A lane is a (`pid`, `tid`) pair: a thread, or
//! (`tid` of 2^32 and above) an async task.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

/// A whole recorded run.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// The example's binary name.
    pub example: String,
    /// Lanes in the order the file sorts them (the parent's first).
    pub lanes: Vec<Lane>,
}

/// One thread, task or worker process.
#[derive(Debug, Clone, Default)]
pub struct Lane {
    pub pid: u32,
    pub tid: u64,
    /// "thread 2", "task count 1", "worker 3"...
    pub name: String,
    pub spans: Vec<Span>,
    /// Work and wait stretches, in time order.
    pub pieces: Vec<Piece>,
}

/// One span: a unit of work such as one `download_site`.
#[derive(Debug, Clone)]
pub struct Span {
    pub name: String,
    pub start_us: f64,
    pub end_us: f64,
    pub args: serde_json::Map<String, Value>,
}

/// A stretch of a span during which its lane worked, or waited.
#[derive(Debug, Clone)]
pub struct Piece {
    pub work: bool,
    pub start_us: f64,
    pub end_us: f64,
    /// The span it belongs to.
    pub span: String,
}

impl Trace {
    /// Read a timeline file.
    pub fn read(path: &Path) -> Result<Trace, String> {
        let text =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let json: Value = serde_json::from_slice(&text)
            .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        Trace::from_json(&json)
    }

    /// Make sense of a parsed timeline.
    pub fn from_json(json: &Value) -> Result<Trace, String> {
        let events = json["traceEvents"]
            .as_array()
            .ok_or("no traceEvents list")?;
        let example = json["otherData"]["example"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut lanes: Vec<Lane> = Vec::new();
        let mut order: HashMap<(u32, u64), (u64, u64)> = HashMap::new();
        let mut process_order: HashMap<u32, u64> = HashMap::new();
        for event in events {
            let pid = event["pid"].as_u64().unwrap_or_default() as u32;
            let tid = event["tid"].as_u64().unwrap_or_default();
            let number = |key: &str| event[key].as_f64().unwrap_or_default();
            let name = event["name"].as_str().unwrap_or_default().to_string();
            match (event["ph"].as_str(), event["cat"].as_str()) {
                (Some("M"), _) => {
                    let args = &event["args"];
                    match name.as_str() {
                        "thread_name" => {
                            lane_of(&mut lanes, pid, tid).name =
                                args["name"].as_str().unwrap_or_default().to_string();
                        }
                        "thread_sort_index" => {
                            let index = args["sort_index"].as_u64().unwrap_or_default();
                            order.entry((pid, tid)).or_default().1 = index;
                        }
                        "process_sort_index" => {
                            let index = args["sort_index"].as_u64().unwrap_or_default();
                            process_order.insert(pid, index);
                        }
                        _ => {}
                    }
                }
                (Some("X"), Some("span")) => lane_of(&mut lanes, pid, tid).spans.push(Span {
                    name,
                    start_us: number("ts"),
                    end_us: number("ts") + number("dur"),
                    args: event["args"].as_object().cloned().unwrap_or_default(),
                }),
                (Some("X"), Some(kind @ ("work" | "wait"))) => {
                    lane_of(&mut lanes, pid, tid).pieces.push(Piece {
                        work: kind == "work",
                        start_us: number("ts"),
                        end_us: number("ts") + number("dur"),
                        span: event["args"]["span"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    })
                }
                _ => {}
            }
        }
        lanes.retain(|lane| !lane.spans.is_empty());
        for lane in &mut lanes {
            lane.spans.sort_by(|a, b| a.start_us.total_cmp(&b.start_us));
            lane.pieces
                .sort_by(|a, b| a.start_us.total_cmp(&b.start_us));
        }
        lanes.sort_by_key(|lane| {
            let process = process_order.get(&lane.pid).copied().unwrap_or(0);
            let thread = order.get(&(lane.pid, lane.tid)).map_or(0, |o| o.1);
            (process, thread)
        });
        Ok(Trace { example, lanes })
    }

    /// The first start and the last end of any span (0, 0 when empty).
    pub fn bounds_us(&self) -> (f64, f64) {
        let spans = || self.lanes.iter().flat_map(|lane| &lane.spans);
        let start = spans().map(|s| s.start_us).fold(f64::INFINITY, f64::min);
        let end = spans().map(|s| s.end_us).fold(0.0, f64::max);
        if start.is_finite() {
            (start, end)
        } else {
            (0.0, 0.0)
        }
    }

    /// The distinct pids that have lanes.
    pub fn pids(&self) -> Vec<u32> {
        let mut pids: Vec<u32> = self.lanes.iter().map(|lane| lane.pid).collect();
        pids.sort_unstable();
        pids.dedup();
        pids
    }

    /// The most lanes that were working (`work` true) or waiting at one
    /// moment. Stretches that only touch (one ends as the next starts) do
    /// not count as overlapping.
    pub fn most_lanes_at_once(&self, work: bool) -> usize {
        self.most_lanes(|lane| {
            lane.pieces
                .iter()
                .filter(|p| p.work == work)
                .map(|p| (p.start_us, p.end_us))
                .collect()
        })
    }

    /// The most lanes inside a span called `name` at one moment.
    pub fn most_lanes_in(&self, name: &str) -> usize {
        self.most_lanes(|lane| {
            lane.spans
                .iter()
                .filter(|s| s.name == name)
                .map(|s| (s.start_us, s.end_us))
                .collect()
        })
    }

    /// The most lanes with one of their `stretches` open at one moment.
    pub fn most_lanes(&self, stretches: impl Fn(&Lane) -> Vec<(f64, f64)>) -> usize {
        // (time, +1 open / -1 close, lane); closes sort before opens at
        // one time, so touching stretches never count as overlapping.
        let mut changes: Vec<(f64, i32, usize)> = Vec::new();
        for (index, lane) in self.lanes.iter().enumerate() {
            for (start, end) in stretches(lane) {
                if end > start {
                    changes.push((start, 1, index));
                    changes.push((end, -1, index));
                }
            }
        }
        changes.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut open = vec![0i32; self.lanes.len()];
        let (mut lanes_open, mut most) = (0, 0);
        for (_, change, lane) in changes {
            let before = open[lane] > 0;
            open[lane] += change;
            match (before, open[lane] > 0) {
                (false, true) => lanes_open += 1,
                (true, false) => lanes_open -= 1,
                _ => {}
            }
            most = most.max(lanes_open);
        }
        most
    }
}

fn lane_of(lanes: &mut Vec<Lane>, pid: u32, tid: u64) -> &mut Lane {
    match lanes.iter().position(|l| (l.pid, l.tid) == (pid, tid)) {
        Some(at) => &mut lanes[at],
        None => {
            lanes.push(Lane {
                pid,
                tid,
                ..Lane::default()
            });
            lanes.last_mut().expect("just pushed")
        }
    }
}
