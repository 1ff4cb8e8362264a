//! The HTTP side: routing, injected latency and faults, the counters, and the
//! accept loop. hyper does all the HTTP/1.1 work; this file only decides
//! what to answer and when.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio::time::{Instant, Sleep};

use crate::graph::{CRAWL_PREFIX, Graph};
use crate::pages::{self, DOMAINS};
use crate::{Config, GraphInfo, Stats};

const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";

/// Everything the request handlers share.
pub(crate) struct State {
    config: Config,
    pub(crate) counters: Counters,
    /// The one RNG behind latency jitter and faults. A plain mutex is enough:
    /// it is held for three draws, and skipped entirely when no knob needs it.
    rng: Mutex<StdRng>,
    content: Content,
    /// Where absolute links point when a request has no usable Host header.
    fallback_base: String,
}

/// What the site serves besides `/stats`.
enum Content {
    Generated(Box<Generated>),
    /// `--dir`: the canonical path of the folder.
    Dir(PathBuf),
}

/// The generated site, fixed pages pre-rendered.
struct Generated {
    graph: Graph,
    graph_json: Bytes,
    index: Bytes,
    jython: Bytes,
    dice: Bytes,
    domains: Vec<Bytes>,
}

impl State {
    pub(crate) fn new(config: Config, bound: SocketAddr) -> anyhow::Result<State> {
        let content = match &config.dir {
            Some(dir) => Content::Dir(std::fs::canonicalize(dir)?),
            None => {
                let graph = Graph::build(config.pages, config.seed);
                let info: GraphInfo = graph.info();
                Content::Generated(Box::new(Generated {
                    graph_json: Bytes::from(serde_json::to_vec(&info)?),
                    graph,
                    index: Bytes::from(pages::index_page(config.pages)),
                    jython: Bytes::from(pages::jython_page()),
                    dice: Bytes::from(pages::dice_page()),
                    domains: (1..=DOMAINS)
                        .map(|n| Bytes::from(pages::domain_page(n)))
                        .collect(),
                }))
            }
        };
        Ok(State {
            rng: Mutex::new(StdRng::seed_from_u64(config.seed)),
            fallback_base: format!("http://{bound}"),
            config,
            counters: Counters::default(),
            content,
        })
    }
}

// ---------------------------------------------------------------------------
// Counters

/// Lock-free counters behind `/stats`. Statuses are counted in a small array
/// indexed by code, so counting never takes a lock.
pub(crate) struct Counters {
    requests: AtomicU64,
    by_status: Box<[AtomicU64]>,
    resets: AtomicU64,
    abandoned: AtomicU64,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    bytes_sent: AtomicU64,
}

const STATUS_SLOTS: usize = 600;

impl Default for Counters {
    fn default() -> Self {
        Counters {
            requests: AtomicU64::new(0),
            by_status: (0..STATUS_SLOTS).map(|_| AtomicU64::new(0)).collect(),
            resets: AtomicU64::new(0),
            abandoned: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            max_in_flight: AtomicU64::new(0),
            bytes_sent: AtomicU64::new(0),
        }
    }
}

impl Counters {
    pub(crate) fn snapshot(&self) -> Stats {
        let by_status = self
            .by_status
            .iter()
            .enumerate()
            .filter_map(|(code, n)| {
                let n = n.load(Ordering::Relaxed);
                (n > 0).then_some((code as u16, n))
            })
            .collect();
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            by_status,
            resets: self.resets.load(Ordering::Relaxed),
            abandoned: self.abandoned.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::Relaxed),
            max_in_flight: self.max_in_flight.load(Ordering::Relaxed),
            bytes_sent: self.bytes_sent.load(Ordering::Relaxed),
        }
    }

    /// Zero everything but `in_flight` (those requests are still running and
    /// will decrement it); the maximum restarts from what is in flight now.
    pub(crate) fn reset(&self) {
        self.requests.store(0, Ordering::Relaxed);
        for slot in self.by_status.iter() {
            slot.store(0, Ordering::Relaxed);
        }
        self.resets.store(0, Ordering::Relaxed);
        self.abandoned.store(0, Ordering::Relaxed);
        self.bytes_sent.store(0, Ordering::Relaxed);
        self.max_in_flight
            .store(self.in_flight.load(Ordering::Relaxed), Ordering::Relaxed);
    }

    fn count_response(&self, status: StatusCode) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if let Some(slot) = self.by_status.get(usize::from(status.as_u16())) {
            slot.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Marks one request as in flight from the moment its handler starts until
/// its body is finished or dropped (it travels inside the body).
///
/// Dropped before [`InFlight::finish`], it means the client went away
/// first: hyper drops the handler (while it waits out the latency) or the
/// body (while it is sent) when the connection closes.
struct InFlight {
    state: Arc<State>,
    /// The handler has counted the response (in `requests`, `by_status`).
    counted: bool,
    /// The whole answer went out, or the reset fault cut it on purpose.
    finished: bool,
}

impl InFlight {
    fn enter(state: &Arc<State>) -> InFlight {
        let counters = &state.counters;
        let now = counters.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        counters.max_in_flight.fetch_max(now, Ordering::Relaxed);
        InFlight {
            state: Arc::clone(state),
            counted: false,
            finished: false,
        }
    }

    fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let counters = &self.state.counters;
        counters.in_flight.fetch_sub(1, Ordering::Relaxed);
        if !self.finished {
            counters.abandoned.fetch_add(1, Ordering::Relaxed);
            if !self.counted {
                counters.requests.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Response body: whole, paced by a bandwidth cap, or cut off by a reset.

/// The error a body returns to make hyper drop the connection mid-response.
#[derive(Debug)]
struct ResetFault;

impl std::fmt::Display for ResetFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset on purpose (reset fault)")
    }
}

impl std::error::Error for ResetFault {}

/// Sends `data` in one frame, or in paced chunks under a bandwidth cap, and
/// for the reset fault stops halfway with an error (headers and part of the
/// body are on the wire, then the connection is closed).
pub(crate) struct SiteBody {
    data: Bytes,
    sent: usize,
    /// Abort once this many bytes went out.
    reset_at: Option<usize>,
    /// The reset waits one poll after its last chunk so hyper flushes it.
    reset_armed: bool,
    pacer: Option<Pacer>,
    in_flight: Option<InFlight>,
}

struct Pacer {
    bytes_per_sec: u64,
    chunk: usize,
    start: Instant,
    sleep: Pin<Box<Sleep>>,
    armed: bool,
}

impl SiteBody {
    fn new(data: Bytes, in_flight: Option<InFlight>) -> SiteBody {
        SiteBody {
            data,
            sent: 0,
            reset_at: None,
            reset_armed: false,
            pacer: None,
            in_flight,
        }
    }

    fn add_bytes(&self, n: usize) {
        if let Some(flight) = &self.in_flight {
            flight
                .state
                .counters
                .bytes_sent
                .fetch_add(n as u64, Ordering::Relaxed);
        }
    }
}

impl Body for SiteBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Some(limit) = this.reset_at
            && this.sent >= limit
        {
            if !this.reset_armed {
                // Let hyper flush the part already written before we abort.
                this.reset_armed = true;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            if let Some(flight) = this.in_flight.take() {
                flight.state.counters.resets.fetch_add(1, Ordering::Relaxed);
                flight.finish();
            }
            this.data = Bytes::new();
            this.reset_at = None;
            return Poll::Ready(Some(Err(Box::new(ResetFault))));
        }
        if this.data.is_empty() {
            if let Some(flight) = this.in_flight.take() {
                flight.finish();
            }
            return Poll::Ready(None);
        }
        let mut n = this.data.len();
        if let Some(limit) = this.reset_at {
            n = n.min(limit - this.sent);
        }
        if let Some(pacer) = &mut this.pacer {
            n = n.min(pacer.chunk);
            if !pacer.armed {
                // These bytes may leave once the cap allows them all.
                let due = (this.sent + n) as f64 / pacer.bytes_per_sec as f64;
                let deadline = pacer.start + Duration::from_secs_f64(due);
                pacer.sleep.as_mut().reset(deadline);
                pacer.armed = true;
            }
            if pacer.sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            pacer.armed = false;
        }
        let chunk = this.data.split_to(n);
        this.sent += n;
        this.add_bytes(n);
        if this.data.is_empty()
            && this.reset_at.is_none()
            && let Some(flight) = this.in_flight.take()
        {
            flight.finish();
        }
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_empty() && self.reset_at.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        // The full length, also for a reset: the client is promised all of
        // it, which is what makes the cut-off visible as an error.
        SizeHint::with_exact(self.data.len() as u64)
    }
}

// ---------------------------------------------------------------------------
// Per-request knobs

/// Latency and fault settings for one request: the config, overridden by
/// `?latency_ms=&jitter_ms=&fail=&reset=&bandwidth=`.
#[derive(Debug, Clone, Copy)]
struct Knobs {
    latency_ms: u64,
    jitter_ms: u64,
    fail: f64,
    reset: f64,
    bandwidth: Option<u64>,
}

impl Knobs {
    fn from_config(config: &Config) -> Knobs {
        Knobs {
            latency_ms: config.latency_ms,
            jitter_ms: config.jitter_ms,
            fail: config.error_rate,
            reset: config.reset_rate,
            bandwidth: config.bandwidth_bytes_per_sec,
        }
    }

    fn apply_query(&mut self, query: &str) -> Result<(), String> {
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "latency_ms" => self.latency_ms = parse_ms(&key, &value)?,
                "jitter_ms" => self.jitter_ms = parse_ms(&key, &value)?,
                "fail" => self.fail = parse_rate(&key, &value)?,
                "reset" => self.reset = parse_rate(&key, &value)?,
                "bandwidth" => {
                    let bytes: u64 = value.parse().map_err(|_| {
                        format!("bandwidth={value:?}: expected bytes per second (0 = no cap)")
                    })?;
                    self.bandwidth = (bytes > 0).then_some(bytes);
                }
                _ => {} // `ref` and anything else: not ours, ignored
            }
        }
        Ok(())
    }
}

fn parse_ms(key: &str, value: &str) -> Result<u64, String> {
    match value.parse::<u64>() {
        Ok(ms) if ms <= 3_600_000 => Ok(ms),
        _ => Err(format!(
            "{key}={value:?}: expected whole milliseconds from 0 to 3600000"
        )),
    }
}

fn parse_rate(key: &str, value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("{key}={value:?}: expected a rate from 0 to 1")),
    }
}

/// What the RNG decided for one request.
struct Decision {
    delay: Duration,
    fail: bool,
    reset: bool,
}

impl State {
    fn decide(&self, knobs: &Knobs) -> Decision {
        if knobs.jitter_ms == 0 && knobs.fail <= 0.0 && knobs.reset <= 0.0 {
            // Nothing random to draw: skip the lock (the fast path).
            return Decision {
                delay: Duration::from_millis(knobs.latency_ms),
                fail: false,
                reset: false,
            };
        }
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let delay_ms = if knobs.jitter_ms > 0 {
            let low = knobs.latency_ms.saturating_sub(knobs.jitter_ms);
            let high = knobs.latency_ms.saturating_add(knobs.jitter_ms);
            rng.random_range(low..=high)
        } else {
            knobs.latency_ms
        };
        let fail = knobs.fail > 0.0 && rng.random::<f64>() < knobs.fail;
        let reset = !fail && knobs.reset > 0.0 && rng.random::<f64>() < knobs.reset;
        Decision {
            delay: Duration::from_millis(delay_ms),
            fail,
            reset,
        }
    }
}

// ---------------------------------------------------------------------------
// Routing

/// A response before it becomes a hyper `Response`.
struct Reply {
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
    location: Option<String>,
}

impl Reply {
    fn ok(content_type: &'static str, body: impl Into<Bytes>) -> Reply {
        Reply {
            status: StatusCode::OK,
            content_type,
            body: body.into(),
            location: None,
        }
    }

    fn status(status: StatusCode, message: &str) -> Reply {
        Reply {
            status,
            content_type: TEXT,
            body: Bytes::from(format!("{} {message}\n", status.as_u16())),
            location: None,
        }
    }

    fn not_found() -> Reply {
        Reply::status(StatusCode::NOT_FOUND, "not found")
    }

    fn into_response(self, body: SiteBody) -> Response<SiteBody> {
        let mut response = Response::new(body);
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        if let Some(location) = self.location
            && let Ok(value) = HeaderValue::from_str(&location)
        {
            headers.insert(header::LOCATION, value);
        }
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            headers.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        }
        response
    }
}

/// The base URL for absolute links and the `/domains` list: the Host the
/// client used (so links stay on the client's origin), else the bound address.
fn base_url(req: &Request<Incoming>, state: &State) -> String {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host.len() <= 255
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        });
    match host {
        Some(host) => format!("http://{host}"),
        None => state.fallback_base.clone(),
    }
}

/// One request, start to end.
async fn handle(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<SiteBody>, Infallible> {
    let path = req.uri().path();
    let query = req.uri().query().unwrap_or("");

    // The control paths: never delayed, never faulted, never counted.
    if let Some(reply) = control(&state, &req, path, query) {
        let body = SiteBody::new(reply.body.clone(), None);
        return Ok(reply.into_response(body));
    }

    let mut in_flight = InFlight::enter(&state);
    let mut knobs = Knobs::from_config(&state.config);
    if !query.is_empty()
        && let Err(message) = knobs.apply_query(query)
    {
        let reply = Reply::status(StatusCode::BAD_REQUEST, &message);
        state.counters.count_response(reply.status);
        in_flight.counted = true;
        let body = SiteBody::new(reply.body.clone(), Some(in_flight));
        return Ok(reply.into_response(body));
    }

    let decision = state.decide(&knobs);
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }

    let reply = if decision.fail {
        Reply::status(StatusCode::INTERNAL_SERVER_ERROR, "injected server error")
    } else if req.method() != Method::GET && req.method() != Method::HEAD {
        Reply::status(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
    } else {
        match &state.content {
            Content::Generated(site) => route(site, &req, path, &state),
            Content::Dir(root) => serve_file(root, path).await,
        }
    };

    let reset = decision.reset && req.method() != Method::HEAD;
    if !reset {
        state.counters.count_response(reply.status);
    } else {
        // A reset is counted in `requests` and `resets`, not `by_status`:
        // the client never gets a whole response.
        state.counters.requests.fetch_add(1, Ordering::Relaxed);
    }
    in_flight.counted = true;
    // hyper never polls the body of an answer to HEAD, nor an empty one:
    // that answer is complete now, and dropping it is no abandonment.
    let in_flight = if req.method() == Method::HEAD || reply.body.is_empty() {
        in_flight.finish();
        None
    } else {
        Some(in_flight)
    };
    let mut body = SiteBody::new(reply.body.clone(), in_flight);
    if reset {
        body.reset_at = Some(reply.body.len() / 2);
    }
    if let Some(bytes_per_sec) = knobs.bandwidth {
        body.pacer = Some(Pacer {
            bytes_per_sec,
            chunk: (bytes_per_sec / 10).clamp(1, 16 * 1024) as usize,
            start: Instant::now(),
            sleep: Box::pin(tokio::time::sleep(Duration::ZERO)),
            armed: false,
        });
    }
    Ok(reply.into_response(body))
}

/// `/stats`, `/stats/reset`, and for the generated site `/graph` and
/// `/domains?count=N`.
fn control(state: &State, req: &Request<Incoming>, path: &str, query: &str) -> Option<Reply> {
    let stats_json = || {
        let stats = state.counters.snapshot();
        Reply::ok(JSON, serde_json::to_vec(&stats).unwrap_or_default())
    };
    match path {
        "/stats" => Some(stats_json()),
        "/stats/reset" => {
            state.counters.reset();
            Some(stats_json())
        }
        "/graph" | "/domains" => {
            let Content::Generated(site) = &state.content else {
                return None;
            };
            if path == "/graph" {
                return Some(Reply::ok(JSON, site.graph_json.clone()));
            }
            Some(domain_list(req, state, query))
        }
        _ => None,
    }
}

/// `/domains?count=N`: N absolute URLs, one per line.
fn domain_list(req: &Request<Incoming>, state: &State, query: &str) -> Reply {
    let mut count = DOMAINS;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if key == "count" {
            match value.parse::<usize>() {
                Ok(n) if (1..=DOMAINS).contains(&n) => count = n,
                _ => {
                    return Reply::status(
                        StatusCode::BAD_REQUEST,
                        &format!("count={value:?}: expected a number from 1 to {DOMAINS}"),
                    );
                }
            }
        }
    }
    let base = base_url(req, state);
    let mut text = String::with_capacity(count * (base.len() + 14));
    for n in 1..=count {
        text.push_str(&base);
        text.push_str("/domains/");
        text.push_str(&n.to_string());
        text.push('\n');
    }
    Reply::ok(TEXT, text)
}

/// The generated site's pages.
fn route(site: &Generated, req: &Request<Incoming>, path: &str, state: &State) -> Reply {
    match path {
        "/" => Reply::ok(HTML, site.index.clone()),
        "/sites/jython" => Reply::ok(HTML, site.jython.clone()),
        "/sites/dice" => Reply::ok(HTML, site.dice.clone()),
        _ => {
            if let Some(number) = path.strip_prefix("/domains/") {
                match page_number(number) {
                    Some(n) if (1..=DOMAINS).contains(&n) => {
                        Reply::ok(HTML, site.domains[n - 1].clone())
                    }
                    _ => Reply::not_found(),
                }
            } else if let Some(number) = path.strip_prefix(CRAWL_PREFIX) {
                match page_number(number) {
                    Some(n) if n < site.graph.pages() => {
                        Reply::ok(HTML, site.graph.render(n, &base_url(req, state)))
                    }
                    _ => Reply::not_found(),
                }
            } else {
                Reply::not_found()
            }
        }
    }
}

/// A page number in canonical form only ("7", not "07" or "+7"), so each
/// page has exactly one path.
fn page_number(text: &str) -> Option<usize> {
    let canonical = !text.is_empty()
        && text.len() <= 9
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

// ---------------------------------------------------------------------------
// --dir: a folder of static files

async fn serve_file(root: &Path, path: &str) -> Reply {
    let Some(decoded) = percent_decode(path) else {
        return Reply::status(StatusCode::BAD_REQUEST, "bad percent-encoding in path");
    };
    let mut file = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            // Never climb out of the folder, however the path is spelled.
            ".." => return Reply::not_found(),
            _ if segment.contains(['\\', '\0']) => return Reply::not_found(),
            _ => file.push(segment),
        }
    }
    let Ok(meta) = tokio::fs::metadata(&file).await else {
        return Reply::not_found();
    };
    if meta.is_dir() {
        if !path.ends_with('/') {
            // Like any web server: a folder's URL ends in '/', so relative
            // links inside its index.html resolve inside it. Exactly one
            // leading '/': `//sub/` would be read as the host `sub` (an
            // open redirect).
            let mut reply = Reply::status(StatusCode::MOVED_PERMANENTLY, "moved");
            reply.location = Some(format!("/{}/", path.trim_start_matches('/')));
            return reply;
        }
        file.push("index.html");
    }
    // A symbolic link may still point outside: check the real path.
    let Ok(real) = tokio::fs::canonicalize(&file).await else {
        return Reply::not_found();
    };
    if !real.starts_with(root) {
        return Reply::not_found();
    }
    match tokio::fs::read(&real).await {
        Ok(bytes) => Reply::ok(content_type(&real), bytes),
        Err(_) => Reply::not_found(),
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm") => HTML,
        Some("txt" | "md") => TEXT,
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => JSON,
        Some("xml") => "application/xml",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

// ---------------------------------------------------------------------------
// The accept loop

/// How long a connection may take to send a request's head (and, between
/// keep-alive requests, stay idle): a silent socket cannot hold a
/// connection slot (or a `--max-connections` permit) for long.
pub(crate) const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a shutdown waits for the requests in flight to be answered.
pub(crate) const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Accept connections until `shutdown` fires. Each connection is one task;
/// with `max_connections`, a task first waits for a permit, so excess
/// connections sit accepted but unserved, like on a small real server.
///
/// On shutdown: stop accepting (the listening socket is closed, so new
/// connections are refused), let every request in flight finish (each
/// connection closes after its current answer), for at most
/// [`DRAIN_TIMEOUT`], then return.
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let limit = state
        .config
        .max_connections
        .map(|n| Arc::new(Semaphore::new(n)));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        // Also an idle timeout between keep-alive requests: a silent or
        // half-written request cannot hold a connection (or a permit) long.
        .header_read_timeout(HEADER_READ_TIMEOUT)
        // Under a connection cap, one request per connection: an idle
        // keep-alive connection would otherwise hold a permit and starve the
        // clients waiting in line.
        .keep_alive(limit.is_none());
    // `stopping` tells every connection to finish; each connection task
    // holds a clone of `running`, so `drained` ends when the last is done.
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let (running, mut drained) = tokio::sync::mpsc::channel::<()>(1);

    loop {
        let stream = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(_) => {
                    // Out of file descriptors or a connection that died in
                    // the queue: wait a moment and keep serving.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        // Small responses must not wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let http = http.clone();
        let state = Arc::clone(&state);
        let limit = limit.clone();
        let mut stop = stop.clone();
        let running = running.clone();
        tokio::spawn(async move {
            let _running = running;
            let _permit = match limit {
                Some(semaphore) => tokio::select! {
                    permit = semaphore.acquire_owned() => match permit {
                        Ok(permit) => Some(permit),
                        Err(_) => return,
                    },
                    // Still waiting in line: no request of its own is in
                    // flight, so it is closed unanswered.
                    _ = stop.wait_for(|stop| *stop) => return,
                },
                None => None,
            };
            let service = service_fn(move |req| handle(Arc::clone(&state), req));
            let connection = http.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            let mut finishing = false;
            loop {
                tokio::select! {
                    // Errors here are the client's doing (reset, timeout,
                    // garbage): this connection ends, the server goes on.
                    _ = connection.as_mut() => break,
                    _ = stop.wait_for(|stop| *stop), if !finishing => {
                        // Answer the request in flight, if any, then close.
                        finishing = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    drop(running);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, drained.recv()).await;
}
